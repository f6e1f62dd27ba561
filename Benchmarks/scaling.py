#!/usr/bin/env python3
"""How MIPareto's cost grows with the samples N and channels C of a bundle.

For every (N, C) of the grid, writes a headless synthetic bundle with `synthetic-bundle` (kept in
--workdir and reused), reads it once so the page cache holds it (--cold skips that), runs each
command of MIPareto on it, and prints wall time, peak anonymous memory (RssAnon: mapped file pages
are the page cache's, not the process's) and peak RSS; then fits time ≈ a·N^p·C^q per command by
least squares on the logarithms and prints p and q. It also checks recovery: the driver channels of
`cls` (drivers.json) must rank in MI's top 5 %. Patch MI and JMI run only on the smaller bundles
(LIMITS; --no-limits runs them everywhere).

    cd Benchmarks && swift build -c release --product synthetic-bundle && \\
      python3 scaling.py --bin ../.build/release/mipareto --workdir /var/tmp/mipareto-scaling --json scaling.json

The default grid (N ∈ {1000, 5000, 20000}, C ∈ {128, 512, 1024}, 14×14, float16) writes 26 GB of
bundles and takes about 20 minutes on 2 cores. Only the standard library and NumPy.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# name → arguments after the bundle; every command reads the whole bundle.
COMMANDS = {
    "inspect": ["inspect", "{b}", "--json"],
    "importance l1": ["importance", "{b}", "--measure", "l1", "--json"],
    "importance variance": ["importance", "{b}", "--measure", "variance", "--json"],
    "importance entropy": ["importance", "{b}", "--measure", "entropy", "--json"],
    "importance l2": ["importance", "{b}", "--measure", "l2", "--json"],
    "importance random": ["importance", "{b}", "--measure", "random", "--json"],
    "importance mi (pooled)": ["importance", "{b}", "--measure", "mi", "--json"],
    "importance mi (binned)": ["importance", "{b}", "--measure", "mi", "--estimator", "binned", "--json"],
    "importance mi (patch)": ["importance", "{b}", "--measure", "mi", "--estimator", "patch", "--json"],
    "importance mi-jmi": ["importance", "{b}", "--measure", "mi-jmi", "--json"],
    "allocate --no-score": ["allocate", "{b}", "--budget", "2", "--no-score", "--json"],
    "front --no-score": ["front", "{b}", "--methods", "ilp-mi,ilp-l1,ilp-variance,uniform,select-mi", "--budgets", "0.25:0.25:8",
                         "--no-score", "--quiet", "-o", "{out}"],
}


# Commands whose cost is far above the others' run only up to this N·C (samples × channels):
# patch MI runs a k-NN search per sample, channel and patch position (N·log N·C·H·W, minutes at
# 5000 × 1024), JMI compares every pair of channels (N·C²). The fit over the smaller bundles still
# gives their exponents.
LIMITS = {"importance mi (patch)": 20000 * 128, "importance mi-jmi": 5000 * 512}


def warm(bundle):
    """Reads every file of the bundle once, untimed: the commands are then timed on the page cache,
    not on the disk (a cold read of 3.8 GB took 14 s on this machine; --cold times that instead)."""
    for root, _, files in os.walk(bundle):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                while f.read(1 << 24):
                    pass


def memory_of(pid):
    """(RssAnon, VmRSS) in bytes of a live process, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        kib = lambda k: int(fields.get(k, "0 kB").split()[0]) * 1024
        return kib("RssAnon"), kib("VmRSS")
    except (FileNotFoundError, ProcessLookupError):
        return None


