"""The Python side of MIPareto: read a feature bundle, quantise like MIPareto, serve an evaluator.

One module, NumPy only (Ray is imported lazily, only by the evaluator pool):

* `read_bundle(path)` reads and validates a `feature-bundle/1` directory (docs/format.md), with one
  `features` tensor or several `streams`, and tasks with or without heads.
* `Quantiser` is the quantiser of docs/format.md, bit for bit the one MIPareto runs.
* `accuracy`, `segmentation_scores`, `psnr` are the task metrics; `run_head` runs a bundle's head.
* `serve(evaluator)` speaks `mipareto-evaluator/1` (docs/evaluator.md) on stdin/stdout, so an
  evaluator is a class (or a function) mapping the quantised features of a split to a metric per
  task; `serve(evaluator, pool=RayPool(actors=8, gpus_per_actor=1))` spreads every batch over Ray
  actors (docs/scaling.md).

A minimal evaluator (see docs/evaluator.md for the whole API):

    import mipareto

    class MyEvaluator(mipareto.Evaluator):
        def setup(self, start):                      # once per process (or per Ray actor)
            self.model = load_my_model()
        def metrics(self, split, features):          # features: {stream name: float32 array}
            logits = self.model(features["features"])
            return {"cls": self.bundle.metric("cls", split, logits)}

    mipareto.serve(MyEvaluator())
"""
import argparse
import json
import math
import os
import signal
import sys
import threading
import traceback
import warnings

import numpy as np

PROTOCOL = "mipareto-evaluator/1"
FORMAT = "feature-bundle/1"
#: `fit` and `eval` are stored; `search` (even eval indices) and `report` (odd) are derived.
SPLITS = ("fit", "eval", "search", "report")
KINDS = ("classification", "segmentation", "reconstruction")
METRIC_OF_KIND = {"classification": "accuracy", "segmentation": "miou", "reconstruction": "psnr"}
#: Deepest allocation MIPareto's quantiser takes.
MAX_BITS = 16

__all__ = [
    "PROTOCOL", "FORMAT", "SPLITS", "BundleError", "Stream", "Task", "Bundle", "read_bundle",
    "split_samples", "run_head", "head_shapes", "Quantiser", "channel_stats", "accuracy",
    "segmentation_scores", "psnr", "Start", "start_message", "Evaluator", "serve", "RayPool", "add_pool_arguments",
    "pool_from_arguments", "main",
]


class BundleError(ValueError):
    """A bundle that cannot be read: `FILE: field: what`."""

    def __init__(self, file, what, field=None):
        super().__init__(f"{file}: {field}: {what}" if field else f"{file}: {what}")


# ---------------------------------------------------------------------------------------------
# Bundle reader
# ---------------------------------------------------------------------------------------------

_FLOAT_DTYPES = ("<f2", "<f4", "<f8")
_INT_DTYPES = ("<i8", "<i4", "|u1")


def split_samples(array, split):
    """The samples of `split` from the stored split's array: `search` = even eval indices, `report` = odd."""
    if split in ("fit", "eval"):
        return array
    if split == "search":
        return array[0::2]
    if split == "report":
        return array[1::2]
    raise ValueError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")


def _source(split):
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")
    return "fit" if split == "fit" else "eval"


class _Directory:
    """Resolves paths inside a bundle, refusing any that leave it (also through symlinks)."""

    def __init__(self, path):
        self.name = path
        self.root = os.path.realpath(path)

    def display(self, relative):
        return os.path.join(self.name, relative)

    def resolve(self, relative, field):
        if not isinstance(relative, str) or not relative:
            raise BundleError(os.path.join(self.name, "bundle.json"), "must be a non-empty relative path", field)
        if os.path.isabs(relative) or relative.startswith("~"):
            raise BundleError(self.display(relative), "absolute path; paths in a bundle are relative to it", field)
        if ".." in relative.replace("\\", "/").split("/"):
            raise BundleError(self.display(relative), "path leaves the bundle directory (\"..\" is not allowed)", field)
        real = os.path.realpath(os.path.join(self.root, relative))
        if os.path.commonpath([real, self.root]) != self.root:
            raise BundleError(self.display(relative), "a symbolic link leads outside the bundle directory", field)
        if not os.path.isfile(real):
            raise BundleError(self.display(relative), "no such file", field)
        return real

    def json(self, relative, field):
        path = self.resolve(relative, field)
        try:
            with open(path, encoding="utf-8") as fh:
                value = json.load(fh)
        except (ValueError, UnicodeDecodeError) as e:
            raise BundleError(self.display(relative), f"not valid JSON ({e})", field) from None
        if not isinstance(value, dict):
            raise BundleError(self.display(relative), "expected a JSON object", field)
        return value

    def npy(self, relative, field, dtypes, mmap=False):
        path = self.resolve(relative, field)
        file = self.display(relative)
        try:
            array = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
        except Exception as e:  # numpy raises several types for a bad header
            raise BundleError(file, f"not a readable .npy file ({e})", field) from None
        if array.dtype.str not in dtypes:
            raise BundleError(file, f"dtype {array.dtype.str}, expected one of {', '.join(dtypes)}", field)
        if array.ndim > 1 and array.flags.f_contiguous and not array.flags.c_contiguous:
            raise BundleError(file, "Fortran-order arrays are not supported; save it in C order", field)
        return array


