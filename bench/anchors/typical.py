#!/usr/bin/python3
"""Typical anchor: the script a typical survey researcher writes with pandas and scipy to compute
the numbers Representativeness Lens reports. Honest and idiomatic, not sabotaged: read the files,
replace negative codes by NaN, loop over items with scipy for the marginals, DataFrame.corr() for
the structure, resample the DataFrame for the bootstrap, groupby for the group means.

One difference in the numbers, not only in speed: pandas has no weighted correlation, so this
script's REFERENCE correlation matrices (Pearson and Spearman) are UNWEIGHTED, and so are every
individual-level structure comparison built on them. Marginals and group means use the weight.
The output says so in "notes".

Usage: see bench/anchors/README.md.
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
from scipy.spatial.distance import jensenshannon  # noqa: E402
from scipy.stats import wasserstein_distance  # noqa: E402

STRUCT_METRICS = ["rmse", "mae", "maxAbs", "frobenius", "pearson", "spearman", "signAgreement", "steigerChi2"]


def marginals(ref_items, weight, run_items, k):
    rows = []
    for item in ref_items.columns:
        codes = np.arange(1, int(k[item]) + 1)
        p = weight.groupby(ref_items[item]).sum().reindex(codes, fill_value=0)
        p = p / p.sum()
        q = run_items[item].value_counts(normalize=True).reindex(codes, fill_value=0)
        w1 = wasserstein_distance(u_values=codes, v_values=codes, u_weights=p.values, v_weights=q.values)
        rows.append({"item": item, "w1Normalized": w1 / (codes.max() - codes.min()),
                     "tvd": 0.5 * np.abs(p.values - q.values).sum(),
                     "js": jensenshannon(p.values, q.values, base=2)})
    return pd.DataFrame(rows).set_index("item")


def summarise(m):
    return {"meanW1Normalized": m["w1Normalized"].mean(), "representativeness": 1 - m["w1Normalized"].mean(),
            "meanTvd": m["tvd"].mean(), "meanJs": m["js"].mean()}


def mantel(ref, run, n_perm, rng):
    a = common.upper(ref)
    rhos = []
    for _ in range(n_perm):
        perm = rng.permutation(ref.shape[0])
        rhos.append(common.pearson_vec(a, common.upper(run[np.ix_(perm, perm)])))
    return rhos


def group_means(items_df, group, weight, k):
    num = items_df.mul(weight, axis=0).groupby(group).sum()
    den = items_df.notna().mul(weight, axis=0).groupby(group).sum()
    return (num / den - 1) / (k - 1)


def rho_rmse(c_ref, c_run):
    a, b = common.upper(c_ref.values), common.upper(c_run.values)
    ok = np.isfinite(a) & np.isfinite(b)
    return common.pearson_vec(a, b), float(np.sqrt(np.mean((a[ok] - b[ok]) ** 2)))


def run_pipeline(a):
    timer = common.StageTimer()
    rng = np.random.default_rng(a.seed)
    items = a.items
    with timer.stage("read"):
        ref = pd.read_csv(a.reference)
        runs = [pd.read_csv(p) for p in a.run]
    ref_items = ref[items].mask(ref[items] < 0)
    weight = ref[a.weight]
    run_items = [r[items].mask(r[items] < 0) for r in runs]
    k = ref_items.max()
    result = {"anchor": "typical", "blas": common.blas_info(), "items": items, "k": k.values.astype(int),
              "config": {x: getattr(a, x) for x in ("reference", "run", "weight", "group_ref", "group_run",
                                                      "bootstrap", "permutations", "splits", "seed")},
              "notes": ["reference correlation matrices are UNWEIGHTED (pandas DataFrame.corr has no weights); "
                        "marginals and group means use %s" % a.weight,
                        "split halves use DataFrame.groupby(...).sample(frac=0.5): round(n/2) per group",
                        "Tucker congruence and Mantel are not bootstrapped"],
              "reference": {"rows": len(ref)}, "runs": []}
    with timer.stage("marginals"):
        marg = [marginals(ref_items, weight, r, k) for r in run_items]
    with timer.stage("pearson"):
        ref_pear = ref_items.corr()
        run_pear = [r.corr() for r in run_items]
    with timer.stage("spearman"):
        ref_spear = ref_items.corr(method="spearman")
        run_spear = [r.corr(method="spearman") for r in run_items]
    with timer.stage("comparisons"):
        comps = []
        for r in range(len(runs)):
            c = {}
            for name, rm, mm in (("pearson", ref_pear, run_pear[r]), ("spearman", ref_spear, run_spear[r])):
                obs = common.compare_matrices(rm.values, mm.values, len(ref), len(runs[r]))
                obs["mantel"] = common.null_summary(mantel(rm.values, mm.values, a.permutations, rng), obs["pearson"])
                obs["mantel"]["r"] = obs["pearson"]
                c[name] = {"observed": obs}
            comps.append(c)
    with timer.stage("group-level"):
        groups = sorted(set(ref[a.group_ref].astype(str)) & set().union(*[set(r[a.group_run].astype(str)) for r in runs]))
        g_ref = ref[a.group_ref].astype(str)
        a_ref = group_means(ref_items, g_ref, weight, k).loc[groups]
        c_ref = a_ref.corr()
        split_rhos = []
        for _ in range(a.splits):
            in_ref = g_ref.isin(groups)
            half = ref_items[in_ref].groupby(g_ref[in_ref], group_keys=False).sample(frac=0.5, random_state=rng).index
            first = ref_items.index.isin(half)
            ca = group_means(ref_items[first], g_ref[first], weight[first], k).loc[groups].corr()
            cb = group_means(ref_items[~first & in_ref], g_ref[~first & in_ref], weight[~first & in_ref], k).loc[groups].corr()
            split_rhos.append(rho_rmse(ca, cb)[0])
        split = {"meanRho": float(np.nanmean(split_rhos)), "rhos": split_rhos, "splits": a.splits}
        result["reference"]["groupLevel"] = {"groups": groups, "splitHalf": split}
        glev = []
        for r, run in enumerate(runs):
            g_run = run[a.group_run].astype(str)
            ones = pd.Series(1.0, index=run.index)
            a_run = group_means(run_items[r], g_run, ones, k).reindex(groups)
            c_run = a_run.corr()
            rho, rmse = rho_rmse(c_ref, c_run)
            null = common.null_summary(mantel(c_ref.values, c_run.values, a.permutations, rng), rho)
            boot_rho, boot_rmse = [], []
            df = run_items[r].assign(_g=g_run)
            df = df[df["_g"].isin(groups)]
            for _ in range(a.bootstrap):
                s = df.groupby("_g", group_keys=False).apply(lambda d: d.sample(len(d), replace=True, random_state=rng))
                cb = group_means(s[items], s["_g"], pd.Series(1.0, index=s.index), k).reindex(groups).corr()
                br, be = rho_rmse(c_ref, cb)
                boot_rho.append(br)
                boot_rmse.append(be)
            glev.append({"groups": groups, "rho": rho, "rmse": rmse, "null": null, "splitHalf": split,
                         "bootstrap": {"rho": common.percentile_ci(boot_rho), "rmse": common.percentile_ci(boot_rmse)}})
    with timer.stage("bootstrap"):
        done = 0
        boots = []
        for r, run in enumerate(run_items):
            t0 = time.perf_counter()  # --max-bootstrap-seconds is shared equally by the runs
            summ = {x: [] for x in ("meanW1Normalized", "representativeness", "meanTvd", "meanJs")}
            metrics = {"pearson": {x: [] for x in STRUCT_METRICS}, "spearman": {x: [] for x in STRUCT_METRICS}}
            for _ in range(a.bootstrap):
                if a.max_bootstrap_seconds is not None and time.perf_counter() - t0 > a.max_bootstrap_seconds / len(runs):
                    break
                s = run.sample(n=len(run), replace=True, random_state=rng)
                for key, v in summarise(marginals(ref_items, weight, s, k)).items():
                    summ[key].append(v)
                for name, rm, mm in (("pearson", ref_pear, s.corr()), ("spearman", ref_spear, s.corr(method="spearman"))):
                    cm = common.compare_matrices(rm.values, mm.values, len(ref), len(run), with_tucker=False)
                    for x in STRUCT_METRICS:
                        metrics[name][x].append(cm[x])
                done += 1
            boots.append({"marginals": {x: common.percentile_ci(v) for x, v in summ.items()},
                          "structure": {n: {x: common.percentile_ci(v) for x, v in mt.items()} for n, mt in metrics.items()}})
        planned = a.bootstrap * len(runs)
        result["bootstrapReplicates"] = {"planned": planned, "done": done}
    result["timingsExtrapolated"] = None
    if done < planned:
        result["timingsExtrapolated"] = {"bootstrap": timer.seconds["bootstrap"] * planned / max(done, 1),
                                         "note": "bootstrap stopped after %d of %d replicates; stage time extrapolated linearly" % (done, planned)}
    for r, run in enumerate(runs):
        m = marg[r]
        entry = {"file": a.run[r], "rows": len(run),
                 "marginals": {"perItem": {x: m[x].values for x in ("w1Normalized", "tvd", "js")},
                               "summary": summarise(m), "bootstrap": boots[r]["marginals"]},
                 "structure": {n: dict(comps[r][n], bootstrap=boots[r]["structure"][n]) for n in ("pearson", "spearman")},
                 "groupLevel": glev[r]}
        if a.matrices:
            entry["matrices"] = {"pearson": run_pear[r].values, "spearman": run_spear[r].values}
        result["runs"].append(entry)
    if a.matrices:
        result["reference"]["matrices"] = {"pearson": ref_pear.values, "spearman": ref_spear.values}
        result["reference"]["groupLevel"]["meansScaled"] = a_ref.values
        result["reference"]["groupLevel"]["correlation"] = c_ref.values
    return result, timer


def main(argv=None):
    a = common.parse_args(sys.argv[1:] if argv is None else argv, "typical.py")
    if a.check:
        sys.exit("the self-check lives in strong.py --check")
    result, timer = run_pipeline(a)
    common.write_result(result, a.out, timer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
