"""Expected numbers of FrontBDRateTests, computed independently of the Swift code with SciPy.

BD-rate (Bjøntegaard, PCHIP variant): log-rate as a PchipInterpolator of quality, integrated over
the quality range both curves cover; percent = (exp(mean difference) - 1) * 100. Points are first
reduced to their envelope (sorted by rate, each point kept if its quality beats every kept one).
A method's value is the mean over its seeds; `uniform` (one seed) is the reference for every seed.
Run: python3 Tests/ReportingTests/front_bd_rate_reference.py
"""
import numpy as np
from scipy.interpolate import PchipInterpolator

def envelope(rates, qualities):
    pts = sorted(zip(rates, qualities), key=lambda p: (p[0], -p[1]))
    kept = []
    for r, q in pts:
        if r > 0 and (not kept or q > kept[-1][1]):
            kept.append((r, q))
    return np.array([p[0] for p in kept]), np.array([p[1] for p in kept])

def bd_rate(test, ref):
    rt, qt = envelope(*test)
    rr, qr = envelope(*ref)
    if len(rt) < 2 or len(rr) < 2:
        return None
    lo, hi = max(qt.min(), qr.min()), min(qt.max(), qr.max())
    if hi <= lo:
        return None
    it = PchipInterpolator(qt, np.log(rt)).integrate(lo, hi)
    ir = PchipInterpolator(qr, np.log(rr)).integrate(lo, hi)
    return (np.exp((it - ir) / (hi - lo)) - 1) * 100

uniform = ([0, 1, 2, 4, 8], [[0.1, 0.5, 0.7, 0.85, 0.9], [10, 20, 25, 30, 33]])
methods = {
    "ilp-a": {1: ([0.5, 1, 2, 3, 6], [[0.45, 0.66, 0.8, 0.86, 0.9], [18, 23, 28, 31, 33]]),
              2: ([0.7, 1.5, 2.5, 5], [[0.5, 0.72, 0.84, 0.9], [19, 26, 30, 32.5]])},
    # a multi-task front: along one task, some points are worse at a higher rate
    "nsga2": {1: ([1, 1.5, 2, 2, 3, 5], [[0.6, 0.55, 0.8, 0.75, 0.85, 0.88], [21, 27, 24, 26, 31, 32]])},
    # one point: no curve
    "single": {1: ([2], [[0.8], [28]])},
}
for name, seeds in methods.items():
    for t in range(2):
        values = [bd_rate((r, q[t]), (uniform[0], uniform[1][t])) for r, q in seeds.values()]
        values = [v for v in values if v is not None]
        print(name, t, repr(float(np.mean(values))) if values else None)
