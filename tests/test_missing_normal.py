"""emlab.missing_normal against independent references: scipy's normal densities for the
observed-data log-likelihood, the bivariate conditional normal written out, a direct
maximisation of the observed-data likelihood by scipy.optimize, and the closed-form MLE for
one variable missing (Anderson 1957)."""
import warnings

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.stats import multivariate_normal, norm

import emlab
from emlab import missing_normal as mn
from emlab.errors import CollapseError

TRUTH = mn.Params([1.0, -0.5], [[1.0, 0.6], [0.6, 2.0]])


def mar_data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return mn.drop_at_random(mn.sample(TRUTH, n, rng), rng, intercept=-0.5, slope=1.5)


def patterned_data(n=200, d=3, seed=1):
    """d = 3, values missing in every pattern (some rows with nothing observed)."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(d, d))
    x = rng.multivariate_normal(np.arange(d, dtype=float), a @ a.T + np.eye(d), size=n)
    x[rng.random((n, d)) < 0.3] = np.nan
    x[0] = np.nan
    x[1, :] = [0.5, np.nan, 1.0]
    return x


def ell_reference(x, mean, cov):
    """sum_i log N(x_{i,o} | mu_o, Sigma_oo), by scipy, the rows of each pattern together."""
    total = 0.0
    seen = ~np.isnan(x)
    for o in {tuple(row) for row in seen}:
        o = np.array(o)
        rows = x[np.all(seen == o, axis=1)][:, o]
        if o.any():
            total += np.sum(multivariate_normal(mean[o], cov[np.ix_(o, o)]).logpdf(rows))
    return float(total)


def run(x, params, steps):
    ell = []
    for _ in range(steps):
        stats, value = mn.expected_stats(x, params)
        ell.append(value)
        params = mn.m_step(x, stats)
    return params, np.array(ell)


def direct_mle(x, start):
    """Maximise ell over (mu, L), Sigma = L L^T, L lower triangular with log-diagonal."""
    d = x.shape[1]
    rows, cols = np.tril_indices(d)

    def unpack(v):
        lower = np.zeros((d, d))
        lower[rows, cols] = v[d:]
        lower[np.diag_indices(d)] = np.exp(np.diag(lower))
        return v[:d], lower @ lower.T
    lower = np.linalg.cholesky(start.covariance)
    lower[np.diag_indices(d)] = np.log(np.diag(lower))
    v0 = np.concatenate([start.mean, lower[rows, cols]])
    result = minimize(lambda v: -ell_reference(x, *unpack(v)), v0, method="BFGS",
                      options={"gtol": 1e-8, "maxiter": 2000})
    return unpack(result.x), -result.fun


def test_log_likelihood_matches_scipy_for_every_pattern():
    x = patterned_data()
    params = mn.Params([0.2, 0.9, 2.2], [[2.0, 0.3, -0.4], [0.3, 1.5, 0.2], [-0.4, 0.2, 1.0]])
    assert mn.log_likelihood(x, params) == pytest.approx(ell_reference(x, params.mean, params.covariance),
                                                         rel=1e-12)
    complete = mn.sample(TRUTH, 50, 3)
    assert mn.log_likelihood(complete, TRUTH) == pytest.approx(
        multivariate_normal(TRUTH.mean, TRUTH.covariance).logpdf(complete).sum(), rel=1e-12)


def test_e_step_is_the_conditional_normal():
    x = mar_data()
    params = mn.Params([0.3, 0.1], [[1.5, -0.4], [-0.4, 0.8]])
    stats, _ = mn.expected_stats(x, params)
    (m1, m2), ((s11, s12), (_, s22)) = params.mean, params.covariance
    missing = np.isnan(x[:, 1])
    e_x2 = np.where(missing, m2 + s12 / s11 * (x[:, 0] - m1), x[:, 1])
    e_x2_sq = np.where(missing, e_x2 ** 2 + s22 - s12 ** 2 / s11, x[:, 1] ** 2)
    assert np.allclose(stats.filled[:, 1], e_x2, rtol=1e-13)
    assert np.array_equal(stats.filled[:, 0], x[:, 0])
    want = np.array([[x[:, 0] @ x[:, 0], x[:, 0] @ e_x2], [x[:, 0] @ e_x2, e_x2_sq.sum()]])
    assert np.allclose(stats.outer, want, rtol=1e-12)


def test_e_step_by_monte_carlo_in_three_dimensions():
    """E[x_m | x_o] and E[x_m x_m^T | x_o] of one row with two values missing, by drawing."""
    params = mn.Params([0.0, 1.0, -1.0], [[1.0, 0.5, 0.2], [0.5, 2.0, -0.3], [0.2, -0.3, 1.5]])
    full = np.array([0.3, -0.2, 0.9])                           # a complete row: every variable seen
    stats, _ = mn.expected_stats(np.array([[np.nan, 0.7, np.nan], full]), params)
    draws = mn.sample(params, 2_000_000, np.random.default_rng(0))
    near = draws[np.abs(draws[:, 1] - 0.7) < 0.01]
    assert np.allclose(stats.filled[0], near.mean(axis=0) * [1, 0, 1] + [0, 0.7, 0], atol=0.02)
    assert np.array_equal(stats.filled[1], full)
    assert np.allclose(stats.outer - np.outer(full, full), near.T @ near / len(near), atol=0.05)


def test_em_meets_the_closed_form_and_the_direct_maximum():
    x = mar_data()
    fitted, ell = run(x, mn.start(x), 300)
    assert np.all(np.diff(ell) >= -1e-10)
    closed = mn.factored_mle(x)
    assert np.allclose(fitted.mean, closed.mean, atol=1e-9)
    assert np.allclose(fitted.covariance, closed.covariance, atol=1e-9)
    (mean, cov), best = direct_mle(x, mn.start(x))
    assert np.allclose(fitted.mean, mean, atol=1e-5) and np.allclose(fitted.covariance, cov, atol=1e-5)
    assert mn.log_likelihood(x, fitted) >= best - 1e-8


@pytest.mark.parametrize("d", [2, 3, 62, 63])
def test_patterns_are_the_distinct_rows_of_observed_in_numpys_order(d):
    rng = np.random.default_rng(d)
    x = rng.normal(size=(300, d))
    x[rng.random(x.shape) < 0.4] = np.nan
    x[np.isnan(x).all(axis=1), 0] = 1.0                   # no row wholly missing
    kinds, inverse = np.unique(~np.isnan(x), axis=0, return_inverse=True)
    found = mn.patterns(x)
    assert len(found) == len(kinds) > 1
    for p, (observed, rows) in enumerate(found):
        np.testing.assert_array_equal(observed, kinds[p])
        np.testing.assert_array_equal(rows, np.flatnonzero(inverse.ravel() == p))


def test_em_meets_the_direct_maximum_with_many_patterns():
    x = patterned_data()
    fitted, ell = run(x, mn.start(x), 500)
    assert np.all(np.diff(ell) >= -1e-10)
    (mean, cov), best = direct_mle(x, mn.start(x))
    assert mn.log_likelihood(x, fitted) == pytest.approx(best, abs=1e-7)
    assert np.allclose(fitted.mean, mean, atol=1e-4) and np.allclose(fitted.covariance, cov, atol=1e-4)


def test_complete_data_take_one_step():
    x = mn.sample(TRUTH, 40, 5)
    fitted, _ = run(x, mn.Params([0, 0], np.eye(2)), 1)
    assert np.allclose(fitted.mean, x.mean(axis=0))
    assert np.allclose(fitted.covariance, np.cov(x, rowvar=False, bias=True))


def test_run_em_drives_the_model():
    x = mar_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = emlab.run_em(mn, x, mn.start(x), tol=1e-12, max_iter=1000)
    closed = mn.factored_mle(x)
    assert history.converged
    assert np.allclose(history.params[-1].mean, closed.mean, atol=1e-5)
    assert np.allclose(history.params[-1].covariance, closed.covariance, atol=1e-5)
    assert np.all(np.diff(history.log_likelihood) >= -1e-10)


def test_drop_at_random_depends_on_x1_only():
    rng = np.random.default_rng(2)
    x = mn.sample(TRUTH, 200_000, rng)
    dropped = mn.drop_at_random(x, rng, intercept=-0.5, slope=1.5)
    assert not np.isnan(dropped[:, 0]).any() and np.array_equal(dropped[:, 0], x[:, 0])
    kept = ~np.isnan(dropped[:, 1])
    assert np.array_equal(dropped[kept, 1], x[kept, 1])
    for lo, hi in [(-1, 0), (0, 1), (1, 2), (2, 3)]:
        band = (x[:, 0] >= lo) & (x[:, 0] < hi)
        want = mn.missing_probability(x[band, 0], -0.5, 1.5).mean()
        assert np.isnan(dropped[band, 1]).mean() == pytest.approx(want, abs=0.01)
    assert not np.isnan(x).any()                     # the input is left complete


def test_the_start_is_observed_means_and_variances_and_its_e_step_fills_in_the_mean():
    x = mar_data()
    start = mn.start(x)
    assert np.allclose(start.mean, np.nanmean(x, axis=0))
    assert np.allclose(start.covariance, np.diag(np.nanvar(x, axis=0)))
    stats, _ = mn.expected_stats(x, start)
    assert np.allclose(stats.filled[np.isnan(x[:, 1]), 1], np.nanmean(x[:, 1]))
    one = mn.start([[1.0, np.nan], [2.0, 3.0]])                     # one value seen: variance 1
    assert np.allclose(one.covariance, [[0.25, 0.0], [0.0, 1.0]])


@pytest.mark.parametrize("x, error, match", [
    ([1.0, 2.0], ValueError, "2-D"),
    ([[1.0, np.inf]], ValueError, "inf"),
    (np.empty((0, 2)), ValueError, "at least one row"),
    ([[1.0, np.nan], [2.0, np.nan]], ValueError, r"x\[:, 1\] is missing in every row"),
    ("abc", TypeError, "array of numbers"),
    ([[True, False]], TypeError, "bool"),
])
def test_check_x_rejects_bad_data(x, error, match):
    with pytest.raises(error, match=match):
        mn.check_x(x)


@pytest.mark.parametrize("mean, cov, match", [
    ([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]], "positive definite"),
    ([0.0, 0.0], [[1.0, 0.5], [0.4, 1.0]], "symmetric"),
    ([0.0, 0.0], [[1.0, 0.0, 0.0]], "shape"),
    ([], np.empty((0, 0)), "at least one"),
    ([0.0, np.nan], np.eye(2), "finite"),
])
def test_params_rejects_bad_values(mean, cov, match):
    with pytest.raises(ValueError, match=match):
        mn.Params(mean, cov)


def test_mismatched_and_mutated_inputs():
    x = mar_data(50)
    with pytest.raises(ValueError, match="d = 3"):
        mn.expected_stats(x, mn.Params(np.zeros(3), np.eye(3)))
    with pytest.raises(TypeError, match="Params"):
        mn.expected_stats(x, (np.zeros(2), np.eye(2)))
    stats, _ = mn.expected_stats(x, TRUTH)
    with pytest.raises(ValueError, match="observed values"):
        mn.m_step(np.nan_to_num(x, nan=0.0) + 1.0, stats)
    with pytest.raises(TypeError, match="Stats"):
        mn.m_step(x, (stats.filled, stats.outer))
    with pytest.raises(ValueError, match="read-only"):
        TRUTH.mean[0] = 5.0
    before = x.copy()
    mn.m_step(x, mn.expected_stats(x, TRUTH)[0])
    assert np.array_equal(x, before, equal_nan=True)


def test_collapse_is_reported():
    x = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])          # x2 = 2 x1 exactly
    with pytest.raises(CollapseError, match="not positive definite"):
        run(x, mn.start(x), 2)
    with pytest.raises(CollapseError, match="not positive definite"):
        emlab.run_em(mn, np.array([[1.0, 2.0], [np.nan, 3.0]]), mn.Params([0, 0], np.eye(2)))


def test_factored_mle_needs_x1_observed():
    with pytest.raises(ValueError, match="x1 always observed"):
        mn.factored_mle([[1.0, 2.0], [np.nan, 1.0], [3.0, 1.0], [2.0, 2.5]])


# ------------------------------------------------------------------ the view, and figures with alt text

def test_missing_normal_view_moves_the_imputed_rows_onto_the_regression_line():
    import emlab.widgets as widgets
    x = mar_data(120)
    history = emlab.run_em(mn, x, mn.start(x), tol=1e-10, max_iter=500)
    view = widgets.MissingNormalView(history)
    assert widgets.default_view(history) is widgets.MissingNormalView
    artists = (view.points, view.line, view.ellipse, view.centre)
    lost = np.isnan(x[:, 1])
    view.update(0)                                                # the start: nothing imputed yet
    assert np.all(np.isnan(view.points.get_ydata()))
    start_png = view.png()
    for step in (1, 3):                                           # E-steps at theta^(0), theta^(1)
        view.update(step)
        t = (step - 1) // 2
        mu, cov = history.params[t].mean, history.params[t].covariance
        want = mu[1] + cov[0, 1] / cov[0, 0] * (x[lost, 0] - mu[0])
        assert np.allclose(view.points.get_ydata(), want)
        assert np.allclose(view.points.get_xdata(), x[lost, 0])
        assert np.allclose(np.interp(x[lost, 0], view.xlim, view.line.get_ydata()), want)
    view.update(4)                                                # M-step: the ellipse moves
    assert view.ellipse.get_center() == pytest.approx(tuple(history.params[2].mean))
    assert (view.points, view.line, view.ellipse, view.centre) == artists
    assert view.png() != start_png
    assert "mean of the filled-in x₂" in widgets.MissingNormalView(history).announcement(1)


def test_missing_normal_view_takes_another_run_on_the_same_data_in_place():
    import emlab.widgets as widgets
    x = mar_data(80)
    first = emlab.run_em(mn, x, mn.start(x), tol=1e-8)
    second = emlab.run_em(mn, x, mn.Params([0.0, 0.0], np.eye(2)), tol=1e-8)
    view = widgets.MissingNormalView(first)
    points = view.points
    assert view.same_data(second)
    view.set_history(second)
    assert view.points is points and view.history is second
