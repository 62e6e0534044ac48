"""Benchmark: this grader against a fresh interpreter per submission and against otter-grader.

    python benchmarks/run.py --copies 200 --jobs 2          # add --otter-venv DIR to time otter-grader

Generates ``--copies`` submissions of comp4901y-hw1 by cycling through the shipped examples and
grades questions 1 and 2 (the rubric's shortened training run included; question 3 trains a
resnet18 for two epochs and is timed on its own), side by side:
(a) ``grade batch`` with the fork server, (b) the same batch with ``--launcher spawn``,
(c) a naive baseline that starts a fresh Python per submission and runs the same calls,
(d) otter-grader's non-containerised ``otter run`` on equivalent notebooks for question 1.
It also measures the harness overhead per (submission, file) beyond the student code's own
time, the cost of the sandbox layers alone, the grader's own per-probe work warm and in a fresh fork
(``floor.py``), HTML rendering per student, and the wall time of grading question 3 for one student.
Prints Markdown tables (and writes them to benchmarks/results.md).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from memory import MEMORY_SAMPLING, TIMED_SAMPLING, PeakSampler  # noqa: E402

EXAMPLES = ROOT / "submissions_example" / "comp4901y-hw1"
SETTLING = 10  # submissions graded, one worker, before the warm overhead is measured over the next WARM_FILES
WARM_FILES = 30


def make_submissions(folder: Path, copies: int) -> list[Path]:
    """``copies`` student folders cycling through the shipped examples."""
    sources = sorted(p for p in EXAMPLES.iterdir() if p.is_dir())
    made = []
    for i in range(copies):
        target = folder / f"student_{i:04d}"
        shutil.copytree(sources[i % len(sources)], target)
        made.append(target)
    return made


def timed(command: list[str], sample_every: float = TIMED_SAMPLING,
          **kwargs) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds and peak PSS (MiB, sampled every ``sample_every`` seconds) of a command and its descendants."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    with PeakSampler(proc.pid, sample_every) as sampler:
        out, err = proc.communicate()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed ({proc.returncode}):\n{out[-2000:]}\n{err[-2000:]}")
    return seconds, sampler.peak_mib, subprocess.CompletedProcess(command, proc.returncode, out, err)


def rubric_subset(work: Path, count: int, name: str) -> Path:
    """The shipped rubric cut down to its first ``count`` questions (or to question 3 alone: ``count=-3``)."""
    import yaml

    data = yaml.safe_load((ROOT / "rubrics" / "comp4901y-hw1.yaml").read_text())
    data["questions"] = data["questions"][2:3] if count == -3 else data["questions"][:count]
    path = work / name / "comp4901y-hw1.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump(data))
    return path


class FirstFile:
    """Seconds from start until a first ``*.json`` appears in ``folder`` (polled every 10 ms in a thread)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.seconds = folder, float("nan")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        started = time.perf_counter()
        while not self._stop.wait(0.01):
            if self.folder.is_dir() and next(self.folder.glob("*.json"), None) is not None:
                self.seconds = time.perf_counter() - started
                return

    def __enter__(self) -> "FirstFile":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def grade_batch(subs: Path, out: Path, jobs: int, launcher: str, assignment: str = "comp4901y-hw1",
                sample_every: float = TIMED_SAMPLING) -> dict:
    command = [sys.executable, "-m", "grader", "batch", assignment, str(subs), "--out", str(out),
               "-j", str(jobs), "--launcher", launcher, "--force"]
    with FirstFile(out / "results") as first:
        seconds, peak, _ = timed(command, sample_every, cwd=ROOT)
    results = [json.loads(p.read_text()) for p in (out / "results").glob("*.json")]
    code = sum(q["code_seconds"] for r in results for q in r["questions"])
    return {"seconds": seconds, "peak_mib": peak, "code_seconds": code, "first_result": first.seconds,
            "files": sum(len(r["questions"]) for r in results)}


def naive_import_only(subs: list[Path]) -> float:
    """Median seconds of a fresh Python that only imports torch and a submission's two files, one at a time."""
    samples = []
    for folder in subs:
        started = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "naive_grade.py"), str(folder), "--import-only"],
                       capture_output=True, check=True, cwd=folder, env={**os.environ, "PYTHONPATH": str(ROOT)})
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def naive_batch(subs: list[Path], jobs: int) -> dict:
    def one(folder: Path) -> dict:
        done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "naive_grade.py"), str(folder)],
                              capture_output=True, text=True, cwd=folder, env={**os.environ, "PYTHONPATH": str(ROOT)})
        return json.loads(done.stdout.strip().splitlines()[-1])

    started = time.perf_counter()
    with PeakSampler(os.getpid(), TIMED_SAMPLING) as sampler, ThreadPoolExecutor(jobs) as pool:
        outcomes = list(pool.map(one, subs))
    return {"seconds": time.perf_counter() - started, "peak_mib": sampler.peak_mib,
            "code_seconds": sum(o["seconds"] for o in outcomes), "files": 2 * len(subs)}


