#!/usr/bin/env python3
"""Scripted faulty evaluators for MIPareto's protocol tests: `faulty.py --fault NAME [--after N]`.

Until the fault it behaves like a correct evaluator (clean 1.0, every metric 0.5). Faults:

  before ready: exit-before-ready, hang-before-ready, start-error (an `error` without id),
                garbage-before-ready (a non-JSON line, then a good ready), wrong-protocol
                (ready with mipareto-evaluator/2), ready-missing-task, ready-no-eval (serves
                search and report only)
  on the score request after N good replies (--after, default 0):
                exit-mid-run (status 4), killed-mid-run (SIGKILL to itself), malformed-json,
                wrong-id, wrong-count, unknown-task, missing-task, nan-metric (a bare NaN),
                inf-metric (Infinity), error-reply, hang
  at the end:   ignore-stop (stays alive after stop and EOF, ignores SIGTERM)

Each fault writes one line to stderr first (`faulty: …`), so tests can check it is passed on.
"""
import argparse
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mipareto  # noqa: E402

BEFORE_READY = ("exit-before-ready", "hang-before-ready", "start-error", "garbage-before-ready", "wrong-protocol",
                "ready-missing-task", "ready-no-eval")
ON_SCORE = ("exit-mid-run", "killed-mid-run", "malformed-json", "wrong-id", "wrong-count", "unknown-task",
            "missing-task", "nan-metric", "inf-metric", "error-reply", "hang")
FAULTS = BEFORE_READY + ON_SCORE + ("ignore-stop",)


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def log(text):
    print(f"faulty: {text}", file=sys.stderr, flush=True)


def hang():
    while True:
        time.sleep(3600)


def ready_message(start, fault):
    names = {t.name: t.metric for t in mipareto.read_bundle(start["bundleDirectory"]).tasks}
    tasks = list(start["tasks"])
    splits = ["search", "report"] if fault == "ready-no-eval" else list(mipareto.SPLITS)
    if fault == "ready-missing-task":
        tasks = tasks[:-1]
    return {"type": "ready", "protocol": "mipareto-evaluator/2" if fault == "wrong-protocol" else mipareto.PROTOCOL,
            "tasks": [{"name": t, "metric": names[t], "clean": {s: 1.0 for s in splits}} for t in tasks],
            "splits": splits, "measuresRate": False}


def scores_line(request, tasks, fault):
    count = len(request["allocations"])
    metrics = {t: 0.5 for t in tasks}
    if fault == "unknown-task":
        metrics["no-such-task"] = 0.5
    if fault == "missing-task":
        metrics.pop(tasks[-1])
    if fault in ("nan-metric", "inf-metric"):
        metrics[tasks[0]] = float("nan") if fault == "nan-metric" else float("inf")
    reply = {"type": "scores", "id": request["id"] + (1000 if fault == "wrong-id" else 0),
             "results": [{"metrics": metrics}] * (count - 1 if fault == "wrong-count" else count)}
    line = json.dumps(reply)   # Python writes NaN / Infinity: exactly the malformed reply wanted
    return line[: len(line) // 2] if fault == "malformed-json" else line


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fault", required=True, choices=FAULTS)
    parser.add_argument("--after", type=int, default=0, help="good score replies before the fault (default 0)")
    args = parser.parse_args()
    fault = args.fault
    if fault == "ignore-stop":
        signal.signal(signal.SIGTERM, lambda *_: log("ignoring SIGTERM"))
    good, tasks = 0, []
    for line in sys.stdin:
        message = json.loads(line)
        if message["type"] == "start":
            tasks = list(message["tasks"])
            if fault == "exit-before-ready":
                log("exiting with status 3 before ready (scripted fault)")
                sys.exit(3)
            if fault == "hang-before-ready":
                log("hanging before ready (scripted fault)")
                hang()
            if fault == "start-error":
                log("cannot load the model (scripted fault)")
                say(json.dumps({"type": "error", "message": "cannot load model.pt (scripted fault)"}))
                sys.exit(1)
            if fault == "garbage-before-ready":
                log("writing a non-JSON line before ready (scripted fault)")
                say("Loading model... done")
            say(json.dumps(ready_message(message, fault)))
        elif message["type"] == "score":
            if fault not in ON_SCORE or good < args.after:
                say(scores_line(message, tasks, None))
                good += 1
                continue
            log(f"{fault} on score request {message['id']} (scripted fault)")
            if fault == "exit-mid-run":
                sys.exit(4)
            if fault == "killed-mid-run":
                os.kill(os.getpid(), signal.SIGKILL)
            if fault == "hang":
                hang()
            if fault == "error-reply":
                say(json.dumps({"type": "error", "id": message["id"], "message": "CUDA out of memory on device 1 (scripted fault)"}))
            else:
                say(scores_line(message, tasks, fault))
        elif message["type"] == "stop":
            break
    if fault == "ignore-stop":
        log("ignoring stop and EOF (scripted fault)")
        hang()


if __name__ == "__main__":
    main()
