"""The naive baseline: a fresh Python per submission that imports it and runs the same calls
(with ``--import-only``: that only imports torch and the two files).

No sandbox, no timeouts per call, no comparison: only the work the grader's probes do, so the
difference in time is the cost of starting an interpreter and importing torch each time.
"""
import importlib.util
import json
import sys
import time
from pathlib import Path

import torch


def load(folder: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, folder / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    folder = Path(sys.argv[1])
    started = time.perf_counter()
    if sys.argv[2:] == ["--import-only"]:  # the floor: an interpreter, torch and the two files, nothing run
        load(folder, "question1")
        load(folder, "question2")
        print(json.dumps({"seconds": time.perf_counter() - started}))
        return
    outcome = {}
    try:
        q1 = load(folder, "question1")
        for _ in range(5):
            a, b = torch.randn(2, 3, 4, 5), torch.randn(2, 3, 4, 5)
            q1.element_wise_multiplication(a, b)
            q1.batch_transposed_matrix_multiplication(a, torch.randn(6, 5))
            q1.aggregate_4d_tensor_through_3rd_dim(a)
        outcome["question1"] = "ran"
    except Exception as exc:  # noqa: BLE001
        outcome["question1"] = type(exc).__name__
    try:
        q2 = load(folder, "question2")
        from grader.course.drivers import sgd_regression

        for _ in range(8):
            model = q2.MLP(7, 5, 0.03)
            loss = model.forward(torch.randn(1, 7), torch.randn(1, 1))
            model.backward(loss)
            model.sgd_step()
        sgd_regression(q2.MLP(64, 64, 0.03), n=500, d=64, iterations=2000, record_every=100)
        outcome["question2"] = "ran"
    except Exception as exc:  # noqa: BLE001
        outcome["question2"] = type(exc).__name__
    outcome["seconds"] = time.perf_counter() - started
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
