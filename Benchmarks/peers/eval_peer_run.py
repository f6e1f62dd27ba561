#!/usr/bin/env python3
"""Times the allocation-scoring peer (shared/peers/scripts/eval_peer.py, main configuration:
chunks of 32, shared im2col, fused first conv, reused buffers, numpy + OpenBLAS float32) on the
bit vectors MIPareto's benchmark hands it, so both score exactly the same allocations.

Usage: eval_peer_run.py BUNDLE BITS.json [--warmup 3]
BITS.json: {"warmup": [[...C ints], ...], "timed": [[...], ...]}
Prints one JSON line: {"median_ms", "min_ms", "max_ms", "runs", "load_s", "times_ms": [...], "metrics_first": {...}}.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "..", "shared", "peers", "scripts")
sys.path.insert(0, os.path.abspath(SCRIPTS))

import numpy as np  # noqa: E402
import eval_peer  # noqa: E402  (the peer itself: load, quantise, Pipeline)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bundle")
    ap.add_argument("bits")
    args = ap.parse_args()
    with open(args.bits) as fh:
        vectors = json.load(fh)
    t0 = time.perf_counter()
    _, x_eval, qp, tasks = eval_peer.load(args.bundle)
    load_s = time.perf_counter() - t0
    # The peer's main configuration (eval_peer.md): the fastest of those it measured.
    pipe = eval_peer.Pipeline(x_eval, qp, tasks, share=True, fuse=True, reuse=True, chunk=32)
    for bits in vectors["warmup"]:
        pipe.score(np.asarray(bits))
    times = []
    first = None
    for bits in vectors["timed"]:
        met, t = pipe.score(np.asarray(bits))
        if first is None:
            first = met
        times.append(t["total"])
    blas = []
    if eval_peer.threadpool_info:
        blas = [{k: d.get(k) for k in ("internal_api", "num_threads", "version", "architecture")}
                for d in eval_peer.threadpool_info() if d.get("user_api") == "blas"]
    print(json.dumps({"blas": blas, "median_ms": float(np.median(times)) * 1e3, "min_ms": min(times) * 1e3,
                      "max_ms": max(times) * 1e3, "runs": len(times), "load_s": load_s,
                      "times_ms": [t * 1e3 for t in times],
                      "metrics_first": first}))


if __name__ == "__main__":
    main()
