"""Anchor for bench/eigen.ts: numpy.linalg.eigh on the same correlation matrices.

    npm run build && node out/bench/eigen.js && /usr/bin/python3 bench/anchors/eigen.py [/tmp/replens-bench-eigen]

Reads corr-<size>.f64 (row-major float64) and summary-ts.json written by the benchmark, times
numpy.linalg.eigh (LAPACK dsyevd: all eigenvalues and all eigenvectors; numpy has no
leading-vectors-only call) as the median of the same number of runs after two warm-up calls,
checks that numpy's eigenvalues agree with ours, and prints the ratios. BLAS as the other anchors
(common.pin_threads: 2 threads, the unpacked OpenBLAS when bench/install-anchors.sh provided it).
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

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/replens-bench-eigen"
with open(os.path.join(out, "summary-ts.json")) as f:
    ts = json.load(f)
runs = ts["runs"]
libraries = ", ".join(common.blas_info().get("libraries", [])) or "unknown"
loads = ", ".join(f"{s['load']:.2f}" for s in ts["sizes"])
print(f"numpy {np.__version__}, BLAS: {libraries}; load average {os.getloadavg()[0]:.2f} (ours timed at {loads})")


def median_ms(f):
    f()
    f()
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        t.append((time.perf_counter() - t0) * 1000)
    t.sort()
    return t[len(t) // 2], t[0], t[-1]


for s in ts["sizes"]:
    p = s["size"]
    a = np.fromfile(os.path.join(out, f"corr-{p}.f64")).reshape(p, p)
    ms, lo, hi = median_ms(lambda: np.linalg.eigh(a))
    values_only, _, _ = median_ms(lambda: np.linalg.eigvalsh(a))
    w = np.linalg.eigh(a)[0][::-1]
    diff = float(np.max(np.abs(w - np.array(s["values"]))))
    print(f"{p} x {p}: numpy eigh {ms:8.2f} ms ({lo:.2f}-{hi:.2f}), eigvalsh {values_only:.2f} ms; "
          f"ours ({s['vectors']} vectors) {s['oursMs']:.2f} ms, ml-matrix {s['mlMatrixMs']:.2f} ms; "
          f"ours / numpy = {s['oursMs'] / ms:.2f}x, ml-matrix / numpy = {s['mlMatrixMs'] / ms:.1f}x; "
          f"eigenvalues agree to {diff:.1e}")
