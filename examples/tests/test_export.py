"""export_bundle.write_bundle: multi-stream bundles without heads, float16 features, nothing half-written."""
import os

import numpy as np
import pytest

import mipareto
from conftest import MINI
from export_bundle import write_bundle


def two_stream_tasks(n_fit, n_eval):
    return [{"name": "cls", "kind": "classification", "classes": 4,
             "labels": {"fit": np.arange(n_fit) % 4, "eval": np.arange(n_eval) % 4},
             "outputs": {"fit": np.zeros(n_fit, np.int64), "eval": np.ones(n_eval, np.int64)}}]


def test_a_headless_two_stream_bundle_round_trips(tmp_path):
    rng = np.random.default_rng(1)
    fit = {"skip": rng.random((6, 2, 4, 4)), "deep": rng.random((6, 5))}
    evl = {"skip": rng.random((3, 2, 4, 4)), "deep": rng.random((3, 5))}
    out = str(tmp_path / "bundle")
    write_bundle(out, "two", fit, evl, two_stream_tasks(6, 3), feature_dtype=np.float16)
    b = mipareto.read_bundle(out)
    assert [(s.name, s.first_channel, s.sample_shape) for s in b.streams] == [("skip", 0, (2, 4, 4)), ("deep", 2, (5,))]
    assert np.load(os.path.join(out, "fit", "skip.npy")).dtype == np.float16
    assert np.array_equal(b.features("eval")["deep"], evl["deep"].astype(np.float16).astype(np.float32))
    assert b.task("cls").head is None and b.outputs("cls", "eval").tolist() == [1, 1, 1]
    assert not os.path.exists(os.path.join(out, "heads"))


def test_a_failed_export_leaves_the_old_bundle_alone(tmp_path):
    out = str(tmp_path / "bundle")
    features = {"a": np.zeros((2, 1, 2, 2))}
    write_bundle(out, "first", features, features, two_stream_tasks(2, 2))
    before = open(os.path.join(out, "bundle.json")).read()
    broken = two_stream_tasks(2, 2)
    del broken[0]["outputs"]
    with pytest.raises(ValueError, match="neither a head nor outputs"):
        write_bundle(out, "second", features, features, broken)
    assert open(os.path.join(out, "bundle.json")).read() == before
    assert os.listdir(tmp_path) == ["bundle"]      # no temporary folder left behind


def test_re_exported_heads_give_the_committed_outputs(tmp_path):
    b = mipareto.read_bundle(MINI)
    tasks = []
    for t in b.tasks:
        truth_key = "targets" if t.kind == "reconstruction" else "labels"
        task = {"name": t.name, "kind": t.kind, "head": t.head, truth_key: t.truth}
        if t.classes:
            task["classes"] = t.classes
        tasks.append(task)
    out = str(tmp_path / "again")
    write_bundle(out, "again", b.features("fit")["features"], b.features("eval")["features"], tasks)
    again = mipareto.read_bundle(out)
    for t in b.tasks:
        for split in ("fit", "eval"):
            # The committed outputs came from the independent float64 pipeline of reference.json.
            if t.kind == "reconstruction":
                assert np.abs(again.outputs(t.name, split) - b.outputs(t.name, split)).max() <= 1e-6
            else:
                assert np.array_equal(again.outputs(t.name, split), b.outputs(t.name, split))
