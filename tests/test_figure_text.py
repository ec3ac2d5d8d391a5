"""Figure text readable at the back of a lecture room (issue 22): in every figure emlab draws (the
stepper and explorer views, the animations, a static figure made in ``emlab.plot.style``) every
text is at least 17 px high in the image at its natural size, and none is cut by the image's edge
or drawn over another.

The texts are the ones matplotlib really draws (``Text.draw`` spied on during a whole draw of the
figure, so that hidden texts, empty ones and tick labels outside the axes do not count); a text's
size in pixels is its font size in points times dpi / 72.  emlab's own measure,
``emlab.plot.smallest_text_px``, is checked against that.
"""
import io
import json
import re
from contextlib import contextmanager

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

import emlab
import emlab.data
from emlab import bernoulli, coins, figure_with_alt, gaussian, linkage, plot, poisson, widgets
from emlab import missing_normal as mn
from figures import collapse_error
from published import DO_BATZOGLOU

MIN_PX = 17


@contextmanager
def spying_on_text():
    """The texts drawn while the block runs (each once, in drawing order)."""
    drawn, draw = [], Text.draw

    def spy(self, renderer):
        if self.get_visible() and self.get_text().strip() and self not in drawn:
            drawn.append(self)
        return draw(self, renderer)
    Text.draw = spy
    try:
        yield drawn
    finally:
        Text.draw = draw


def drawn_texts(fig):
    """Draw ``fig`` whole (as ``savefig`` does) and return the texts drawn with their extents
    in pixels of the image."""
    with spying_on_text() as drawn:
        fig.savefig(io.BytesIO(), format="png")
    renderer = fig.canvas.get_renderer()
    return [(text, text.get_window_extent(renderer)) for text in drawn]


def smallest_px(fig):
    return min(text.get_fontsize() for text, _ in drawn_texts(fig)) * fig.dpi / 72


def check_readable(fig, where):
    """Every text drawn >= MIN_PX pixels, inside the image, and clear of every other text."""
    texts = drawn_texts(fig)
    assert texts, where
    for text, _ in texts:
        px = text.get_fontsize() * fig.dpi / 72
        assert px >= MIN_PX, f"{where}: {text.get_text()!r} is {px:.1f} px"
    image = fig.bbox
    for text, box in texts:
        assert (box.x0 >= image.x0 - 1 and box.y0 >= image.y0 - 1 and box.x1 <= image.x1 + 1
                and box.y1 <= image.y1 + 1), f"{where}: {text.get_text()!r} is cut by the image's edge"
    for i, (a, box_a) in enumerate(texts):
        for b, box_b in texts[i + 1:]:
            overlap_x = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            overlap_y = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            assert overlap_x <= 1 or overlap_y <= 1, \
                f"{where}: {a.get_text()!r} and {b.get_text()!r} are drawn over each other"
    # emlab's measure says the same
    assert plot.smallest_text_px(fig) == pytest.approx(min(t.get_fontsize() for t, _ in texts) * fig.dpi / 72,
                                                       abs=0.01)


# ---------------------------------------------------------------- a History of every kind

def coin_runs():
    start = coins.Params([0.5, 0.5], [0.6, 0.5])
    return (emlab.run_em(coins, DO_BATZOGLOU, start, max_iter=10, tol=0),
            emlab.run_em(coins, DO_BATZOGLOU, start, max_iter=10, tol=0, learn_weights=False))


def poisson_run():
    x, _ = poisson.sample(poisson.Params([0.3, 0.4, 0.3], [2.0, 7.0, 14.0]), 300, np.random.default_rng(1))
    return emlab.run_em(poisson, x, poisson.Params([1 / 3] * 3, [1.0, 5.0, 10.0]), max_iter=8, tol=0)


def collapse_run():
    """Notebook 07's bad start: component 2 on an outlier; it collapses."""
    error, clusters = collapse_error()
    return error.history, clusters


def faithful_run():
    """Notebook 03's Bishop figure: standardised Old Faithful, long axis names."""
    x = emlab.data.points_x(emlab.data.load_faithful())
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    start = gaussian.Params([0.5, 0.5], [[-1.5, 1.0], [1.5, -1.5]], [np.eye(2), np.eye(2)])
    return emlab.run_em(gaussian, z, start, max_iter=20, tol=0)


def semi_supervised_run():
    rng = np.random.default_rng(4)
    truth = gaussian.Params([0.5, 0.5], [[0, 0], [3, 3]], np.stack([np.eye(2)] * 2))
    x, z = gaussian.sample(truth, 120, rng)
    labels = np.where(np.arange(120) < 10, z, -1)
    return emlab.run_em(gaussian, x, gaussian.init_random(x, 2, rng), labels=labels, max_iter=5, tol=0)


def images_run():
    rng = np.random.default_rng(0)
    truth = bernoulli.Params([0.3, 0.3, 0.4], rng.uniform(0.05, 0.95, size=(3, 16)))
    x, z = bernoulli.sample(truth, 150, rng)
    return emlab.run_em(bernoulli, x, bernoulli.init_random(x, 3, rng), max_iter=6, tol=0, beta_prior=(2, 2)), z


