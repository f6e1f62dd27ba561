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

Only NumPy is needed to write a bundle; PyTorch is needed only for `head_from_torch`.
Supported head layers: Conv2d (groups=1, dilation=1, zero padding), Linear, ReLU, Sigmoid,
MaxPool2d, AvgPool2d (no padding), Upsample(mode="nearest", integer factor), Flatten.
"""
import json
import os

import numpy as np


def _np(a, dtype):
    if hasattr(a, "detach"):
        a = a.detach().cpu().numpy()
    return np.ascontiguousarray(np.asarray(a), dtype=dtype)


def head_from_torch(sequential, input_shape):
    """Turns an nn.Sequential head into MIPareto's layer list (weights as float32 arrays)."""
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
    return {"input_shape": [int(d) for d in input_shape], "layers": layers}


def run_head(head, x):
    """Runs a head (layer list of head_from_torch) on x [N, C, H, W] in float64: the bundle's outputs."""
    x = np.asarray(x, dtype=np.float64)
    for layer in head["layers"]:
        t = layer["type"]
        if t == "conv2d":
            w = layer["weight"].astype(np.float64)
            b = layer.get("bias")
            s, p = layer.get("stride", 1), layer.get("padding", 0)
            n, c, h, wd = x.shape
            o, _, kh, kw = w.shape
            xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
            ho, wo = (h + 2 * p - kh) // s + 1, (wd + 2 * p - kw) // s + 1
            y = np.zeros((n, o, ho, wo))
            for i in range(kh):
                for j in range(kw):
                    patch = xp[:, :, i:i + s * ho:s, j:j + s * wo:s]
                    y += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
            if b is not None:
                y += b.astype(np.float64)[None, :, None, None]
            x = y
        elif t == "dense":
            x = x @ layer["weight"].astype(np.float64).T
            if layer.get("bias") is not None:
                x = x + layer["bias"].astype(np.float64)
        elif t == "relu":
            x = np.maximum(x, 0)
        elif t == "sigmoid":
            x = 1 / (1 + np.exp(-x))
        elif t in ("maxpool2d", "avgpool2d"):
            k, s = layer["size"], layer.get("stride", layer["size"])
            n, c, h, wd = x.shape
            ho, wo = (h - k) // s + 1, (wd - k) // s + 1
            win = np.stack([x[:, :, i:i + s * ho:s, j:j + s * wo:s] for i in range(k) for j in range(k)])
            x = win.max(0) if t == "maxpool2d" else win.mean(0)
        elif t == "upsample2d":
            f = layer["factor"]
            x = x.repeat(f, axis=2).repeat(f, axis=3)
        elif t == "flatten":
            x = x.reshape(x.shape[0], -1)
        else:
            raise ValueError(f"unknown layer type {t}")
    return x


def write_bundle(directory, name, features_fit, features_eval, tasks, description=""):
    """Writes bundle.json, the feature/label/output arrays and the heads under `directory`."""
    for sub in ("fit", "eval", "heads"):
        os.makedirs(os.path.join(directory, sub), exist_ok=True)
    feats = {"fit": _np(features_fit, np.float32), "eval": _np(features_eval, np.float32)}
    for split, f in feats.items():
        np.save(os.path.join(directory, split, "features.npy"), f)
    entries = []
    for task in tasks:
        tname, kind = task["name"], task["kind"]
        head = task["head"]
        layers = []
        for i, layer in enumerate(head["layers"]):
            spec = {k: v for k, v in layer.items() if k not in ("weight", "bias")}
            for key in ("weight", "bias"):
                if layer.get(key) is not None:
                    rel = f"heads/{tname}_{i}_{key[0]}.npy"
                    np.save(os.path.join(directory, rel), _np(layer[key], np.float32))
                    spec[key] = rel
            layers.append(spec)
        with open(os.path.join(directory, "heads", f"{tname}.json"), "w") as fh:
            json.dump({"input_shape": head["input_shape"], "layers": layers}, fh, indent=1)
        entry = {"name": tname, "kind": kind, "head": f"heads/{tname}.json"}
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
                y = run_head(head, feats[split])
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
    bundle = {
        "format": "feature-bundle/1",
        "name": name,
        "description": description,
        "features": {"fit": "fit/features.npy", "eval": "eval/features.npy"},
        "tasks": entries,
    }
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
