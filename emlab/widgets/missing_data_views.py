"""Views of EM for incomplete data (models that are not mixtures).

    LinkageView        the genetic linkage model (``emlab.linkage``): the observed counts with
                       the first cell split into its two latent cells by the E-step; the
                       log-likelihood ell(theta) with the lower bound the E-step builds,
                       touching ell at theta^(t), whose top is the M-step's theta^(t+1);
                       ell per iteration
    MissingNormalView  a normal with missing values, d = 2 (``emlab.missing_normal``): the
                       complete rows, the incomplete rows at their E-step values
                       (x1, E[x2 | x1]) on the regression line, the covariance ellipse;
                       ell per iteration

A model that is not a mixture has no responsibilities: each half-step shows the parameters
and the stats of the model's own E-step (``model.expected_stats``: here the expected complete
counts, or the rows with their missing values filled in), None at the start (see
``emlab.widgets.halfsteps``).

Colours are Okabe-Ito (distinct under the common colour-vision deficiencies), each with a
second cue: hatching, marker shape or line style.
"""
import numpy as np

from .. import checks, linkage, missing_normal, plot
from .halfsteps import number
from .view import View
from .views import ReadableText

# The components' palette (emlab.plot): distinct under the common colour-vision deficiencies,
# every colour at >= 3:1 on white.
BLUE, VERMILLION, PURPLE = plot.PALETTE[0], plot.PALETTE[1], plot.PALETTE[3]


