"""Naming the mistake of a failed value, gradient or step check, from hand-built evidence: simple transforms of
the correct value and the reference's mutants, named only when they match every failed trial."""
from __future__ import annotations

from pathlib import Path

import torch

from grader.checks.base import Evidence
from grader.checks.registry import KINDS
from grader.diagnosis.known import KnownMistake
from tests.checks.conftest import answers, call_args, context, make_spec, observed, ok, plan_of, score
from tests.checks.test_gradient import by_hand, setup as gradient_setup
from tests.checks.test_step import setup as step_setup, stepped

MATRIX = {"call": "f", "args": [{"tensor": ["n", "m"]}], "dims": {"n": [2, 3, 4], "m": [5, 6]}, "trials": 3}
CUBE = {"call": "f", "args": [{"tensor": [2, 3, 4]}], "trials": 2}


def correct(x: torch.Tensor) -> torch.Tensor:
    """The reference's f: an elementwise function whose value differs from its transpose, sign and scale."""
    return x * 2 + 1


def graded(student, spec_fields=MATRIX, mistakes=(), reference=correct):
    """Score a value check of ``reference`` on a student computing ``student``, with known ``mistakes``."""
    spec = make_spec("value", **spec_fields)
    probes = plan_of(spec).student
    evidence = Evidence(student=answers(probes, student), reference=answers(probes, reference, whole=True),
                        submission_dir=Path("/nonexistent"), ctx=context(), mistakes=list(mistakes))
    return KINDS["value"].score(spec, evidence), probes


def mutant(probes, function, operator="dropped-factor-2", description="factor of 2 dropped") -> KnownMistake:
    """A known mistake whose code computes ``function`` on the probes' arguments."""
    return KnownMistake(question="q1", operator=operator, function="f", description=description,
                        observations=answers(probes, function))


def named(verdict) -> list[str]:
    return [key for d in verdict.details.get("diagnosis", []) for key in d["mistakes"]]


def test_a_transposed_result_is_named_on_every_trial():
    verdict, _ = graded(lambda x: correct(x).T)
    assert verdict.fraction == 0 and named(verdict) == ["transposed"]
    assert "Your result equals the correct result transposed (on each of the 3 failed trials)." in verdict.message
    assert verdict.message.startswith("passed 0 of 3 trials; trial 1")  # the comparison's own words come first


def test_sign_and_scale_are_named_with_the_factor_a_person_would_write():
    assert named(graded(lambda x: -correct(x))[0]) == ["sign"]
    doubled = graded(lambda x: 2 * correct(x))[0]
    assert named(doubled) == ["scaled 2"] and "the correct result times 2 (" in doubled.message
    third = graded(lambda x: correct(x) / 3)[0]
    assert "the correct result divided by 3 (" in third.message
    odd = graded(lambda x: correct(x) * 0.7318)[0]
    assert "the correct result times 0.7318 (" in odd.message


def test_an_extra_dimension_of_size_one_and_permuted_dimensions():
    kept = graded(lambda x: correct(x).unsqueeze(1))[0]
    assert named(kept) == ["kept 1"] and "with an extra dimension of size 1 at dim 1" in kept.message
    moved = graded(lambda x: correct(x).permute(2, 0, 1), CUBE)[0]
    assert named(moved) == ["permuted (2, 0, 1)"] and "with its dimensions in the order (2, 0, 1)" in moved.message


def test_a_wrong_value_that_matches_nothing_names_nothing():
    verdict, _ = graded(lambda x: correct(x) + torch.linspace(0, 1, x.numel()).reshape(x.shape))
    assert verdict.fraction == 0 and "diagnosis" not in verdict.details and "equals" not in verdict.message


def test_a_mistake_that_fits_only_some_failed_trials_is_not_named():
    def sometimes(x):
        return correct(x).T if x.shape[0] == 2 else correct(x) + 1
    verdict, _ = graded(sometimes)
    assert verdict.fraction < 1 and named(verdict) == []


