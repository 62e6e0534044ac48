"""Comparing every pair of students, question by question, for one assignment."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path

from grader.handins.notebooks import top_level_names
from grader.assignments import Assignment
from grader.plan import GradingPlan
from grader.similarity.explain import function_matches, regions
from grader.similarity.models import Pair, QuestionSimilarity, SimilarityReport
from grader.similarity.ops import OpsTable
from grader.similarity.ranking import clusters, combined, rank
from grader.similarity.scoring import MIN_MASS, rarity_weights, similarity, weighted
from grader.similarity.sources import Document, read_document
from grader.similarity.structure import structure_print
from grader.similarity.tokens import parse, token_print
from grader.handins.submissions import Submission

KEEP_BELOW = 20  # pairs under the threshold still listed, for context
EXPLAINED = 200  # highest pairs given their matching regions, functions and ops
SOURCE_SUFFIXES = (".py", ".ipynb")


@dataclass
class QuestionInput:
    """What one question compares: each student's document and the files everyone may share."""

    id: str
    file: str
    documents: dict[str, Document]
    baseline: list[Document] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    folders: dict[str, Path] = field(default_factory=dict)
    ops: OpsTable | None = None  # when the ops view ran


def baseline_documents(paths: list[Path]) -> list[Document]:
    """Readable documents among ``paths`` and, for a folder, every script or notebook inside it."""
    found: list[Document] = []
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in SOURCE_SUFFIXES) if path.is_dir() else [path]
        for file in files[:5000]:
            if (doc := read_document(str(file), file)) is not None:
                found.append(doc)
    return found


@lru_cache(maxsize=1024)
def _baseline_prints(text: str) -> tuple[frozenset, frozenset]:
    """A handed-out file's fingerprints in both views (the same files serve every question)."""
    tree = parse(text)
    return frozenset(token_print(text, tree).hashes), frozenset(structure_print(text, tree).bag)


def compare(question: QuestionInput, threshold: float, keep: int = KEEP_BELOW) -> QuestionSimilarity:
    """Every pair of ``question.documents`` scored, ranked and explained."""
    owners = sorted(question.documents)
    tokens, structures = {}, {}
    for o in owners:
        text = question.documents[o].text
        tree = parse(text)
        tokens[o], structures[o] = token_print(text, tree), structure_print(text, tree)
    base_tokens, base_struct = set(), set()
    for doc in question.baseline:
        hashes, bag = _baseline_prints(doc.text)
        base_tokens |= hashes
        base_struct |= bag
    token_weights = rarity_weights({o: tokens[o].hashes for o in owners}, base_tokens)
    struct_weights = rarity_weights({o: structures[o].bag for o in owners}, base_struct)
    token_sets = {o: weighted(tokens[o].spans, token_weights) for o in owners}
    struct_sets = {o: weighted(structures[o].bag, struct_weights) for o in owners}
    ops = question.ops
    scored = []
    for a, b in combinations(owners, 2):
        t = similarity(token_sets[a], token_sets[b], token_weights)
        s = similarity(struct_sets[a], struct_sets[b], struct_weights)
        o = ops.similarity(a, b) if ops is not None else None
        scored.append((-combined(t, s, o), a, b, t, s, o))
    scored.sort()
    listed = sum(-row[0] >= threshold for row in scored) + keep
    pairs = [Pair(a=a, b=b, score=round(-score, 4), tokens=round(t, 4), structure=round(s, 4),
                  ops=None if o is None else round(o, 4)) for score, a, b, t, s, o in scored[:listed]]
    ranked = rank(pairs, threshold, keep)
    for pair in ranked[:EXPLAINED]:
        pair.regions = regions(tokens[pair.a], tokens[pair.b], structures[pair.a], structures[pair.b],
                               token_weights, struct_weights)
        pair.functions = function_matches(structures[pair.a], structures[pair.b], struct_weights)
        if ops is not None:
            pair.ops_matches = ops.matches(pair.a, pair.b)
    masses = sorted(w.mass for w in token_sets.values())
    notes = [] if not masses or masses[len(masses) // 2] >= MIN_MASS else [
        "Little of these files is left once the handed-out code and what most students write alike are set "
        "aside (a short question): the scores here say little either way."]
    return QuestionSimilarity(id=question.id, file=question.file, students=owners, missing=question.missing,
                              baseline=[d.file for d in question.baseline], pairs_compared=len(scored),
                              pairs=ranked, clusters=clusters(ranked), notes=notes)


