"""MAP M-step for the Gaussian mixture with an inverse-Wishart prior on each covariance.

    Sigma_j ~ IW(psi, nu)  =>  Sigma_j = (psi + S_j) / (N_j + nu + d + 1)

(flat prior on the means, so mu_j is the ML mean).  Checked against the closed form
computed here, against a numerical maximisation with scipy.optimize of the expected
complete log-likelihood plus ``scipy.stats.invwishart.logpdf``, and along ``run_em``:
the log-posterior never decreases and a collapsing start no longer collapses.
"""
import warnings

import numpy as np
import pytest
from scipy import optimize, stats

import emlab
from emlab import gaussian


def data(seed=0, n=60, d=2):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + rng.choice([-2.0, 2.0], size=(n, 1))
    resp = rng.dirichlet(np.ones(3), size=n)
    return x, resp


def closed_form(x, resp, psi, nu):
    """Bishop eqs. 9.24-9.27 with the MAP covariance, written out with einsum."""
    d = x.shape[1]
    nk = resp.sum(axis=0)
    means = np.einsum("ik,id->kd", resp, x) / nk[:, None]
    diff = x[:, None, :] - means[None]                                    # (n, k, d)
    scatter = np.einsum("ik,ika,ikb->kab", resp, diff, diff)
    return nk / len(x), means, (psi + scatter) / (nk + nu + d + 1)[:, None, None]


@pytest.mark.parametrize("d", [1, 2, 4])
def test_map_m_step_is_the_closed_form(d):
    x, resp = data(seed=d, d=d)
    psi = np.diag(np.linspace(0.5, 2.0, d)) + 0.1
    nu = d + 1.5
    weights, means, covariances = closed_form(x, resp, psi, nu)
    params = gaussian.m_step(x, resp, covariance_prior=(psi, nu))
    np.testing.assert_allclose(params.weights, weights, rtol=1e-12)
    np.testing.assert_allclose(params.means, means, rtol=1e-12)
    np.testing.assert_allclose(params.covariances, covariances, rtol=1e-12)
    # with a floor on top
    floored = gaussian.m_step(x, resp, covariance_prior=(psi, nu), reg_covar=0.25)
    np.testing.assert_allclose(floored.covariances, covariances + 0.25 * np.eye(d), rtol=1e-12)
    # and differs from maximum likelihood
    assert not np.allclose(gaussian.m_step(x, resp).covariances, covariances, rtol=1e-3)


def test_run_em_applies_the_prior_through_the_fast_engine():
    x, _ = data(seed=5, n=200)
    start = gaussian.init_random(x, 3, np.random.default_rng(5))
    psi, nu = 0.3 * np.eye(2), 4.0
    history = emlab.run_em(gaussian, x, start, max_iter=5, tol=0, covariance_prior=(psi, nu))
    for t in range(1, 6):
        _, means, covariances = closed_form(x, history.resp[t - 1], psi, nu)
        np.testing.assert_allclose(history.params[t].means, means, rtol=1e-10)
        np.testing.assert_allclose(history.params[t].covariances, covariances, rtol=1e-10)


