"""emlab.exercises with a model written in a cell: the checkers take any mixture model.

Two models the series does not ship, built here as a student would (a ``SimpleNamespace``
of Params, check_x, log_joint and m_step):

* a mixture of exponentials, ``p(x_i, z_i = j) = pi_j lambda_j exp(-lambda_j x_i)``, with
  ``sample`` and ``init_random``: its problems are built from data (``data=x``);
* a mixture of geometric distributions on 0, 1, 2, ..., ``p(x_i, z_i = j) = pi_j (1 - theta_j)^x_i
  theta_j``, its Params a plain class (not a dataclass), which gives its own typical problem
  (``exercise_problems``): the checkers add the other cases.

Right answers are written from scipy.stats densities; wrong ones plant one mistake each.
"""
import dataclasses
import types
import warnings

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp, softmax

import emlab
from emlab import bernoulli, exercises, poisson

from test_exercises import MODEL_IDS, MODELS, assert_passed, assert_rejected, printed_of, scipy_log_joint


@dataclasses.dataclass(frozen=True)
class RateParams:
    """weights pi (k,), rates lambda (k,) > 0."""
    weights: np.ndarray
    rates: np.ndarray

    def __post_init__(self):
        object.__setattr__(self, "weights", np.asarray(self.weights, dtype=float))
        object.__setattr__(self, "rates", np.asarray(self.rates, dtype=float))
        if self.weights.shape != self.rates.shape or not np.isclose(self.weights.sum(), 1):
            raise ValueError("weights must sum to 1, one per rate")
        if np.any(self.rates <= 0):
            raise ValueError("rates must be > 0")

    @property
    def k(self):
        return len(self.weights)


def exponential_check_x(x):
    x = np.array(x, dtype=float)
    if x.ndim != 1 or np.any(x < 0) or not np.all(np.isfinite(x)):
        raise ValueError("x must be (n,) non-negative numbers")
    return x


def exponential_m_step(x, resp):
    """lambda_j = N_j / sum_i r_ij x_i (the inverse of the weighted mean)."""
    nk = resp.sum(axis=0)
    return RateParams(nk / len(x), nk / (resp.T @ x))


def exponential_sample(params, n, rng):
    z = rng.choice(params.k, size=n, p=params.weights)
    return rng.exponential(1 / params.rates[z]), z


def exponential_init_random(x, k, rng):
    return RateParams(np.full(k, 1 / k), rng.uniform(0.5, 2.0, k) / x.mean())


EXPONENTIAL = types.SimpleNamespace(
    Params=RateParams, check_x=exponential_check_x,
    log_joint=lambda x, p: np.log(p.weights) + stats.expon.logpdf(x[:, None], scale=1 / p.rates),
    m_step=exponential_m_step, sample=exponential_sample, init_random=exponential_init_random)
WAITING = np.random.default_rng(0).exponential(2.0, 40)      # the data a notebook would pass


def geometric_check_x(x):
    x = np.array(x)
    if x.ndim != 1 or x.dtype.kind not in "iu" or np.any(x < 0):
        raise ValueError("x must be (n,) counts 0, 1, 2, ...")
    return x


class GeometricParams:
    """weights pi (k,), theta (k,) in (0, 1]: a plain class, not a dataclass."""

    def __init__(self, weights, theta):
        self.weights, self.theta = np.asarray(weights, dtype=float), np.asarray(theta, dtype=float)

    @property
    def k(self):
        return len(self.weights)


GEOMETRIC = types.SimpleNamespace(
    Params=GeometricParams, check_x=geometric_check_x,
    # scipy's geom counts the trials up to the first success, 1, 2, ...: x + 1
    log_joint=lambda x, p: np.log(p.weights) + stats.geom.logpmf(x[:, None] + 1, p.theta),
    m_step=lambda x, resp: GeometricParams(resp.sum(axis=0) / len(x),
                                           resp.sum(axis=0) / (resp.sum(axis=0) + resp.T @ x)),
    exercise_problems=lambda: {"typical": (np.array([0, 1, 1, 3, 0, 7, 12, 5, 2]),
                                           GeometricParams([0.4, 0.6], [0.6, 0.15]))})


def exponential_log_joint(x, params):
    """log pi_j + log lambda_j - lambda_j x_i, written out."""
    return np.log(params.weights) + np.log(params.rates) - np.outer(x, params.rates)


# ------------------------------------------------------------------ the problems

