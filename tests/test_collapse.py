"""A Gaussian component collapsing onto one data point (Bishop sec. 9.2.1, Fig. 9.7).

``N(x_n | x_n, sigma^2 I) = (2 pi sigma^2)^(-d/2)`` grows without bound as sigma -> 0, so
maximum-likelihood EM can run into a singular covariance.  ``run_em`` must stop with
``emlab.CollapseError`` (a ValueError) naming the component and the iteration and carrying
the finite History up to the last valid parameters; a covariance floor (``reg_covar``)
makes the same run complete.
"""
import re
import warnings

import numpy as np
import pytest
from scipy import stats

import emlab
from emlab import gaussian

OUTLIER_1D = 5.0
OUTLIER_2D = [4.0, 4.0]


def one_d_case():
    """30 standard-normal points and one outlier; component 1 starts on the outlier."""
    x = np.concatenate([np.random.default_rng(0).normal(0, 1, 30), [OUTLIER_1D]])[:, None]
    return x, gaussian.Params([0.9, 0.1], [[0.0], [OUTLIER_1D]], [[[1.0]], [[2.0]]])


def two_d_case():
    x = np.vstack([np.random.default_rng(1).normal(size=(40, 2)), [OUTLIER_2D]])
    return x, gaussian.Params([0.9, 0.1], [[0.0, 0.0], OUTLIER_2D], [np.eye(2), 3.0 * np.eye(2)])


def collapse(x, params, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(emlab.CollapseError) as info:
            emlab.run_em(gaussian, x, params, max_iter=200, tol=0, **options)
    return info.value


@pytest.mark.parametrize("case", [one_d_case, two_d_case], ids=["1-D", "2-D"])
def test_collapse_raises_a_collapse_error(case):
    x, params = case()
    exc = collapse(x, params)
    assert isinstance(exc, ValueError)
    assert exc.component == 1
    assert exc.iteration >= 2                 # the start was fine, and so was M-step 1
    message = str(exc)
    assert re.search(rf"\bcomponent {exc.component}\b", message), message
    assert re.search(rf"\biteration {exc.iteration}\b", message), message


@pytest.mark.parametrize("case", [one_d_case, two_d_case], ids=["1-D", "2-D"])
def test_collapse_carries_the_finite_history_up_to_it(case):
    x, params = case()
    exc = collapse(x, params)
    history = exc.history
    assert isinstance(history, emlab.History)
    # the M-steps before the failing one: params[0..iteration-1]
    assert history.n_iter == exc.iteration - 1 and len(history.params) == exc.iteration
    assert len(history.log_likelihood) == len(history.params) == len(history.resp)
    assert not history.converged
    np.testing.assert_array_equal(history.x, x)
    for theta in history.params:
        for value in (theta.weights, theta.means, theta.covariances):
            assert np.all(np.isfinite(value))
    assert np.all(np.isfinite(history.log_likelihood))
    assert np.all(np.diff(history.log_likelihood) > 0)          # rising towards the collapse
    # each recorded value is the log-likelihood of its parameters (scipy as the reference)
    for theta, value in zip(history.params, history.log_likelihood):
        density = sum(w * stats.multivariate_normal.pdf(x, m, c)
                      for w, m, c in zip(theta.weights, theta.means, theta.covariances))
        np.testing.assert_allclose(value, np.sum(np.log(density)), rtol=1e-10)
    # the collapsing component's variance is shrinking onto the outlier
    variances = [np.linalg.det(theta.covariances[exc.component]) for theta in history.params]
    assert np.all(np.diff(variances) < 0)
    assert np.allclose(history.params[-1].means[exc.component], x[-1], atol=1e-3)


@pytest.mark.parametrize("case", [one_d_case, two_d_case], ids=["1-D", "2-D"])
def test_the_step_that_failed_is_singular(case):
    """Independently of emlab's threshold: the next textbook covariance is numerically singular."""
    x, params = case()
    exc = collapse(x, params)
    resp = exc.history.resp[-1]
    r = resp[:, exc.component]
    mean = r @ x / r.sum()
    cov = (r[:, None] * (x - mean)).T @ (x - mean) / r.sum()
    eig = np.linalg.eigvalsh(cov)
    assert eig[0] <= 1e-12 * np.abs(x).max() ** 2


@pytest.mark.parametrize("case", [one_d_case, two_d_case], ids=["1-D", "2-D"])
def test_reg_covar_prevents_the_collapse(case):
    x, params = case()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = emlab.run_em(gaussian, x, params, max_iter=200, tol=1e-10, reg_covar=1e-2)
    assert history.converged
    final = history.params[-1]
    assert np.all(np.linalg.eigvalsh(final.covariances) >= 1e-2 * (1 - 1e-12))
    assert np.all(np.isfinite(history.log_likelihood))


def test_collapse_error_outside_run_em_has_no_history():
    x, params = one_d_case()
    owner = np.r_[np.zeros(len(x) - 1, dtype=int), 1]      # component 1 owns only the outlier
    resp = np.eye(2)[owner]
    with pytest.raises(emlab.CollapseError) as info:
        gaussian.m_step(x, resp)
    assert info.value.component == 1
    assert info.value.iteration is None and info.value.history is None
    assert "component 1" in str(info.value)
