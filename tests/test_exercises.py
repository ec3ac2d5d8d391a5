"""emlab.exercises: each checker passes right answers written in different ways and rejects
the wrong answers students write, with words that name the mistake.

The right answers here are written independently of emlab (scipy.stats densities, loops,
numpy); the wrong ones plant one mistake each.
"""
import math
import time

import numpy as np
import pytest
from scipy import stats
from scipy.special import gammaln, logsumexp, softmax, xlogy

import emlab
from emlab import coins, exercises, gaussian, poisson

try:
    from emlab import bernoulli
except ImportError:             # being added by another change
    bernoulli = None

MODELS = [m for m in (coins, poisson, gaussian, bernoulli) if m is not None]
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


def fields(model, weights, stat):
    """``model.Params`` from the weights and the model's other statistic(s)."""
    if model is gaussian:
        return gaussian.Params(weights, *stat)
    if model is coins:
        return coins.Params(weights, stat)
    if model is poisson:
        return poisson.Params(weights, stat)
    return bernoulli.Params(weights, stat)


def textbook_m_step(model, x, resp, divide_by=None, weights=None):
    """The closed-form M-step written out; ``divide_by`` (k,) replaces N_j where sums are
    divided by it (for the Gaussian, in the covariances), ``weights`` replaces N_j / n: the
    two places students go wrong."""
    nk = resp.sum(axis=0)
    divide_by = nk if divide_by is None else divide_by
    weights = nk / len(x) if weights is None else weights
    if model is coins:
        return fields(model, weights, (resp.T @ x[:, 0]) / (resp.T @ x.sum(axis=1)))
    if model is gaussian:
        means = resp.T @ x / nk[:, None]
        covs = np.stack([(resp[:, j, None] * (x - means[j])).T @ (x - means[j]) / divide_by[j]
                         for j in range(len(nk))])
        return fields(model, weights, (means, covs))
    stat = resp.T @ x / (divide_by if model is poisson else divide_by[:, None])
    return fields(model, weights, stat)


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


E_STEP_MISTAKES = [
    ("probabilities", ["nan", "underflows", "far from every component"]),
    ("scipy pdf", ["nan", "underflows", "far from every component"]),
    ("no weights", ["forgot the mixing weights"]),
    ("transposed", ["wrong shape", "transposed"]),
    ("wrong axis", ["normalised over the points", "rows not summing to 1"]),
    ("unnormalised", ["rows not summing to 1"]),
    ("log resp", ["log responsibilities"]),
    ("reversed", ["components in the wrong order"]),
    ("hard", ["hard 0/1 assignments"]),
    ("mutates x", ["changed its input x"]),
    ("mutates params", ["change its input params in place"]),
    ("attribute", ["raised AttributeError", "has no attribute 'mu'"]),
    ("tuple", ["wrong type", "return only resp"]),
    ("list", ["wrong type", "list"]),
    ("two components", ["wrong shape", "k = 3"]),
    ("weights twice", ["used the mixing weights twice"]),
    ("epsilon", ["rows not summing to 1", "a point far from every component, sums to 0", "underflows"]),
    ("normalised logs", ["normalised the logs"]),
    ("no return", ["returned None"]),
]


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
@pytest.mark.parametrize("mistake, words", E_STEP_MISTAKES, ids=[m for m, _ in E_STEP_MISTAKES])
def test_e_step_mistakes_are_named(capsys, model, mistake, words):
    assert_rejected(capsys, exercises.check_e_step(model, wrong_e_step(model, mistake)), words)


def test_e_step_variance_as_scale_is_named(capsys):
    """scipy.stats.norm's scale is a standard deviation: passing the variance is caught on d = 1."""
    def e_step(x, params):
        a = np.column_stack([
            np.log(params.weights[j]) + stats.norm.logpdf(
                x, params.means[j], np.diagonal(params.covariances[j])).sum(axis=1)
            for j in range(params.k)])
        return softmax(a, axis=1)
    assert_rejected(capsys, exercises.check_e_step(gaussian, e_step),
                    ["a variance where a standard deviation belongs", "d = 1"])


