#!/usr/bin/env python3
"""Peer for `compare-peers mi`: scikit-learn's mutual_info_classif on the data of
shared/peers/mi_peers.md section A, generated identically (logic copied from
shared/peers/scripts/mi_peers.py: make_data, true_mi_mixture).

Writes the arrays for the Swift side as raw little-endian files in --out:
  X.f64 (float64, [N, D] row-major), y.i64 (int64, [N]),
times mutual_info_classif(X, y, n_neighbors=3, random_state=0) once, and prints one JSON line:
  {"n", "d", "seconds", "sklearn": [D], "true": [D], "sklearn_version"}
"""
import argparse
import json
import os
import time

import numpy as np

K = 10  # classes


def make_data(n, d, seed):
    rng = np.random.default_rng(seed)
    s = np.exp(rng.uniform(np.log(0.05), np.log(3.0), size=d))
    s[rng.random(d) < 0.25] = 0.0
    mu = rng.standard_normal((K, d)) * s
    y = rng.integers(0, K, size=n)
    X = mu[y] + rng.standard_normal((n, d))
    return X, y, mu


def true_mi_mixture(mu_col, sigma=1.0):
    mu_col = np.asarray(mu_col, dtype=float)
    if np.ptp(mu_col) == 0:
        return 0.0
    lo, hi = mu_col.min() - 12 * sigma, mu_col.max() + 12 * sigma
    x = np.linspace(lo, hi, int((hi - lo) / sigma * 4000) + 1)
    p = np.exp(-0.5 * ((x[:, None] - mu_col[None, :]) / sigma) ** 2).mean(1) / (sigma * np.sqrt(2 * np.pi))
    f = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return float(np.trapezoid(f, x) - 0.5 * np.log(2 * np.pi * np.e * sigma ** 2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50000)
    ap.add_argument("--d", type=int, default=256)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    import sklearn
    from sklearn.feature_selection import mutual_info_classif

    # Same generator call as mi_peers.py: the columns for D=256 are drawn first, the first D used.
    X, y, mu = make_data(args.n, 256, 7)
    X = np.ascontiguousarray(X[:, :args.d])
    mu = mu[:, :args.d]
    X.astype("<f8").tofile(os.path.join(args.out, "X.f64"))
    y.astype("<i8").tofile(os.path.join(args.out, "y.i64"))
    true = [true_mi_mixture(mu[:, j]) for j in range(args.d)]
    mutual_info_classif(X[:500, :4], y[:500], random_state=0)  # warm-up (imports, first call)
    t = time.perf_counter()
    est = mutual_info_classif(X, y, n_neighbors=3, random_state=0)
    seconds = time.perf_counter() - t
    print(json.dumps(dict(n=args.n, d=args.d, seconds=seconds, sklearn=est.tolist(), true=true,
                          sklearn_version=sklearn.__version__)))


if __name__ == "__main__":
    main()
