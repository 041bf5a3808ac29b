"""Anchor for bench/association.ts: the same data, the usual Python way.

    /usr/bin/python3 bench/anchors/association.py /tmp/replens-bench

Reads data.u8 (row-major uint8, 0 = missing) and the TypeScript matrices written by the benchmark,
then times
- pairwise-deletion Pearson with masked BLAS: with M the 0/1 mask and X the answers (0 where
  missing), n = M'M, Sx = X'M, Sxx = (X*X)'M, Sxy = X'X, and
  r = (n Sxy - Sx Sx') / sqrt((n Sxx - Sx^2)(n Sxx' - Sx'^2)): four GEMMs, the fastest exact way
  in numpy (one-pass sums are fine here: small integer answers, no cancellation at this n);
- scipy.stats.spearmanr on the whole array with missing coded 0 (it has no pairwise deletion, and
  with 300 items and 6% missing no row is complete, so complete cases are empty): ranks each column
  once plus one correlation GEMM. Its values are not comparable; it times the cheapest
  rank-based computation numpy/scipy offer at this size;
- pandas DataFrame.corr(method="spearman"), the pairwise-correct Spearman, on the first
  `--pandas-items` items only, extrapolated to all pairs linearly in the number of pairs;
- numpy.corrcoef of the whole array (missing as 0: no pairwise deletion, timing only): the speed
  bar of the issue ("within 3x of numpy.corrcoef");
and checks the TypeScript matrices against numpy / pandas. BLAS: OpenBLAS with 2 threads when
bench/install-anchors.sh unpacked it (common.pin_threads), as a pip-installed numpy would have.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

if __name__ == "__main__":
    common.pin_threads()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/replens-bench"
pandas_items = 30
with open(os.path.join(out, "summary-ts.json")) as f:
    ts = json.load(f)
rows, items = ts["rows"], ts["items"]
raw = np.fromfile(os.path.join(out, "data.u8"), dtype=np.uint8).reshape(rows, items)
ts_pearson = np.fromfile(os.path.join(out, "pearson.f64")).reshape(items, items)
ts_spearman = np.fromfile(os.path.join(out, "spearman.f64")).reshape(items, items)


def timed(label, f):
    t0 = time.perf_counter()
    v = f()
    s = time.perf_counter() - t0
    print(f"{label:<52} {s:.3f} s")
    return v, s


def masked_pearson():
    M = (raw > 0).astype(np.float64)
    X = raw.astype(np.float64)
    n = M.T @ M
    sx = X.T @ M  # sx[i, j] = sum of item i over rows where i and j are both present
    sxx = (X * X).T @ M
    sxy = X.T @ X
    num = n * sxy - sx * sx.T
    den = np.sqrt((n * sxx - sx * sx) * (n * sxx.T - sx.T * sx.T))
    return num / den


print("BLAS:", common.blas_info())
_, t_cc = timed("numpy.corrcoef, missing as 0 (timing only)", lambda: np.corrcoef(raw, rowvar=False))
r_np, t_np = timed("numpy masked-BLAS pairwise Pearson", masked_pearson)
_, t_sp = timed("scipy spearmanr, rank once, missing as 0 (timing only)", lambda: spearmanr(raw).correlation)
df = pd.DataFrame(raw[:, :pandas_items].astype(np.float64)).replace(0.0, np.nan)
r_pd, t_pd = timed(f"pandas pairwise Spearman, {pandas_items} items", lambda: df.corr(method="spearman").to_numpy())
pairs_all = items * (items - 1) / 2
pairs_pd = pandas_items * (pandas_items - 1) / 2
t_pd_all = t_pd * pairs_all / pairs_pd
print(f"{'pandas pairwise Spearman, extrapolated to all pairs':<52} {t_pd_all:.1f} s")

d_pearson = np.nanmax(np.abs(r_np - ts_pearson))
d_spearman = np.nanmax(np.abs(r_pd - ts_spearman[:pandas_items, :pandas_items]))
print(f"max |TS - numpy| Pearson: {d_pearson:.3g}; max |TS - pandas| Spearman ({pandas_items} items): {d_spearman:.3g}")
s = ts["seconds"]
print(f"TS Pearson (tables + matrix) / numpy.corrcoef: {(s['sufficientStats'] + s['pearson']) / t_cc:.2f}")
print(f"TS Spearman (tables + matrix) / numpy.corrcoef: {(s['sufficientStats'] + s['spearman']) / t_cc:.2f}")
print(f"TS Pearson (tables + matrix) / numpy masked BLAS: {(s['sufficientStats'] + s['pearson']) / t_np:.2f}")
print(f"TS Spearman (tables + matrix) / pandas extrapolated: {(s['sufficientStats'] + s['spearman']) / t_pd_all:.3f}")
print(f"TS Spearman (tables + matrix) / scipy rank-once: {(s['sufficientStats'] + s['spearman']) / t_sp:.2f}")
print(f"TS all three matrices from one set of tables: {s['sufficientStats'] + s['pearson'] + s['spearman'] + s['cramer']:.2f} s")
