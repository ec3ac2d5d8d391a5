"""How emlab.widgets draws, without a browser: each half-step's PNG equals, pixel for pixel, a
whole draw of the figure (savefig), though a step draws again only the moving artists (an axes
that changes alone, the whole figure where an axes cannot be drawn alone) and the same picture
is not encoded again; another History in the same figure, a message instead of it; an
animation's frames against the views' half-steps written out from the algorithm; no pyplot
figure, and no import that a part does not need."""
import base64
import html
import json
import re
import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation

import emlab
from emlab import gaussian, plot, widgets
from figures import full_draw, pixels
from widget_fixtures import (coins_stepper, em_in_time_order, expected_caption, gmm_history, gmm_stepper, go,
                             poisson_stepper, shown_resp)


@pytest.mark.parametrize("name", ["gmm_stepper", "poisson_stepper", "coins_stepper"])
def test_fast_render_equals_a_whole_figure_draw(request, name):
    w = request.getfixturevalue(name)
    for t, half in [(1, "M"), (2, "E")]:
        go(w, t, half)
        np.testing.assert_array_equal(pixels(w.image.value), full_draw(w.view))


@pytest.mark.parametrize("name", ["gmm_stepper", "poisson_stepper", "coins_stepper"])
def test_a_step_redraws_only_the_moving_artists(request, name, monkeypatch):
    w = request.getfixturevalue(name)
    go(w, 0, "E")
    whole_draws = []
    monkeypatch.setattr(w.view.fig.canvas, "draw", lambda: whole_draws.append(1))
    for t, half in [(1, "M"), (1, "E"), (2, "M")]:
        go(w, t, half)
    assert whole_draws == []


def test_custom_view_with_an_unregistered_artist_still_renders_correctly(gmm_history):
    class MeansView(widgets.View):
        def draw_state(self, params, resp):
            (self.line,) = self.ax.plot(*params.means.T, "o")     # not registered as moving
            self.ax.set(xlim=(-5, 8), ylim=(-5, 8))

        def update_state(self, params, resp):
            self.line.set_data(*params.means.T)

    w = widgets.stepper(gmm_history, view=MeansView, dpi=50)
    go(w, 4, "E")
    np.testing.assert_allclose(np.column_stack(w.view.line.get_data()), gmm_history.params[4].means)
    np.testing.assert_array_equal(pixels(w.image.value), full_draw(w.view))


class ZoomingView(widgets.View):
    """The means, on a model panel whose y limits change at every half-step: 0 to 1, then 0 to
    100,000, so that its tick labels widen and narrow (the axes, not registered, goes stale)."""

    def draw_state(self, params, resp):
        (self.line,) = self.ax.plot(*params.means.T, "o")
        self.moving(self.line)
        self.zoom()

    def update_state(self, params, resp):
        self.line.set_data(*params.means.T)
        self.zoom()

    def zoom(self):
        self.ax.set_ylim(0, 10.0 ** (5 * (self.step % 2)))


def counting_whole_draws(view, monkeypatch):
    """A list that gets an entry at each whole draw of ``view``'s figure."""
    whole_draws, draw = [], view.fig.canvas.draw
    monkeypatch.setattr(view.fig.canvas, "draw", lambda: whole_draws.append(1) or draw())
    return whole_draws


def assert_steps_equal_whole_draws(w, steps, reference):
    """Each half-step of ``steps`` in stepper ``w`` equals, pixel for pixel, a whole draw of
    ``reference``, a view of its own showing the same (saving ``w.view``'s figure would draw it
    whole)."""
    for step in steps:
        w.show(step)
        reference.update(step)
        np.testing.assert_array_equal(pixels(w.image.value), full_draw(reference))


def test_an_axes_that_changes_is_drawn_again_alone(gmm_history, monkeypatch):
    w = widgets.stepper(gmm_history, view=ZoomingView, dpi=50)
    w.show(1)                          # the first change draws the whole figure and measures its axes
    whole_draws = counting_whole_draws(w.view, monkeypatch)
    assert_steps_equal_whole_draws(w, [2, 3, 4, 5, 4, 0], ZoomingView(gmm_history, dpi=50))
    assert whole_draws == []


