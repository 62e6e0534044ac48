"""Benchmark of ``grade similarity`` against copydetect, on the corpus of tests/similarity/corpus.

    python benchmarks/similarity.py [--students 500] [--ops]   # needs copydetect (pip install -e '.[test]')

1. Accuracy: for each corpus question, every pair is scored by this grader (tokens and structure,
   starter and reference ignored) and by copydetect (its defaults: noise threshold 25, guarantee
   threshold 30, the same starter and reference files given as boilerplate, the larger of its two
   per-file similarities as the pair's score). Reports, at each tool's fixed threshold (0.5 here,
   copydetect's display threshold 0.33), the share of planted copies flagged (recall) and the
   share of independent pairs flagged, and whether every planted copy ranks above every
   independent pair.
2. Time: ``--students`` synthetic submissions of comp4901y-hw1 question 2 (the corpus's
   independent solutions with every name it binds renamed and helpers added, so that no two are
   equal), compared by ``grade similarity`` in a fresh process, end to end, and by copydetect.
3. With ``--ops``, the ops view on the corpus: every graded call of each student run again in the
   sandbox with tracing on and its op sequence compared (a few minutes), alone and in the pair's score.
Prints Markdown and writes it to benchmarks/similarity.md.
"""
from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "tests" / "similarity" / "corpus"
QUESTIONS = {"comp4901y-hw1": "question2", "soton-lab2-autograd": "question1"}
OURS_THRESHOLD, COPYDETECT_THRESHOLD = 0.5, 0.33


def planted(a: str, b: str) -> bool:
    """A copy and the original it was made from (``copy_<disguise>_<name>`` and ``ind_<name>``)."""
    return any(x.startswith("copy_") and y == "ind_" + x.split("_", 2)[2] for x, y in ((a, b), (b, a)))


def ours(assignment: str, folder: Path) -> dict[tuple[str, str], float]:
    """This grader's score of every pair of the question's files."""
    from grader.assignments import find_assignment
    from grader.plan import GradingPlan
    from grader.similarity.engine import similarity_report
    from grader.handins.submissions import find_submissions

    report, _ = similarity_report(GradingPlan.build(find_assignment(assignment)), find_submissions(folder), OURS_THRESHOLD, keep=10**6)
    q = next(q for q in report.questions if q.id == QUESTIONS[assignment])
    return {(p.a, p.b): p.score for p in q.pairs}


def copydetect_scores(files: dict[str, Path], boilerplate: list[Path]) -> dict[tuple[str, str], float]:
    """copydetect's score (the larger of its two per-file similarities) of every pair of ``files``."""
    from copydetect import CodeFingerprint, compare_files

    k, window = 25, 30 - 25 + 1  # copydetect's defaults: noise_t 25, guarantee_t 30
    base = set()
    for path in boilerplate:
        base |= set(CodeFingerprint(str(path), k, 1).hashes)
    prints = {name: CodeFingerprint(str(path), k, window, boilerplate=list(base)) for name, path in files.items()}
    scores = {}
    for a, b in itertools.combinations(sorted(prints), 2):
        _, (sim_a, sim_b), _ = compare_files(prints[a], prints[b])
        scores[(a, b)] = float(max(sim_a, sim_b))
    return scores


def figures(scores: dict[tuple[str, str], float], threshold: float) -> dict[str, str]:
    copies = [s for pair, s in scores.items() if planted(*pair)]
    others = [s for pair, s in scores.items() if not planted(*pair)]
    return {"recall": f"{sum(s >= threshold for s in copies)}/{len(copies)}",
            "independent flagged": f"{sum(s >= threshold for s in others)}/{len(others)}"
                                   f" ({sum(s >= threshold for s in others) / len(others):.1%})",
            "lowest copy": f"{min(copies):.2f}", "highest independent": f"{max(others):.2f}",
            "copies all above": "yes" if min(copies) > max(others) else "no"}


def question_files(assignment: str) -> dict[str, Path]:
    """Each corpus student's file for the question (a notebook where one was handed in)."""
    return {d.name: next(p for p in sorted(d.iterdir()) if p.suffix in (".py", ".ipynb"))
            for d in sorted((CORPUS / assignment).iterdir()) if d.is_dir()}


def as_scripts(files: dict[str, Path], folder: Path) -> dict[str, Path]:
    """``files`` with each notebook replaced by its code cells as a .py (what nbconvert would give copydetect)."""
    from grader.handins.notebooks import read_notebook

    out = {}
    for name, path in files.items():
        if path.suffix == ".ipynb":
            path = folder / f"{name}.py"
            path.write_text(read_notebook(files[name]).combined()[0])
        out[name] = path
    return out


def accuracy_rows(per_copy: list[str]) -> list[str]:
    """Figures per question and tool; ``per_copy`` gets one row per planted copy (both tools' scores)."""
    from importlib.metadata import version

    tool = f"copydetect {version('copydetect')}"
    rows = []
    for assignment, question in QUESTIONS.items():
        files = question_files(assignment)
        shared = [p for folder in ("starter", "reference") for p in sorted((ROOT / folder / assignment).glob("*.py"))]
        with tempfile.TemporaryDirectory() as tmp:
            converted = copydetect_scores(as_scripts(files, Path(tmp)), shared)
        mine, theirs = ours(assignment, CORPUS / assignment), copydetect_scores(files, shared)
        per_copy += [f"| {assignment} {question} | {a if a.startswith('copy_') else b} | {mine[(a, b)]:.2f} | "
                     f"{theirs[(a, b)]:.2f} | {converted[(a, b)]:.2f} |" for a, b in mine if planted(a, b)]
        for name, scores, threshold in (("this grader", mine, OURS_THRESHOLD),
                                        (tool, theirs, COPYDETECT_THRESHOLD),
                                        (f"{tool}, notebooks converted to .py first", converted,
                                         COPYDETECT_THRESHOLD)):
            f = figures(scores, threshold)
            rows.append(f"| {assignment} {question} | {name} | {threshold} | {f['recall']} | "
                        f"{f['independent flagged']} | {f['lowest copy']} | {f['highest independent']} | "
                        f"{f['copies all above']} |")
    return rows


