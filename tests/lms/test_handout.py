"""The student handout (`grade bundle`) leaks nothing, and `grade --local` inside it agrees with the batch."""
from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest
import yaml

from grader.assignments import find_assignment
from grader.cli import main
from grader.plan import GradingPlan
from grader.reference_cache import reference_observations
from grader.rubric import load_rubric
from grader.lms.selfcheck import public_rubric
from tests.conftest import EXAMPLES, ROOT, check_points

ASSIGNMENT = "comp4901y-hw1"


@pytest.fixture(scope="module")
def handout(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("handout") / ASSIGNMENT
    assert main(["bundle", ASSIGNMENT, "--out", str(out)]) == 0
    return out


def _functions(path: Path) -> dict[str, tuple[str, list[str]]]:
    """``{name: (ast dump of the body, its telling statements)}`` for every function and method.

    The docstring is left out; a statement is telling when its source has 20 characters or more.
    """
    found = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            statements = [text for stmt in body for sub in ast.walk(stmt) if isinstance(sub, ast.stmt)
                          if len(text := ast.unparse(sub)) >= 20]
            found[node.name] = (ast.dump(ast.Module(body=body, type_ignores=[])), statements)
    return found


def test_bundle_has_starter_readme_and_only_public_checks(handout):
    assert sorted(p.name for p in handout.glob("*.py")) == ["question1.py", "question2.py", "question3.py"]
    assert "grade --local" in (handout / "README.md").read_text()
    bundled = load_rubric(handout / "selfcheck" / "rubric.yaml")
    full = find_assignment(ASSIGNMENT).rubric
    public_ids = {(q.id, c.id) for q in full.questions for c in q.checks if c.visibility == "public"}
    hidden_ids = {(q.id, c.id) for q in full.questions for c in q.checks if c.visibility == "hidden"}
    assert hidden_ids, "the shipped rubric must hide some checks for this test to mean anything"
    assert {(q.id, c.id) for q in bundled.questions for c in q.checks} == public_ids
    assert bundled.model_dump() == public_rubric(full).model_dump()


def test_bundle_holds_no_reference_source(handout):
    reference = {}
    for path in (ROOT / "reference" / ASSIGNMENT).glob("*.py"):
        reference.update(_functions(path))
    given = {body for path in (ROOT / "starter" / ASSIGNMENT).glob("*.py") for body, _ in _functions(path).values()}
    solution = {name: found for name, found in reference.items() if found[0] not in given}
    graded = {"element_wise_multiplication", "batch_transposed_matrix_multiplication",
              "aggregate_4d_tensor_through_3rd_dim", "__init__", "forward", "backward", "sgd_step"}
    assert graded <= set(solution), "every graded function's reference body must be covered by this test"
    statements = {s for _, telling in solution.values() for s in telling}
    given_lines = {ast.unparse(stmt) for path in (ROOT / "starter" / ASSIGNMENT).glob("*.py")
                   for stmt in ast.walk(ast.parse(path.read_text())) if isinstance(stmt, ast.stmt)}
    script_lines = {text for path in (ROOT / "reference" / ASSIGNMENT).glob("*.py")
                    for stmt in ast.parse(path.read_text()).body
                    if not isinstance(stmt, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))
                    if len(text := ast.unparse(stmt)) >= 20 and text not in given_lines}
    surgery = {"resnet18_model.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)",
               "resnet18_model.fc = nn.Linear(resnet18_model.fc.in_features, 10)"}
    assert surgery <= script_lines, "question 3's answer lines must be covered by this test"
    statements |= script_lines
    bodies = {body for body, _ in solution.values()}
    assert statements
    files = [p for p in handout.rglob("*") if p.is_file()]
    assert not any(p.name.endswith(".pdf") or p.name.endswith("_key.py") for p in files), "no reference file"
    for path in files:
        if path.suffix == ".py":
            assert not {body for body, _ in _functions(path).values()} & bodies, f"{path.name} holds a solution body"
            text = ast.unparse(ast.parse(path.read_text()))
        else:
            text = path.read_bytes().decode("utf-8", "replace")
        leaked = [s for s in statements if s in text]
        assert not leaked, f"{path.relative_to(handout)} holds reference code: {leaked[:3]}"


