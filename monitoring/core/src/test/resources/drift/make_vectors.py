#!/usr/bin/env python3
"""Writes drift test vectors and their expected values, computed with numpy/scipy.

The definitions are docs/design.md's "Monitoring" ones. Run from the repository root:

    python3 monitoring/core/src/test/resources/drift/make_vectors.py

It rewrites vectors.json (generated samples) and flights_expected.json (January vs
March 2001 of examples/flights/data/flights-20k.csv) next to this script.
"""
import csv
import json
import math
import os
import sys

import numpy as np
from scipy import stats
from scipy.spatial import distance

HERE = os.path.dirname(os.path.abspath(__file__))
# i / 10 rather than np.linspace: the Java side uses the same correctly rounded doubles.
LEVELS = [i / 10 for i in range(1, 10)]
FLOOR = 1e-4


def numeric_expected(ref_raw, cur_raw):
    ref = np.array([v for v in ref_raw if v is not None], dtype=float)
    cur = np.array([v for v in cur_raw if v is not None], dtype=float)
    edges = np.unique(np.quantile(ref, LEVELS))  # numpy's default method: linear
    # bin index = number of edges < x: right-closed bins
    ref_counts = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=len(edges) + 1)
    cur_counts = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=len(edges) + 1)
    r = np.maximum(ref_counts / len(ref), FLOOR)
    c = np.maximum(cur_counts / len(cur), FLOOR)
    psi = float(np.sum((c - r) * np.log(c / r)))
    js = float(distance.jensenshannon(ref_counts / len(ref), cur_counts / len(cur), base=2))
    d = float(stats.ks_2samp(ref, cur).statistic)
    n, m = len(ref), len(cur)
    ks_p = float(stats.kstwobign.sf(math.sqrt(n * m / (n + m)) * d))
    w = float(stats.wasserstein_distance(ref, cur))
    sd = float(np.std(ref, ddof=1)) if n > 1 else None  # a sample stddev needs two values
    out = float(np.mean((cur < ref.min()) | (cur > ref.max())))
    return {
        "edges": edges.tolist(),
        "reference_counts": ref_counts.tolist(),
        "current_counts": cur_counts.tolist(),
        "psi": psi,
        "js_distance": js,
        "ks_statistic": d,
        "ks_pvalue": ks_p,
        "wasserstein": w,
        "reference_stddev": sd,
        "wasserstein_normed": w / sd if sd else None,  # undefined: constant or single-value reference
        "reference_null_rate": (len(ref_raw) - n) / len(ref_raw),
        "current_null_rate": (len(cur_raw) - m) / len(cur_raw),
        "out_of_range": out,
    }


def categorical_expected(ref_raw, cur_raw):
    ref = [v for v in ref_raw if v is not None]
    cur = [v for v in cur_raw if v is not None]
    cats = sorted(set(ref))
    index = {k: i for i, k in enumerate(cats)}
    ref_counts = np.zeros(len(cats) + 1, dtype=np.int64)
    cur_counts = np.zeros(len(cats) + 1, dtype=np.int64)
    for v in ref:
        ref_counts[index[v]] += 1
    for v in cur:
        cur_counts[index.get(v, len(cats))] += 1  # last bucket: unseen in the reference
    p = np.maximum(ref_counts / len(ref), FLOOR)
    p = p / p.sum()
    res = stats.chisquare(f_obs=cur_counts, f_exp=len(cur) * p)
    # effect sizes over the same buckets, as for numerics (Strata's status uses them)
    r_share = ref_counts / len(ref)
    c_share = cur_counts / len(cur)
    psi = float(np.sum((np.maximum(c_share, FLOOR) - np.maximum(r_share, FLOOR))
                       * np.log(np.maximum(c_share, FLOOR) / np.maximum(r_share, FLOOR))))
    js = float(distance.jensenshannon(r_share, c_share, base=2))
    return {
        "categories": cats,
        "reference_counts": ref_counts.tolist(),
        "current_counts": cur_counts.tolist(),
        "chi_square": float(res.statistic),
        "chi_square_pvalue": float(res.pvalue),
        "psi": psi,
        "js_distance": js,
        "reference_null_rate": (len(ref_raw) - len(ref)) / len(ref_raw),
        "current_null_rate": (len(cur_raw) - len(cur)) / len(cur_raw),
        "unseen_share": float(cur_counts[-1] / len(cur)),
    }


def with_nulls(rng, values, rate):
    return [None if rng.random() < rate else v for v in values]