def steady_overhead(subs: list[Path], launcher_mode: str, rubric: Path, settling: int = 0) -> tuple[float, float]:
    """Median milliseconds of harness per (submission, file) beyond student code, one worker: over the first
    ``settling`` submissions after an untimed first one (the fork server still spends its idle moments on its
    start-up work: its memory collapsed into huge pages, each probe set rehearsed), and warm, over the rest. The
    submissions are graded in turn as a batch grades them (the next one's first files started while the last file
    runs long), in a process whose imports the garbage collector leaves alone, as the ``grade`` command's."""
    import gc

    from grader.assignments import find_assignment
    from grader.course.preloads import batch_imports
    from grader.grading import grade_submission
    from grader.next_in_line import NextInLine
    from grader.plan import GradingPlan
    from grader.reference_cache import reference_observations
    from grader.sandbox.parent.pool import make_launcher

    gc.freeze()  # as `grade` does after its imports (cli.main)
    plan = GradingPlan.build(find_assignment(str(rubric)))
    per_file = []
    in_line = NextInLine(subs)
    with make_launcher(launcher_mode, 1, preload=batch_imports(plan, subs)) as launcher:
        reference, _ = reference_observations(plan, launcher)
        grade_submission(plan, subs[0], reference, launcher=launcher)
        for submission in subs:
            started = time.perf_counter()
            result = grade_submission(plan, submission, reference, launcher=launcher, next_in_line=in_line)
            elapsed = time.perf_counter() - started
            code = sum(q.code_seconds for q in result.questions)
            per_file.append(1000 * (elapsed - code) / len(result.questions))
        in_line.close()
    return statistics.median(per_file[:settling] or [0.0]), statistics.median(per_file[settling:])


def sandbox_cost(repeats: int = 40) -> tuple[float, float]:
    """Per-file milliseconds of a trivial file with every layer, and with every layer off."""
    from grader.sandbox.layers.confine import LAYERS
    from grader.sandbox.parent.pool import ForkServerLauncher
    from grader.sandbox.protocol import Probe, SandboxSettings, Step
    from grader.sandbox.parent.runner import run_file

    folder = Path(tempfile.mkdtemp())
    (folder / "q.py").write_text("def f():\n    return 1\n")
    probes = [Probe(id="p", steps=[Step(call="f", observe="v")])]
    timings = {}
    with ForkServerLauncher(1) as launcher:
        for name, settings in (("on", SandboxSettings()), ("off", SandboxSettings(disable=list(LAYERS)))):
            run_file("q.py", folder, probes, launcher=launcher, sandbox=settings)
            samples = []
            for _ in range(repeats):
                started = time.perf_counter()
                run_file("q.py", folder, probes, launcher=launcher, sandbox=settings)
                samples.append(time.perf_counter() - started)
            timings[name] = 1000 * statistics.median(samples)
    shutil.rmtree(folder)
    return timings["on"], timings["off"]


def render_cost(out: Path) -> float:
    """Milliseconds to render one student's HTML report."""
    from grader.render.html import render_report
    from grader.results import Result

    results = [Result.model_validate_json(p.read_text()) for p in sorted((out / "results").glob("*.json"))[:50]]
    render_report(results[0])
    started = time.perf_counter()
    for result in results:
        render_report(result)
    return 1000 * (time.perf_counter() - started) / len(results)


def question3_seconds(rubric: Path) -> float:
    """Wall seconds to grade question 3 of one correct student (the reference already cached)."""
    from grader.assignments import find_assignment
    from grader.course.preloads import batch_imports
    from grader.grading import grade_submission
    from grader.plan import GradingPlan
    from grader.reference_cache import reference_observations
    from grader.sandbox.parent.pool import make_launcher

    plan = GradingPlan.build(find_assignment(str(rubric)))
    with make_launcher("fork-server", 1, preload=batch_imports(plan, [EXAMPLES / "alice_correct"])) as launcher:
        reference, _ = reference_observations(plan, launcher)
        started = time.perf_counter()
        grade_submission(plan, EXAMPLES / "alice_correct", reference, launcher=launcher)
    return time.perf_counter() - started


