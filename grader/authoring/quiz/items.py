"""Quiz items as plain data, validated before they are written.

A course's ``reference/<assignment>/quiz.py`` returns a list of dicts from
``quiz_items(variant, seed, spread_seeds)``; each becomes a ``QuizItem``.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

# The grade fractions Moodle's importer accepts (question/format/xml and GIFT), in percent.
MOODLE_FRACTIONS = (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667,
                    14.28571, 12.5, 11.11111, 10, 5, 0)


class Choice(BaseModel):
    """One answer of a multiple-choice item."""

    text: str
    fraction: float = 0.0
    feedback: str = ""


class Image(BaseModel):
    """A PNG shown in the question text."""

    name: str = Field(pattern=r"^[\w.-]+\.png$")
    data: bytes


class QuizItem(BaseModel):
    """One question: numerical (answer and absolute tolerance), multichoice, or essay."""

    name: str = Field(min_length=1)
    text: str = Field(min_length=1, description="HTML")
    type: Literal["numerical", "multichoice", "essay"]
    points: float = Field(1.0, gt=0)
    answer: float | None = None
    tolerance: float | None = Field(None, ge=0)
    choices: list[Choice] = Field(default_factory=list)
    feedback: str = ""
    image: Image | None = None

    @model_validator(mode="after")
    def _complete(self) -> "QuizItem":
        if self.type == "numerical" and (self.answer is None or self.tolerance is None):
            raise ValueError(f"{self.name}: a numerical item needs `answer` and `tolerance`")
        if self.type == "multichoice":
            if len(self.choices) < 2:
                raise ValueError(f"{self.name}: a multichoice item needs at least 2 choices")
            for choice in self.choices:
                if not any(abs(abs(choice.fraction) - f) < 1e-4 for f in MOODLE_FRACTIONS):
                    raise ValueError(f"{self.name}: fraction {choice.fraction} is not one of Moodle's grade fractions")
            if max(c.fraction for c in self.choices) < 100 - 1e-4:
                raise ValueError(f"{self.name}: no choice is worth 100%")
        return self
