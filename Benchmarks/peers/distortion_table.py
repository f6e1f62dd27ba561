"""Peer of `compare-peers distortion`: the distortion table of docs/allocation.md in numpy.

D_c(b) = mean over the fit split of (x - x_hat_b(x))^2 in float64, with the FORMAT.md quantiser
(ranges and mean of the fit split; q = round half away from zero of (x - lo)/(hi - lo)*L clipped
to [0, L]; x_hat = lo + q*(hi - lo)/L), D_c(0) = the channel's variance about its mean.
Vectorised per channel and depth (numpy's elementwise ops run on one thread).

Usage: distortion_table.py BUNDLE MAX_BITS RUNS  ->  one JSON line:
{"seconds": [per run], "table": [[D_c(0..B)] per channel]}  (loading the .npy is not timed).
"""
import json
import sys
import time

import numpy as np


def channel_row(v, max_bits):
    """D(0..max_bits) of one channel's values v (float64, flattened)."""
    row = np.empty(max_bits + 1)
    lo, hi, mean = v.min(), v.max(), v.mean()
    row[0] = np.mean((v - mean) ** 2)
    for b in range(1, max_bits + 1):
        if hi == lo:
            row[b] = np.mean((v - lo) ** 2)
            continue
        levels = 2.0 ** b - 1
        u = np.clip((v - lo) / (hi - lo) * levels, 0, levels)
        t = np.trunc(u)
        q = t + (u - t >= 0.5)
        row[b] = np.mean((v - (lo + q * (hi - lo) / levels)) ** 2)
    return row


def table(features, max_bits):
    channels = features.shape[1]
    out = np.empty((channels, max_bits + 1))
    for c in range(channels):
        out[c] = channel_row(features[:, c].reshape(-1).astype(np.float64), max_bits)
    return out


def main():
    bundle, max_bits, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with open(bundle + "/bundle.json") as f:
        fit = json.load(f)["features"]["fit"]
    features = np.load(bundle + "/" + fit)
    result = table(features, max_bits)  # warm-up
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        result = table(features, max_bits)
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"seconds": seconds, "table": result.tolist()}))


if __name__ == "__main__":
    main()
