#!/usr/bin/env python3
"""NSGA-II peers for `compare-peers nsga2`: pymoo and pygmo on the same problem, seeds and budget.

Uses shared/peers/scripts (nsga2_peers.run_pymoo, pygmo_peer.run_pygmo: pop 100, SBX 0.9/eta 20,
PM eta 20 p 1/n; HV with moocore, ref 1.1 everywhere, on the final non-dominated set). The two
libraries run interleaved per seed so both see the same machine load. Prints one JSON line.
"""
import argparse, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("MIPARETO_SHARED_PEERS", os.path.join(HERE, "..", "..", "..", "shared", "peers", "scripts"))
sys.path.insert(0, os.path.abspath(SHARED))
import nsga2_peers as P  # noqa: E402
import pygmo_peer as G  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--problem", default="zdt1")
ap.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3, 4, 5])
ap.add_argument("--evals", type=int, default=25000)
ap.add_argument("--libs", nargs="*", default=["pymoo", "pygmo"])
a = ap.parse_args()

P.run_pymoo(a.problem, 0, 400)  # warm-up: imports and first-call overheads, not timed
G.run_pygmo(a.problem, 0, 400)
runners = {"pymoo": P.run_pymoo, "pygmo": G.run_pygmo}
runs = []
for k, s in enumerate(a.seeds):
    order = a.libs if k % 2 == 0 else list(reversed(a.libs))
    for lib in order:
        r = runners[lib](a.problem, s, a.evals)
        runs.append(dict(lib=lib, seed=s, wall=r["wall"], cpu=r["cpu"], evals=r["n_evals"],
                         hv=P.hv(r["F"], P.REF[a.problem]), nd=int(len(r["F"]))))
print(json.dumps(dict(problem=a.problem, runs=runs)))