def test_problems_built_from_data(capsys):
    """From data: typical (8 points drawn from a random start), one point, k = 1, k = 3, ties,
    and a point pushed far away; for a model whose points cannot be pushed (binary), no far point."""
    def right(x, params):
        return softmax(exponential_log_joint(x, params), axis=1)
    assert_passed(capsys, exercises.check_e_step(EXPONENTIAL, right, data=WAITING))
    assert printed_of(capsys, exercises.check_e_step, EXPONENTIAL, right, data=WAITING) == (
        "✓ E-step correct on all 6 problems (typical, one point, k = 1, k = 3, ties, a far point)")
    images = bernoulli.sample(bernoulli.Params([0.5, 0.5], [[0.9, 0.1, 0.8], [0.2, 0.7, 0.3]]),
                              30, np.random.default_rng(1))[0]
    assert printed_of(capsys, exercises.check_e_step, bernoulli, lambda x, p: emlab.e_step(bernoulli, x, p)[0],
                      data=images) == "✓ E-step correct on all 5 problems (typical, one point, k = 1, k = 3, ties)"



def test_the_far_point_underflows_in_probabilities(capsys):
    """The pushed point is far enough that an E-step in probabilities fails there, and only there."""
    def in_probabilities(x, params):
        p = params.weights * stats.expon.pdf(x[:, None], scale=1 / params.rates)
        return p / p.sum(axis=1, keepdims=True)
    assert_rejected(capsys, exercises.check_e_step(EXPONENTIAL, in_probabilities, data=WAITING),
                    ["nan/inf in resp row", "far from every component", "[problem 'a point far from every component'"])


def test_a_model_without_sample_takes_the_first_points_of_data(capsys):
    no_sample = types.SimpleNamespace(**{k: v for k, v in vars(EXPONENTIAL).items() if k != "sample"})
    assert_passed(capsys, exercises.check_log_likelihood(
        no_sample, lambda x, p: float(logsumexp(exponential_log_joint(x, p), axis=1).sum()), data=WAITING))


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_a_built_in_model_gives_its_problems_as_any_model(capsys, model):
    """The built-in models' problems come from their part exercise_problems(): valid inputs,
    the typical one first, a point whose p(x_i, z_i = j) (scipy.stats) underflows for every j;
    a namespace of the same parts (not the module) is posed the same problems."""
    problems = model.exercise_problems()
    assert next(iter(problems)) == "typical" and "a far point" in problems
    for x, params in problems.values():
        assert isinstance(params, model.Params)
        np.testing.assert_array_equal(model.check_x(x), x)
    log_joint = scipy_log_joint(model, *problems["a far point"])
    assert np.all(np.isfinite(log_joint))
    assert np.min(np.max(log_joint, axis=1)) < np.log(np.finfo(float).smallest_subnormal)
    parts = types.SimpleNamespace(**{part: getattr(model, part) for part in
                                     ("Params", "check_x", "log_joint", "m_step", "exercise_problems")})
    right = lambda x, params: softmax(scipy_log_joint(model, x, params), axis=1)      # noqa: E731
    assert printed_of(capsys, exercises.check_e_step, parts, right) == printed_of(
        capsys, exercises.check_e_step, model, right)


def test_data_replace_a_built_in_models_problems(capsys):
    counts = np.random.default_rng(2).poisson(4.0, 50)
    right = lambda x, params: softmax(poisson.log_joint(x, params), axis=1)      # noqa: E731
    assert printed_of(capsys, exercises.check_e_step, poisson, right, data=counts) == (
        "✓ E-step correct on all 6 problems (typical, one point, k = 1, k = 3, ties, a far point)")


# ------------------------------------------------------------------ planted mistakes

def exponential_e_step(mistake=None):
    def e_step(x, params):
        a = exponential_log_joint(x, params)
        if mistake == "no weights":
            a = a - np.log(params.weights)
        if mistake == "scale for rate":             # scipy's scale is 1 / lambda
            a = np.log(params.weights) + stats.expon.logpdf(x[:, None], scale=params.rates)
        if mistake == "wrong axis":
            return softmax(a, axis=0)
        return softmax(a, axis=1)
    return e_step


def exponential_m_step_student(mistake=None):
    def m_step(x, resp):
        nk = resp.sum(axis=0)
        rates = nk / (resp.T @ x)
        weights = nk / len(x)
        if mistake == "mean for rate":
            rates = 1 / rates
        if mistake == "weights kept":
            weights = np.full(len(nk), 1 / len(nk))
        if mistake == "reversed":
            weights, rates = weights[::-1], rates[::-1]
        return RateParams(weights, rates)
    return m_step