def test_e_step_gaussian_density_mistakes_are_named(capsys):
    def with_covariances(change):
        def e_step(x, params):
            a = np.column_stack([np.log(params.weights[j]) + stats.multivariate_normal.logpdf(
                x, params.means[j], change(params.covariances[j])) for j in range(params.k)])
            return softmax(a.reshape(len(x), -1), axis=1)
        return e_step

    def no_log_det(x, params):
        a = np.column_stack([np.log(params.weights[j]) - 0.5 * np.einsum(
            "nd,de,ne->n", x - params.means[j], np.linalg.inv(params.covariances[j]), x - params.means[j])
            for j in range(params.k)])
        return softmax(a, axis=1)
    # elementwise sqrt of a covariance with negative entries raises on the first problem;
    # the mistake is named where it shows (d = 1)
    cases = [(np.sqrt, ["a standard deviation where a variance belongs", "d = 1"]),
             (np.linalg.inv, ["the precision Sigma_j^-1 where the covariance Sigma_j belongs"])]
    for change, words in cases:
        assert_rejected(capsys, exercises.check_e_step(gaussian, with_covariances(change)), words)
    assert_rejected(capsys, exercises.check_e_step(gaussian, no_log_det),
                    ["forgot the term -1/2 log |Sigma_j|"])


def test_e_step_with_a_reference_of_its_own(capsys):
    """A variant exercise: the E-step of a mixture whose weights are ignored on purpose."""
    def reference(x, params):
        a = poisson.log_joint(x, params) - np.log(params.weights)
        return softmax(a, axis=1)
    assert_passed(capsys, exercises.check_e_step(poisson, reference, reference=reference))
    assert_rejected(capsys, exercises.check_e_step(poisson, e_step_softmax(poisson), reference=reference),
                    ["differs from the reference"])


# ------------------------------------------------------------------ M-step

def m_step_loops(model):
    """Component by component, point by point."""
    def m_step(x, resp):
        n, k = resp.shape
        nk = [sum(resp[i, j] for i in range(n)) for j in range(k)]
        weights = np.array(nk) / n
        if model is coins:
            return coins.Params(weights, [sum(resp[i, j] * x[i, 0] for i in range(n))
                                          / sum(resp[i, j] * (x[i, 0] + x[i, 1]) for i in range(n))
                                          for j in range(k)])
        means = [sum(resp[i, j] * x[i] for i in range(n)) / nk[j] for j in range(k)]
        if model is gaussian:
            covs = [sum(resp[i, j] * np.outer(x[i] - means[j], x[i] - means[j]) for i in range(n)) / nk[j]
                    for j in range(k)]
            return gaussian.Params(weights, means, covs)
        return fields(model, weights, np.array(means))
    return m_step


def m_step_numpy_average(model):
    """np.average and np.cov with weights."""
    def m_step(x, resp):
        weights = resp.mean(axis=0)
        k = resp.shape[1]
        if model is coins:
            tosses = x.sum(axis=1)          # p_j: the share of heads, each trial weighted by r_ij m_i
            return coins.Params(weights, [np.average(x[:, 0] / tosses, weights=resp[:, j] * tosses)
                                          for j in range(k)])
        means = np.array([np.average(x, axis=0, weights=resp[:, j]) for j in range(k)])
        if model is gaussian:
            covs = [np.atleast_2d(np.cov(x, rowvar=False, aweights=resp[:, j], bias=True)) for j in range(k)]
            return gaussian.Params(weights, means, covs)
        return fields(model, weights, means)
    return m_step


def m_step_textbook(model):
    return lambda x, resp: textbook_m_step(model, x, resp)


def m_step_emlab(model):
    return model.m_step


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
@pytest.mark.parametrize("right", [m_step_loops, m_step_numpy_average, m_step_textbook, m_step_emlab])
def test_m_step_right_answers_pass(capsys, model, right):
    assert_passed(capsys, exercises.check_m_step(model, right(model)))