def test_bundle_holds_no_hidden_check_or_answer(handout):
    assignment = find_assignment(ASSIGNMENT)
    plan = GradingPlan.build(assignment)
    reference, _ = reference_observations(plan)
    hidden_probes, hidden_titles, hidden_bytes = set(), set(), []
    for question in assignment.rubric.questions:
        plans = plan.questions[question.id].checks
        for check in question.checks:
            if check.visibility != "hidden":
                continue
            hidden_titles.add(check.title)
            for probe in plans[check.id].reference + plans[check.id].student:
                hidden_probes.add(probe.id)
                obs = reference[question.id].probes.get(probe.id)
                for value in (obs.values.values() if obs else []):
                    if value.tensor is not None and value.tensor.numel() >= 4:
                        hidden_bytes.append(value.tensor.contiguous().numpy().tobytes())
    assert hidden_probes and hidden_bytes
    expected = [json.loads(p.read_text()) for p in (handout / "selfcheck" / "expected").glob("*.json")]
    assert expected and all(not set(e["probes"]) & hidden_probes for e in expected)
    for path in handout.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(b in data for b in hidden_bytes), f"{path.name} holds a hidden check's answer"
            assert not any(t.encode() in data for t in hidden_titles), f"{path.name} names a hidden check"


def _local(handout: Path, student: str, tmp_path: Path, *extra: str) -> tuple[int, dict]:
    folder = tmp_path / student
    shutil.copytree(handout, folder)
    for path in (EXAMPLES / student).iterdir():
        shutil.copy2(path, folder / path.name)
    code = main(["--local", str(folder), "--json", str(tmp_path / f"{student}.json"), *extra])
    return code, json.loads((tmp_path / f"{student}.json").read_text())


@pytest.mark.slow
@pytest.mark.parametrize("student", ["alice_correct", "bob_matmul", "dave_transposed_grad", "frank_syntax_error"])
def test_local_gives_the_batch_public_marks(handout, graded_examples, tmp_path, student):
    code, local = _local(handout, student, tmp_path)
    _, out = graded_examples
    batch = json.loads((out / "results" / f"{student}.json").read_text())
    assert check_points(local) == check_points(batch, "public")
    all_pass = all(c["status"] in ("pass", "manual") for q in local["questions"] for c in q["checks"])
    assert code == (0 if all_pass else 1)


def test_local_on_the_untouched_starter_fails_with_reasons(handout, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # one table row per line
    folder = tmp_path / "mine"
    shutil.copytree(handout, folder)
    assert main(["local", str(folder), "--html", "--without", "landlock"]) == 1
    printed = capsys.readouterr().out
    assert "NotImplementedError" in printed and "question2_result.pdf is missing" in printed
    assert "landlock (switched off)" in printed, "a layer that cannot be applied is listed, not fatal"
    assert "Self-check: the public checks only" in (folder / "report.html").read_text()


def test_local_passes_the_reference_and_needs_no_reference_folder(handout, tmp_path, monkeypatch):
    folder = tmp_path / "solved"
    shutil.copytree(handout, folder)
    for path in (ROOT / "reference" / ASSIGNMENT).iterdir():
        shutil.copy2(path, folder / path.name)
    monkeypatch.chdir(folder)
    monkeypatch.setattr("grader.rubric_paths.SHIPPED_ROOT", tmp_path / "nowhere")
    assert main(["--local"]) == 0


def test_local_outside_a_handout_says_where_to_run(tmp_path, capsys):
    assert main(["local", str(tmp_path)]) == 2
    assert "no selfcheck/ folder" in capsys.readouterr().out


def test_bundle_refuses_a_non_empty_folder_and_an_all_hidden_rubric(tmp_path, capsys):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    assert main(["bundle", ASSIGNMENT, "--out", str(tmp_path / "busy")]) == 2
    assert "--force" in capsys.readouterr().out
    data = yaml.safe_load((ROOT / "rubrics" / f"{ASSIGNMENT}.yaml").read_text())
    for question in data["questions"]:
        for check in question["checks"]:
            check["visibility"] = "hidden"
    rubric = tmp_path / "rubrics" / "all_hidden.yaml"
    rubric.parent.mkdir()
    rubric.write_text(yaml.safe_dump(data))
    assert main(["bundle", str(rubric), "--out", str(tmp_path / "out")]) == 2
    assert "every check is hidden" in capsys.readouterr().out


def test_native_windows_is_told_to_use_wsl(handout, monkeypatch, capsys):
    monkeypatch.setattr("sys.platform", "win32")
    assert main(["--local", str(handout)]) == 2
    assert "inside WSL" in capsys.readouterr().out
