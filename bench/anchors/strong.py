#!/usr/bin/python3
"""Strong anchor: what a careful numerical engineer writes with numpy/scipy/pandas to compute the
numbers Representativeness Lens reports (marginals, individual- and group-level structure, their
resampled reference points). The product's benchmark must beat this script's wall time.

How it is fast (and still exact):
- read only the needed columns with fixed dtypes (int32 items, float64 weight, category group);
- marginals: one flattened weighted np.bincount;
- pairwise-deletion Pearson from masked BLAS products: with M the valid indicator, Xc the centred
  answers (0 where missing) and w the weights, every pair's sum of weights, sum x, sum x^2 (two
  stacked GEMMs) and sum xy (one GEMM) over its complete rows;
- exact pairwise Spearman from the pairs' contingency tables: one-hot answers O (n x K, K = sum k),
  all tables at once T = O^T diag(w) O (one SYRK, chunked), each pair's weighted mid-ranks from
  its table's margins, then the Pearson of ranks over each table (a few K x K array operations);
- bootstrap by resampled row indices: each replicate's tables are one float32 SYRK of the resampled
  one-hot rows (counts <= n < 2^24, so float32 sums are exact integers), marginals are the table
  diagonal, Pearson and Spearman both come from the tables;
- permutation nulls vectorised (all permutations as one index array), split halves as weights.
float64 everywhere else. BLAS threads pinned to 2 (ANCHOR_THREADS).

Usage: see bench/anchors/README.md. `strong.py --check` runs the self-check.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

if __name__ == "__main__":
    common.pin_threads()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.special import rel_entr  # noqa: E402

CHUNK = 8192


# ---------------------------------------------------------------------------------------------
# Reading and layout
# ---------------------------------------------------------------------------------------------

def read_survey(path, items, group, weight=None):
    cols = items + [group] + ([weight] if weight else [])
    dtype = {it: np.int32 for it in items}
    dtype[group] = "category"
    if weight:
        dtype[weight] = np.float64
    df = pd.read_csv(path, usecols=cols, dtype=dtype, engine="c")
    x = np.ascontiguousarray(df[items].to_numpy(np.int32))
    w = df[weight].to_numpy(np.float64) if weight else None
    g = df[group].astype(str).to_numpy()
    return x, w, g


class Layout:
    """Item scales (codes 1..k, k = max positive code in the reference) and the one-hot layout."""

    def __init__(self, x_ref):
        self.k = np.maximum(x_ref.max(axis=0), 1).astype(np.int64)
        self.p = self.k.size
        self.off = np.concatenate([[0], np.cumsum(self.k)[:-1]])
        self.K = int(self.k.sum())
        self.item_of = np.repeat(np.arange(self.p), self.k)
        self.code_of = np.concatenate([np.arange(1, kj + 1) for kj in self.k]).astype(np.float64)

    def valid(self, x):
        return (x >= 1) & (x <= self.k)

    def onehot_index(self, x, m):
        """Flat indices (row * K + column) of the ones of the one-hot matrix of x's valid answers."""
        n = x.shape[0]
        return (np.arange(n, dtype=np.int64)[:, None] * self.K + self.off + x - 1)[m]

    def onehot(self, x, m, dtype, values=None):
        o = np.zeros((x.shape[0], self.K), dtype=dtype)
        idx = self.onehot_index(x, m)
        if values is None:
            o.ravel()[idx] = 1
        else:
            o.ravel()[idx] = np.broadcast_to(values[:, None], x.shape)[m]
        return o


# ---------------------------------------------------------------------------------------------
# Marginals
# ---------------------------------------------------------------------------------------------

def category_weights(lay, x, m, w=None):
    """Weighted (w) or plain counts of each item's codes, flattened in one-hot order (length K)."""
    idx = (lay.off + x - 1)[m]
    wt = None if w is None else np.broadcast_to(w[:, None], x.shape)[m]
    return np.bincount(idx, weights=wt, minlength=lay.K).astype(np.float64)


def padded(lay, flat):
    """(..., K) flattened per-item vectors -> (..., p, kmax) zero padded."""
    kmax = int(lay.k.max())
    out = np.zeros(flat.shape[:-1] + (lay.p, kmax))
    pos = lay.code_of.astype(np.int64) - 1
    out[..., lay.item_of, pos] = flat
    return out


