"""emlab.linkage against independent references: the quadratic's root, finite differences of
the log-likelihood, enumeration of the latent count, and the published numbers of Dempster,
Laird & Rubin (1977, table 1) and McLachlan & Krishnan (2008, sec. 1.4.2, 4.2)."""
import warnings

import numpy as np
import pytest
from scipy.stats import binom, multinomial

import emlab
from emlab import linkage

Y = linkage.DLR_COUNTS
# DLR 1977, table 1: theta^(t) from theta^(0) = 0.5, and the MLE.
DLR_ITERATES = [0.5, 0.608247423, 0.624321051, 0.626488879, 0.626777323, 0.626815632,
                0.626820719, 0.626821395, 0.626821484]
DLR_MLE = 0.6268214980


def ell_reference(y, theta):
    """log p(y | theta) by scipy's multinomial."""
    p = [0.5 + theta / 4, (1 - theta) / 4, (1 - theta) / 4, theta / 4]
    return float(multinomial(int(np.sum(y)), p).logpmf(y))


def curvature(f, theta, h=1e-4):
    """-f''(theta) by the central second difference."""
    return -(f(theta + h) - 2 * f(theta) + f(theta - h)) / h ** 2


def em_iterates(y, theta, steps):
    thetas = [theta]
    for _ in range(steps):
        stats, _ = linkage.expected_stats(y, linkage.Params(thetas[-1]))
        thetas.append(linkage.m_step(y, stats).theta)
    return np.array(thetas)


def test_the_mle_is_the_root_of_dlrs_quadratic():
    roots = np.roots([197, -15, -68])
    root = roots[(roots > 0) & (roots < 1)]
    assert len(root) == 1
    assert linkage.mle(Y) == pytest.approx(root[0], abs=1e-14)
    assert round(linkage.mle(Y), 4) == 0.6268
    assert linkage.mle(Y) == pytest.approx(DLR_MLE, abs=1e-9)


def test_the_mle_maximises_the_log_likelihood():
    theta = linkage.mle(Y)
    grid = np.linspace(0.01, 0.99, 981)
    ell = [ell_reference(Y, g) for g in grid]
    assert abs(grid[int(np.argmax(ell))] - theta) <= 0.001
    slope = (ell_reference(Y, theta + 1e-6) - ell_reference(Y, theta - 1e-6)) / 2e-6
    assert abs(slope) < 1e-5


@pytest.mark.parametrize("y", [[125, 18, 20, 34], [1997, 906, 904, 32], [10, 3, 2, 5], [0, 4, 1, 7]])
def test_mle_for_other_counts_is_the_stationary_point(y):
    theta = linkage.mle(y)
    assert 0 < theta < 1
    f = lambda t: ell_reference(y, t)
    assert abs((f(theta + 1e-6) - f(theta - 1e-6)) / 2e-6) < 1e-4
    assert em_iterates(y, 0.5, 2000)[-1] == pytest.approx(theta, abs=1e-8)


def test_log_likelihood_matches_scipy():
    for theta in [0.1, 0.5, linkage.mle(Y), 0.9]:
        assert linkage.log_likelihood(Y, linkage.Params(theta)) == pytest.approx(ell_reference(Y, theta), rel=1e-12)
        assert linkage.log_likelihood(Y, theta) == linkage.log_likelihood(Y, linkage.Params(theta))


def test_e_step_is_the_binomial_mean_of_the_latent_count():
    for theta in [0.2, 0.5, 0.8]:
        stats, ell = linkage.expected_stats(Y, linkage.Params(theta))
        u2 = np.arange(Y[0] + 1)
        weights = binom(Y[0], theta / (2 + theta)).pmf(u2)
        # the latent split's posterior by Bayes' rule on the complete-data multinomial, enumerated
        joint = np.array([multinomial(int(Y.sum()), linkage.complete_probabilities(theta)).logpmf(
            [Y[0] - k, k, *Y[1:]]) for k in u2])
        posterior = np.exp(joint - np.logaddexp.reduce(joint))
        assert np.allclose(posterior, weights, atol=1e-12)
        assert stats[1] == pytest.approx(posterior @ u2, rel=1e-12)
        assert stats[0] + stats[1] == Y[0] and np.array_equal(stats[2:], Y[1:])
        assert ell == pytest.approx(np.logaddexp.reduce(joint), rel=1e-12)     # p(y) = sum over u2


def test_em_reproduces_dlr_table_1():
    assert np.allclose(em_iterates(Y, 0.5, 8), DLR_ITERATES, atol=5e-10)
    assert linkage.m_step(Y, linkage.expected_stats(Y, linkage.Params(0.5))[0]).theta == pytest.approx(59 / 97)


