"""MeanImagesView (emlab.widgets.images) driven without a browser: step the stepper, then read
the artists back and compare them with the History's parameters and with responsibilities
computed here from scipy.stats.bernoulli (not from emlab's E-step)."""
import base64
import re

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from scipy import stats
from scipy.special import softmax

import emlab
import emlab.data
from emlab import bernoulli, gaussian, widgets
from figures import full_draw, pixels

# (half-step, the params shown, the E-step whose responsibilities are shown, the caption), in
# the order EM runs: the start, then each iteration t's E-step (at params[t]) and M-step
# (params[t + 1] from those responsibilities).
HALF_STEPS = [(0, 0, None, "θ⁽⁰⁾, the start"),
              (1, 0, 0, "iteration 0, E-step: responsibilities at θ⁽⁰⁾"),
              (2, 1, 0, "iteration 0, M-step: θ⁽¹⁾"),
              (3, 1, 1, "iteration 1, E-step: responsibilities at θ⁽¹⁾"),
              (10, 5, 4, "iteration 4, M-step: θ⁽⁵⁾"),
              (13, 6, 6, "iteration 6, E-step: responsibilities at θ⁽⁶⁾")]


@pytest.fixture(scope="module")
def history_and_classes():
    """EM on 4x4 binary images from three components; the true component is the class."""
    rng = np.random.default_rng(0)
    truth = bernoulli.Params([0.3, 0.3, 0.4], rng.uniform(0.05, 0.95, size=(3, 16)))
    x, z = bernoulli.sample(truth, 150, rng)
    start = bernoulli.init_random(x, 3, rng)
    return emlab.run_em(bernoulli, x, start, max_iter=6, tol=0, beta_prior=(2, 2)), z


@pytest.fixture(scope="module")
def stepper(history_and_classes):
    history, z = history_and_classes
    return widgets.stepper(history, classes=z + 5, dpi=50)        # classes 5, 6, 7


def posterior(x, params):
    """r_ij from scipy.stats.bernoulli log-pmfs (Bishop eq. 9.56)."""
    log_joint = np.log(params.weights) + np.stack(
        [stats.bernoulli.logpmf(x, mean).sum(axis=1) for mean in params.means], axis=1)
    return softmax(log_joint, axis=1)


def shown_resp(h, source):
    """The responsibilities at params[source]; before the first E-step (None) every point at the
    start's weights."""
    return posterior(h.x, h.params[source]) if source is not None else np.tile(h.params[0].weights, (len(h.x), 1))


def expected_texts(h, shown, source, classes):
    resp = shown_resp(h, source)
    nk = resp.sum(axis=0)
    titles = [rf"$\pi$ {w:.2f}" "\n" rf"$N$ {n:.0f}" for w, n in zip(h.params[shown].weights, nk)]
    labels = []
    for j in range(resp.shape[1]):
        share = {c: resp[classes == c, j].sum() / nk[j] for c in np.unique(classes)}
        top = max(share, key=share.get)
        labels.append(f"{top}: {share[top]:.0%}")
    return titles, labels


def test_default_view_of_a_bernoulli_history_is_mean_images(history_and_classes):
    history, _ = history_and_classes
    assert widgets.default_view(history) is widgets.MeanImagesView


def test_stepper_moves_the_same_artists_to_each_half_step(stepper, history_and_classes):
    h, z = history_and_classes
    view = stepper.view
    artists = [*view.images, *view.titles, *view.class_labels, view.ll_marker]
    for step, shown, source, caption in HALF_STEPS:
        stepper.half_step.value = step
        assert [*view.images, *view.titles, *view.class_labels, view.ll_marker] == artists
        assert all(a is b for a, b in zip([*view.images, *view.titles, *view.class_labels], artists))
        for image, mean in zip(view.images, h.params[shown].means):
            np.testing.assert_array_equal(image.get_array(), mean.reshape(4, 4))
        titles, labels = expected_texts(h, shown, source, z + 5)
        assert [title.get_text() for title in view.titles] == titles
        assert [label.get_text() for label in view.class_labels] == labels
        assert (view.ll_marker.get_xdata()[0], view.ll_marker.get_ydata()[0]) == (shown, h.log_likelihood[shown])
        assert view.caption.get_text() == caption
        said = stepper.status.value
        assert caption in said and ("N = (" in said) == (step % 2 == 1) and ("π = (" in said) == (step % 2 == 0)
        assert stepper.image.tooltip.startswith("EM on emlab.bernoulli, 150 data points: left, the mean of each "
                                                "of the 3 components as a grey image of 4 by 4 pixels")


