"""Where the time of one (submission, file) goes, stage by stage, with one warm worker.

The parent's own clock marks each stage as the grader runs (the functions are wrapped here, not
changed): staging the folder, copying it and handing the request to a spare child, the child's
sandbox layers and set-up (until its import report, less the import's own time: the layers' first frame
is read by the parent when its interpreter is free, which the scoring thread can delay, so the two are one
stage here; a child started early applied its layers before its turn, and may begin the import, told to go,
before the parent watches it: nothing then), the student's import, every probe's reply
(split into the student's own time, as the child measured it, and the rest), the child's end,
and scoring. Scoring runs in a thread (source rules while their own file runs, the other checks while the
submission's next file runs): its time is shown, but only the last file's scoring adds to the wall time, in
"result and the rest".
"""
from __future__ import annotations

import statistics
import time
from collections import defaultdict
from pathlib import Path

SCORING = "score the checks (in a thread, beside the files' runs)"
LAYERS = "sandbox layers and the child's set-up"
STAGES = ("stage the folder", "copy + hand to a spare child", LAYERS, "student's import", "probes: harness",
          "probes: student code",
          "end of the child", SCORING, "result and the rest")


class _Clock:
    """Timestamps of one file's run, from the wrapped functions."""

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}
        self.frames: list[tuple[float, str, float]] = []  # (time, kind, student's seconds)
        self.per_file: list[dict[str, float]] = []
        self.scoring: list[float] = []  # seconds, one per file, measured in the scoring thread

    def mark(self, name: str) -> None:
        self.marks[name] = time.perf_counter()

    def timed_scoring(self, score):
        """``score`` wrapped to note its duration (it runs in another thread)."""
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return score(*args, **kwargs)
            finally:
                self.scoring.append(time.perf_counter() - started)
        return timed

    def close_file(self) -> None:
        m, frames = self.marks, self.frames
        imported, import_seconds = next((t, s) for t, kind, s in frames if kind == "I")
        probes = [(t, s) for t, kind, s in frames if kind == "P"]
        last = probes[-1][0] if probes else imported
        student = sum(s for _, s in probes)
        self.per_file.append({
            "stage the folder": m["run_file"] - m["question"],
            "copy + hand to a spare child": m["forked"] - m["run_file"],
            LAYERS: max(0.0, imported - import_seconds - m["forked"]),  # an early child may import before it
            "student's import": import_seconds,
            "probes: harness": last - imported - student,
            "probes: student code": student,
            "end of the child": m["watched"] - last,
        })
        self.marks, self.frames = {}, []


def _wrap(module, name: str, before=None, after=None) -> tuple:
    """Replace ``module.name`` by a timed wrapper; returns what ``_restore`` needs to put it back."""
    original = getattr(module, name)

    def wrapped(*args, **kwargs):
        if before:
            before()
        result = original(*args, **kwargs)
        if after:
            after(result)
        return result

    setattr(module, name, wrapped)
    return module, name, original


def profile(plan, submissions: list[Path], reference, launcher) -> dict[str, float]:
    """Milliseconds per (submission, file) of each stage: its mean over a submission's files, the median over
    submissions ("result and the rest": what grading a submission took beyond its files' stages)."""
    from grader import grading
    from grader.sandbox.parent import runner, watch

    clock = _Clock()
    wrapped = [_wrap(grading, "run_question", before=lambda: clock.mark("question")),
               _wrap(grading, "run_file", before=lambda: clock.mark("run_file")),
               _wrap(runner, "watch", before=lambda: clock.mark("forked"),
                     after=lambda _: (clock.mark("watched"), clock.close_file()))]
    score_question, score_ahead = grading.score_question, grading.score_ahead
    grading.score_question = clock.timed_scoring(score_question)
    grading.score_ahead = clock.timed_scoring(score_ahead)
    accept = watch._Phases.accept

    def accept_timed(self, kind, payload, blob, run):
        clock.frames.append((time.perf_counter(), kind.decode(errors="replace"), float(payload.get("seconds") or 0)))
        return accept(self, kind, payload, blob, run)

    watch._Phases.accept = accept_timed
    columns: dict[str, list[float]] = defaultdict(list)  # per submission: each stage's mean over its files
    try:
        for submission in submissions:
            started = time.perf_counter()
            count, scored = len(clock.per_file), len(clock.scoring)
            grading.grade_submission(plan, submission, reference, launcher=launcher)
            files = clock.per_file[count:]
            for name in STAGES[:-2]:
                columns[name].append(sum(stage[name] for stage in files) / len(files))
            columns[SCORING].append(sum(clock.scoring[scored:]) / len(files))
            accounted = sum(sum(stage.values()) for stage in files)
            columns[STAGES[-1]].append((time.perf_counter() - started - accounted) / len(files))
    finally:
        watch._Phases.accept = accept
        grading.score_question, grading.score_ahead = score_question, score_ahead
        for module, name, original in wrapped:
            setattr(module, name, original)
    return {name: 1000 * statistics.median(columns[name]) for name in STAGES}