def test_exponential_mixture_checkers(capsys):
    assert_passed(capsys, exercises.check_e_step(EXPONENTIAL, exponential_e_step(), data=WAITING))
    for mistake, words in [("no weights", ["forgot the mixing weights", "[problem 'typical'"]),
                           ("scale for rate", ["differs from the reference at resp["]),
                           ("wrong axis", ["normalised over the points"])]:
        assert_rejected(capsys, exercises.check_e_step(EXPONENTIAL, exponential_e_step(mistake), data=WAITING), words)

    assert_passed(capsys, exercises.check_m_step(EXPONENTIAL, exponential_m_step_student(), data=WAITING))
    for mistake, words in [("mean for rate", ["rates differs from the reference at rates["]),
                           ("weights kept", ["did not update the mixing weights"]),
                           ("reversed", ["components in the wrong order"])]:
        assert_rejected(capsys, exercises.check_m_step(EXPONENTIAL, exponential_m_step_student(mistake),
                                                       data=WAITING), words)

    def log_likelihood(mean=False):
        return lambda x, p: float(logsumexp(exponential_log_joint(x, p), axis=1).sum() / (len(x) if mean else 1))
    assert_passed(capsys, exercises.check_log_likelihood(EXPONENTIAL, log_likelihood(), data=WAITING))
    assert_rejected(capsys, exercises.check_log_likelihood(EXPONENTIAL, log_likelihood(mean=True), data=WAITING),
                    ["averaged over the points"])

    def elbo(entropy=True):
        def fn(x, params, q):
            a = exponential_log_joint(x, params)
            return float(np.sum(q * a) - entropy * np.sum(q[q > 0] * np.log(q[q > 0])))
        return fn
    assert_passed(capsys, exercises.check_elbo(EXPONENTIAL, elbo(), data=WAITING))
    assert_rejected(capsys, exercises.check_elbo(EXPONENTIAL, elbo(entropy=False), data=WAITING),
                    ["missing the entropy term"])


def em_loop(model, log_joint, mistake=None):
    """EM written from the equations with the model's own M-step."""
    def loop(x, params, max_iter, tol):
        start = params
        lls = [float(logsumexp(log_joint(x, params), axis=1).sum())]
        for _ in range(max_iter):
            params = model.m_step(x, softmax(log_joint(x, params), axis=1))
            lls.append(float(logsumexp(log_joint(x, params), axis=1).sum()))
            assert lls[-1] >= lls[-2] - 1e-9 * abs(lls[-2])
            if mistake != "never stops" and abs(lls[-1] - lls[-2]) / len(x) < tol:
                break
        return (start if mistake == "initial params" else params), lls
    return loop


def geometric_log_joint(x, params):
    return np.log(params.weights) + x[:, None] * np.log1p(-params.theta) + np.log(params.theta)


def test_em_loop_for_a_model_written_in_a_cell(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_passed(capsys, exercises.check_em_loop(EXPONENTIAL, em_loop(EXPONENTIAL, exponential_log_joint),
                                                      data=WAITING))
        assert_passed(capsys, exercises.check_em_loop(GEOMETRIC, em_loop(GEOMETRIC, geometric_log_joint)))
        for mistake, words in [("never stops", ["never stopped before max_iter"]),
                               ("initial params", ["returned the initial params"])]:
            assert_rejected(capsys, exercises.check_em_loop(GEOMETRIC, em_loop(GEOMETRIC, geometric_log_joint,
                                                                               mistake)), words)


def test_a_model_that_gives_its_own_problems(capsys):
    """exercise_problems() gives the typical problem; the checkers add the standard cases."""
    def e_step(x, params):
        return softmax(geometric_log_joint(x, params), axis=1)
    assert printed_of(capsys, exercises.check_e_step, GEOMETRIC, e_step) == (
        "✓ E-step correct on all 6 problems (typical, one point, k = 1, k = 3, ties, a far point)")
    assert_rejected(capsys, exercises.check_e_step(GEOMETRIC, lambda x, p: softmax(
        geometric_log_joint(x, p) + np.log(p.weights), axis=1)), ["used the mixing weights twice"])
    assert printed_of(capsys, exercises.check_m_step, GEOMETRIC, GEOMETRIC.m_step) == (
        "✓ M-step correct on all 6 problems (typical, hard assignments, k = 1, one point, k = 3, ties)")
    assert_rejected(capsys, exercises.check_m_step(GEOMETRIC, lambda x, resp: GEOMETRIC.m_step(x, resp[:, ::-1])),
                    ["components in the wrong order"])
    assert_rejected(capsys, exercises.check_m_step(GEOMETRIC, lambda x, resp: GeometricParams(
        np.full(resp.shape[1], 1 / resp.shape[1]), GEOMETRIC.m_step(x, resp).theta)),
        ["did not update the mixing weights"])
