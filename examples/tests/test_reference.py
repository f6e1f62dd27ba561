"""The quantiser and the float64 heads reproduce reference.json (an independent float64 pipeline).

reference.json feeds the heads x̂ in float64; MIPareto (and docs/format.md) round x̂ to float32
first. So the float64 path (`dtype=np.float64`) must agree with the reference to rounding noise
(1e-12), which pins every quantisation symbol; the float32 path must give the same counts, and
PSNR within what rounding x̂ to float32 (2^-24 relative per element) can move it (1e-7).
"""
import json
import os

import numpy as np
import pytest

import mipareto
from conftest import MINI, SHARED_FULL

BUNDLES = [pytest.param(MINI, id="digits-pair-mini"),
           pytest.param(SHARED_FULL, id="digits-pair",
                        marks=pytest.mark.skipif(not os.path.isdir(SHARED_FULL), reason="shared/data/digits-pair is absent"))]


def check(bundle, task, features, expected, psnr_tolerance):
    got = bundle.metric_details(task.name, "eval", mipareto.run_head(task.head, features))
    if "correct" in expected:
        assert got["correct"] == expected["correct"], task.name
        assert got["accuracy"] == expected["accuracy"], task.name
    else:
        assert abs(got["mse"] - expected["mse"]) <= psnr_tolerance * expected["mse"], task.name
        assert abs(got["psnr"] - expected["psnr"]) <= psnr_tolerance * abs(expected["psnr"]), task.name


@pytest.fixture(scope="module", params=BUNDLES)
def case(request):
    with open(os.path.join(request.param, "reference.json")) as fh:
        return mipareto.read_bundle(request.param), json.load(fh)


def test_channel_statistics(case):
    bundle, reference = case
    q = bundle.quantiser()
    stats = reference["channel_stats_fit"]
    assert q.lo.tolist() == stats["min"] and q.hi.tolist() == stats["max"]
    assert np.allclose(q.mean, stats["mean"], rtol=1e-13, atol=0)


def test_clean(case):
    bundle, reference = case
    for task in bundle.tasks:
        for split in ("fit", "eval"):
            got = bundle.metric_details(task.name, split, mipareto.run_head(task.head, bundle.features(split)["features"]))
            expected = reference["clean"][task.name][split]
            if "correct" in expected:
                assert got["correct"] == expected["correct"]
            else:
                assert got["mse"] == pytest.approx(expected["mse"], rel=1e-12, abs=0)
                assert got["psnr"] == pytest.approx(expected["psnr"], rel=1e-12, abs=0)


@pytest.mark.parametrize("dtype,tolerance", [(np.float64, 1e-12), (np.float32, 1e-7)], ids=["float64", "float32"])
def test_uniform_quantisation(case, dtype, tolerance):
    bundle, reference = case
    q, x = bundle.quantiser(), bundle.features("eval")["features"]
    table = reference["uniform_quantisation_eval"]
    assert table["bits"] == [0, 1, 2, 3, 4, 8]
    for b in table["bits"]:
        features = q.quantise(x, [b] * bundle.channels, dtype=dtype)
        for task in bundle.tasks:
            check(bundle, task, features, table["tasks"][task.name][str(b)], tolerance)


@pytest.mark.parametrize("dtype,tolerance", [(np.float64, 1e-12), (np.float32, 1e-7)], ids=["float64", "float32"])
def test_low_variance_half_to_mean(case, dtype, tolerance):
    bundle, reference = case
    table = reference["low_variance_half_to_mean_eval"]
    dropped = set(table["channels_set_to_mean"])
    bits = [0 if c in dropped else None for c in range(bundle.channels)]
    features = bundle.quantiser().quantise(bundle.features("eval")["features"], bits, dtype=dtype)
    for task in bundle.tasks:
        check(bundle, task, features, table["tasks"][task.name], tolerance)
