#!/usr/bin/env python3
"""The reference evaluator: runs a bundle's own heads in float64 NumPy and serves every split.

On a bundle whose tasks all have heads, its metrics are MIPareto's own (accuracy exactly, PSNR
and mIoU to 1e-6), so it checks the protocol end to end:

    mipareto front BUNDLE --methods ilp-mi,uniform --evaluator 'python3 examples/evaluators/numpy_heads.py' -o out

Flags: the pool's (--actors N, --ray-address …; see docs/scaling.md).
"""
import os
import sys

# Small matrices: BLAS threads cost more than they give here, and one thread per process is what
# every Ray actor runs too (Ray sets OMP_NUM_THREADS=1), so all of them sum in the same order.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mipareto  # noqa: E402


class NumpyHeads(mipareto.Evaluator):
    def setup(self, start):
        headless = [t.name for t in self.bundle.tasks if t.head is None]
        if headless:
            raise ValueError(f"task(s) {', '.join(headless)} of {start.bundle_directory} have no head; this evaluator runs heads")

    def metrics(self, split, features):
        return {t.name: self.bundle.metric(t.name, split, mipareto.run_head(t.head, features[t.input]))
                for t in self.bundle.tasks}


if __name__ == "__main__":
    mipareto.main(NumpyHeads(), description=__doc__.splitlines()[0])
