"""serve() through a real subprocess: start/ready, score/scores, errors, several requests in flight, stop/EOF."""
import json
import os

import numpy as np
import pytest

import mipareto
from conftest import MINI, TWO_STREAM, evaluator_command

NUMPY_HEADS = evaluator_command("evaluators/numpy_heads.py")
SCRIPTED = evaluator_command("tests/scripted_evaluator.py", "class")


@pytest.fixture(scope="module")
def reference():
    with open(os.path.join(MINI, "reference.json")) as fh:
        return json.load(fh)


def test_ready_and_scores_match_the_reference(client_factory, reference):
    client = client_factory(NUMPY_HEADS)
    ready = client.start(MINI)
    assert ready["type"] == "ready" and ready["protocol"] == mipareto.PROTOCOL
    assert ready["splits"] == ["fit", "eval", "search", "report"] and ready["measuresRate"] is False
    assert [(t["name"], t["metric"]) for t in ready["tasks"]] == [("left", "accuracy"), ("right", "accuracy"),
                                                                   ("sum_ge_10", "accuracy"), ("recon", "psnr")]
    for t in ready["tasks"]:
        for split in ("fit", "eval"):
            assert t["clean"][split] == reference["clean"][t["name"]][split][t["metric"]]
    bits = reference["uniform_quantisation_eval"]["bits"]
    reply = client.score([(3, "eval", [[b] * 32 for b in bits])])[3]
    assert reply["type"] == "scores" and len(reply["results"]) == len(bits)
    for b, result in zip(bits, reply["results"]):
        for task, value in result["metrics"].items():
            expected = reference["uniform_quantisation_eval"]["tasks"][task][str(b)]
            if task == "recon":   # float32 x̂ against the reference's float64 x̂ (see test_reference)
                assert value == pytest.approx(expected["psnr"], rel=1e-7, abs=0)
            else:
                assert value == expected["accuracy"]
    assert client.stop() == 0


def test_several_requests_in_flight_get_their_own_replies(client_factory):
    rng = np.random.default_rng(11)
    requests = [(i, split, rng.integers(0, 9, (k, 32))) for i, (split, k) in
                enumerate([("search", 3), ("report", 1), ("fit", 2), ("search", 4)], start=40)]
    client = client_factory(NUMPY_HEADS)
    client.start(MINI)
    together = client.score(requests)
    one_by_one = {i: client.score([(i, s, a)])[i] for i, s, a in requests}
    assert sorted(together) == [40, 41, 42, 43]
    for i, split, allocations in requests:
        assert together[i]["type"] == "scores" and len(together[i]["results"]) == len(allocations)
        assert together[i] == one_by_one[i]
    # Different allocations, different metrics: the replies are not all one answer.
    assert together[40]["results"][0] != together[43]["results"][0]
    assert client.stop() == 0


def test_bad_requests_get_errors_and_serving_goes_on(client_factory):
    client = client_factory(NUMPY_HEADS)
    client.send({"type": "score", "id": 1, "split": "eval", "allocations": [[1] * 32]})
    assert client.receive() == {"type": "error", "message": "score before start", "id": 1}
    client.start(MINI, max_bits=4)
    cases = [({"type": "score", "id": 2, "split": "eval", "allocations": [[5] * 32]}, "bit depth 5 for channel 0 is outside 0…4"),
             ({"type": "score", "id": 3, "split": "eval", "allocations": [[1] * 31]}, "allocation 0 is not a list of 32 bit depths"),
             ({"type": "score", "id": 4, "split": "eval", "allocations": [[1.5] * 32]}, "bit depths must be integers"),
             ({"type": "score", "id": 5, "split": "test", "allocations": [[1] * 32]}, "split \"test\" is not served"),
             ({"type": "score", "id": 6, "split": "eval", "allocations": []}, "must be a non-empty list")]
    for message, text in cases:
        client.send(message)
        reply = client.receive()
        assert reply["type"] == "error" and reply["id"] == message["id"] and text in reply["message"], reply
    client.send({"type": "hello", "id": 9})
    reply = client.receive()
    assert reply["type"] == "error" and "unknown message type 'hello'" in reply["message"] and "id" not in reply
    client.send("{not json")
    reply = client.receive()
    assert reply["type"] == "error" and "malformed JSON" in reply["message"] and "id" not in reply
    assert client.score([(10, "eval", [[4] * 32])])[10]["type"] == "scores"
    assert client.stop() == 0


