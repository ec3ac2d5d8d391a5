"""Hard numbers: points far from every component, data at scale 1e6, duplicated points.

Everything must stay finite with no RuntimeWarning (pyproject turns them into errors;
``no_warnings`` below also does it for any warning class, independently of the config).
A duplicated-points run may end in a legitimate CollapseError; its History must be finite.
"""
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp

import emlab
from emlab import coins, gaussian, poisson


@contextmanager
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def assert_finite_history(history):
    assert np.all(np.isfinite(history.log_likelihood))
    for theta in history.params:
        for value in vars(theta).values():
            assert np.all(np.isfinite(value))
    for resp in history.resp:
        if resp is not None:
            assert np.all(np.isfinite(resp))
            np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-12)


def run_or_collapse(model, x, params, **options):
    """The History of run_em, or of its CollapseError (also a legitimate end)."""
    with no_warnings():
        try:
            return emlab.run_em(model, x, params, max_iter=50, tol=0, **options)
        except emlab.CollapseError as exc:
            return exc.history


def scipy_log_joint(x, params):
    """log pi_j + log N(x_i | mu_j, Sigma_j) from scipy.stats: (n, k)."""
    return np.column_stack([np.log(params.weights[j])
                            + stats.multivariate_normal.logpdf(x, params.means[j], params.covariances[j])
                            for j in range(params.k)])


TWO_BLOBS = gaussian.Params([0.5, 0.5], [[-1.0, 0.0], [1.0, 0.0]], [np.eye(2), [[1.0, 0.3], [0.3, 0.5]]])


@pytest.mark.parametrize("distance", [1e3, 1e5, 1e7])
def test_gaussian_points_far_from_every_component(distance):
    x = np.array([[distance, 0.0], [0.0, -distance], [distance, distance], [0.5, 0.5]])
    with no_warnings():
        resp, log_px = emlab.e_step(gaussian, x, TWO_BLOBS)
    assert np.all(np.isfinite(resp)) and np.all(np.isfinite(log_px))
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-12)
    log_joint = scipy_log_joint(x, TWO_BLOBS)
    np.testing.assert_allclose(log_px, logsumexp(log_joint, axis=1), rtol=1e-10)
    # responsibilities of far points rest on differences of huge log densities, which are
    # themselves only known to about eps * |log p|
    expected = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))
    np.testing.assert_allclose(resp, expected, atol=1e-13 * np.abs(log_joint).max())


def test_gaussian_em_with_outliers_thousands_of_sds_away():
    rng = np.random.default_rng(0)
    x = np.vstack([gaussian.sample(TWO_BLOBS, 200, rng)[0], [[5e3, 0.0], [0.0, -8e3]]])
    assert_finite_history(run_or_collapse(gaussian, x, TWO_BLOBS))
    history = run_or_collapse(gaussian, x, TWO_BLOBS, reg_covar=1e-3)
    assert history.n_iter == 50
    assert_finite_history(history)


@pytest.mark.parametrize("scale, offset", [(1.0, 1e6), (1e6, 0.0), (1e6, 1e6), (1e-6, 0.0)],
                         ids=["offset 1e6", "times 1e6", "times and offset 1e6", "times 1e-6"])
