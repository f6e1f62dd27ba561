#!/usr/bin/env python3
"""Peer for `compare-peers ilp`: scipy HiGHS `milp` (and the exact numpy DP where it is cheap) on
the bit-allocation instances of shared/peers/scripts/ilp_peers.py.

It makes each instance with ilp_peers.make_instance (same numpy seeds as the recorded peer
figures), writes it as a `mipareto solve` problem file (maxRate, sizes, costs: the exact doubles,
shortest round-trip repr) so that MIPareto solves the SAME numbers, solves it with HiGHS
(mip_rel_gap = 0, sparse-matrix build excluded from the time, as in ilp_peers.py) and prints one
JSON line: {"instances": [{variant, C, seed, file, R, highsSeconds, highsObjective, highsStatus,
highsNodes, dpSeconds, dpObjective}, ...], "versions": {...}}. Objectives are recomputed from the
allocations on the cost table.

Usage: ilp_highs.py --out DIR [--C 64 256 1024 4096] [--seeds 1 2 3] [--variants uniform hetero]
       [--dp-max-cells 4e7] [--tlim 300]
"""
import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
for candidate in (os.path.join(HERE, "..", "..", "..", "shared", "peers", "scripts"),
                  "/work/shared/peers/scripts"):
    if os.path.exists(os.path.join(candidate, "ilp_peers.py")):
        sys.path.insert(0, os.path.abspath(candidate))
        break
import ilp_peers  # noqa: E402  (make_instance, run_highs, solve_dp, objective)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--C", type=int, nargs="*", default=[64, 256, 1024, 4096])
    ap.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3])
    ap.add_argument("--variants", nargs="*", default=["uniform", "hetero"])
    ap.add_argument("--dp-max-cells", type=float, default=4e7)
    ap.add_argument("--tlim", type=float, default=300)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    import scipy

    # Warm-up: HiGHS's first call pays for loading.
    _, _, D, Sc, R = ilp_peers.make_instance(16, 0)
    ilp_peers.run_highs(D, Sc, R)

    out = []
    for variant in args.variants:
        for C in args.C:
            for seed in args.seeds:
                _, _, D, Sc, R = ilp_peers.make_instance(C, seed, variant)
                path = os.path.join(args.out, f"ilp_{variant}_C{C}_s{seed}.json")
                with open(path, "w") as f:
                    f.write('{"maxRate": %d, "sizes": [%s], "costs": [%s]}\n' % (
                        R, ", ".join(str(int(s)) for s in Sc),
                        ", ".join("[" + ", ".join(repr(float(x)) for x in row) + "]" for row in D)))
                hi = ilp_peers.run_highs(D, Sc, R, args.tlim)
                rec = dict(variant=variant, C=C, seed=seed, file=path, R=int(R),
                           highsSeconds=hi["solve"], highsObjective=ilp_peers.objective(D, hi["bits"]),
                           highsRate=int((hi["bits"] * Sc).sum()), highsStatus=int(hi["status"]),
                           highsNodes=hi["nodes"], dpSeconds=None, dpObjective=None)
                g = int(np.gcd.reduce(Sc))
                units, budget = Sc // g, R // g
                if C * budget <= args.dp_max_cells:
                    t = time.perf_counter()
                    obj, _ = ilp_peers.solve_dp(D, units, budget)
                    rec["dpSeconds"] = time.perf_counter() - t
                    rec["dpObjective"] = float(obj)
                out.append(rec)
                print(f"{variant} C={C} seed={seed}: HiGHS {hi['solve']:.3f}s", file=sys.stderr, flush=True)
    print(json.dumps(dict(instances=out, versions=dict(numpy=np.__version__, scipy=scipy.__version__))))


if __name__ == "__main__":
    main()
