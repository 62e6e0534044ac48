"""Grading one submission: run each question's probes in the sandbox, score every check."""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import torch
from pydantic import BaseModel, Field

from grader import __version__
from grader.cache import cache_root
from grader.checks.base import Evidence, Plan, Verdict
from grader.checks.scoring import score_check
from grader.course.offline_data import prepare
from grader.diagnosis.blame import NOT_YOURS, attribute, error_sentence, grader_faults
from grader.diagnosis.known import KnownMistake
from grader.handins.notebooks import NotebookError
from grader.handins.staging import Stage, stage
from grader.next_in_line import NextInLine, long_calls
from grader.observe import FileObservations, ImportInfo, Observation
from grader.plan import GradingPlan, QuestionPlan
from grader.rubric import Question
from grader.results import CheckResult, QuestionResult, Result
from grader.scoring_ahead import AheadVerdicts, score_ahead
from grader.scoring_early import EarlyScoring
from grader.scoring_gate import ScoringGate
from grader.sandbox.parent.launcher import Launcher, SpawnLauncher
from grader.sandbox.parent.runner import EarlyChild, run_file, start_early
from grader.sandbox.parent.watch import OnReply
from grader.sandbox.protocol import Probe, SandboxSettings

FULL_TIMEOUT_SCALE = 100  # `--full`: real data sets train for hours on a CPU, minutes on a GPU


class GradingOptions(BaseModel):
    """Per-run choices of the parent that are not the rubric's: layers switched off, ``--full`` data."""

    without: list[str] = Field(default_factory=list, description="sandbox layers switched off by name")
    full_data_dir: str | None = Field(None, description="`--full`: real data sets and weights instead of stand-ins")


@dataclass
class EarlyQuestion:
    """A student's question file staged, and its first child handed the request before the file's turn."""

    chosen: str
    staged: Stage
    child: EarlyChild
    probes: list[Probe]  # as run, with the rest of run_file's arguments (``_run_arguments``)
    arguments: dict

    def cancel(self) -> None:
        """Not run after all."""
        self.child.cancel()
        self.staged.close()


def _run_arguments(plan: GradingPlan, question: Question, probes: list[Probe], side: str,
                   options: GradingOptions) -> tuple[list[Probe], dict]:
    """The probes as run (their limits scaled for ``--full`` data) and the rest of ``run_file``'s arguments."""
    offline_root = prepare(question.offline_data, cache_root(), options.full_data_dir)
    sandbox = SandboxSettings(**plan.assignment.rubric.limits.model_dump(), disable=options.without,
                              offline_root=offline_root)
    scale = FULL_TIMEOUT_SCALE if options.full_data_dir and question.offline_data else 1
    if scale != 1:
        probes = [p.model_copy(update={"timeout": p.timeout * scale}) for p in probes]
    return probes, {"device": plan.device, "seed": plan.assignment.rubric.seed, "sandbox": sandbox,
                    "import_timeout": question.import_timeout * scale, "keep_whole": side == "reference"}


@dataclass
class EarlySubmission:
    """A submission's first question files (by their place in the plan), each with a child started early: the
    files whose children would otherwise be started as its first file begins."""

    questions: dict[int, EarlyQuestion]

    def cancel(self) -> None:
        """Not run after all."""
        for question in self.questions.values():
            question.cancel()


def start_question_early(plan: GradingPlan, qplan: QuestionPlan, folder: Path, launcher: Launcher,
                         options: GradingOptions | None, chosen: str) -> EarlyQuestion | None:
    """Stage a student's question file and hand its first child the request now, while the worker's previous file
    runs: the child applies its layers meanwhile and imports the file at its turn (``run_question(..., early=)``).
    None where there is nothing to start (no probes, a notebook that cannot be read, no child)."""
    question = qplan.question
    probes = qplan.probes("student")
    if not probes:
        return None
    probes, arguments = _run_arguments(plan, question, probes, "student", options or GradingOptions())
    try:
        staged = stage(folder, chosen, plan.course, question.run_as_main)
    except NotebookError:
        return None
    child = start_early(staged.module_file, staged.folder, probes, launcher=launcher, **arguments)
    if child is None:
        staged.close()
        return None
    return EarlyQuestion(chosen, staged, child, probes, arguments)