def marginal_metrics(lay, pc, qc):
    """Per item: W1 on the ordinal scale normalised by (k - 1), TVD, JS distance base 2 (scipy's
    jensenshannon formula). pc: (p, kmax) reference weights; qc: (..., p, kmax) run counts."""
    p = pc / pc.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = qc / qc.sum(axis=-1, keepdims=True)
    w1 = np.abs(np.cumsum(p, axis=-1) - np.cumsum(q, axis=-1)).sum(axis=-1) / (lay.k - 1)
    tvd = 0.5 * np.abs(p - q).sum(axis=-1)
    mm = (p + q) / 2.0
    js = np.sqrt((rel_entr(p, mm).sum(axis=-1) + rel_entr(q, mm).sum(axis=-1)) / np.log(2) / 2.0)
    return w1, tvd, js


def marginal_summary(w1, tvd, js):
    mw = np.nanmean(w1, axis=-1)
    return {"meanW1Normalized": mw, "representativeness": 1 - mw,
            "meanTvd": np.nanmean(tvd, axis=-1), "meanJs": np.nanmean(js, axis=-1)}


# ---------------------------------------------------------------------------------------------
# Correlations
# ---------------------------------------------------------------------------------------------

def corr_from_moments(wsum, sx, sxx, sxy):
    """Pairwise Pearson from per-pair moments ([i, j] = sums of item i over pair (i, j)'s rows)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sx.T / wsum
        vx = sxx - sx * sx / wsum
        r = cov / np.sqrt(vx * vx.T)
    r = np.clip(r, -1.0, 1.0)  # R's cor clamps too
    np.fill_diagonal(r, 1.0)
    return r


def pearson_masked(lay, x, m, w=None):
    """Weighted (R cov.wt(..., cor = TRUE) per pair) or plain (R cor(use = "pairwise.complete.obs"))
    pairwise-deletion Pearson from masked GEMMs, chunked over rows. Answers are centred on their
    item mean first so the one-pass moments do not cancel."""
    mf = m.astype(np.float64)
    ww = np.ones(x.shape[0]) if w is None else w
    centre = (np.where(m, x, 0) * ww[:, None]).sum(0) / (mf * ww[:, None]).sum(0)
    p = lay.p
    acc1 = np.zeros((3 * p, p))
    sxy = np.zeros((p, p))
    for s in range(0, x.shape[0], CHUNK):
        mc = mf[s:s + CHUNK]
        xc = np.where(m[s:s + CHUNK], x[s:s + CHUNK] - centre, 0.0)
        wc = ww[s:s + CHUNK, None]
        xw = xc * wc
        acc1 += np.hstack([mc * wc, xw, xw * xc]).T @ mc
        sxy += xw.T @ xc
    return corr_from_moments(acc1[:p], acc1[p:2 * p], acc1[2 * p:], sxy)


def tables_reference(lay, x, m, w):
    """All pairs' weighted contingency tables T = O^T diag(w) O (K x K), one SYRK per row chunk."""
    t = np.zeros((lay.K, lay.K))
    sw = np.sqrt(w)
    for s in range(0, x.shape[0], CHUNK):
        a = lay.onehot(x[s:s + CHUNK], m[s:s + CHUNK], np.float64, sw[s:s + CHUNK])
        t += a.T @ a
    return t


def block_sum_rows(lay, a):
    return np.add.reduceat(a, lay.off, axis=0)


def block_sum_cols(lay, a):
    # reduceat along the contiguous axis is ~3x faster than along rows for K x K arrays.
    return np.add.reduceat(a, lay.off, axis=1)


def pearson_from_tables(lay, t, c=None):
    """Pairwise Pearson from the pair tables: moments of the (centred) codes over each table."""
    v = lay.code_of - ((lay.k + 1) / 2.0)[lay.item_of]
    c = block_sum_cols(lay, t) if c is None else c  # c[c, j]: weight of code c with item j valid
    wsum = block_sum_rows(lay, c)
    sx = block_sum_rows(lay, v[:, None] * c)
    sxx = block_sum_rows(lay, (v * v)[:, None] * c)
    sxy = block_sum_rows(lay, v[:, None] * block_sum_cols(lay, t * v[None, :]))
    return corr_from_moments(wsum, sx, sxx, sxy)


