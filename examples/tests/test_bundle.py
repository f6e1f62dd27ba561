"""The bundle reader: streams, tasks without heads, splits, and a clear error for each bad input."""
import json
import os

import numpy as np
import pytest

import mipareto
from conftest import MINI


def make_bundle(root, streams=None, tasks=None, manifest_changes=None, heads=None):
    """A small valid two-stream bundle with a headless classification, a headless segmentation
    and a reconstruction task whose head reads stream s1; returns its path."""
    rng = np.random.default_rng(0)
    os.makedirs(root, exist_ok=True)
    n = {"fit": 6, "eval": 5}
    streams = streams or {"s0": ((4, 8, 8), "<f2"), "s1": ((3, 4, 4), "<f4")}
    for split in ("fit", "eval"):
        os.makedirs(os.path.join(root, split), exist_ok=True)
        for name, (shape, dtype) in streams.items():
            np.save(os.path.join(root, split, f"{name}.npy"), rng.random((n[split],) + shape).astype(dtype))
        np.save(os.path.join(root, split, "cls.npy"), np.arange(n[split]) % 3)   # 0 1 2 0 1 …
        np.save(os.path.join(root, split, "seg.npy"), rng.integers(-1, 2, (n[split], 2, 2)))
        np.save(os.path.join(root, split, "seg_out.npy"), rng.integers(0, 2, (n[split], 2, 2)))
        np.save(os.path.join(root, split, "img.npy"), rng.random((n[split], 1, 4, 4)).astype(np.float32))
    os.makedirs(os.path.join(root, "heads"), exist_ok=True)
    np.save(os.path.join(root, "heads", "w.npy"), rng.normal(size=(1, 3, 1, 1)).astype(np.float32))
    np.save(os.path.join(root, "heads", "dense.npy"), rng.normal(size=(2, 16)).astype(np.float32))
    head = {"input": "s1", "input_shape": [3, 4, 4], "layers": [{"type": "conv2d", "weight": "heads/w.npy"}, {"type": "sigmoid"}]}
    head.update(heads or {})
    head = {k: v for k, v in head.items() if v is not None}
    with open(os.path.join(root, "heads", "img.json"), "w") as fh:
        json.dump(head, fh)
    split_paths = lambda file: {"fit": f"fit/{file}", "eval": f"eval/{file}"}  # noqa: E731
    manifest = {
        "format": "feature-bundle/1", "name": "tiny",
        "streams": [{"name": s, "fit": f"fit/{s}.npy", "eval": f"eval/{s}.npy"} for s in streams],
        "tasks": tasks if tasks is not None else [
            {"name": "cls", "kind": "classification", "classes": 3, "labels": split_paths("cls.npy"), "outputs": split_paths("cls.npy")},
            {"name": "seg", "kind": "segmentation", "classes": 2, "labels": split_paths("seg.npy"), "outputs": split_paths("seg_out.npy")},
            {"name": "img", "kind": "reconstruction", "targets": split_paths("img.npy"), "outputs": split_paths("img.npy"), "head": "heads/img.json"},
        ]}
    for key, value in (manifest_changes or {}).items():
        if value is None:
            manifest.pop(key, None)
        else:
            manifest[key] = value
    with open(os.path.join(root, "bundle.json"), "w") as fh:
        json.dump(manifest, fh)
    return root


def test_the_embedded_bundle_is_one_stream_named_features():
    b = mipareto.read_bundle(MINI)
    assert [(s.name, s.first_channel, s.sample_shape) for s in b.streams] == [("features", 0, (32, 4, 8))]
    assert b.channels == 32 and b.samples("fit") == 1000 and b.samples("eval") == 400
    assert [t.name for t in b.tasks] == ["left", "right", "sum_ge_10", "recon"]
    assert isinstance(b.streams[0].arrays["fit"], np.memmap)


def test_a_two_stream_bundle_with_and_without_heads(tmp_path):
    b = mipareto.read_bundle(make_bundle(str(tmp_path / "b")))
    assert [(s.name, s.first_channel, s.channels) for s in b.streams] == [("s0", 0, 4), ("s1", 4, 3)]
    assert b.channels == 7
    assert [t.head is None for t in b.tasks] == [True, True, False]
    assert b.task("img").input == "s1"
    f = b.features("eval")
    assert f["s0"].dtype == np.float32 and f["s0"].shape == (5, 4, 8, 8)
    eval_s1 = np.load(tmp_path / "b" / "eval" / "s1.npy")
    assert np.array_equal(b.features("search")["s1"], eval_s1[[0, 2, 4]])
    assert np.array_equal(b.features("report")["s1"], eval_s1[[1, 3]])
    assert np.array_equal(b.truth("cls", "report"), np.load(tmp_path / "b" / "eval" / "cls.npy")[[1, 3]])
    q = b.quantiser()
    assert q.streams == [("s0", 4), ("s1", 3)] and q.channels == 7