def run_question(plan: GradingPlan, qplan: QuestionPlan, folder: Path, side: str, launcher: Launcher | None,
                 options: GradingOptions | None = None,
                 on_reply: OnReply | None = None,
                 chosen: str | None = None, early: EarlyQuestion | None = None) -> FileObservations:
    """Run one side's probes of a question against ``folder`` (the reference's or a student's); ``on_reply``
    gets each probe's observation as it comes, unless the file was staged under another name; ``chosen``: the
    file graded, when the caller has already chosen it (``GradingPlan.chosen_file``); ``early``: that file's
    child, started with ``start_question_early``."""
    question = qplan.question
    probes = qplan.probes(side)
    chosen = chosen or plan.chosen_file(qplan, folder)
    if early is not None and early.chosen != chosen:
        early.cancel()
        early = None
    if not probes:  # manual, source and artifact checks only: nothing to import
        return FileObservations(module_file=chosen, imported=ImportInfo(status="ok"))
    probes, arguments = (early.probes, early.arguments) if early else \
        _run_arguments(plan, question, probes, side, options or GradingOptions())
    try:
        staged = early.staged if early else stage(folder, chosen, plan.course, question.run_as_main)
    except NotebookError as exc:
        return FileObservations(module_file=chosen, imported=ImportInfo(status="error", detail=str(exc)))
    try:
        observed = run_file(staged.module_file, staged.folder, probes, launcher=launcher,
                            on_reply=None if staged.relabels else on_reply, early=early.child if early else None,
                            **arguments)
    finally:
        staged.close()
    observed = staged.relabel(observed)
    if observed.imported.status == "missing" and question.alternatives:
        looked = " or ".join(question.alternatives)
        observed.imported.detail += f"; {looked} would have been graded in its place"
    return observed


def _import_verdict(obs: FileObservations) -> Verdict | None:
    info = obs.imported
    if info.status == "ok":
        return None
    if info.status == "missing":
        return Verdict(0.0, info.detail, status="fail")
    if info.error and info.error.origin == "grader":
        return Verdict(0.0, f"importing {obs.module_file} failed in the grader: {error_sentence(info.error)}",
                       status="grader_error")
    if info.error and info.error.type == "SyntaxError":
        return Verdict(0.0, f"{obs.module_file} has a syntax error: {info.error.one_line()}", status="error")
    if info.error:
        return Verdict(0.0, f"importing {obs.module_file} raised {info.error.one_line()}", status="error")
    return Verdict(0.0, f"{obs.module_file} could not be imported: {info.detail}", status="error")


def _owned(verdict: Verdict, plan: Plan, student: FileObservations, reference: FileObservations | None) -> Verdict:
    """A check that lost points partly through a failure of the grader or the rubric gets the ``grader_error``
    status and says so; its points stay what the check gave (the child's word never raises a mark)."""
    if verdict.fraction >= 1 or verdict.status in ("manual", "grader_error"):
        return verdict
    faults = grader_faults(student, reference, plan.student, plan.reference)
    if not faults:
        return verdict
    extra = [f for f in dict.fromkeys(faults) if f not in verdict.message]
    message = "; ".join([verdict.message, *extra]) if extra else verdict.message
    return Verdict(verdict.fraction, message, status="grader_error", details=verdict.details)


def _scoring_threads() -> None:
    """Scoring compares small tensors: torch's worker threads would only spin against the sandboxed children
    for the cores (nine times slower on two busy cores), so the grader's own process keeps one."""
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def score_question(qplan: QuestionPlan, submission: Path, student_obs: FileObservations,
                   reference_obs: FileObservations | None, mistakes: list[KnownMistake] | None = None,
                   ahead: AheadVerdicts | None = None, early: EarlyScoring | None = None) -> QuestionResult:
    """Score every check of a question from the two sides' observations (``mistakes``: the reference's mutants
    observed on the same probes, to name a mistake a failed check matches; ``ahead``: the file-only checks
    scored while the file ran; ``early``: the checks scored as their probes replied)."""
    question = qplan.question
    _scoring_threads()
    scored_early = early.verdicts(student_obs) if early else {}  # first: it waits for their scoring to end
    attribute(student_obs, qplan.probes("student"))
    evidence = Evidence(student=student_obs, reference=reference_obs, submission_dir=submission, ctx=qplan.ctx,
                        mistakes=mistakes or [])
    import_problem = _import_verdict(student_obs)
    checks = []
    for check in question.checks:
        if import_problem and qplan.checks[check.id].student:
            verdict = import_problem
        elif check.id in scored_early:
            verdict = scored_early[check.id]
        else:
            try:
                early = ahead.verdict(check.id, student_obs) if ahead else None
                verdict = score_check(check, evidence, qplan.checks[check.id], early)
            except Exception as exc:  # noqa: BLE001 - a check must never take the batch down
                verdict = Verdict(0.0, f"the grader could not score this check ({type(exc).__name__}: {exc}); "
                                  f"{NOT_YOURS}", status="grader_error")
            verdict = _owned(verdict, qplan.checks[check.id], student_obs, reference_obs)
        fraction = min(1.0, max(0.0, verdict.fraction))
        checks.append(CheckResult(id=check.id, kind=check.kind, title=check.title,
                                  points=round(fraction * check.points, 6), max_points=check.points,
                                  status=verdict.final_status(), message=verdict.message,
                                  visibility=check.visibility, details=verdict.details))
    code_seconds = student_obs.imported.seconds + sum(o.seconds for o in student_obs.probes.values())
    return QuestionResult(id=question.id, title=question.title, points=round(sum(c.points for c in checks), 6),
                          max_points=question.max_points, checks=checks, output=student_obs.stdout,
                          code_seconds=round(code_seconds, 4))


