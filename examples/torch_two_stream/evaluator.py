#!/usr/bin/env python3
"""The evaluator of the two-stream example: the trained PyTorch back-end on quantised streams.

    mipareto front examples/data/digits-two-stream --methods ilp-mi,uniform,nsga2 \
        --evaluator 'python3 examples/torch_two_stream/evaluator.py' -o out

Flags: --weights (default: two_stream.pt in the bundle), --device (cpu, cuda, cuda:1 …),
--threads (torch threads, default 1), --allocations-per-pass K (allocations stacked into one
forward pass; 1 keeps every result independent of how a batch was cut), and the pool's
(--actors N --gpus-per-actor 1 --ray-address auto; docs/scaling.md).
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
import mipareto  # noqa: E402
import numpy as np  # noqa: E402

TASKS = ("left", "right", "recon")


class TwoStreamEvaluator(mipareto.Evaluator):
    def __init__(self, weights=None, device="cpu", threads=1, allocations_per_pass=1):
        self.weights, self.device, self.threads = weights, device, threads
        self.allocations_per_pass = allocations_per_pass

    def setup(self, start):
        # torch is imported here, not at the top: in a Ray pool each actor imports it itself.
        import torch
        from model import Back

        torch.set_num_threads(self.threads)
        state = torch.load(self.weights or os.path.join(start.bundle_directory, "two_stream.pt"),
                           map_location=self.device, weights_only=True)
        self.back = Back()
        self.back.load_state_dict({k[len("back."):]: v for k, v in state.items() if k.startswith("back.")})
        self.back.eval().to(self.device)
        self.torch = torch

    def forward(self, s0, s1):
        """The back-end on a batch of streams (NumPy float32) → NumPy outputs per task."""
        torch = self.torch
        with torch.inference_mode():
            out = self.back(*(torch.from_numpy(np.require(a, np.float32, ["C", "W"])).to(self.device) for a in (s0, s1)))
        return {k: v.cpu().numpy() for k, v in out.items()}

    def metrics(self, split, features):
        out = self.forward(features["s0"], features["s1"])
        return {task: self.bundle.metric(task, split, out[task]) for task in TASKS}

    def score(self, split, allocations):
        if self.allocations_per_pass <= 1:
            return super().score(split, allocations)
        # Several allocations in one forward pass (a GPU likes big batches): stack, run, cut.
        clean, n = self.features(split), self.bundle.samples(split)
        results = []
        for first in range(0, len(allocations), self.allocations_per_pass):
            group = [self.quantiser.quantise_streams(clean, a) for a in allocations[first:first + self.allocations_per_pass]]
            out = self.forward(*(np.concatenate([g[s] for g in group]) for s in ("s0", "s1")))
            for k in range(len(group)):
                results.append({task: self.bundle.metric(task, split, out[task][k * n:(k + 1) * n]) for task in TASKS})
        return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="state dict of model.TwoStream (default: BUNDLE/two_stream.pt)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument("--allocations-per-pass", type=int, default=1)
    mipareto.add_pool_arguments(parser)
    args = parser.parse_args()
    evaluator = TwoStreamEvaluator(args.weights, args.device, args.threads, args.allocations_per_pass)
    mipareto.serve(evaluator, pool=mipareto.pool_from_arguments(args))


if __name__ == "__main__":
    main()