def images_of_ten_run():
    """Ten components on 8 x 8 digits (notebook 08's K = 10): titles of N_j up to n = 300."""
    frame = emlab.data.load_digits().iloc[:300]
    x = emlab.data.points_x(frame)
    start = bernoulli.init_random(x, 10, np.random.default_rng(0))
    return emlab.run_em(bernoulli, x, start, max_iter=4, tol=0, beta_prior=(2, 2)), frame["digit"].to_numpy()


def missing_normal_run():
    rng = np.random.default_rng(2)
    x = mn.drop_at_random(mn.sample(mn.Params([1.0, -0.5], [[1.0, 0.6], [0.6, 2.0]]), 120, rng), rng)
    return emlab.run_em(mn, x, mn.start(x), tol=1e-10, max_iter=200)


FAITHFUL_NAMES = ["eruption (standardised)", "waiting (standardised)"]
FEATURES = ["feature 1 (x1)", "feature 2 (x2)"]


@pytest.fixture(scope="module")
def runs():
    learned, fixed = coin_runs()
    collapsed, clusters = collapse_run()
    return {"coins": learned, "fixed coins": fixed, "poisson": poisson_run(), "collapse": collapsed,
            "density": emlab.run_em(gaussian, clusters, gaussian.Params([0.5, 0.5], [[-1.0], [1.0]],
                                                                        [[[1.0]], [[1.0]]]), max_iter=6, tol=0),
            "faithful": faithful_run(), "semi-supervised": semi_supervised_run(), "images": images_run(),
            "images of ten": images_of_ten_run(),
            "linkage": emlab.run_em(linkage, np.array([125, 18, 20, 34]), linkage.Params(0.5), tol=1e-12),
            "missing normal": missing_normal_run()}


# Each view kind, with the options the notebooks give it (their figure sizes and dpi).
VIEWS = {
    "CoinsView": ("coins", {}),
    "CoinsLandscapeView": ("fixed coins", {"view": widgets.CoinsLandscapeView}),
    "PoissonView": ("poisson", {}),
    "DensityView": ("density", {}),
    "DensityView in 07's explorer (8 x 2.5 in)": ("density", {"figsize": (8, 2.5)}),
    "CollapseView": ("collapse", {"view": widgets.CollapseView, "component": 2}),
    "EllipseView (03's Bishop run)": ("faithful", {"mass": 1 - np.exp(-0.5), "axis_labels": FAITHFUL_NAMES}),
    "EllipseView in 05's explorer (9.6 x 3 in)": ("semi-supervised", {"axis_labels": FEATURES, "figsize": (9.6, 3.0)}),
    "ElboView of PoissonView": ("poisson", {"view": widgets.ElboView}),
    "ElboView of EllipseView": ("semi-supervised", {"view": widgets.ElboView, "axis_labels": FEATURES}),
    "LinkageView": ("linkage", {"view": widgets.LinkageView}),
    "MissingNormalView": ("missing normal", {"view": widgets.MissingNormalView}),
    "MissingNormalView in 09's animation (72 dpi)": ("missing normal", {"view": widgets.MissingNormalView, "dpi": 72}),
    "MissingNormalView at 100 dpi": ("missing normal", {"view": widgets.MissingNormalView, "dpi": 100}),
    "MeanImagesView": ("images", {}),
    "MeanImagesView without classes": ("images", {"classes": None}),
    "MeanImagesView in 08's stepper (8 x 3.2 in)": ("images", {"figsize": (8, 3.2)}),
    "MeanImagesView of ten components (8 x 3.2 in)": ("images of ten", {"figsize": (8, 3.2)}),
}


def make(runs, name):
    key, options = VIEWS[name]
    options = dict(options)
    history = runs[key]
    if key.startswith("images"):
        history, classes = history
        options.setdefault("classes", classes)
    view = options.pop("view", None)
    return widgets.make_view(history, view, **options)


@pytest.mark.parametrize("name", VIEWS)
def test_every_view_draws_its_text_readable_at_every_half_step(runs, name):
    view = make(runs, name)
    for step in sorted({0, 1, 2, view.steps.last}):
        view.update(step)
        check_readable(view.fig, f"{name}, half-step {step}")
        assert view.smallest_text_px() == plot.smallest_text_px(view.fig)
        assert view.text_size_class() == f"emlab-text-{int(plot.smallest_text_px(view.fig))}px"


def test_a_view_that_takes_other_data_draws_again_at_the_same_size(runs):
    """Clearing the axes resets their labels and ticks from rcParams: the view's text stays
    readable in the figure drawn again (the ticks made after the clear included)."""
    view = make(runs, "EllipseView (03's Bishop run)")
    other = runs["semi-supervised"]
    view.set_history(emlab.run_em(gaussian, other.x, other.params[0], max_iter=3, tol=0))
    check_readable(view.fig, "EllipseView on other data")
    density = make(runs, "DensityView")
    density.set_history(emlab.run_em(gaussian, runs["collapse"].x[:60], gaussian.Params(
        [0.5, 0.5], [[-1.0], [1.0]], [[[1.0]], [[1.0]]]), max_iter=3, tol=0))
    check_readable(density.fig, "DensityView on other data")
    three, classes = runs["images"]
    ten = emlab.run_em(bernoulli, three.x, bernoulli.init_random(three.x, 10, np.random.default_rng(5)),
                       max_iter=2, tol=0, beta_prior=(2, 2))
    images = widgets.stepper(ten, classes=classes, figsize=(8, 3.2)).view
    images.set_history(three)               # another k: a new grid of axes, laid out again
    assert len(images.ax_images) == 3 and images.columns == 3
    check_readable(images.fig, "MeanImagesView of ten, then of three components")


