#!/usr/bin/env python3
"""A small client of mipareto-evaluator/1: try an evaluator without MIPareto (and drive it in tests).

    python3 examples/evaluators/client.py BUNDLE -- python3 my_evaluator.py --device cuda

sends the `start` MIPareto would send for BUNDLE, prints `ready`, scores every channel at
0…max-bits on `search` in one batch, prints the metrics and the time per allocation, and stops.
"""
import argparse
import json
import os
import queue
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mipareto  # noqa: E402


class Client:
    """An evaluator process: JSON lines in and out, stderr collected in `stderr_lines`."""

    def __init__(self, command, env=None, cwd=None):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        env=env, cwd=cwd)
        self.lines, self.stderr_lines = queue.Queue(), []
        threading.Thread(target=self._read, args=(self.process.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._read, args=(self.process.stderr, self.stderr_lines.append), daemon=True).start()

    @staticmethod
    def _read(stream, sink):
        for line in iter(stream.readline, b""):
            sink(line.decode("utf-8", errors="replace").rstrip("\n"))
        sink(None)

    def send(self, message):
        self.process.stdin.write(((message if isinstance(message, str) else json.dumps(message)) + "\n").encode())
        self.process.stdin.flush()

    def receive_line(self, timeout=120):
        """The next stdout line (None at EOF); TimeoutError after `timeout` seconds."""
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no reply within {timeout} s; stderr: {self.stderr_lines[-5:]}") from None

    def receive(self, timeout=120):
        line = self.receive_line(timeout)
        if line is None:
            raise EOFError(f"the evaluator closed stdout (status {self.process.wait()}); stderr: {self.stderr_lines[-5:]}")
        return json.loads(line)

    def start(self, bundle, max_bits=8, timeout=120):
        self.send(mipareto.start_message(bundle, max_bits))
        return self.receive(timeout)

    def score(self, requests, timeout=120):
        """Sends every (id, split, allocations) at once; returns {id: reply} however they arrive."""
        for request_id, split, allocations in requests:
            self.send({"type": "score", "id": request_id, "split": split,
                       "allocations": [[int(b) for b in a] for a in allocations]})
        replies = {}
        while len(replies) < len(requests):
            reply = self.receive(timeout)
            replies[reply.get("id")] = reply
        return replies

    def stop(self, timeout=30):
        try:
            self.send({"type": "stop"})
            self.process.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle")
    parser.add_argument("--max-bits", type=int, default=8)
    parser.add_argument("--split", default="search")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- the evaluator's command line")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the evaluator's command after --")
    bundle = mipareto.read_bundle(args.bundle)
    client = Client(command)
    started = time.perf_counter()
    ready = client.start(bundle, args.max_bits)
    print(f"ready after {time.perf_counter() - started:.2f} s: {json.dumps(ready)}")
    allocations = [[b] * bundle.channels for b in range(args.max_bits + 1)]
    started = time.perf_counter()
    reply = client.score([(1, args.split, allocations)])[1]
    seconds = time.perf_counter() - started
    if reply["type"] != "scores":
        print(json.dumps(reply))
    else:
        for b, result in enumerate(reply["results"]):
            print(f"{b} bits: {json.dumps(result['metrics'])}")
    print(f"{1000 * seconds / len(allocations):.2f} ms per allocation; evaluator exit status {client.stop()}")


if __name__ == "__main__":
    main()
