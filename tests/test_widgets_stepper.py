"""emlab.widgets' stepper driven without a browser: set the controls, then read the artists back
and compare them with the History (and with scipy / a fresh E-step where the view computes),
and the caption, the live region and the alt text with the half-steps written out from the
algorithm; colour never the only cue; which view a History gets, and the arguments refused."""
import ipywidgets
import numpy as np
import pytest
from scipy import stats
from scipy.stats import chi2

import emlab
from emlab import gaussian, widgets
from emlab.widgets import halfsteps
from figures import full_draw, pixels, png_of
from widget_fixtures import (coins_stepper, em_in_time_order, expected_caption, gmm_history, gmm_stepper, go,
                             poisson_stepper, shown_resp)


def number(v):
    """As the words say a number: two decimals, one from 100 on, two significant digits below 0.005."""
    text = f"{v:.2g}" if 0 < abs(v) < 0.005 else f"{v:.2f}" if abs(v) < 100 else f"{v:.1f}"
    return text.replace("-", "−")


def numbers(values, decimals=2):
    return "(" + ", ".join(f"{v:.1f}" if decimals == 1 else number(v) for v in values) + ")"


def test_the_controls_step_forward_in_time_e_then_m(gmm_stepper, gmm_history):
    """half-step ▶ from the start to the end, then ◀ half-step back: each half-step shows what
    EM did then, the caption, the live region and the alt text say it, the box counts it."""
    w, h = gmm_stepper, gmm_history
    order = em_in_time_order(h.n_iter)

    def check(i):
        half, t, shown, source = order[i]
        assert w.step == w.half_step.value == i
        np.testing.assert_allclose(w.view.centres.get_offsets(), h.params[shown].means)
        np.testing.assert_allclose(w.view.points.get_facecolors(), shown_resp(h, source) @ w.view.colors,
                                   atol=1e-12)
        assert w.view.caption.get_text() == expected_caption(half, t)
        ell = f"ℓ = {number(h.log_likelihood[shown])}"
        if half == "E":                                 # the E-step's soft counts
            change = "N = " + numbers(h.resp[t].sum(axis=0), 1)
        else:                                           # the parameters (not the covariances)
            p = h.params[shown]
            change = f"π = {numbers(p.weights)}, μ = ({', '.join(numbers(m) for m in p.means)})"
        said = f"{expected_caption(half, t)}; {ell}; {change}"
        assert w.status.value.endswith(f">{said}</div>") and 'role="status" aria-live="polite"' in w.status.value
        assert w.image.tooltip == (f"EM on emlab.gaussian, 200 data points: left, the points (x1 across, "
                                   f"x2 up) coloured by their responsibilities, each in the marker of its "
                                   f"most responsible component, and an ellipse holding 86% of each of the "
                                   f"3 components around its mean (X), each in the component's colour and "
                                   f"line style; right, the log-likelihood at each iteration. Now {said}.")
        marker = w.view.ll_marker
        assert (marker.get_xdata()[0], marker.get_ydata()[0]) == (shown, h.log_likelihood[shown])

    w.show(0)
    assert w.half_step.max == w.play.max == len(order) - 1 == 13
    check(0)
    for i in range(1, len(order)):
        w.forward.click()
        check(i)
    w.forward.click()                                   # at the last half-step: stays there
    check(len(order) - 1)
    for i in reversed(range(len(order) - 1)):
        w.back.click()
        check(i)
    w.back.click()                                      # at the start: stays there
    check(0)


def test_half_step_numbers_name_the_half_steps_in_time_order():
    order = em_in_time_order(6)
    assert [halfsteps.half_step(s) for s in range(len(order))] == [(t, half) for half, t, _, _ in order]
    assert [halfsteps.step_of(t, half) for half, t, _, _ in order[1:]] == list(range(1, len(order)))
    assert halfsteps.last_step(6) == len(order) - 1
    assert [halfsteps.caption(s) for s in range(len(order))] == [expected_caption(half, t) for half, t, _, _ in order]


