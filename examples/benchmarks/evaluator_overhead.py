#!/usr/bin/env python3
"""The Python side's share of the evaluator protocol's cost (figures of docs/scaling.md).

    python3 examples/benchmarks/evaluator_overhead.py [--rounds 20] [--no-ray]

1. serve() in-process: parsing a `score` line, checking it, calling the evaluator, checking and
   writing the reply; batches of 64 allocations of 32 and of 1024 channels, constant evaluator.
2. The same through a pipe from a client process (client.py's JSON encoding and decoding included:
   an upper bound for what a client adds).
3. Ray: one round trip of a batch with the constant evaluator on 1 and 2 actors, minus the
   in-process time, per share; and the busy evaluator (20 ms of CPU per allocation), 64
   allocations, 1 vs 2 actors. Cluster start-up excluded.
"""
import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "evaluators"))
import numpy as np  # noqa: E402

import mipareto  # noqa: E402
from client import Client  # noqa: E402
from constant import Constant  # noqa: E402
from export_bundle import write_bundle  # noqa: E402

MINI = os.path.join(HERE, "..", "data", "digits-pair-mini")


def wide_bundle(directory, channels):
    """A tiny bundle with `channels` vector channels: only its shape matters here."""
    rng = np.random.default_rng(0)
    features = {split: rng.random((8, channels)).astype(np.float32) for split in ("fit", "eval")}
    labels = {split: np.arange(8) % 2 for split in ("fit", "eval")}
    write_bundle(directory, f"wide-{channels}", features["fit"], features["eval"],
                 [{"name": "t", "kind": "classification", "classes": 2, "labels": labels, "outputs": labels}])
    return directory


def score_lines(channels, rounds, batch=64):
    rng = np.random.default_rng(1)
    return [json.dumps({"type": "score", "id": i, "split": "eval",
                        "allocations": rng.integers(0, 9, (batch, channels)).tolist()}) + "\n" for i in range(rounds)]


def in_process(bundle, channels, rounds):
    """Seconds per allocation spent inside serve() (everything but the pipe)."""
    start = json.dumps(mipareto.start_message(bundle)) + "\n"
    lines = score_lines(channels, rounds)
    times = []
    for _ in range(3):
        inp, out = io.StringIO(start + "".join(lines) + '{"type": "stop"}\n'), io.StringIO()
        server = mipareto._Server(mipareto._LocalBackend(Constant()), inp, out)
        server.on_start(json.loads(inp.readline()))
        began = time.perf_counter()
        server.run()
        times.append((time.perf_counter() - began) / (rounds * 64))
        assert out.getvalue().count('"type":"scores"') == rounds
    return min(times)


def round_trips(command, bundle, channels, rounds, batch=64):
    """Median seconds per allocation of one batch sent and answered through a pipe (one in flight)."""
    client = Client(command)
    assert client.start(bundle, timeout=300)["type"] == "ready"
    rng = np.random.default_rng(2)
    allocations = [rng.integers(0, 9, (batch, channels)) for _ in range(rounds)]
    client.score([(0, "eval", allocations[0])])         # warm-up
    per = []
    for i, a in enumerate(allocations, start=1):
        began = time.perf_counter()
        reply = client.score([(i, "eval", a)])[i]
        per.append((time.perf_counter() - began) / batch)
        assert reply["type"] == "scores"
    client.stop()
    return statistics.median(per)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    constant = [sys.executable, os.path.join(HERE, "..", "evaluators", "constant.py")]
    with tempfile.TemporaryDirectory() as scratch:
        bundles = {32: MINI, 1024: wide_bundle(os.path.join(scratch, "wide"), 1024)}
        print("serve() per allocation, batches of 64, constant evaluator")
        for channels, bundle in bundles.items():
            inside = in_process(bundle, channels, args.rounds)
            piped = round_trips(constant, bundle, channels, args.rounds)
            print(f"  {channels:5d} channels: in-process {inside * 1e3:.4f} ms, through a pipe with a Python client {piped * 1e3:.4f} ms")
        if args.no_ray:
            return
        import ray

        ray.init(num_cpus=2, include_dashboard=False, logging_level="warning", namespace="mipareto-bench")
        address = ray.get_runtime_context().gcs_address
        print("Ray (local cluster of 2 CPUs, start-up excluded), constant evaluator, 32 channels")
        local = {b: round_trips(constant, MINI, 32, args.rounds, batch=b) * b for b in (1, 64)}
        for actors in (1, 2):
            pooled = [*constant, "--actors", str(actors), "--ray-address", address, "--ray-namespace", f"bench-{actors}"]
            for b in (1, 64):
                t = round_trips(pooled, MINI, 32, args.rounds, batch=b) * b
                shares = min(b, actors)
                print(f"  {actors} actor(s), batch {b:2d}: {t * 1e3:.2f} ms per batch, "
                      f"{(t - local[b]) * 1e3 / shares:.2f} ms per share over in-process ({local[b] * 1e3:.2f} ms)")
        # The driver's cost per share: a batch of 64 cut into 1, 2, 4, 8 shares (actors of ¼ CPU, so
        # eight fit on two cores); the constant evaluator does no work, the slope is pure overhead.
        per_batch = {}
        for actors in (1, 2, 4, 8):
            pooled = [*constant, "--actors", str(actors), "--cpus-per-actor", "0.25", "--ray-address", address,
                      "--ray-namespace", f"slope-{actors}"]
            per_batch[actors] = round_trips(pooled, MINI, 32, args.rounds) * 64
            print(f"  {actors} actor(s) of 1/4 CPU, batch 64: {per_batch[actors] * 1e3:.2f} ms per batch")
        slope = np.polyfit(list(per_batch), list(per_batch.values()), 1)[0]
        print(f"  => {slope * 1e3:.2f} ms per extra share (least squares over 1, 2, 4, 8 shares)")
        busy = [sys.executable, os.path.join(HERE, "..", "evaluators", "busy.py"), "--ms", "20"]
        seconds = {}
        for actors in (1, 2):
            command = [*busy, "--actors", str(actors), "--ray-address", address, "--ray-namespace", f"busy-{actors}"]
            seconds[actors] = round_trips(command, MINI, 32, 5) * 64
            print(f"  busy 20 ms/allocation, 64 allocations, {actors} actor(s): {seconds[actors]:.3f} s per batch")
        print(f"  Ray, 2 actors vs 1: {seconds[1] / seconds[2]:.2f}x")
        ray.shutdown()


if __name__ == "__main__":
    main()