class LinkageView(ReadableText, View):
    """Genetic linkage (``emlab.linkage``): the counts, the first cell split by the E-step
    into u1 (probability 1/2, hatched grey) and u2 (theta/4, blue); ell(theta) (black) with
    the E-step's lower bound (reddish purple, dashed) and theta^(t) (a vermillion diamond), the MLE
    dotted; ell per iteration."""
    figsize = (9.6, 3.3)
    stats_name = "expected counts"

    def __init__(self, history, *, window=(0.35, 0.85), **options):
        lo, hi = (checks.real(w, "window") for w in window)
        if not 0 < lo < hi < 1:
            raise ValueError(f"window must be (lo, hi) with 0 < lo < hi < 1, got {window!r}")
        self.window = (lo, hi)
        super().__init__(history, **options)

    @classmethod
    def cannot_show(cls, history):
        if not hasattr(history.params[0], "theta"):
            return "it draws the linkage parameter params.theta"
        if history.x.shape != (4,):
            return f"it draws the 4 counts of the linkage model, got x of shape {history.x.shape}"
        return None

    def color_count(self, history):
        return 1                        # colours of its own (Okabe-Ito), none per component

    def make_axes(self):
        self.ax, self.ax_bound, self.ax_ll = self.fig.subplots(1, 3, width_ratios=[5, 3.8, 2.2])

    def drawing(self):
        return ("left, the four phenotype counts, the first split by the E-step into u1 (probability "
                "1/2, hatched) and u2 (theta/4, blue); middle, the log-likelihood over theta (black), "
                "the E-step's lower bound (dashed), touching it at theta^(t) (a diamond), and the MLE "
                "(dotted)")

    def stats_words(self, stats):
        if stats is None:
            return ""
        return f"u₁ = {number(stats[0])}, u₂ = {number(stats[1])}"

    def draw_state(self, params, stats):
        y = self.history.x
        names = ["AB", "Ab", "aB", "ab"]
        cells = np.arange(4)
        self.ax.bar(cells[1:], y[1:], width=0.7, color=[VERMILLION, VERMILLION, BLUE], edgecolor="black", linewidth=0.6)
        u1, u2 = self.split(stats)
        self.bar_u1 = self.ax.bar([0], [u1], width=0.7, color="white", edgecolor="0.35",
                                  hatch="///", linewidth=0.6)[0]
        self.bar_u2 = self.ax.bar([0], [u2], bottom=[u1], width=0.7, color=BLUE,
                                  edgecolor="black", linewidth=0.6)[0]
        # The split written left of its bar; the legend top right, over the short bars.
        self.text_u1 = self.ax.text(-0.42, u1 / 2, "", ha="right", va="center", wrap=True)   # not split yet
        self.text_u2 = self.ax.text(-0.42, 0, "", ha="right", va="center")
        for k in range(4):                  # the counts (of animals) on their bars: no y axis
            self.ax.text(k, y[k] + 0.02 * y.max(), f"{y[k]}", ha="center", va="bottom")
        self.ax.set(xticks=cells, xticklabels=[f"{n}\n$y_{k + 1}$" for k, n in enumerate(names)], yticks=[],
                    ylim=(0, 1.2 * y.max()), xlim=(-3.5, 4.3))
        for side in ("left", "top", "right"):      # bars on a baseline: the split is written left
            self.ax.spines[side].set_visible(False)
        self.ax.legend([self.bar_u1, self.bar_u2, self.ax.patches[0]], ["1/2", r"$\theta/4$", r"$(1-\theta)/4$"],
                       title="probability", loc="upper right", frameon=False, handlelength=1.2,
                       borderaxespad=0.1)
        self.set_split(stats)

        grid = np.linspace(*self.window, 181)
        self.grid = grid
        self.ell_grid = np.array([linkage.log_likelihood(y, th) for th in grid])
        self.ax_bound.plot(grid, self.ell_grid, "-", color="black", lw=1.6, label=r"$\ell(\theta)$")
        self.bound_line, = self.ax_bound.plot(grid, self.bound(stats), "--", color=PURPLE, lw=2,
                                              label="lower bound")
        theta_hat = linkage.mle(y)
        self.ax_bound.axvline(theta_hat, color="0.3", ls=":", lw=1.2, label="MLE")
        self.theta_marker, = self.ax_bound.plot([params.theta], [linkage.log_likelihood(y, params.theta)],
                                                "D", color=VERMILLION, mec="black", ms=7,
                                                label=r"$\theta^{(t)}$")
        top, low = self.ell_grid.max(), self.ell_grid.min()
        # The legend in a band kept free under the curves, in two columns.
        self.ax_bound.set(xlim=self.window, ylim=(low - 0.7 * (top - low), top + 0.1 * (top - low)),
                          xlabel=rf"$\theta$ (MLE $\hat\theta$ = {theta_hat:.4f})", ylabel="log-likelihood")
        legend = self.ax_bound.legend(loc="lower center", ncols=2, frameon=False, borderaxespad=0.1)
        self.moving(self.bar_u1, self.bar_u2, self.text_u1, self.text_u2, self.bound_line,
                    self.theta_marker, legend)

    def split(self, stats):
        y1 = self.history.x[0]
        if stats is None:
            return float(y1), 0.0
        return float(stats[0]), float(stats[1])

    def set_split(self, stats):
        u1, u2 = self.split(stats)
        self.bar_u1.set_height(u1)
        self.bar_u2.set_y(u1)
        self.bar_u2.set_height(u2)
        if stats is None:
            self.text_u1.set_text("not split yet")
            self.text_u2.set_text("")
        else:
            self.text_u1.set_text(f"$u_1$ = {u1:.1f}")
            self.text_u2.set_text(f"$u_2$ = {u2:.1f}")
        self.text_u1.set_y(u1 / 2)
        self.text_u2.set_y(u1 + u2 / 2)

    def bound(self, stats):
        """``ell(theta_s) + Q(theta) - Q(theta_s)`` on the grid (NaN before the first E-step),
        theta_s the parameters of the E-step that gave ``stats``."""
        if stats is None:
            return np.full_like(self.grid, np.nan)
        y = self.history.x
        theta_s = self.history.params[self.source].theta

        def q(theta):
            return (stats[1] + stats[4]) * np.log(theta) + (stats[2] + stats[3]) * np.log(1 - theta)
        return linkage.log_likelihood(y, theta_s) + q(self.grid) - q(theta_s)

    def update_state(self, params, stats):
        self.set_split(stats)
        self.bound_line.set_ydata(self.bound(stats))
        self.theta_marker.set_data([params.theta], [linkage.log_likelihood(self.history.x, params.theta)])


