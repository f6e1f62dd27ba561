#!/usr/bin/env python3
"""Hypervolume peer for `compare-peers hypervolume`: moocore, pygmo (hv3d) and pymoo on the points
MIPareto wrote (raw float64, row-major, N x M) with the given reference point. Prints one JSON line
with each library's value and median/min time in seconds.
"""
import argparse, json, time
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--points", required=True)
ap.add_argument("--reference", type=float, nargs="+", required=True)
ap.add_argument("--repeats", type=int, default=21)
a = ap.parse_args()
ref = np.array(a.reference)
S = np.fromfile(a.points, dtype=np.float64).reshape(-1, len(ref))

import moocore
import pygmo as pg
from pymoo.indicators.hv import HV


def bench(fn, repeat):
    fn()
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); out = fn(); ts.append(time.perf_counter() - t)
    ts.sort()
    return dict(median=ts[len(ts) // 2], min=ts[0], value=float(out))


hvo = pg.hypervolume(S)
res = {
    "moocore.hypervolume": bench(lambda: moocore.hypervolume(S, ref=ref), a.repeats),
    "pygmo hypervolume(S).compute(ref)": bench(lambda: pg.hypervolume(S).compute(ref), a.repeats),
    "pygmo prebuilt .compute(ref)": bench(lambda: hvo.compute(ref), a.repeats),
    "pymoo HV(ref).do": bench(lambda: HV(ref_point=ref).do(S), a.repeats),
}
print(json.dumps(res))
