"""Building a quiz: run the reference's ``quiz.py`` in the sandbox once per variant.

``quiz_items(variant, seed, spread_seeds)``: variant 1 uses the handout's own inputs; variant
k > 1 draws others from streams seeded by ``--seed``, without repeats (the reference's job: it
knows which inputs it draws). Every answer is computed there by the reference, never typed in.
Two variants that come back identical are refused; numerical questions that repeat in two
variants are reported.
"""
from __future__ import annotations

from grader.sandbox.parent.launcher import Launcher
from grader.assignments import Assignment
from grader.authoring.quiz.items import Image, QuizItem
from grader.authoring.reference_calls import call_reference
from grader.sandbox.protocol import SandboxSettings

QUIZ_FILE = "quiz.py"


class QuizError(Exception):
    """The reference's quiz could not be built."""


def _item(data: dict) -> QuizItem:
    image = data.get("image")
    if image is not None:
        data = {**data, "image": Image(name=image["name"], data=bytes(image["data"]))}
    return QuizItem.model_validate(data)


def identical_variants(quiz: dict[str, list[QuizItem]]) -> list[tuple[int, int]]:
    """``(j, k)`` for every pair of variants whose items are the same in every field."""
    dumps = [[item.model_dump() for item in items] for items in quiz.values()]
    return [(j + 1, k + 1) for k in range(len(dumps)) for j in range(k) if dumps[j] == dumps[k]]


def repeated_numericals(quiz: dict[str, list[QuizItem]]) -> list[str]:
    """``"name (variants j and k)"`` for numerical items asked the same way with the same answer twice."""
    first: dict[tuple, int] = {}
    found = []
    for k, items in enumerate(quiz.values(), start=1):
        for item in items:
            if item.type != "numerical":
                continue
            key = (item.name, item.text, item.answer, item.tolerance)
            if key in first:
                found.append(f"{item.name} (variants {first[key]} and {k})")
            first.setdefault(key, k)
    return found


def build_quiz(assignment: Assignment, variants: int, seed: int, spread_seeds: int,
               launcher: Launcher | None = None) -> dict[str, list[QuizItem]]:
    """``{"$course$/<assignment>/variant k": items}`` for k = 1..variants; refuses identical variants."""
    if not (assignment.reference_dir / QUIZ_FILE).is_file():
        raise QuizError(f"{assignment.reference_dir / QUIZ_FILE}: no quiz for {assignment.name} — write "
                        "quiz_items(variant, seed, spread_seeds) there")
    calls = {f"variant{k}": ("quiz_items", {"variant": k, "seed": seed, "spread_seeds": spread_seeds})
             for k in range(1, variants + 1)}
    outcomes = call_reference(assignment.reference_dir, QUIZ_FILE, calls, seed=seed, launcher=launcher,
                              timeout=60 + 10 * spread_seeds, import_timeout=120,
                              sandbox=SandboxSettings(memory_mb=8192))
    quiz = {}
    for k, outcome in enumerate(outcomes.values(), start=1):
        if outcome.problem:
            raise QuizError(f"variant {k}: {outcome.problem}")
        try:
            items = [_item(d) for d in outcome.value]
        except (ValueError, TypeError) as exc:
            raise QuizError(f"{QUIZ_FILE}: variant {k}: {exc}") from None
        quiz[f"$course$/{assignment.name}/variant {k}"] = items
    same = identical_variants(quiz)
    if same:
        pairs = ", ".join(f"{j} and {k}" for j, k in same)
        raise QuizError(f"variants {pairs} are identical: {QUIZ_FILE} must draw other inputs for each `variant` "
                        "(nothing was written)")
    return quiz