@pytest.mark.parametrize("t, half", [(0, "E"), (0, "M"), (3, "E"), (3, "M"), (5, "M"), (6, "E")])
def test_gaussian_stepper_shows_history_params_and_resp(gmm_stepper, gmm_history, t, half):
    go(gmm_stepper, t, half)
    view = gmm_stepper.view
    params = gmm_history.params[t + (half == "M")]
    np.testing.assert_allclose([e.get_center() for e in view.ellipses], params.means)
    np.testing.assert_allclose(view.centres.get_offsets(), params.means)
    r2 = chi2.ppf(0.86, df=2)
    for artist, cov in zip(view.ellipses, params.covariances):
        eigenvalues = np.linalg.eigvalsh(cov)
        width_height = 2 * np.sqrt(r2 * eigenvalues[::-1])      # standard deviations, major first
        assert (artist.get_width(), artist.get_height()) == pytest.approx(width_height)
    expected = gmm_history.resp[t] @ view.colors
    np.testing.assert_allclose(view.points.get_facecolors(), expected, atol=1e-12)


def test_half_steps_change_one_thing_at_a_time(gmm_stepper):
    view = gmm_stepper.view
    snapshot = lambda: ([e.get_center() for e in view.ellipses], view.points.get_facecolors().copy())
    go(gmm_stepper, 2, "E")
    centres_e, colours_e = snapshot()
    go(gmm_stepper, 2, "M")
    centres_m, colours_m = snapshot()
    go(gmm_stepper, 3, "E")
    centres_next, colours_next = snapshot()
    # The M-step moves the ellipses only, the next E-step changes the colours only.
    assert colours_e == pytest.approx(colours_m) and centres_e != centres_m
    assert centres_m == centres_next and not np.allclose(colours_m, colours_next)


def test_play_is_a_named_button_over_the_half_steps_and_repeat_a_checkbox(gmm_history):
    w = widgets.stepper(gmm_history, dpi=30)
    assert [c.description for c in w.controls] == ["Play", "Repeat", "◀ half-step", "half-step ▶", "half-step", ""]
    assert isinstance(w.repeat, ipywidgets.Checkbox) and w.play.layout.display == "none"
    assert (w.play.min, w.play.max, w.play.interval) == (0, 2 * gmm_history.n_iter + 1, 1000)
    assert [(link.source, link.target) for link in w.links] == [((w.repeat, "value"), (w.play, "repeat")),
                                                                ((w.half_step, "value"), (w.frames, "selected_index"))]
    assert isinstance(w.links[1], ipywidgets.widgets.widget_link.DirectionalLink)
    w.play_button.click()
    assert w.play.playing and w.play_button.description == "Pause"
    w.play.playing = False                             # as the browser does after the last half-step
    assert w.play_button.description == "Play"
    w.play.value = 5                                   # as a tick of the Play does
    assert w.step == w.half_step.value == 5 and w.view.caption.get_text() == expected_caption("E", 2)
    w.half_step.value = 3                              # typed: the Play goes on from there
    assert w.step == w.play.value == 3 and w.view.caption.get_text() == expected_caption("E", 1)


def test_stepper_png_changes_between_steps_and_controls_are_linked(gmm_stepper, gmm_history):
    w = gmm_stepper
    go(w, 1, "E")
    first = w.image.value
    w.forward.click()
    second = w.image.value
    w.half_step.value = 7
    assert png_of(first)[:8] == b"\x89PNG\r\n\x1a\n" and len({first, second, w.image.value}) == 3
    assert w.image.format == "url" and bytes(w.image.value).startswith(b"data:image/png;base64,")
    assert w.frames in w.children and w.frames.children[w.step] is w.image and w.image.tooltip.endswith(
        f"Now {expected_caption('E', 3)}; ℓ = {number(gmm_history.log_likelihood[3])}; "
        f"N = {numbers(gmm_history.resp[3].sum(axis=0), 1)}.")


