"""emlab.exercises, the path every checker shares (emlab/exercises/report.py), tested once:
a student's code never stops the checker, whatever it does; it gets one line, the same on
every machine, about the first problem it fails; changing any argument in place is caught;
the caller's own mistakes (a model without problems, a bad option) are errors.
"""
import dataclasses
import types

import numpy as np
import pytest
from scipy.special import softmax

import emlab
from emlab import exercises, gaussian, poisson
from emlab.exercises.report import which_mistake

from test_exercises import assert_passed, assert_rejected, printed

# Every checker, with a model where it takes one, and the arguments of the function it checks.
CHECKERS = {
    "e_step": (lambda fn: exercises.check_e_step(poisson, fn), "x, params"),
    "semi-supervised e_step": (lambda fn: exercises.check_e_step(gaussian, fn, labels=True), "x, params, labels"),
    "m_step": (lambda fn: exercises.check_m_step(poisson, fn), "x, resp"),
    "log_likelihood": (lambda fn: exercises.check_log_likelihood(gaussian, fn), "x, params"),
    "elbo": (lambda fn: exercises.check_elbo(poisson, fn), "x, params, q"),
    "weighted_mean": (exercises.check_weighted_mean, "x, r"),
    "em_loop": (lambda fn: exercises.check_em_loop(poisson, fn), "x, params, max_iter, tol"),
    "kmeans": (exercises.check_kmeans, "x, centres, max_iter"),
    "restarts": (exercises.check_restarts, "x, k, seeds"),
    "n_parameters": (exercises.check_n_parameters, "covariance_type, k, d"),
}


def skeleton(arguments):
    namespace = {}
    exec(f"def fn({arguments}):\n    raise NotImplementedError", namespace)
    return namespace["fn"]


@pytest.mark.parametrize("name", CHECKERS)
def test_an_unfilled_skeleton_is_not_implemented_yet(capsys, name):
    checker, arguments = CHECKERS[name]
    assert checker(skeleton(arguments)) is False
    assert capsys.readouterr().out == "✗ not implemented yet\n"


class Strange:
    """An answer that breaks whatever touches it."""

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array here")

    def __float__(self):
        raise RuntimeError("no float here")


class StudentInterrupt(BaseException):
    pass


class BadMessage(Exception):
    def __str__(self):
        raise RuntimeError("unprintable")


def raise_(exc):
    def fn(*args):
        raise exc
    return fn


ODD_FUNCTIONS = {
    "not callable": 3,
    "wrong signature": lambda x: x,
    "BaseException": raise_(StudentInterrupt()),
    "unprintable exception": raise_(BadMessage()),
    "ZeroDivisionError": raise_(ZeroDivisionError("division by zero")),
    "strange object": lambda *args: Strange(),
    "string": lambda *args: "0.5",
    "dict": lambda *args: {"weights": [1.0]},
    "complex": lambda *args: 1j,
    "bool": lambda *args: True,
    "nan": lambda *args: float("nan"),
    "object array": lambda *args: np.array([None, "a"], dtype=object),
    "matrix": lambda *args: np.asmatrix(np.ones((2, 2))),
    "empty array": lambda *args: np.empty((0, 0)),
    "recursion": lambda *args: (_ for _ in ()).throw(RecursionError("maximum recursion depth exceeded")),
    "pair of odd things": lambda *args: (Strange(), [None]),
}


@pytest.mark.parametrize("name", CHECKERS)
def test_checkers_never_raise_and_print_one_line(capsys, name):
    checker, _ = CHECKERS[name]
    for odd, fn in ODD_FUNCTIONS.items():
        result = checker(fn)
        line = printed(capsys)
        assert result is False, (odd, line)
        assert line.startswith("✗ ") and "Traceback" not in line and "0x" not in line, (odd, line)


def test_a_raised_exception_is_named_with_its_message(capsys):
    exercises.check_e_step(poisson, raise_(ZeroDivisionError("division by zero")))
    assert printed(capsys) == ("✗ raised ZeroDivisionError: division by zero "
                               "[problem 'typical': n = 8, k = 2]")
    exercises.check_e_step(poisson, lambda x: x)
    assert printed(capsys).startswith("✗ must take the arguments (x, params): ")
    exercises.check_log_likelihood(poisson, raise_(ValueError(f"bad {object()}")))
    assert printed(capsys) == "✗ raised ValueError: bad <object object> [problem 'typical': n = 8, k = 2]"
    exercises.check_e_step(poisson, 3)
    assert printed(capsys) == "✗ expected a function of (x, params) for the E-step, got an int"


def test_keyboard_interrupt_still_stops_the_checker():
    with pytest.raises(KeyboardInterrupt):
        exercises.check_e_step(poisson, raise_(KeyboardInterrupt()))


