"""emlab.plot: each drawing checked against an independent reference (Monte Carlo samples,
scipy.stats, numpy histograms), and each update checked to move the same artists."""
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy import stats

from emlab import gaussian, plot, poisson


@pytest.fixture
def ax():
    return Figure().subplots()


def fraction_inside(artist, samples):
    """Share of samples inside the drawn ellipse, read from the artist's own geometry."""
    u = samples - np.array(artist.get_center())
    a = np.radians(artist.get_angle())
    along = u[:, 0] * np.cos(a) + u[:, 1] * np.sin(a)
    across = -u[:, 0] * np.sin(a) + u[:, 1] * np.cos(a)
    a_semi, b_semi = artist.get_width() / 2, artist.get_height() / 2
    return np.mean((along / a_semi) ** 2 + (across / b_semi) ** 2 <= 1)


COVARIANCES = {
    "full": np.array([[2.0, 1.2], [1.2, 1.0]]),
    "diagonal": np.array([4.0, 0.25]),
    "spherical": 0.5,
}
MC_SAMPLES = 100_000


@pytest.mark.parametrize("kind", COVARIANCES)
@pytest.mark.parametrize("mass", [0.39, 0.86, 0.99])
def test_ellipse_holds_the_stated_mass_of_monte_carlo_samples(ax, kind, mass):
    cov = COVARIANCES[kind]
    full = cov if np.ndim(cov) == 2 else np.diag(np.broadcast_to(cov, 2))
    mean = np.array([1.0, -2.0])
    samples = np.random.default_rng(0).multivariate_normal(mean, full, size=MC_SAMPLES)
    artist = plot.ellipse(ax, mean, cov, mass=mass, edgecolor="red")
    standard_error = np.sqrt(mass * (1 - mass) / MC_SAMPLES)
    assert fraction_inside(artist, samples) == pytest.approx(mass, abs=5 * standard_error)
    assert artist in ax.patches and artist.get_edgecolor()[:3] == (1.0, 0.0, 0.0)


def test_ellipse_sized_by_standard_deviation_not_variance(ax):
    # Variances 9 and 1: the 39 % ellipse (r = 1) has semi-axes 3 and 1, i.e. width 6, height 2.
    artist = plot.ellipse(ax, [0, 0], [[1.0, 0.0], [0.0, 9.0]], mass=1 - np.exp(-0.5))
    assert (artist.get_width(), artist.get_height()) == pytest.approx((6.0, 2.0))
    assert artist.get_angle() % 180 == pytest.approx(90.0)


def test_update_ellipse_moves_the_same_artist(ax):
    rng = np.random.default_rng(1)
    artist = plot.ellipse(ax, [0, 0], 1.0)
    cov = np.array([[1.0, -0.8], [-0.8, 2.0]])
    assert plot.update_ellipse(artist, [3.0, 4.0], cov, mass=0.86) is artist
    assert ax.patches[:] == [artist]
    assert artist.get_center() == (3.0, 4.0)
    samples = rng.multivariate_normal([3.0, 4.0], cov, size=MC_SAMPLES)
    standard_error = np.sqrt(0.86 * 0.14 / MC_SAMPLES)
    assert fraction_inside(artist, samples) == pytest.approx(0.86, abs=5 * standard_error)


def test_update_ellipse_from_the_decomposition_params_keep(ax, monkeypatch):
    """An animation's frame: the eigendecomposition a gaussian.Params keeps, not decomposed
    again, gives the ellipse of that covariance."""
    params = gaussian.Params([0.5, 0.5], [[0.0, 0.0], [3.0, 4.0]], [np.eye(2), [[1.0, -0.8], [-0.8, 2.0]]])
    from_cov = plot.update_ellipse(plot.ellipse(ax, [0, 0], 1.0), params.means[1], params.covariances[1])
    artist = plot.ellipse(ax, [0, 0], 1.0)
    samples = np.random.default_rng(3).multivariate_normal([3.0, 4.0], params.covariances[1], size=MC_SAMPLES)
    decompositions = []
    for name in ("eigh", "eigvalsh"):
        monkeypatch.setattr(np.linalg, name, lambda *args, **kwargs: decompositions.append(args))
    plot.update_ellipse(artist, params.means[1], eigh=(params.eigenvalues[1], params.eigenvectors[1]))
    assert decompositions == []
    assert artist.get_center() == (3.0, 4.0)
    assert (artist.get_width(), artist.get_height()) == pytest.approx((from_cov.get_width(), from_cov.get_height()))
    assert np.tan(np.radians(artist.get_angle())) == pytest.approx(np.tan(np.radians(from_cov.get_angle())))
    standard_error = np.sqrt(0.86 * 0.14 / MC_SAMPLES)
    assert fraction_inside(artist, samples) == pytest.approx(0.86, abs=5 * standard_error)


def test_update_ellipse_takes_cov_or_eigh(ax):
    artist = plot.ellipse(ax, [0, 0], 1.0)
    with pytest.raises(TypeError, match="either cov or eigh.*neither"):
        plot.update_ellipse(artist, [0, 0])
    with pytest.raises(TypeError, match="either cov or eigh.*both"):
        plot.update_ellipse(artist, [0, 0], np.eye(2), eigh=np.linalg.eigh(np.eye(2)))


