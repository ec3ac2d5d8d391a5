"""emlab.bernoulli against independent references: scipy.stats.bernoulli log-densities, a
brute-force EM written with loops, the closed-form MAP under a Beta prior and scipy.optimize;
EM's monotone objective (hypothesis); clear errors for bad input."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from scipy.special import expit, log_softmax, softmax

import emlab
from emlab import bernoulli


def binary_data(n, d, seed):
    """n binary vectors from three components; every column holds both a 0 and a 1."""
    rng = np.random.default_rng(seed)
    truth = bernoulli.Params([0.5, 0.3, 0.2], rng.uniform(0.1, 0.9, size=(3, d)))
    x, _ = bernoulli.sample(truth, n, rng)
    x[0], x[1] = 0, 1
    return x


# ---------------------------------------------------------------- log_joint vs scipy.stats

def test_log_joint_is_a_sum_of_bernoulli_logpmf_plus_log_weight():
    x = binary_data(40, 6, seed=0)
    means = np.random.default_rng(1).uniform(0.05, 0.95, size=(3, 6))
    means[0, 0], means[1, 1], means[2, 2] = 1e-12, 1 - 1e-9, 0.5     # near the ends: no log 0
    params = bernoulli.Params([0.2, 0.5, 0.3], means)
    expected = np.log(params.weights) + np.stack(
        [stats.bernoulli.logpmf(x, means[j]).sum(axis=1) for j in range(3)], axis=1)
    np.testing.assert_allclose(bernoulli.log_joint(x, params), expected, rtol=1e-12)
    np.testing.assert_allclose(bernoulli.log_joint(x.astype(bool), params), expected, rtol=1e-12)
    assert np.all(np.isfinite(bernoulli.log_joint(x, params)))


# ---------------------------------------------------------------- EM vs a brute-force EM

def brute_force_em(x, weights, means, iterations, a=1.0, b=1.0):
    """EM for a Bernoulli mixture with plain loops (no emlab, no numpy algebra):
    E-step r_ij = pi_j p(x_i | mu_j) / sum_l pi_l p(x_i | mu_l),
    M-step pi_j = N_j / n, mu_jd = (sum_i r_ij x_id + a - 1) / (N_j + a + b - 2).
    Returns the weights, means and log-likelihoods (before each M-step and after the last)."""
    x = [[int(v) for v in row] for row in x]
    weights, means = list(weights), [list(m) for m in means]
    n, k, d = len(x), len(weights), len(x[0])
    log_likelihoods = []
    for t in range(iterations + 1):
        resp, total = [], 0.0
        for row in x:
            joint = []
            for j in range(k):
                p = weights[j]
                for v, mu in zip(row, means[j]):
                    p *= mu if v == 1 else 1 - mu
                joint.append(p)
            resp.append([p / sum(joint) for p in joint])
            total += math.log(sum(joint))
        log_likelihoods.append(total)
        if t == iterations:
            break
        for j in range(k):
            nj = sum(r[j] for r in resp)
            weights[j] = nj / n
            for dd in range(d):
                means[j][dd] = (sum(r[j] * row[dd] for r, row in zip(resp, x)) + a - 1) / (nj + a + b - 2)
    return weights, means, log_likelihoods


@pytest.mark.parametrize("prior", [None, (2.0, 3.0)], ids=["maximum likelihood", "beta prior"])
def test_run_em_equals_a_brute_force_em(prior):
    x = binary_data(30, 5, seed=2)
    x[2:6] = x[6]                          # repeated rows: the engine may group them
    start = bernoulli.init_random(x, 3, np.random.default_rng(3))
    options = {} if prior is None else {"beta_prior": prior}
    history = emlab.run_em(bernoulli, x, start, max_iter=20, tol=0, **options)
    weights, means, log_likelihoods = brute_force_em(x, start.weights, start.means, 20,
                                                     *(prior or (1.0, 1.0)))
    np.testing.assert_allclose(history.params[-1].weights, weights, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(history.params[-1].means, means, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(history.log_likelihood, log_likelihoods, rtol=1e-10)


# ---------------------------------------------------------------- M-step under a Beta prior

def weighted_problem(seed=4):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, size=(25, 4))
    x[:, 3] = 0                                         # a pixel that is always off
    resp = rng.dirichlet(np.ones(3), size=25)
    return x, resp


@pytest.mark.parametrize("a, b", [(2.0, 2.0), (1.5, 4.0), (3.0, 1.2)])
def test_beta_prior_m_step_is_the_closed_form_map(a, b):
    x, resp = weighted_problem()
    params = bernoulli.m_step(x, resp, beta_prior=(a, b))
    for j in range(3):
        nj = resp[:, j].sum()
        assert params.weights[j] == pytest.approx(nj / len(x), rel=1e-12)
        for d in range(4):
            heads = sum(resp[i, j] for i in range(len(x)) if x[i, d] == 1)
            assert params.means[j, d] == pytest.approx((heads + a - 1) / (nj + a + b - 2), rel=1e-12)
    assert np.all(params.means[:, 3] == pytest.approx((a - 1) / (resp.sum(axis=0) + a + b - 2)))


@pytest.mark.parametrize("a, b", [(2.0, 2.0), (1.5, 4.0)])
def test_beta_prior_m_step_maximises_the_expected_complete_log_posterior(a, b):
    """scipy.optimize over pi (softmax) and mu (logistic) of
    sum_ij r_ij [log pi_j + sum_d log Bernoulli(x_id | mu_jd)] + sum_jd log Beta(mu_jd | a, b)."""
    x, resp = weighted_problem()
    k, d = resp.shape[1], x.shape[1]

    def unpack(theta):
        return softmax(np.r_[0.0, theta[:k - 1]]), expit(theta[k - 1:]).reshape(k, d)

    def negative_log_posterior(theta):
        log_pi = log_softmax(np.r_[0.0, theta[:k - 1]])
        means = expit(theta[k - 1:]).reshape(k, d)
        complete = sum(resp[:, j] @ (log_pi[j] + stats.bernoulli.logpmf(x, means[j]).sum(axis=1))
                       for j in range(k))
        return -(complete + stats.beta.logpdf(means, a, b).sum())

    best = optimize.minimize(negative_log_posterior, np.zeros(k - 1 + k * d), method="BFGS",
                             options=dict(gtol=1e-9))
    weights, means = unpack(best.x)
    params = bernoulli.m_step(x, resp, beta_prior=(a, b))
    np.testing.assert_allclose(params.weights, weights, atol=1e-6)
    np.testing.assert_allclose(params.means, means, atol=1e-6)


def test_flat_beta_prior_is_maximum_likelihood():
    x, resp = weighted_problem()
    x[0, 3] = 1                                         # no pixel always off: ML exists
    ml, flat = bernoulli.m_step(x, resp), bernoulli.m_step(x, resp, beta_prior=(1, 1))
    np.testing.assert_array_equal(ml.means, flat.means)
    np.testing.assert_allclose(ml.means, (resp.T @ x) / resp.sum(axis=0)[:, None], rtol=1e-12)


# ---------------------------------------------------------------- EM's objective never decreases

SETTINGS = settings(max_examples=15, deadline=None, derandomize=True)


def draw(seed, n, d, k):
    rng = np.random.default_rng(seed)
    x, _ = bernoulli.sample(bernoulli.Params(rng.dirichlet(np.ones(k)), rng.uniform(0.05, 0.95, (k, d))),
                            n, rng)
    return x, bernoulli.init_random(x, k, rng)


@SETTINGS
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(5, 40), d=st.integers(1, 6), k=st.integers(1, 3))
def test_log_likelihood_never_decreases(seed, n, d, k):
    x, start = draw(seed, n, d, k)
    try:
        log_likelihood = emlab.run_em(bernoulli, x, start, max_iter=25, tol=0).log_likelihood
    except emlab.CollapseError as exc:                  # a pixel constant within a component
        log_likelihood = exc.history.log_likelihood
    assert np.all(np.diff(log_likelihood) >= -1e-10 * np.abs(log_likelihood[:-1]))


@SETTINGS
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(5, 40), d=st.integers(1, 6), k=st.integers(1, 3),
       a=st.floats(1.1, 5.0), b=st.floats(1.1, 5.0))
def test_log_posterior_never_decreases_under_a_beta_prior(seed, n, d, k, a, b):
    """MAP-EM increases log p(x | theta) + log p(theta), the log-likelihood plus the Beta log-prior."""
    x, start = draw(seed, n, d, k)
    history = emlab.run_em(bernoulli, x, start, max_iter=25, tol=0, beta_prior=(a, b))
    log_posterior = history.log_likelihood + [stats.beta.logpdf(p.means, a, b).sum() for p in history.params]
    assert np.all(np.diff(log_posterior) >= -1e-10 * np.abs(log_posterior[:-1]))


# ---------------------------------------------------------------- sample, init_random

def test_sample_draws_each_pixel_with_its_component_mean():
    params = bernoulli.Params([0.3, 0.7], [[0.1, 0.5, 0.9], [0.8, 0.2, 0.5]])
    x, z = bernoulli.sample(params, 20_000, np.random.default_rng(5))
    assert x.shape == (20_000, 3) and set(np.unique(x)) <= {0, 1}
    share = np.mean(z == 0)
    assert abs(share - 0.3) < 4 * np.sqrt(0.3 * 0.7 / len(z))
    for j in range(2):
        rows = x[z == j]
        sd = np.sqrt(params.means[j] * (1 - params.means[j]) / len(rows))
        assert np.all(np.abs(rows.mean(axis=0) - params.means[j]) < 4 * sd)


def test_init_random_is_bishops_uniform_start():
    x = binary_data(50, 8, seed=6)
    params = bernoulli.init_random(x, 4, 7)
    assert params.means.shape == (4, 8)
    assert np.all((params.means > 0.25) & (params.means < 0.75))
    np.testing.assert_array_equal(params.weights, np.full(4, 0.25))
    with pytest.raises(ValueError, match="k must be at most the number of points n = 50, got k = 51"):
        bernoulli.init_random(x, 51, 0)


# ---------------------------------------------------------------- bad input: clear errors

GOOD_X = binary_data(10, 3, seed=8)
GOOD = bernoulli.Params([0.5, 0.5], [[0.2, 0.5, 0.7], [0.6, 0.4, 0.3]])


@pytest.mark.parametrize("x, error, words", [
    (np.where(GOOD_X == 1, 0.5, 0.0), ValueError, r"x must hold binary values 0 or 1, got x\[\d+, \d+\] = 0.5"),
    (GOOD_X * 2, ValueError, r"x must hold binary values 0 or 1, got x\[\d+, \d+\] = 2"),
    (-GOOD_X, ValueError, r"x must hold binary values 0 or 1, got x\[\d+, \d+\] = -1"),
    (np.where(GOOD_X == 1, np.nan, 0.0), ValueError, "x must be finite"),
    (GOOD_X[:, 0], ValueError, r"x must be 2-D with shape \(n, d\), got shape \(10,\).*x\[:, None\]"),
    (GOOD_X[None], ValueError, r"x must be 2-D with shape \(n, d\), got shape \(1, 10, 3\)"),
    (np.zeros((0, 3)), ValueError, "x must contain at least one point"),
    (np.zeros((4, 0)), ValueError, "x must have at least one column"),
    (GOOD_X[:, :2], ValueError, "x has d = 2 columns but params.means has d = 3"),
    ("0101", TypeError, "x must be an array of numbers"),
], ids=["fractions", "twos", "negative", "NaN", "1-D", "3-D", "no points", "no columns",
        "wrong d", "a string"])
def test_bad_x_is_a_clear_error(x, error, words):
    with pytest.raises(error, match=words):
        bernoulli.log_joint(x, GOOD)
    with pytest.raises(error, match=words):
        emlab.run_em(bernoulli, x, GOOD, beta_prior=(2, 2))


@pytest.mark.parametrize("mean", [0.0, 1.0, -0.1, 1.5])
def test_means_of_zero_or_one_name_the_beta_prior(mean):
    with pytest.raises(ValueError, match=r"means must lie strictly between 0 and 1.*means\[1, 2\]"
                                         r".*Beta\(a, b\) prior.*beta_prior=\(2, 2\)"):
        bernoulli.Params([0.5, 0.5], [[0.2, 0.5, 0.7], [0.6, 0.4, mean]])


@pytest.mark.parametrize("weights, means, words", [
    ([0.5, 0.5], [0.2, 0.5], "means must be 2-D"),
    ([0.5, 0.5], [[0.2, 0.5]], "means must have 2 components"),
    ([0.5, 0.5], np.zeros((2, 0)), r"means must have at least one dimension"),
    ([0.6, 0.6], [[0.2], [0.5]], "weights must sum to 1"),
])
def test_bad_params_are_a_clear_error(weights, means, words):
    with pytest.raises(ValueError, match=words):
        bernoulli.Params(weights, means)


@pytest.mark.parametrize("always", [0, 1])
def test_m_step_without_prior_names_the_constant_pixel_and_the_remedy(always):
    x = GOOD_X.copy()
    x[:, 2] = always
    resp = np.full((10, 2), 0.5)
    with pytest.raises(emlab.CollapseError, match=rf"component 0 collapsed in pixel \(dimension\) 2: "
                                                  rf"x\[:, 2\] is always {always}.*beta_prior=\(a, b\)"):
        bernoulli.m_step(x, resp)
    with pytest.raises(emlab.CollapseError, match=r"EM iteration 1: component 0 .* pixel") as info:
        emlab.run_em(bernoulli, x, GOOD)
    assert info.value.component == 0 and info.value.history.params == [GOOD]
    assert np.all(bernoulli.m_step(x, resp, beta_prior=(2, 2)).means[:, 2] == (10 * 0.5 * always + 1) / 7)


@pytest.mark.parametrize("prior, error, words", [
    ((0.5, 2), ValueError, r"beta_prior \(a, b\) must have a >= 1 and b >= 1.*got \(0.5, 2.0\)"),
    ((2, 0), ValueError, r"beta_prior \(a, b\) must have a >= 1 and b >= 1"),
    ((np.nan, 2), ValueError, "beta_prior a must be finite"),
    ((True, 2), TypeError, "beta_prior a must be a real number"),
    ((2, "2"), TypeError, "beta_prior b must be a real number"),
    ((2,), TypeError, r"beta_prior must be a pair \(a, b\)"),
    (2.0, TypeError, r"beta_prior must be a pair \(a, b\)"),
])
def test_bad_beta_prior_is_a_clear_error(prior, error, words):
    resp = np.full((10, 2), 0.5)
    with pytest.raises(error, match=words):
        bernoulli.m_step(GOOD_X, resp, beta_prior=prior)
    with pytest.raises(error, match=words):
        emlab.run_em(bernoulli, GOOD_X, GOOD, beta_prior=prior)


def test_bad_resp_and_options_are_clear_errors():
    with pytest.raises(ValueError, match=r"resp must have shape \(10, n\)"):
        bernoulli.m_step(GOOD_X, np.full((9, 2), 0.5))
    with pytest.raises(ValueError, match="resp must be non-negative"):
        bernoulli.m_step(GOOD_X, np.full((10, 2), -0.5))
    with pytest.raises(TypeError, match=r"emlab.bernoulli.m_step does not take the option\(s\) \['reg_covar'\]"):
        emlab.run_em(bernoulli, GOOD_X, GOOD, reg_covar=1e-3)
    with pytest.raises(TypeError, match="params must be emlab.bernoulli.Params"):
        bernoulli.log_joint(GOOD_X, emlab.poisson.Params([1.0], [2.0]))


def test_caller_arrays_are_never_changed():
    x, resp = weighted_problem()
    means, weights = np.full((3, 4), 0.4), np.full(3, 1 / 3)
    copies = [a.copy() for a in (x, resp, means, weights)]
    params = bernoulli.Params(weights, means)
    bernoulli.log_joint(x, params)
    bernoulli.m_step(x, resp, beta_prior=(2, 2))
    emlab.run_em(bernoulli, x, params, max_iter=3, tol=0, beta_prior=(2, 2))
    for original, copy in zip((x, resp, means, weights), copies):
        np.testing.assert_array_equal(original, copy)
    means[0, 0] = 0.9                                   # Params holds its own, read-only copy
    assert params.means[0, 0] == 0.4 and not params.means.flags.writeable
