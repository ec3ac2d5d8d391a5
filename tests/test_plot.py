"""emlab.plot: each drawing checked against an independent reference (Monte Carlo samples,
scipy.stats, numpy histograms), and each update checked to move the same artists."""
import io
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.path import Path
from scipy import stats

from emlab import figure_with_alt, gaussian, plot, poisson


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


def drawn_bars(segment):
    """The bars a segment of ``stacked_bars`` draws, read from its path (closed rectangles):
    their left and right edges, bottoms and heights, (m,) each."""
    path = segment.get_path()
    corners = path.vertices.reshape(-1, 5, 2)
    assert (path.codes.reshape(-1, 5) == [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY]).all()
    assert np.array_equal(corners[:, 0], corners[:, 4])
    assert np.array_equal(corners[:, 0, 0], corners[:, 3, 0]) and np.array_equal(corners[:, 1, 0], corners[:, 2, 0])
    assert np.array_equal(corners[:, 0, 1], corners[:, 1, 1]) and np.array_equal(corners[:, 2, 1], corners[:, 3, 1])
    return corners[:, 0, 0], corners[:, 1, 0], corners[:, 0, 1], corners[:, 2, 1] - corners[:, 0, 1]


def test_resp_histogram_of_counts_splits_the_empirical_pmf(ax):
    rng = np.random.default_rng(2)
    x = rng.poisson(4.0, size=300)
    resp = rng.dirichlet([1.0, 1.0, 1.0], size=300)
    edges = np.arange(-0.5, x.max() + 1.5)
    bars = plot.resp_histogram(ax, x, resp, edges)
    heights = np.column_stack([drawn_bars(segment)[3] for segment in bars])
    assert heights.sum(axis=1) == pytest.approx(np.bincount(x) / len(x))
    for value in (0, 3, 4):
        assert heights[value] == pytest.approx(resp[x == value].sum(axis=0) / len(x))
    _, _, bottoms, height = drawn_bars(bars[-1])
    tops = bottoms + height
    assert tops == pytest.approx(np.bincount(x) / len(x))
    plot.update_resp_histogram(bars, x, resp[:, ::-1], edges)
    assert drawn_bars(bars[0])[3] == pytest.approx(heights[:, 2])
    assert len(ax.patches) == 3


def test_resp_histogram_of_reals_is_the_density_histogram(ax):
    x = np.random.default_rng(3).normal(size=500)
    edges = np.linspace(-4, 4, 17)
    bars = plot.resp_histogram(ax, x, np.full((500, 2), 0.5), edges)
    _, _, bottoms, height = drawn_bars(bars[1])
    total = bottoms + height
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


# ---- the second cue: markers, line styles, hatching -----------------------------------------

def test_points_take_the_marker_of_their_most_responsible_component(ax):
    x = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5], [3.0, 3.0]])
    resp = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7], [0.6, 0.4, 0.0]])
    artist = plot.resp_points(ax, x, resp)
    shapes = plot._marker_paths(plot.component_markers(3))
    assert [p.vertices.tolist() for p in artist.get_paths()] == \
        [shapes[j].vertices.tolist() for j in [0, 1, 2, 0]]
    plot.update_resp_points(artist, resp[:, ::-1])
    assert [p.vertices.tolist() for p in artist.get_paths()] == \
        [shapes[j].vertices.tolist() for j in [2, 1, 0, 2]]
    one = plot.resp_points(ax, x, resp, marker="o")          # the caller's one marker
    plot.update_resp_points(one, resp[:, ::-1])
    assert len(one.get_paths()) == 1


def test_stacked_bars_are_opaque_and_hatched_or_outlined_when_translucent(ax):
    heights = np.array([[0.2, 0.8], [0.5, 0.5]])
    bars = plot.stacked_bars(ax, [0, 1], heights)
    colors = plot.component_colors(2)
    for j, segment in enumerate(bars):
        assert segment.get_facecolor() == pytest.approx(tuple(colors[j]))      # alpha 1
        assert segment.get_hatch() == plot.component_hatches(2)[j]
        assert segment.get_edgecolor() == (1.0, 1.0, 1.0, 1.0)
    translucent = plot.stacked_bars(ax, [0, 1], heights, alpha=0.45)
    for j, segment in enumerate(translucent):
        assert segment.get_facecolor()[3] == pytest.approx(0.45)
        assert segment.get_edgecolor() == pytest.approx(tuple(colors[j]))      # opaque outline
    assert all(segment.get_hatch() is None for segment in plot.stacked_bars(ax, [0, 1], heights, hatches=()))


