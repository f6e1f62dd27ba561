"""Shared paths and helpers of the Python tests (run from the repository root: python3 -m pytest -q examples/tests)."""
import os
import sys

# Before NumPy loads: one BLAS thread, as in the evaluators (small matrices, a shared 2-core machine).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest  # noqa: E402

EXAMPLES = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, EXAMPLES)
sys.path.insert(0, os.path.join(EXAMPLES, "evaluators"))

MINI = os.path.join(EXAMPLES, "data", "digits-pair-mini")
TWO_STREAM = os.path.join(EXAMPLES, "data", "digits-two-stream")
# The full bundle lives outside the repository; tests that use it skip without it.
SHARED_FULL = os.path.join(EXAMPLES, "..", "..", "shared", "data", "digits-pair")
EVALUATORS = os.path.join(EXAMPLES, "evaluators")


def evaluator_command(script, *args):
    return [sys.executable, os.path.join(EXAMPLES, script), *args]


@pytest.fixture
def client_factory():
    """Starts evaluator processes (client.Client) and makes sure none outlives the test."""
    from client import Client

    started = []

    def make(command, **kwargs):
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        c = Client(command, env=env, **kwargs)
        started.append(c)
        return c

    yield make
    for c in started:
        if c.process.poll() is None:
            c.process.kill()
            c.process.wait()
