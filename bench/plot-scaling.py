#!/usr/bin/python3
"""Plots bench/results/scaling.json (from bench/scaling.mjs) into a PNG: time and peak memory
against n x p^2, with the O(n p^2) line through the 100,000 x 175 point."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def finish(ax, pts, work, field, ylabel, title):
    """Point labels (respondents x items), axis labels, title and legend."""
    for p, w in zip(pts, work):
        ax.annotate(f"{p['respondents'] // 1000}k x {p['items']}", (w, p[field]), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set_xlabel("respondents x item pairs")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)


def main(src, dest):
    pts = json.load(open(src))["points"]
    work = [p["respondents"] * p["pairs"] for p in pts]
    anchor = next((p for p in pts if p["respondents"] == 100_000 and p["items"] == 175), pts[len(pts) // 2])
    tables = [p["stages"].get("reference tables", 0.0) for p in pts]
    a_work = anchor["respondents"] * anchor["pairs"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    xs = sorted(work)
    ax1.loglog(work, [p["seconds"] for p in pts], "o", label="evaluation, end to end (s)")
    ax1.loglog(work, tables, "s", label="reference pair tables (s)")
    ax1.loglog(xs, [anchor["seconds"] * w / a_work for w in xs], "-", color="grey", label=f"O(n p²) through {anchor['respondents'] // 1000}k x {anchor['items']}")
    finish(ax1, pts, work, "seconds", "seconds", "Time (2 cores)")
    ax2.loglog(work, [p["peakRssMb"] for p in pts], "o", color="tab:red", label="peak RSS (MB)")
    finish(ax2, pts, work, "peakRssMb", "MB", "Peak memory")
    fig.tight_layout()
    fig.savefig(dest, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
