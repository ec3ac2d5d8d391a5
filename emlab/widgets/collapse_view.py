"""``CollapseView``: the 1-D density view with one more panel, the variance of one component at
every iteration (log scale), to watch a component collapse onto a data point (notebook 07).

    emlab.widgets.stepper(history, view=CollapseView, component=2)
    emlab.widgets.animate(history, view=CollapseView, component=2, half_steps=False)
"""
from numbers import Integral

import numpy as np

from .. import plot
from .views import DensityView


class CollapseView(DensityView):
    """A mixture of 1-D Gaussians (x (n,) or (n, 1), params with ``covariances``): DensityView's
    histogram split by the responsibilities and its curves; a middle panel with the variance of
    ``component`` at every iteration on a log scale, the current one marked and written out;
    the log-likelihood.

    The curves are also evaluated at the last mean of ``component``, so that a spike on a data
    point is drawn at its full height, and the y axis is set by the histogram alone: as in
    Bishop's Fig. 9.7, the spike may leave the frame.  The legend is DensityView's: one row
    above the left panel, each component's bars with its line, off the data (the component
    that collapses is the one to watch, and a legend inside the panel would cover it).
    """
    figsize = (11.0, 3.8)

    def __init__(self, history, *, component, **options):
        self.component = component
        super().__init__(history, **options)

    @classmethod
    def cannot_show(cls, history):
        reason = super().cannot_show(history)
        if reason is None and not hasattr(history.params[0], "covariances"):
            return "it draws the variance of a component, params.covariances"
        return reason

    def use(self, history):
        k = history.params[0].k
        if isinstance(self.component, bool) or not isinstance(self.component, Integral) \
                or not 0 <= self.component < k:
            raise ValueError(f"component must be one of 0..{k - 1}, got {self.component!r}")
        super().use(history)
        self.variances = np.array([np.ravel(p.covariances[self.component])[0] for p in history.params])

    def drawing(self):
        return (f"{super().drawing()}; middle, the variance of component {self.component} at each "
                "iteration on a log scale, the current one marked")

    def make_axes(self):
        self.ax, self.ax_var, self.ax_ll = self.fig.subplots(1, 3, width_ratios=[5, 3, 3])

    def support(self):
        edges, grid = super().support()          # and the density on the collapsing mean itself
        mean = np.ravel(self.history.params[-1].means[self.component])
        return edges, np.union1d(np.ravel(grid), mean).reshape(-1, *self.history.x.shape[1:])

    def set_height(self):                        # the spike may leave the frame, as in Fig. 9.7
        self.ax.set_ylim(0, 1.3 * np.histogram(self.values, self.edges, density=True)[0].max())

    def draw_state(self, params, resp):
        super().draw_state(params, resp)
        marker = plot.component_markers(len(self.colors))[self.component]     # its second cue, as elsewhere
        (self.var_line,) = self.ax_var.semilogy(self.variances, "-", marker=marker, ms=4,
                                                color=self.colors[self.component])
        (self.var_marker,) = self.ax_var.plot([self.t], [self.variances[self.t]], "o", color="crimson")
        self.var_text = self.ax_var.text(0.05, 0.05, "", transform=self.ax_var.transAxes)
        self.ax_var.set(xlabel="iteration", ylabel=f"variance $\\sigma^2_{self.component}$")
        self.moving(self.var_marker, self.var_text)         # redrawn at every step
        self.update_variance()

    def history_changed(self):
        super().history_changed()
        self.var_line.set_data(np.arange(len(self.variances)), self.variances)
        self.ax_var.relim()
        self.ax_var.autoscale_view()

    def update_state(self, params, resp):
        super().update_state(params, resp)
        self.update_variance()

    def update_variance(self):
        self.var_marker.set_data([self.t], [self.variances[self.t]])
        self.var_text.set_text(f"$\\sigma^2_{self.component}$ = {self.variances[self.t]:.1e}")
