"""emlab.exercises, the checkers that return one number or one mean: the log-likelihood, the
ELBO and the weighted mean, on the built-in models.  Right answers from scipy.stats densities
and loops pass; wrong ones plant one mistake each, named where the answer is what it gives.
"""
import math

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp, softmax, xlogy

import emlab
from emlab import bernoulli, exercises, gaussian, poisson

from test_exercises import (MODEL_IDS, MODELS, assert_passed, assert_rejected, density, log_constant,
                            scipy_log_joint)


# ------------------------------------------------------------------ log-likelihood

def log_likelihood_logsumexp(model):
    return lambda x, params: float(logsumexp(model.log_joint(x, params), axis=1).sum())


def log_likelihood_loops_scipy(model):
    def log_likelihood(x, params):
        total = 0.0
        for row in scipy_log_joint(model, x, params):
            top = max(row)
            total += top + math.log(sum(math.exp(v - top) for v in row))
        return total
    return log_likelihood


def log_likelihood_logaddexp(model):
    return lambda x, params: np.logaddexp.reduce(model.log_joint(x, params), axis=1).sum()


def log_likelihood_emlab(model):
    return lambda x, params: emlab.log_likelihood(model, x, params)


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
@pytest.mark.parametrize("right", [log_likelihood_logsumexp, log_likelihood_loops_scipy,
                                   log_likelihood_logaddexp, log_likelihood_emlab])
def test_log_likelihood_right_answers_pass(capsys, model, right):
    assert_passed(capsys, exercises.check_log_likelihood(model, right(model)))


def wrong_log_likelihood(model, mistake):
    def log_likelihood(x, params):
        a = model.log_joint(x, params)
        if mistake == "probabilities":
            return np.log(np.exp(a).sum(axis=1)).sum()
        if mistake == "no weights":
            return logsumexp(a - np.log(params.weights), axis=1).sum()
        if mistake == "mean":
            return logsumexp(a, axis=1).mean()
        if mistake == "max":
            return a.max(axis=1).sum()
        if mistake == "per point":
            return logsumexp(a, axis=1)
        if mistake == "likelihood":
            return np.prod(np.exp(a).sum(axis=1))
        if mistake == "Q":
            resp = softmax(a, axis=1)
            return np.sum(resp * a)
        if mistake == "wrong axis":
            return logsumexp(a, axis=0).sum()
        if mistake == "log outside":
            return logsumexp(a)
        if mistake == "no constant":
            return logsumexp(a - log_constant(model, x)[:, None], axis=1).sum()
        if mistake == "epsilon":                     # no -inf, but wrong at the far point
            return np.log(np.exp(a).sum(axis=1) + 1e-300).sum()
        if mistake == "string":
            return f"{logsumexp(a, axis=1).sum():.3f}"
        if mistake == "mutates x":
            value = logsumexp(a, axis=1).sum()
            x[0] = x[-1]
            return value
        raise AssertionError(mistake)
    return log_likelihood


LOG_LIKELIHOOD_MISTAKES = [
    ("probabilities", ["-inf", "underflows", "far from every component"]),
    ("no weights", ["forgot the mixing weights"]),
    ("mean", ["averaged over the points"]),
    ("max", ["used max_j"]),
    ("likelihood", ["the likelihood p(x), not its log"]),
    ("Q", ["expected complete-data log-likelihood"]),
    ("wrong axis", ["over the points instead of over the components"]),
    ("log outside", ["log of the sum over all points"]),
    ("no constant", ["a term without parameters"]),
    ("epsilon", ["right everywhere except at a point far from every component", "underflows"]),
]
LOG_LIKELIHOOD_SHAPES = [
    ("per point", ["wrong type", "one value per point"]),
    ("string", ["wrong type", "str"]),
    ("mutates x", ["changed its input x"]),
]


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
@pytest.mark.parametrize("mistake, words", LOG_LIKELIHOOD_MISTAKES,
                         ids=[m for m, _ in LOG_LIKELIHOOD_MISTAKES])