def test_a_headless_segmentation_task_takes_its_shape_from_the_labels(tmp_path):
    b = mipareto.read_bundle(make_bundle(str(tmp_path / "b")))
    assert b.truth("seg", "fit").shape == (6, 2, 2)


def error(tmp_path, match, **changes):
    with pytest.raises(ValueError, match=match):
        mipareto.read_bundle(make_bundle(str(tmp_path / "b"), **changes))


def test_exactly_one_of_features_and_streams(tmp_path):
    error(tmp_path, r"bundle.json: features: exactly one of", manifest_changes={"features": {"fit": "fit/s0.npy", "eval": "eval/s0.npy"}})
    error(tmp_path / "2", r"bundle.json: features: exactly one of", manifest_changes={"streams": None})


def test_stream_names_non_empty_and_unique(tmp_path):
    same = [{"name": "s0", "fit": "fit/s0.npy", "eval": "eval/s0.npy"}] * 2
    error(tmp_path, r"streams\[1\].name: two streams are named 's0'", manifest_changes={"streams": same})
    error(tmp_path / "2", r"streams\[0\]: needs a non-empty \"name\"", manifest_changes={"streams": [{"name": "", "fit": "fit/s0.npy", "eval": "eval/s0.npy"}]})


def test_streams_need_the_same_samples(tmp_path):
    root = make_bundle(str(tmp_path / "b"))
    np.save(os.path.join(root, "eval", "s1.npy"), np.zeros((4, 3, 4, 4), np.float32))
    with pytest.raises(ValueError, match=r"eval/s1.npy: streams\[1\] \(s1\).eval: 4 samples, stream 's0' has 5"):
        mipareto.read_bundle(root)


def test_feature_shape_dtype_and_values(tmp_path):
    root = make_bundle(str(tmp_path / "b"))
    np.save(os.path.join(root, "fit", "s0.npy"), np.zeros((6, 4, 8), np.float32))
    with pytest.raises(ValueError, match=r"fit/s0.npy: streams\[0\] \(s0\).fit: features must be \[N, C, H, W\] or \[N, C\]"):
        mipareto.read_bundle(root)
    np.save(os.path.join(root, "fit", "s0.npy"), np.zeros((6, 4, 8, 8), np.int32))
    with pytest.raises(ValueError, match=r"fit/s0.npy: streams\[0\] \(s0\).fit: dtype <i4"):
        mipareto.read_bundle(root)
    np.save(os.path.join(root, "fit", "s0.npy"), np.zeros((6, 4, 8, 8), ">f4"))
    with pytest.raises(ValueError, match=r"dtype >f4"):
        mipareto.read_bundle(root)
    bad = np.zeros((6, 4, 8, 8), np.float32)
    bad[3, 1, 2, 2] = np.nan
    np.save(os.path.join(root, "fit", "s0.npy"), bad)
    with pytest.raises(ValueError, match=r"fit/s0.npy: streams\[0\] \(s0\).fit: non-finite value nan in sample 3"):
        mipareto.read_bundle(root)
    np.save(os.path.join(root, "fit", "s0.npy"), np.zeros((6, 4, 8, 7), np.float32))
    with pytest.raises(ValueError, match=r"eval/s0.npy: streams\[0\] \(s0\).eval: per-sample shape \[4, 8, 8\] differs from the fit split's \[4, 8, 7\]"):
        mipareto.read_bundle(root)


def test_paths_stay_inside_the_bundle(tmp_path):
    error(tmp_path, r"streams\[0\] \(s0\).fit: path leaves the bundle", manifest_changes={"streams": [{"name": "s0", "fit": "../b/fit/s0.npy", "eval": "eval/s0.npy"}]})
    error(tmp_path / "2", r"streams\[0\] \(s0\).fit: absolute path", manifest_changes={"streams": [{"name": "s0", "fit": str(tmp_path / "b" / "fit" / "s0.npy"), "eval": "eval/s0.npy"}]})
    root = make_bundle(str(tmp_path / "3"))
    outside = tmp_path / "outside.npy"
    np.save(outside, np.zeros((6, 4, 8, 8), np.float32))
    os.remove(os.path.join(root, "fit", "s0.npy"))
    os.symlink(outside, os.path.join(root, "fit", "s0.npy"))
    with pytest.raises(ValueError, match=r"fit/s0.npy: streams\[0\] \(s0\).fit: a symbolic link leads outside"):
        mipareto.read_bundle(root)


