#!/usr/bin/python3
"""Strong Pearson-only anchor: what a careful numerical engineer writes with numpy/scipy/pandas when
only Pearson structure is asked (`replens --association pearson`). strong.py builds every
bootstrap replicate's pair tables because exact Spearman needs them; without Spearman a replicate's
pairwise-deletion Pearson comes from moments, which BLAS computes much faster:

- reading, marginals, the observed Pearson matrices (masked GEMMs), their comparisons with Mantel's
  permutations: strong.py's functions, unchanged;
- bootstrap replicates from moments, eight at a time. With X0 the answers 0-filled where missing, M
  the valid indicator and m_b replicate b's multiplicities, one float32 product
  [m_1 X0 | ... | m_8 X0]^T X0 gives every pair's sum of x_i x_j over its complete rows (0-filled
  answers drop the incomplete ones). Exact: every sum is an integer below 2^24 (n * 10 * 10 at most).
  Each pair's sums of x_i, x_i^2 and its count are the full-column sums minus the sums over the rows
  where the partner item is missing; missing answers are rare (6% here), so that correction is one
  small product per item (its missing rows' multiplicities x their [X0, X0^2, M] rows, all items
  as one batched matmul; a scipy.sparse product took 5x longer), also integers. Then Pearson from
  the moments in float64 (strong.corr_from_moments's formula, vectorised over the replicates); the
  replicate's agreement with the reference (Pearson of the upper triangles, the product's
  structure interval) and its marginals (multiplicities x one-hot answers) for all eight at once;
- group level vectorised: the group bootstrap's 200 replicates as one product per group (their
  multiplicities x the group's [answers, valid] rows), their across-group correlations as batched
  matrix products; the split halves and the permutation null as in strong.py;
- baselines (independent marginals, uniform random, human split half) as in the product: samples of
  the run's size drawn item by item from the weighted reference / uniformly, their marginal summary
  and Pearson agreement with the reference; the split half's second half as the whole's moments
  minus the first's (the same centre for both, so the subtraction is exact up to rounding).

Usage: the arguments of strong.py (bench/anchors/README.md); `strong_pearson.py --check` runs the
self-check (the moment route against the table route and pandas, the vectorised group level against
loops).
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

import strong  # noqa: E402
from strong import (Layout, category_weights, compare_groups, corr_from_moments,  # noqa: E402
                    group_corr, group_sums, marginal_metrics, marginal_summary, padded, pearson_masked,
                    permutation_rhos, read_survey, scaled_means)

STACK = 8  # replicates per float32 product


# ---------------------------------------------------------------------------------------------
# Bootstrap replicates from moments
# ---------------------------------------------------------------------------------------------

class MomentReplicates:
    """Pairwise-deletion Pearson (R cor(use = "pairwise.complete.obs")) of bootstrap replicates of
    an unweighted sample, from integer moments; see the module docstring."""

    def __init__(self, lay, x, m):
        self.p = p = lay.p
        self.n = n = x.shape[0]
        self.x0 = np.where(m, x, 0).astype(np.float32)
        self.x0t = np.ascontiguousarray(self.x0.T)
        mf = m.astype(np.float32)
        self.u = np.hstack([self.x0, self.x0 * self.x0, mf])  # n x 3p: x, x^2, valid
        # The rows where item j is missing, padded to one length with row n (all zeros), and their
        # [x, x^2, valid] rows: each item's correction is then one small product per batch.
        rows = [np.flatnonzero(~m[:, j]) for j in range(p)]
        width = max(1, max(r.size for r in rows))
        self.idx = np.full((p, width), n, dtype=np.int64)
        for j, r in enumerate(rows):
            self.idx[j, :r.size] = r
        self.e = np.vstack([self.u, np.zeros((1, 3 * p), np.float32)])[self.idx]  # p x width x 3p
        self.onehot = lay.onehot(x, m, np.float32)

    def batch(self, mult):
        """mult: (B, n) float32 multiplicities -> (B, p, p) Pearson matrices, (B, K) code counts."""
        p, n = self.p, self.n
        B = mult.shape[0]
        # Cross products over complete rows: sum_r m_r x_ri x_rj (0-filled answers), one product
        # X0^T [m_1 X0 | ... | m_B X0]: p x Bp.
        right = (mult.T[:, :, None] * self.x0[:, None, :]).reshape(n, B * p)
        sxy = (self.x0t @ right).reshape(p, B, p).transpose(1, 0, 2).astype(np.float64)
        full = (mult @ self.u).astype(np.float64)  # (B, 3p): column sums of x, x^2, valid
        # corr[b, j, :]: sums of [x, x^2, valid] of every item over the rows where j is missing.
        me = np.hstack([mult, np.zeros((B, 1), np.float32)])
        corr = np.matmul(np.ascontiguousarray(me[:, self.idx].transpose(1, 0, 2)), self.e).transpose(1, 0, 2).astype(np.float64)
        # [i, j] = sums of item i over pair (i, j)'s complete rows = full[i] - corr[j, i].
        sx = full[:, :p, None] - corr[:, :, :p].transpose(0, 2, 1)
        sxx = full[:, p:2 * p, None] - corr[:, :, p:2 * p].transpose(0, 2, 1)
        cnt = full[:, 2 * p:, None] - corr[:, :, 2 * p:].transpose(0, 2, 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = sxy - sx * sx.transpose(0, 2, 1) / cnt
            vx = sxx - sx * sx / cnt
            r = cov / np.sqrt(vx * vx.transpose(0, 2, 1))
        r = np.clip(r, -1.0, 1.0)
        r[:, np.arange(p), np.arange(p)] = 1.0
        counts = (mult @ self.onehot).astype(np.float64)
        return r, counts


def agreement_batch(ref, mats):
    """Pearson of the reference's strict upper triangle with each replicate's (the product's
    structure agreement), for a stack of matrices; NaN where undefined."""
    iu = np.triu_indices(ref.shape[0], 1)
    a = ref[iu]
    b = mats[:, iu[0], iu[1]]
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return np.array([common.pearson_vec(a, v) for v in b])
    ac = a - a.mean()
    bc = b - b.mean(axis=1, keepdims=True)
    return (bc @ ac) / np.sqrt((ac @ ac) * (bc * bc).sum(1))


# ---------------------------------------------------------------------------------------------
# Group level, vectorised over replicates
# ---------------------------------------------------------------------------------------------

def group_corr_batch(a):
    """group_corr for a stack of (R, G, p) matrices without undefined entries; falls back per
    replicate otherwise."""
    if not np.all(np.isfinite(a)):
        return np.stack([group_corr(x) for x in a])
    ac = a - a.mean(axis=1, keepdims=True)
    ss = np.einsum("rgi,rgi->ri", ac, ac)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.matmul(ac.transpose(0, 2, 1), ac) / np.sqrt(ss[:, :, None] * ss[:, None, :])
    r = np.clip(r, -1, 1)
    idx = np.arange(a.shape[2])
    d = np.isfinite(r[:, idx, idx])
    r[:, idx, idx] = np.where(d, 1.0, np.nan)
    return r


def compare_groups_batch(ref_c, cs):
    """compare_groups of one reference matrix with a stack of run matrices: (rho, rmse) arrays."""
    iu = np.triu_indices(ref_c.shape[0], 1)
    a = ref_c[iu]
    b = cs[:, iu[0], iu[1]]
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        out = [compare_groups(ref_c, c) for c in cs]
        return np.array([o[0] for o in out]), np.array([o[1] for o in out])
    ac = a - a.mean()
    bc = b - b.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (bc @ ac) / np.sqrt((ac @ ac) * (bc * bc).sum(1))
    d = b - a[None]
    return rho, np.sqrt((d * d).mean(1))


def group_bootstrap_sums(x0m, rows_g, mults_g):
    """(R, G, 2p) group sums of the replicates: mults_g[g] (R x n_g) times the group's rows."""
    R = mults_g[0].shape[0] if mults_g else 0
    out = np.zeros((R, len(rows_g), x0m.shape[1]))
    for g, rows in enumerate(rows_g):
        if rows.size:
            out[:, g] = mults_g[g] @ x0m[rows]
    return out


