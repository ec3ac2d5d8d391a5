"""emlab.exercises, the E-step checker on the built-in models (the M-step's:
tests/test_exercises_m_step.py, the log-likelihood's, ELBO's and weighted mean's:
tests/test_exercises_numbers.py): each passes right answers written in different ways and
rejects the wrong answers students write, naming the mistake where the answer is what that
mistake gives, and showing the first difference where it is not.

The right answers here are written independently of emlab (scipy.stats densities, loops,
numpy); the wrong ones plant one mistake each.  Mistakes whose diagnosis depends on the
model's problems are tried on every model; mistakes of type, shape or of the arguments, whose
path is the same for every model, on one (the shared path: tests/test_exercises_report.py).
Helpers shared with tests/test_exercises_*.py: ``printed``, ``printed_of``, ``assert_rejected``,
``assert_passed``, ``MODELS``, and the densities from scipy.stats.
"""
import math

import numpy as np
import pytest
from scipy import stats
from scipy.linalg import sqrtm
from scipy.special import gammaln, logsumexp, softmax

import emlab
from emlab import bernoulli, coins, exercises, gaussian, poisson

MODELS = [coins, poisson, gaussian, bernoulli]
MODEL_IDS = [m.__name__.rpartition(".")[2] for m in MODELS]


def printed(capsys):
    """The one line a checker printed."""
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.endswith("\n"), out
    return out[:-1]


def assert_rejected(capsys, result, words):
    line = printed(capsys)
    assert result is False, line
    assert line.startswith("✗ "), line
    for word in words:
        assert word in line, f"{word!r} not in {line!r}"


def assert_passed(capsys, result):
    line = printed(capsys)
    assert result is True, line
    assert line.startswith("✓ "), line


def printed_of(capsys, checker, *args, **kwargs):
    """The line a checker prints for these arguments."""
    checker(*args, **kwargs)
    return printed(capsys)


# ------------------------------------------------------------------ independent densities

def log_density(model, xi, params, j):
    """log p(x_i | theta_j) from scipy.stats."""
    if model is coins:
        return stats.binom.logpmf(xi[0], xi.sum(), params.p[j])
    if model is poisson:
        return stats.poisson.logpmf(xi, params.rates[j])
    if model is gaussian:
        return stats.multivariate_normal.logpdf(xi, params.means[j], params.covariances[j])
    return stats.bernoulli.logpmf(xi, params.means[j]).sum()


def density(model, xi, params, j):
    """p(x_i | theta_j) from scipy.stats, in the probability domain."""
    if model is coins:
        return stats.binom.pmf(xi[0], xi.sum(), params.p[j])
    if model is poisson:
        return stats.poisson.pmf(xi, params.rates[j])
    if model is gaussian:
        return stats.multivariate_normal.pdf(xi, params.means[j], params.covariances[j])
    return stats.bernoulli.pmf(xi, params.means[j]).prod()


def scipy_log_joint(model, x, params):
    """log p(x_i, z_i = j), one entry at a time."""
    return np.array([[math.log(params.weights[j]) + log_density(model, x[i], params, j)
                      for j in range(len(params.weights))] for i in range(len(x))])


def log_constant(model, x):
    """The part of log p(x_i | theta_j) that does not depend on theta (per point)."""
    if model is coins:
        return gammaln(x.sum(axis=1) + 1) - gammaln(x[:, 0] + 1) - gammaln(x[:, 1] + 1)
    if model is poisson:
        return -gammaln(x + 1)
    if model is gaussian:
        return np.full(len(x), -0.5 * x.shape[1] * np.log(2 * np.pi))
    return np.zeros(len(x))


# ------------------------------------------------------------------ E-step

def e_step_logsumexp(model):
    def e_step(x, params):
        a = model.log_joint(x, params)
        return np.exp(a - logsumexp(a, axis=1, keepdims=True))
    return e_step