def wrong_m_step(model, mistake):
    def m_step(x, resp):
        n, k = resp.shape
        nk = resp.sum(axis=0)
        if mistake == "divided by n":
            return textbook_m_step(model, x, resp, divide_by=np.full(k, n))
        if mistake == "not divided":
            return textbook_m_step(model, x, resp, divide_by=np.ones(k))
        if mistake == "N - 1":
            return textbook_m_step(model, x, resp, divide_by=nk - 1)
        if mistake == "weights kept":
            return textbook_m_step(model, x, resp, weights=np.full(k, 1 / k))
        if mistake == "weights N":
            return textbook_m_step(model, x, resp, weights=nk)
        if mistake == "weights n - 1":
            return textbook_m_step(model, x, resp, weights=nk / (n - 1))
        if mistake == "weights off by one":
            return textbook_m_step(model, x, resp, weights=(nk + 1) / (n + k))
        if mistake == "reversed":
            return textbook_m_step(model, x, resp[:, ::-1])
        if mistake == "array":
            params = textbook_m_step(model, x, resp)
            return np.concatenate([np.ravel(getattr(params, f)) for f in ("weights",)] + [nk])
        if mistake == "tuple":
            return nk / n, resp.T @ x
        if mistake == "mutates resp":
            resp /= nk
            return textbook_m_step(model, x, resp * nk)
        if mistake == "mutates x":
            params = textbook_m_step(model, x, resp)
            x += 1
            return params
        if mistake == "transposed resp":
            return resp @ x
        if mistake == "other model":
            return emlab.coins.Params(nk / n, np.full(k, 0.5)) if model is not coins \
                else emlab.poisson.Params(nk / n, np.full(k, 2.0))
        if mistake == "no return":
            textbook_m_step(model, x, resp)
            return None
        raise AssertionError(mistake)
    return m_step


M_STEP_MISTAKES = [
    ("divided by n", ["divided by n instead of N_j"], (poisson, gaussian, bernoulli)),
    ("not divided", ["forgot to divide", "by N_j"], (poisson, gaussian)),
    ("N - 1", ["divided by N_j - 1 instead of N_j", "covariances"], (gaussian,)),
    ("weights kept", ["did not update the mixing weights"], MODELS),
    ("weights N", ["fails validation", "weights must sum to 1"], MODELS),
    ("weights n - 1", ["fails validation", "weights must sum to 1"], MODELS),
    ("weights off by one", ["mixing weights off by one"], MODELS),
    ("reversed", ["components in the wrong order"], MODELS),
    ("array", ["wrong type", "numpy array", "Params("], MODELS),
    ("tuple", ["wrong type", "tuple"], MODELS),
    ("mutates resp", ["changed its input resp"], MODELS),
    ("mutates x", ["changed its input x"], MODELS),
    ("transposed resp", ["raised ValueError", "matmul"], MODELS),
    ("other model", ["wrong type", "Params"], MODELS),
    ("no return", ["returned None"], MODELS),
]
M_STEP_CASES = [(model, mistake, words) for mistake, words, models in M_STEP_MISTAKES
                for model in MODELS if model in models]


@pytest.mark.parametrize("model, mistake, words", M_STEP_CASES,
                         ids=[f"{m.__name__[6:]}-{mistake}" for m, mistake, _ in M_STEP_CASES])
def test_m_step_mistakes_are_named(capsys, model, mistake, words):
    assert_rejected(capsys, exercises.check_m_step(model, wrong_m_step(model, mistake)), words)


def test_m_step_standard_deviation_where_a_variance_belongs(capsys):
    def m_step(x, resp):
        nk = resp.sum(axis=0)
        means = resp.T @ x / nk[:, None]
        sds = [np.sqrt(resp[:, j] @ (x - means[j]) ** 2 / nk[j]) for j in range(len(nk))]
        return gaussian.Params(nk / len(x), means, [np.diag(s) for s in sds])
    assert_rejected(capsys, exercises.check_m_step(gaussian, m_step),
                    ["a standard deviation where a variance belongs", "covariances"])


def test_m_step_coins_heads_per_trial_fails_validation(capsys):
    """p_j = expected heads / N_j (per trial, not per toss) is not a probability."""
    def m_step(x, resp):
        nk = resp.sum(axis=0)
        return coins.Params(nk / len(x), resp.T @ x[:, 0] / nk)
    assert_rejected(capsys, exercises.check_m_step(coins, m_step),
                    ["fails validation", "p must lie in [0, 1]"])


def test_m_step_poisson_unweighted_mean_is_reported_where_it_differs(capsys):
    def m_step(x, resp):
        nk = resp.sum(axis=0)
        return poisson.Params(nk / len(x), np.full(resp.shape[1], x.mean()))
    assert_rejected(capsys, exercises.check_m_step(poisson, m_step),
                    ["rates differs from the reference", "rates["])


