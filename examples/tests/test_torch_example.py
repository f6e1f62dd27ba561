"""The PyTorch two-stream example: its committed bundle and its evaluator (skipped without torch)."""
import os

import numpy as np
import pytest

import mipareto
from conftest import TWO_STREAM, evaluator_command

torch = pytest.importorskip("torch")


def test_the_committed_bundle_is_two_streams_without_heads():
    b = mipareto.read_bundle(TWO_STREAM)
    assert [(s.name, s.sample_shape, s.arrays["fit"].dtype.str) for s in b.streams] == [
        ("s0", (8, 8, 16), "<f2"), ("s1", (16, 4, 8), "<f2")]
    assert [(t.name, t.kind, t.head) for t in b.tasks] == [
        ("left", "classification", None), ("right", "classification", None), ("recon", "reconstruction", None)]
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(TWO_STREAM) for f in files)
    assert size <= 5 * 1024 * 1024


def test_the_evaluator_reproduces_the_exported_outputs_and_degrades_with_fewer_bits(client_factory):
    b = mipareto.read_bundle(TWO_STREAM)
    client = client_factory(evaluator_command("torch_two_stream/evaluator.py"))
    ready = client.start(TWO_STREAM, timeout=180)
    assert ready["type"] == "ready", ready
    clean = {t["name"]: t["clean"] for t in ready["tasks"]}
    for split in ("fit", "eval", "search", "report"):
        # The outputs were written by train.py from its own forward pass on the stored features.
        for task in ("left", "right"):
            assert clean[task][split] == mipareto.accuracy(b.outputs(task, split), b.truth(task, split))
        # The reconstruction is float32 from a forward pass: the same on one machine, but another
        # CPU makes torch pick other kernels (seen: the exporting machine vs an AMD EPYC, 1.7e-9 apart),
        # a few float32 ulps (~1e-7) per pixel; 1e-6 in PSNR bounds that and nothing coarser.
        assert clean["recon"][split] == pytest.approx(mipareto.psnr(b.outputs("recon", split), b.truth("recon", split)), rel=1e-6)
    reply = client.score([(1, "report", [[0] * 24, [8] * 24])])[1]
    dropped, eight = (r["metrics"] for r in reply["results"])
    assert dropped["left"] < 0.25 and dropped["right"] < 0.25          # every channel at its mean: chance level
    for task in ("left", "right"):
        assert abs(eight[task] - clean[task]["report"]) <= 0.02
    assert abs(eight["recon"] - clean["recon"]["report"]) <= 0.5
    # A stream is cut where the start message says: dropping the skip stream s0 (channels 0…7) hurts
    # the reconstruction (which reads s0 at full resolution) more than the classifiers.
    only_deep = client.score([(2, "report", [[0] * 8 + [8] * 16])])[2]["results"][0]["metrics"]
    assert clean["recon"]["report"] - only_deep["recon"] > 1.0
    assert client.stop() == 0