def test_text_is_black_and_the_frames_in_the_component_colours(stepper):
    """Text needs 4.5:1 against white, which #009E73 and #CC79A7 miss: titles and class labels in
    black; the frame (a mark, 3:1) keeps its colour.  Component j is the j-th image, left to right
    (the alt text says so), so its title need not name it: short enough for 17 px text."""
    view = stepper.view
    stepper.show(3)
    lefts = [ax.get_position().x0 for ax in view.ax_images]
    assert lefts == sorted(lefts) and view.columns == 3
    for ax, title, label, color in zip(view.ax_images, view.titles, view.class_labels, view.colors):
        assert to_rgba(title.get_color()) == to_rgba(label.get_color()) == to_rgba("black")
        assert all(to_rgba(spine.get_edgecolor()) == tuple(color) for spine in ax.spines.values())
    assert ("components 0 to 2 left to right, each framed in the component's colour, with its weight π_j "
            "and its soft count N_j above it" in stepper.image.tooltip)
    assert "under it the class with the largest share of N_j and that share" in stepper.image.tooltip


def test_e_half_step_changes_counts_not_images(stepper):
    view = stepper.view
    stepper.show(4)                                     # iteration 1's M-step: theta^(2)
    images_m = [image.get_array().copy() for image in view.images]
    titles_m = [title.get_text() for title in view.titles]
    stepper.forward.click()                             # iteration 2's E-step
    assert all(np.array_equal(a, image.get_array()) for a, image in zip(images_m, view.images))
    assert [title.get_text() for title in view.titles] != titles_m
    stepper.forward.click()                             # iteration 2's M-step: theta^(3)
    assert not all(np.array_equal(a, image.get_array()) for a, image in zip(images_m, view.images))


def test_fast_render_equals_a_whole_figure_draw(stepper):
    for step in (2, 5, 13):
        stepper.show(step)
        np.testing.assert_array_equal(pixels(stepper.image.value), full_draw(stepper.view))


def test_digit_pixels_land_where_the_csv_columns_say():
    """K = 1 with a Beta(2, 2) prior: mu_d = (ones in column d + 1) / (n + 2), pixel p{r}{c} at row r, column c."""
    frame = emlab.data.load_digits().iloc[:200]
    x = emlab.data.points_x(frame)
    h = emlab.run_em(bernoulli, x, bernoulli.Params([1.0], np.full((1, 64), 0.5)), max_iter=1, tol=0,
                     beta_prior=(2, 2))
    view = widgets.MeanImagesView(h, dpi=40)
    view.update(2)                                      # iteration 0's M-step: theta^(1)
    image = view.images[0].get_array()
    for r, c in [(0, 0), (2, 5), (4, 3), (7, 6)]:
        assert image[r, c] == pytest.approx((frame[f"p{r}{c}"].sum() + 1) / (len(frame) + 2), rel=1e-12)