def test_a_symlink_inside_the_bundle_is_fine(tmp_path):
    root = make_bundle(str(tmp_path / "b"))
    os.rename(os.path.join(root, "fit", "s0.npy"), os.path.join(root, "s0-fit.npy"))
    os.symlink(os.path.join(root, "s0-fit.npy"), os.path.join(root, "fit", "s0.npy"))
    assert mipareto.read_bundle(root).streams[0].channels == 4


def test_heads_name_their_stream_and_match_its_shape(tmp_path):
    error(tmp_path, r"heads/img.json: input: must name the stream the head reads \(s0, s1\)", heads={"input": None})
    error(tmp_path / "2", r"heads/img.json: input_shape: \[3, 4, 5\] differs from stream 's1'", heads={"input_shape": [3, 4, 5]})
    error(tmp_path / "3", r"heads/img.json: layers\[1\] \(dense\): input shape \[1, 4, 4\] does not chain: dense needs a vector input",
          heads={"layers": [{"type": "conv2d", "weight": "heads/w.npy"}, {"type": "dense", "weight": "heads/dense.npy"}]})
    error(tmp_path / "4", r"heads/img.json: layers\[0\]: needs a \"type\" among", heads={"layers": [{"type": "conv3d"}]})


def test_a_single_stream_head_needs_no_input(tmp_path):
    root = make_bundle(str(tmp_path / "b"), streams={"s1": ((3, 4, 4), "<f4")}, heads={"input": None})
    assert mipareto.read_bundle(root).task("img").input == "s1"


def test_task_errors(tmp_path):
    paths = {"fit": "fit/cls.npy", "eval": "eval/cls.npy"}
    error(tmp_path, r"tasks\[0\] \(cls\).kind: unknown kind \"detection\"",
          tasks=[{"name": "cls", "kind": "detection", "labels": paths, "outputs": paths}])
    error(tmp_path / "2", r"tasks\[0\] \(cls\).classes: needs a positive integer",
          tasks=[{"name": "cls", "kind": "classification", "labels": paths, "outputs": paths}])
    error(tmp_path / "3", r"fit/cls.npy: tasks\[0\] \(cls\).labels.fit: value 2 at index 2 is outside 0…1 \(2 classes\)",
          tasks=[{"name": "cls", "kind": "classification", "classes": 2, "labels": paths, "outputs": paths}])
    error(tmp_path / "4", r"tasks\[1\].name: two tasks are named 'cls'",
          tasks=[{"name": "cls", "kind": "classification", "classes": 3, "labels": paths, "outputs": paths}] * 2)
    error(tmp_path / "5", r"tasks: must be a non-empty list", tasks=[])
    error(tmp_path / "6", r"tasks\[0\] \(cls\).outputs.eval: no such file",
          tasks=[{"name": "cls", "kind": "classification", "classes": 3, "labels": paths, "outputs": {"fit": "fit/cls.npy", "eval": "eval/none.npy"}}])
    root = make_bundle(str(tmp_path / "7"))
    np.save(os.path.join(root, "fit", "seg_out.npy"), np.zeros((6, 3, 3), np.int64))
    with pytest.raises(ValueError, match=r"fit/seg_out.npy: tasks\[1\] \(seg\).outputs.fit: shape \[6, 3, 3\] differs from the labels' \[6, 2, 2\]"):
        mipareto.read_bundle(root)
    np.save(os.path.join(root, "fit", "seg_out.npy"), np.zeros((6, 4), np.int64))
    with pytest.raises(ValueError, match=r"fit/seg_out.npy: tasks\[1\] \(seg\).outputs.fit: shape \[6, 4\], expected \[6, H', W'\]"):
        mipareto.read_bundle(root)


def test_manifest_errors(tmp_path):
    with pytest.raises(ValueError, match="no such bundle directory"):
        mipareto.read_bundle(str(tmp_path / "none"))
    root = make_bundle(str(tmp_path / "b"), manifest_changes={"format": "feature-bundle/2"})
    with pytest.raises(ValueError, match=r"bundle.json: format: expected \"feature-bundle/1\", found \"feature-bundle/2\""):
        mipareto.read_bundle(root)
    with open(os.path.join(root, "bundle.json"), "w") as fh:
        fh.write("{not json")
    with pytest.raises(ValueError, match=r"bundle.json: not valid JSON"):
        mipareto.read_bundle(root)
