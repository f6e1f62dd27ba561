#!/usr/bin/env python3
"""Non-dominated sorting peer for `compare-peers sorting`: moocore.pareto_rank (C) and pymoo's
NonDominatedSorting on the points MIPareto wrote (raw float64, row-major, N x M).

Writes moocore's ranks (int64) to --ranks-out so the caller can check they equal its own.
Prints one JSON line with median/min times in seconds.
"""
import argparse, json, time
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--points", required=True)
ap.add_argument("--dimension", type=int, required=True)
ap.add_argument("--repeats", type=int, default=21)
ap.add_argument("--ranks-out", required=True)
a = ap.parse_args()
F = np.fromfile(a.points, dtype=np.float64).reshape(-1, a.dimension)

import moocore
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting


def bench(fn, repeat):
    fn()
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); out = fn(); ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2], ts[0], out


res = {}
med, mn, ranks = bench(lambda: moocore.pareto_rank(F), a.repeats)
np.asarray(ranks, dtype=np.int64).tofile(a.ranks_out)
res["moocore.pareto_rank"] = dict(median=med, min=mn, fronts=int(np.max(ranks)) + 1)
med, mn, fronts = bench(lambda: NonDominatedSorting().do(F), a.repeats)
res["pymoo NonDominatedSorting"] = dict(median=med, min=mn, fronts=len(fronts))
print(json.dumps(res))
