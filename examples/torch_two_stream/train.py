#!/usr/bin/env python3
"""Trains the two-stream network on the embedded digits and exports its two-stream bundle.

    python3 examples/torch_two_stream/train.py            # ≈ 30 s on one CPU core

Data: examples/data/digits-pair-mini (two handwritten digits side by side, 8×16): the input
canvases `targets_recon.npy` and the labels `labels_left.npy`, `labels_right.npy`; training uses
its 1000 fit images only. Seeded, one thread, deterministic algorithms: the same run gives the same
weights on the same software. Writes examples/data/digits-two-stream/: the bundle (streams s0, s1
in float16, tasks left / right / recon without heads, outputs = the network on the stored
features) and the weights, two_stream.pt. The evaluator that scores it: evaluator.py beside this.
"""
import argparse
import os
import sys
import tempfile
import time

import numpy as np
import torch
from torch.nn import functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
from export_bundle import write_bundle  # noqa: E402
from model import TwoStream  # noqa: E402

DATA = os.path.join(HERE, "..", "data", "digits-pair-mini")
OUT = os.path.join(HERE, "..", "data", "digits-two-stream")


def load(split):
    def get(name):
        return torch.from_numpy(np.load(os.path.join(DATA, split, name)))
    return get("targets_recon.npy"), get("labels_left.npy"), get("labels_right.npy")


def train(epochs, seed, batch=50):
    torch.manual_seed(seed)
    images, left, right = load("fit")
    net = TwoStream()
    steps = epochs * (len(images) // batch)
    optimiser = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=3e-3, total_steps=steps)
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(len(images))
        for first in range(0, len(images) - batch + 1, batch):
            i = order[first:first + batch]
            out = net(images[i])
            # The reconstruction weight of the digits-pair network: the three losses of similar size.
            loss = (F.cross_entropy(out["left"], left[i]) + F.cross_entropy(out["right"], right[i])
                    + 20 * F.mse_loss(out["recon"], images[i]))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
        print(f"epoch {epoch + 1}/{epochs}: loss {loss.item():.4f}", file=sys.stderr)
    return net.eval()


@torch.inference_mode()
def export(net, out, fit_samples):
    streams, tasks = {}, {}
    images, left, right = {}, {}, {}
    for split in ("fit", "eval"):
        images[split], left[split], right[split] = load(split)
        if split == "fit":
            images[split], left[split], right[split] = (t[:fit_samples] for t in (images[split], left[split], right[split]))
        s0, s1 = net.front(images[split])
        # Stored as float16: the network's outputs are computed on exactly what the bundle holds.
        streams[split] = {"s0": s0.numpy().astype(np.float16), "s1": s1.numpy().astype(np.float16)}
        tasks[split] = net.back(*(torch.from_numpy(a.astype(np.float32)) for a in streams[split].values()))
    task_list = [
        {"name": name, "kind": "classification", "classes": 10,
         "labels": {s: labels[s].numpy() for s in ("fit", "eval")},
         "outputs": {s: tasks[s][name].argmax(1).numpy() for s in ("fit", "eval")}}
        for name, labels in (("left", left), ("right", right))
    ] + [{"name": "recon", "kind": "reconstruction", "peak": 1.0,
          "targets": {s: images[s].numpy() for s in ("fit", "eval")},
          "outputs": {s: tasks[s]["recon"].numpy() for s in ("fit", "eval")}}]
    description = (
        "Two split tensors of a ResNet-style network (examples/torch_two_stream/model.py) on the digits of "
        "digits-pair-mini (two UCI handwritten digits side by side, 8x16, noisy): s0 = skip stream [8, 8, 16] "
        "(after a stem conv+BN+ReLU and one residual block, 1x1 conv+BN+ReLU), s1 = deep stream [16, 4, 8] "
        "(stride-2 conv+BN+ReLU, residual block, 1x1 conv+BN+ReLU). The back-end (residual blocks, batch norm, "
        "both streams in every task) has no heads here: score it with examples/torch_two_stream/evaluator.py. "
        f"Tasks: left, right (digit, 10 classes), recon (the input image, PSNR). Trained by train.py on the "
        f"1000 fit images of digits-pair-mini; fit = the first {fit_samples} of them, eval = its 400 eval "
        "images (unseen digits). Features stored as float16; weights: two_stream.pt.")
    with tempfile.TemporaryDirectory() as scratch:
        weights = os.path.join(scratch, "two_stream.pt")
        torch.save(net.state_dict(), weights)
        write_bundle(out, "digits-two-stream", streams["fit"], streams["eval"], task_list,
                     description=description, feature_dtype=np.float16)
        os.replace(weights, os.path.join(out, "two_stream.pt"))
    for name in ("left", "right"):
        acc = float((tasks["eval"][name].argmax(1) == (left if name == "left" else right)["eval"]).float().mean())
        print(f"{name}: eval accuracy {acc:.4f}", file=sys.stderr)
    mse = float(F.mse_loss(tasks["eval"]["recon"].double(), images["eval"].double()))
    print(f"recon: eval PSNR {10 * np.log10(1 / mse):.3f} dB", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fit-samples", type=int, default=600, help="fit images exported (all 1000 train)")
    parser.add_argument("-o", "--out", default=OUT)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    started = time.time()
    net = train(args.epochs, args.seed)
    export(net, args.out, args.fit_samples)
    print(f"wrote {args.out} in {time.time() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