def spearman_from_tables(lay, t, c=None):
    """Exact pairwise Spearman from the pair tables. For pair (i, j), code c of item i has the
    (weighted) mid-rank W_<c + (W_c + 1)/2 with W the weights of the pair's complete rows (R's
    average ranks when weights are 1); ranks are centred (mean (W + 1)/2 subtracted), and the
    Pearson of the two rank variables is taken over the table."""
    c = block_sum_cols(lay, t) if c is None else c  # K x p
    wsum = block_sum_rows(lay, c)                  # p x p
    lower = np.empty_like(c)
    for i in range(lay.p):
        blk = slice(lay.off[i], lay.off[i] + lay.k[i])
        lower[blk] = np.cumsum(c[blk], axis=0) - c[blk]
    r = lower + c / 2.0 - wsum[lay.item_of] / 2.0  # r[c, j] = centred mid-rank of code c in pair (item(c), j)
    s1 = block_sum_rows(lay, r * c)
    s2 = block_sum_rows(lay, r * r * c)
    # rexp[c, d] = rank of code d in pair (item(d), item(c)) (a row gather of r^T), so the column
    # block sums of T * rexp are vv[c, j] = sum_{d in j} T[c, d] rank_d.
    rexp = np.ascontiguousarray(r.T)[lay.item_of]
    vv = block_sum_cols(lay, t * rexp)
    sxy = block_sum_rows(lay, r * vv)
    return corr_from_moments(wsum, s1, s2, sxy)


class ReplicateComparer:
    """common.compare_matrices' metrics (no Tucker) for many replicates against one fixed reference
    matrix, with the reference side (upper triangle, Fisher z, ranks) computed once. Frobenius of
    the full difference = sqrt(2) x the upper triangle's (both diagonals are 1)."""

    def __init__(self, ref, n1, n2):
        from scipy.stats import rankdata
        self.ref, self.n1, self.n2 = ref, n1, n2
        self.iu = np.triu_indices(ref.shape[0], 1)
        self.a = ref[self.iu]
        self.defined = bool(np.all(np.isfinite(self.a)))
        with np.errstate(divide="ignore"):
            self.z_a = np.arctanh(self.a)
        self.rank_a = rankdata(self.a)
        self.n = n1 * n2 / (n1 + n2)
        self.rankdata = rankdata

    def __call__(self, run):
        b = run[self.iu]
        if not (self.defined and np.all(np.isfinite(b))):
            return common.compare_matrices(self.ref, run, self.n1, self.n2, with_tucker=False)
        d = self.a - b
        dd = float(d @ d)
        with np.errstate(divide="ignore"):
            z = self.z_a - np.arctanh(b)
        return {"rmse": np.sqrt(dd / d.size), "mae": np.abs(d).mean(), "maxAbs": np.abs(d).max(),
                "frobenius": np.sqrt(2 * dd), "pearson": common.pearson_vec(self.a, b),
                "spearman": common.pearson_vec(self.rank_a, self.rankdata(b)),
                "signAgreement": np.mean(np.sign(self.a) == np.sign(b)), "steigerChi2": (self.n - 3) * float(z @ z)}


# ---------------------------------------------------------------------------------------------
# Permutation nulls and group level
# ---------------------------------------------------------------------------------------------

def permutation_rhos(ref, run, n_perm, rng, chunk=128):
    """Pearson of ref's strict upper triangle with the run matrix's upper triangle after permuting
    the run's rows and columns together, for n_perm permutations at once (chunked)."""
    p = ref.shape[0]
    iu0, iu1 = np.triu_indices(p, 1)
    a = ref[iu0, iu1]
    perms = np.argsort(rng.random((n_perm, p)), axis=1)
    out = np.empty(n_perm)
    for s in range(0, n_perm, chunk):
        pc = perms[s:s + chunk]
        b = run[pc[:, iu0], pc[:, iu1]]
        ok = np.isfinite(b) & np.isfinite(a)[None, :]
        if ok.all():
            ac = a - a.mean()
            bc = b - b.mean(axis=1, keepdims=True)
            out[s:s + chunk] = (bc @ ac) / np.sqrt((ac @ ac) * (bc * bc).sum(1))
        else:
            for r in range(b.shape[0]):
                out[s + r] = common.pearson_vec(a, b[r])
    return out