def _require_finite(array, file, field):
    # Chunked, so a memory-mapped tensor is never copied whole.
    flat = array.reshape(len(array), -1) if array.ndim else array.reshape(1, 1)
    step = max(1, (1 << 22) // max(1, flat.shape[1]))
    for start in range(0, len(flat), step):
        chunk = flat[start:start + step]
        if not np.isfinite(chunk).all():
            bad = np.argwhere(~np.isfinite(chunk))[0]
            raise BundleError(file, f"non-finite value {chunk[tuple(bad)]} in sample {start + bad[0]}; every value must be finite", field)


def _positive_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


class Stream:
    """One feature tensor of a bundle: `[N, C, H, W]` or `[N, C]`, channels `first_channel …`."""

    def __init__(self, name, first_channel, arrays, paths):
        self.name = name
        self.first_channel = first_channel
        self.arrays = arrays            # {"fit": array, "eval": array}, as stored (memory-mapped)
        self.paths = paths              # {"fit": relative path, "eval": relative path}
        self.sample_shape = tuple(int(d) for d in arrays["fit"].shape[1:])
        self.channels = self.sample_shape[0]
        self.elements_per_channel = int(np.prod(self.sample_shape[1:], dtype=np.int64))
        self._float32 = {}

    def features(self, split):
        """float32 features of `split` (a view of the file when it is stored as `<f4`)."""
        source = _source(split)
        if source not in self._float32:
            stored = self.arrays[source]
            self._float32[source] = stored if stored.dtype == np.float32 else np.asarray(stored, dtype=np.float32)
        return split_samples(self._float32[source], split)

    def __repr__(self):
        return f"Stream({self.name!r}, shape={list(self.sample_shape)}, first_channel={self.first_channel})"


class Task:
    """One task of a bundle. `head` is None for a task scored only through an evaluator."""

    def __init__(self, name, kind, classes, peak, truth, outputs, head, input_stream):
        self.name = name
        self.kind = kind
        self.metric = METRIC_OF_KIND[kind]
        self.classes = classes          # int for classification / segmentation, None otherwise
        self.peak = peak                # reconstruction peak (1.0 by default)
        self.truth = truth              # {"fit", "eval"}: labels (int64) or targets (float32)
        self.outputs = outputs          # {"fit", "eval"}: the network's own outputs on clean features
        self.head = head                # {"input_shape", "layers": [...]} with weights as arrays, or None
        self.input = input_stream       # name of the stream the head reads

    def __repr__(self):
        return f"Task({self.name!r}, {self.kind}, head={'yes' if self.head else 'no'})"


class Bundle:
    """A feature bundle, validated. See `read_bundle`."""

    def __init__(self, directory, name, description, streams, tasks):
        self.directory = directory
        self.name = name
        self.description = description
        self.streams = streams
        self.tasks = tasks
        self.channels = sum(s.channels for s in streams)

    def stream(self, name):
        for s in self.streams:
            if s.name == name:
                return s
        raise KeyError(f"no stream {name!r} (streams: {', '.join(s.name for s in self.streams)})")

    def task(self, name):
        for t in self.tasks:
            if t.name == name:
                return t
        raise KeyError(f"no task {name!r} (tasks: {', '.join(t.name for t in self.tasks)})")

    def samples(self, split):
        return len(split_samples(self.streams[0].arrays[_source(split)], split))

    def features(self, split):
        """{stream name: float32 features of `split`}, in stream order."""
        return {s.name: s.features(split) for s in self.streams}

    def truth(self, task, split):
        """Labels (classification, segmentation) or targets (reconstruction) of `split`."""
        return split_samples(self.task(task).truth[_source(split)], split)

    def outputs(self, task, split):
        """What the network itself produced on clean features, for `split`."""
        return split_samples(self.task(task).outputs[_source(split)], split)

    def quantiser(self):
        """The quantiser MIPareto builds for this bundle: fit-split statistics of every channel."""
        lo, hi, mean = channel_stats([s.arrays["fit"] for s in self.streams])
        return Quantiser(lo, hi, mean, streams=[(s.name, s.channels) for s in self.streams])

    def metric_details(self, task, split, output):
        """The task's metric and its parts from a head or network `output` on the samples of `split`.

        `output`: class logits `[N, K]` (or int predictions `[N]`) for classification, logits
        `[N, K, H', W']` (or predictions `[N, H', W']`) for segmentation, the image for
        reconstruction.
        """
        t = self.task(task)
        truth = self.truth(task, split)
        output = np.asarray(output)
        if t.kind == "reconstruction":
            value, mse = psnr(output, truth, t.peak, return_mse=True)
            return {"metric": value, "psnr": value, "mse": mse}
        predictions = output if output.ndim == truth.ndim and output.dtype.kind in "iu" else np.argmax(output, axis=1)
        if predictions.shape != truth.shape:
            raise ValueError(f"task {task!r}: predictions of shape {list(predictions.shape)} for labels of shape {list(truth.shape)}")
        if t.kind == "classification":
            correct = int(np.count_nonzero(predictions == truth))
            return {"metric": correct / len(truth), "accuracy": correct / len(truth), "correct": correct, "n": len(truth)}
        miou, pixel_accuracy = segmentation_scores(predictions, truth, t.classes)
        return {"metric": miou, "miou": miou, "pixel_accuracy": pixel_accuracy}

    def metric(self, task, split, output):
        """The task's primary metric (accuracy, mIoU or PSNR) of `output` on `split`."""
        return self.metric_details(task, split, output)["metric"]

    def __repr__(self):
        return f"Bundle({self.name!r}, streams={self.streams}, tasks={self.tasks})"


def read_bundle(path):
    """Reads and validates the `feature-bundle/1` directory `path`; raises `BundleError` naming the file and field."""
    if not os.path.isdir(path):
        raise BundleError(path, "no such bundle directory" if not os.path.exists(path) else "not a directory")
    d = _Directory(path)
    manifest_name = d.display("bundle.json")
    manifest = d.json("bundle.json", None)
    if manifest.get("format") != FORMAT:
        raise BundleError(manifest_name, f"expected \"{FORMAT}\", found {json.dumps(manifest.get('format'))}", "format")
    name = manifest.get("name", os.path.basename(os.path.normpath(path)))
    if not isinstance(name, str):
        raise BundleError(manifest_name, "must be a string", "name")
    description = manifest.get("description", "")

    has_features, has_streams = "features" in manifest, "streams" in manifest
    if has_features == has_streams:
        raise BundleError(manifest_name, "exactly one of \"features\" and \"streams\" is needed", "features")
    if has_features:
        entries = [("features", manifest["features"], "features")]
    else:
        if not isinstance(manifest["streams"], list) or not manifest["streams"]:
            raise BundleError(manifest_name, "must be a non-empty list of {\"name\", \"fit\", \"eval\"}", "streams")
        entries = []
        for i, entry in enumerate(manifest["streams"]):
            field = f"streams[{i}]"
            if not isinstance(entry, dict):
                raise BundleError(manifest_name, "must be an object {\"name\", \"fit\", \"eval\"}", field)
            sname = entry.get("name")
            if not isinstance(sname, str) or not sname:
                raise BundleError(manifest_name, "needs a non-empty \"name\"", field)
            if any(sname == e[0] for e in entries):
                raise BundleError(manifest_name, f"two streams are named {sname!r}", field + ".name")
            entries.append((sname, entry, f"streams[{i}] ({sname})"))

    streams, first = [], 0
    for sname, paths, field in entries:
        if not isinstance(paths, dict):
            raise BundleError(manifest_name, "must be an object {\"fit\": path, \"eval\": path}", field)
        arrays, relpaths = {}, {}
        for split in ("fit", "eval"):
            relative = paths.get(split)
            array = d.npy(relative, f"{field}.{split}", _FLOAT_DTYPES, mmap=True)
            file = d.display(relative)
            if array.ndim not in (2, 4):
                raise BundleError(file, f"features must be [N, C, H, W] or [N, C], got shape {list(array.shape)}", f"{field}.{split}")
            if array.size == 0:
                raise BundleError(file, f"features hold no values (shape {list(array.shape)})", f"{field}.{split}")
            _require_finite(array, file, f"{field}.{split}")
            arrays[split], relpaths[split] = array, relative
        if arrays["fit"].shape[1:] != arrays["eval"].shape[1:]:
            raise BundleError(d.display(relpaths["eval"]), f"per-sample shape {list(arrays['eval'].shape[1:])} differs from the fit split's {list(arrays['fit'].shape[1:])}", f"{field}.eval")
        if streams:
            for split in ("fit", "eval"):
                if len(arrays[split]) != len(streams[0].arrays[split]):
                    raise BundleError(d.display(relpaths[split]), f"{len(arrays[split])} samples, stream {streams[0].name!r} has {len(streams[0].arrays[split])}", f"{field}.{split}")
        stream = Stream(sname, first, arrays, relpaths)
        first += stream.channels
        streams.append(stream)

    task_list = manifest.get("tasks")
    if not isinstance(task_list, list) or not task_list:
        raise BundleError(manifest_name, "must be a non-empty list", "tasks")
    tasks = []
    samples = {split: len(streams[0].arrays[split]) for split in ("fit", "eval")}
    for index, entry in enumerate(task_list):
        task = _read_task(d, manifest_name, index, entry, streams, samples)
        if any(t.name == task.name for t in tasks):
            raise BundleError(manifest_name, f"two tasks are named {task.name!r}", f"tasks[{index}].name")
        tasks.append(task)
    return Bundle(path, name, description, streams, tasks)


def _read_task(d, manifest_name, index, entry, streams, samples):
    field = f"tasks[{index}]"
    if not isinstance(entry, dict):
        raise BundleError(manifest_name, "must be an object", field)
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise BundleError(manifest_name, "needs a non-empty \"name\"", field)
    field = f"tasks[{index}] ({name})"
    kind = entry.get("kind")
    if kind not in KINDS:
        raise BundleError(manifest_name, f"unknown kind {json.dumps(kind)} (classification, segmentation or reconstruction)", field + ".kind")
    classes, peak = None, 1.0
    if kind != "reconstruction":
        classes = entry.get("classes")
        if not _positive_int(classes):
            raise BundleError(manifest_name, "needs a positive integer", field + ".classes")
    elif "peak" in entry:
        peak = entry["peak"]
        if isinstance(peak, bool) or not isinstance(peak, (int, float)) or not math.isfinite(peak) or peak <= 0:
            raise BundleError(manifest_name, "must be a positive number", field + ".peak")
        peak = float(peak)

    head, input_stream, output_shape = None, None, None
    if entry.get("head") is not None:
        head = _read_head(d, entry["head"], field + ".head", streams)
        input_stream = head["input"]
        output_shape = head["shapes"][-1]
        head_file = d.display(entry["head"])
        if kind == "classification" and output_shape != [classes]:
            raise BundleError(head_file, f"the head's output shape {output_shape} should be [{classes}] (class logits of a {classes}-class task)", "layers")
        if kind == "segmentation" and (len(output_shape) != 3 or output_shape[0] != classes):
            raise BundleError(head_file, f"the head's output shape {output_shape} should be [{classes}, H', W'] (class logits per pixel)", "layers")

    truth_key = "targets" if kind == "reconstruction" else "labels"
    truth, outputs = {}, {}
    for key, store in ((truth_key, truth), ("outputs", outputs)):
        paths = entry.get(key)
        if not isinstance(paths, dict):
            raise BundleError(manifest_name, "must be an object {\"fit\": path, \"eval\": path}", f"{field}.{key}")
        for split in ("fit", "eval"):
            sub = f"{field}.{key}.{split}"
            relative = paths.get(split)
            file = d.display(relative) if isinstance(relative, str) else manifest_name
            n = samples[split]
            if kind == "reconstruction":
                array = d.npy(relative, sub, _FLOAT_DTYPES, mmap=True)
                expected = [n] + output_shape if output_shape is not None else None
                if expected is None and (array.ndim < 2 or len(array) != n):
                    raise BundleError(file, f"shape {list(array.shape)}, expected [{n}, …] ({n} {split} samples)", sub)
                _require_finite(array, file, sub)
            else:
                array = d.npy(relative, sub, _INT_DTYPES).astype(np.int64, copy=False)
                if kind == "classification":
                    expected = [n]
                else:
                    expected = [n] + output_shape[1:] if output_shape is not None else None
                    if expected is None and (array.ndim != 3 or len(array) != n):
                        raise BundleError(file, f"shape {list(array.shape)}, expected [{n}, H', W'] ({n} {split} samples)", sub)
                lowest = -1 if kind == "segmentation" and key == "labels" else 0
                bad = np.flatnonzero((array < lowest) | (array >= classes))
                if bad.size:
                    raise BundleError(file, f"value {array.reshape(-1)[bad[0]]} at index {bad[0]} is outside {lowest}…{classes - 1} ({classes} classes)", sub)
            if expected is not None and list(array.shape) != expected:
                raise BundleError(file, f"shape {list(array.shape)}, expected {expected} ({n} {split} samples)", sub)
            store[split] = array
        if key == "outputs":
            for split in ("fit", "eval"):
                if outputs[split].shape != truth[split].shape:
                    raise BundleError(d.display(entry["outputs"][split]), f"shape {list(outputs[split].shape)} differs from the {truth_key}' {list(truth[split].shape)}", f"{field}.outputs.{split}")
    return Task(name, kind, classes, peak, truth, outputs, head, input_stream)


# ---------------------------------------------------------------------------------------------
# Heads
# ---------------------------------------------------------------------------------------------

_LAYER_TYPES = ("conv2d", "dense", "relu", "sigmoid", "maxpool2d", "avgpool2d", "upsample2d", "flatten")


def _read_head(d, relative, field, streams):
    spec = d.json(relative, field)
    file = d.display(relative)
    if len(streams) == 1:
        stream = streams[0]
        if "input" in spec and spec["input"] != stream.name:
            raise BundleError(file, f"names stream {json.dumps(spec['input'])}; the bundle's only stream is {stream.name!r}", "input")
    else:
        names = [s.name for s in streams]
        if spec.get("input") not in names:
            raise BundleError(file, f"must name the stream the head reads ({', '.join(names)}); found {json.dumps(spec.get('input'))}", "input")
        stream = next(s for s in streams if s.name == spec["input"])
    shape = spec.get("input_shape")
    if not isinstance(shape, list) or not shape or not all(_positive_int(v) for v in shape):
        raise BundleError(file, "needs a list of positive integers", "input_shape")
    if tuple(shape) != stream.sample_shape:
        raise BundleError(file, f"{shape} differs from stream {stream.name!r}'s per-sample shape {list(stream.sample_shape)}", "input_shape")
    if not isinstance(spec.get("layers"), list):
        raise BundleError(file, "needs a list", "layers")
    layers = []
    for i, item in enumerate(spec["layers"]):
        lfield = f"layers[{i}]"
        if not isinstance(item, dict) or item.get("type") not in _LAYER_TYPES:
            raise BundleError(file, f"needs a \"type\" among {', '.join(_LAYER_TYPES)}", lfield)
        layer = dict(item)
        for key in ("stride", "padding", "size", "factor"):
            if key in layer and (isinstance(layer[key], bool) or not isinstance(layer[key], int)):
                raise BundleError(file, "must be an integer", f"{lfield}.{key}")
        if layer["type"] in ("conv2d", "dense"):
            if not isinstance(layer.get("weight"), str):
                raise BundleError(file, "is missing", f"{lfield}.weight")
            for key in ("weight", "bias"):
                if layer.get(key) is not None:
                    wfile = d.display(layer[key])
                    array = np.asarray(d.npy(layer[key], f"{lfield}.{key}", _FLOAT_DTYPES), dtype=np.float32)
                    _require_finite(array.reshape(1, -1), wfile, f"{lfield}.{key}")
                    layer[key] = array
        if layer["type"] in ("maxpool2d", "avgpool2d"):
            if "size" not in layer:
                raise BundleError(file, "is missing", f"{lfield}.size")
            if layer.get("padding", 0) != 0:
                raise BundleError(file, "pooling has no padding in feature-bundle/1", f"{lfield}.padding")
        if layer["type"] == "upsample2d" and "factor" not in layer:
            raise BundleError(file, "is missing", f"{lfield}.factor")
        layers.append(layer)
    head = {"input": stream.name, "input_shape": list(shape), "layers": layers}
    try:
        head["shapes"] = head_shapes(head)
    except ValueError as e:
        raise BundleError(file, str(e)) from None
    return head


def head_shapes(head):
    """Per-sample shapes through a head: `[input_shape, after layer 0, …]`; ValueError naming the layer when they do not chain."""
    shapes = [list(head["input_shape"])]
    for i, layer in enumerate(head["layers"]):
        x, t = shapes[-1], layer["type"]

        def fail(what):
            raise ValueError(f"layers[{i}] ({t}): input shape {x} does not chain: {what}")

        if t == "conv2d":
            w = list(np.shape(layer["weight"]))
            s, p = layer.get("stride", 1), layer.get("padding", 0)
            if len(x) != 3:
                fail("conv2d needs a [C, H, W] input")
            if len(w) != 4:
                fail(f"weight must be [out, in, kh, kw], got {w}")
            if w[1] != x[0]:
                fail(f"weight {w} expects {w[1]} input channels")
            if layer.get("bias") is not None and list(np.shape(layer["bias"])) != [w[0]]:
                fail(f"bias of shape {list(np.shape(layer['bias']))} for a weight {w}")
            if s < 1 or p < 0:
                fail("needs stride ≥ 1 and padding ≥ 0")
            h, wd = x[1] + 2 * p - w[2], x[2] + 2 * p - w[3]
            if w[2] < 1 or w[3] < 1 or h < 0 or wd < 0:
                fail(f"kernel {w[2]}×{w[3]} is larger than the padded input")
            shapes.append([w[0], h // s + 1, wd // s + 1])
        elif t == "dense":
            w = list(np.shape(layer["weight"]))
            if len(w) != 2:
                fail(f"weight must be [out, in], got {w}")
            if len(x) != 1:
                fail("dense needs a vector input (add a flatten)")
            if w[1] != x[0]:
                fail(f"weight {w} expects {w[1]} inputs")
            if layer.get("bias") is not None and list(np.shape(layer["bias"])) != [w[0]]:
                fail(f"bias of shape {list(np.shape(layer['bias']))} for a weight {w}")
            shapes.append([w[0]])
        elif t in ("relu", "sigmoid"):
            shapes.append(x)
        elif t in ("maxpool2d", "avgpool2d"):
            k, s = layer["size"], layer.get("stride", layer["size"])
            if len(x) != 3:
                fail("pooling needs a [C, H, W] input")
            if k < 1 or s < 1:
                fail("needs size ≥ 1 and stride ≥ 1")
            if x[1] < k or x[2] < k:
                fail(f"window {k} is larger than the input")
            shapes.append([x[0], (x[1] - k) // s + 1, (x[2] - k) // s + 1])
        elif t == "upsample2d":
            f = layer["factor"]
            if len(x) != 3:
                fail("upsample2d needs a [C, H, W] input")
            if not 1 <= f <= 4096:
                fail(f"needs a factor in 1…4096, got {f}")
            shapes.append([x[0], x[1] * f, x[2] * f])
        elif t == "flatten":
            shapes.append([int(np.prod(x))])
        else:
            raise ValueError(f"layers[{i}]: unknown type {t!r}")
    return shapes


def _conv2d(x, w, bias, stride, padding):
    """Cross-correlation, zero padding: one matrix product per kernel offset, channels last."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    s, p = stride, padding
    xt = np.ascontiguousarray(np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))).transpose(0, 2, 3, 1))
    ho, wo = (h + 2 * p - kh) // s + 1, (wd + 2 * p - kw) // s + 1
    y = np.zeros((n * ho * wo, o))
    for i in range(kh):
        for j in range(kw):
            y += xt[:, i:i + s * (ho - 1) + 1:s, j:j + s * (wo - 1) + 1:s, :].reshape(-1, c) @ w[:, :, i, j].T
    if bias is not None:
        y += np.asarray(bias, dtype=np.float64)
    return y.reshape(n, ho, wo, o).transpose(0, 3, 1, 2)


def run_head(head, x, chunk=64):
    """Runs a head (`{"layers": [...]}` with weights as arrays) on `x` `[N, C, H, W]` or `[N, C]`, in float64.

    Samples go through in chunks of `chunk` (activations stay in cache); the chunking is fixed, so
    the same samples always give the same bits.
    """
    if len(x) > chunk:
        return np.concatenate([run_head(head, x[i:i + chunk], chunk) for i in range(0, len(x), chunk)])
    x = np.asarray(x, dtype=np.float64)
    for layer in head["layers"]:
        t = layer["type"]
        if t == "conv2d":
            x = _conv2d(x, np.asarray(layer["weight"], dtype=np.float64), layer.get("bias"),
                        layer.get("stride", 1), layer.get("padding", 0))
        elif t == "dense":
            x = x @ np.asarray(layer["weight"], dtype=np.float64).T
            if layer.get("bias") is not None:
                x = x + np.asarray(layer["bias"], dtype=np.float64)
        elif t == "relu":
            x = np.maximum(x, 0)
        elif t == "sigmoid":
            x = 1 / (1 + np.exp(-x))
        elif t in ("maxpool2d", "avgpool2d"):
            k, s = layer["size"], layer.get("stride", layer["size"])
            n, c, h, wd = x.shape
            ho, wo = (h - k) // s + 1, (wd - k) // s + 1
            windows = np.stack([x[:, :, i:i + s * (ho - 1) + 1:s, j:j + s * (wo - 1) + 1:s] for i in range(k) for j in range(k)])
            x = windows.max(0) if t == "maxpool2d" else windows.mean(0)
        elif t == "upsample2d":
            f = layer["factor"]
            x = x.repeat(f, axis=2).repeat(f, axis=3)
        elif t == "flatten":
            x = x.reshape(x.shape[0], -1)
        else:
            raise ValueError(f"unknown layer type {t!r}")
    return x


# ---------------------------------------------------------------------------------------------
# Quantiser
# ---------------------------------------------------------------------------------------------

def channel_stats(tensors, chunk=256):
    """Per-channel `(lo, hi, mean)` in float64 over every sample and position of `tensors` (one per stream).

    The mean is summed in MIPareto's order (each sample's positions in turn, then the samples in
    turn), so it is the same binary64 number MIPareto sends in `start`.
    """
    lo, hi, mean = [], [], []
    for tensor in tensors:
        n, c = tensor.shape[:2]
        running = np.zeros(c)
        lows, highs = np.full(c, np.inf), np.full(c, -np.inf)
        for start in range(0, n, chunk):
            x = np.asarray(tensor[start:start + chunk], dtype=np.float32).astype(np.float64).reshape(-1, c, int(np.prod(tensor.shape[2:], dtype=np.int64)))
            lows = np.minimum(lows, x.min(axis=(0, 2)))
            highs = np.maximum(highs, x.max(axis=(0, 2)))
            per_sample = np.cumsum(x, axis=2)[:, :, -1]                       # sequential over positions
            running = np.cumsum(np.vstack([running, per_sample]), axis=0)[-1]  # then over samples
        count = n * int(np.prod(tensor.shape[2:], dtype=np.int64))
        lo.append(lows)
        hi.append(highs)
        mean.append(running / count)
    return np.concatenate(lo), np.concatenate(hi), np.concatenate(mean)


class Quantiser:
    """The quantiser of docs/format.md, bit for bit MIPareto's.

    Per channel with `lo`, `hi` (float64) and `b ≥ 1` bits, `L = 2^b − 1`:
    `v = min(max(((x − lo) / (hi − lo)) · L, 0), L)` with `x` the float32 value in float64,
    `q` = `v` rounded half away from zero, `x̂ = float32(lo + (q · (hi − lo)) / L)`; `b = 0`
    gives `float32(mean)`, a channel with `hi == lo` gives `float32(lo)`. The operation order is
    MIPareto's, so every `x̂` is the same float32.

    `streams` is the channel layout `[(name, channels), …]` that `quantise_streams` cuts an
    allocation by (default: one stream, `features`).
    """

    def __init__(self, lo, hi, mean, streams=None):
        self.lo = np.array(lo, dtype=np.float64)
        self.hi = np.array(hi, dtype=np.float64)
        self.mean = np.array(mean, dtype=np.float64)
        if not (self.lo.shape == self.hi.shape == self.mean.shape) or self.lo.ndim != 1:
            raise ValueError(f"lo, hi and mean need one value per channel, got {len(self.lo)}, {len(self.hi)}, {len(self.mean)}")
        if not (np.isfinite(self.lo).all() and np.isfinite(self.hi).all() and np.isfinite(self.mean).all()):
            raise ValueError("lo, hi and mean must be finite")
        if (self.hi < self.lo).any():
            c = int(np.flatnonzero(self.hi < self.lo)[0])
            raise ValueError(f"channel {c}: hi {self.hi[c]} is below lo {self.lo[c]}")
        self.channels = len(self.lo)
        self.streams = [(str(n), int(c)) for n, c in (streams or [("features", self.channels)])]
        if sum(c for _, c in self.streams) != self.channels:
            raise ValueError(f"streams hold {sum(c for _, c in self.streams)} channels, the statistics {self.channels}")

    @classmethod
    def from_start(cls, message):
        """From a `start` message (a dict): its `quantiser` lo/hi/mean and its `streams`."""
        q = message["quantiser"]
        return cls(q["lo"], q["hi"], q["mean"], streams=[(s["name"], s["channels"]) for s in message["streams"]])

    def quantise(self, x, bits, first_channel=0, dtype=np.float32):
        """x̂ (float32, same shape) of one stream `x` `[N, C_s, …]` whose channels start at `first_channel`.

        `bits`: C_s depths in 0…16; `None` keeps a channel unquantised. `dtype=np.float64` returns
        x̂ before its final rounding to float32 (how reference.json's numbers were computed).
        """
        x = np.asarray(x, dtype=np.float32)
        c = x.shape[1]
        if len(bits) != c:
            raise ValueError(f"{len(bits)} bit depths for a stream of {c} channels")
        if first_channel < 0 or first_channel + c > self.channels:
            raise ValueError(f"channels {first_channel}…{first_channel + c - 1} outside the quantiser's {self.channels}")
        keep = np.array([b is None for b in bits], dtype=bool)
        b = np.array([0 if v is None else v for v in bits], dtype=np.int64)
        if ((b < 0) | (b > MAX_BITS)).any():
            bad = int(np.flatnonzero((b < 0) | (b > MAX_BITS))[0])
            raise ValueError(f"bit depth {b[bad]} for channel {first_channel + bad} is outside 0…{MAX_BITS}")
        sl = slice(first_channel, first_channel + c)
        lo, hi, mean = self.lo[sl], self.hi[sl], self.mean[sl]
        rng = hi - lo
        levels = ((1 << b) - 1).astype(np.float64)
        quantised = ~keep & (b > 0) & (rng != 0)
        out = np.empty(x.shape, dtype=dtype)
        constant = np.where(b == 0, mean, lo).astype(dtype)           # b = 0: mean; hi == lo: lo
        fixed = ~keep & ~quantised
        if fixed.any():
            out[:, fixed] = constant[fixed].reshape((-1,) + (1,) * (x.ndim - 2))
        if keep.any():
            out[:, keep] = x[:, keep]
        idx = np.flatnonzero(quantised)
        if idx.size:
            shape = (1, idx.size) + (1,) * (x.ndim - 2)
            l, r, L = lo[idx].reshape(shape), rng[idx].reshape(shape), levels[idx].reshape(shape)
            v = np.minimum(np.maximum((x[:, idx].astype(np.float64) - l) / r * L, 0.0), L)
            t = np.trunc(v)
            q = np.where(v - t >= 0.5, t + 1, t)
            out[:, idx] = (l + (q * r) / L).astype(dtype)
        return out

    def quantise_streams(self, features, allocation):
        """{stream: x̂} for one allocation (one depth per global channel) of `features` {stream: array}."""
        if len(allocation) != self.channels:
            raise ValueError(f"{len(allocation)} bit depths for {self.channels} channels")
        out, first = {}, 0
        for name, c in self.streams:
            out[name] = self.quantise(features[name], allocation[first:first + c], first)
            first += c
        return out


# ---------------------------------------------------------------------------------------------
# Metrics (docs/format.md, normative)
# ---------------------------------------------------------------------------------------------

def accuracy(predictions, labels):
    """Fraction of samples whose prediction (int `[N]`, or logits `[N, K]`: argmax, ties to the lowest) equals the label."""
    predictions, labels = np.asarray(predictions), np.asarray(labels)
    if predictions.ndim == labels.ndim + 1:
        predictions = np.argmax(predictions, axis=1)
    return float(np.count_nonzero(predictions == labels)) / len(labels)


def segmentation_scores(predictions, labels, classes):
    """`(miou, pixel_accuracy)` over every pixel of the split pooled; label −1 is ignored everywhere.

    `predictions`: int `[N, H', W']` or logits `[N, K, H', W']`. mIoU is the mean IoU over the
    classes whose union is non-empty (0 when none is).
    """
    predictions, labels = np.asarray(predictions), np.asarray(labels)
    if predictions.ndim == labels.ndim + 1:
        predictions = np.argmax(predictions, axis=1)
    valid = labels >= 0
    p, t = predictions[valid].astype(np.int64), labels[valid].astype(np.int64)
    intersection = np.bincount(t[p == t], minlength=classes)[:classes]
    union = np.bincount(p, minlength=classes)[:classes] + np.bincount(t, minlength=classes)[:classes] - intersection
    present = union > 0
    miou = float(np.mean(intersection[present] / union[present])) if present.any() else 0.0
    pixel_accuracy = float(np.count_nonzero(p == t)) / p.size if p.size else 0.0
    return miou, pixel_accuracy


def psnr(output, target, peak=1.0, return_mse=False):
    """10·log10(peak² / MSE), MSE over every element of the split in float64."""
    d = np.asarray(output, dtype=np.float64) - np.asarray(target, dtype=np.float64)
    mse = float(np.mean(d * d))
    value = 10 * math.log10(peak * peak / mse) if mse > 0 else math.inf
    return (value, mse) if return_mse else value


# ---------------------------------------------------------------------------------------------
# The protocol: mipareto-evaluator/1 (docs/evaluator.md)
# ---------------------------------------------------------------------------------------------

class ProtocolError(Exception):
    """A message or a result that breaks the protocol; the text goes into an `error` reply."""


def _number(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ProtocolError(f"{what} is {type(value).__name__} {value!r}, not a number")
    value = float(value)
    if not math.isfinite(value):
        raise ProtocolError(f"{what} is {value} (JSON has no NaN or Infinity)")
    return value


class Start:
    """The `start` message, checked. `message` keeps the dict as MIPareto sent it."""

    def __init__(self, message):
        def need(key, kind):
            value = message.get(key)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ProtocolError(f"start: \"{key}\" is missing or not a {kind.__name__ if not isinstance(kind, tuple) else kind[0].__name__}")
            return value

        if message.get("protocol") != PROTOCOL:
            raise ProtocolError(f"this evaluator speaks {PROTOCOL}, MIPareto sent {json.dumps(message.get('protocol'))}")
        self.message = message
        self.protocol = PROTOCOL
        self.bundle = message.get("bundle", "")
        self.bundle_directory = need("bundleDirectory", str)
        self.channels = need("channels", int)
        self.max_bits = need("maxBits", int)
        self.tasks = need("tasks", list)
        streams = need("streams", list)
        self.streams = []
        first = 0
        for s in streams:
            if not isinstance(s, dict) or not isinstance(s.get("name"), str) or not isinstance(s.get("channels"), int):
                raise ProtocolError(f"start: stream {s!r} needs \"name\" and \"channels\"")
            if s.get("firstChannel", first) != first:
                raise ProtocolError(f"start: stream {s['name']!r} has firstChannel {s.get('firstChannel')}, expected {first}")
            self.streams.append(dict(s, firstChannel=first))
            first += s["channels"]
        if first != self.channels:
            raise ProtocolError(f"start: streams hold {first} channels, \"channels\" says {self.channels}")
        if not isinstance(message.get("quantiser"), dict):
            raise ProtocolError("start: \"quantiser\" is missing")
        try:
            self.quantiser = Quantiser.from_start(message)
        except (KeyError, TypeError, ValueError) as e:
            raise ProtocolError(f"start: quantiser: {e}") from None
        if self.quantiser.channels != self.channels:
            raise ProtocolError(f"start: quantiser has {self.quantiser.channels} channels, \"channels\" says {self.channels}")


def start_message(bundle, max_bits=8):
    """The `start` message MIPareto sends for `bundle` (a path or a `Bundle`): to try an evaluator by hand."""
    if not isinstance(bundle, Bundle):
        bundle = read_bundle(bundle)
    lo, hi, mean = channel_stats([s.arrays["fit"] for s in bundle.streams])
    return {"type": "start", "protocol": PROTOCOL, "bundle": bundle.name,
            "bundleDirectory": os.path.abspath(bundle.directory), "channels": bundle.channels, "maxBits": max_bits,
            "streams": [{"name": s.name, "channels": s.channels, "shape": list(s.sample_shape),
                         "firstChannel": s.first_channel} for s in bundle.streams],
            "quantiser": {"lo": lo.tolist(), "hi": hi.tolist(), "mean": mean.tolist()},
            "tasks": [t.name for t in bundle.tasks]}


class Evaluator:
    """Base class of an evaluator: override `metrics` (and `setup`); `serve` does the rest.

    Attributes set before `setup` is called: `start` (a `Start`), `quantiser` (from the start
    message, the normative one). `bundle` reads the bundle named by `start` on first use.
    Class attributes: `splits` (the splits served) and `measures_rate` (whether `score` results
    carry `bitsPerSample`).
    """

    splits = SPLITS
    measures_rate = False

    def setup(self, start):
        """Called once per process (once per Ray actor) before anything else: load the model here."""

    @property
    def bundle(self):
        if getattr(self, "_bundle", None) is None:
            self._bundle = read_bundle(self.start.bundle_directory)
        return self._bundle

    @bundle.setter
    def bundle(self, value):
        self._bundle = value

    def metric_names(self):
        """{task: metric name}; default: the bundle's (accuracy, miou, psnr by kind)."""
        return {t.name: t.metric for t in self.bundle.tasks}

    def features(self, split):
        """Clean features of `split`, {stream name: float32 array}; default: the bundle's."""
        return self.bundle.features(split)

    def metrics(self, split, features):
        """{task: metric} for quantised `features` ({stream name: float32 array}) of `split`."""
        raise NotImplementedError("an Evaluator needs a metrics(split, features) method")

    def clean(self, split):
        """{task: metric} on unquantised features, for `ready`."""
        return self.metrics(split, self.features(split))

    def score(self, split, allocations):
        """One result per allocation (an int array `[n, C]`): {task: metric}, or
        {"metrics": {task: metric}, "bitsPerSample": x} when `measures_rate`. Override to batch."""
        features = self.features(split)
        return [self.metrics(split, self.quantiser.quantise_streams(features, a)) for a in allocations]


class _FunctionEvaluator(Evaluator):
    def __init__(self, function):
        self.function = function

    def metrics(self, split, features):
        return self.function(split, features)


def _as_evaluator(evaluator):
    if isinstance(evaluator, type) and issubclass(evaluator, Evaluator):
        return evaluator()
    if isinstance(evaluator, Evaluator):
        return evaluator
    if callable(evaluator):
        return _FunctionEvaluator(evaluator)
    raise TypeError(f"serve needs an Evaluator or a function metrics(split, features), got {evaluator!r}")


def _describe(error):
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _begin(evaluator, message):
    """Sets up `evaluator` for the start message; returns the evaluator's part of `ready`."""
    start = Start(message)
    evaluator.start, evaluator.quantiser = start, start.quantiser
    evaluator.setup(start)
    splits = list(evaluator.splits)
    unknown = [s for s in splits if s not in SPLITS]
    if unknown:
        raise ProtocolError(f"unknown split(s) {unknown} in Evaluator.splits (one of {', '.join(SPLITS)})")
    names = evaluator.metric_names()
    clean = {split: evaluator.clean(split) for split in splits}
    tasks = []
    for task in start.tasks:
        if task not in names:
            raise ProtocolError(f"the evaluator has no metric name for task {task!r} (metric_names gives {sorted(names)})")
        values = {split: _number(_metrics_of(clean[split], split, start.tasks).get(task), f"clean {split} metric of task {task!r}") for split in splits}
        tasks.append({"name": task, "metric": str(names[task]), "clean": values})
    return {"type": "ready", "protocol": PROTOCOL, "tasks": tasks, "splits": splits, "measuresRate": bool(evaluator.measures_rate)}


def _metrics_of(result, where, tasks):
    if not isinstance(result, dict):
        raise ProtocolError(f"{where}: expected {{task: metric}}, got {type(result).__name__}")
    if set(result) != set(tasks):
        missing, extra = sorted(set(tasks) - set(result)), sorted(set(result) - set(tasks))
        raise ProtocolError(f"{where}: tasks differ from the bundle's ({'missing ' + ', '.join(missing) if missing else ''}{'; ' if missing and extra else ''}{'unknown ' + ', '.join(extra) if extra else ''})")
    return result


def _normalise(results, count, tasks, measures_rate):
    """The `results` list of a `scores` reply from what an evaluator returned, checked."""
    if not isinstance(results, (list, tuple)):
        raise ProtocolError(f"score returned {type(results).__name__}, expected a list of {count} results")
    if len(results) != count:
        raise ProtocolError(f"score returned {len(results)} results for {count} allocations")
    out = []
    for i, result in enumerate(results):
        where = f"allocation {i}"
        rate = None
        if isinstance(result, dict) and isinstance(result.get("metrics"), dict) and set(result) <= {"metrics", "bitsPerSample"}:
            rate = result.get("bitsPerSample")
            result = result["metrics"]
        metrics = {t: _number(v, f"{where}: metric of task {t!r}") for t, v in _metrics_of(result, where, tasks).items()}
        entry = {"metrics": metrics}
        if measures_rate:
            if rate is None:
                raise ProtocolError(f"{where}: measures_rate is set but the result has no bitsPerSample")
            entry["bitsPerSample"] = _number(rate, f"{where}: bitsPerSample")
        out.append(entry)
    return out


class _LocalBackend:
    """The evaluator in this process: batches are scored one after the other, replies in order."""

    def __init__(self, evaluator):
        self.evaluator = evaluator

    def begin(self, message):
        return _begin(self.evaluator, message)

    def submit(self, split, allocations, reply):
        try:
            results = self.evaluator.score(split, allocations)
        except Exception as e:
            traceback.print_exc(file=sys.stderr)
            reply(error=_describe(e))
            return
        reply(results=results)

    def close(self):
        pass


class _Server:
    def __init__(self, backend, inp, out):
        self.backend, self.inp, self.out = backend, inp, out
        self.lock = threading.Lock()
        self.start = None
        self.ready = None

    def send(self, message):
        try:
            line = json.dumps(message, allow_nan=False, separators=(",", ":"))
        except ValueError as e:  # NaN or Infinity slipped through: never write it
            line = json.dumps({"type": "error", "id": message.get("id"), "message": f"reply not representable in JSON: {e}"})
        with self.lock:
            self.out.write(line + "\n")
            self.out.flush()

    def error(self, message, request_id=None):
        reply = {"type": "error", "message": message}
        if request_id is not None:
            reply["id"] = request_id
        self.send(reply)

    def run(self):
        """Serves until `stop` or EOF (returns), or a failed start (raises SystemExit(1))."""
        try:
            while True:
                line = self.inp.readline()
                if not line:
                    return
                if isinstance(line, bytes):
                    line = line.decode("utf-8", errors="replace")
                if not line.strip():
                    continue
                parsed = self.fast_score(line)
                if parsed is not None:
                    self.on_score(*parsed)
                    continue
                try:
                    message = json.loads(line)
                except ValueError as e:
                    self.error(f"malformed JSON from MIPareto: {e}")
                    continue
                if not isinstance(message, dict) or not isinstance(message.get("type"), str):
                    self.error("a message must be a JSON object with a \"type\"")
                    continue
                kind = message["type"]
                if kind == "stop":
                    return
                if kind == "start":
                    self.on_start(message)
                elif kind == "score":
                    self.on_score(message)
                else:
                    self.error(f"unknown message type {kind!r}")
        finally:
            self.backend.close()

    def on_start(self, message):
        if self.start is not None:
            self.error("a second start message")
            return
        try:
            self.start = Start(message)
            ready = self.backend.begin(message)
            names = [t["name"] for t in ready["tasks"]]
            if sorted(names) != sorted(self.start.tasks):
                raise ProtocolError(f"the evaluator's tasks {names} differ from the bundle's {self.start.tasks}")
        except Exception as e:
            if not isinstance(e, ProtocolError):
                traceback.print_exc(file=sys.stderr)
            self.error(f"cannot start: {_describe(e) if not isinstance(e, ProtocolError) else e}")
            raise SystemExit(1)
        self.ready = ready
        self.send(ready)

    def fast_score(self, line):
        """`(message, allocations)` of a well-formed `score` line, parsed ~4× faster than json.loads
        (the allocations are most of the line); None for anything else, which then takes the
        ordinary path and its precise errors."""
        if self.start is None:
            return None
        key = line.find('"allocations"')
        start = line.find("[", key) if key >= 0 else -1
        end = line.find("]]", start) + 2 if start >= 0 else 1
        if end < 2 or line[key + len('"allocations"'):start].strip() != ":":
            return None
        rows = line[start + 1:end - 1].replace(" ", "").split("],[")
        allocations = np.empty((len(rows), self.start.channels), dtype=np.int64)
        with warnings.catch_warnings():
            warnings.simplefilter("error")      # numpy warns (not raises) on a value it cannot read
            try:
                for i, row in enumerate(rows):
                    values = np.fromstring(row.strip("[]"), dtype=np.int64, sep=",")
                    if len(values) != self.start.channels:
                        return None
                    allocations[i] = values
                message = json.loads(line[:start] + "null" + line[end:])
            except (ValueError, DeprecationWarning):
                return None
        if not isinstance(message, dict) or message.get("type") != "score" or "allocations" not in message \
                or message["allocations"] is not None:
            return None
        return message, allocations

    def on_score(self, message, allocations=None):
        request_id = message.get("id")
        if isinstance(request_id, bool) or not isinstance(request_id, int):
            self.error(f"score: \"id\" must be an integer, got {json.dumps(request_id)}")
            return
        if self.ready is None:
            self.error("score before start", request_id)
            return
        split = message.get("split")
        if split not in self.ready["splits"]:
            self.error(f"split {json.dumps(split)} is not served (this evaluator serves {', '.join(self.ready['splits'])})", request_id)
            return
        try:
            allocations = self.allocations(message.get("allocations") if allocations is None else allocations)
        except ProtocolError as e:
            self.error(f"score: {e}", request_id)
            return
        tasks, rate = self.start.tasks, self.ready["measuresRate"]

        def reply(results=None, error=None):
            if error is None:
                try:
                    self.send({"type": "scores", "id": request_id, "results": _normalise(results, len(allocations), tasks, rate)})
                    return
                except ProtocolError as e:
                    error = str(e)
            self.error(error, request_id)

        self.backend.submit(split, allocations, reply)

    def allocations(self, value):
        """The allocations as an int64 array `[n, C]`, checked (`value`: the JSON list, or the fast path's array)."""
        c, b = self.start.channels, self.start.max_bits
        if isinstance(value, np.ndarray):
            array = value
        else:
            if not isinstance(value, list) or not value:
                raise ProtocolError("\"allocations\" must be a non-empty list of allocations")
            if any(not isinstance(a, list) or len(a) != c for a in value):
                bad = next(i for i, a in enumerate(value) if not isinstance(a, list) or len(a) != c)
                raise ProtocolError(f"allocation {bad} is not a list of {c} bit depths")
            array = np.array(value)
            if array.dtype.kind not in "iu":
                raise ProtocolError("bit depths must be integers")
        if array.size and (array.min() < 0 or array.max() > min(b, MAX_BITS)):
            i, ch = np.argwhere((array < 0) | (array > min(b, MAX_BITS)))[0]
            raise ProtocolError(f"allocation {i}: bit depth {array[i, ch]} for channel {ch} is outside 0…{b}")
        return array.astype(np.int64, copy=False)


def serve(evaluator, pool=None, *, input=None, output=None):
    """Speaks mipareto-evaluator/1 on stdin/stdout until `stop` or EOF.

    `evaluator`: an `Evaluator` (instance or class), or a function `metrics(split, features) ->
    {task: metric}`. `pool`: a `RayPool` to score batches on Ray actors, or None (this process).
    While serving, Python's `sys.stdout` (and file descriptor 1) point at stderr, so prints and
    library chatter never corrupt the protocol. A start that fails is answered with an `error`
    and ends the process with status 1.
    """
    evaluator = _as_evaluator(evaluator)
    if threading.current_thread() is threading.main_thread():
        # SIGTERM (MIPareto's second step when stopping) unwinds normally, so a local Ray is shut down.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if output is None:
        output = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
        sys.stdout.flush()
        os.dup2(2, 1)
        sys.stdout = sys.stderr
    if input is None:
        input = sys.stdin.buffer
    backend = pool.backend(evaluator) if pool is not None else _LocalBackend(evaluator)
    _Server(backend, input, output).run()


# ---------------------------------------------------------------------------------------------
# The pool on Ray (docs/scaling.md)
# ---------------------------------------------------------------------------------------------

class _ActorWorker:
    """What runs inside one Ray actor: the user's evaluator, set up once (again after a restart)."""

    def __init__(self, payload, paths, message):
        for p in paths:
            if p not in sys.path:
                sys.path.append(p)
        import ray.cloudpickle as cloudpickle

        self.failure, self.ready = None, None
        try:
            self.evaluator = cloudpickle.loads(payload)
            self.ready = _begin(self.evaluator, message)
        except Exception as e:
            traceback.print_exc(file=sys.stderr)
            self.failure = _describe(e)

    def ready_message(self):
        return ("error", self.failure) if self.failure else ("ok", self.ready)

    def score(self, split, allocations):
        if self.failure:
            return "error", self.failure
        try:
            return "ok", list(self.evaluator.score(split, allocations))
        except Exception as e:
            traceback.print_exc(file=sys.stderr)
            return "error", _describe(e)


class RayPool:
    """N Ray actors, each holding the evaluator once; a batch is cut into contiguous shares.

    `address`: None starts a local Ray (or joins `RAY_ADDRESS` when set), "auto" joins the cluster
    of this node, "ray://host:10001" a remote one. A killed actor is restarted (`max_restarts`)
    and its share retried (`max_task_retries`); a share that keeps failing, or an exception in
    the evaluator, becomes an `error` reply with the actor's message.
    """

    def __init__(self, actors=1, gpus_per_actor=0.0, cpus_per_actor=1.0, address=None, namespace=None,
                 max_restarts=3, max_task_retries=3, name_prefix="evaluator-"):
        if actors < 1:
            raise ValueError("a pool needs at least one actor")
        self.actors = int(actors)
        self.gpus_per_actor = float(gpus_per_actor)
        self.cpus_per_actor = float(cpus_per_actor)
        self.address = address
        self.namespace = namespace or f"mipareto-{os.getpid()}"
        self.max_restarts = int(max_restarts)
        self.max_task_retries = int(max_task_retries)
        self.name_prefix = name_prefix

    def actor_names(self):
        """The actors' names in `namespace` (for `ray.get_actor`)."""
        return [f"{self.name_prefix}{i}" for i in range(self.actors)]

    def backend(self, evaluator):
        return _RayBackend(self, evaluator)


class _RayBackend:
    def __init__(self, pool, evaluator):
        self.pool, self.evaluator = pool, evaluator
        self.handles, self.next_actor, self.started_ray = [], 0, False
        self.arguments = ()

    def begin(self, message):
        import ray
        import ray.cloudpickle as cloudpickle

        pool = self.pool
        options = {"namespace": pool.namespace, "include_dashboard": False, "logging_level": "warning"}
        if pool.address is None and not os.environ.get("RAY_ADDRESS"):
            needed = math.ceil(pool.actors * pool.cpus_per_actor)
            options["num_cpus"] = max(os.cpu_count() or 1, needed)
            self.started_ray = True
        ray.init(address=pool.address, **options)
        # Workers of a cluster started elsewhere cannot import this file: ship it by value. The
        # user's own modules are imported by reference, after the actor adds our sys.path to its own.
        cloudpickle.register_pickle_by_value(sys.modules[__name__])
        payload = cloudpickle.dumps(self.evaluator)
        paths = [p for p in [os.getcwd()] + sys.path if p and os.path.isdir(p)]
        # A restarted actor runs its constructor again with the same arguments. Ray moves large
        # arguments to the object store and frees them once the first construction is done, so a
        # restart would fail ("object has already been deleted"): put them there ourselves and
        # hold the references for the pool's lifetime (Ray still warns that constructor arguments
        # live in the object store: they do, on purpose, for as long as the pool exists).
        self.arguments = (ray.put(payload), ray.put(paths), ray.put(message))
        remote = ray.remote(_ActorWorker)
        for name in pool.actor_names():
            self.handles.append(remote.options(
                name=name, num_cpus=pool.cpus_per_actor, num_gpus=pool.gpus_per_actor,
                max_restarts=pool.max_restarts, max_task_retries=pool.max_task_retries,
            ).remote(*self.arguments))
        print(f"mipareto: {pool.actors} Ray actor(s) {', '.join(pool.actor_names())} in namespace {pool.namespace!r}",
              file=sys.stderr, flush=True)
        pending = {h.ready_message.remote(): i for i, h in enumerate(self.handles)}
        answers, waited = {}, 0
        while pending:
            done, _ = ray.wait(list(pending), num_returns=len(pending), timeout=30)
            for ref in done:
                i = pending.pop(ref)
                try:
                    answers[i] = ray.get(ref)
                except ray.exceptions.RayError as e:
                    answers[i] = ("error", f"actor {i} died while starting: {_first_line(e)}")
            if pending:
                waited += 30
                print(f"mipareto: still waiting for {len(pending)} actor(s) after {waited} s "
                      f"(cluster resources: {ray.available_resources()})", file=sys.stderr, flush=True)
        for i in range(len(self.handles)):
            status, value = answers[i]
            if status == "error":
                raise ProtocolError(f"actor {i}: {value}")
        return answers[0][1]

    def submit(self, split, allocations, reply):
        n, a = len(allocations), len(self.handles)
        shares = min(n, a)
        bounds = [n * k // shares for k in range(shares + 1)]
        refs = []
        for k in range(shares):
            actor = (self.next_actor + k) % a
            refs.append((actor, self.handles[actor].score.remote(split, allocations[bounds[k]:bounds[k + 1]])))
        # The next batch starts on the next actor, so small batches spread over the pool too.
        self.next_actor = (self.next_actor + shares) % a
        threading.Thread(target=self._collect, args=(refs, reply), daemon=True).start()

    @staticmethod
    def _collect(refs, reply):
        import ray

        results = []
        for actor, ref in refs:
            try:
                status, value = ray.get(ref)
            except ray.exceptions.RayError as e:
                reply(error=f"actor {actor} failed (after its restarts and retries): {_first_line(e)}")
                return
            if status == "error":
                reply(error=f"actor {actor}: {value}")
                return
            results.extend(value)
        reply(results=results)

    def close(self):
        if self.started_ray:
            import ray

            ray.shutdown()


def _first_line(error):
    lines = [l for l in str(error).splitlines() if l.strip()]
    return lines[0] if lines else type(error).__name__


def add_pool_arguments(parser):
    """Adds the pool's flags to an argparse parser: --actors, --gpus-per-actor, --cpus-per-actor,
    --ray-address, --ray-namespace, --max-restarts, --max-task-retries."""
    group = parser.add_argument_group("Ray evaluator pool (docs/scaling.md)")
    group.add_argument("--actors", type=int, default=0, help="score on N Ray actors (default: 0, in this process)")
    group.add_argument("--gpus-per-actor", type=float, default=0.0, help="GPUs per actor (1 = one actor per GPU)")
    group.add_argument("--cpus-per-actor", type=float, default=1.0, help="CPUs per actor (default 1)")
    group.add_argument("--ray-address", default=None, help="auto | ray://HOST:PORT | HOST:PORT (default: start a local Ray)")
    group.add_argument("--ray-namespace", default=None, help="namespace of the actors (default mipareto-PID)")
    group.add_argument("--max-restarts", type=int, default=3, help="restarts of a dead actor (default 3)")
    group.add_argument("--max-task-retries", type=int, default=3, help="retries of a share whose actor died (default 3)")
    return parser


def pool_from_arguments(args):
    """A `RayPool` from parsed `add_pool_arguments` flags, or None when --actors is 0."""
    if not args.actors:
        if args.ray_address or args.gpus_per_actor:
            raise SystemExit("error: --ray-address and --gpus-per-actor need --actors N")
        return None
    if args.actors < 0:
        raise SystemExit("error: --actors must be positive")
    return RayPool(actors=args.actors, gpus_per_actor=args.gpus_per_actor, cpus_per_actor=args.cpus_per_actor,
                   address=args.ray_address, namespace=args.ray_namespace,
                   max_restarts=args.max_restarts, max_task_retries=args.max_task_retries)


def main(evaluator, argv=None, description=None):
    """Parses the pool flags from `argv` and serves `evaluator`: the whole `__main__` of a script."""
    parser = add_pool_arguments(argparse.ArgumentParser(description=description))
    args = parser.parse_args(argv)
    serve(evaluator, pool=pool_from_arguments(args))