def synthetic(folder: Path, students: int, seed: int = 0) -> None:
    """``students`` folders of question2.py: corpus solutions with bound names renamed and helpers added."""
    import ast

    from grader.similarity.tokens import bound_names

    rng = random.Random(seed)
    bases = [p / "question2.py" for p in sorted((CORPUS / "comp4901y-hw1").glob("ind_*"))]
    texts = [b.read_text() for b in bases]
    keep = {"MLP", "forward", "backward", "sgd_step", "plot", "make_data", "W1", "W2", "dW1", "dW2", "lr",
            "seed", "iters", "N", "D", "H", "torch", "plt", "np", "matplotlib", "self", "x", "y_label", "loss",
            "losses", "in_features", "out_features", "n", "d", "generator", "main", "train"}
    for i in range(students):
        text = texts[i % len(texts)]
        for name in sorted(bound_names(ast.parse(text)) - keep):
            text = re.sub(rf"\b{re.escape(name)}\b", f"{name}_{rng.randrange(10**6)}", text)
        helpers = "".join(f"\n\ndef helper_{i}_{j}(t, k={rng.randrange(9)}):\n    out = t * k + {rng.random():.3f}\n"
                          f"    for _ in range({rng.randrange(2, 6)}):\n        out = out.{rng.choice(['exp', 'tanh', 'abs'])}()\n"
                          f"    return out.sum() / {rng.randrange(1, 99)}\n" for j in range(rng.randrange(1, 4)))
        (folder / f"s{i:04d}").mkdir(parents=True)
        (folder / f"s{i:04d}" / "question2.py").write_text(text + helpers)


def timing_rows(students: int) -> list[str]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        synthetic(subs, students)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "grader.cli", "similarity", "comp4901y-hw1", str(subs), "--out",
                        str(Path(tmp) / "out")], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        ours_s = time.perf_counter() - started
        rows.append(f"| this grader, `grade similarity` end to end (all 3 questions read, question 2 compared) | "
                    f"{students} | {ours_s:.1f} |")
        files = {p.parent.name: p for p in sorted(subs.glob("*/question2.py"))}
        shared = sorted((ROOT / "starter" / "comp4901y-hw1").glob("*.py"))
        started = time.perf_counter()
        copydetect_scores(files, shared)
        rows.append(f"| copydetect, fingerprints and every pair (in-process, no report) | {students} | "
                    f"{time.perf_counter() - started:.1f} |")
    return rows


def ops_rows() -> list[str]:
    """The ops view on the corpus (every graded call of the question run in the sandbox, its op sequence
    compared): alone, and in the pair's score (where it raises the text score)."""
    from grader.assignments import find_assignment
    from grader.plan import GradingPlan
    from grader.similarity.engine import similarity_report
    from grader.similarity.ops_runner import sandbox_ops_runner
    from grader.handins.submissions import find_submissions

    rows = []
    for assignment, question in QUESTIONS.items():
        target = GradingPlan.build(find_assignment(assignment))
        report, _ = similarity_report(target, find_submissions(CORPUS / assignment), OURS_THRESHOLD,
                                      ops_runner=sandbox_ops_runner(target, jobs=2), keep=10**6)
        q = next(q for q in report.questions if q.id == question)
        if not q.pairs or all(p.ops is None for p in q.pairs):
            rows.append(f"| {assignment} {question} | no graded calls to trace | | | | | | | |")
            continue
        copies = sorted((p.ops for p in q.pairs if planted(p.a, p.b)), key=lambda o: -1 if o is None else -o)
        others = [p.ops or 0.0 for p in q.pairs if not planted(p.a, p.b)]  # None: no call ran in both
        alone = [c for c in copies if c is not None]
        f = figures({(p.a, p.b): p.score for p in q.pairs}, OURS_THRESHOLD)
        rows.append(f"| {assignment} {question} | {', '.join('none ran' if c is None else f'{c:.2f}' for c in copies)} | "
                    f"{max(others):.2f} | {'yes' if alone and min(alone) > max(others) else 'no'} | {f['recall']} | "
                    f"{f['independent flagged']} | {f['lowest copy']} | {f['highest independent']} | "
                    f"{f['copies all above']} |")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--ops", action="store_true", help="also measure the ops view alone (sandbox runs)")
    args = parser.parse_args()
    per_copy: list[str] = []
    lines = [f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}.", "",
             "| question | tool | threshold | planted copies flagged | independent pairs flagged | lowest copy "
             "| highest independent | every copy above every independent pair |",
             "|---|---|---|---|---|---|---|---|", *accuracy_rows(per_copy), "",
             "| question | planted copy | this grader | copydetect | copydetect, notebooks converted |",
             "|---|---|---|---|---|", *per_copy, "",
             "| run | submissions | wall s |", "|---|---|---|", *timing_rows(args.students)]
    if args.ops:
        lines += ["", "| question | ops view alone: planted copies | highest independent pair | copies that ran all "
                  "above | with ops, at 0.5: planted copies flagged | independent pairs flagged | lowest copy | "
                  "highest independent | every copy above |", "|---|---|---|---|---|---|---|---|---|", *ops_rows()]
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "benchmarks" / "similarity.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