def test_gaussian_em_is_unchanged_by_the_units_of_the_data(scale, offset):
    """EM commutes with x -> a x + b: the fit at scale 1e6 is the unit-scale fit, transformed."""
    rng = np.random.default_rng(1)
    x = gaussian.sample(TWO_BLOBS, 300, rng)[0]
    moved = gaussian.Params(TWO_BLOBS.weights, TWO_BLOBS.means * scale + offset,
                            TWO_BLOBS.covariances * scale ** 2)
    with no_warnings():
        unit = emlab.run_em(gaussian, x, TWO_BLOBS, max_iter=30, tol=0)
        scaled = emlab.run_em(gaussian, x * scale + offset, moved, max_iter=30, tol=0)
    assert_finite_history(scaled)
    found, expected = scaled.params[-1], unit.params[-1]
    # the data themselves carry a relative rounding error of eps * offset / (scale * spread)
    rtol = 1e-12 + 10 * np.finfo(float).eps * offset / scale
    np.testing.assert_allclose(found.weights, expected.weights, rtol=rtol)
    np.testing.assert_allclose((found.means - offset) / scale, expected.means, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(found.covariances / scale ** 2, expected.covariances, rtol=rtol, atol=rtol)
    # log-likelihood shifts by -n d log(scale) (the Jacobian)
    np.testing.assert_allclose(scaled.log_likelihood, unit.log_likelihood - x.size * np.log(scale),
                               rtol=rtol, atol=rtol * abs(unit.log_likelihood).max())


def test_gaussian_duplicated_points():
    rng = np.random.default_rng(2)
    x = np.repeat(gaussian.sample(TWO_BLOBS, 6, rng)[0], 50, axis=0)
    assert_finite_history(run_or_collapse(gaussian, x, TWO_BLOBS))
    same = np.repeat([[1.0, 2.0]], 30, axis=0)               # every point the same
    with no_warnings(), pytest.raises(emlab.CollapseError) as info:
        emlab.run_em(gaussian, same, TWO_BLOBS)
    assert_finite_history(info.value.history)
    history = run_or_collapse(gaussian, np.repeat(x[:2], 40, axis=0), TWO_BLOBS, reg_covar=1e-6)
    assert history.n_iter == 50
    assert_finite_history(history)


def test_poisson_counts_far_from_every_rate_and_at_scale_1e6():
    params = poisson.Params([0.5, 0.5], [1.0, 5.0])
    far = np.array([0, 3, 10 ** 6, 10 ** 7])
    with no_warnings():
        resp, log_px = emlab.e_step(poisson, far, params)
    assert np.all(np.isfinite(resp)) and np.all(np.isfinite(log_px))
    np.testing.assert_allclose(
        log_px, logsumexp(np.log(0.5) + stats.poisson.logpmf(far[:, None], params.rates), axis=1), rtol=1e-10)
    rng = np.random.default_rng(3)
    big = np.concatenate([rng.poisson(1e6, 200), rng.poisson(1.01e6, 100)])
    history = run_or_collapse(poisson, big, poisson.Params([0.5, 0.5], [0.99e6, 1.02e6]))
    assert history.n_iter == 50
    assert_finite_history(history)
    assert_finite_history(run_or_collapse(poisson, np.append(rng.poisson(3, 100), 10 ** 6), params))


def test_poisson_duplicated_points():
    history = run_or_collapse(poisson, np.repeat([2, 9], [300, 100]), poisson.Params([0.5, 0.5], [1.0, 5.0]))
    assert_finite_history(history)
    assert np.all(np.diff(history.log_likelihood) >= -1e-9 * abs(history.log_likelihood[-1]))


def test_coins_with_a_million_tosses_and_far_trials():
    params = coins.Params([0.5, 0.5], [0.3, 0.31])
    rng = np.random.default_rng(4)
    heads = np.concatenate([rng.binomial(10 ** 6, 0.3, 30), rng.binomial(10 ** 6, 0.31, 30)])
    x = np.column_stack([heads, 10 ** 6 - heads])
    history = run_or_collapse(coins, x, params)
    assert history.n_iter == 50
    assert_finite_history(history)
    far = np.array([[10 ** 6, 0], [0, 10 ** 6], [5, 5]])      # nothing like either coin
    with no_warnings():
        resp, log_px = emlab.e_step(coins, far, params)
    assert np.all(np.isfinite(resp)) and np.all(np.isfinite(log_px))
    assert_finite_history(run_or_collapse(coins, far, coins.Params([0.5, 0.5], [0.49, 0.51])))
    assert_finite_history(run_or_collapse(coins, np.repeat([[5, 5]], 100, axis=0), params))