def test_log_likelihood_mistakes_are_named(capsys, model, mistake, words):
    if mistake == "no constant" and model is bernoulli:
        pytest.skip("a Bernoulli log-density has no term without parameters")
    wrong = wrong_log_likelihood(model, mistake)
    assert_rejected(capsys, exercises.check_log_likelihood(model, wrong), words)


@pytest.mark.parametrize("mistake, words", LOG_LIKELIHOOD_SHAPES, ids=[m for m, _ in LOG_LIKELIHOOD_SHAPES])
def test_log_likelihood_shape_mistakes_are_named(capsys, mistake, words):
    assert_rejected(capsys, exercises.check_log_likelihood(poisson, wrong_log_likelihood(poisson, mistake)), words)


def test_log_likelihood_variance_for_a_standard_deviation_is_named(capsys):
    def log_likelihood(x, params):
        a = np.column_stack([np.log(params.weights[j]) + stats.multivariate_normal.logpdf(
            x, params.means[j], params.covariances[j] @ params.covariances[j]) for j in range(params.k)])
        return logsumexp(a.reshape(len(x), -1), axis=1).sum()
    assert_rejected(capsys, exercises.check_log_likelihood(gaussian, log_likelihood),
                    ["a variance where a standard deviation belongs"])


# ------------------------------------------------------------------ ELBO

def elbo_masked(model):
    def elbo(x, params, q):
        a = model.log_joint(x, params)
        support = q > 0
        return np.sum(q[support] * (a[support] - np.log(q[support])))
    return elbo


def elbo_xlogy(model):
    return lambda x, params, q: np.sum(q * model.log_joint(x, params)) - np.sum(xlogy(q, q))


def elbo_loops_scipy(model):
    def elbo(x, params, q):
        a = scipy_log_joint(model, x, params)
        total = 0.0
        for i in range(len(q)):
            for j in range(q.shape[1]):
                if q[i, j] > 0:
                    total += q[i, j] * (a[i, j] - math.log(q[i, j]))
        return total
    return elbo


def elbo_from_kl(model):
    """log p(x) - KL(q || posterior), the KL in logs (in probabilities it is inf at the far point)."""
    def elbo(x, params, q):
        a = model.log_joint(x, params)
        log_px = logsumexp(a, axis=1, keepdims=True)
        kl = sum(q[i, j] * (math.log(q[i, j]) - (a[i, j] - log_px[i, 0]))
                 for i in range(len(q)) for j in range(q.shape[1]) if q[i, j] > 0)
        return log_px.sum() - kl
    return elbo


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
@pytest.mark.parametrize("right", [elbo_masked, elbo_xlogy, elbo_loops_scipy, elbo_from_kl])
def test_elbo_right_answers_pass(capsys, model, right):
    assert_passed(capsys, exercises.check_elbo(model, right(model)))


def wrong_elbo(model, mistake):
    def elbo(x, params, q):
        a = model.log_joint(x, params)
        entropy = -np.sum(xlogy(q, q))
        if mistake == "no entropy":
            return np.sum(q * a)
        if mistake == "entropy sign":
            return np.sum(q * a) - entropy
        if mistake == "no log pi":
            return np.sum(q * (a - np.log(params.weights))) + entropy
        if mistake == "ignores q":
            return logsumexp(a, axis=1).sum()
        if mistake == "KL":
            return logsumexp(a, axis=1).sum() - (np.sum(q * a) + entropy)
        if mistake == "0 log 0":
            return np.sum(q * (a - np.log(q)))
        if mistake == "per point":
            return np.sum(q * a, axis=1) - np.sum(xlogy(q, q), axis=1)
        if mistake == "mean":
            return (np.sum(q * a) + entropy) / len(x)
        if mistake == "mutates q":
            np.clip(q, 1e-300, None, out=q)
            return np.sum(q * (a - np.log(q)))
        if mistake == "probabilities":
            p = np.array([[params.weights[j] * density(model, x[i], params, j)
                           for j in range(params.k)] for i in range(len(x))])
            return np.sum(q * np.log(p)) + entropy
        if mistake == "no constant":
            return np.sum(q * (a - log_constant(model, x)[:, None])) + entropy
        if mistake == "transposed q":
            return np.sum(q.T * a) + entropy
        if mistake == "wrong order":
            return np.sum(q[:, ::-1] * a) + entropy
        raise AssertionError(mistake)
    return elbo