def group_multiplicities(rng, rows_g, R):
    """Each group's respondents resampled with replacement R times: (R, n_g) multiplicities."""
    out = []
    for rows in rows_g:
        n = rows.size
        if n == 0:
            out.append(np.zeros((R, 0)))
            continue
        draws = rng.integers(0, n, (R, n)) + (np.arange(R) * n)[:, None]
        out.append(np.bincount(draws.ravel(), minlength=R * n).reshape(R, n).astype(np.float64))
    return out


# ---------------------------------------------------------------------------------------------
# Baselines
# ---------------------------------------------------------------------------------------------

def moments_masked(x, m, w, centre):
    """pearson_masked's accumulators (weights, sum x, sum x^2 as [3p, p]; sum xy) about `centre`."""
    mf = m.astype(np.float64)
    p = x.shape[1]
    acc1 = np.zeros((3 * p, p))
    sxy = np.zeros((p, p))
    for s in range(0, x.shape[0], strong.CHUNK):
        mc = mf[s:s + strong.CHUNK]
        xc = np.where(m[s:s + strong.CHUNK], x[s:s + strong.CHUNK] - centre, 0.0)
        wc = w[s:s + strong.CHUNK, None]
        xw = xc * wc
        acc1 += np.hstack([mc * wc, xw, xw * xc]).T @ mc
        sxy += xw.T @ xc
    return acc1, sxy


