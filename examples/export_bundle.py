#!/usr/bin/env python3
"""Write a MIPareto feature bundle (feature-bundle/1) from your own split network.

Use it from your training code after a forward pass:

    from export_bundle import write_bundle, head_from_torch

    # trunk = the device side; heads = {task name: the server-side nn.Sequential}
    feats_fit, feats_eval = trunk(x_fit), trunk(x_eval)            # [N, C, H, W] tensors
    tasks = [
        {"name": "cls", "kind": "classification", "classes": 10,
         "labels": {"fit": y_fit, "eval": y_eval},                   # int64 [N]
         "head": head_from_torch(heads["cls"], feats_fit.shape[1:])},
        {"name": "seg", "kind": "segmentation", "classes": 21,
         "labels": {"fit": m_fit, "eval": m_eval},                   # int64 [N, H', W'], -1 = ignore
         "head": head_from_torch(heads["seg"], feats_fit.shape[1:])},
        {"name": "rec", "kind": "reconstruction", "peak": 1.0,
         "targets": {"fit": img_fit, "eval": img_eval},              # float32 [N, K, H', W']
         "head": head_from_torch(heads["rec"], feats_fit.shape[1:])},
    ]
    write_bundle("my-bundle", "my-network", feats_fit, feats_eval, tasks)

`outputs_<task>.npy` (what the network itself predicts on clean features, the target of mutual
information by default) is computed here by running each head in float64 NumPy, so the bundle is
self-consistent; pass "outputs" in a task to use your own instead.

A network whose back-end is not a sequential head (batch norm, residual blocks, several split
tensors) is written as a multi-stream bundle whose tasks have no heads; MIPareto then scores it
through your own evaluator (docs/evaluator.md):

    write_bundle("my-bundle", "my-network",
                 {"skip": skip_fit, "deep": deep_fit}, {"skip": skip_eval, "deep": deep_eval},
                 [{"name": "cls", "kind": "classification", "classes": 10,
                   "labels": {"fit": y_fit, "eval": y_eval},
                   "outputs": {"fit": pred_fit, "eval": pred_eval}}],   # the network on clean features
                 feature_dtype=np.float16)                                 # halves the files

Streams keep the order of the dicts; a head in a multi-stream bundle names its stream
(`head_from_torch(seq, shape, input="deep")`). The bundle is written into a temporary folder beside
`directory`, read back with `mipareto.read_bundle` and only then moved into place, so a failed
export never leaves a half-written bundle.

Only NumPy is needed to write a bundle; PyTorch is needed only for `head_from_torch`.
Supported head layers: Conv2d (groups=1, dilation=1, zero padding), Linear, ReLU, Sigmoid,
MaxPool2d, AvgPool2d (no padding), Upsample(mode="nearest", integer factor), Flatten.
"""
import json
import os
import shutil
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mipareto import read_bundle, run_head  # noqa: E402  (run_head: the float64 head, re-exported)


def _np(a, dtype):
    if hasattr(a, "detach"):
        a = a.detach().cpu().numpy()
    return np.ascontiguousarray(np.asarray(a), dtype=dtype)