@pytest.mark.parametrize("d", [1, 2])
def test_map_m_step_maximises_the_expected_log_posterior(d):
    """sum_i r_ij log N(x_i | mu, Sigma) + log IW(Sigma | psi, nu), maximised by scipy.optimize."""
    x, resp = data(seed=10 + d, n=12, d=d)                  # few points: the prior matters
    psi, nu = 0.8 * np.eye(d) + 0.2, d + 0.5
    params = gaussian.m_step(x, resp, covariance_prior=(psi, nu))
    lower = np.tril_indices(d)

    def unpack(theta):                    # mean, and Sigma = L L^T with log-diagonal L
        mean, entries = theta[:d], theta[d:].copy()
        chol = np.zeros((d, d))
        chol[lower] = entries
        chol[np.diag_indices(d)] = np.exp(np.diag(chol))
        return mean, chol @ chol.T

    for j in range(resp.shape[1]):
        r = resp[:, j]

        def negative_log_posterior(theta):
            mean, cov = unpack(theta)
            log_prior = stats.invwishart.logpdf(cov if d > 1 else cov[0, 0], df=nu,
                                                scale=psi if d > 1 else psi[0, 0])
            return -(r @ stats.multivariate_normal.logpdf(x, mean, cov).reshape(-1) + log_prior)

        theta0 = np.zeros(d + len(lower[0]))
        best = optimize.minimize(negative_log_posterior, theta0, method="BFGS", options=dict(gtol=1e-10))
        best = optimize.minimize(negative_log_posterior, best.x, method="Nelder-Mead",
                                 options=dict(xatol=1e-11, fatol=1e-13, maxiter=20_000, maxfev=20_000))
        mean, cov = unpack(best.x)
        np.testing.assert_allclose(params.means[j], mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(params.covariances[j], cov, rtol=1e-5, atol=1e-6 * np.abs(cov).max())


def log_posterior(x, params, psi, nu):
    """log p(x | theta) + sum_j log IW(Sigma_j | psi, nu), from scipy."""
    log_prior = sum(stats.invwishart.logpdf(c, df=nu, scale=psi) for c in params.covariances)
    return emlab.log_likelihood(gaussian, x, params) + log_prior


def test_log_posterior_never_decreases_along_run_em():
    x, _ = data(seed=20, n=150)
    start = gaussian.init_random(x, 3, np.random.default_rng(20))
    psi, nu = 0.5 * np.eye(2), 5.0
    history = emlab.run_em(gaussian, x, start, max_iter=60, tol=0, covariance_prior=(psi, nu))
    objective = np.array([log_posterior(x, theta, psi, nu) for theta in history.params])
    assert np.all(np.diff(objective) >= -1e-9 * np.abs(objective[:-1]))
    assert objective[-1] > objective[0]
    # it is the log-posterior that EM climbs, not the log-likelihood: that one is only recorded
    np.testing.assert_allclose(history.log_likelihood,
                               [emlab.log_likelihood(gaussian, x, theta) for theta in history.params])


def collapsing_start():
    """The 1-D start of tests/test_collapse.py: a component on a lone outlier."""
    x = np.concatenate([np.random.default_rng(0).normal(0, 1, 30), [5.0]])[:, None]
    return x, gaussian.Params([0.9, 0.1], [[0.0], [5.0]], [[[1.0]], [[2.0]]])


def test_the_prior_prevents_the_collapse():
    x, start = collapsing_start()
    with pytest.raises(emlab.CollapseError):
        emlab.run_em(gaussian, x, start, max_iter=200, tol=0)
    psi, nu = np.array([[0.1]]), 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = emlab.run_em(gaussian, x, start, max_iter=500, tol=1e-12, covariance_prior=(psi, nu))
    assert history.converged
    d = 1
    for theta in history.params[1:]:        # Sigma_j >= psi / (N_j + nu + d + 1) > 0
        nk = theta.weights * len(x)
        assert np.all(theta.covariances[:, 0, 0] >= psi[0, 0] / (nk + nu + d + 1) * (1 - 1e-12))
    objective = [log_posterior(x, theta, psi, nu) for theta in history.params]
    assert np.all(np.diff(objective) >= -1e-9 * np.abs(objective[-1]))


def test_the_prior_prevents_the_2d_collapse():
    x = np.vstack([np.random.default_rng(1).normal(size=(40, 2)), [[4.0, 4.0]]])
    start = gaussian.Params([0.9, 0.1], [[0.0, 0.0], [4.0, 4.0]], [np.eye(2), 3.0 * np.eye(2)])
    with pytest.raises(emlab.CollapseError):
        emlab.run_em(gaussian, x, start, max_iter=200, tol=0)
    history = emlab.run_em(gaussian, x, start, max_iter=300, tol=1e-10, covariance_prior=(0.1 * np.eye(2), 4.0))
    assert history.converged
    assert np.all(np.linalg.eigvalsh(history.params[-1].covariances) > 0.1 / (len(x) + 4.0 + 3))