def e_step_loops_scipy(model):
    def e_step(x, params):
        a = scipy_log_joint(model, x, params)
        resp = np.empty_like(a)
        for i in range(len(a)):
            top = max(a[i])
            total = sum(math.exp(v - top) for v in a[i])
            for j in range(a.shape[1]):
                resp[i, j] = math.exp(a[i, j] - top) / total
        return resp
    return e_step


def e_step_softmax(model):
    return lambda x, params: softmax(model.log_joint(x, params), axis=1)


def e_step_emlab(model):
    return lambda x, params: emlab.e_step(model, x, params)[0]


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
@pytest.mark.parametrize("right", [e_step_logsumexp, e_step_loops_scipy, e_step_softmax, e_step_emlab])
def test_e_step_right_answers_pass(capsys, model, right):
    assert_passed(capsys, exercises.check_e_step(model, right(model)))


def test_e_step_line_lists_the_problems(capsys):
    """The stored line of the notebooks (nbval compares it)."""
    exercises.check_e_step(gaussian, e_step_loops_scipy(gaussian))
    assert printed(capsys) == ("✓ E-step correct on all 7 problems (typical, one point, k = 1, k = 3, "
                               "ties, a far point, d = 1)")


def wrong_e_step(model, mistake):
    """A student's E-step with one planted mistake."""
    def e_step(x, params):
        a = model.log_joint(x, params)
        resp = np.exp(a - logsumexp(a, axis=1, keepdims=True))
        if mistake == "probabilities":
            p = np.exp(a)
            return p / p.sum(axis=1, keepdims=True)
        if mistake == "scipy pdf":
            p = np.array([[params.weights[j] * density(model, x[i], params, j)
                           for j in range(params.k)] for i in range(len(x))])
            return p / p.sum(axis=1, keepdims=True)
        if mistake == "no weights":
            b = a - np.log(params.weights)
            return np.exp(b - logsumexp(b, axis=1, keepdims=True))
        if mistake == "transposed":
            return resp.T
        if mistake == "wrong axis":
            return np.exp(a - logsumexp(a, axis=0, keepdims=True))
        if mistake == "unnormalised":
            return np.exp(a)
        if mistake == "log resp":
            return a - logsumexp(a, axis=1, keepdims=True)
        if mistake == "reversed":
            return resp[:, ::-1]
        if mistake == "hard":
            return np.eye(params.k)[np.argmax(a, axis=1)]
        if mistake == "mutates x":
            x[...] = 0
            return resp
        if mistake == "mutates params":
            params.weights[:] = 1 / params.k
            return resp
        if mistake == "attribute":
            return params.mu
        if mistake == "tuple":
            return resp, logsumexp(a, axis=1)
        if mistake == "list":
            return resp.tolist()
        if mistake == "two components":
            return np.column_stack([resp[:, 0], resp[:, 1]])
        if mistake == "weights twice":
            return softmax(a + np.log(params.weights), axis=1)
        if mistake == "epsilon":                     # 0/0 avoided, but the far point gets zeros
            p = np.exp(a)
            return p / (p.sum(axis=1, keepdims=True) + 1e-300)
        if mistake == "normalised logs":
            return a / a.sum(axis=1, keepdims=True)
        if mistake == "no return":
            resp = resp + 0
            return None
        raise AssertionError(mistake)
    return e_step