def head_from_torch(sequential, input_shape, input=None):
    """Turns an nn.Sequential head into MIPareto's layer list (weights as float32 arrays).

    `input` names the stream the head reads (needed in a multi-stream bundle)."""
    import torch.nn as nn

    layers = []
    for m in sequential:
        if isinstance(m, nn.Conv2d):
            if m.groups != 1 or m.dilation not in ((1, 1), 1) or m.padding_mode != "zeros":
                raise ValueError(f"unsupported Conv2d settings: {m}")
            stride = m.stride[0] if isinstance(m.stride, tuple) else m.stride
            padding = m.padding[0] if isinstance(m.padding, tuple) else m.padding
            layer = {"type": "conv2d", "weight": _np(m.weight, np.float32), "stride": int(stride), "padding": int(padding)}
            if m.bias is not None:
                layer["bias"] = _np(m.bias, np.float32)
            layers.append(layer)
        elif isinstance(m, nn.Linear):
            layer = {"type": "dense", "weight": _np(m.weight, np.float32)}
            if m.bias is not None:
                layer["bias"] = _np(m.bias, np.float32)
            layers.append(layer)
        elif isinstance(m, nn.ReLU):
            layers.append({"type": "relu"})
        elif isinstance(m, nn.Sigmoid):
            layers.append({"type": "sigmoid"})
        elif isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
            k = m.kernel_size if isinstance(m.kernel_size, int) else m.kernel_size[0]
            s = m.stride if isinstance(m.stride, int) else m.stride[0]
            if (m.padding if isinstance(m.padding, int) else m.padding[0]) != 0:
                raise ValueError(f"pooling with padding is not supported: {m}")
            kind = "maxpool2d" if isinstance(m, nn.MaxPool2d) else "avgpool2d"
            layers.append({"type": kind, "size": int(k), "stride": int(s)})
        elif isinstance(m, nn.Upsample):
            if m.mode != "nearest" or m.scale_factor is None:
                raise ValueError(f"only nearest upsampling by an integer factor is supported: {m}")
            layers.append({"type": "upsample2d", "factor": int(m.scale_factor)})
        elif isinstance(m, nn.Flatten):
            layers.append({"type": "flatten"})
        else:
            raise ValueError(f"unsupported head layer: {m}")
    head = {"input_shape": [int(d) for d in input_shape], "layers": layers}
    if input is not None:
        head["input"] = input
    return head