def stage_profile(subs: list[Path], rubric: Path) -> dict[str, float]:
    """Median milliseconds per (submission, file) of each stage, one warm worker (see stages.py)."""
    from grader.assignments import find_assignment
    from grader.course.preloads import batch_imports
    from grader.grading import grade_submission
    from grader.plan import GradingPlan
    from grader.reference_cache import reference_observations
    from grader.sandbox.parent.pool import make_launcher
    from stages import profile

    plan = GradingPlan.build(find_assignment(str(rubric)))
    with make_launcher("fork-server", 1, preload=batch_imports(plan, subs)) as launcher:
        reference, _ = reference_observations(plan, launcher)
        grade_submission(plan, subs[0], reference, launcher=launcher)
        return profile(plan, subs, reference, launcher)


def harness_floors(rubric: Path) -> dict[str, list[float]]:
    """Per question of ``rubric``, the grader's own per-probe work for a correct file (``floor.py``, in a process
    of its own: it sets torch up as a child does): warm, a fresh fork's first pass, the same with the pages learnt
    by a scout copied and mapped first, warm with no second runs."""
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "floor.py"), str(rubric),
                           str(EXAMPLES / "alice_correct")], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def memory_by_jobs(subs: Path, work: Path, rubric: str, jobs: list[int]) -> dict[int, float]:
    """Peak PSS (MiB) of ``grade batch`` on ``subs`` with each ``-j``, sampled often (these runs are not timed)."""
    return {j: grade_batch(subs, work / f"out-mem-{j}", j, "fork-server", rubric, MEMORY_SAMPLING)["peak_mib"]
            for j in jobs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--spawn-copies", type=int, default=40, help="copies for the slow spawn and naive runs")
    parser.add_argument("--otter-venv", type=Path, help="a virtualenv with otter-grader, torch and ipykernel")
    parser.add_argument("--otter-copies", type=int, default=20)
    args = parser.parse_args()
    from grader.sandbox.parent.scheduling import as_batch_work

    as_batch_work()  # as the `grade` command does: the measurements made in this process run as a batch runs
    work = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    os.environ["GRADER_CACHE_DIR"] = str(work / "cache")
    subs = make_submissions(work / "subs", args.copies)
    few = work / "few"
    few.mkdir()
    for s in subs[: args.spawn_copies]:
        shutil.copytree(s, few / s.name)

    os.chdir(ROOT)  # cut-down rubrics find reference/comp4901y-hw1/ from here
    q12_rubric = str(rubric_subset(work, 2, "q1-q2"))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader.cli", "reference", q12_rubric], cwd=ROOT, check=True,
                   capture_output=True)
    reference_seconds = time.perf_counter() - started
    one = work / "one"
    one.mkdir()
    shutil.copytree(subs[0], one / subs[0].name)
    cold = grade_batch(one, work / "out-one", args.jobs, "fork-server", q12_rubric)  # runs and caches the mutants
    rows = []
    pooled = grade_batch(work / "subs", work / "out-pool", args.jobs, "fork-server", q12_rubric)
    rows.append(("this grader, fork server", args.copies, pooled))
    small = grade_batch(few, work / "out-small", args.jobs, "fork-server", q12_rubric)
    marginal = (pooled["seconds"] - small["seconds"]) / (args.copies - args.spawn_copies)
    spawned = grade_batch(few, work / "out-spawn", args.jobs, "spawn", q12_rubric)
    rows.append(("this grader, --launcher spawn", args.spawn_copies, spawned))
    naive = naive_batch(sorted(few.iterdir()), args.jobs)
    rows.append(("naive: fresh python per submission, no sandbox", args.spawn_copies, naive))
    import_only = naive_import_only(sorted(few.iterdir())[:5])
    ratio = steady_ratio = q1_marginal = otter_each = None
    if args.otter_venv:
        from otter_baseline import otter_batch

        q1_rubric = str(rubric_subset(work, 1, "q1-only"))
        subprocess.run([sys.executable, "-m", "grader.cli", "reference", q1_rubric], cwd=ROOT, check=True,
                       capture_output=True)
        q1 = grade_batch(work / "subs", work / "out-q1", args.jobs, "fork-server", q1_rubric)
        rows.append(("this grader, question 1 only", args.copies, q1))
        q1_small = grade_batch(few, work / "out-q1-small", args.jobs, "fork-server", q1_rubric)
        q1_marginal = (q1["seconds"] - q1_small["seconds"]) / (args.copies - args.spawn_copies)
        otter = otter_batch(args.otter_venv, subs[: args.otter_copies], work / "otter", args.jobs)
        rows.append(("otter-grader `otter run`, question 1 only", args.otter_copies, otter))
        otter_each = otter["seconds"] / args.otter_copies  # one process per submission: no start-up to set apart
        ratio = (args.copies / q1["seconds"]) / (1 / otter_each)
        steady_ratio = otter_each / q1_marginal

    measures = {
        "reference run (once per rubric version, then cached)": f"{reference_seconds:.1f} s",
        "time to the first stored result, reference and its mutants cached": f"{pooled['first_result']:.2f} s",
        "the same, first batch of a rubric version (its mutants run first, for diagnosis)":
            f"{cold['first_result']:.2f} s",
        f"harness overhead per (submission, file), fork server, warm: the median of {WARM_FILES} submissions after "
        f"{SETTLING} / of those {SETTLING}, while the fork server settles": "{:.1f} ms / {:.1f} ms".format(
            *reversed(steady_overhead(subs[:SETTLING + WARM_FILES], "fork-server", Path(q12_rubric), SETTLING))),
        "harness overhead per (submission, file), spawn (median)":
            f"{steady_overhead(subs[:4], 'spawn', Path(q12_rubric))[1]:.0f} ms",
        f"marginal cost per submission, `-j {args.jobs}` (student code included)": f"{1000 * marginal:.0f} ms",
        "naive import-only baseline: fresh python importing torch and the two files (median)":
            f"{1000 * import_only:.0f} ms",
        "marginal cost / naive import-only": f"{100 * marginal / import_only:.1f}%",
    }
    stages = stage_profile(subs[:30], Path(q12_rubric))
    for question, (warm, forked, copied, once) in harness_floors(Path(q12_rubric)).items():
        measures[f"{question}: the grader's own per-probe work for a correct file, warm process / first pass in a "
                 f"fresh fork of it / the same, its learnt pages copied and mapped first / warm without second runs "
                 f"(floor.py)"] = f"{warm:.1f} / {forked:.1f} / {copied:.1f} / {once:.1f} ms"
    memory = memory_by_jobs(few, work, q12_rubric, [1, 2, 4])
    layers_on, layers_off = sandbox_cost()
    measures.update({
        "trivial file, every sandbox layer on": f"{layers_on:.0f} ms",
        "trivial file, every sandbox layer off (no spare child: a plain fork)": f"{layers_off:.0f} ms",
        "HTML report rendering per student": f"{render_cost(work / 'out-pool'):.1f} ms",
        "question 3 of one student: the script's two epochs on the offline fixture, then its checks":
            f"{question3_seconds(rubric_subset(work, -3, 'q3-only')):.1f} s",
        f"peak PSS of `grade batch` on {args.spawn_copies} copies, -j 1 / 2 / 4":
            " / ".join(f"{memory[j]:.0f}" for j in (1, 2, 4)) + " MiB",
    })
    if ratio is not None:
        measures[f"question 1, marginal seconds per submission, this grader `-j {args.jobs}` / otter-grader"] = \
            f"{1000 * q1_marginal:.0f} ms / {1000 * otter_each:.0f} ms"
        measures["question 1 throughput, this grader / otter-grader, steady (marginal rates)"] = f"{steady_ratio:.0f}x"
        measures[f"question 1 throughput, this grader / otter-grader, whole batch of {args.copies} (start-up "
                 f"included)"] = f"{ratio:.0f}x"
    table = render_tables(args.jobs, rows, measures, stages)
    print(table)
    (ROOT / "benchmarks" / "results.md").write_text(table + "\n")
    shutil.rmtree(work, ignore_errors=True)


def render_tables(jobs: int, rows: list, measures: dict[str, str], stages: dict[str, float]) -> str:
    """The three Markdown tables: runners, measures, and the stages of one (submission, file)."""
    lines = [f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
             f"{platform.system()} {platform.release()}; -j {jobs}.", "",
             "| runner | submissions | wall s | submissions/s | peak PSS MiB |", "|---|---|---|---|---|"]
    for name, count, row in rows:
        lines.append(f"| {name} | {count} | {row['seconds']:.1f} | {count / row['seconds']:.2f} | {row['peak_mib']:.0f} |")
    lines += ["", "| measure | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in measures.items()]
    lines += ["", "| stage of one (submission, file), one warm worker | median ms |", "|---|---|"]
    lines += [f"| {name} | {ms:.1f} |" for name, ms in stages.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
