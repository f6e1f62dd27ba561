#!/usr/bin/env python3
"""An evaluator that returns constants without looking at the features: the protocol's own cost.

    mipareto front BUNDLE --methods uniform --evaluator 'python3 examples/evaluators/constant.py' -o out

Every task gets `--clean` (default 1.0) as its clean metric on every split and `--value`
(default 0.5) for every allocation. `--splits search,report` serves only those splits.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mipareto  # noqa: E402


class Constant(mipareto.Evaluator):
    def __init__(self, value=0.5, clean=1.0, splits=mipareto.SPLITS):
        self.value, self.clean_value, self.splits = value, clean, tuple(splits)

    def clean(self, split):
        return {task: self.clean_value for task in self.start.tasks}

    def score(self, split, allocations):
        result = {task: self.value for task in self.start.tasks}
        return [result] * len(allocations)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--value", type=float, default=0.5)
    parser.add_argument("--clean", type=float, default=1.0)
    parser.add_argument("--splits", default=",".join(mipareto.SPLITS))
    mipareto.add_pool_arguments(parser)
    args = parser.parse_args()
    mipareto.serve(Constant(args.value, args.clean, args.splits.split(",")), pool=mipareto.pool_from_arguments(args))