def test_poisson_view_shows_scipy_mixture_pmf_and_split_histogram(poisson_stepper):
    w, h = poisson_stepper, poisson_stepper.view.history
    go(w, 2, "E")
    params = h.params[2]
    total, components = w.view.lines
    grid = total.get_xdata()
    pmf = [wj * stats.poisson.pmf(grid, lam) for wj, lam in zip(params.weights, params.rates)]
    np.testing.assert_allclose(total.get_ydata(), np.sum(pmf, axis=0), rtol=1e-12)
    for line, expected in zip(components, pmf):
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-12)
    heights = np.column_stack([bars.heights for bars in w.view.hist])
    for value in (0, 2, 5):
        np.testing.assert_allclose(heights[value], h.resp[2][h.x == value].sum(axis=0) / len(h.x))


def test_coins_view_shows_biases_and_posteriors(coins_stepper):
    w, h = coins_stepper, coins_stepper.view.history
    for t, half in [(1, "E"), (9, "M")]:
        go(w, t, half)
        shown = h.params[t + (half == "M")]
        np.testing.assert_allclose([bar.get_width() for bar in w.view.bias_bars], shown.p)
        assert [text.get_text() for text in w.view.bias_text] == [f"{p:.2f}" for p in shown.p]
        coin_a = list(w.view.bars[0].heights)
        np.testing.assert_allclose(coin_a, h.resp[t][:, 0])
    # Do & Batzoglou (2008), Fig. 1b: after one iteration theta_A = 0.71, theta_B = 0.58.
    go(w, 0, "M")
    assert w.status.value.endswith(f">{expected_caption('M', 0)}; ℓ = {number(h.log_likelihood[1])}; "
                                   "θ = (0.71, 0.58)</div>")            # the weights stay: not said
    assert [text.get_text() for text in w.view.bias_text] == ["0.71", "0.58"]


# ---------------------------------------------------------------- colour never the only cue

def test_each_components_ellipse_is_in_its_colour_and_line_style(gmm_stepper):
    view = gmm_stepper.view
    for ellipse, color, style in zip(view.ellipses, view.colors, emlab.plot.component_linestyles(3)):
        assert ellipse.get_edgecolor() == tuple(color) and ellipse.get_linestyle() == style
    assert len({str(e.get_linestyle()) for e in view.ellipses}) == 3 and "-" not in [e.get_linestyle()
                                                                                       for e in view.ellipses]
    go(gmm_stepper, 1, "E")                    # responsibilities that differ between the points
    paths = {id(p) for p in view.points.get_paths()}
    assert len(paths) > 1                                       # the points' markers: the other cue


def test_coin_biases_are_hatched_as_their_share_of_the_stacks(coins_stepper):
    view = coins_stepper.view
    hatches = emlab.plot.component_hatches(2)
    assert [bar.get_hatch() for bar in view.bias_bars] == [segment.get_hatch() for segment in view.bars] == hatches
    assert [bar.get_facecolor() for bar in view.bias_bars] == [tuple(c) for c in view.colors]
    assert all(bar.get_edgecolor() == (1, 1, 1, 1) for bar in view.bias_bars)
    assert "each coin in its own colour and hatching" in coins_stepper.image.tooltip


def test_histogram_legend_pairs_each_components_bars_with_its_line_above_the_panel(poisson_stepper):
    view = poisson_stepper.view
    total, components = view.lines
    assert view.legend_handles == [(view.hist[0], components[0]), (view.hist[1], components[1]), total]
    legend = view.ax.get_legend()
    assert [t.get_text() for t in legend.texts] == ["component 0", "component 1", "mixture"]
    assert [line.get_linestyle() for line in components] == ["--", ":"] and total.get_linestyle() == "-"
    # Off the data: the legend's box is above the panel (and under the caption).
    renderer = view.fig.canvas.get_renderer()
    box, panel = legend.get_window_extent(renderer), view.ax.get_window_extent(renderer)
    caption = view.caption.get_window_extent(renderer)
    assert box.y0 >= panel.y1 - 1 and box.y1 <= caption.y0 + 1 and box.x1 <= view.fig.bbox.x1
    said = poisson_stepper.image.tooltip
    assert "each in its own line style" in said and "(dashed)" not in said


