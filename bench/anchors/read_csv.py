"""Anchor for bench/read-csv.ts: pandas.read_csv on the same generated WVS-shaped file, same columns.

    /usr/bin/python3 bench/anchors/read_csv.py [file]
"""
import re
import resource
import sys
import time

import pandas as pd

TOPICS = [(1, 45), (46, 56), (57, 105), (106, 111), (112, 120), (121, 130), (131, 151), (158, 163),
          (164, 175), (176, 198), (199, 234), (235, 259)]
GROUPS = ["B_COUNTRY_ALPHA", "Q260", "Q262", "Q240"]

path = sys.argv[1] if len(sys.argv) > 1 else "bench/data/wvs7-shaped.csv"
with open(path) as f:
    header = f.readline().rstrip("\n").split(",")


def in_topic(name):
    m = re.fullmatch(r"Q(\d+)", name)
    return bool(m) and any(a <= int(m.group(1)) <= b for a, b in TOPICS)


items = [h for h in header if in_topic(h) and h not in GROUPS][:175]
dtype = {i: "int32" for i in items}
dtype.update({"W_WEIGHT": "float64", "B_COUNTRY_ALPHA": "str", "Q260": "int32", "Q262": "int32", "Q240": "int32"})
t0 = time.perf_counter()
df = pd.read_csv(path, usecols=items + ["W_WEIGHT"] + GROUPS, dtype=dtype)
seconds = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
missing = int((df[items] < 0).sum().sum())
print(f"pandas {pd.__version__}: {seconds:.2f} s, peak RSS {rss:.0f} MB ({len(df)} rows, {len(items)} items, {missing} negative codes)")