def test_the_elbo_views_zooming_panel_is_drawn_again_alone(poisson_stepper, monkeypatch):
    h = poisson_stepper.view.history
    w = widgets.stepper(h, view=widgets.ElboView)
    w.show(1)
    whole_draws = counting_whole_draws(w.view, monkeypatch)
    assert_steps_equal_whole_draws(w, [2, 3, 6, 5], widgets.ElboView(h))
    assert whole_draws == []


def test_a_rerun_on_the_same_data_draws_again_only_the_axes_it_changes(gmm_history, monkeypatch):
    w, reference = widgets.stepper(gmm_history), widgets.EllipseView(gmm_history)
    for seed, n_iter in [(7, 3), (8, 5)]:       # each changes the log-likelihood axis
        if seed == 8:
            whole_draws = counting_whole_draws(w.view, monkeypatch)
        other = rerun(gmm_history, seed=seed, max_iter=n_iter)
        w.set_history(other)
        reference.set_history(other)
    assert_steps_equal_whole_draws(w, [w.step, 2], reference)
    assert whole_draws == []


class ZoomingNextToTheLogLikelihood(ZoomingView):
    """ZoomingView with the log-likelihood panel 2 % of the figure's width to the right of the
    model's, its ticks and label on its right: too close to draw one panel alone."""

    def make_axes(self):
        self.ax, self.ax_ll = self.fig.add_axes((0.1, 0.2, 0.42, 0.6)), self.fig.add_axes((0.54, 0.2, 0.36, 0.6))
        self.ax_ll.yaxis.tick_right()
        self.ax_ll.yaxis.set_label_position("right")


@pytest.mark.filterwarnings("ignore:This figure includes Axes that are not compatible with tight_layout")
@pytest.mark.parametrize("case", ["axes too close", "a title of the figure's own"])
def test_an_axes_that_cannot_be_drawn_alone_is_drawn_with_the_whole_figure(gmm_history, monkeypatch, case):
    view_class = ZoomingNextToTheLogLikelihood if case == "axes too close" else ZoomingView
    w, reference = widgets.stepper(gmm_history, view=view_class, dpi=50), view_class(gmm_history, dpi=50)
    if case == "a title of the figure's own":
        for fig in (w.view.fig, reference.fig):
            fig.suptitle("a title of the figure's own", y=0.5)
    w.show(1)
    whole_draws = counting_whole_draws(w.view, monkeypatch)
    assert_steps_equal_whole_draws(w, [2, 3], reference)
    assert len(whole_draws) == 2


def test_the_same_picture_again_is_not_encoded_again(gmm_history):
    view = widgets.EllipseView(gmm_history, dpi=30)
    first = view.png()
    assert view.png() is first                          # nothing changed: the same bytes
    view.update(1)
    second = view.png()
    view.update(0)
    assert second != first and view.png() == first


def test_animation_frames_are_the_views_half_steps_in_time_order(gmm_history):
    anim = widgets.animate(gmm_history, frames=[0, 4], dpi=40)
    assert isinstance(anim, FuncAnimation)
    shown = [i for i, (_, t, _, _) in enumerate(em_in_time_order(gmm_history.n_iter)) if t in (0, 4)]
    player = anim.to_jshtml()
    frames = re.findall(r'data:image/png;base64,([^"]+)"', player)
    assert anim.steps == shown == [0, 1, 2, 9, 10] and len(frames) == len(shown)
    reference = widgets.EllipseView(gmm_history, dpi=40)
    alts = json.loads(re.search(r"alts = (\[.*?\]), steps", player).group(1))
    for frame, alt, step in zip(frames, alts, shown):
        reference.update(step)
        np.testing.assert_array_equal(pixels(base64.b64decode(frame)), full_draw(reference))
        assert alt == reference.alt_text()
    # Named and described for a screen reader; it plays once.
    first = html.escape(alts[0])
    assert re.search(rf'<img id="_anim_img\w+" alt="{re.escape(first)}">', player)
    assert re.search(r'<input id="_anim_slider\w+" type="range" aria-label="half-step" '
                     r'aria-valuetext="θ⁽⁰⁾, the start"', player)
    assert re.search(r'value="once" id="_anim_radio1_\w+"\s+checked>', player)
    assert all(re.search(rf'<button title="{name}" aria-label="{name}"', player)
               for name in ("Play", "Pause", "Next frame", "Previous frame"))


