"""Two coins on their log-likelihood landscape: EM's path in the plane of the biases (theta_A, theta_B)."""
import numpy as np

from .. import plot
from .view import View
from .views import CoinsView, ReadableText


class CoinsLandscapeView(ReadableText, View):
    """Two coins whose weights stay fixed (``run_em(..., learn_weights=False)``): each set of
    tosses' posterior ``P(coin | set)`` as a stacked bar; the log-likelihood
    ``l(theta_A, theta_B)`` (Bishop eq. 9.14 at the fixed weights) as filled contours, with EM's
    path up to iteration t (white), its start (open circle) and ``theta^(t)`` (red); the
    log-likelihood curve.

    On the dotted diagonal ``theta_A = theta_B`` both coins explain every set of tosses equally
    well, so ``r_ij = pi_j`` and the M-step gives both the pooled share of heads: a path that
    starts on it stays on it.  ``grid``: points per axis; ``depth``: the colours span ``l`` from
    its maximum on the grid down to ``depth`` below it (lower values get the lowest colour).

    No model gets this view by default (coins get CoinsView): the explorer picks it for two
    coins with fixed weights, and ``stepper(history, view=CoinsLandscapeView)`` shows it.
    """
    figsize = (9.5, 3.6)

    def __init__(self, history, *, grid=81, depth=30.0, **options):
        self.grid, self.depth = np.linspace(0.005, 0.995, grid), depth
        super().__init__(history, **options)

    @classmethod
    def cannot_show(cls, history):
        reason = CoinsView.cannot_show(history)
        if reason:
            return reason
        first = history.params[0]
        if first.k != 2:
            return f"it draws the plane of two coin biases, got k = {first.k} coins"
        if any(not np.array_equal(p.weights, first.weights) for p in history.params):
            return "it draws the landscape at fixed weights: run EM with learn_weights=False"
        return None

    def make_axes(self):
        self.ax, self.ax_plane, self.ax_ll = self.fig.subplots(1, 3, width_ratios=[3, 3.6, 3])

    def landscape(self):
        """``l(theta_A, theta_B)`` on the grid, (grid, grid): rows theta_B, columns theta_A.

        ``l = sum_i log(pi_A p(x_i | theta_A) + pi_B p(x_i | theta_B))``, from the model's own
        ``log_joint`` at every grid value at once (as one mixture with a component per value),
        over the distinct sets of tosses, each counted as often as it occurs.
        """
        h = self.history
        rows, counts = np.unique(h.x, axis=0, return_counts=True)
        g = len(self.grid)
        per_value = h.model.log_joint(rows, type(h.params[0])(np.full(g, 1 / g), self.grid)) + np.log(g)
        log_pi = np.log(h.params[0].weights)
        both = np.logaddexp(log_pi[0] + per_value[:, None, :], log_pi[1] + per_value[:, :, None])
        return np.tensordot(counts, both, axes=1)

    def draw_landscape(self):
        ell = self.landscape()
        self.contours = self.ax_plane.contourf(self.grid, self.grid, np.maximum(ell, ell.max() - self.depth),
                                               levels=30, cmap="viridis", zorder=0)
        self.landscape_weights = self.history.params[0].weights

    def draw_state(self, params, resp):
        x = self.history.x
        sets = np.arange(1, len(x) + 1)
        self.bars = plot.stacked_bars(self.ax, sets, resp, colors=self.colors)
        self.ax.set(ylim=(0, 1), xlabel="set of tosses", ylabel="P(coin | set of tosses)")
        if len(x) <= 12:
            self.ax.set_xticks(sets)
        legend = self.ax.legend(self.bars, ["coin A", "coin B"], loc="lower left",
                                bbox_to_anchor=(0, 1), ncols=2, frameon=False, borderaxespad=0.2)
        self.draw_landscape()
        ax = self.ax_plane
        ax.plot([0, 1], [0, 1], ":", color="white", lw=1)
        (self.path_line,) = ax.plot(*self.theta_path[:self.t + 1].T, ".-", color="white", ms=4, lw=1)
        (self.start_marker,) = ax.plot(*self.theta_path[0], "o", mfc="none", mec="white", ms=9, mew=1.5)
        (self.current,) = ax.plot(*params.p, "o", color="tab:red", mec="white", ms=7)
        ticks, names = [0, 0.5, 1], ["0", "0.5", "1"]
        ax.set(xlim=(0, 1), ylim=(0, 1), aspect="equal", xlabel=r"$\theta_A$", ylabel=r"$\theta_B$",
               xticks=ticks, yticks=ticks, xticklabels=names, yticklabels=names)
        ax.set_title(r"$\ell$: brighter is higher")
        self.moving(self.bars, legend, self.path_line, self.start_marker, self.current)

    def drawing(self):
        return ("left, a bar per set of tosses split by P(coin | set); middle, the log-likelihood over "
                "(θ_A, θ_B) as filled contours, brighter higher, with EM's path so far from its start "
                "(open circle) to the parameters shown (red dot)")

    def use(self, history):
        super().use(history)
        self.theta_path = np.array([p.p for p in history.params])     # (n_iter + 1, 2)

    def update_state(self, params, resp):
        plot.update_stacked_bars(self.bars, resp)
        self.path_line.set_data(*self.theta_path[:self.t + 1].T)
        self.current.set_data([params.p[0]], [params.p[1]])

    def history_changed(self):
        super().history_changed()
        self.start_marker.set_data([self.theta_path[0, 0]], [self.theta_path[0, 1]])
        if not np.array_equal(self.history.params[0].weights, self.landscape_weights):
            self.contours.remove()
            self.draw_landscape()
