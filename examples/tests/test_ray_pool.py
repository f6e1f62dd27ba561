"""The evaluator pool on a real local Ray (skipped when ray is not importable).

The test process starts one Ray cluster; every evaluator joins it with --ray-address, so the test
can reach the actors by name (ray.kill) and the cluster starts once.
"""
import os
import time

import numpy as np
import pytest

from conftest import MINI, TWO_STREAM, evaluator_command

ray = pytest.importorskip("ray")
NAMESPACE = "mipareto-tests"


@pytest.fixture(scope="module")
def setup_log(tmp_path_factory):
    return str(tmp_path_factory.mktemp("ray") / "setups.txt")


@pytest.fixture(scope="module")
def address(setup_log):
    # Ray's workers inherit this process's environment: scripted_evaluator logs each set-up there.
    os.environ["SCRIPTED_SETUP_LOG"] = setup_log
    ray.init(num_cpus=2, include_dashboard=False, namespace=NAMESPACE, logging_level="warning")
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


def scripted(address, actors, *flags):
    return evaluator_command("tests/scripted_evaluator.py", "class", "--actors", str(actors), "--ray-address", address,
                             "--ray-namespace", NAMESPACE, *flags)


def allocations(count, seed):
    """Random depths 0…8; channel 0 kept below 6, where scripted_evaluator misbehaves on purpose."""
    a = np.random.default_rng(seed).integers(0, 9, (count, 32))
    a[:, 0] %= 6
    return a


def test_one_and_two_actors_give_the_in_process_results(client_factory, address):
    requests = [(1, "search", allocations(7, 1)), (2, "report", allocations(2, 2)), (3, "fit", allocations(1, 3))]
    answers = []
    for command in (evaluator_command("tests/scripted_evaluator.py", "class"), scripted(address, 1), scripted(address, 2)):
        client = client_factory(command)
        ready = client.start(MINI, timeout=180)
        assert ready["type"] == "ready", ready
        answers.append((ready, client.score(requests)))
        assert client.stop() == 0
    assert answers[0] == answers[1] == answers[2]
    assert all(r["type"] == "scores" for r in answers[2][1].values())


def test_a_killed_actor_is_restarted_and_its_share_retried(client_factory, address, setup_log):
    client = client_factory(scripted(address, 2, "--ray-namespace", NAMESPACE + "-kill"))
    assert client.start(MINI, timeout=180)["type"] == "ready"
    batch = allocations(40, 4)          # on search: about half a second of work per actor
    undisturbed = client.score([(1, "search", batch)])[1]
    with open(setup_log) as fh:
        setups = len(fh.readlines())
    client.send({"type": "score", "id": 2, "split": "search", "allocations": batch.tolist()})
    time.sleep(0.3)
    ray.kill(ray.get_actor("evaluator-0", namespace=NAMESPACE + "-kill"), no_restart=False)
    assert client.lines.empty(), "the batch was done before the kill: make it longer"
    disturbed = client.receive(timeout=180)
    assert disturbed["type"] == "scores", disturbed
    assert disturbed["results"] == undisturbed["results"]
    with open(setup_log) as fh:
        assert len(fh.readlines()) == setups + 1       # the restarted actor set the evaluator up again
    assert client.stop() == 0


def test_a_share_that_keeps_failing_becomes_an_error_reply(client_factory, address):
    client = client_factory(scripted(address, 1, "--max-restarts", "0", "--max-task-retries", "0", "--ray-namespace", NAMESPACE + "-no-restart"))
    assert client.start(MINI, timeout=180)["type"] == "ready"
    client.send({"type": "score", "id": 5, "split": "search", "allocations": allocations(40, 5).tolist()})
    time.sleep(0.3)
    ray.kill(ray.get_actor("evaluator-0", namespace=NAMESPACE + "-no-restart"), no_restart=True)
    reply = client.receive(timeout=120)
    assert reply["type"] == "error" and reply["id"] == 5 and "actor 0 failed" in reply["message"], reply
    assert client.stop() == 0


def test_the_actors_errors_arrive_as_error_replies(client_factory, address):
    client = client_factory(scripted(address, 2))
    assert client.start(MINI, timeout=180)["type"] == "ready"
    failing = allocations(4, 6)
    failing[2, 0] = 6                                   # the first allocation of actor 1's share
    nan = allocations(2, 7)
    nan[0, 0] = 7
    replies = client.score([(1, "search", failing), (2, "search", nan), (3, "search", allocations(3, 8))])
    assert replies[1] == {"type": "error", "id": 1, "message": "actor 1: RuntimeError: scripted failure for an allocation starting with 6"}
    assert replies[2]["type"] == "error" and "metric of task 'left' is nan" in replies[2]["message"]
    assert replies[3]["type"] == "scores"
    assert client.stop() == 0


def test_an_actor_that_cannot_start_answers_error(client_factory, address):
    client = client_factory(scripted(address, 1))
    reply = client.start(TWO_STREAM, timeout=180)
    assert reply["type"] == "error" and "id" not in reply
    assert reply["message"].startswith("cannot start: actor 0: ValueError: task(s) left, right, recon")
    assert client.process.wait(60) == 1
