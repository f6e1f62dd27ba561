"""A test evaluator: the reference heads plus scripted misbehaviour (used by test_serve and test_ray_pool).

    scripted_evaluator.py function BUNDLE     serve(metrics_function) form, prints to stdout
    scripted_evaluator.py class [pool flags]  Evaluator form; allocation[0] == 7 -> NaN metric,
                                              == 6 -> an exception; prints to stdout and fd 1
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "evaluators"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mipareto  # noqa: E402
from numpy_heads import NumpyHeads  # noqa: E402


class Scripted(NumpyHeads):
    def setup(self, start):
        print("user print from setup")            # must land on stderr, not in the protocol
        os.write(1, b"raw write to fd 1 from setup\n")
        if os.environ.get("SCRIPTED_SETUP_LOG"):        # lets a test count set-ups (actor restarts)
            with open(os.environ["SCRIPTED_SETUP_LOG"], "a") as fh:
                fh.write(f"{os.getpid()}\n")
        super().setup(start)

    def score(self, split, allocations):
        if allocations[0][0] == 6:
            raise RuntimeError("scripted failure for an allocation starting with 6")
        results = super().score(split, allocations)
        if allocations[0][0] == 7:
            results[0]["left"] = float("nan")
        return results


if __name__ == "__main__":
    if sys.argv[1] == "function":
        bundle = mipareto.read_bundle(sys.argv[2])

        def metrics(split, features):
            print("user print from metrics")
            return {t.name: bundle.metric(t.name, split, mipareto.run_head(t.head, features[t.input])) for t in bundle.tasks}

        mipareto.serve(metrics)
    else:
        mipareto.main(Scripted(), argv=sys.argv[2:])
