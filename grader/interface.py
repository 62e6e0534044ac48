"""How a student's code may deviate from the handout's interface and still be graded: close names and keywords.

Used on both sides of the sandbox with the same rules: in the child, to call the function a student
named ``sgd_factorise_ad`` when the rubric asks for ``sgd_factorise`` (and pass ``num_epochs=`` as the
student's ``epochs=``); in the parent, to read the same function's source for ``within:`` rules.
Nothing here imports torch or pydantic: the child loads it cheaply.
"""
from __future__ import annotations

import difflib
from typing import Iterable

NAME_CUTOFF = 0.8  # case-insensitive similarity a stand-in name needs (sgd_factorise_ad for sgd_factorise: 0.90)
KEYWORD_CUTOFF = 0.7  # num_epochs / epochs: 0.75; n_epochs: 0.89
AMBIGUITY = 0.05  # a second candidate this close to the best one makes the match ambiguous: no stand-in

DEVIATION_KINDS = ("name", "keyword", "parameter", "tuple", "dtype")
"""``name``: a close name stood in for the handout's; ``keyword``: a keyword argument was passed under the
student's name for it; ``parameter``: a parameter the handout does not have was filled; ``tuple``: the answer
was the prefix of a longer tuple; ``dtype``: the handout's data was given again in the student's dtype."""

# Names a keyword of the handouts is commonly written as (each list read both ways).
KEYWORD_SYNONYMS = (
    ("num_epochs", "epochs", "n_epochs", "nepochs", "num_epoch", "epoch", "n_iter", "n_iters", "num_iters",
     "iterations", "iters", "num_iterations", "max_iter"),
    ("lr", "learning_rate", "eta", "alpha", "step_size", "lrate", "learningrate"),
    ("steps", "num_steps", "n_steps", "nsteps", "iterations", "iters", "n_iter"),
    ("batch_size", "bs", "batchsize", "batch"),
    ("seed", "random_seed", "rng_seed", "random_state"),
    ("momentum", "mu", "beta", "gamma"),
    ("rank", "k", "r"),
)


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()


def _best(wanted: str, candidates: Iterable[str], cutoff: float) -> str | None:
    """The one candidate at least ``cutoff`` similar to ``wanted``, unless another comes as close."""
    scored = sorted(((_similarity(wanted, c), c) for c in candidates if c != wanted), reverse=True)
    scored = [(s, c) for s, c in scored if s >= cutoff]
    if not scored or (len(scored) > 1 and scored[0][0] - scored[1][0] < AMBIGUITY):
        return None
    return scored[0][1]


def stand_in_name(wanted: str, defined: Iterable[str], claimed: Iterable[str] = ()) -> str | None:
    """The student's name for ``wanted`` when they chose a close one (``sgd_factorise_ad`` for ``sgd_factorise``,
    ``Mlp`` for ``MLP``), else None. A name the rubric asks for itself (``claimed``) never stands in for another,
    and neither does a private name."""
    taken = set(claimed) | {wanted}
    candidates = [n for n in defined if n not in taken and not n.startswith("_")]
    exact = [n for n in candidates if n.lower() == wanted.lower()]
    if len(exact) == 1:
        return exact[0]
    return _best(wanted, candidates, NAME_CUTOFF)


def stand_in_keyword(wanted: str, free: list[str]) -> str | None:
    """The student's parameter (among the ``free`` ones, not bound yet) that takes the handout's keyword
    ``wanted``: a known synonym (``epochs`` for ``num_epochs``, ``learning_rate`` for ``lr``), a close spelling,
    or the only free parameter left."""
    for group in KEYWORD_SYNONYMS:
        if wanted in group:
            synonyms = [p for p in free if p.lower() in group]
            if len(synonyms) == 1:
                return synonyms[0]
    close = _best(wanted, free, KEYWORD_CUTOFF)
    if close:
        return close
    return free[0] if len(free) == 1 else None