def group_corr(a):
    """Item-item Pearson across the group rows of A (groups x items), pairwise over groups where
    both items are defined; NaN (reported null) for zero-variance columns."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if np.all(np.isfinite(a)):
            ac = a - a.mean(0)
            ss = (ac * ac).sum(0)
            r = (ac.T @ ac) / np.sqrt(np.outer(ss, ss))
        else:
            m = np.isfinite(a).astype(float)
            x = np.where(np.isfinite(a), a - np.nanmean(a, 0), 0.0)
            r = corr_from_moments(m.T @ m, x.T @ m, (x * x).T @ m, x.T @ x)
            r[~np.isfinite(r)] = np.nan
    r = np.clip(r, -1, 1)
    d = np.isfinite(np.diag(r))
    np.fill_diagonal(r, np.where(d, 1.0, np.nan))
    return r


def scaled_means(lay, sums_x, sums_m):
    with np.errstate(invalid="ignore", divide="ignore"):
        return (sums_x / sums_m - 1.0) / (lay.k - 1)


def group_sums(x0m, gi, n_groups, weights):
    """Per-group weighted sums of [answers, valid] as one (groups x n) @ (n x 2p) product; rows with
    group -1 are left out."""
    keep = np.flatnonzero(gi >= 0)
    ind = np.zeros((n_groups, gi.size))
    ind[gi[keep], keep] = weights[keep]
    return ind @ x0m


def compare_groups(ref_c, run_c):
    a, b = common.upper(ref_c), common.upper(run_c)
    ok = np.isfinite(a) & np.isfinite(b)
    d = (a - b)[ok]
    return common.pearson_vec(a, b), float(np.sqrt(np.mean(d * d))) if d.size else float("nan")


# ---------------------------------------------------------------------------------------------
# The pipeline
# ---------------------------------------------------------------------------------------------

STRUCT_METRICS = ["rmse", "mae", "maxAbs", "frobenius", "pearson", "spearman", "signAgreement", "steigerChi2"]


def run_pipeline(a):
    timer = common.StageTimer()
    rng = np.random.default_rng(a.seed)
    items = a.items
    with timer.stage("read"):
        xr, w, gr = read_survey(a.reference, items, a.group_ref, a.weight)
        runs = [read_survey(path, items, a.group_run) for path in a.run]
    lay = Layout(xr)
    mr = lay.valid(xr)
    n_ref = xr.shape[0]
    result = {"anchor": "strong", "blas": common.blas_info(), "items": items, "k": lay.k,
              "config": {k: getattr(a, k) for k in ("reference", "run", "weight", "group_ref", "group_run",
                                                      "bootstrap", "permutations", "splits", "seed")},
              "notes": ["reference weighted by %s everywhere; runs unweighted" % a.weight,
                        "bootstrap CIs are percentile 2.5/97.5 (numpy linear); 'observed' values are not resampled",
                        "Tucker congruence and Mantel are not bootstrapped"],
              "reference": {"rows": n_ref}, "runs": []}
    with timer.stage("marginals"):
        pc = padded(lay, category_weights(lay, xr, mr, w))
        run_m = [lay.valid(x) for x, _, _ in runs]
        marg = []
        for (x, _, _), m in zip(runs, run_m):
            w1, tvd, js = marginal_metrics(lay, pc, padded(lay, category_weights(lay, x, m)))
            marg.append({"perItem": {"w1Normalized": w1, "tvd": tvd, "js": js}, "summary": marginal_summary(w1, tvd, js)})
    with timer.stage("pearson"):
        ref_pear = pearson_masked(lay, xr, mr, w)
        run_pear = [pearson_masked(lay, x, m) for (x, _, _), m in zip(runs, run_m)]
    with timer.stage("spearman"):
        ref_spear = spearman_from_tables(lay, tables_reference(lay, xr, mr, w))
        run_o32 = [lay.onehot(x, m, np.float32) for (x, _, _), m in zip(runs, run_m)]
        run_spear = []
        for o in run_o32:
            run_spear.append(spearman_from_tables(lay, (o.T @ o).astype(np.float64)))
    with timer.stage("comparisons"):
        comps = []
        for r, (x, _, _) in enumerate(runs):
            c = {}
            for name, ref_mat, run_mat in (("pearson", ref_pear, run_pear[r]), ("spearman", ref_spear, run_spear[r])):
                obs = common.compare_matrices(ref_mat, run_mat, n_ref, x.shape[0])
                obs["mantel"] = common.null_summary(permutation_rhos(ref_mat, run_mat, a.permutations, rng), obs["pearson"])
                obs["mantel"]["r"] = obs["pearson"]
                c[name] = {"observed": obs}
            comps.append(c)
    with timer.stage("group-level"):
        groups_all = sorted(set(gr) & set().union(*[set(g) for _, _, g in runs]))
        gindex = {g: i for i, g in enumerate(groups_all)}
        G = len(groups_all)
        gi_ref = pd.Series(gr).map(gindex).fillna(-1).to_numpy(np.int64)
        x0m_ref = np.hstack([np.where(mr, xr, 0), mr]).astype(np.float64)
        sr = group_sums(x0m_ref, gi_ref, G, w)
        a_ref = scaled_means(lay, sr[:, :lay.p], sr[:, lay.p:])
        c_ref = group_corr(a_ref)
        # Split-half ceiling: within each group, a random half (floor(n_g / 2)) of the reference
        # respondents vs the rest; the halves' group sums for several splits come from one GEMM.
        split_rhos = []
        counts = np.bincount(gi_ref[gi_ref >= 0], minlength=G)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        in_group = np.flatnonzero(gi_ref >= 0)
        per_gemm = 5
        for s0 in range(0, a.splits, per_gemm):
            ns = min(per_gemm, a.splits - s0)
            ind = np.zeros((ns * 2 * G, n_ref))
            for s in range(ns):
                keys = rng.random(in_group.size)
                o = in_group[np.lexsort((keys, gi_ref[in_group]))]
                pos = np.empty(n_ref, dtype=np.int64)
                pos[o] = np.arange(o.size) - starts[gi_ref[o]]
                second = (pos[in_group] >= counts[gi_ref[in_group]] // 2).astype(np.int64)
                ind[(s * G + gi_ref[in_group]) * 2 + second, in_group] = w[in_group]
            h = ind @ x0m_ref
            del ind
            for s in range(ns):
                hs = h[s * 2 * G:(s + 1) * 2 * G]
                ca = group_corr(scaled_means(lay, hs[0::2, :lay.p], hs[0::2, lay.p:]))
                cb = group_corr(scaled_means(lay, hs[1::2, :lay.p], hs[1::2, lay.p:]))
                split_rhos.append(common.pearson_vec(common.upper(ca), common.upper(cb)))
        split = {"meanRho": float(np.nanmean(split_rhos)), "rhos": split_rhos, "splits": a.splits}
        result["reference"]["groupLevel"] = {"groups": groups_all, "splitHalf": split}
        if a.matrices:
            result["reference"]["groupLevel"]["meansScaled"] = a_ref
            result["reference"]["groupLevel"]["correlation"] = c_ref
        glev = []
        for x, _, g in runs:
            m = lay.valid(x)
            gi = pd.Series(g).map(gindex).fillna(-1).to_numpy(np.int64)
            x0m = np.hstack([np.where(m, x, 0), m]).astype(np.float64)
            s = group_sums(x0m, gi, G, np.ones(x.shape[0]))
            a_run = scaled_means(lay, s[:, :lay.p], s[:, lay.p:])
            c_run = group_corr(a_run)
            rho, rmse = compare_groups(c_ref, c_run)
            null = common.null_summary(permutation_rhos(c_ref, c_run, a.permutations, rng), rho)
            # Bootstrap within group: each group's respondents resampled with replacement.
            boot_rho, boot_rmse = [], []
            rows_g = [np.flatnonzero(gi == k) for k in range(G)]
            for _ in range(a.bootstrap):
                sums = np.zeros((G, 2 * lay.p))
                for k, rows in enumerate(rows_g):
                    if rows.size:
                        mult = np.bincount(rng.integers(0, rows.size, rows.size), minlength=rows.size).astype(np.float64)
                        sums[k] = mult @ x0m[rows]
                cb = group_corr(scaled_means(lay, sums[:, :lay.p], sums[:, lay.p:]))
                br, be = compare_groups(c_ref, cb)
                boot_rho.append(br)
                boot_rmse.append(be)
            gl = {"groups": groups_all, "rho": rho, "rmse": rmse, "null": null, "splitHalf": split,
                  "bootstrap": {"rho": common.percentile_ci(boot_rho), "rmse": common.percentile_ci(boot_rmse)}}
            if a.matrices:
                gl["meansScaled"] = a_run
                gl["correlation"] = c_run
            glev.append(gl)
    with timer.stage("bootstrap"):
        done = 0
        boots = []
        for r, (x, _, _) in enumerate(runs):
            o = run_o32[r]
            n = x.shape[0]
            t0 = time.perf_counter()  # --max-bootstrap-seconds is shared equally by the runs
            diag_counts = []
            metrics = {"pearson": {k: [] for k in STRUCT_METRICS}, "spearman": {k: [] for k in STRUCT_METRICS}}
            comparers = {"pearson": ReplicateComparer(ref_pear, n_ref, n), "spearman": ReplicateComparer(ref_spear, n_ref, n)}
            for b in range(a.bootstrap):
                if a.max_bootstrap_seconds is not None and time.perf_counter() - t0 > a.max_bootstrap_seconds / len(runs):
                    break
                idx = np.sort(rng.integers(0, n, n))
                ob = o[idx]
                t = (ob.T @ ob).astype(np.float64)  # exact: integer counts <= n < 2^24
                diag_counts.append(np.diag(t).copy())
                c = block_sum_cols(lay, t)
                for name, mat in (("pearson", pearson_from_tables(lay, t, c)), ("spearman", spearman_from_tables(lay, t, c))):
                    cm = comparers[name](mat)
                    for k in STRUCT_METRICS:
                        metrics[name][k].append(cm[k])
                done += 1
            qb = padded(lay, np.array(diag_counts)) if diag_counts else np.zeros((0, lay.p, int(lay.k.max())))
            summ = marginal_summary(*marginal_metrics(lay, pc, qb))
            boots.append({"marginals": {k: common.percentile_ci(v) for k, v in summ.items()},
                          "structure": {name: {k: common.percentile_ci(v) for k, v in mt.items()} for name, mt in metrics.items()}})
        planned = a.bootstrap * len(runs)
        result["bootstrapReplicates"] = {"planned": planned, "done": done}
    result["timingsExtrapolated"] = None
    if done < planned:
        el = timer.seconds["bootstrap"]
        result["timingsExtrapolated"] = {"bootstrap": el * planned / max(done, 1),
                                         "note": "bootstrap stopped after %d of %d replicates; stage time extrapolated linearly" % (done, planned)}
    for r, (x, _, _) in enumerate(runs):
        entry = {"file": a.run[r], "rows": x.shape[0],
                 "marginals": dict(marg[r], bootstrap=boots[r]["marginals"]),
                 "structure": {name: dict(comps[r][name], bootstrap=boots[r]["structure"][name]) for name in ("pearson", "spearman")},
                 "groupLevel": glev[r]}
        if a.matrices:
            entry["matrices"] = {"pearson": run_pear[r], "spearman": run_spear[r]}
        result["runs"].append(entry)
    if a.matrices:
        result["reference"]["matrices"] = {"pearson": ref_pear, "spearman": ref_spear}
    return result, timer


# ---------------------------------------------------------------------------------------------
# Self-check (strong.py --check): the fast routes above against straightforward reference code.
# ---------------------------------------------------------------------------------------------

TOL = 1e-10  # closed forms in float64: differences are rounding only (observed ~1e-14)


def _weighted_pearson(x, y, w):
    """R cov.wt(cbind(x, y), wt = w / sum(w), cor = TRUE)[1, 2], two-pass."""
    w = w / w.sum()
    mx, my = w @ x, w @ y
    dx, dy = x - mx, y - my
    return (w @ (dx * dy)) / np.sqrt((w @ (dx * dx)) * (w @ (dy * dy)))


def _weighted_midranks(x, w):
    """Mid-rank of each row's category: W_<c + (W_c + 1) / 2 (R's average ranks when w = 1)."""
    out = np.empty(x.size)
    below = 0.0
    for c in np.unique(x):
        sel = x == c
        wc = w[sel].sum()
        out[sel] = below + (wc + 1) / 2
        below += wc
    return out


def _loop_matrices(x, m, w):
    """Per-pair loops: pairwise-deletion weighted Pearson and Spearman."""
    p = x.shape[1]
    pear = np.eye(p)
    spear = np.eye(p)
    for i in range(p):
        for j in range(i + 1, p):
            ok = m[:, i] & m[:, j]
            xi, xj, wi = x[ok, i].astype(float), x[ok, j].astype(float), w[ok]
            pear[i, j] = pear[j, i] = _weighted_pearson(xi, xj, wi)
            spear[i, j] = spear[j, i] = _weighted_pearson(_weighted_midranks(xi, wi), _weighted_midranks(xj, wi), wi)
    return pear, spear


class _Check:
    def __init__(self):
        self.n = 0
        self.worst = {}

    def close(self, name, got, want, tol=TOL):
        got = np.asarray(got, dtype=float)
        want = np.asarray(want, dtype=float)
        same_nan = np.array_equal(np.isnan(got), np.isnan(want))
        diff = float(np.nanmax(np.abs(got - want))) if np.any(np.isfinite(got)) else 0.0
        self.n += 1
        self.worst[name] = diff
        if not same_nan or not diff <= tol:
            raise AssertionError("%s: max |diff| = %g > %g (NaN pattern equal: %s)" % (name, diff, tol, same_nan))


def _walk(a, b, path, out):
    """Pairs of numbers at the same place in two result trees."""
    if isinstance(a, dict):
        for k in a:
            if k in b:
                _walk(a[k], b[k], path + "." + str(k), out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (u, v) in enumerate(zip(a, b)):
            _walk(u, v, path + "[%d]" % i, out)
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        out.append((path, float(a), float(b)))
    elif a is None or b is None:
        out.append((path, float("nan") if a is None else float(a), float("nan") if b is None else float(b)))


# Deterministic result fields (resampled ones - bootstrap CIs, Mantel/permutation p and null, split
# halves - are drawn from different random streams in the two anchors and are left out).
_DETERMINISTIC = ("marginals.perItem", "marginals.summary", "observed.rmse", "observed.mae", "observed.maxAbs",
                  "observed.frobenius", "observed.pearson", "observed.spearman", "observed.signAgreement",
                  "observed.steiger", "observed.tucker", "observed.mantel.r", "groupLevel.rho", "groupLevel.rmse",
                  "matrices", "meansScaled", "correlation")


def main_check(a):
    import json
    import tempfile
    from scipy.spatial.distance import jensenshannon
    from scipy.stats import wasserstein_distance
    import importlib.util
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("gen", os.path.join(here, "..", "generate-bench-data.py"))
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    import typical
    ck = _Check()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for unit in (False, True):
            d = os.path.join(tmp, "unit" if unit else "weighted")
            items = gen.generate(d, 3000, 40, 300, 3, 800, 11, unit_weights=unit)
            tag = "unit-weights" if unit else "weighted"
            xr, w, gr = read_survey(os.path.join(d, "reference.csv"), items, "B_COUNTRY_ALPHA", "W_WEIGHT")
            lay = Layout(xr)
            mr = lay.valid(xr)
            xrun, _, grun = read_survey(os.path.join(d, "run1.csv"), items, "persona_country")
            mrun = lay.valid(xrun)
            # Reference: weighted pairwise Pearson and Spearman, fast routes vs per-pair loops.
            loop_p, loop_s = _loop_matrices(xr, mr, w)
            t_ref = tables_reference(lay, xr, mr, w)
            ck.close(tag + " reference pearson (masked GEMM) vs per-pair cov.wt loop", pearson_masked(lay, xr, mr, w), loop_p)
            ck.close(tag + " reference pearson (tables) vs per-pair cov.wt loop", pearson_from_tables(lay, t_ref), loop_p)
            ck.close(tag + " reference spearman (tables) vs per-pair weighted mid-rank loop", spearman_from_tables(lay, t_ref), loop_s)
            # Runs: unweighted, against pandas (R cor(use = "pairwise.complete.obs") agrees with pandas to 1e-15).
            df = pd.DataFrame(np.where(mrun, xrun, np.nan), columns=items)
            o = lay.onehot(xrun, mrun, np.float32)
            t_run = (o.T @ o).astype(np.float64)
            ck.close(tag + " run pearson (masked GEMM) vs pandas corr", pearson_masked(lay, xrun, mrun), df.corr().values)
            ck.close(tag + " run pearson (tables) vs pandas corr", pearson_from_tables(lay, t_run), df.corr().values)
            ck.close(tag + " run spearman (tables) vs pandas corr(spearman)", spearman_from_tables(lay, t_run), df.corr(method="spearman").values)
            # A bootstrap replicate's tables (float32 SYRK of resampled one-hot rows) vs pandas on the resampled rows.
            idx = np.sort(np.random.default_rng(3).integers(0, xrun.shape[0], xrun.shape[0]))
            tb = (o[idx].T @ o[idx]).astype(np.float64)
            dfb = df.iloc[idx]
            ck.close(tag + " bootstrap replicate pearson (tables) vs pandas", pearson_from_tables(lay, tb), dfb.corr().values)
            ck.close(tag + " bootstrap replicate spearman (tables) vs pandas", spearman_from_tables(lay, tb), dfb.corr(method="spearman").values)
            # Bootstrap-side comparison shortcut vs common.compare_matrices.
            full = common.compare_matrices(loop_p, df.corr().values, xr.shape[0], xrun.shape[0], with_tucker=False)
            fast = ReplicateComparer(loop_p, xr.shape[0], xrun.shape[0])(df.corr().values)
            ck.close(tag + " replicate comparer vs compare_matrices", [fast[k] / max(1.0, abs(full[k])) for k in STRUCT_METRICS],
                     [full[k] / max(1.0, abs(full[k])) for k in STRUCT_METRICS])
            # Marginals vs scipy item by item.
            pc = padded(lay, category_weights(lay, xr, mr, w))
            w1, tvd, js = marginal_metrics(lay, pc, padded(lay, category_weights(lay, xrun, mrun)))
            sw1, stvd, sjs = [], [], []
            for j in range(lay.p):
                codes = np.arange(1, lay.k[j] + 1)
                pj = np.array([w[xr[:, j] == c].sum() for c in codes])
                qj = np.array([(xrun[:, j] == c).sum() for c in codes], dtype=float)
                pj, qj = pj / pj.sum(), qj / qj.sum()
                sw1.append(wasserstein_distance(codes, codes, pj, qj) / (lay.k[j] - 1))
                stvd.append(0.5 * np.abs(pj - qj).sum())
                sjs.append(jensenshannon(pj, qj, base=2))
            ck.close(tag + " W1/(k-1) vs scipy wasserstein_distance", w1, sw1)
            ck.close(tag + " TVD vs explicit", tvd, stvd)
            ck.close(tag + " JS distance vs scipy jensenshannon(base=2)", js, sjs)
            # Group means vs an explicit loop; across-group correlation vs pandas.
            groups = sorted(set(gr))
            gi = np.array([groups.index(g) for g in gr])
            x0m = np.hstack([np.where(mr, xr, 0), mr]).astype(np.float64)
            s = group_sums(x0m, gi, len(groups), w)
            a_fast = scaled_means(lay, s[:, :lay.p], s[:, lay.p:])
            a_loop = np.array([[(w[(gi == g) & mr[:, j]] @ xr[(gi == g) & mr[:, j], j] / w[(gi == g) & mr[:, j]].sum() - 1)
                                / (lay.k[j] - 1) for j in range(lay.p)] for g in range(len(groups))])
            ck.close(tag + " group scaled means vs loop", a_fast, a_loop)
            ck.close(tag + " across-group correlation vs pandas", group_corr(a_fast), pd.DataFrame(a_loop).corr().values)
            # Vectorised permutation null vs a loop over the same permutations.
            perms_rng = np.random.default_rng(5)
            fast = permutation_rhos(loop_p, loop_s, 50, perms_rng)
            perms = np.argsort(np.random.default_rng(5).random((50, lay.p)), axis=1)
            slow = [common.pearson_vec(common.upper(loop_p), common.upper(loop_s[np.ix_(pm, pm)])) for pm in perms]
            ck.close(tag + " vectorised permutation null vs loop", fast, slow)
            # Whole pipelines: strong vs typical on every deterministic number they share. With real
            # weights the reference correlation matrices differ (typical's are unweighted), so only the
            # parts that do not use them are compared there.
            run_args = ["--reference", os.path.join(d, "reference.csv"), "--items", ",".join(items),
                        "--bootstrap", "3", "--permutations", "9", "--splits", "2", "--matrices"]
            for r in (1, 2, 3):
                run_args += ["--run", os.path.join(d, "run%d.csv" % r)]
            sa = common.parse_args(run_args, "strong.py")
            rs = json.loads(json.dumps(common.clean(run_pipeline(sa)[0])))
            rt = json.loads(json.dumps(common.clean(typical.run_pipeline(sa)[0])))
            pairs = []
            _walk(rs["runs"], rt["runs"], "runs", pairs)
            _walk(rs["reference"], rt["reference"], "reference", pairs)
            uses_ref_matrix = (".structure.", "reference.matrices")
            kept = [(pth, u, v) for pth, u, v in pairs if any(k in pth for k in _DETERMINISTIC)
                    and (unit or not any(k in pth for k in uses_ref_matrix))]
            for pth, u, v in kept:
                # Relative for large numbers (Steiger chi2 is ~1e3..1e5), absolute below 1.
                if not ((np.isnan(u) and np.isnan(v)) or abs(u - v) <= TOL * max(1.0, abs(v))):
                    raise AssertionError("%s strong vs typical at %s: %r vs %r" % (tag, pth, u, v))
            ck.n += 1
            worst = max((abs(u - v) / max(1.0, abs(v)), pth) for pth, u, v in kept if not np.isnan(u))
            ck.worst[tag + " strong vs typical pipelines (%d deterministic numbers; worst %s)"
                     % (len(kept), worst[1].split(".", 1)[1][:40])] = worst[0]
    for name, diff in ck.worst.items():
        print("ok  %-90s max|diff| %.1e" % (name, diff))
    print("self-check passed: %d comparisons, tolerance %g, %.1f s" % (ck.n, TOL, time.perf_counter() - t0))
    return 0


def main(argv=None):
    a = common.parse_args(sys.argv[1:] if argv is None else argv, "strong.py")
    if a.check:
        return main_check(a)
    result, timer = run_pipeline(a)
    common.write_result(result, a.out, timer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