def test_the_first_problem_failed_is_reported_whatever_later_problems_show(capsys):
    """Raising on the typical problem and a named mistake later: the exception is what the
    student sees first; an answer wrong only on k = 3 is reported there."""
    def raises_first(x, params):
        if len(x) == 8 and params.k == 2:
            raise ValueError("not on typical")
        return softmax(poisson.log_joint(x, params) - np.log(params.weights), axis=1)
    assert_rejected(capsys, exercises.check_e_step(poisson, raises_first),
                    ["raised ValueError: not on typical", "[problem 'typical'"])

    def wrong_on_k3(x, params):
        resp = emlab.e_step(poisson, x, params)[0]
        return resp + 0.01 * np.array([1, -1, 0]) if params.k == 3 else resp
    assert_rejected(capsys, exercises.check_e_step(poisson, wrong_on_k3),
                    ["differs from the reference at resp[", "[problem 'three components': n = 8, k = 3]"])


def test_not_implemented_for_one_case_is_reported(capsys):
    def e_step(x, params):
        if params.k == 3:
            raise NotImplementedError
        return emlab.e_step(poisson, x, params)[0]
    assert_rejected(capsys, exercises.check_e_step(poisson, e_step),
                    ["raised NotImplementedError: not implemented yet for this case", "three components"])


@dataclasses.dataclass
class WritableParams:
    """Params of a model written in a cell: a plain dataclass, its arrays writable."""
    weights: np.ndarray
    rates: np.ndarray

    @property
    def k(self):
        return len(self.weights)


def test_changing_any_argument_in_place_is_caught(capsys):
    """Arrays, the arrays inside a Params a student can write to, and the labels."""
    model = types.SimpleNamespace(
        Params=WritableParams, check_x=poisson.check_x,
        log_joint=lambda x, p: poisson.log_joint(x, poisson.Params(p.weights, p.rates)),
        m_step=lambda x, resp: WritableParams(*dataclasses.astuple(poisson.m_step(x, resp))),
        exercise_problems=lambda: {"typical": (np.array([3, 0, 1, 2, 5, 7, 9, 12]),
                                               WritableParams(np.array([0.3, 0.7]), np.array([2.0, 8.0])))})

    def sorts_rates(x, params):
        params.rates[::-1].sort()                         # largest first
        return softmax(model.log_joint(x, params), axis=1)

    def right(x, params):
        return softmax(model.log_joint(x, params), axis=1)
    assert_passed(capsys, exercises.check_e_step(model, right))
    assert_rejected(capsys, exercises.check_e_step(model, sorts_rates), ["changed its input params in place"])

    def replaces_weights(x, params):
        params.weights = np.full(params.k, 1 / params.k)
        return right(x, params)
    assert_rejected(capsys, exercises.check_e_step(model, replaces_weights), ["changed its input params"])

    def sorts_seeds(x, k, seeds):
        seeds.sort()
        return None
    assert_rejected(capsys, exercises.check_restarts(sorts_seeds), ["changed its input seeds in place"])


def test_the_line_is_the_same_every_time(capsys):
    def wrong_m_step(x, resp):
        nk = resp.sum(axis=0)
        return gaussian.Params((nk + 1) / (len(x) + len(nk)), *dataclasses.astuple(gaussian.m_step(x, resp))[1:3])
    lines = []
    for _ in range(2):
        exercises.check_e_step(gaussian, lambda x, p: softmax(gaussian.log_joint(x, p) - np.log(p.weights), axis=1))
        exercises.check_m_step(gaussian, wrong_m_step)
        exercises.check_restarts(lambda x, k, seeds: None)
        lines.append(capsys.readouterr().out)
    assert lines[0] == lines[1] and "mixing weights off by one" in lines[0]


def test_the_callers_mistakes_are_errors():
    with pytest.raises(TypeError, match="model must be a mixture model"):
        exercises.check_e_step(np, lambda x, params: None)
    bare = types.SimpleNamespace(Params=poisson.Params, check_x=poisson.check_x,
                                 log_joint=poisson.log_joint, m_step=poisson.m_step)
    with pytest.raises(TypeError, match="no exercise problems for the model.*exercise_problems.*data=x"):
        exercises.check_log_likelihood(bare, lambda x, params: 0.0)
    with pytest.raises(TypeError, match="labels must be True or False"):
        exercises.check_e_step(poisson, lambda x, params: None, labels=1)
    with pytest.raises(TypeError, match="reference must be a function"):
        exercises.check_e_step(poisson, lambda x, params: None, reference="emlab")
    bad_part = types.SimpleNamespace(**vars(bare), exercise_problems=lambda: [np.arange(3)])
    with pytest.raises(TypeError, match=r"exercise_problems\(\) must return a non-empty dict"):
        exercises.check_elbo(bad_part, lambda x, params, q: 0.0)


def test_a_mistake_is_named_only_where_the_problem_tells_it_apart():
    """which_mistake, shared by every judge: a mistake's name only where its answer is the
    student's, is distinct from the right one, and no other mistake gives it too."""
    right = np.array([1.0, 2.0])
    assert which_mistake(right + 0.5, right, [("a", right + 0.5), ("b", right - 0.5)]) == "a"
    assert which_mistake(right + 0.5, right, [("a", right + 0.5), ("a", right + 0.5)]) == "a"
    assert which_mistake(right + 0.5, right, [("a", right + 0.5), ("b", right + 0.5)]) is None
    assert which_mistake(right + 3e-6, right, [("a", right + 3e-6)]) is None      # within rounding
    assert which_mistake(right + 0.5, right, [("a", None), ("b", right + 0.4)]) is None