def test_animation_steps_subsample_iterations():
    assert widgets.animation_steps(3) == list(range(8))             # the start, E, M, ..., the last E
    many = widgets.animation_steps(100)
    assert len(many) <= widgets.MAX_FRAMES and many[:3] == [0, 1, 2] and many[-1] == 201
    evenly = widgets.animation_steps(100, frames=5, half_steps=False)
    assert evenly == [2 * t + 1 for t in (0, 25, 50, 75, 100)]       # their E-steps
    assert widgets.animation_steps(6, frames=[2, 6]) == [0, 5, 6, 13]
    with pytest.raises(ValueError, match="frames must be iterations in 0..3"):
        widgets.animation_steps(3, frames=[0, 4])


def test_no_pyplot_figure_is_opened(gmm_history):
    before = plt.get_fignums()
    widgets.stepper(gmm_history, dpi=30)
    widgets.animate(gmm_history, frames=2, dpi=30).to_jshtml()
    assert plt.get_fignums() == before


def assert_pictures(w, reference):
    """Each picture drawn is its own half-step's figure (a whole draw of ``reference`` at that
    half-step) with its alt text and text-size class."""
    for step, image in w.drawn.items():
        reference.update(step)
        np.testing.assert_array_equal(pixels(image.value), full_draw(reference), err_msg=f"half-step {step}")
        assert image.tooltip == reference.alt_text(step)
        assert image._dom_classes == (plot.text_size_class(reference.fig), f"emlab-half-step-{step}")
        assert (image.width, image.height) == tuple(str(n) for n in reference.fig.canvas.get_width_height())


def test_each_picture_is_drawn_once_with_the_ones_beside_the_half_step_shown(gmm_history):
    w = widgets.stepper(gmm_history, dpi=30)
    last = w.view.steps.last
    assert sorted(w.drawn) == [0, 1] and w.frames.selected_index == 0
    w.half_step.value = 5                              # typed: drawn, and 4 and 6 ahead
    assert sorted(w.drawn) == [0, 1, 4, 5, 6] and w.frames.selected_index == w.step == 5
    # A half-step not drawn holds the picture of the nearest drawn before it.
    nearest = [0, 1, 1, 1, 4, 5, *[6] * (last - 5)]
    assert list(w.frames.children) == [w.drawn[s] for s in nearest]
    assert_pictures(w, type(w.view)(gmm_history, dpi=30))      # a view of its own
    kept = dict(w.drawn)
    w.forward.click()
    assert w.image is kept[6] and sorted(w.drawn) == [0, 1, 4, 5, 6, 7]      # 6 not drawn again
    assert all(w.drawn[s] is kept[s] for s in kept)
    w.half_step.value = last
    assert sorted(w.drawn)[-2:] == [last - 1, last] and w.frames.children[-1] is w.image

    # Another History: every picture drawn again, on the same images, from the one shown.
    other = rerun(gmm_history, seed=7, max_iter=2)
    images = set(w.drawn.values())
    w.set_history(other, step=0)
    assert sorted(w.drawn) == [0, 1] and set(w.drawn.values()) <= images
    assert len(w.frames.children) == 2 * other.n_iter + 2 and w.frames.selected_index == 0
    assert_pictures(w, w.view)          # the same view, which took the history in place
    # Rerun after rerun, the images are those of the first history: none made, none lost.
    for step in (3, 1, 5):
        w.set_history(other if step % 2 else gmm_history, step=step)
        assert set(w.drawn.values()) <= images


# ---------------------------------------------------------------- another History, a message

def rerun(history, seed, x=None, **options):
    x = history.x if x is None else x
    return emlab.run_em(gaussian, x, gaussian.init_random(x, history.params[0].k, seed), tol=0, **options)