ELBO_MISTAKES = [
    ("no entropy", ["missing the entropy term"]),
    ("entropy sign", ["entropy term has the wrong sign"]),
    ("no log pi", ["forgot the mixing weights"]),
    ("ignores q", ["ignores q"]),
    ("KL", ["returned KL(q || p(z | x))"]),
    ("0 log 0", ["nan", "0 log 0"]),
    ("mean", ["averaged over the points"]),
    ("probabilities", ["-inf", "underflows", "far from every component"]),
    ("no constant", ["a term without parameters"]),
    ("wrong order", ["components in the wrong order"]),
]
ELBO_SHAPES = [
    ("per point", ["wrong type", "one value per point"]),
    ("mutates q", ["changed its input q"]),
    ("transposed q", ["raised ValueError", "broadcast"]),
]


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
@pytest.mark.parametrize("mistake, words", ELBO_MISTAKES, ids=[m for m, _ in ELBO_MISTAKES])
def test_elbo_mistakes_are_named(capsys, model, mistake, words):
    if mistake == "no constant" and model is bernoulli:
        pytest.skip("a Bernoulli log-density has no term without parameters")
    assert_rejected(capsys, exercises.check_elbo(model, wrong_elbo(model, mistake)), words)


@pytest.mark.parametrize("mistake, words", ELBO_SHAPES, ids=[m for m, _ in ELBO_SHAPES])
def test_elbo_shape_mistakes_are_named(capsys, mistake, words):
    assert_rejected(capsys, exercises.check_elbo(poisson, wrong_elbo(poisson, mistake)), words)


# ------------------------------------------------------------------ weighted mean

def weighted_mean_loop(x, r):
    total, weight = 0.0, 0.0
    for xi, ri in zip(x, r):
        total = total + ri * xi
        weight += ri
    return total / weight


RIGHT_WEIGHTED_MEANS = [
    lambda x, r: r @ x / r.sum(),
    lambda x, r: np.average(x, axis=0, weights=r),
    weighted_mean_loop,
    lambda x, r: np.einsum("i,i...->...", r / r.sum(), x),
]


@pytest.mark.parametrize("right", RIGHT_WEIGHTED_MEANS)
def test_weighted_mean_right_answers_pass(capsys, right):
    assert_passed(capsys, exercises.check_weighted_mean(right))


def mutate_x(x, r):
    x[...] = 0
    return r @ x / r.sum()


def mutate_r(x, r):
    r /= r.sum()
    return r @ x


WRONG_WEIGHTED_MEANS = [
    (lambda x, r: r @ x / len(x), ["divided by n instead of N"]),
    (lambda x, r: r @ x, ["forgot to divide by N"]),
    (lambda x, r: x.mean(axis=0), ["ignored the weights r", "[problem 'counts'"]),
    (lambda x, r: x.mean(axis=0) if x.ndim == 2 else r @ x / r.sum(), ["ignored the weights r", "[problem 'points in 2-D'"]),
    (lambda x, r: x.sum(axis=0) / r.sum(), ["without weighting it by r"]),
    (lambda x, r: (r * x.T).T, ["wrong shape", "forgot to sum over the points"]),
    (lambda x, r: r @ x / (r.sum() + 1), ["got ", ", expected ", "[problem 'counts'"]),   # unnamed
    (lambda x, r: (r[:, None] * x).sum(axis=1) / r.sum() if x.ndim == 2 else r @ x / r.sum(),
     ["summed over the wrong axis"]),
    (mutate_x, ["changed its input x"]),
    (mutate_r, ["changed its input r"]),
    (lambda x, r: list(r @ x / r.sum()) if x.ndim == 2 else r @ x / r.sum(), ["wrong type", "list"]),
]


@pytest.mark.parametrize("wrong, words", WRONG_WEIGHTED_MEANS,
                         ids=[str(i) for i in range(len(WRONG_WEIGHTED_MEANS))])
def test_weighted_mean_mistakes_are_named(capsys, wrong, words):
    assert_rejected(capsys, exercises.check_weighted_mean(wrong), words)