def test_passed_trials_do_not_count_against_a_mistake_seen_on_every_failed_one():
    verdict, probes = graded(lambda x: correct(x).T if x.shape[0] == 3 else correct(x))
    failed = sum(call_args(p)[0].shape[0] == 3 for p in probes)
    assert 0 < failed < 3 and 0 < verdict.fraction < 1
    assert named(verdict) == ["transposed"] and (f"on each of the {failed} failed trials" in verdict.message
                                                 or "on the failed trial" in verdict.message)


def test_one_number_is_never_called_a_multiple_of_another():
    verdict, _ = graded(lambda x: x.sum() * 3, {"call": "f", "args": [{"tensor": [3]}]}, reference=lambda x: x.sum())
    assert verdict.fraction == 0 and named(verdict) == []


def test_a_known_mistake_is_named_when_its_values_match_every_failed_trial():
    _, probes = graded(correct)
    dropped = mutant(probes, lambda x: x + 1)
    verdict, _ = graded(lambda x: x + 1, mistakes=[dropped])
    assert named(verdict) == ["dropped-factor-2:f:factor of 2 dropped"]
    assert "Your result equals what the correct `f` gives with one change: factor of 2 dropped" in verdict.message


def test_a_value_matching_a_transform_and_a_mistake_names_both():
    _, probes = graded(correct)
    flipped = mutant(probes, lambda x: -correct(x), "plus-minus", "+ replaced by -")
    verdict, _ = graded(lambda x: -correct(x), mistakes=[flipped])
    assert named(verdict) == ["sign", "plus-minus:f:+ replaced by -"]
    assert "equals each of: the correct result with the opposite sign; what the correct `f` gives" in verdict.message


def test_mistakes_that_do_not_fit_or_change_nothing_are_never_named():
    _, probes = graded(correct)
    harmless = mutant(probes, correct, "detach", "returned tensor detached from the graph")
    elsewhere = mutant(probes, lambda x: x + 1 if x.shape[0] == 2 else correct(x))
    verdict, _ = graded(lambda x: x + 1, mistakes=[harmless, elsewhere])
    assert named(verdict) == []


def test_when_too_many_mistakes_fit_none_is_named():
    _, probes = graded(correct)
    same = [mutant(probes, lambda x: x + 1, "op", f"change {k}") for k in range(4)]
    verdict, _ = graded(lambda x: x + 1, mistakes=same)
    assert named(verdict) == [] and "equals" not in verdict.message


def test_the_einsum_mutant_does_not_quote_the_reference_code():
    _, probes = graded(correct)
    swapped = mutant(probes, lambda x: correct(x).T, "einsum-subscripts", "einsum output subscripts 'ij' -> 'ji'")
    verdict, _ = graded(lambda x: correct(x).T, mistakes=[swapped])
    assert "the einsum subscripts in the wrong order" in verdict.message and "'ij'" not in verdict.message


def test_a_transposed_hand_gradient_is_named():
    spec, probes, reference = gradient_setup()
    student = observed(*(ok(p.id, {"dW1": by_hand(p, transpose=True)}) for p in probes))
    verdict = score(spec, student, reference)
    assert verdict.fraction == 0 and named(verdict) == ["transposed"]
    assert "Your `dW1` equals the correct `dW1` transposed (on each of the 3 failed trials)." in verdict.message
    half = score(spec, observed(*(ok(p.id, {"dW1": by_hand(p, factor=1.0)}) for p in probes)), reference)
    assert "Your `dW1` equals the correct `dW1` divided by 2" in half.message


def test_a_step_the_wrong_way_too_large_or_missing_is_named():
    spec, probes = step_setup()

    def verdict(**how):
        return score(spec, observed(*(ok(p.id, stepped(p, **how)) for p in probes)))

    assert "`W1` equals the correct `W1` moved the opposite way (W + lr * dW instead of W - lr * dW)" in \
        verdict(sign=1.0).message
    tenfold = verdict(lr=0.3)
    assert named(tenfold) == ["scaled 10", "scaled 10"]
    assert "Your `W1` equals the correct `W1` with the change from W scaled by 10 (" in tenfold.message
    skipped = verdict(skip="W2")
    assert named(skipped) == ["unchanged"]
    assert "Your `W2` equals the correct `W2` left as it was before the step" in skipped.message
