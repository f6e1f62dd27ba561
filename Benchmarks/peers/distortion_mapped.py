"""Peer of `compare-peers distortion --mapped`: channel statistics and the distortion table of
docs/allocation.md on a bundle's fit split, read through numpy's memory map (np.load(mmap_mode="r")),
as a numpy user would on a file larger than they want to load: channel blocks converted to float64,
then per channel the FORMAT.md quantiser at every depth (same arithmetic as distortion_table.py).

Usage: distortion_mapped.py BUNDLE MAX_BITS  ->  one JSON line
{"seconds": s, "table": [[D_c(0..B)] per channel]}; the time includes np.load (a mapping: cheap).
"""
import json
import sys
import time

import numpy as np


def table(path, max_bits, block_bytes=256 << 20):
    features = np.load(path, mmap_mode="r")
    n, channels = features.shape[0], features.shape[1]
    per_channel = int(np.prod(features.shape[2:])) if features.ndim > 2 else 1
    width = max(1, block_bytes // (8 * n * per_channel))
    out = np.empty((channels, max_bits + 1))
    for first in range(0, channels, width):
        block = np.asarray(features[:, first:first + width], dtype=np.float64)
        for j in range(block.shape[1]):
            v = block[:, j].reshape(-1)
            lo, hi, mean = v.min(), v.max(), v.mean()
            c = first + j
            out[c, 0] = np.mean((v - mean) ** 2)
            for b in range(1, max_bits + 1):
                if hi == lo:
                    out[c, b] = np.mean((v - lo) ** 2)
                    continue
                levels = 2.0 ** b - 1
                u = np.clip((v - lo) / (hi - lo) * levels, 0, levels)
                t = np.trunc(u)
                q = t + (u - t >= 0.5)
                out[c, b] = np.mean((v - (lo + q * (hi - lo) / levels)) ** 2)
    return out


def main():
    bundle, max_bits = sys.argv[1], int(sys.argv[2])
    with open(bundle + "/bundle.json") as f:
        fit = json.load(f)["features"]["fit"]
    start = time.perf_counter()
    result = table(bundle + "/" + fit, max_bits)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "table": result.tolist()}))


if __name__ == "__main__":
    main()
