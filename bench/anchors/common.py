"""Shared plumbing of the two benchmark anchors (typical.py, strong.py) of Representativeness Lens.

What lives here is what both anchors must do identically so their outputs are comparable with the
product's JSON report: the command line, BLAS/thread pinning, stage timing, the result layout, and
the small closed-form comparisons of two correlation matrices (RMSE, MAE, Steiger, Tucker, ...).
The heavy work (reading, marginals, correlations, resampling) is written separately in each anchor:
that is what the benchmark measures.

Import order matters: call `pin_threads()` before numpy is imported anywhere.
"""
import argparse
import json
import math
import os
import sys
import time

THREADS = os.environ.get("ANCHOR_THREADS", "2")
HERE = os.path.dirname(os.path.abspath(__file__))
# Where bench/install-anchors.sh unpacks Debian's OpenBLAS when the system BLAS is the slow reference
# BLAS (Debian's python3-numpy links libblas.so.3, which is netlib unless an optimised BLAS is
# installed). Unpacked, not installed: other programs on the machine keep their BLAS.
LOCAL_OPENBLAS = os.path.join(HERE, "..", "data", ".openblas", "usr", "lib", "x86_64-linux-gnu", "openblas-pthread")


def pin_threads():
    """Fix BLAS threads (2 by default, the benchmark machine's core count) and, when a local
    OpenBLAS was unpacked, re-execute this interpreter with it first on the library path, so that
    numpy's BLAS is OpenBLAS (as with a pip-installed numpy) for both anchors alike."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = THREADS
    lib = os.path.realpath(LOCAL_OPENBLAS)
    if (os.path.isdir(lib) and os.environ.get("ANCHOR_NO_OPENBLAS") != "1"
            and lib not in os.environ.get("LD_LIBRARY_PATH", "").split(":")):
        env = dict(os.environ)
        env["LD_LIBRARY_PATH"] = lib + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
        os.execve(sys.executable, [sys.executable] + sys.argv, env)


def blas_info():
    """The BLAS library actually loaded (from /proc/self/maps) and the thread settings."""
    libs = set()
    try:
        with open("/proc/self/maps") as fh:
            for line in fh:
                path = line.split()[-1]
                base = os.path.basename(path)
                if base.startswith("lib") and ("blas" in base or "lapack" in base):
                    libs.add(path)
    except OSError:
        pass
    return {"libraries": sorted(libs), "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")}


def parse_args(argv, prog):
    ap = argparse.ArgumentParser(prog=prog, description="Representativeness Lens benchmark anchor")
    ap.add_argument("--reference", help="reference survey CSV (respondent level, weighted)")
    ap.add_argument("--run", action="append", default=[], help="model run CSV (repeatable)")
    ap.add_argument("--items", help="comma-separated item columns")
    ap.add_argument("--weight", default="W_WEIGHT")
    ap.add_argument("--group-ref", default="B_COUNTRY_ALPHA")
    ap.add_argument("--group-run", default="persona_country")
    ap.add_argument("--bootstrap", type=int, default=200)
    ap.add_argument("--permutations", type=int, default=999)
    ap.add_argument("--splits", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="result.json")
    ap.add_argument("--matrices", action="store_true", help="also write every correlation matrix and per-group mean")
    ap.add_argument("--max-bootstrap-seconds", type=float, default=None,
                    help="stop resampling after this long and extrapolate the stage time (the numbers then "
                         "come from fewer replicates; the output says so)")
    ap.add_argument("--check", action="store_true", help="self-check against straightforward reference code")
    a = ap.parse_args(argv)
    if not a.check and (not a.reference or not a.run or not a.items):
        ap.error("--reference, --run and --items are required")
    if a.items:
        a.items = [s.strip() for s in a.items.split(",") if s.strip()]
    return a


class StageTimer:
    """Wall time per stage (time.perf_counter), accumulated when a stage is entered more than once."""

    def __init__(self):
        self.seconds = {}
        self.t0 = time.perf_counter()

    def stage(self, name):
        timer = self

        class _Stage:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                timer.seconds[name] = timer.seconds.get(name, 0.0) + time.perf_counter() - self.start

        return _Stage()

    def total(self):
        return time.perf_counter() - self.t0


def clean(x):
    """JSON-safe: NaN/inf -> None (undefined is null, never NaN), numpy scalars -> float."""
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if hasattr(x, "tolist"):
        return clean(x.tolist())
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    return x


def write_result(result, path, timer):
    result["timings"] = dict(timer.seconds)
    result["timings"]["total"] = timer.total()
    with open(path, "w") as fh:
        json.dump(clean(result), fh, indent=1)
    sys.stderr.write(json.dumps({"anchor": result.get("anchor"), "timings": clean(result["timings"]),
                                 "threads": result.get("blas")}) + "\n")


# ---------------------------------------------------------------------------------------------
# Small closed-form statistics on p x p correlation matrices (both anchors call these; cost is
# negligible next to building the matrices).
# ---------------------------------------------------------------------------------------------

def upper(m):
    import numpy as np
    iu = np.triu_indices(m.shape[0], 1)
    return m[iu]


def pearson_vec(a, b):
    """Pearson correlation of two vectors over positions where both are finite (None if undefined)."""
    import numpy as np
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    if a.size < 2:
        return float("nan")
    a = a - a.mean()
    b = b - b.mean()
    d = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b) / d if d > 0 else float("nan")


def spearman_vec(a, b):
    import numpy as np
    from scipy.stats import rankdata
    ok = np.isfinite(a) & np.isfinite(b)
    return pearson_vec(rankdata(a[ok]), rankdata(b[ok]))


def tucker_congruence(ref, run, n_comp=3):
    """Tucker's phi = sum(ab)/sqrt(sum a^2 sum b^2) between the loadings (eigenvector * sqrt(eigenvalue))
    of the first n_comp principal components of each matrix, the run's sign aligned to the reference's."""
    import numpy as np
    if not (np.all(np.isfinite(ref)) and np.all(np.isfinite(run))):
        return [float("nan")] * n_comp
    out = []
    la, va = np.linalg.eigh(ref)
    lb, vb = np.linalg.eigh(run)
    for c in range(1, n_comp + 1):
        a = va[:, -c] * math.sqrt(max(la[-c], 0.0))
        b = vb[:, -c] * math.sqrt(max(lb[-c], 0.0))
        if a @ b < 0:
            b = -b
        d = math.sqrt(float(a @ a) * float(b @ b))
        out.append(float(a @ b) / d if d > 0 else float("nan"))
    return out


def compare_matrices(ref, run, n1, n2, with_tucker=True):
    """Agreement of two correlation matrices over the strict upper triangle (domain.md conventions).
    Steiger (psych::cortest): chi2 = (n - 3) sum_{i<j} (z1 - z2)^2, z = atanh(r), n = n1 n2 / (n1 + n2),
    df = p (p - 1) / 2. Pairs undefined on either side are left out."""
    import numpy as np
    from scipy.stats import chi2 as chi2_dist
    a, b = upper(ref), upper(run)
    ok = np.isfinite(a) & np.isfinite(b)
    d = (a - b)[ok]
    p = ref.shape[0]
    full = (ref - run)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.arctanh(a[ok]) - np.arctanh(b[ok])
    n = n1 * n2 / (n1 + n2)
    chi2 = (n - 3) * float(np.sum(z * z))
    df = p * (p - 1) / 2
    out = {
        "rmse": math.sqrt(float(np.mean(d * d))) if d.size else float("nan"),
        "mae": float(np.mean(np.abs(d))) if d.size else float("nan"),
        "maxAbs": float(np.max(np.abs(d))) if d.size else float("nan"),
        "frobenius": math.sqrt(float(np.nansum(full * full))),
        "pearson": pearson_vec(a, b),
        "spearman": spearman_vec(a, b),
        "signAgreement": float(np.mean(np.sign(a[ok]) == np.sign(b[ok]))) if d.size else float("nan"),
        "steigerChi2": chi2,
        "steigerDf": df,
        "steigerP": float(chi2_dist.sf(chi2, df)),
        "pairs": int(ok.sum()),
    }
    if with_tucker:
        out["tucker"] = tucker_congruence(ref, run)
    return out


def percentile_ci(values):
    """2.5 and 97.5 percentiles, linear interpolation (numpy default), over finite replicates."""
    import numpy as np
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return {"lo": float("nan"), "hi": float("nan"), "replicates": 0}
    lo, hi = np.percentile(v, [2.5, 97.5])
    return {"lo": float(lo), "hi": float(hi), "replicates": int(v.size)}


def null_summary(rhos, observed):
    """Permutation null: mean and 2.5/97.5 percentiles of the permuted statistic, one-sided
    p = (#{perm >= obs} + 1) / (n_perm + 1)."""
    import numpy as np
    r = np.asarray(rhos, dtype=float)
    r = r[np.isfinite(r)]
    ci = percentile_ci(r)
    return {"mean": float(r.mean()) if r.size else float("nan"), "lo": ci["lo"], "hi": ci["hi"],
            "p": (float(np.sum(r >= observed)) + 1) / (r.size + 1) if math.isfinite(observed) else float("nan"),
            "permutations": int(r.size)}