def test_em_never_decreases_the_log_likelihood_and_stops_at_the_mle():
    for start in [0.01, 0.3, 0.5, 0.99]:
        thetas = em_iterates(Y, start, 60)
        ell = [linkage.log_likelihood(Y, t) for t in thetas]
        assert np.all(np.diff(ell) >= -1e-12)
        assert thetas[-1] == pytest.approx(linkage.mle(Y), abs=1e-12)
    assert linkage.em_map(Y, linkage.mle(Y)) == pytest.approx(linkage.mle(Y), abs=1e-14)


def test_rate_is_the_fraction_of_missing_information():
    theta_hat = linkage.mle(Y)
    errors = np.abs(em_iterates(Y, 0.5, 12) - theta_hat)
    ratios = errors[1:] / errors[:-1]
    assert round(ratios[-1], 4) == round(linkage.rate(Y), 4) == 0.1328            # McLachlan & Krishnan
    h = 1e-6                                                                        # M'(theta_hat)
    slope = (linkage.em_map(Y, theta_hat + h) - linkage.em_map(Y, theta_hat - h)) / (2 * h)
    assert slope == pytest.approx(linkage.rate(Y), rel=1e-6)
    i_c, i_m = linkage.complete_information(Y, theta_hat), linkage.missing_information(Y, theta_hat)
    assert linkage.rate(Y) == pytest.approx(i_m / i_c, rel=1e-12)


def test_observed_information_is_the_curvature_of_ell():
    for theta in [0.2, 0.5, linkage.mle(Y), 0.85]:
        direct = curvature(lambda t: ell_reference(Y, t), theta)
        assert linkage.observed_information(Y, theta) == pytest.approx(direct, rel=1e-5)


def test_louis_formula_by_enumeration():
    """I_c and I_m from the complete-data log-likelihood, enumerated over u2 | y."""
    for theta in [0.3, linkage.mle(Y), 0.7]:
        u2 = np.arange(Y[0] + 1)
        w = binom(Y[0], theta / (2 + theta)).pmf(u2)

        def complete_ell(t, k):
            return multinomial(int(Y.sum()), linkage.complete_probabilities(t)).logpmf([Y[0] - k, k, *Y[1:]])
        h = 1e-5
        score = np.array([(complete_ell(theta + h, k) - complete_ell(theta - h, k)) / (2 * h) for k in u2])
        info = np.array([curvature(lambda t: complete_ell(t, k), theta, 1e-4) for k in u2])
        i_c, i_m = w @ info, w @ (score - w @ score) ** 2
        assert linkage.complete_information(Y, theta) == pytest.approx(i_c, rel=1e-5)
        assert linkage.missing_information(Y, theta) == pytest.approx(i_m, rel=1e-5)
        assert abs(w @ score - (ell_reference(Y, theta + h) - ell_reference(Y, theta - h)) / (2 * h)) < 1e-4
        assert linkage.louis_information(Y, theta) == pytest.approx(linkage.observed_information(Y, theta),
                                                                    rel=1e-12)


def test_published_standard_error():
    assert round(linkage.standard_error(Y), 4) == 0.0515
    assert linkage.standard_error(Y) == pytest.approx(1 / np.sqrt(curvature(lambda t: ell_reference(Y, t),
                                                                             linkage.mle(Y))), rel=1e-5)


def test_run_em_drives_the_model():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = emlab.run_em(linkage, Y, linkage.Params(0.5), tol=1e-12, max_iter=200)
        exact = emlab.run_em(linkage, Y, linkage.Params(0.5), tol=0, max_iter=30)
    thetas = np.array([p.theta for p in history.params])
    assert np.allclose(thetas[:9], DLR_ITERATES, atol=5e-10)
    assert history.converged and thetas[-1] == pytest.approx(linkage.mle(Y), abs=1e-7)
    assert exact.n_iter == 30 and exact.params[-1].theta == pytest.approx(linkage.mle(Y), abs=1e-14)
    assert np.all(np.diff(history.log_likelihood) >= -1e-12)
    assert history.log_likelihood[0] == pytest.approx(ell_reference(Y, 0.5), rel=1e-12)


def test_sample_draws_the_complete_counts():
    y, u = linkage.sample(linkage.Params(0.6), 100_000, np.random.default_rng(0))
    assert y.sum() == 100_000 and y[0] == u[0] + u[1] and np.array_equal(y[1:], u[2:])
    assert np.allclose(u / 100_000, linkage.complete_probabilities(0.6), atol=0.005)


@pytest.mark.parametrize("theta, error", [(0.0, ValueError), (1.0, ValueError), (-0.1, ValueError),
                                          (np.nan, ValueError), (True, TypeError), ("0.5", TypeError),
                                          ([0.5], TypeError)])