@lru_cache(maxsize=4096)
def _names(path: Path, tags: tuple[str, ...], stamp: tuple[int, int]) -> frozenset[str]:
    """Top-level names of ``path`` (``stamp``: its mtime and size, so that a changed file is read again)."""
    return frozenset(top_level_names(path, tags))


def likeliest_file(folder: Path, wanted: set[str], tags: tuple[str, ...]) -> str | None:
    """The script or notebook in ``folder`` defining most of ``wanted``, and at least half of it (a notebook
    handed in for a .py)."""
    found = sorted(p for p in folder.iterdir()
                   if p.suffix.lower() in SOURCE_SUFFIXES and not p.is_symlink() and p.is_file())[:50]
    scored = [(len(wanted & _names(p, tags, (p.stat().st_mtime_ns, p.stat().st_size))), p.name) for p in found]
    best = max(scored, default=(0, None), key=lambda item: item[0])
    return best[1] if best[0] > 0 and 2 * best[0] >= len(wanted) else None


def shared_folders(assignment: Assignment, also: Path | None = None) -> list[Path]:
    """Folders of code every student may have: the starter, the reference and ``--also``."""
    return [p for p in (assignment.starter_dir, assignment.reference_dir, also) if p is not None and p.exists()]


def question_inputs(plan: GradingPlan, submissions: list[Submission], shared: list[Path]) -> list[QuestionInput]:
    """Each question's documents: the file the grader would grade in every student's folder."""
    assignment, tags = plan.assignment, plan.skip_tags
    baseline = baseline_documents(shared)
    names = {q.id: top_level_names(assignment.reference_dir / q.file, tags) for q in assignment.rubric.questions}
    inputs = []
    for qplan in plan:
        question = qplan.question
        if not question.file.endswith(SOURCE_SUFFIXES) and not any(a.endswith(SOURCE_SUFFIXES)
                                                                   for a in question.alternatives):
            continue  # a PDF or other hand-in: nothing to compare
        documents, missing, folders = {}, [], {}
        wanted = names[question.id] - set().union(*(n for qid, n in names.items() if qid != question.id))
        for s in submissions:
            name = plan.chosen_file(qplan, s.path)
            if not (s.path / name).is_file():
                name = likeliest_file(s.path, wanted, tags) or name
            doc = read_document(s.student, s.path / name, tags)
            if doc is None:
                missing.append(s.student)
            else:
                documents[s.student], folders[s.student] = doc, s.path
        inputs.append(QuestionInput(question.id, question.file, documents, baseline, missing, folders))
    return inputs


def similarity_report(plan: GradingPlan, submissions: list[Submission], threshold: float,
                      also: Path | None = None, ops_runner: Callable[[QuestionInput], OpsTable | None] | None = None,
                      keep: int = KEEP_BELOW) -> tuple[SimilarityReport, dict[str, dict[str, Document]]]:
    """The report for every question and the documents it shows; ``ops_runner(question_input)``
    returns an ops table when the ops view is wanted."""
    shared = shared_folders(plan.assignment, also)
    questions, documents = [], {}
    for q in question_inputs(plan, submissions, shared):
        if ops_runner is not None:
            q.ops = ops_runner(q)
        questions.append(compare(q, threshold, keep))
        if ops_runner is not None and q.ops is None:
            questions[-1].notes.append("The ops view did not run for this question: the rubric makes no function "
                                       "call to trace, or the question downloads data or trains at import.")
        documents[q.id] = q.documents
    views = ["tokens", "structure"] + (["ops"] if ops_runner is not None else [])
    return SimilarityReport(assignment=plan.assignment.name, threshold=threshold, views=views, questions=questions,
                            ignored_from=[str(p) for p in shared]), documents