def write_bundle(directory, name, features_fit, features_eval, tasks, description="", feature_dtype=np.float32):
    """Writes bundle.json, the feature/label/output arrays and the heads under `directory`.

    `features_fit` / `features_eval`: one array `[N, C, H, W]` or `[N, C]` (a `features` bundle),
    or a dict {stream name: array} (a multi-stream bundle, streams in dict order). A task without
    "head" must bring its "outputs" (what the network predicts on the clean features, as stored).
    `feature_dtype`: np.float32, np.float16 or np.float64 for the feature files.
    """
    if np.dtype(feature_dtype).str not in ("<f2", "<f4", "<f8"):
        raise ValueError(f"feature_dtype must be float16, float32 or float64, got {np.dtype(feature_dtype)}")
    multi = isinstance(features_fit, dict)
    if multi != isinstance(features_eval, dict) or (multi and list(features_fit) != list(features_eval)):
        raise ValueError("features_fit and features_eval must both be arrays, or dicts with the same streams")
    fit = features_fit if multi else {"features": features_fit}
    evl = features_eval if multi else {"features": features_eval}
    parent = os.path.dirname(os.path.abspath(directory))
    os.makedirs(parent, exist_ok=True)
    work = tempfile.mkdtemp(prefix=f".{os.path.basename(os.path.abspath(directory))}.", dir=parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(work, 0o777 & ~umask)   # mkdtemp makes it private; a bundle is an ordinary folder
    try:
        _write(work, name, description, fit, evl, tasks, multi, feature_dtype)
        read_bundle(work)   # validate before it replaces anything
        if os.path.exists(directory):
            shutil.rmtree(directory)
        os.rename(work, directory)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _write(directory, name, description, fit, evl, tasks, multi, feature_dtype):
    for sub in ("fit", "eval") + (("heads",) if any(t.get("head") is not None for t in tasks) else ()):
        os.makedirs(os.path.join(directory, sub), exist_ok=True)
    feats = {"fit": {}, "eval": {}}
    for split, streams in (("fit", fit), ("eval", evl)):
        for stream, array in streams.items():
            stored = _np(array, feature_dtype)
            np.save(os.path.join(directory, split, f"{stream}.npy"), stored)
            feats[split][stream] = stored.astype(np.float32)   # what MIPareto reads back
    entries = []
    for task in tasks:
        tname, kind = task["name"], task["kind"]
        head = task.get("head")
        entry = {"name": tname, "kind": kind}
        if head is not None:
            layers = []
            for i, layer in enumerate(head["layers"]):
                spec = {k: v for k, v in layer.items() if k not in ("weight", "bias")}
                for key in ("weight", "bias"):
                    if layer.get(key) is not None:
                        rel = f"heads/{tname}_{i}_{key[0]}.npy"
                        np.save(os.path.join(directory, rel), _np(layer[key], np.float32))
                        spec[key] = rel
                layers.append(spec)
            spec = {"input_shape": head["input_shape"], "layers": layers}
            if "input" in head:
                spec["input"] = head["input"]
            with open(os.path.join(directory, "heads", f"{tname}.json"), "w") as fh:
                json.dump(spec, fh, indent=1)
            entry["head"] = f"heads/{tname}.json"
        elif "outputs" not in task:
            raise ValueError(f"task {tname!r} has neither a head nor outputs")
        truth_key = "targets" if kind == "reconstruction" else "labels"
        entry[truth_key], entry["outputs"] = {}, {}
        for split in ("fit", "eval"):
            truth = task[truth_key][split]
            truth = _np(truth, np.float32 if kind == "reconstruction" else np.int64)
            path = f"{split}/{truth_key}_{tname}.npy"
            np.save(os.path.join(directory, path), truth)
            entry[truth_key][split] = path
            if "outputs" in task:
                out = task["outputs"][split]
            else:
                x = feats[split][head.get("input", next(iter(feats[split])))]
                y = run_head(head, x)
                out = y if kind == "reconstruction" else y.argmax(axis=1)
            out = _np(out, np.float32 if kind == "reconstruction" else np.int64)
            path = f"{split}/outputs_{tname}.npy"
            np.save(os.path.join(directory, path), out)
            entry["outputs"][split] = path
        if kind in ("classification", "segmentation"):
            entry["classes"] = int(task["classes"])
        if kind == "reconstruction":
            entry["peak"] = float(task.get("peak", 1.0))
        entries.append(entry)
    bundle = {"format": "feature-bundle/1", "name": name, "description": description}
    if multi:
        bundle["streams"] = [{"name": s, "fit": f"fit/{s}.npy", "eval": f"eval/{s}.npy"} for s in fit]
    else:
        bundle["features"] = {"fit": "fit/features.npy", "eval": "eval/features.npy"}
    bundle["tasks"] = entries
    with open(os.path.join(directory, "bundle.json"), "w") as fh:
        json.dump(bundle, fh, indent=1)


if __name__ == "__main__":
    # A self-contained check without PyTorch: re-export the embedded example's arrays and heads.
    import sys

    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "digits-pair-mini")
    out = sys.argv[1] if len(sys.argv) > 1 else "exported-bundle"
    meta = json.load(open(os.path.join(src, "bundle.json")))
    load = lambda rel: np.load(os.path.join(src, rel))
    tasks = []
    for t in meta["tasks"]:
        hj = json.load(open(os.path.join(src, t["head"])))
        head = {"input_shape": hj["input_shape"], "layers": []}
        for layer in hj["layers"]:
            layer = dict(layer)
            for key in ("weight", "bias"):
                if key in layer:
                    layer[key] = load(layer[key])
            head["layers"].append(layer)
        truth_key = "targets" if t["kind"] == "reconstruction" else "labels"
        task = {"name": t["name"], "kind": t["kind"], "head": head,
                truth_key: {s: load(t[truth_key][s]) for s in ("fit", "eval")}}
        if "classes" in t:
            task["classes"] = t["classes"]
        tasks.append(task)
    write_bundle(out, "digits-pair-mini-reexported", load("fit/features.npy"), load("eval/features.npy"), tasks,
                 description="digits-pair-mini re-exported by examples/export_bundle.py")
    print(f"wrote {out}")