def test_ten_components_in_two_rows_and_set_history_with_another_k(history_and_classes):
    """At the views' dpi (80) ten components in two rows of five; in a thumbnail (40 dpi, where the
    text keeps 17 pt and so takes twice the share of the figure) the titles need fewer columns."""
    h, z = history_and_classes
    x = h.x
    ten = emlab.run_em(bernoulli, x, bernoulli.init_random(x, 10, np.random.default_rng(1)), max_iter=3, tol=0,
                       beta_prior=(2, 2))
    thumbnail = widgets.MeanImagesView(ten, classes=z, dpi=40)
    assert thumbnail.columns < 5 and len({round(ax.get_position().y0, 3) for ax in thumbnail.ax_images}) == 3
    w = widgets.stepper(ten, classes=z)
    view, fig = w.view, w.view.fig
    rows = sorted({round(ax.get_position().y0, 3) for ax in view.ax_images})
    assert len(view.ax_images) == 10 and len(rows) == 2 and view.columns == 5
    assert "components 0 to 9 left to right in rows of 5" in view.drawing()
    w.set_history(h)
    assert w.view is view and view.fig is fig and len(view.ax_images) == 3 and len(fig.axes) == 4
    w.show(8)                                           # iteration 3's M-step: theta^(4)
    for image, mean in zip(view.images, h.params[4].means):
        np.testing.assert_array_equal(image.get_array(), mean.reshape(4, 4))
    np.testing.assert_array_equal(pixels(w.image.value), full_draw(view))


def test_columns_fit_the_figure_or_are_given(history_and_classes):
    """The images as large as the figure leaves them (its size kept): three in a row; or in the
    columns asked for, row after row, the same size each."""
    h, z = history_and_classes
    auto = widgets.MeanImagesView(h, classes=z)
    given = widgets.MeanImagesView(h, classes=z, columns=2)
    assert auto.columns == 3 and given.columns == 2
    sizes = {(view.fig.bbox.width, view.fig.bbox.height) for view in (auto, given)}
    assert sizes == {(640, 280)}                        # 8 x 3.5 in at 80 dpi, as before
    boxes = [ax.get_position() for ax in given.ax_images]
    assert boxes[0].y0 == boxes[1].y0 > boxes[2].y0 and boxes[0].x0 == boxes[2].x0 < boxes[1].x0
    assert len({round(b.width, 9) for b in boxes}) == 1 and boxes[0].width < auto.ax_images[0].get_position().width
    assert "components 0 to 2 left to right in rows of 2" in given.drawing()


def test_animation_frames_are_the_views_half_steps(history_and_classes):
    h, _ = history_and_classes
    anim = widgets.animate(h, frames=[0, 3], dpi=40)
    assert isinstance(anim.view, widgets.MeanImagesView)
    frames = re.findall(r'data:image/png;base64,([^"]+)"', anim.to_jshtml())
    reference = widgets.MeanImagesView(h, dpi=40)
    steps = [0, 1, 2, 7, 8]              # the start, iterations 0 and 3: E-step, M-step
    assert len(frames) == len(steps)
    for frame, step in zip(frames, steps):
        reference.update(step)
        np.testing.assert_array_equal(pixels(base64.b64decode(frame)), full_draw(reference))


def test_bad_arguments_are_named(history_and_classes):
    h, z = history_and_classes
    with pytest.raises(ValueError, match=r"image_shape must be \(h, w\) with h \* w = d = 16, got \(3, 5\)"):
        widgets.MeanImagesView(h, image_shape=(3, 5))
    with pytest.raises(ValueError, match=r"classes must give one class per point \(n = 150\), got 149"):
        widgets.MeanImagesView(h, classes=z[:-1])
    wide = emlab.run_em(bernoulli, h.x[:, :12], bernoulli.init_random(h.x[:, :12], 2, np.random.default_rng(2)),
                        max_iter=1, tol=0, beta_prior=(2, 2))
    with pytest.raises(ValueError, match=r"d = 12 pixels is not a square image: pass image_shape"):
        widgets.MeanImagesView(wide)
    assert widgets.MeanImagesView(wide, image_shape=(3, 4), dpi=30).images[0].get_array().shape == (3, 4)
    rng = np.random.default_rng(3)
    points = rng.normal(size=(40, 2))
    gmm = emlab.run_em(gaussian, points, gaussian.init_random(points, 2, rng), max_iter=2, tol=0)
    with pytest.raises(TypeError, match="MeanImagesView cannot show this History of emlab.gaussian: "
                                        "it draws component means"):
        widgets.MeanImagesView(gmm)
