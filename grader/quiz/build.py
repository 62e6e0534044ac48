"""Building a quiz: run the reference's ``quiz.py`` in the sandbox once per variant.

Variant 1 uses the handout's own inputs (``variant_seed=None``); variant k > 1 gets a seed
derived from ``--seed`` and k, from which the reference draws other inputs. Every answer is
computed there by the reference, never typed in.
"""
from __future__ import annotations

from grader.assignments import Assignment
from grader.inputs import derive_seed
from grader.quiz.items import Image, QuizItem
from grader.reference_calls import call_reference
from grader.sandbox.protocol import SandboxSettings

QUIZ_FILE = "quiz.py"


class QuizError(Exception):
    """The reference's quiz could not be built."""


def _item(data: dict) -> QuizItem:
    image = data.get("image")
    if image is not None:
        data = {**data, "image": Image(name=image["name"], data=bytes(image["data"]))}
    return QuizItem.model_validate(data)


def build_quiz(assignment: Assignment, variants: int, seed: int, spread_seeds: int,
               launcher=None) -> dict[str, list[QuizItem]]:
    """``{"$course$/<assignment>/variant k": items}`` for k = 1..variants."""
    if not (assignment.reference_dir / QUIZ_FILE).is_file():
        raise QuizError(f"{assignment.reference_dir / QUIZ_FILE}: no quiz for {assignment.name} — write "
                        "quiz_items(variant_seed, spread_seeds) there")
    calls = {}
    for k in range(1, variants + 1):
        variant_seed = None if k == 1 else derive_seed(seed, assignment.name, "quiz", k) % 2**31
        calls[f"variant{k}"] = ("quiz_items", {"variant_seed": variant_seed, "spread_seeds": spread_seeds})
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
    return quiz