def test_the_text_style_sets_every_text_at_one_size_in_pixels():
    for dpi in (72, 80, 100, 144):
        size = plot.text_points(dpi)
        assert size * dpi / 72 >= MIN_PX and (size - 0.25) * dpi / 72 < MIN_PX    # a quarter point up
        style = plot.text_style(dpi)
        assert {style[k] for k in style if k.endswith("size")} == {size}
    assert plot.text_points(40) == plot.text_points(72) == MIN_PX                # a thumbnail: 17 pt
    before = dict(matplotlib.rcParams)
    with plot.style(100):
        fig = Figure(dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        ax.plot([0, 1], [2, 3], label="a line")
        ax.set(xlabel="x", ylabel="y", title="a title")
        ax.legend()
        fig.text(0.5, 0.99, "a caption", va="top")
    assert dict(matplotlib.rcParams) == before                                   # the block's only
    check_readable(fig, "a figure made in plot.style")
    assert plot.smallest_text_px(fig) == pytest.approx(12.25 * 100 / 72, abs=0.01)
    assert plot.text_size_class(fig) == "emlab-text-17px"
    assert plot.smallest_text_px(Figure()) is None
    with pytest.raises(ValueError, match="dpi must be > 0"):
        plot.text_points(0)


def test_smallest_text_px_counts_only_what_is_drawn():
    fig = Figure(dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.set_xlabel("shown")
    hidden = ax.text(0.5, 0.5, "hidden", fontsize=4)
    hidden.set_visible(False)
    ax.text(0.2, 0.2, "   ", fontsize=5)                       # nothing to read
    legend = ax.legend([ax.plot([0, 1])[0]], ["in a hidden legend"], fontsize=3)
    legend.set_visible(False)
    assert plot.smallest_text_px(fig) == pytest.approx(smallest_px(fig), abs=0.01) == pytest.approx(10 * 100 / 72, abs=0.01)


def test_a_static_figure_says_its_smallest_text_on_its_img():
    with plot.style():
        fig, ax = plt.subplots(figsize=(4, 2))
        ax.plot([0, 1, 2], [0, 1, 4], "o-", label="y = x²")
        ax.legend()
        ax.set_xlabel("x")
    expected = smallest_px(fig)
    shown = figure_with_alt.figure_output(fig, "Three points on a rising curve from 0 to 4.")
    found = re.search(r'<img [^>]*data-smallest-text-px="([0-9.]+)"', shown.html())
    assert found and float(found.group(1)) == pytest.approx(expected, abs=0.01) and expected >= MIN_PX
    assert shown.text_px == pytest.approx(expected, abs=0.01)
    # A figure made without the style says so too: matplotlib's default 10 pt at 100 dpi.
    fig, ax = plt.subplots(figsize=(4, 2), dpi=100)
    ax.plot([0, 1], [0, 1])
    assert 'data-smallest-text-px="13.89"' in figure_with_alt.figure_output(fig, "A rising line from 0 to 1.").html()
    # A figure without any text (an image alone) says "none", and its DOM class too.
    fig, ax = plt.subplots(figsize=(2, 2), dpi=100)
    ax.imshow(np.eye(3))
    ax.set_axis_off()
    assert 'data-smallest-text-px="none"' in figure_with_alt.figure_output(fig, "A 3 by 3 identity image.").html()
    assert plot.text_size_class(fig) == "emlab-text-none"


def test_the_animation_tells_each_frames_smallest_text(runs):
    anim = widgets.animate(runs["poisson"], frames=2)
    player = anim.to_jshtml()
    px = json.loads(re.search(r"px = (\[.*?\]);", player).group(1))
    assert len(px) == len(anim.steps) and px == [anim.text_px[step] for step in anim.steps]
    assert all(value >= MIN_PX for value in px)
    assert 'img.setAttribute("data-smallest-text-px", px[frame])' in player
    reference = widgets.PoissonView(runs["poisson"])
    for step, value in zip(anim.steps, px):
        reference.update(step)
        assert value == pytest.approx(smallest_px(reference.fig), abs=0.01)
    assert re.search(r'<img id="_anim_img\w+" alt="[^"]*">', player)      # the tag itself as before


def test_the_stepper_image_carries_the_smallest_text_as_a_class(runs):
    w = widgets.stepper(runs["coins"])
    assert f"emlab-text-{int(plot.smallest_text_px(w.view.fig))}px" in w.image._dom_classes
    assert sum(c.startswith("emlab-text-") for c in w.image._dom_classes) == 1