def test_m_step_with_a_reference_of_its_own(capsys):
    """A Poisson mixture with rate 0 held fixed at 1, and coins with fixed equal weights."""
    def fixed_first_rate(x, resp):
        nk = resp.sum(axis=0)
        return poisson.Params(nk / len(x), np.r_[1.0, (resp.T @ x / nk)[1:]])

    def student(x, resp):
        nk = resp.sum(axis=0)
        rates = resp.T @ x / nk
        rates[0] = 1.0
        return poisson.Params(nk / len(x), rates)
    assert_passed(capsys, exercises.check_m_step(poisson, student, reference=fixed_first_rate))
    assert_rejected(capsys, exercises.check_m_step(poisson, poisson.m_step, reference=fixed_first_rate),
                    ["rates differs from the reference at rates[0]"])

    def equal_weights(x, resp):
        return coins.Params(np.full(resp.shape[1], 1 / resp.shape[1]), coins.m_step(x, resp).p)
    assert_passed(capsys, exercises.check_m_step(coins, equal_weights, reference=equal_weights))
    assert_rejected(capsys, exercises.check_m_step(coins, coins.m_step, reference=equal_weights),
                    ["weights differs from the reference"])


takes_covariance_type = "covariance_type" in __import__("inspect").signature(gaussian.m_step).parameters


@pytest.mark.skipif(not takes_covariance_type, reason="gaussian.m_step has no covariance_type yet")
def test_m_step_diagonal_covariances(capsys):
    def diag_m_step(x, resp):
        nk = resp.sum(axis=0)
        means = resp.T @ x / nk[:, None]
        variances = [resp[:, j] @ (x - means[j]) ** 2 / nk[j] for j in range(len(nk))]
        return gaussian.Params(nk / len(x), means, [np.diag(v) for v in variances])

    def sd_m_step(x, resp):
        params = diag_m_step(x, resp)
        return gaussian.Params(params.weights, params.means, np.sqrt(params.covariances))
    assert_passed(capsys, exercises.check_m_step(gaussian, diag_m_step, covariance_type="diag"))
    full = m_step_textbook(gaussian)
    assert_rejected(capsys, exercises.check_m_step(gaussian, full, covariance_type="diag"),
                    ["ignores the option(s) covariance_type='diag'"])
    assert_rejected(capsys, exercises.check_m_step(gaussian, sd_m_step, covariance_type="diag"),
                    ["a standard deviation where a variance belongs"])


def test_m_step_unknown_option_is_the_callers_error():
    with pytest.raises(TypeError, match="does not take the option"):
        exercises.check_m_step(poisson, poisson.m_step, covariance_type="diag")


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
    ("per point", ["wrong type", "one value per point"]),
    ("likelihood", ["the likelihood p(x), not its log"]),
    ("Q", ["expected complete-data log-likelihood"]),
    ("wrong axis", ["over the points instead of over the components"]),
    ("log outside", ["log of the sum over all points"]),
    ("no constant", ["a term without parameters"]),
    ("epsilon", ["right everywhere except at a point far from every component", "underflows"]),
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


def test_log_likelihood_variance_as_scale_is_named(capsys):
    def log_likelihood(x, params):
        a = np.column_stack([
            np.log(params.weights[j]) + stats.norm.logpdf(
                x, params.means[j], np.diagonal(params.covariances[j])).sum(axis=1)
            for j in range(params.k)])
        return logsumexp(a, axis=1).sum()
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
        raise AssertionError(mistake)
    return elbo


ELBO_MISTAKES = [
    ("no entropy", ["missing the entropy term"]),
    ("entropy sign", ["entropy term has the wrong sign"]),
    ("no log pi", ["forgot the mixing weights"]),
    ("ignores q", ["ignores q"]),
    ("KL", ["returned KL(q || p(z | x))"]),
    ("0 log 0", ["nan", "0 log 0"]),
    ("per point", ["wrong type", "one value per point"]),
    ("mean", ["averaged over the points"]),
    ("mutates q", ["changed its input q"]),
    ("probabilities", ["-inf", "underflows", "far from every component"]),
    ("no constant", ["a term without parameters"]),
    ("transposed q", ["raised ValueError", "broadcast"]),
]


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
@pytest.mark.parametrize("mistake, words", ELBO_MISTAKES, ids=[m for m, _ in ELBO_MISTAKES])
def test_elbo_mistakes_are_named(capsys, model, mistake, words):
    if mistake == "no constant" and model is bernoulli:
        pytest.skip("a Bernoulli log-density has no term without parameters")
    assert_rejected(capsys, exercises.check_elbo(model, wrong_elbo(model, mistake)), words)


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
    (lambda x, r: x.mean(axis=0), ["ignored the weights r"]),
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


