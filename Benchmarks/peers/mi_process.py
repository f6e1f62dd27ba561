#!/usr/bin/env python3
"""Peer for `compare-peers mi --only process`: pooled MI as a whole process, start to print.

Writes the data of mi_classif.py (the peers' pooled-MI data, first --d of the 256 columns) as a
headless feature bundle in --out: fit/features.npy float32 [N, D] (the dtype a network exports),
the class as a classification task's outputs and labels, the eval split pointing at the same
files. Then times, --runs times, a fresh Python process that imports NumPy and scikit-learn,
loads the two arrays and prints mutual_info_classif(X, y, n_neighbors=3, random_state=0) as
JSON: what a user of scikit-learn runs for the same answer. Prints one JSON line:
  {"n", "d", "seconds": [per run], "sklearn": [D], "true": [D], "sklearn_version"}
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

from mi_classif import make_data, true_mi_mixture

PEER = """
import json, sys
import numpy as np
from sklearn.feature_selection import mutual_info_classif
root = sys.argv[1]
X = np.load(root + "/fit/features.npy")
y = np.load(root + "/fit/outputs_cls.npy")
print(json.dumps(mutual_info_classif(X, y, n_neighbors=3, random_state=0).tolist()))
"""


def write_bundle(root, X, y):
    os.makedirs(os.path.join(root, "fit"), exist_ok=True)
    np.save(os.path.join(root, "fit/features.npy"), np.ascontiguousarray(X, dtype="<f4"))
    np.save(os.path.join(root, "fit/outputs_cls.npy"), y.astype("<i8"))
    np.save(os.path.join(root, "fit/labels_cls.npy"), y.astype("<i8"))
    bundle = {
        "format": "feature-bundle/1",
        "name": "mi-process",
        "description": "The peers' pooled-MI data (10 classes), headless.",
        "features": {"fit": "fit/features.npy", "eval": "fit/features.npy"},
        "tasks": [{"name": "cls", "kind": "classification", "classes": 10,
                   "outputs": {"fit": "fit/outputs_cls.npy", "eval": "fit/outputs_cls.npy"},
                   "labels": {"fit": "fit/labels_cls.npy", "eval": "fit/labels_cls.npy"}}],
    }
    with open(os.path.join(root, "bundle.json"), "w") as f:
        json.dump(bundle, f, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50000)
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    import sklearn

    X, y, mu = make_data(args.n, 256, 7)
    X, mu = X[:, :args.d], mu[:, :args.d]
    write_bundle(args.out, X, y)
    true = [true_mi_mixture(mu[:, j]) for j in range(args.d)]
    seconds, estimate = [], None
    for _ in range(args.runs):
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", PEER, args.out], check=True, capture_output=True, text=True).stdout
        seconds.append(time.perf_counter() - t)
        estimate = json.loads(out)
    print(json.dumps(dict(n=args.n, d=args.d, seconds=seconds, sklearn=estimate, true=true,
                          sklearn_version=sklearn.__version__)))


if __name__ == "__main__":
    main()