@pytest.mark.parametrize("mean, cov, mass, word", [
    ([0, 0], [[1.0, 2.0], [2.0, 1.0]], 0.5, "positive definite"),
    ([0, 0], [[1.0, 0.5], [0.0, 1.0]], 0.5, "symmetric"),
    ([0, 0], [1.0, -1.0], 0.5, "> 0"),
    ([0, 0], np.eye(3), 0.5, "shape"),
    ([0, 0], 1.0, 1.0, "mass"),
    ([0, 0, 0], 1.0, 0.5, "mean"),
])
def test_ellipse_rejects_bad_input_by_name(ax, mean, cov, mass, word):
    with pytest.raises(ValueError, match=word):
        plot.ellipse(ax, mean, cov, mass=mass)


def test_points_coloured_by_responsibilities(ax):
    colors = np.array([[1.0, 0, 0, 1], [0, 0, 1.0, 1]])
    x = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]])
    resp = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    artist = plot.resp_points(ax, x, resp, colors)
    np.testing.assert_allclose(artist.get_facecolors(), [[1, 0, 0, 1], [0, 0, 1, 1], [0.5, 0, 0.5, 1]])
    np.testing.assert_allclose(artist.get_offsets(), x)
    assert plot.update_resp_points(artist, resp[::-1], colors, x=x + 1) is artist
    np.testing.assert_allclose(artist.get_facecolors(), [[0.5, 0, 0.5, 1], [0, 0, 1, 1], [1, 0, 0, 1]])
    np.testing.assert_allclose(artist.get_offsets(), x + 1)


def test_resp_histogram_of_counts_splits_the_empirical_pmf(ax):
    rng = np.random.default_rng(2)
    x = rng.poisson(4.0, size=300)
    resp = rng.dirichlet([1.0, 1.0, 1.0], size=300)
    edges = np.arange(-0.5, x.max() + 1.5)
    bars = plot.resp_histogram(ax, x, resp, edges)
    heights = np.array([[rect.get_height() for rect in container] for container in bars]).T
    assert heights.sum(axis=1) == pytest.approx(np.bincount(x) / len(x))
    for value in (0, 3, 4):
        assert heights[value] == pytest.approx(resp[x == value].sum(axis=0) / len(x))
    tops = [rect.get_y() + rect.get_height() for rect in bars[-1]]
    assert tops == pytest.approx(np.bincount(x) / len(x))
    plot.update_resp_histogram(bars, x, resp[:, ::-1], edges)
    assert [rect.get_height() for rect in bars[0]] == pytest.approx(heights[:, 2])
    assert len(ax.patches) == 3 * len(edges[:-1])


def test_resp_histogram_of_reals_is_the_density_histogram(ax):
    x = np.random.default_rng(3).normal(size=500)
    edges = np.linspace(-4, 4, 17)
    bars = plot.resp_histogram(ax, x, np.full((500, 2), 0.5), edges)
    total = [rect.get_y() + rect.get_height() for rect in bars[1]]
    assert total == pytest.approx(np.histogram(x, edges, density=True)[0])


def test_mixture_pmf_of_poisson_matches_scipy(ax):
    params = poisson.Params([0.2, 0.8], [2.0, 6.0])
    grid = np.arange(20)
    total, components = plot.mixture(ax, poisson, grid, params)
    expected = [w * stats.poisson.pmf(grid, lam) for w, lam in zip(params.weights, params.rates)]
    assert total.get_ydata() == pytest.approx(np.sum(expected, axis=0))
    for line, curve in zip(components, expected):
        assert line.get_ydata() == pytest.approx(curve)
    new = poisson.Params([0.5, 0.5], [1.0, 9.0])
    plot.update_mixture((total, components), poisson, grid, new)
    expected = 0.5 * stats.poisson.pmf(grid, 1.0) + 0.5 * stats.poisson.pmf(grid, 9.0)
    assert total.get_ydata() == pytest.approx(expected)
    assert ax.lines[:] == [*components, total]


def test_mixture_density_of_1d_gaussian_matches_scipy(ax):
    params = gaussian.Params([0.3, 0.7], [[-1.0], [2.0]], [[[0.25]], [[1.0]]])
    grid = np.linspace(-8, 10, 2001)[:, None]
    total, components = plot.mixture(ax, gaussian, grid, params)
    expected = 0.3 * stats.norm.pdf(grid[:, 0], -1, 0.5) + 0.7 * stats.norm.pdf(grid[:, 0], 2, 1)
    assert total.get_ydata() == pytest.approx(expected)
    assert np.trapezoid(total.get_ydata(), grid[:, 0]) == pytest.approx(1.0, abs=1e-6)


def test_log_likelihood_curve_marker_moves(ax):
    ll = np.array([-10.0, -6.0, -5.0, -4.9])
    line, marker = plot.log_likelihood_curve(ax, ll, t=0)
    assert line.get_ydata() == pytest.approx(ll)
    assert plot.update_log_likelihood_curve(marker, ll, 2) is marker
    assert (marker.get_xdata()[0], marker.get_ydata()[0]) == (2, -5.0)
    with pytest.raises(ValueError, match="t must be an iteration 0..3"):
        plot.update_log_likelihood_curve(marker, ll, 4)


def test_import_changes_no_matplotlib_settings_and_loads_no_pyplot():
    # Reading rcParams["backend"] would itself import pyplot, so that key is left out.
    code = ("import sys, matplotlib as mpl\n"
            "def settings(): return {k: mpl.rcParams[k] for k in mpl.rcParams if k != 'backend'}\n"
            "before = settings(); import emlab.plot, emlab.widgets\n"
            "print(settings() == before, 'matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False"]