def measure(argv, timeout):
    """Runs argv; returns (seconds, peak RssAnon, peak RSS, exit status, stdout, last stderr line)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_anon = peak_rss = 0
    # Poll memory every 10 ms while it runs; communicate() in a thread keeps the pipes drained.
    import threading
    result = {}
    reader = threading.Thread(target=lambda: result.update(zip(("out", "err"), process.communicate())))
    reader.start()
    while process.poll() is None:
        m = memory_of(process.pid)
        if m:
            peak_anon, peak_rss = max(peak_anon, m[0]), max(peak_rss, m[1])
        if time.perf_counter() - start > timeout:
            process.kill()
        time.sleep(0.01)
    reader.join()
    seconds = time.perf_counter() - start
    err = (result.get("err") or "").strip().splitlines()
    return seconds, peak_anon, peak_rss, process.returncode, result.get("out", ""), err[-1] if err else ""


def fit_exponents(rows):
    """Least squares of log t = a + p log N + q log C over the rows that succeeded."""
    good = [(n, c, t) for n, c, t in rows if t is not None]
    if len(good) < 3 or len({n for n, _, _ in good}) < 2 or len({c for _, c, _ in good}) < 2:
        return None
    a = np.array([[1.0, np.log(n), np.log(c)] for n, c, _ in good])
    y = np.array([np.log(t) for _, _, t in good])
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    return coef[1], coef[2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.path.join(HERE, "..", ".build", "release", "mipareto"))
    parser.add_argument("--generator", default=os.path.join(HERE, ".build", "release", "synthetic-bundle"))
    parser.add_argument("--samples", default="1000,5000,20000", help="N per split, comma-separated")
    parser.add_argument("--channels", default="128,512,1024", help="C, comma-separated")
    parser.add_argument("--size", default="14x14", help="H x W of every channel")
    parser.add_argument("--dtype", default="f2")
    parser.add_argument("--workdir", default="/tmp/mipareto-scaling", help="bundles are written here and reused")
    parser.add_argument("--commands", default=",".join(COMMANDS), help="subset of: " + ", ".join(COMMANDS))
    parser.add_argument("--timeout", type=float, default=900, help="seconds per command before it is killed")
    parser.add_argument("--json", help="also write the measurements to this file")
    parser.add_argument("--no-limits", action="store_true", help="run patch MI and JMI at every size (see LIMITS)")
    parser.add_argument("--cold", action="store_true", help="do not read each bundle once before timing it")
    args = parser.parse_args()
    h, w = (int(v) for v in args.size.lower().split("x"))
    names = [c.strip() for c in args.commands.split(",") if c.strip()]
    grid = [(n, c) for n in map(int, args.samples.split(",")) for c in map(int, args.channels.split(","))]
    os.makedirs(args.workdir, exist_ok=True)
    rows = []
    print(f"{'command':24} {'N':>6} {'C':>5} {'time s':>8} {'RssAnon MiB':>12} {'RSS MiB':>8}  status", flush=True)
    for n, c in grid:
        skipped = [name for name in names if n * c > LIMITS.get(name, n * c) and not args.no_limits]
        for name in skipped:
            print(f"{name:24} {n:>6} {c:>5} {'—':>8} {'—':>12} {'—':>8}  skipped (N·C above {LIMITS[name]}; --no-limits runs it)", flush=True)
        if len(skipped) == len(names):
            continue  # no bundle to write or read for commands that all skip this point
        bundle = os.path.join(args.workdir, f"syn-n{n}-c{c}-{h}x{w}-{args.dtype}")
        if not os.path.exists(os.path.join(bundle, "drivers.json")):
            subprocess.run(["rm", "-rf", bundle], check=True)
            subprocess.run([args.generator, bundle, "--samples", str(n), "--channels", str(c), "--height", str(h), "--width", str(w),
                            "--dtype", args.dtype], check=True, stdout=subprocess.DEVNULL)
        drivers = json.load(open(os.path.join(bundle, "drivers.json")))
        if not args.cold:
            warm(bundle)
        for name in names:
            if name in skipped:
                continue
            out = os.path.join(args.workdir, "out-front")
            subprocess.run(["rm", "-rf", out])
            argv = [args.bin] + [a.format(b=bundle, out=out) for a in COMMANDS[name]]
            seconds, anon, rss, status, stdout, last = measure(argv, args.timeout)
            note = "ok" if status == 0 else f"exit {status}: {last[:90]}"
            if status == 0 and name.startswith("importance mi"):
                scores = json.loads(stdout)
                note += " · " + recovery(scores, drivers, c)
            print(f"{name:24} {n:>6} {c:>5} {seconds:>8.2f} {anon / 2**20:>12.0f} {rss / 2**20:>8.0f}  {note}", flush=True)
            rows.append({"command": name, "samples": n, "channels": c, "seconds": seconds if status == 0 else None,
                         "rssAnonBytes": anon, "rssBytes": rss, "status": status, "note": note})
    print("\nfitted exponents (time ≈ a·N^p·C^q)")
    for name in names:
        fit = fit_exponents([(r["samples"], r["channels"], r["seconds"]) for r in rows if r["command"] == name])
        print(f"  {name:24} " + ("p = %.2f, q = %.2f" % fit if fit else "not enough successful runs"))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


def recovery(document, drivers, channels):
    """Where the `cls` drivers rank in MI's scores (top 5 % is the target)."""
    tasks = document.get("scores") or document.get("tasks") or {}
    scores = tasks.get("cls") if isinstance(tasks, dict) else None
    if scores is None:
        return "no cls scores in the JSON"
    if isinstance(scores, dict):
        scores = scores.get("scores") or scores.get("values")
    order = list(np.argsort(-np.asarray(scores, dtype=float), kind="stable"))
    ranks = [order.index(d) for d in drivers["cls"]]
    top = max(1, int(np.ceil(0.05 * channels)))
    return f"cls drivers rank ≤ {max(ranks) + 1} of {channels} ({'within' if max(ranks) < top else 'OUTSIDE'} top 5 % = {top})"


if __name__ == "__main__":
    sys.exit(main())
