"""Reference Spearman coefficients for SpearmanCorrelationTests.swift, from
scipy.stats.spearmanr (default arguments), independent of the Swift code.

Run: python3 Tests/BasicsTests/spearman_reference.py
"""

import warnings

import numpy as np
import scipy
from scipy.stats import spearmanr

CASES = {
    "distinct": ([0.12, 0.95, 0.33, 0.48, 0.71, 0.05, 0.86, 0.27, 0.59, 0.64],
                 [1.3, 7.9, 2.2, 5.1, 4.4, 0.7, 9.6, 3.8, 6.0, 4.9]),
    "ties-in-x": ([1, 2, 2, 3, 3, 3, 4, 5],
                  [0.2, 0.1, 0.5, 0.4, 0.9, 0.3, 0.8, 0.7]),
    "ties-in-both": ([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5],
                              [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4]),
    "ties-negative": ([1, 2, 3, 4, 5, 6], [9, 9, 7, 5, 5, 1]),
    "objective-vs-loss": ([0.41, 0.37, 0.52, 0.37, 0.66, 0.29, 0.58, 0.45, 0.33, 0.71, 0.49, 0.61],
                          [0.062, 0.071, 0.090, 0.055, 0.120, 0.048, 0.097, 0.081, 0.050, 0.131, 0.081, 0.102]),
    "with-infinity": ([1.0, float("inf"), 3.0, -float("inf"), 2.0],
                      [0.5, 0.9, 0.7, 0.1, 0.8]),
    "two-pairs-reversed": ([1.0, 2.0], [5.0, 3.0]),
    "constant-y": ([1.0, 2.0, 3.0], [4.0, 4.0, 4.0]),
}

print(f"numpy {np.__version__}, scipy {scipy.__version__}")
for name, (x, y) in CASES.items():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = spearmanr(x, y).statistic
    print(f"{name}: {float(r)!r}")