# Diagnosed from the model's problems: tried on every model.
E_STEP_MISTAKES = [
    ("probabilities", ["nan", "underflows", "far from every component"]),
    ("scipy pdf", ["nan", "underflows", "far from every component"]),
    ("no weights", ["forgot the mixing weights", "[problem 'typical'"]),
    ("wrong axis", ["normalised over the points", "rows not summing to 1"]),
    ("unnormalised", ["rows not summing to 1"]),
    ("log resp", ["log responsibilities"]),
    ("reversed", ["components in the wrong order"]),
    ("hard", ["hard 0/1 assignments"]),
    ("weights twice", ["used the mixing weights twice"]),
    ("epsilon", ["rows not summing to 1", "a point far from every component, sums to 0", "underflows"]),
    ("normalised logs", ["normalised the logs"]),
]
# Diagnosed from the answer's type or shape, or the arguments: the same for every model.
E_STEP_SHAPES = [
    ("transposed", ["wrong shape", "transposed"]),
    ("mutates x", ["changed its input x"]),
    ("mutates params", ["change its input params in place"]),
    ("attribute", ["raised AttributeError", "has no attribute 'mu'"]),
    ("tuple", ["wrong type", "return only resp"]),
    ("list", ["wrong type", "list"]),
    ("two components", ["raised IndexError", "[problem 'one component, k = 1'"]),
    ("no return", ["returned None: is the return statement missing?"]),
]


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
@pytest.mark.parametrize("mistake, words", E_STEP_MISTAKES, ids=[m for m, _ in E_STEP_MISTAKES])
def test_e_step_mistakes_are_named(capsys, model, mistake, words):
    assert_rejected(capsys, exercises.check_e_step(model, wrong_e_step(model, mistake)), words)


@pytest.mark.parametrize("mistake, words", E_STEP_SHAPES, ids=[m for m, _ in E_STEP_SHAPES])
def test_e_step_shape_mistakes_are_named(capsys, mistake, words):
    assert_rejected(capsys, exercises.check_e_step(poisson, wrong_e_step(poisson, mistake)), words)


def gaussian_e_step(change_covariance=None, log_det_factor=1.0):
    """The E-step of the Gaussian written out with the Cholesky factor L_j of each covariance:
    log N = -1/2 (d log 2 pi + |L^-1 (x - mu)|^2) - log_det_factor sum_d log L_dd."""
    def e_step(x, params):
        columns = []
        for j in range(params.k):
            cov = params.covariances[j] if change_covariance is None else change_covariance(params.covariances[j])
            chol = np.linalg.cholesky(cov)
            y = np.linalg.solve(chol, (x - params.means[j]).T)
            columns.append(np.log(params.weights[j]) - 0.5 * (x.shape[1] * np.log(2 * np.pi) + (y * y).sum(axis=0))
                           - log_det_factor * np.log(np.diag(chol)).sum())
        return softmax(np.column_stack(columns), axis=1)
    return e_step


def test_e_step_gaussian_density_mistakes_are_named(capsys):
    assert_passed(capsys, exercises.check_e_step(gaussian, gaussian_e_step()))
    cases = [(gaussian_e_step(lambda c: sqrtm(c).real), ["a standard deviation where a variance belongs"]),
             (gaussian_e_step(lambda c: c @ c), ["a variance where a standard deviation belongs"]),
             (gaussian_e_step(np.linalg.inv), ["the precision Sigma_j^-1 where the covariance Sigma_j belongs"]),
             (gaussian_e_step(log_det_factor=0.0), ["forgot the term -1/2 log |Sigma_j|"]),
             # a doubled log-determinant is not "forgot the mixing weights" (issue 18)
             (gaussian_e_step(log_det_factor=2.0), ["subtracted log |Sigma_j| where -1/2 log |Sigma_j| belongs",
                                                    "[problem 'typical'"])]
    for e_step, words in cases:
        assert_rejected(capsys, exercises.check_e_step(gaussian, e_step), words)


def test_e_step_degenerate_problems_name_nothing_by_coincidence(capsys):
    """On one point far into one component, r_i is (1, ~1e-8) whatever the weights or the
    determinants: a doubled log-determinant there is not told "forgot the mixing weights"
    (issue 18), the first difference is shown."""
    def e_step(x, params):
        return gaussian_e_step(log_det_factor=2.0 if len(x) == 1 else 1.0)(x, params)
    line = printed_of(capsys, exercises.check_e_step, gaussian, e_step)
    assert line.startswith("✗ differs from the reference at resp[0, ") and "[problem 'one point'" in line, line