def test_labelled_points_stay_fixed_while_unlabelled_change_colour():
    rng = np.random.default_rng(4)
    truth = gaussian.Params([0.5, 0.5], [[0, 0], [3, 3]], np.stack([np.eye(2)] * 2))
    x, z = gaussian.sample(truth, 120, rng)
    labels = np.where(np.arange(120) < 10, z, -1)
    h = emlab.run_em(gaussian, x, gaussian.init_random(x, 2, rng), labels=labels, max_iter=4, tol=0)
    w = widgets.stepper(h, dpi=50)
    view = w.view
    labelled = [c for c in view.ax.collections if c is not view.points and c is not view.centres]
    assert len(labelled) == 1
    np.testing.assert_allclose(labelled[0].get_offsets(), x[:10])
    np.testing.assert_allclose(view.points.get_offsets(), x[10:])
    colours = []
    for t in (0, 3):
        go(w, t, "E")
        np.testing.assert_allclose(labelled[0].get_facecolors(), view.colors[z[:10]])
        colours.append(view.points.get_facecolors().copy())
    assert not np.allclose(*colours)
    assert labelled[0].get_paths()[0] != view.points.get_paths()[0]          # another marker
    np.testing.assert_array_equal(pixels(w.image.value), full_draw(view))


def test_responsibilities_not_kept_are_recomputed_by_an_e_step(gmm_history):
    h = emlab.run_em(gaussian, gmm_history.x, gmm_history.params[0], max_iter=4, tol=0, keep_resp=False)
    assert h.resp[2] is None
    view = widgets.EllipseView(h, dpi=50)
    view.update(5)                                      # iteration 2's E-step
    resp, _ = emlab.e_step(gaussian, h.x, h.params[2])
    np.testing.assert_allclose(view.points.get_facecolors(), resp @ view.colors, atol=1e-12)


def test_one_dimensional_gaussian_view_draws_scipy_densities():
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.normal(0, 1, 150), rng.normal(4, 0.5, 100)])[:, None]
    h = emlab.run_em(gaussian, x, gaussian.init_random(x, 2, rng), max_iter=5, tol=0)
    view = widgets.default_view(h)(h, dpi=50)
    view.update(6)                                      # iteration 2's M-step: theta^(3)
    total, _ = view.lines
    p = h.params[3]
    grid = total.get_xdata()
    expected = sum(w * stats.norm.pdf(grid, m[0], np.sqrt(c[0, 0]))
                   for w, m, c in zip(p.weights, p.means, p.covariances))
    np.testing.assert_allclose(total.get_ydata(), expected, rtol=1e-10)
    np.testing.assert_array_equal(pixels(view.png()), full_draw(view))


def test_bad_arguments_are_named(gmm_history, coins_stepper):
    view = coins_stepper.view
    with pytest.raises(ValueError, match=r"step must be a half-step 0..21 \(the start, then the E-step and "
                                         r"the M-step of each iteration 0..10\), got 22"):
        view.update(22)
    with pytest.raises(TypeError, match="step must be an int"):
        coins_stepper.show(1.5)
    with pytest.raises(ValueError, match='half must be "E" or "M"'):
        halfsteps.step_of(1, "e")
    with pytest.raises(TypeError, match="CoinsView cannot show this History of emlab.gaussian: "
                                        "it draws coin biases params.p"):
        widgets.CoinsView(gmm_history)
    with pytest.raises(TypeError, match=r"EllipseView cannot show .* x \(n, d\) with d >= 2"):
        widgets.EllipseView(emlab.run_em(gaussian, gmm_history.x[:, :1], gaussian.init_random(
            gmm_history.x[:, :1], 2, 0), max_iter=2, tol=0))
    with pytest.raises(TypeError, match="need a View class"):
        widgets.stepper(view.history, view=view, dpi=50)
    with pytest.raises(TypeError, match="history must be an emlab.History"):
        widgets.stepper("not a history")
    with pytest.raises(ValueError, match="dims must be two different coordinates"):
        widgets.EllipseView(gmm_history, dims=(0, 0))