# ------------------------------------------------------------------ every checker

CHECKERS = {
    "e_step": lambda model, fn: exercises.check_e_step(model, fn),
    "m_step": lambda model, fn: exercises.check_m_step(model, fn),
    "log_likelihood": lambda model, fn: exercises.check_log_likelihood(model, fn),
    "elbo": lambda model, fn: exercises.check_elbo(model, fn),
    "weighted_mean": lambda model, fn: exercises.check_weighted_mean(fn),
}
SIGNATURES = {"e_step": "x, params", "m_step": "x, resp", "log_likelihood": "x, params",
              "elbo": "x, params, q", "weighted_mean": "x, r"}


def skeleton(name):
    namespace = {}
    exec(f"def {name}({SIGNATURES[name]}):\n    raise NotImplementedError", namespace)
    return namespace[name]


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
@pytest.mark.parametrize("name", CHECKERS)
def test_an_unfilled_skeleton_is_not_implemented_yet(capsys, model, name):
    assert CHECKERS[name](model, skeleton(name)) is False
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
}


@pytest.mark.parametrize("model", [poisson, gaussian], ids=["poisson", "gaussian"])
@pytest.mark.parametrize("name", CHECKERS)
@pytest.mark.parametrize("odd", ODD_FUNCTIONS)
def test_checkers_never_raise_and_print_one_line(capsys, model, name, odd):
    result = CHECKERS[name](model, ODD_FUNCTIONS[odd])
    line = printed(capsys)
    assert result is False
    assert line.startswith("✗ ") and "Traceback" not in line and "0x" not in line, line


def test_a_raised_exception_is_named_with_its_message(capsys):
    exercises.check_e_step(poisson, raise_(ZeroDivisionError("division by zero")))
    assert printed(capsys) == ("✗ raised ZeroDivisionError: division by zero "
                               "[problem 'typical': n = 8, k = 2]")
    exercises.check_e_step(poisson, lambda x: x)
    assert printed(capsys).startswith("✗ must take the arguments (x, params): ")
    exercises.check_log_likelihood(poisson, raise_(ValueError(f"bad {object()}")))
    assert printed(capsys) == "✗ raised ValueError: bad <object object> [problem 'typical': n = 8, k = 2]"


def test_keyboard_interrupt_still_stops_the_checker():
    with pytest.raises(KeyboardInterrupt):
        exercises.check_e_step(poisson, raise_(KeyboardInterrupt()))


def test_an_unknown_model_is_the_callers_error():
    with pytest.raises(TypeError, match="no exercise problems"):
        exercises.check_e_step(np, e_step_softmax(poisson))


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_the_line_is_the_same_every_time(capsys, model):
    lines = []
    for _ in range(2):
        exercises.check_e_step(model, wrong_e_step(model, "no weights"))
        exercises.check_m_step(model, wrong_m_step(model, "weights off by one"))
        exercises.check_elbo(model, e_step_softmax(model) and elbo_masked(model))
        lines.append(capsys.readouterr().out)
    assert lines[0] == lines[1] and "✓" in lines[0]


def test_time_of_all_checkers_per_model(capsys):
    """Not a threshold: the time every checker takes on one right answer, for the report."""
    rows = []
    for model in MODELS:
        start = time.perf_counter()
        exercises.check_e_step(model, e_step_logsumexp(model))
        exercises.check_m_step(model, m_step_textbook(model))
        exercises.check_log_likelihood(model, log_likelihood_logsumexp(model))
        exercises.check_elbo(model, elbo_masked(model))
        exercises.check_weighted_mean(RIGHT_WEIGHTED_MEANS[0])
        rows.append(f"{model.__name__}: {1000 * (time.perf_counter() - start):.0f} ms")
    assert capsys.readouterr().out.count("✓") == 5 * len(MODELS)
    with capsys.disabled():
        print("\nall five checkers, right answers: " + ", ".join(rows))