def _early_scorer(qplan: QuestionPlan) -> Callable[[Evidence, str], Verdict]:
    """A check's verdict as ``score_question`` records it, for checks scored as their probes reply."""
    checks = {check.id: check for check in qplan.question.checks}

    def score(evidence: Evidence, check_id: str) -> Verdict:
        plan = qplan.checks[check_id]
        return _owned(score_check(checks[check_id], evidence, plan), plan, evidence.student, evidence.reference)

    return score


def _start_submission_early(plan: GradingPlan, first_files: list[int], folder: Path, launcher: Launcher,
                            options: GradingOptions | None) -> EarlySubmission | None:
    """The first two question files of the submission in ``folder`` (``first_files``: their places in the plan),
    started early; None where neither could be (a file that fails to start is left to its turn)."""
    qplans = list(plan)
    started = {}
    for index in first_files[:2]:
        try:
            question = start_question_early(plan, qplans[index], folder, launcher, options,
                                            plan.chosen_file(qplans[index], folder))
        except Exception:  # noqa: BLE001 - at its own turn the file is staged again, and says what fails
            question = None
        if question is not None:
            started[index] = question
    return EarlySubmission(started) if started else None


def _at_the_long_call(on_reply: OnReply, long: tuple[bool, set[str]], then: Callable[[], None]) -> OnReply:
    """``on_reply`` for the submission's last file, which also calls ``then`` (once) as the file's child begins a
    long call (``long``: ``next_in_line.long_calls``; at once, where its import or first probe is long)."""
    at_once, before_long = long
    pending = _Once(then)
    if at_once:
        pending()

    def reply(probe_id: str, observation: Observation, imported: ImportInfo) -> None:
        on_reply(probe_id, observation, imported)
        if probe_id in before_long:
            pending()

    return reply


class _Once:
    """A call made once, at the first of several moments: what follows the word to go for a child started early (the
    question before scored, the next file started), held until the child's first reply, so that it wakes and
    imports the file while no scoring competes with it for the cores (measured: ~0.6 ms less per file at one worker
    on two cores); what waits for the last file's long call."""

    def __init__(self, then: Callable[[], None] | None) -> None:
        self.then = then

    def __call__(self) -> None:
        """Do it now, if not done yet."""
        then, self.then = self.then, None
        if then is not None:
            then()

    def before(self, on_reply: OnReply) -> OnReply:
        """``on_reply``, doing this first."""
        def reply(probe_id: str, observation: Observation, imported: ImportInfo) -> None:
            self()
            on_reply(probe_id, observation, imported)
        return reply


class _ThenScore:
    """A launcher that, once it has handed the next file's child its request, starts the scoring of the question
    before (and the next file's child, early): the scoring thread and the hand-over compete for the interpreter,
    and the hand-over is on the way to the student's next line, the scoring is not."""

    def __init__(self, launcher: Launcher, then: Callable[[], None]) -> None:
        self.launcher, self.then = launcher, then
        self.name, self.layers, self.early_starts = launcher.name, launcher.layers, launcher.early_starts

    def start(self, *args):
        """The launcher's ``start``, then the waiting scoring."""
        handle = self.launcher.start(*args)
        self.then()
        return handle


