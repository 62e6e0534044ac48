"""Grading one submission: plan the probes, run them in the sandbox, score every check."""
from __future__ import annotations

import time
from pathlib import Path

from grader import __version__
from grader.assignments import Assignment
from grader.checks.base import Evidence, Plan, PlanContext, Verdict
from grader.checks.registry import kind_of
from grader.course.setup import course_file_sources
from grader.handins.notebooks import DEFAULT_SKIP_TAGS, NotebookError, top_level_names
from grader.observe import FileObservations, ImportInfo
from grader.results import CheckResult, QuestionResult, Result
from grader.rubric import Question
from grader.sandbox.protocol import SandboxSettings
from grader.sandbox.parent.runner import run_file
from grader.handins.staging import CourseSetup, stage

FULL_TIMEOUT_SCALE = 100  # `--full`: real data sets train for hours on a CPU, minutes on a GPU


def plan_question(assignment: Assignment, question: Question, device: str) -> tuple[PlanContext, dict[str, Plan]]:
    """Each check's plan for one question (computed once per assignment, question and device)."""
    key = (question.id, device)
    if key not in assignment.plans:
        ctx = PlanContext(seed=assignment.rubric.seed, question=question.id, device=device,
                          timeout=assignment.rubric.timeout, skip_tags=skip_tags(assignment))
        assignment.plans[key] = ctx, {check.id: kind_of(check).plan(check, ctx) for check in question.checks}
    return assignment.plans[key]


def skip_tags(assignment: Assignment) -> tuple[str, ...]:
    """Notebook cell tags that skip a cell: Jupyter's and otter's, and the rubric's own."""
    return (*DEFAULT_SKIP_TAGS, *assignment.rubric.skip_cell_tags)


def course_setup(assignment: Assignment) -> CourseSetup:
    """The rubric's course files (those found), packages and cell tags, for staging a working copy."""
    rubric = assignment.rubric
    files, _ = course_file_sources(rubric.course_files, assignment.reference_dir)
    return CourseSetup(files=files, stubs=[p.module for p in rubric.packages if p.stub],
                       provided=[p.name for p in rubric.packages if not p.stub], skip_tags=skip_tags(assignment))


def chosen_file(assignment: Assignment, question: Question, folder: Path, device: str) -> str:
    """The file graded for ``question``: among several candidates, the one defining most of the names
    the question's checks use (one notebook may answer several questions, or one notebook per part)."""
    candidates = question.candidates(folder)
    if len(candidates) <= 1:
        return next(iter(candidates), question.file)
    _, plans = plan_question(assignment, question, device)
    wanted = wanted_names(question, plans)
    return max(candidates, key=lambda name: (len(wanted & top_level_names(folder / name, skip_tags(assignment))),
                                             -candidates.index(name)))


def run_question(assignment: Assignment, question: Question, folder: Path, side: str, device: str,
                 launcher, sandbox: SandboxSettings | None = None) -> FileObservations:
    """Run one side's probes of a question against ``folder`` (the reference's or a student's)."""
    _, plans = plan_question(assignment, question, device)
    probes = [p for plan in plans.values() for p in getattr(plan, side)]
    chosen = chosen_file(assignment, question, folder, device)
    if not probes:  # manual, source and artifact checks only: nothing to import
        return FileObservations(module_file=chosen, imported=ImportInfo(status="ok"))
    from grader.course.offline_data import prepare
    from grader.reference_cache import cache_root

    sandbox = sandbox or SandboxSettings()
    offline_root = prepare(question.offline_data, cache_root(), sandbox.full_data_dir)
    sandbox = sandbox.model_copy(update={**assignment.rubric.limits.model_dump(), "offline_root": offline_root})
    scale = FULL_TIMEOUT_SCALE if sandbox.full_data_dir and question.offline_data else 1
    if scale != 1:
        probes = [p.model_copy(update={"timeout": p.timeout * scale}) for p in probes]
    try:
        setup = course_setup(assignment)
        setup.run_as_main = question.run_as_main
        staged = stage(folder, chosen, setup)
    except NotebookError as exc:
        return FileObservations(module_file=chosen, imported=ImportInfo(status="error", detail=str(exc)))
    try:
        observed = run_file(staged.module_file, staged.folder, probes, device=device, seed=assignment.rubric.seed,
                            import_timeout=question.import_timeout * scale, launcher=launcher, sandbox=sandbox,
                            keep_whole=side == "reference")
    finally:
        staged.close()
    observed = staged.relabel(observed)
    if observed.imported.status == "missing" and question.alternatives:
        looked = " or ".join(question.alternatives)
        observed.imported.detail += f"; {looked} would have been graded in its place"
    return observed