def generated_cases():
    rng = np.random.default_rng(20261126)
    cases = []

    def num(name, ref, cur):
        ref, cur = list(ref), list(cur)
        cases.append({"name": name, "kind": "numeric", "reference": ref, "current": cur,
                      "expected": numeric_expected(ref, cur)})

    def cat(name, ref, cur):
        ref, cur = list(ref), list(cur)
        cases.append({"name": name, "kind": "categorical", "reference": ref, "current": cur,
                      "expected": categorical_expected(ref, cur)})

    num("normal_same", rng.normal(0, 1, 2000).tolist(), rng.normal(0, 1, 1500).tolist())
    num("normal_mean_shift", rng.normal(0, 1, 3000).tolist(), rng.normal(0.3, 1, 2500).tolist())
    num("normal_scale_shift", rng.normal(10, 2, 1000).tolist(), rng.normal(10, 3, 1200).tolist())
    num("heavy_tails_cauchy", rng.standard_cauchy(2000).tolist(), (rng.standard_t(2, 2000) * 1.5).tolist())
    num("lognormal_vs_shifted", rng.lognormal(0, 1, 1500).tolist(), (rng.lognormal(0.2, 1.1, 1700)).tolist())
    num("discrete_ints_ties", rng.poisson(3, 2500).astype(float).tolist(), rng.poisson(3.4, 2000).astype(float).tolist())
    num("few_distinct_values", rng.choice([0.0, 1.0, 5.0], 1000, p=[0.7, 0.2, 0.1]).tolist(),
        rng.choice([0.0, 1.0, 5.0, 7.0], 800, p=[0.5, 0.3, 0.15, 0.05]).tolist())
    num("tiny_samples", [3.5, -1.25, 7.0, 2.0, 2.0], [1.0, 9.5, 2.0])
    num("single_value_reference", [4.0] * 20, [4.0] * 5 + [5.0] * 10)
    num("one_current_value", rng.normal(0, 1, 50).tolist(), [0.25])
    num("one_value_each", [1.5], [2.5])
    num("with_nulls", with_nulls(rng, rng.normal(5, 2, 1200).tolist(), 0.1),
        with_nulls(rng, rng.normal(5.5, 2, 1000).tolist(), 0.25))
    num("out_of_range", rng.uniform(0, 10, 1000).tolist(), rng.uniform(5, 15, 900).tolist())
    num("negative_and_zero", (np.round(rng.normal(0, 50, 3000)) - 10).tolist(),
        (np.round(rng.normal(5, 60, 2000)) - 10).tolist())

    letters = ["a", "b", "c", "d", "e"]
    cat("categorical_same", rng.choice(letters, 3000, p=[0.4, 0.3, 0.15, 0.1, 0.05]).tolist(),
        rng.choice(letters, 2000, p=[0.4, 0.3, 0.15, 0.1, 0.05]).tolist())
    cat("categorical_shift_unseen", rng.choice(letters, 3000, p=[0.4, 0.3, 0.15, 0.1, 0.05]).tolist(),
        rng.choice(letters + ["x", "y"], 2500, p=[0.3, 0.3, 0.15, 0.1, 0.05, 0.07, 0.03]).tolist())
    cat("categorical_missing_in_current", rng.choice(letters, 1000).tolist(),
        rng.choice(["a", "b"], 400).tolist())
    cat("categorical_rare_reference", ["common"] * 99990 + ["rare"] * 3 + ["z"] * 7,
        ["common"] * 500 + ["rare"] * 20 + ["new"] * 5)
    cat("categorical_with_nulls", with_nulls(rng, rng.choice(letters, 800).tolist(), 0.2),
        with_nulls(rng, rng.choice(letters[:4], 600).tolist(), 0.05))
    return cases


def flights(path):
    """January vs March 2001 of the 20k-row sample, per column; empty fields are NULL."""
    jan, mar = [], []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            month = row["date"][5:7]
            if month == "01":
                jan.append(row)
            elif month == "03":
                mar.append(row)
    out = {"reference_month": "2001-01", "current_month": "2001-03",
           "reference_rows": len(jan), "current_rows": len(mar), "columns": {}}
    for col in ("delay", "distance"):
        def val(r):
            return float(r[col]) if r[col] != "" else None
        out["columns"][col] = {"kind": "numeric",
                               "expected": numeric_expected([val(r) for r in jan], [val(r) for r in mar])}
    for col in ("origin", "destination"):
        def sval(r):
            return r[col] if r[col] != "" else None
        out["columns"][col] = {"kind": "categorical",
                               "expected": categorical_expected([sval(r) for r in jan], [sval(r) for r in mar])}
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.getcwd()
    meta = {"numpy": np.__version__, "scipy": __import__("scipy").__version__}
    with open(os.path.join(HERE, "vectors.json"), "w") as f:
        # both of scipy's series regimes (cutover at 0.82) and the far tail
        zs = [0.0, 0.05, 0.2, 0.35, 0.5, 0.7, 0.81, 0.82, 0.83, 0.9, 1.0, 1.2, 1.36, 1.5, 2.0, 3.0, 5.0, 8.0]
        kolmogorov = [[z, float(stats.kstwobign.sf(z))] for z in zs]
        json.dump({"generator": meta, "kolmogorov_sf": kolmogorov, "cases": generated_cases()}, f, allow_nan=False)
    fl = flights(os.path.join(root, "examples", "flights", "data", "flights-20k.csv"))
    fl["generator"] = meta
    with open(os.path.join(HERE, "flights_expected.json"), "w") as f:
        json.dump(fl, f, indent=1, allow_nan=False)


if __name__ == "__main__":
    main()