def test_stacked_bars_stand_where_the_heights_put_them_and_move_with_them(ax):
    heights = np.array([[0.2, 0.8], [0.5, 0.0], [1.0, 2.0]])
    bars = plot.stacked_bars(ax, [0, 1, 2], heights, width=0.5)
    for j, segment in enumerate(bars):
        left, right, bottom, height = drawn_bars(segment)
        assert left == pytest.approx([-0.25, 0.75, 1.75]) and right == pytest.approx([0.25, 1.25, 2.25])
        assert bottom == pytest.approx(heights[:, :j].sum(axis=1)) and height == pytest.approx(heights[:, j])
    plot.update_stacked_bars(bars, heights[::-1])
    _, _, bottom, height = drawn_bars(bars[1])
    assert bottom == pytest.approx(heights[::-1, 0]) and height == pytest.approx(heights[::-1, 1])
    edges = plot.stacked_bars(ax, [0, 1, 2], heights, width=[1, 2, 3], align="edge")
    left, right, _, _ = drawn_bars(edges[0])
    assert left == pytest.approx([0, 1, 2]) and right == pytest.approx([1, 3, 5])
    with pytest.raises(ValueError, match="heights"):
        plot.update_stacked_bars(bars, heights[:2])
    with pytest.raises(ValueError, match="align"):
        plot.stacked_bars(ax, [0, 1, 2], heights, align="middle")
    with pytest.raises(ValueError, match="width"):
        plot.stacked_bars(ax, [0, 1, 2], heights, width=[1, 2])
    with pytest.raises(ValueError, match="positions"):
        plot.stacked_bars(ax, [0, 1], heights)


def test_mixture_components_in_their_line_styles_and_markers(ax):
    params = poisson.Params([0.2, 0.3, 0.5], [2.0, 6.0, 9.0])
    total, components = plot.mixture(ax, poisson, np.arange(15), params, lw=1.5, marker="o", ms=3)
    assert total.get_linestyle() == "-" and total.get_color() == "black" and total.get_marker() == "o"
    assert [line.get_marker() for line in components] == plot.component_markers(3)
    styles = [line.get_linestyle() for line in components]
    assert "-" not in styles and len(set(styles)) == 3
    _, plain = plot.mixture(ax, poisson, np.arange(15), params)
    assert [line.get_marker() for line in plain] == ["None"] * 3


def test_ellipse_of_a_component_in_its_colour_and_line_style(ax):
    artist = plot.ellipse(ax, [0, 0], 1.0, component=2, lw=2)
    assert artist.get_edgecolor() == pytest.approx(tuple(plot.component_colors(3)[2]))
    assert artist.get_linestyle() == plot.component_linestyles(3)[2]
    assert plot.ellipse(ax, [0, 0], 1.0, component=1, edgecolor="black").get_edgecolor() == (0, 0, 0, 1)


def test_labelled_points_one_collection_per_component(ax):
    x = np.random.default_rng(0).normal(size=(30, 2))
    labels = np.arange(30) % 3
    collections = plot.labelled_points(ax, x, labels, names=["a", "b", "c"])
    assert [c.get_label() for c in collections] == ["a", "b", "c"]
    assert [len(c.get_offsets()) for c in collections] == [10, 10, 10]
    with pytest.raises(ValueError, match="labels"):
        plot.labelled_points(ax, x, labels - 1)


# ---- plot.show: a static figure with its alt text --------------------------------------------

def a_figure():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [0, 1, 4], "o-")
    return fig


