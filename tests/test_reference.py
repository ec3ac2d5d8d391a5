"""emlab against independent references: scipy.stats, scikit-learn, scipy.optimize, and
the published numbers of Do & Batzoglou (Nat. Biotechnol. 26:897, 2008)."""
import warnings

import numpy as np
import pytest
from scipy import optimize, stats
from scipy.special import log_softmax, logsumexp
from sklearn.mixture import GaussianMixture

import emlab
from emlab import coins, gaussian, poisson
from published import DO_BATZOGLOU


# ---------------------------------------------------------------- log_joint vs scipy.stats

def test_coins_log_joint_is_binomial_logpmf_plus_log_weight():
    rng = np.random.default_rng(0)
    tosses = rng.integers(0, 30, size=40)             # varying tosses, including trials of 0
    heads = rng.binomial(tosses, 0.4)
    x = np.column_stack([heads, tosses - heads])
    params = coins.Params([0.2, 0.5, 0.3], [0.1, 0.55, 0.9])
    expected = (np.log(params.weights)
                + stats.binom.logpmf(heads[:, None], tosses[:, None], params.p[None, :]))
    np.testing.assert_allclose(coins.log_joint(x, params), expected, rtol=1e-12, atol=1e-12)


def test_coins_log_joint_with_certain_coins():
    """p = 0 or 1 is allowed: trials it cannot produce get -inf, the others a finite value."""
    x = np.array([[3, 0], [0, 4], [2, 2]])
    params = coins.Params([0.5, 0.5], [1.0, 0.0])
    expected = np.log(0.5) + stats.binom.logpmf(x[:, :1], x.sum(axis=1, keepdims=True), params.p)
    np.testing.assert_array_equal(coins.log_joint(x, params), expected)


def test_poisson_log_joint_is_poisson_logpmf_plus_log_weight():
    x = np.random.default_rng(1).poisson(7.0, size=50)
    params = poisson.Params([0.1, 0.6, 0.3], [0.5, 6.0, 40.0])
    expected = np.log(params.weights) + stats.poisson.logpmf(x[:, None], params.rates[None, :])
    np.testing.assert_allclose(poisson.log_joint(x, params), expected, rtol=1e-12)


@pytest.mark.parametrize("d", [1, 2, 5])
def test_gaussian_log_joint_is_multivariate_normal_logpdf_plus_log_weight(d):
    rng = np.random.default_rng(d)
    k = 3
    a = rng.normal(size=(k, d, d))
    covariances = a @ a.transpose(0, 2, 1) + 0.1 * np.eye(d)
    params = gaussian.Params([0.2, 0.3, 0.5], rng.normal(size=(k, d)) * 3, covariances)
    x = rng.normal(size=(60, d)) * 4
    expected = np.column_stack([
        np.log(params.weights[j]) + stats.multivariate_normal.logpdf(x, params.means[j], covariances[j])
        for j in range(k)])
    np.testing.assert_allclose(gaussian.log_joint(x, params), expected, rtol=1e-10)


def test_log_likelihood_is_logsumexp_of_scipy_log_joint():
    x = np.random.default_rng(2).poisson(4.0, size=30)
    params = poisson.Params([0.4, 0.6], [2.0, 6.0])
    expected = logsumexp(np.log(params.weights) + stats.poisson.logpmf(x[:, None], params.rates), axis=1)
    np.testing.assert_allclose(emlab.log_likelihood(poisson, x, params), expected.sum(), rtol=1e-12)
    resp, log_px = emlab.e_step(poisson, x, params)
    np.testing.assert_allclose(log_px, expected, rtol=1e-12)


# ---------------------------------------------------------------- Gaussian EM vs scikit-learn

def overlapping_2d(seed=0):
    truth = gaussian.Params([0.5, 0.3, 0.2], [[0, 0], [1.5, 0.5], [0.5, 2.0]],
                            [np.eye(2), [[1, 0.5], [0.5, 1]], [[0.5, 0], [0, 2]]])
    return gaussian.sample(truth, 300, np.random.default_rng(seed))[0]


def overlapping_5d(seed=1):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(2, 5, 5)) * 0.5
    truth = gaussian.Params([0.6, 0.4], rng.normal(size=(2, 5)), a @ a.transpose(0, 2, 1) + 0.5 * np.eye(5))
    return gaussian.sample(truth, 400, rng)[0]


def start(x, k, seed):
    """Means at k random points, each covariance a random SPD matrix near the data's."""
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    a = rng.normal(size=(k, d, d)) * 0.3
    covariances = np.cov(x, rowvar=False) + a @ a.transpose(0, 2, 1)
    weights = rng.dirichlet(np.full(k, 5.0))
    return gaussian.Params(weights, x[rng.choice(len(x), k, replace=False)], covariances)