# ---------------------------------------------------------------- recomputed responsibilities

def test_recomputed_responsibilities_are_bounded(gmm_history):
    """Above 20,000 points History keeps only the last responsibilities; the view recomputes
    the others by an E-step and keeps only the last few of those (not one (n, k) per step)."""
    h = emlab.run_em(gaussian, gmm_history.x, gmm_history.params[0], max_iter=9, tol=0, keep_resp=False)
    view = widgets.EllipseView(h, dpi=30)
    for t in range(h.n_iter + 1):
        view.update(2 * t + 1)                          # iteration t's E-step
        assert len(view.steps._recomputed) <= halfsteps.RECOMPUTED_KEPT
    for t in (0, 5, 1):                                 # evicted ones are recomputed, correctly
        view.update(2 * t + 2)                          # iteration t's M-step: its E-step's resp
        resp, _ = emlab.e_step(gaussian, h.x, h.params[t])
        np.testing.assert_allclose(view.points.get_facecolors(), resp @ view.colors, atol=1e-12)
        assert view.announcement() == view.announcement(2 * t + 2)      # the words from the same resp


# ---------------------------------------------------------------- the registry

def test_default_view_comes_from_the_registry(gmm_history):
    one_d = emlab.run_em(gaussian, gmm_history.x[:, :1], gaussian.init_random(gmm_history.x[:, :1], 2, 0),
                         max_iter=2, tol=0)
    assert widgets.default_view(gmm_history) is widgets.EllipseView
    assert widgets.default_view(one_d) is widgets.DensityView

    class MyParams(gaussian.Params):
        pass

    class MyView(widgets.EllipseView):
        pass

    mine = emlab.History(model=gaussian, x=gmm_history.x, labels=None,
                         params=[MyParams(p.weights, p.means, p.covariances) for p in gmm_history.params], log_likelihood=gmm_history.log_likelihood,
                         stats=gmm_history.stats, n_iter=gmm_history.n_iter)
    assert widgets.default_view(mine) is widgets.EllipseView        # a subclass finds its base's view
    widgets.register_view(MyParams, MyView)
    try:
        assert widgets.default_view(mine) is MyView
        assert widgets.default_view(gmm_history) is widgets.EllipseView
    finally:
        widgets.registry._VIEWS.remove((MyParams, MyView))
    with pytest.raises(TypeError, match="view must be a View subclass"):
        widgets.register_view(gaussian, "EllipseView")
    with pytest.raises(TypeError, match="model_or_params must be a model"):
        widgets.register_view(None, MyView)


def test_the_starting_ellipses_are_not_cut_by_the_axes():
    """A start whose circles reach past the data (Bishop's start on standardised data): the
    axes hold every starting ellipse, measured on the drawn patch itself."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(150, 2)) * 0.6
    start = gaussian.Params([0.5, 0.5], [[-1.0, 1.0], [1.0, -1.0]], np.stack([np.eye(2)] * 2))
    view = widgets.EllipseView(emlab.run_em(gaussian, x, start, max_iter=2, tol=0), dpi=30)
    view.update(0)
    (x0, x1), (y0, y1) = view.ax.get_xlim(), view.ax.get_ylim()
    for patch in view.ellipses:
        box = patch.get_path().transformed(patch.get_patch_transform()).get_extents()
        assert x0 <= box.x0 and box.x1 <= x1 and y0 <= box.y0 and box.y1 <= y1
    assert x1 - x0 > np.ptp(x[:, 0]) + 0.5       # wider than the data alone: the circles reach out