def test_figure_output_carries_alt_in_html_and_text():
    alt = 'Line of y = x² for x from 0 to 2: it rises to 4 & ends "steep".'
    shown = plot.figure_output(a_figure(), alt)
    bundle = shown._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"} and bundle["text/plain"] == alt
    from html.parser import HTMLParser

    class Images(HTMLParser):
        found = []

        def handle_starttag(self, tag, attrs):
            self.found.append((tag, dict(attrs)))
    Images().feed(bundle["text/html"])
    (tag, attrs), = Images.found
    assert tag == "img" and attrs["alt"] == alt
    import matplotlib as mpl                       # its tick labels: the default font size, measured
    assert float(attrs["data-smallest-text-px"]) == pytest.approx(
        mpl.rcParams["font.size"] * mpl.rcParams["figure.dpi"] / 72, abs=0.01)
    assert attrs["src"].startswith("data:image/png;base64,iVBORw0KGgo")


def test_figure_output_is_the_inline_backends_png_and_closes_the_figure():
    """The PNG of matplotlib-inline's defaults: print_figure at the figure's dpi, its
    facecolor and edgecolor, bbox_inches="tight"; the figure closed (not drawn twice)."""
    import base64
    import matplotlib.pyplot as plt
    fig = a_figure()
    expected = io.BytesIO()
    fig.savefig(expected, format="png", dpi=fig.dpi, bbox_inches="tight",
                facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor())
    shown = plot.figure_output(fig, "Three points on a rising curve from 0 to 4.")
    assert shown.png == expected.getvalue()
    assert not plt.fignum_exists(fig.number)
    html = shown._repr_mimebundle_()["text/html"]
    assert base64.b64decode(html.split("base64,")[1].split('"')[0]) == shown.png


@pytest.mark.filterwarnings("ignore::DeprecationWarning")        # matplotlib-inline's traitlets
def test_figure_output_follows_a_retina_inline_backend():
    import PIL.Image
    from matplotlib_inline.config import InlineBackend
    backend = InlineBackend.instance()
    try:
        backend.figure_formats = {"retina"}
        fig = a_figure()
        import matplotlib as mpl
        logical = (fig.get_tightbbox().width + 2 * mpl.rcParams["savefig.pad_inches"]) * fig.dpi
        shown = plot.figure_output(fig, "Three points on a rising curve from 0 to 4.")
        width = PIL.Image.open(io.BytesIO(shown.png)).size[0]
        assert shown.width == width // 2 == pytest.approx(logical, abs=2)
        assert f'width="{width // 2}"' in shown.html()
    finally:
        InlineBackend.clear_instance()


@pytest.mark.parametrize("alt", ["", "   ", "Image", "figure", "Plot.", "Figure 2", "the chart",
                                 "Scatter plot", "No description has been provided for this image",
                                 "<Figure size 300x200 with 1 Axes>"])
def test_generic_or_empty_alt_is_refused(alt):
    import matplotlib.pyplot as plt
    fig = a_figure()
    with pytest.raises(ValueError, match="say what the figure shows"):
        plot.figure_output(fig, alt)
    assert plt.fignum_exists(fig.number)          # refused before anything was drawn or closed
    plt.close(fig)
    with pytest.raises(TypeError, match="alt must be a string"):
        figure_with_alt.check_alt(None)


def test_show_displays_one_output_with_the_alt(monkeypatch):
    shown = []
    monkeypatch.setattr(figure_with_alt, "display", lambda obj: shown.append(obj))
    assert plot.show(a_figure(), "Three points on a rising curve from 0 to 4.") is None
    (output,) = shown
    assert isinstance(output, figure_with_alt.FigureOutput) and output.alt.startswith("Three points")


def test_exported_page_keeps_the_alt():
    """nbconvert's HTML page (the lab template, as tools/offline_export.py uses it) shows the
    output's <img> with its alt, not nbconvert's generic fallback."""
    import nbformat
    from nbconvert import HTMLExporter
    alt = "Three points on a rising curve from 0 to 4."
    data = plot.figure_output(a_figure(), alt)._repr_mimebundle_()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("emlab.plot.show(fig, alt)", outputs=[
        nbformat.v4.new_output("display_data", data=data)])]
    body, _ = HTMLExporter().from_notebook_node(nb)
    assert f'alt="{alt}"' in body and "No description has been provided" not in body
