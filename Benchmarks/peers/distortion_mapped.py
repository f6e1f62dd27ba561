"""Peer of `compare-peers distortion --mapped`: channel statistics and the distortion table of
docs/allocation.md on a bundle's fit split, read through numpy's memory map (np.load(mmap_mode="r")),
as a numpy user would on a file larger than they want to load: channel blocks converted to float64,
then per channel the quantiser of docs/format.md at every depth (`channel_row` of distortion_table.py).

Usage: distortion_mapped.py BUNDLE MAX_BITS  ->  one JSON line
{"seconds": s, "table": [[D_c(0..B)] per channel]}; the time includes np.load (a mapping: cheap).
"""
import json
import sys
import time

import numpy as np

from distortion_table import channel_row


def table(path, max_bits, block_bytes=256 << 20):
    features = np.load(path, mmap_mode="r")
    n, channels = features.shape[0], features.shape[1]
    per_channel = int(np.prod(features.shape[2:])) if features.ndim > 2 else 1
    width = max(1, block_bytes // (8 * n * per_channel))
    out = np.empty((channels, max_bits + 1))
    for first in range(0, channels, width):
        block = np.asarray(features[:, first:first + width], dtype=np.float64)
        for j in range(block.shape[1]):
            out[first + j] = channel_row(block[:, j].reshape(-1), max_bits)
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
