#!/usr/bin/env python3
"""NSGA-III peer for `compare-peers nsga3`: pymoo 0.6.2's NSGA3 on DTLZ1/DTLZ2, same budget and seeds.

Settings (Deb & Jain 2014, Table I/III, as in pymoo's NSGA3 example): Das-Dennis reference
directions with p = 12 (3 objectives, 91 directions, population 92) or p = 6 (5 objectives, 210
directions, population 212); pymoo's NSGA3 defaults otherwise (tournament by constraint
violation then random, SBX prob 1.0 eta 30, PM eta 20 (prob 0.9 per child, 1/n per variable),
duplicate elimination). Generations (the initial population counts as the first, pymoo's
n_gen): DTLZ1 400 (M=3) / 600 (M=5), DTLZ2 250 / 350. n = M + k - 1 with k = 5 (DTLZ1), 10 (DTLZ2).

Hypervolume: pymoo.indicators.hv.HV on the final population's non-dominated set (not
res.F, which NSGA3 thins to the members nearest each reference direction), reference point
0.6 (DTLZ1) / 1.1 (DTLZ2) in every objective, raw objectives; points outside the box add 0.
Prints one JSON line: {"problem", "objectives", "population", "generations", "runs": [{seed, hv, wall, cpu, nd}]}.
"""
import argparse, json, time

import numpy as np
from moocore import is_nondominated
from pymoo.algorithms.moo.nsga3 import NSGA3
from pymoo.indicators.hv import HV
from pymoo.optimize import minimize
from pymoo.problems import get_problem
from pymoo.util.ref_dirs import get_reference_directions

PARTITIONS = {3: 12, 5: 6}
GENERATIONS = {("dtlz1", 3): 400, ("dtlz1", 5): 600, ("dtlz2", 3): 250, ("dtlz2", 5): 350}
K = {"dtlz1": 5, "dtlz2": 10}
REF = {"dtlz1": 0.6, "dtlz2": 1.1}


def run(name, m, seed, generations, population):
    ref_dirs = get_reference_directions("das-dennis", m, n_partitions=PARTITIONS[m])
    problem = get_problem(name, n_var=m + K[name] - 1, n_obj=m)
    algorithm = NSGA3(ref_dirs=ref_dirs, pop_size=population)
    t0, c0 = time.perf_counter(), time.process_time()
    res = minimize(problem, algorithm, ("n_gen", generations), seed=seed, verbose=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    F = res.algorithm.pop.get("F")
    F = F[is_nondominated(F, keep_weakly=False)]
    F = np.unique(F, axis=0)
    hv = float(HV(ref_point=np.full(m, REF[name])).do(F))
    return dict(seed=seed, hv=hv, wall=wall, cpu=cpu, nd=int(len(F)), evals=int(res.algorithm.evaluator.n_eval))


def fixture_points(n, m, a, offset):
    """Deterministic points near a tilted simplex (extremes on every axis), which Swift rebuilds
    bit for bit: integer arithmetic, then divisions and sums in a fixed order."""
    rows = []
    for i in range(n):
        u = [((i * a[j] + offset * (j + 1)) % 997) / 997.0 + 0.01 for j in range(m)]
        s = 0.0
        for v in u:
            s += v
        lift = ((i * 13 + offset) % 17) / 17.0 * 0.2
        rows.append([(j + 1) * u[j] / s + lift for j in range(m)])
    return np.array(rows)


def fixtures():
    """pymoo's normalisation and association on fixed inputs, for Tests/MultiObjectiveTests."""
    from pymoo.algorithms.moo.nsga3 import HyperplaneNormalization, associate_to_niches
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting
    out = []
    for m, n in [(3, 40), (5, 60)]:
        norm = HyperplaneNormalization(m)
        steps = []
        for step, (a, offset) in enumerate([([31, 57, 89, 113, 151], 3), ([43, 71, 97, 131, 173], 11)]):
            F = fixture_points(n, m, a[:m], offset)
            nds = NonDominatedSorting().do(F, only_non_dominated_front=True)
            norm.update(F, nds=nds)
            ref = get_reference_directions("das-dennis", m, n_partitions=PARTITIONS[m] // 2)
            niche, dist, _ = associate_to_niches(F, ref, norm.ideal_point, norm.nadir_point.copy())
            steps.append(dict(ideal=norm.ideal_point.tolist(), worst=norm.worst_point.tolist(),
                              extremes=norm.extreme_points.tolist(), nadir=norm.nadir_point.tolist(),
                              nicheDirections=ref[niche].tolist(), distances=dist.tolist()))
        out.append(dict(m=m, n=n, steps=steps))
    # A degenerate front (every point on one line): the hyperplane is singular.
    norm = HyperplaneNormalization(3)
    F = np.array([[t, 1 - t, 0.5] for t in np.linspace(0, 1, 11)])
    norm.update(F, nds=np.arange(11))
    out.append(dict(degenerate=dict(extremes=norm.extreme_points.tolist(), nadir=norm.nadir_point.tolist())))
    import pymoo
    print(json.dumps(dict(pymoo=pymoo.__version__, numpy=np.__version__, fixtures=out)))


ap = argparse.ArgumentParser()
ap.add_argument("--fixtures", action="store_true", help="print the normalisation/association fixtures and exit")
ap.add_argument("--problem", default="dtlz2")
ap.add_argument("--objectives", type=int, default=3)
ap.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3, 4, 5])
ap.add_argument("--generations", type=int, default=None)
ap.add_argument("--population", type=int, default=None)
a = ap.parse_args()
if a.fixtures:
    fixtures()
    raise SystemExit(0)
m = a.objectives
generations = a.generations or GENERATIONS[(a.problem, m)]
population = a.population or {3: 92, 5: 212}[m]
run(a.problem, m, 0, 3, population)  # warm-up: imports and first-call overheads, not timed
runs = [run(a.problem, m, s, generations, population) for s in a.seeds]
print(json.dumps(dict(problem=a.problem, objectives=m, population=population, generations=generations, runs=runs)))
