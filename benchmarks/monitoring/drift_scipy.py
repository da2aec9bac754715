#!/usr/bin/env python3
"""The same drift as Strata's exact mode, with numpy/scipy, timed by phase.

Definitions as docs/design.md "Monitoring" and monitoring/core/src/test/resources/drift/make_vectors.py,
vectorized for millions of rows. Usage: drift_scipy.py REFERENCE.csv CURRENT.csv OUT.json
"""
import csv
import json
import math
import sys
import time

import numpy as np
from scipy import stats
from scipy.spatial import distance

LEVELS = [i / 10 for i in range(1, 10)]
FLOOR = 1e-4


def numeric(ref, cur):
    edges = np.unique(np.quantile(ref, LEVELS))
    rc = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=len(edges) + 1)
    cc = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=len(edges) + 1)
    rs, cs = rc / len(ref), cc / len(cur)
    r, c = np.maximum(rs, FLOOR), np.maximum(cs, FLOOR)
    d = stats.ks_2samp(ref, cur).statistic
    n, m = len(ref), len(cur)
    w = stats.wasserstein_distance(ref, cur)
    sd = np.std(ref, ddof=1)
    return {
        "psi": float(np.sum((c - r) * np.log(c / r))),
        "js_distance": float(distance.jensenshannon(rs, cs, base=2)),
        "ks": float(d),
        "ks_pvalue": float(stats.kstwobign.sf(math.sqrt(n * m / (n + m)) * d)),
        "wasserstein": float(w),
        "wasserstein_normed": float(w / sd) if sd > 0 else None,
        "out_of_range": float(np.mean((cur < ref.min()) | (cur > ref.max()))),
    }


def categorical(ref, cur):
    cats, rc = np.unique(ref, return_counts=True)  # sorted, like Strata's bins
    idx = np.searchsorted(cats, cur)
    idx[idx == len(cats)] = 0
    seen = cats[idx] == cur
    cc = np.bincount(np.where(seen, idx, len(cats)), minlength=len(cats) + 1)
    rc = np.append(rc, 0)
    rs, cs = rc / len(ref), cc / len(cur)
    p = np.maximum(rs, FLOOR)
    p = p / p.sum()
    chi = stats.chisquare(f_obs=cc, f_exp=len(cur) * p)
    r, c = np.maximum(rs, FLOOR), np.maximum(cs, FLOOR)
    return {
        "chi_square": float(chi.statistic),
        "chi_square_pvalue": float(chi.pvalue),
        "psi": float(np.sum((c - r) * np.log(c / r))),
        "js_distance": float(distance.jensenshannon(rs, cs, base=2)),
        "unseen_share": float(cs[-1]),
    }


def read(path):
    with open(path, newline="") as f:
        rows = csv.reader(f)
        header = next(rows)
        cols = [[] for _ in header]
        for row in rows:
            for i, v in enumerate(row):
                cols[i].append(v)
    return header, cols


def is_numeric(values):
    try:
        for v in values:
            float(v)
        return True
    except ValueError:
        return False


def peak_rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1])


def main():
    t0 = time.perf_counter()
    header, ref_cols = read(sys.argv[1])
    _, cur_cols = read(sys.argv[2])
    t1 = time.perf_counter()
    data = []
    for name, r, c in zip(header, ref_cols, cur_cols):
        if is_numeric(r) and is_numeric(c):
            data.append((name, "numeric", np.array(r, dtype=float), np.array(c, dtype=float)))
        else:
            data.append((name, "categorical", np.array(r, dtype=object).astype(str), np.array(c, dtype=object).astype(str)))
    del ref_cols, cur_cols
    t2 = time.perf_counter()
    print(f"python read_csv_s {t1 - t0:.3f}")
    print(f"python to_arrays_s {t2 - t1:.3f}")
    result = {}
    for run in (1, 2):
        start = time.perf_counter()
        start_cpu = time.process_time()
        for name, kind, r, c in data:
            s = time.perf_counter()
            result[name] = numeric(r, c) if kind == "numeric" else categorical(r, c)
            if run == 2:
                print(f"python feature {name} {kind} {time.perf_counter() - s:.3f}")
        print(f"python drift_run{run}_s {time.perf_counter() - start:.3f}")
        print(f"python drift_run{run}_cpu_s {time.process_time() - start_cpu:.3f}")
    print(f"python peak_rss_kib {peak_rss_kib()}")
    with open(sys.argv[3], "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
