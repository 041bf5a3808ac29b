#!/usr/bin/python3
"""Generate WVS-shaped benchmark data for Representativeness Lens (seeded, latent-factor model).

Writes, under --out (default bench/data/, git-ignored):
  reference.csv   --rows respondents x --cols integer columns (Q1..Q290 and filler columns),
                  a positive decimal weight W_WEIGHT and a country column B_COUNTRY_ALPHA;
  run1.csv ..     --runs model runs of --run-rows respondents: the same item columns and persona_country;
  items.txt       the comma-separated item list (the --items argument of the anchors).

Why a latent-factor model: items must correlate (individual level) and countries must differ in
their means (group level), otherwise every structure statistic is noise. Each respondent has
3 latent traits plus a country effect; each item loads on the traits; the continuous score is cut
into 1..k by thresholds. Runs use perturbed loadings and country effects, so their structure is
close to the reference's but not equal, like a steered model's.

Usage: /usr/bin/python3 bench/generate-bench-data.py [--rows 97000] [--items 175] [--cols 600]
       [--runs 3] [--run-rows 5000] [--seed 7] [--unit-weights] [--out bench/data]
"""
import argparse
import os
import sys

import numpy as np
import pandas as pd

COUNTRIES = ["DEU", "USA", "BRA", "NGA", "JPN", "IND", "EGY", "MEX", "SWE", "IDN"]
MISSING_SHARE = 0.06


def q_columns(n_items):
    """Q columns written: Q1..Q290 as in WVS, more when more items are asked for (scaling runs)."""
    return max(290, n_items)


def item_names(n_items):
    """Items are spread over the Q columns like WVS ordinal items (not all Q columns are items)."""
    idx = np.unique(np.round(np.linspace(1, q_columns(n_items), n_items)).astype(int))
    return [f"Q{i}" for i in idx]


def make_model(rng, n_items):
    """Item scales, loadings on 3 traits, and per-country effects."""
    k = rng.integers(4, 11, n_items)  # 4..10 point scales
    loadings = rng.normal(0, 0.6, (n_items, 3))
    country = rng.normal(0, 0.5, (len(COUNTRIES), n_items))
    return k, loadings, country


def answers(rng, n, k, loadings, country_effect, country_idx):
    """Ordinal answers 1..k from a latent-factor model, ~6% negative missing codes."""
    traits = rng.normal(size=(n, 3))
    latent = traits @ loadings.T + country_effect[country_idx] + rng.normal(size=(n, len(k)))
    # Cut points: standard normal quantiles of a slightly skewed grid, item by item.
    x = np.empty(latent.shape, dtype=np.int32)
    for j, kj in enumerate(k):
        cuts = np.quantile(latent[:, j], np.linspace(0, 1, kj + 1)[1:-1] ** 1.1)
        x[:, j] = np.searchsorted(cuts, latent[:, j]) + 1
    miss = rng.random(x.shape) < MISSING_SHARE
    x[miss] = -rng.integers(1, 6, miss.sum())
    return x


def write_csv(df, path):
    df.to_csv(path, index=False, float_format="%.6f", chunksize=20000)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=97000)
    ap.add_argument("--items", type=int, default=175)
    ap.add_argument("--cols", type=int, default=600,
                    help="total columns of reference.csv; Q1..Q290 (or Q1..Q<items>) are always written, so at least 294")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--run-rows", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--unit-weights", action="store_true", help="W_WEIGHT = 1 for every respondent")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    a = ap.parse_args(argv)
    generate(a.out, a.rows, a.items, a.cols, a.runs, a.run_rows, a.seed, a.unit_weights)


def generate(out, rows, n_items, cols, runs, run_rows, seed, unit_weights=False):
    rng = np.random.default_rng(seed)
    os.makedirs(out, exist_ok=True)
    items = item_names(n_items)
    k, loadings, country = make_model(rng, len(items))

    # Reference: WVS-like column order, items among other integer columns.
    cidx = rng.integers(0, len(COUNTRIES), rows)
    x = answers(rng, rows, k, loadings, country, cidx)
    data = {"version": np.full(rows, 6, dtype=np.int32), "A_YEAR": rng.integers(2017, 2023, rows).astype(np.int32),
            "B_COUNTRY_ALPHA": np.array(COUNTRIES)[cidx]}
    item_pos = {name: j for j, name in enumerate(items)}
    for q in range(1, q_columns(n_items) + 1):
        name = f"Q{q}"
        data[name] = x[:, item_pos[name]] if name in item_pos else rng.integers(-2, 6, rows).astype(np.int32)
    n_filler = max(0, cols - len(data) - 1)
    for f in range(n_filler):
        data[f"Y{f + 1:03d}"] = rng.integers(-5, 100, rows).astype(np.int32)
    w = np.ones(rows) if unit_weights else np.round(rng.lognormal(0.0, 0.5, rows), 6)
    w[w <= 0] = 1e-6
    data["W_WEIGHT"] = w
    write_csv(pd.DataFrame(data), os.path.join(out, "reference.csv"))

    for r in range(runs):
        lo = loadings + rng.normal(0, 0.25, loadings.shape)
        ce = country * rng.uniform(0.5, 1.2) + rng.normal(0, 0.2, country.shape)
        cr = rng.integers(0, len(COUNTRIES), run_rows)
        xr = answers(rng, run_rows, k, lo, ce, cr)
        df = pd.DataFrame(xr, columns=items)
        df.insert(0, "persona_id", np.arange(1, run_rows + 1))
        df["persona_country"] = np.array(COUNTRIES)[cr]
        write_csv(df, os.path.join(out, f"run{r + 1}.csv"))
    with open(os.path.join(out, "items.txt"), "w") as fh:
        fh.write(",".join(items) + "\n")
    return items


if __name__ == "__main__":
    sys.exit(main())
