"""The child calls a student's code through the handout's interface: close names, renamed keywords and extra
parameters are adapted to, and every adaptation is noted for the parent to deduct."""
from __future__ import annotations

import types

import pytest

from grader.interface import stand_in_keyword, stand_in_name
from grader.sandbox.child import adapt


def module(**names) -> types.ModuleType:
    made = types.ModuleType("question1")
    made.__dict__.update(names)
    return made


@pytest.mark.parametrize("wanted, defined, found", [
    ("sgd_factorise", ["sgd_factorise_ad", "plot"], "sgd_factorise_ad"),
    ("aggregate_4d_tensor_through_3rd_dim", ["aggregate_through_3rd_dim"], "aggregate_through_3rd_dim"),
    ("MLP", ["Mlp"], "Mlp"),
    ("sigmoid", ["sigmoid_derivative"], None),  # a different function, not a spelling
    ("mse_grad_analytic", ["mse_grad_analytical", "mse_grad_analytically"], None),  # two as close: ambiguous
    ("element_wise_multiplication", ["_element_wise_multiplication"], None),  # private
])
def test_a_close_name_stands_in(wanted, defined, found):
    assert stand_in_name(wanted, defined) == found


def test_a_name_the_rubric_asks_for_never_stands_in_for_another():
    assert stand_in_name("mse_grad_analytic", ["mse_grad_analytics"]) == "mse_grad_analytics"
    assert stand_in_name("mse_grad_analytic", ["mse_grad_analytics"], claimed=["mse_grad_analytics"]) is None


@pytest.mark.parametrize("wanted, free, found", [
    ("num_epochs", ["epochs", "lr"], "epochs"),
    ("num_epochs", ["n_epochs", "lr"], "n_epochs"),
    ("lr", ["learning_rate", "num_epochs"], "learning_rate"),
    ("num_epochs", ["T"], "T"),  # the only parameter left
    ("num_epochs", ["T", "tol"], None),
])
def test_a_handout_keyword_finds_the_students_parameter(wanted, free, found):
    assert stand_in_keyword(wanted, free) == found


def test_a_renamed_keyword_is_passed_under_the_students_name_and_noted():
    def gd_factorise_ad(A, rank, epochs=1000, lr=0.01, verbose=False):
        return A, rank, epochs, lr, verbose

    with adapt.noting() as notes:
        assert adapt.call(gd_factorise_ad, [1, 2], {"num_epochs": 3, "lr": 0.5}, "gd_factorise_ad") == \
            (1, 2, 3, 0.5, False)
    assert notes == [{"kind": "keyword", "text": "`gd_factorise_ad` takes the handout's `num_epochs=` as `epochs=`"}]


def test_a_switch_never_takes_a_number():
    def gd_factorise_ad(A, rank, lr=0.01, verbose=False):
        return A

    with adapt.noting() as notes, pytest.raises(TypeError, match="unexpected keyword argument 'num_epochs'"):
        adapt.call(gd_factorise_ad, [1, 2], {"num_epochs": 3, "lr": 0.5}, "gd_factorise_ad")
    assert notes == []


def test_an_extra_parameter_is_filled_from_the_object_or_the_module():
    class MLP:
        lr = 0.1

        def step(self, lr, momentum):
            return lr, momentum

    student = module(momentum=0.9)
    bound = MLP().step
    with adapt.noting() as notes:
        assert adapt.call(bound, [], {}, "sgd_step", adapt.filler(student, bound)) == (0.1, 0.9)
    assert notes == [{"kind": "parameter", "text": "`sgd_step` has parameters the handout's does not: `lr` (given "
                                                   "`self.lr`), `momentum` (given the module's `momentum`)"}]
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'device'"):
        adapt.call(lambda x, device: x, [1], {}, "f", adapt.filler(module(), lambda: None))


def test_a_call_that_binds_is_made_as_it_is():
    with adapt.noting() as notes:
        assert adapt.call(lambda a, b=2: a + b, [1], {"b": 3}, "f") == 4
        assert adapt.call(max, [1, 3], {}, "max") == 3
    assert notes == []


def test_a_call_that_bound_once_is_kept_for_its_count_and_keywords_only():
    """Whether a call binds is kept per function, number of arguments and keywords: another call of the same
    function with other keywords or another count is still adapted, or refused, on its own."""
    def gd_factorise_ad(A, rank, epochs=1000, lr=0.01):
        return A, rank, epochs, lr

    with adapt.noting() as notes:
        assert adapt.call(gd_factorise_ad, [1, 2], {"epochs": 3}, "gd") == (1, 2, 3, 0.01)
        assert adapt.call(gd_factorise_ad, [1, 2], {"epochs": 3}, "gd") == (1, 2, 3, 0.01)
        assert adapt.call(gd_factorise_ad, [1, 2], {"num_epochs": 4}, "gd") == (1, 2, 4, 0.01)
    assert notes == [{"kind": "keyword", "text": "`gd` takes the handout's `num_epochs=` as `epochs=`"}]
    with pytest.raises(TypeError, match="takes from 2 to 4 positional arguments but 5 were given"):
        adapt.call(gd_factorise_ad, [1, 2, 3, 4, 5], {}, "gd")
    with pytest.raises(TypeError, match="'int' object is not callable"):
        adapt.call(7, [], {}, "seven")


def test_a_stand_in_is_looked_up_among_callables_and_noted():
    student = module(sgd_factorise_ad=lambda: "mine", sgd_factorise_note="not callable")
    with adapt.noting() as notes:
        assert adapt.stand_in(student, "sgd_factorise", set())() == "mine"
        assert adapt.stand_in(student, "train", set()) is None
    assert notes == [{"kind": "name", "text": "`sgd_factorise_ad` was graded as `sgd_factorise`, the name the "
                                              "handout asks for"}]


def test_notes_outside_a_probe_go_nowhere():
    adapt.note("name", "nobody listens")
    with adapt.noting() as notes:
        adapt.note("tuple", "once")
        adapt.note("tuple", "once")
    assert notes == [{"kind": "tuple", "text": "once"}]
