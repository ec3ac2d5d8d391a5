"""emlab.widgets.CollapseView (notebook 07's stepper and animation): DensityView plus a panel
with one component's variance at every iteration, the current one marked."""
import inspect

import numpy as np
import pytest
from matplotlib.colors import same_color
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

import emlab
from emlab import gaussian, poisson, widgets
from figures import collapse_error, full_draw, pixels


@pytest.fixture(scope="module")
def collapse():
    """Notebook 07's bad start: component 2 on an outlier, variance 0.5; it collapses."""
    return collapse_error()[0]


def show(view, t):
    """Move ``view`` to the E-step at ``params[t]`` (``update(step)``, or the older
    ``update(t, half)``)."""
    if len(inspect.signature(view.update).parameters) == 2:
        view.update(t, "E")
    else:
        view.update(2 * t + 1)
    assert view.t == t


def test_the_variance_panel_follows_the_steps(collapse):
    h, j = collapse.history, collapse.component
    view = widgets.CollapseView(h, component=j, dpi=30)
    variances = [p.covariances[j, 0, 0] for p in h.params]
    assert np.allclose(view.variances, variances)
    assert view.ax_var.get_yscale() == "log"
    assert np.allclose(view.var_line.get_ydata(), variances)
    for t in [0, 3, h.n_iter]:
        show(view, t)
        assert view.var_marker.get_xdata()[0] == t and np.isclose(view.var_marker.get_ydata()[0], variances[t])
        assert view.var_text.get_text() == f"$\\sigma^2_{j}$ = {variances[t]:.1e}"
        assert np.array_equal(pixels(view.png()), full_draw(view))      # blitting keeps up
    # the curves are evaluated on the collapsing mean itself, so the spike is drawn whole
    assert h.params[-1].means[j, 0] in view.grid[:, 0]


def test_another_history_on_the_same_data_redraws_the_variance_line(collapse):
    h, j = collapse.history, collapse.component
    view = widgets.CollapseView(h, component=j, dpi=30)
    floored = emlab.run_em(gaussian, h.x, h.params[0], reg_covar=1e-2)
    view.set_history(floored)
    assert np.allclose(view.var_line.get_ydata(), [p.covariances[j, 0, 0] for p in floored.params])


def test_the_stepper_and_the_animation_take_the_view(collapse):
    h, j = collapse.history, collapse.component
    assert isinstance(widgets.stepper(h, view=widgets.CollapseView, component=j, dpi=30).view,
                      widgets.CollapseView)
    animation = widgets.animate(h, view=widgets.CollapseView, component=j, half_steps=False, dpi=30)
    assert isinstance(animation.view, widgets.CollapseView)
    assert "<img" in animation.to_jshtml()


def test_what_it_cannot_show(collapse):
    h = collapse.history
    with pytest.raises(ValueError, match="component must be one of 0..2"):
        widgets.CollapseView(h, component=3)
    counts = emlab.run_em(poisson, np.array([0, 1, 2, 5, 6, 7]), poisson.Params([0.5, 0.5], [1.0, 6.0]),
                          max_iter=2, tol=0)
    with pytest.raises(TypeError, match="CollapseView cannot show"):
        widgets.CollapseView(counts, component=0)


def test_the_legend_sits_above_the_left_panel_off_the_data_and_under_the_caption(collapse):
    """The legend covered the collapsing component (issue 17): it is DensityView's, above the
    panel (in the rows its width needs, from the figure's edge), and each component's entry shows
    its bars and its line."""
    h, j = collapse.history, collapse.component
    view = widgets.CollapseView(h, component=j, dpi=30)
    renderer = view.fig.canvas.get_renderer()
    legend = view.ax.get_legend()
    assert [artist for artist in view.ax.get_children() if isinstance(artist, Legend)] == [legend]
    assert [t.get_text() for t in legend.texts] == ["component 0", "component 1", "component 2", "mixture"]
    box, panel = legend.get_window_extent(renderer), view.ax.get_window_extent(renderer)
    caption = view.caption.get_window_extent(renderer)
    assert box.y0 >= panel.y1 - 1 and box.y1 <= caption.y0 + 1         # above the data, below the caption
    assert 0 <= box.x0 and box.x1 <= panel.x1 + 1                      # over the panel, not the next
    # Each entry, left of its label on the label's row (the legend may take several rows), up to
    # the label before it on that row: the component's bars and its line.
    full_draw(view)                  # lays out the entries
    drawn = legend.findobj(lambda a: isinstance(a, (Rectangle, Line2D)) and a.get_visible()
                           and a is not legend.legendPatch)
    labels = [t.get_window_extent(renderer) for t in legend.texts]

    def entry(k):
        label = labels[k]
        row = [other.x1 for other in labels if other.x1 <= label.x0 and other.y0 < label.y1 and label.y0 < other.y1]
        start = max(row, default=box.x0)
        found = []
        for a in drawn:
            extent = a.get_window_extent(renderer)
            middle = (extent.y0 + extent.y1) / 2
            if start - 1 <= extent.x0 and extent.x1 <= label.x0 + 1 and label.y0 - 1 <= middle <= label.y1 + 1:
                found.append(a)
        return found

    total, components = view.lines
    for k, (bars, line) in enumerate(zip(view.hist, components)):
        shown = entry(k)
        assert any(isinstance(a, Rectangle) and a.get_hatch() == bars.get_hatch()
                   and a.get_facecolor() == bars.get_facecolor() for a in shown), f"component {k}'s bars"
        assert any(isinstance(a, Line2D) and a.get_linestyle() == line.get_linestyle()
                   and same_color(a.get_color(), line.get_color()) for a in shown), f"component {k}'s line"
    [mixture] = entry(h.params[0].k)
    assert mixture.get_linestyle() == total.get_linestyle() and same_color(mixture.get_color(), total.get_color())
    for t in [0, h.n_iter]:
        show(view, t)
        assert np.array_equal(pixels(view.png()), full_draw(view))      # blitting keeps up
