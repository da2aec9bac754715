#!/usr/bin/env python3
"""Agreement of Strata's JSON with drift_scipy.py's: the largest difference per metric."""
import json
import sys

strata = {f["feature"]: f["metrics"] for f in json.load(open(sys.argv[1]))["features"]}
scipy = json.load(open(sys.argv[2]))
worst = {}
for feature, metrics in scipy.items():
    for metric, expected in metrics.items():
        actual = strata[feature].get(metric)
        if expected is None or actual is None:
            ok = expected is None and actual is None
            diff = 0.0 if ok else float("inf")
        else:
            diff = abs(actual - expected) / max(1.0, abs(expected))
        w = worst.get(metric, (0.0, ""))
        if diff >= w[0]:
            worst[metric] = (diff, feature)
print("| metric | largest difference (relative above 1, else absolute) | feature |")
print("|---|---|---|")
for metric, (diff, feature) in sorted(worst.items()):
    print(f"| {metric} | {diff:.2e} | {feature} |")
print()
print("| feature | psi | js | ks | ks_p | w_normed | chi2 | unseen | status |")
print("|---|---|---|---|---|---|---|---|---|")
statuses = {f["feature"]: f["status"] for f in json.load(open(sys.argv[1]))["features"]}
for feature, m in strata.items():
    def g(k):
        v = m.get(k)
        return "" if v is None else f"{v:.4g}"
    print(f"| {feature} | {g('psi')} | {g('js_distance')} | {g('ks')} | {g('ks_pvalue')} | "
          f"{g('wasserstein_normed')} | {g('chi_square')} | {g('unseen_share')} | {statuses[feature]} |")
bad = [m for m, (d, _) in worst.items() if d > 1e-9]
sys.exit(1 if bad else 0)