def sklearn_fit(x, init, reg_covar, max_iter=50):
    gm = GaussianMixture(init.k, covariance_type="full", weights_init=init.weights,
                         means_init=init.means, precisions_init=np.linalg.inv(init.covariances),
                         reg_covar=reg_covar, tol=0, max_iter=max_iter, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # sklearn's ConvergenceWarning for tol=0
        gm.fit(x)
    assert gm.n_iter_ == max_iter
    return gm


@pytest.mark.parametrize("data, k", [(overlapping_2d, 3), (overlapping_5d, 2)], ids=["d2", "d5"])
@pytest.mark.parametrize("reg_covar", [0.0, 1e-2])
def test_gaussian_em_matches_scikit_learn(data, k, reg_covar):
    x = data()
    init = start(x, k, seed=3)
    history = emlab.run_em(gaussian, x, init, max_iter=50, tol=0, reg_covar=reg_covar)
    assert history.n_iter == 50 and len(history.params) == 51
    gm = sklearn_fit(x, init, reg_covar)
    ours = history.params[-1]
    np.testing.assert_allclose(ours.weights, gm.weights_, rtol=1e-8)
    np.testing.assert_allclose(ours.means, gm.means_, rtol=1e-8, atol=1e-8 * np.abs(gm.means_).max())
    np.testing.assert_allclose(ours.covariances, gm.covariances_, rtol=1e-8,
                               atol=1e-8 * np.abs(gm.covariances_).max())
    # sklearn's lower_bound_ is the mean log-likelihood at the E-step before the last M-step
    np.testing.assert_allclose(history.log_likelihood[-2] / len(x), gm.lower_bound_, rtol=1e-10)


def test_scikit_learn_reference_is_sensitive_to_one_iteration():
    """The comparison above can fail: 49 and 50 iterations differ far beyond 1e-8."""
    x = overlapping_2d()
    init = start(x, 3, seed=3)
    history = emlab.run_em(gaussian, x, init, max_iter=49, tol=0)
    gm = sklearn_fit(x, init, 0.0)
    assert np.max(np.abs(history.params[-1].means - gm.means_)) > 1e-6


# ---------------------------------------------------------------- Poisson EM vs direct maximisation

def test_poisson_em_reaches_the_numerical_maximum_likelihood():
    rng = np.random.default_rng(4)
    x, _ = poisson.sample(poisson.Params([0.3, 0.45, 0.25], [1.5, 7.0, 18.0]), 600, rng)

    def unpack(theta):                     # weights via softmax of (0, a_1, a_2), rates via log
        return np.exp(log_softmax(np.r_[0.0, theta[:2]])), np.exp(theta[2:])

    def negative_mean_log_likelihood(theta):
        weights, rates = unpack(theta)
        log_joint = np.log(weights) + stats.poisson.logpmf(x[:, None], rates)
        return -logsumexp(log_joint, axis=1).mean()

    theta0 = np.r_[0.0, 0.0, np.log([1.0, 5.0, 12.0])]
    first = optimize.minimize(negative_mean_log_likelihood, theta0, method="Nelder-Mead",
                              options=dict(xatol=1e-10, fatol=1e-14, maxiter=20_000, maxfev=40_000))
    best = optimize.minimize(negative_mean_log_likelihood, first.x, method="BFGS",
                             options=dict(gtol=1e-10))
    weights, rates = unpack(best.x)

    init = poisson.Params([1 / 3] * 3, [1.0, 5.0, 12.0])
    history = emlab.run_em(poisson, x, init, max_iter=5000, tol=1e-14)
    assert history.converged
    found = history.params[-1]
    np.testing.assert_allclose(found.rates, rates, rtol=1e-5)
    np.testing.assert_allclose(found.weights, weights, rtol=1e-5)
    assert history.log_likelihood[-1] / len(x) >= -best.fun - 1e-12


# ---------------------------------------------------------------- coins: Do & Batzoglou (2008)



@pytest.mark.parametrize("iteration, theta_a, theta_b", [(1, 0.71, 0.58), (10, 0.80, 0.52)])
def test_coins_reproduce_do_and_batzoglou(iteration, theta_a, theta_b):
    init = coins.Params([0.5, 0.5], [0.6, 0.5])
    history = emlab.run_em(coins, DO_BATZOGLOU, init, max_iter=10, tol=0, learn_weights=False)
    params = history.params[iteration]
    assert np.round(params.p, 2).tolist() == [theta_a, theta_b]
    np.testing.assert_array_equal(params.weights, [0.5, 0.5])


def test_coins_complete_data_mle_when_the_coins_are_known():
    """Coins B, A, A, B, A: theta_A = 24 / 30 = 0.80, theta_B = 9 / 20 = 0.45 (Do & Batzoglou, Fig. 1a)."""
    coin = np.array([1, 0, 0, 1, 0])
    params = coins.m_step(DO_BATZOGLOU, np.eye(2)[coin])
    np.testing.assert_allclose(params.p, [24 / 30, 9 / 20], rtol=1e-14)
    np.testing.assert_allclose(params.weights, [3 / 5, 2 / 5], rtol=1e-14)
