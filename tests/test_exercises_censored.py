"""The checkers of notebook 09's exercises (emlab/exercises/censored.py): right answers pass,
planted mistakes are named, the skeleton says "not implemented yet", nothing the student
writes makes them raise."""
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pytest

from emlab import exercises as ex
from emlab.exercises import censored

NOT_YET = "✗ not implemented yet\n"


@dataclass(frozen=True)
class Lifetimes:
    rate: float


def check_lifetimes(x):
    x = np.array(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError("x must be (n, 2): [time, censored]")
    return x


def parts(x):
    t, censored = x[:, 0], x[:, 1] == 1
    return t, censored, len(t), int(censored.sum())


def right_e_step(x, params):
    t, censored, n, m = parts(x)
    return t.sum() + m / params.rate, (n - m) * np.log(params.rate) - params.rate * t.sum()


def right_m_step(x, total):
    return Lifetimes(len(x) / total)


def right_information(x, rate):
    t, censored, n, m = parts(x)
    return n / rate ** 2, m / rate ** 2


def not_yet(*args):
    raise NotImplementedError


def model(expected_stats=right_e_step, m_step=right_m_step):
    return SimpleNamespace(Params=Lifetimes, check_x=check_lifetimes,
                           expected_stats=expected_stats, m_step=m_step)


def verdict(capsys, check, *args):
    passed = check(*args)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("✓ " if passed else "✗ ")
    return passed, out


def test_right_model_passes_and_run_em_reaches_the_mle(capsys):
    passed, out = verdict(capsys, ex.check_censored_model, model())
    assert passed, out
    assert "run_em" in out and "all 6 problems" in out


def test_skeleton_is_not_implemented_yet(capsys):
    passed, out = verdict(capsys, ex.check_censored_model, model(not_yet, not_yet))
    assert not passed and out == NOT_YET
    passed, out = verdict(capsys, ex.check_censored_information, not_yet)
    assert not passed and out == NOT_YET


def e_step_with(total=None, ell=None):
    def e_step(x, params):
        t, censored, n, m = parts(x)
        right_total, right_ell = right_e_step(x, params)
        return (right_total if total is None else total(t, censored, n, m, params.rate),
                right_ell if ell is None else ell(t, censored, n, m, params.rate))
    return e_step


@pytest.mark.parametrize("wrong, words", [
    (e_step_with(total=lambda t, c, n, m, lam: t.sum()), "took a censored unit's time as its lifetime"),
    (e_step_with(total=lambda t, c, n, m, lam: t[~c].sum() + m / lam), "forgetting the time t it had already lived"),
    (e_step_with(total=lambda t, c, n, m, lam: t.sum() + m * lam), "added lambda where 1/lambda belongs"),
    (e_step_with(total=lambda t, c, n, m, lam: t[~c].sum()), "left the censored units out of S"),
    (e_step_with(total=lambda t, c, n, m, lam: t.sum() + n / lam), "added 1/lambda for every unit"),
    (e_step_with(total=lambda t, c, n, m, lam: (t.sum() + m / lam) / n), "returned a mean"),
    (e_step_with(total=lambda t, c, n, m, lam: t[~c].sum() + m * (3.0 + 1 / lam)),
     "same censoring time 3"),
    (e_step_with(total=lambda t, c, n, m, lam: t + c / lam), "per unit"),
    (e_step_with(ell=lambda t, c, n, m, lam: n * np.log(lam) - lam * t.sum()),
     "counted a censored unit as a failure"),
    (e_step_with(ell=lambda t, c, n, m, lam: (n - m) * np.log(lam) - lam * t[~c].sum()),
     "left the censored units out of ell"),
    (e_step_with(ell=lambda t, c, n, m, lam: n * np.log(lam) - lam * (t.sum() + m / lam)), "returned Q"),
    (e_step_with(ell=lambda t, c, n, m, lam: -((n - m) * np.log(lam) - lam * t.sum())), "wrong sign"),
    (lambda x, params: right_e_step(x, params)[0], "must return a pair"),
])
def test_e_step_mistakes_are_named(capsys, wrong, words):
    passed, out = verdict(capsys, ex.check_censored_model, model(expected_stats=wrong))
    assert not passed and words in out, out


@pytest.mark.parametrize("wrong, words", [
    (lambda x, total: Lifetimes(total / len(x)), "returned the mean lifetime"),
    (lambda x, total: Lifetimes((len(x) - x[:, 1].sum()) / total), "divided the number of failures d"),
    (lambda x, total: Lifetimes((len(x) - x[:, 1].sum()) / x[:, 0].sum()), "closed-form MLE"),
    (lambda x, total: len(x) / total, "wrap it"),
    (lambda x, total: {"rate": len(x) / total}, "must return model.Params"),
    (not_yet, "m_step: not implemented yet"),
])
def test_m_step_mistakes_are_named(capsys, wrong, words):
    passed, out = verdict(capsys, ex.check_censored_model, model(m_step=wrong))
    assert not passed and words in out, out


def test_changed_inputs_are_reported(capsys):
    def in_place(x, params):
        x[:, 0] += x[:, 1] / params.rate
        return right_e_step(x, params)
    passed, out = verdict(capsys, ex.check_censored_model, model(expected_stats=in_place))
    assert not passed and "changed its input x in place" in out


def test_changed_inputs_of_the_information_are_reported(capsys):
    def in_place(x, lam):
        x[:, 1] = 0
        return right_information(x, lam)
    passed, out = verdict(capsys, ex.check_censored_information, in_place)
    assert not passed and "the function changed its input x in place" in out


def test_errors_in_the_students_code_are_reported_not_raised(capsys):
    def broken(x, params):
        return undefined_name        # noqa: F821
    passed, out = verdict(capsys, ex.check_censored_model, model(expected_stats=broken))
    assert not passed and "NameError" in out
    passed, out = verdict(capsys, ex.check_censored_model, SimpleNamespace(expected_stats=right_e_step))
    assert not passed and "needs Params, check_x, m_step" in out
    passed, out = verdict(capsys, ex.check_censored_information, "not a function")
    assert not passed and "expected a function" in out


def test_a_wrong_log_likelihood_that_fools_the_steps_is_caught_by_run_em(capsys):
    """ell right on the six problems but not elsewhere: run_em sees it go down."""
    def e_step(x, params):
        total, ell = right_e_step(x, params)
        return total, ell + (10.0 * params.rate if len(x) == 40 else 0.0)
    passed, out = verdict(capsys, ex.check_censored_model, model(expected_stats=e_step))
    assert not passed and "run_em" in out and "went down" in out


def test_right_information_passes(capsys):
    passed, out = verdict(capsys, ex.check_censored_information, right_information)
    assert passed, out


@pytest.mark.parametrize("wrong, words", [
    (lambda x, lam: (len(x) / lam ** 2, 0.0), "no missing information"),
    (lambda x, lam: (len(x) / lam ** 2, x[:, 1].sum() / lam), "not 1/lambda"),
    (lambda x, lam: (len(x) / lam ** 2, np.sum((x[x[:, 1] == 1, 0] + 1 / lam) ** 2)), "E[T | T > t]^2"),
    (lambda x, lam: (len(x) / lam ** 2, np.sum(x[x[:, 1] == 1, 0] ** 2 + 2 * x[x[:, 1] == 1, 0] / lam
                                              + 2 / lam ** 2)), "E[T^2 | T > t]"),
    (lambda x, lam: (len(x) / lam ** 2, len(x) / lam ** 2), "counted every unit as missing"),
    (lambda x, lam: ((len(x) - x[:, 1].sum()) / lam ** 2, x[:, 1].sum() / lam ** 2), "only the d failures"),
    (lambda x, lam: (len(x) / lam, x[:, 1].sum() / lam ** 2), "forgot a square"),
    (lambda x, lam: (-len(x) / lam ** 2, x[:, 1].sum() / lam ** 2), "wrong sign"),
    (lambda x, lam: (len(x) - x[:, 1].sum()) / lam ** 2, "returned one number"),
    (lambda x, lam: [1.0], "pair of numbers"),
])
def test_information_mistakes_are_named(capsys, wrong, words):
    passed, out = verdict(capsys, ex.check_censored_information, wrong)
    assert not passed and words in out, out


def test_louis_identity_on_the_problems():
    """The reference itself: I_c - I_m is minus the second derivative of ell, on every problem."""
    for problem in censored.lifetime_problems():
        h = 1e-4 * problem.rate
        ell = problem.ell
        curvature = -(ell(problem.rate + h) - 2 * ell(problem.rate) + ell(problem.rate - h)) / h ** 2
        i_c, i_m = right_information(problem.x, problem.rate)
        assert i_c - i_m == pytest.approx(curvature, rel=1e-5, abs=1e-6)