def test_nan_is_refused_and_exceptions_are_reported(client_factory):
    client = client_factory(SCRIPTED)
    assert client.start(MINI)["type"] == "ready"     # setup's prints did not reach the protocol
    replies = client.score([(1, "search", [[7] * 32, [3] * 32]), (2, "search", [[6] * 32]), (3, "search", [[3] * 32])])
    assert replies[1]["type"] == "error" and "metric of task 'left' is nan" in replies[1]["message"]
    assert replies[2] == {"type": "error", "id": 2, "message": "RuntimeError: scripted failure for an allocation starting with 6"}
    assert replies[3]["type"] == "scores"
    assert client.stop() == 0
    assert "user print from setup" in client.stderr_lines and "raw write to fd 1 from setup" in client.stderr_lines


def test_the_function_form_serves_the_same_numbers(client_factory):
    rng = np.random.default_rng(2)
    request = [(1, "report", rng.integers(0, 9, (3, 32)))]
    numbers = []
    for command in (NUMPY_HEADS, evaluator_command("tests/scripted_evaluator.py", "function", MINI)):
        client = client_factory(command)
        ready = client.start(MINI)
        numbers.append((ready, client.score(request)[1]))
        assert client.stop() == 0
    assert numbers[0] == numbers[1]
    assert "user print from metrics" in client.stderr_lines


def test_eof_ends_the_evaluator_with_status_0(client_factory):
    client = client_factory(NUMPY_HEADS)
    client.start(MINI)
    client.process.stdin.close()
    assert client.process.wait(30) == 0


def test_another_protocol_version_is_refused(client_factory):
    client = client_factory(NUMPY_HEADS)
    start = mipareto.start_message(MINI)
    start["protocol"] = "mipareto-evaluator/2"
    client.send(start)
    reply = client.receive()
    assert reply == {"type": "error", "message": "cannot start: this evaluator speaks mipareto-evaluator/1, MIPareto sent \"mipareto-evaluator/2\""}
    assert client.process.wait(30) == 1


def test_a_setup_that_fails_answers_error_without_id(client_factory):
    client = client_factory(NUMPY_HEADS)
    reply = client.start(TWO_STREAM)
    assert reply["type"] == "error" and "id" not in reply
    assert "task(s) left, right, recon" in reply["message"] and "have no head" in reply["message"]
    assert client.process.wait(30) == 1


def test_every_layout_of_a_score_line_reads_the_same(client_factory):
    # serve() reads the allocations of a score line with a fast path; any JSON layout must give
    # what json.loads gives.
    a = np.random.default_rng(5).integers(0, 9, (2, 32)).tolist()
    lines = [
        json.dumps({"type": "score", "id": 1, "split": "eval", "allocations": a}),
        json.dumps({"type": "score", "id": 1, "split": "eval", "allocations": a}, separators=(",", ":")),
        json.dumps({"allocations": a, "split": "eval", "id": 1, "type": "score"}),
        json.dumps({"type": "score", "note": "\"allocations\": [[0]]", "id": 1, "split": "eval", "allocations": a}),
        json.dumps({"type": "score", "id": 1, "split": "eval", "allocations": a}, indent=None).replace(",", " ,\t"),
    ]
    client = client_factory(NUMPY_HEADS)
    client.start(MINI)
    replies = []
    for line in lines:
        client.send(line)
        replies.append(client.receive())
    assert replies[0]["type"] == "scores"
    assert all(r == replies[0] for r in replies), replies
    client.send(json.dumps({"type": "score", "id": 2, "split": "eval", "allocations": [[-1] + [1] * 31]}))
    assert "bit depth -1 for channel 0 is outside 0…8" in client.receive()["message"]
    client.send(json.dumps({"type": "score", "id": 3, "split": "eval", "allocations": [[1] * 32, [1] * 33]}))
    assert "allocation 1 is not a list of 32 bit depths" in client.receive()["message"]
    assert client.stop() == 0