def grade_submission(plan: GradingPlan, submission: Path, reference: dict[str, FileObservations], *,
                     launcher: Launcher | None = None, student: str | None = None,
                     options: GradingOptions | None = None,
                     mistakes: Mapping[str, list[KnownMistake]] | None = None,
                     next_in_line: NextInLine[EarlySubmission] | None = None) -> Result:
    """Grade one submission folder against the reference's observations (and its known mistakes, per question).
    ``next_in_line``: the run's order, to start the next submission's first files while this one's last runs long
    (and to take this one's, started so)."""
    launcher = launcher or SpawnLauncher()
    started = time.perf_counter()
    active, missing = list(launcher.layers), []
    qplans = list(plan)
    chosen_files = [plan.chosen_file(q, submission) for q in qplans]  # once: with several candidates it reads each
    early_runs: dict[int, EarlyQuestion | None] = {}  # a question's file started while the one before runs
    running_files = [i for i, q in enumerate(qplans) if q.probes("student")]
    if next_in_line is not None and (carried := next_in_line.begin(submission)) is not None:
        early_runs.update(carried.questions)
    last = qplans[running_files[-1]] if running_files else None
    long = long_calls(last.probes("student"), reference.get(last.question.id)) if last else (False, set())
    with ThreadPoolExecutor(1, thread_name_prefix="score") as pool:  # a question is scored while the next runs
        scorer = ScoringGate(pool, held=launcher.early_starts and (long[0] or bool(long[1])))

        def at_the_long_call() -> None:
            if next_in_line is not None and launcher.early_starts:
                next_in_line.start_next(lambda folder: _start_submission_early(plan, running_files, folder,
                                                                               launcher, options))
            scorer.open()
        scored, waiting, upcoming, ahead = [], [], [], {}

        def score_with_ahead(qplan: QuestionPlan, *args, early: EarlyScoring) -> QuestionResult:
            files_only = ahead[qplan.question.id]  # done: submitted to this one thread before
            return score_question(qplan, *args, ahead=None if files_only.exception() else files_only.result(),
                                  early=early)

        def score_waiting() -> None:
            while waiting:
                *args, early = waiting.pop(0)
                scored.append(scorer.submit(score_with_ahead, *args, early=early))
            while upcoming:  # the file-only checks of the question whose child just started
                qplan, chosen = upcoming.pop(0)
                ahead[qplan.question.id] = scorer.submit(score_ahead, qplan, chosen, submission,
                                                         reference.get(qplan.question.id))

        def started_one() -> None:
            """A question's child has its request (or its word to go): score what waits, start the next early."""
            score_waiting()
            following = running + 1
            if launcher.early_starts and following < len(qplans) and following not in early_runs:
                early_runs[following] = None
                try:
                    early_runs[following] = start_question_early(plan, qplans[following], submission, launcher,
                                                                 options, chosen_files[following])
                except Exception:  # noqa: BLE001 - at its own turn the file is staged again, and says what fails
                    pass

        handing = _ThenScore(launcher, started_one)
        try:
            for running, (qplan, chosen) in enumerate(zip(qplans, chosen_files)):
                upcoming.append((qplan, chosen))
                question_id = qplan.question.id
                known = (mistakes or {}).get(question_id)
                early = EarlyScoring(qplan, chosen, submission, reference.get(question_id), known or [],
                                     _early_scorer(qplan), scorer.submit)
                started_early = early_runs.pop(running, None)
                if started_early is not None:
                    started_early.child.go()
                after_go = _Once(started_one if started_early is not None else None)
                if started_early is not None and started_early.staged.relabels:
                    after_go()  # its replies are passed on only once the file ends
                    if qplan is last:
                        scorer.open()  # nor would its long call be seen: the scoring is not left for its end
                on_reply = after_go.before(early.reply)
                if qplan is last:
                    on_reply = _at_the_long_call(on_reply, long, at_the_long_call)
                observed = run_question(plan, qplan, submission, "student", handing, options, on_reply, chosen,
                                        started_early)
                after_go()  # a file with no reply passed on (staged under another name, not imported)
                score_waiting()  # a question that started no child
                waiting.append((qplan, submission, observed, reference.get(question_id), known, early))
                active += [layer for layer in observed.imported.sandbox if layer not in active]
                missing += [layer for layer in observed.imported.sandbox_missing if layer not in missing]
        finally:
            for unused in early_runs.values():
                if unused is not None:
                    unused.cancel()
        scorer.open()  # the last file made no long call (or ended before it)
        questions = [future.result() for future in scored]
        questions += [score_with_ahead(*args, early=early) for *args, early in waiting]  # the last: here
    rubric = plan.assignment.rubric
    result = Result(student=student or submission.name, assignment=rubric.assignment, total=0,
                    max_total=rubric.max_total, questions=questions, sandbox=active, sandbox_missing=missing,
                    grader_version=__version__, device=plan.device, launcher=launcher.name,
                    seconds=round(time.perf_counter() - started, 3))
    return result.recompute()