def test_params_rejects_bad_theta(theta, error):
    with pytest.raises(error, match="theta"):
        linkage.Params(theta)


def test_params_accepts_numpy_scalars():
    assert linkage.Params(np.float64(0.25)).theta == 0.25
    assert linkage.Params(np.array(0.25)).theta == 0.25
    assert isinstance(linkage.Params(np.float32(0.25)).theta, float)


@pytest.mark.parametrize("x, error, match", [
    ([125, 18, 20], ValueError, "4 counts"),
    ([[125, 18, 20, 34]], ValueError, "1-D"),
    ([125, -18, 20, 34], ValueError, "non-negative"),
    ([125.5, 18, 20, 34], ValueError, "whole numbers"),
    ([0, 0, 0, 0], ValueError, "at least one"),
    ("125 18 20 34", TypeError, "array of numbers"),
    ([125, 18, np.nan, 34], ValueError, "finite"),
])
def test_check_x_rejects_bad_counts(x, error, match):
    with pytest.raises(error, match=match):
        linkage.check_x(x)


def test_m_step_rejects_stats_of_other_counts():
    stats, _ = linkage.expected_stats(Y, linkage.Params(0.5))
    with pytest.raises(ValueError, match="expected complete counts"):
        linkage.m_step([100, 18, 20, 34], stats)
    with pytest.raises(ValueError, match="shape"):
        linkage.m_step(Y, stats[:4])
    with pytest.raises(ValueError, match="edge of the parameter space"):
        linkage.m_step([0, 5, 5, 0], linkage.expected_stats([0, 5, 5, 0], linkage.Params(0.5))[0])


def test_nothing_changes_its_inputs():
    y = Y.copy()
    stats, _ = linkage.expected_stats(y, linkage.Params(0.5))
    kept = stats.copy()
    linkage.m_step(y, stats)
    assert np.array_equal(y, Y) and np.array_equal(stats, kept)


# ------------------------------------------------------------------ the stepper's view

def test_linkage_view_draws_each_half_step_in_place():
    import emlab.widgets as widgets
    from emlab.widgets.halfsteps import HalfSteps
    history = emlab.run_em(linkage, Y, linkage.Params(0.5), tol=1e-12)
    view = widgets.LinkageView(history)
    assert widgets.default_view(history) is widgets.LinkageView
    artists = (view.bar_u1, view.bar_u2, view.bound_line, view.theta_marker, view.caption)
    pictures = []
    for step in range(7):
        view.update(step)
        params, stats = HalfSteps(history).state(step)
        assert view.theta_marker.get_xdata()[0] == params.theta
        if stats is None:                                                   # the start: no E-step yet
            assert step == 0 and view.text_u1.get_text() == "not split yet"
            assert np.all(np.isnan(view.bound_line.get_ydata()))
        else:
            assert view.bar_u2.get_height() == pytest.approx(stats[1])
            assert view.bar_u1.get_height() + view.bar_u2.get_height() == pytest.approx(Y[0])
        pictures.append(view.png())
    assert (view.bar_u1, view.bar_u2, view.bound_line, view.theta_marker, view.caption) == artists
    assert all(a != b for a, b in zip(pictures, pictures[1:]))             # every half-step shows a change
    view.update(3)                         # the E-step at theta^(1): its bound touches ell there ...
    grid, bound = view.grid, view.bound_line.get_ydata()
    assert np.all(bound <= view.ell_grid + 1e-12)
    at = history.params[1].theta
    assert np.interp(at, grid, bound) == pytest.approx(linkage.log_likelihood(Y, at), abs=1e-3)
    assert abs(grid[np.argmax(bound)] - history.params[2].theta) <= grid[1] - grid[0]   # ... top: theta^(2)
    assert "u₁ = 95.85, u₂ = 29.15" in view.announcement()


def test_linkage_view_recomputes_stats_the_history_did_not_keep():
    import emlab.widgets as widgets
    kept = emlab.run_em(linkage, Y, linkage.Params(0.5), tol=1e-12)
    dropped = emlab.run_em(linkage, Y, linkage.Params(0.5), tol=1e-12, keep_resp=False)
    assert dropped.stats[0] is None
    a, b = widgets.LinkageView(kept), widgets.LinkageView(dropped)
    for step in [1, 6, 5]:
        a.update(step)
        b.update(step)
        assert a.png() == b.png()


def test_linkage_animation_and_bad_window():
    import emlab.widgets as widgets
    history = emlab.run_em(linkage, Y, linkage.Params(0.5), tol=1e-12)
    animation = widgets.animate(history, widgets.LinkageView, frames=[0, 1])
    assert "<img" in animation.to_jshtml()
    with pytest.raises(ValueError, match="window"):
        widgets.LinkageView(history, window=(0.5, 0.2))