def corr_of(acc1, sxy, p):
    return corr_from_moments(acc1[:p], acc1[p:2 * p], acc1[2 * p:], sxy)


def agreement(ref, run):
    return common.pearson_vec(common.upper(ref), common.upper(run))


def baselines(lay, xr, mr, w, pc, ref_pear, ref_moments, n_run, rng):
    out = {}
    # Independent marginals: each item's answers drawn from reference rows with probability ~ weight.
    cw = np.cumsum(w)
    rows = np.searchsorted(cw, rng.random((n_run, lay.p)) * cw[-1], side="right")
    xi = np.take_along_axis(xr, rows, axis=0)
    mi = lay.valid(xi)
    # Uniform random answers 1..k.
    xu = (np.floor(rng.random((n_run, lay.p)) * lay.k) + 1).astype(np.int32)
    mu = np.ones_like(xu, dtype=bool)
    ones = np.ones(n_run)
    for name, x, m in (("independent-marginals", xi, mi), ("uniform-random", xu, mu)):
        summ = marginal_summary(*marginal_metrics(lay, pc, padded(lay, category_weights(lay, x, m))))
        out[name] = {"marginal": summ, "structure": {"pearson": agreement(ref_pear, pearson_masked(lay, x, m, ones))}}
    # Human split half: a random half of the reference against the rest (moments of the rest = the
    # whole's minus the half's, about the same centre).
    perm = rng.permutation(xr.shape[0])
    half = np.sort(perm[: xr.shape[0] // 2])
    centre, (acc_all, sxy_all) = ref_moments
    acc_a, sxy_a = moments_masked(xr[half], mr[half], w[half], centre)
    ca = corr_of(acc_a, sxy_a, lay.p)
    cb = corr_of(acc_all - acc_a, sxy_all - sxy_a, lay.p)
    wa = category_weights(lay, xr[half], mr[half], w[half])
    summ = marginal_summary(*marginal_metrics(lay, padded(lay, wa), pc - padded(lay, wa)))
    out["human-split-half"] = {"marginal": summ, "structure": {"pearson": agreement(ca, cb)}}
    return out


# ---------------------------------------------------------------------------------------------
# The pipeline
# ---------------------------------------------------------------------------------------------

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
    result = {"anchor": "strong_pearson", "blas": common.blas_info(), "items": items, "k": lay.k,
              "config": {k: getattr(a, k) for k in ("reference", "run", "weight", "group_ref", "group_run",
                                                      "bootstrap", "permutations", "splits", "seed")},
              "notes": ["Pearson only; reference weighted by %s everywhere; runs unweighted" % a.weight,
                        "bootstrap replicates' Pearson from moments (float32 products of integers, exact)",
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
        # The reference's moments are kept: the split-half baseline subtracts a half's from them.
        centre = (np.where(mr, xr, 0) * w[:, None]).sum(0) / (mr * w[:, None]).sum(0)
        ref_moments = moments_masked(xr, mr, w, centre)
        ref_pear = corr_of(*ref_moments, lay.p)
        run_pear = [pearson_masked(lay, x, m) for (x, _, _), m in zip(runs, run_m)]
    with timer.stage("comparisons"):
        comps = []
        for r, (x, _, _) in enumerate(runs):
            obs = common.compare_matrices(ref_pear, run_pear[r], n_ref, x.shape[0])
            obs["mantel"] = common.null_summary(permutation_rhos(ref_pear, run_pear[r], a.permutations, rng), obs["pearson"])
            obs["mantel"]["r"] = obs["pearson"]
            comps.append({"pearson": {"observed": obs}})
    with timer.stage("group-level"):
        groups_all = sorted(set(gr) & set().union(*[set(g) for _, _, g in runs]))
        gindex = {g: i for i, g in enumerate(groups_all)}
        G = len(groups_all)
        gi_ref = pd.Series(gr).map(gindex).fillna(-1).to_numpy(np.int64)
        x0m_ref = np.hstack([np.where(mr, xr, 0), mr]).astype(np.float64)
        sr = group_sums(x0m_ref, gi_ref, G, w)
        c_ref = group_corr(scaled_means(lay, sr[:, :lay.p], sr[:, lay.p:]))
        # Split halves: strong.py's, all splits' half sums from GEMMs of 5 splits each.
        split_rhos = []
        counts = np.bincount(gi_ref[gi_ref >= 0], minlength=G)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        in_group = np.flatnonzero(gi_ref >= 0)
        # Each split's first halves (floor(n_g / 2) of each group) as one weighted indicator matrix,
        # 5 splits a GEMM; the second halves are the groups' totals minus the first.
        per_gemm = 5
        for s0 in range(0, a.splits, per_gemm):
            ns = min(per_gemm, a.splits - s0)
            ind = np.zeros((ns * G, n_ref))
            for s in range(ns):
                keys = rng.random(in_group.size)
                o = in_group[np.lexsort((keys, gi_ref[in_group]))]
                pos = np.empty(n_ref, dtype=np.int64)
                pos[o] = np.arange(o.size) - starts[gi_ref[o]]
                first = in_group[pos[in_group] < counts[gi_ref[in_group]] // 2]
                ind[s * G + gi_ref[first], first] = w[first]
            h1 = (ind @ x0m_ref).reshape(ns, G, 2 * lay.p)
            del ind
            h2 = sr[None] - h1
            ca = group_corr_batch(scaled_means(lay, h1[:, :, :lay.p], h1[:, :, lay.p:]))
            cb = group_corr_batch(scaled_means(lay, h2[:, :, :lay.p], h2[:, :, lay.p:]))
            for s in range(ns):
                split_rhos.append(agreement(ca[s], cb[s]))
        split = {"meanRho": float(np.nanmean(split_rhos)), "rhos": split_rhos, "splits": a.splits}
        result["reference"]["groupLevel"] = {"groups": groups_all, "splitHalf": split}
        glev = []
        for x, _, g in runs:
            m = lay.valid(x)
            gi = pd.Series(g).map(gindex).fillna(-1).to_numpy(np.int64)
            x0m = np.hstack([np.where(m, x, 0), m]).astype(np.float64)
            s = group_sums(x0m, gi, G, np.ones(x.shape[0]))
            c_run = group_corr(scaled_means(lay, s[:, :lay.p], s[:, lay.p:]))
            rho, rmse = compare_groups(c_ref, c_run)
            null = common.null_summary(permutation_rhos(c_ref, c_run, a.permutations, rng), rho)
            rows_g = [np.flatnonzero(gi == k) for k in range(G)]
            sums = group_bootstrap_sums(x0m, rows_g, group_multiplicities(rng, rows_g, a.bootstrap))
            cb = group_corr_batch(scaled_means(lay, sums[:, :, :lay.p], sums[:, :, lay.p:]))
            boot_rho, boot_rmse = compare_groups_batch(c_ref, cb)
            glev.append({"groups": groups_all, "rho": rho, "rmse": rmse, "null": null, "splitHalf": split,
                         "bootstrap": {"rho": common.percentile_ci(boot_rho), "rmse": common.percentile_ci(boot_rmse)}})
    with timer.stage("bootstrap"):
        boots = []
        for r, (x, _, _) in enumerate(runs):
            n = x.shape[0]
            route = MomentReplicates(lay, x, run_m[r])
            agree, counts = [], []
            for b0 in range(0, a.bootstrap, STACK):
                B = min(STACK, a.bootstrap - b0)
                draws = rng.integers(0, n, (B, n)) + (np.arange(B) * n)[:, None]
                mult = np.bincount(draws.ravel(), minlength=B * n).reshape(B, n).astype(np.float32)
                mats, cnt = route.batch(mult)
                agree.append(agreement_batch(ref_pear, mats))
                counts.append(cnt)
            summ = marginal_summary(*marginal_metrics(lay, pc, padded(lay, np.vstack(counts))))
            boots.append({"marginals": {k: common.percentile_ci(v) for k, v in summ.items()},
                          "structure": {"pearson": {"pearson": common.percentile_ci(np.concatenate(agree))}}})
        result["bootstrapReplicates"] = {"planned": a.bootstrap * len(runs), "done": a.bootstrap * len(runs)}
    with timer.stage("baselines"):
        # The product's baselines have the run's size; the bench's runs are all the same size.
        result["baselines"] = baselines(lay, xr, mr, w, pc, ref_pear, (centre, ref_moments), runs[0][0].shape[0], rng)
    for r, (x, _, _) in enumerate(runs):
        entry = {"file": a.run[r], "rows": x.shape[0],
                 "marginals": dict(marg[r], bootstrap=boots[r]["marginals"]),
                 "structure": {"pearson": dict(comps[r]["pearson"], bootstrap=boots[r]["structure"]["pearson"])},
                 "groupLevel": glev[r]}
        if a.matrices:
            entry["matrices"] = {"pearson": run_pear[r]}
        result["runs"].append(entry)
    if a.matrices:
        result["reference"]["matrices"] = {"pearson": ref_pear}
    return result, timer


# ---------------------------------------------------------------------------------------------
# Self-check (strong_pearson.py --check)
# ---------------------------------------------------------------------------------------------

def main_check(a):
    import importlib.util
    import tempfile
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("gen", os.path.join(here, "..", "generate-bench-data.py"))
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    ck = strong._Check()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        items = gen.generate(tmp, 3000, 40, 300, 1, 800, 11)
        xr, w, gr = read_survey(os.path.join(tmp, "reference.csv"), items, "B_COUNTRY_ALPHA", "W_WEIGHT")
        lay = Layout(xr)
        mr = lay.valid(xr)
        x, _, g = read_survey(os.path.join(tmp, "run1.csv"), items, "persona_country")
        m = lay.valid(x)
        n = x.shape[0]
        # A constant column and a column with fewer than 3 answers: undefined pairs stay NaN alike.
        x = x.copy()
        x[:, 0] = np.where(m[:, 0], 2, x[:, 0])
        x[3:, 1] = -1
        m = lay.valid(x)
        route = MomentReplicates(lay, x, m)
        o = lay.onehot(x, m, np.float32)
        rng = np.random.default_rng(3)
        idx = [np.sort(rng.integers(0, n, n)) for _ in range(5)]
        mult = np.stack([np.bincount(i, minlength=n) for i in idx]).astype(np.float32)
        mats, cnt = route.batch(mult)
        df = pd.DataFrame(np.where(m, x, np.nan), columns=items)
        for b, i in enumerate(idx):
            t = (o[i].T @ o[i]).astype(np.float64)
            ck.close("replicate %d pearson: moments vs tables (strong.pearson_from_tables)" % b, mats[b], strong.pearson_from_tables(lay, t))
            # pandas: NaN diagonal for the constant item, values from 2 rows; the other items only.
            ck.close("replicate %d pearson: moments vs pandas corr on the resampled rows (items 3..)" % b, mats[b][2:, 2:], df.iloc[i].corr().values[2:, 2:])
            ck.close("replicate %d code counts vs the tables' diagonal" % b, cnt[b], np.diag(t), tol=0)
        ref_p = pearson_masked(lay, xr, mr, w)
        ck.close("agreement_batch vs common.pearson_vec", agreement_batch(ref_p, mats),
                 [common.pearson_vec(common.upper(ref_p), common.upper(v)) for v in mats])
        # Group level: the vectorised bootstrap vs strong.py's loop on the same multiplicities.
        groups = sorted(set(gr) & set(g))
        gi = pd.Series(g).map({v: k for k, v in enumerate(groups)}).fillna(-1).to_numpy(np.int64)
        x0m = np.hstack([np.where(m, x, 0), m]).astype(np.float64)
        rows_g = [np.flatnonzero(gi == k) for k in range(len(groups))]
        mg = group_multiplicities(np.random.default_rng(4), rows_g, 7)
        fast = group_bootstrap_sums(x0m, rows_g, mg)
        loop = np.array([[mg[k][r] @ x0m[rows] for k, rows in enumerate(rows_g)] for r in range(7)])
        ck.close("group bootstrap sums: stacked vs loop", fast, loop)
        a_b = scaled_means(lay, fast[:, :, :lay.p], fast[:, :, lay.p:])
        ck.close("group correlations: batched vs strong.group_corr", group_corr_batch(a_b), np.stack([group_corr(v) for v in a_b]))
        sr = group_sums(np.hstack([np.where(mr, xr, 0), mr]).astype(np.float64), pd.Series(gr).map({v: k for k, v in enumerate(groups)}).fillna(-1).to_numpy(np.int64), len(groups), w)
        c_ref = group_corr(scaled_means(lay, sr[:, :lay.p], sr[:, lay.p:]))
        cb = group_corr_batch(a_b)
        rho, rmse = compare_groups_batch(c_ref, cb)
        ck.close("group comparisons: batched vs strong.compare_groups", np.stack([rho, rmse], 1), np.array([compare_groups(c_ref, c) for c in cb]))
        # Split half: the rest's moments as the whole's minus the half's vs the rest computed directly.
        half = np.random.default_rng(5).permutation(xr.shape[0])[: xr.shape[0] // 2]
        rest = np.setdiff1d(np.arange(xr.shape[0]), half)
        centre = (np.where(mr, xr, 0) * w[:, None]).sum(0) / (mr * w[:, None]).sum(0)
        acc_all, sxy_all = moments_masked(xr, mr, w, centre)
        acc_a, sxy_a = moments_masked(xr[half], mr[half], w[half], centre)
        ck.close("split half: whole minus half vs the rest directly", corr_of(acc_all - acc_a, sxy_all - sxy_a, lay.p), pearson_masked(lay, xr[rest], mr[rest], w[rest]))
    for name, diff in ck.worst.items():
        print("ok  %-90s max|diff| %.1e" % (name, diff))
    print("self-check passed: %d comparisons, tolerance %g, %.1f s" % (ck.n, strong.TOL, time.perf_counter() - t0))
    return 0


def main(argv=None):
    a = common.parse_args(sys.argv[1:] if argv is None else argv, "strong_pearson.py")
    if a.check:
        return main_check(a)
    result, timer = run_pipeline(a)
    common.write_result(result, a.out, timer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