def test_e_step_two_mistakes_at_once_are_not_named(capsys):
    """scipy.stats.norm per coordinate with the variance as its scale: the correlations are
    lost too, so on the first problem it fails the answer is neither mistake alone: the
    first difference is shown, no name.  Elementwise sqrt of a covariance with negative
    entries gives nan there, and that is what is reported (not the name it has on d = 1)."""
    def e_step(x, params):
        a = np.column_stack([
            np.log(params.weights[j]) + stats.norm.logpdf(
                x, params.means[j], np.diagonal(params.covariances[j])).sum(axis=1)
            for j in range(params.k)])
        return softmax(a, axis=1)
    assert_rejected(capsys, exercises.check_e_step(gaussian, e_step),
                    ["differs from the reference at resp[", "[problem 'typical'"])
    assert_rejected(capsys, exercises.check_e_step(gaussian, gaussian_e_step(np.sqrt)),
                    ["nan/inf in resp row 0", "[problem 'typical'"])


def test_e_step_mistake_shown_on_the_first_problem_it_fails(capsys):
    """Right except for one component (k = 3): reported there, the problems before it pass."""
    def e_step(x, params):
        resp = emlab.e_step(gaussian, x, params)[0]
        return resp if params.k != 3 else resp[:, [0, 2, 1]]
    assert_rejected(capsys, exercises.check_e_step(gaussian, e_step),
                    ["components in the wrong order", "[problem 'three components': n = 8, k = 3]"])


def semi_supervised_e_step(mistake=None):
    def e_step(x, params, labels):
        a = gaussian.log_joint(x, params)
        if mistake == "no weights":
            a = a - np.log(params.weights)
        resp = softmax(a, axis=1)
        known = labels >= 0
        if mistake == "ignores labels":
            return resp
        if mistake == "overwrites labels":
            labels[~known] = np.argmax(resp[~known], axis=1)
            known = labels >= 0
        if mistake == "labels as a mask":             # one-hot at the posterior's choice, not the label
            resp[known] = np.eye(params.k)[np.argmax(resp[known], axis=1)]
            return resp
        resp[known] = np.eye(params.k)[labels[known]]
        return resp
    return e_step


def test_semi_supervised_e_step(capsys):
    """labels=True: fn(x, params, labels), labelled points one-hot; the names work through it."""
    assert_passed(capsys, exercises.check_e_step(gaussian, semi_supervised_e_step(), labels=True))
    assert printed_of(capsys, exercises.check_e_step, gaussian, semi_supervised_e_step(), labels=True) == (
        "✓ E-step correct on all 7 problems (typical, one point, k = 1, k = 3, ties, a far point, d = 1)")
    cases = [("ignores labels", ["ignores the labels"]),
             ("overwrites labels", ["changed its input labels in place"]),
             ("labels as a mask", ["differs from the reference at resp["]),
             ("no weights", ["forgot the mixing weights"])]
    for mistake, words in cases:
        assert_rejected(capsys, exercises.check_e_step(gaussian, semi_supervised_e_step(mistake), labels=True), words)


def test_e_step_with_a_reference_of_its_own(capsys):
    """A variant exercise: the E-step of a mixture whose weights are ignored on purpose."""
    def reference(x, params):
        a = poisson.log_joint(x, params) - np.log(params.weights)
        return softmax(a, axis=1)
    assert_passed(capsys, exercises.check_e_step(poisson, reference, reference=reference))
    assert_rejected(capsys, exercises.check_e_step(poisson, e_step_softmax(poisson), reference=reference),
                    ["returned emlab's E-step", "this variant's change is missing"])
    assert_rejected(capsys, exercises.check_e_step(poisson, lambda x, p: reference(x, p)[:, ::-1],
                                                   reference=reference), ["components in the wrong order"])