def wanted_names(question: Question, plans: dict[str, Plan]) -> set[str]:
    """Module-level names the question's checks call, read or look in."""
    names: set[str] = set(question.defines)
    for plan in plans.values():
        for probe in plan.student:
            saved: set[str] = set()
            for step in probe.steps:
                for target in (step.call, step.read, step.set):
                    if target and target.split(".")[0] not in saved:
                        names.add(target.split(".")[0])
                if step.save:
                    saved.add(step.save)
    for check in question.checks:
        names |= set(getattr(check, "within", None) or [])
    return names


def _import_verdict(obs: FileObservations) -> Verdict | None:
    info = obs.imported
    if info.status == "ok":
        return None
    if info.status == "missing":
        return Verdict(0.0, info.detail, status="fail")
    if info.error and info.error.type == "SyntaxError":
        return Verdict(0.0, f"{obs.module_file} has a syntax error: {info.error.one_line()}", status="error")
    if info.error:
        return Verdict(0.0, f"importing {obs.module_file} raised {info.error.one_line()}", status="error")
    return Verdict(0.0, f"{obs.module_file} could not be imported: {info.detail}", status="error")


def score_question(assignment: Assignment, question: Question, submission: Path, student_obs: FileObservations,
                   reference_obs: FileObservations | None, device: str) -> QuestionResult:
    """Score every check of a question from the two sides' observations."""
    ctx, plans = plan_question(assignment, question, device)
    evidence = Evidence(student=student_obs, reference=reference_obs, submission_dir=submission, ctx=ctx)
    import_problem = _import_verdict(student_obs)
    checks = []
    for check in question.checks:
        if import_problem and plans[check.id].student:
            verdict = import_problem
        else:
            try:
                verdict = kind_of(check).score(check, evidence)
            except Exception as exc:  # noqa: BLE001 - a check must never take the batch down
                verdict = Verdict(0.0, f"the grader could not score this check ({type(exc).__name__}: {exc})",
                                  status="error")
        fraction = min(1.0, max(0.0, verdict.fraction))
        checks.append(CheckResult(id=check.id, kind=check.kind, title=check.title,
                                  points=round(fraction * check.points, 6), max_points=check.points,
                                  status=verdict.final_status(), message=verdict.message,
                                  visibility=check.visibility, details=verdict.details))
    code_seconds = student_obs.imported.seconds + sum(o.seconds for o in student_obs.probes.values())
    return QuestionResult(id=question.id, title=question.title, points=round(sum(c.points for c in checks), 6),
                          max_points=question.max_points, checks=checks, output=student_obs.stdout,
                          code_seconds=round(code_seconds, 4))


def grade_submission(assignment: Assignment, submission: Path, reference: dict[str, FileObservations], *,
                     device: str = "cpu", launcher=None, student: str | None = None,
                     sandbox: SandboxSettings | None = None) -> Result:
    """Grade one submission folder against cached reference observations."""
    from grader.sandbox.parent.launcher import SpawnLauncher

    launcher = launcher or SpawnLauncher()
    started = time.perf_counter()
    questions = []
    active, missing = list(launcher.layers), []
    for question in assignment.rubric.questions:
        observed = run_question(assignment, question, submission, "student", device, launcher, sandbox)
        questions.append(score_question(assignment, question, submission, observed,
                                        reference.get(question.id), device))
        active += [layer for layer in observed.imported.sandbox if layer not in active]
        missing += [layer for layer in observed.imported.sandbox_missing if layer not in missing]
    result = Result(student=student or submission.name, assignment=assignment.rubric.assignment, total=0,
                    max_total=assignment.rubric.max_total, questions=questions, sandbox=active, sandbox_missing=missing,
                    grader_version=__version__, device=device, launcher=launcher.name,
                    seconds=round(time.perf_counter() - started, 3))
    return result.recompute()


def grade_and_store(assignment: Assignment, submission: Path, reference: dict[str, FileObservations], out_dir: Path,
                    fingerprint: str, **options) -> Result:
    """Grade one submission, then store its result (atomically) and its HTML report in ``out_dir``."""
    from grader.render.html import write_report
    from grader.results import save_result

    result = grade_submission(assignment, submission, reference, **options)
    result.fingerprint = fingerprint
    save_result(out_dir, result)
    write_report(out_dir, result)
    return result