def assert_shows(w, h, step):
    """The stepper shows half-step ``step`` of h (as em_in_time_order says), and blitting equals
    a whole draw."""
    view, (half, t, shown, source) = w.view, em_in_time_order(h.n_iter)[step]
    assert w.step == w.half_step.value == step and w.half_step.max == w.play.max == 2 * h.n_iter + 1
    np.testing.assert_allclose([e.get_center() for e in view.ellipses], h.params[shown].means)
    np.testing.assert_allclose(view.points.get_facecolors(), shown_resp(h, source) @ view.colors,
                               atol=1e-12)
    np.testing.assert_array_equal(view.ll_line.get_ydata(), h.log_likelihood)
    assert (view.ll_marker.get_xdata()[0], view.ll_marker.get_ydata()[0]) == (shown, h.log_likelihood[shown])
    assert w.view.caption.get_text() == expected_caption(half, t) and expected_caption(half, t) in w.status.value
    np.testing.assert_array_equal(pixels(w.image.value), full_draw(view))


def test_set_history_on_the_same_data_moves_the_artists_in_place(gmm_history):
    w = widgets.stepper(gmm_history, dpi=50)
    go(w, 5, "M")
    view, fig, ellipses, points = w.view, w.view.fig, w.view.ellipses, w.view.points
    other = rerun(gmm_history, seed=7, max_iter=3)
    w.set_history(other)
    assert w.view is view and view.fig is fig and view.history is other
    assert view.ellipses == ellipses and view.points is points              # the same artists
    assert_shows(w, other, 7)                                               # its last half-step
    go(w, 1, "E")
    assert_shows(w, other, 3)
    assert view.ax_ll.get_xlim()[1] < 4                                   # the axis fits 3 iterations


def test_set_history_on_other_data_draws_again_in_the_same_figure(gmm_history):
    w = widgets.stepper(gmm_history, dpi=50)
    fig = w.view.fig
    x = gmm_history.x[:120] * 2.0
    other = rerun(gmm_history, seed=8, x=x, max_iter=8)
    w.set_history(other)
    assert w.view.fig is fig
    np.testing.assert_allclose(w.view.points.get_offsets(), x)
    assert_shows(w, other, 0)
    go(w, 7, "M")
    assert_shows(w, other, 16)
    w.set_history(gmm_history, step=3)
    assert_shows(w, gmm_history, 3)


def test_set_history_of_another_model_makes_its_view(gmm_history, poisson_stepper):
    w = widgets.stepper(gmm_history, dpi=50)
    w.set_history(poisson_stepper.view.history)
    assert isinstance(w.view, widgets.PoissonView) and w.half_step.max == 11 and w.view.fig.dpi == 50
    np.testing.assert_array_equal(pixels(w.image.value), full_draw(w.view))


def test_show_message_replaces_the_figure_until_cleared(gmm_history):
    w = widgets.stepper(gmm_history, dpi=50)
    w.show_message("EM stopped: component 2 collapsed at iteration 4 <N_2 = 1>")
    assert "component 2 collapsed at iteration 4 &lt;N_2 = 1&gt;" in w.message.value
    assert w.frames.layout.display == "none" and w.message.layout.display is None
    assert all(control.disabled for control in w.controls) and not w.play.playing
    assert w.status.value.endswith(">EM stopped: component 2 collapsed at iteration 4 &lt;N_2 = 1&gt;</div>")
    w.clear_message()
    assert w.frames.layout.display is None and w.message.layout.display == "none"
    assert not any(control.disabled for control in w.controls)
    w.show_message("again")
    w.set_history(rerun(gmm_history, seed=9, max_iter=2))                   # a new History clears it
    assert w.frames.layout.display is None and w.message.value == ""


# ---------------------------------------------------------------- what each part imports

@pytest.mark.parametrize("blocked, code", [
    ("matplotlib", "import emlab.widgets.halfsteps as m; print(m.animation_steps(2, frames=2))"),
    ("ipywidgets", "import numpy as np, emlab; from emlab import poisson; from emlab.widgets import animate\n"
                   "h = emlab.run_em(poisson, np.arange(20) % 7, poisson.Params([.5, .5], [1., 5.]), max_iter=2)\n"
                   "print(len(animate(h, frames=1, dpi=20).to_jshtml()) > 0)"),
])
def test_each_part_loads_without_what_it_does_not_need(blocked, code):
    script = f"import sys; sys.modules[{blocked!r}] = None\n{code}"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