class MissingNormalView(ReadableText, View):
    """A normal with values missing (``emlab.missing_normal``, d = 2): complete rows (blue
    circles), incomplete rows at (x1, E[x2 | x1]) (vermillion triangles, open) on the
    regression line E[x2 | x1] (vermillion, dashed), the 86 % ellipse of N(mu, Sigma) and
    its mean (black); ell per iteration."""
    figsize = (8.4, 3.5)
    stats_name = "imputed values"

    @classmethod
    def cannot_show(cls, history):
        if not hasattr(history.params[0], "covariance"):
            return "it draws a mean and covariance params.mean, params.covariance"
        if history.x.ndim != 2 or history.x.shape[1] != 2:
            return f"it draws 2-D points, x (n, 2), got x of shape {history.x.shape}"
        return None

    def draw_state(self, params, stats):
        x = self.history.x
        self.missing = np.isnan(x).any(axis=1)
        complete = x[~self.missing]
        observed, = self.ax.plot(complete[:, 0], complete[:, 1], "o", ms=3.5, color=BLUE, alpha=0.75)
        filled = self.filled(stats)
        self.points, = self.ax.plot(filled[:, 0], filled[:, 1], "^", ms=4, mfc="none", mec=VERMILLION,
                                    mew=1.1)
        self.rug, = self.ax.plot(x[self.missing, 0], np.full(self.missing.sum(), np.nan), "|",
                                 color=VERMILLION, ms=6)
        lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
        pad = 0.08 * (hi - lo)
        self.xlim = (lo[0] - pad[0], hi[0] + pad[0])
        self.ax.set(xlim=self.xlim, ylim=(lo[1] - 3 * pad[1], hi[1] + pad[1]),
                    xlabel="$x_1$ (always observed)", ylabel="$x_2$")
        self.rug.set_ydata(np.full(self.missing.sum(), lo[1] - 2 * pad[1]))
        self.line, = self.ax.plot(self.xlim, self.regression(params), "--", color=VERMILLION, lw=1.3)
        self.ellipse = plot.ellipse(self.ax, params.mean, params.covariance, color="black", lw=1.6)
        self.centre, = self.ax.plot(*params.mean, "+", color="black", ms=10, mew=2)
        # Read by rows: the observed rows, the imputed ones, the ellipse; the rug of the rows
        # missing x2, the regression line.
        self.legend_entries = ([observed, self.rug, self.points, self.line, self.ellipse],
                               ["observed", r"$x_2$ missing", "imputed", r"$E[x_2 \mid x_1]$", "86 % ellipse"])
        self.make_legend()
        self.moving(self.points, self.line, self.ellipse, self.centre)

    def make_legend(self):
        """The legend above the panel, off the data, in the columns that fit its width."""
        return plot.legend_above(self.ax, *self.legend_entries, from_figure_edge=True, handlelength=1.4,
                                 handletextpad=0.3, columnspacing=0.7)

    def make_axes(self):
        self.ax, self.ax_ll = self.fig.subplots(1, 2, width_ratios=[6.9, 2.1])

    def filled(self, stats):
        """Where the incomplete rows are drawn: (x1, E[x2 | x1]) after an E-step; before the
        first one nowhere (NaN)."""
        if stats is None:
            return np.full((int(self.missing.sum()), 2), np.nan)
        return np.asarray(stats.filled)[self.missing]

    def regression(self, params):
        mu, cov = params.mean, params.covariance
        slope = cov[0, 1] / cov[0, 0]
        return [mu[1] + slope * (x1 - mu[0]) for x1 in self.xlim]

    def color_count(self, history):
        return 1                        # colours of its own (Okabe-Ito), none per component

    def same_data(self, history):
        old = self.history
        return (type(history.params[0]) is type(old.params[0]) and history.x.shape == old.x.shape
                and np.array_equal(history.x, old.x, equal_nan=True))

    def drawing(self):
        return (f"left, the {int((~self.missing).sum())} complete rows (blue circles), the "
                f"{int(self.missing.sum())} rows missing x2 at (x1, E[x2 | x1]) (open triangles) on "
                "the regression line (dashed), their x1 along the bottom, and the 86 % ellipse of "
                "N(mu, Sigma) with its mean (black)")

    def stats_words(self, stats):
        if stats is None:
            return ""
        return f"mean of the filled-in x₂ = {number(np.mean(self.filled(stats)[:, 1]))}"

    def update_state(self, params, stats):
        filled = self.filled(stats)
        self.points.set_data(filled[:, 0], filled[:, 1])
        self.line.set_ydata(self.regression(params))
        plot.update_ellipse(self.ellipse, params.mean, params.covariance)
        self.centre.set_data([params.mean[0]], [params.mean[1]])
