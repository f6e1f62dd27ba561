#!/usr/bin/env python3
"""An evaluator that spends a fixed CPU time per allocation (default 20 ms): the pool's benchmark.

    mipareto front BUNDLE --methods nsga2 --population 64 --generations 20 \
        --evaluator 'python3 examples/evaluators/busy.py --ms 20 --actors 2' -o out

Its metrics are a cheap deterministic function of the allocation, so fronts with 1 or N actors
are identical: task j scores `clean · Σ_c w_jc (1 − 2^−b_c) / Σ_c w_jc` with fixed weights
`w_jc` (seeded by the task's position), a different trade-off per task; clean is 1.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mipareto  # noqa: E402
import numpy as np  # noqa: E402


class Busy(mipareto.Evaluator):
    def __init__(self, ms=20.0):
        self.seconds = ms / 1000

    def setup(self, start):
        self.weights = {task: np.random.default_rng(j).random(start.channels) ** 4 for j, task in enumerate(start.tasks)}

    def clean(self, split):
        return {task: 1.0 for task in self.start.tasks}

    def score(self, split, allocations):
        results = []
        for bits in allocations:
            # CPU time of this thread, not wall time: a fixed amount of work per allocation.
            deadline = time.thread_time() + self.seconds
            while time.thread_time() < deadline:
                pass
            kept = 1 - np.exp2(-np.asarray(bits, dtype=np.float64))
            results.append({task: float(w @ kept / w.sum()) for task, w in self.weights.items()})
        return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ms", type=float, default=20.0, help="CPU milliseconds per allocation (default 20)")
    mipareto.add_pool_arguments(parser)
    args = parser.parse_args()
    mipareto.serve(Busy(args.ms), pool=mipareto.pool_from_arguments(args))
