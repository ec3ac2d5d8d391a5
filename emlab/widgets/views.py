"""The pictures of each model: one View subclass per kind of data.  Component j is drawn in its
colour and a second cue of its own (``emlab.plot``): a hatching, a line style or a marker.

    CoinsView      coins: posterior r_ij per set of tosses as stacked bars, the coin biases
    PoissonView    counts (x (n,) ints): histogram split by responsibilities, mixture pmf
    DensityView    1-D continuous data (x (n,) or (n, 1)), e.g. a Gaussian with d = 1:
                   histogram split by responsibilities, mixture density
    EllipseView    a Gaussian with d >= 2: points coloured by responsibilities, ellipses

Each says in ``cannot_show`` what it needs of a History (the shape of x, the parameters it
draws), never which model it is; ``emlab.widgets.registry`` maps models to views.

    ReadableText   what every view here is drawn with: text of ``emlab.plot.TEXT_PX`` pixels
"""
from numbers import Integral

import numpy as np

from matplotlib.layout_engine import TightLayoutEngine
from matplotlib.legend_handler import HandlerTuple
from matplotlib.ticker import MaxNLocator

from .. import plot
from .halfsteps import check_history
from .view import View

# A legend entry of a tuple (a component's bar, its line): the two side by side.
LEGEND_HANDLERS = {tuple: HandlerTuple(ndivide=None, pad=0.3)}


class ReadableText:
    """Put first among a View's bases (``class MyView(ReadableText, View)``): its figure is made
    and drawn in ``emlab.plot.style`` at the figure's dpi, so that every text in it (the caption,
    ticks, labels, titles, legends, ``ax.text``) is ``emlab.plot.TEXT_PX`` pixels high in its
    image, readable on a slide; the axes are laid out under the caption.  A view draws its text
    without a ``fontsize``.

    ``smallest_text_px()`` is the smallest text in the image (``emlab.plot.smallest_text_px``),
    ``text_size_class()`` the same as a DOM class, ``emlab-text-NNpx``.
    """

    def __init__(self, history, **options):
        dpi = options.get("dpi") or View.__init__.__kwdefaults__["dpi"]
        with plot.style(dpi):
            super().__init__(history, **options)
            self.fit_layout()

    def draw(self, step):
        with plot.style(self.fig.dpi):
            super().draw(step)
            size = plot.text_points(self.fig.dpi)
            self.caption.set_fontsize(size)
            for ax in self.fig.axes:        # ticks made later (after a clear) are made with these
                ax.tick_params(which="both", labelsize=size)
        # As many iterations marked as fit the panel at that size (``nbins="auto"``).
        self.ax_ll.xaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 5, 10], integer=True))

    def set_history(self, history):
        same = self.same_data(self.check(history))
        with plot.style(self.fig.dpi):      # clearing the axes sets their labels from rcParams
            super().set_history(history)
            if not same:                    # drawn again: other ticks, labels, legend
                self.fit_layout()

    def fit_layout(self):
        """Lay the axes out (``TightLayoutEngine``, once: not kept as the figure's layout
        engine) in the figure under the caption, with room for their labels and titles, and for
        the legend above a panel that ``make_legend()`` makes for the panels' width."""
        renderer = self.fig.canvas.get_renderer()
        height = self.fig.bbox.height
        below_caption = self.caption.get_window_extent(renderer).y0 / height - 0.02

        def lay_out(legend):
            legend_height = 0 if legend is None else legend.get_window_extent(renderer).height
            for _ in range(2):              # twice: the ticks, and their labels, follow the axes' size
                TightLayoutEngine(pad=0.3, w_pad=1.0, rect=(0, 0, 1, below_caption - legend_height / height)
                                  ).execute(self.fig)
            return legend_height

        legend_height = lay_out(self.make_legend())     # for the width the panels have (about)
        again = self.make_legend()                      # for the width they have now
        if again is not None and again.get_window_extent(renderer).height != legend_height:
            lay_out(again)

    def make_legend(self):
        """A legend above a panel whose columns depend on the panel's width (``emlab.plot.legend_above``),
        made (again) once the axes are laid out; returns it.  None: the view has none such."""
        return None

    def smallest_text_px(self):
        """The smallest text of the figure, in pixels of its image (``emlab.plot.smallest_text_px``)."""
        return plot.smallest_text_px(self.fig)

    def text_size_class(self):
        """``emlab-text-NNpx``: the smallest text in whole pixels, as a DOM class (``emlab.plot``)."""
        return plot.text_size_class(self.fig)


class CoinsView(ReadableText, View):
    """Coins: the responsibilities ``r_ij = P(coin j | set of tosses i)`` of each set as a stacked
    bar (black tick: the set's share of heads), the coin biases ``theta_j`` (a bar per coin,
    hatched as its share of the stacks), and the log-likelihood."""

    @classmethod
    def cannot_show(cls, history):
        if not hasattr(history.params[0], "p"):
            return "it draws coin biases params.p"
        if history.x.ndim != 2 or history.x.shape[1] != 2:
            return f"it draws sets of tosses x (n, 2) [heads, tails], got x of shape {history.x.shape}"
        return None

    def make_axes(self):
        self.ax, self.ax_bias, self.ax_ll = self.fig.subplots(1, 3, width_ratios=[4, 3, 3])

    def draw_state(self, params, resp):
        x = self.history.x
        sets = np.arange(1, len(x) + 1)
        self.bars = plot.stacked_bars(self.ax, sets, resp, colors=self.colors)
        tosses = x.sum(axis=1)
        heads_share = np.divide(x[:, 0], tosses, out=np.full(len(x), np.nan), where=tosses > 0)
        ticks = self.ax.plot(sets, heads_share, "_", color="black", ms=10, mew=2)
        self.ax.set(ylim=(0, 1), xlabel="set of tosses i", ylabel="$r_{ij}$ = P(coin j | set i)")
        if len(x) <= 12:
            self.ax.set_xticks(sets)
        names = [f"coin {chr(65 + j)}" if j < 26 else f"coin {j}" for j in range(params.k)]
        self.bias_bars = self.ax_bias.barh(names, params.p, height=0.6, color=self.colors,
                                           hatch=plot.component_hatches(params.k), edgecolor="white",
                                           linewidth=0.6)
        self.bias_text = [self.ax_bias.text(p + 0.02, j, f"{p:.2f}", va="center")
                          for j, p in enumerate(params.p)]
        self.ax_bias.set(xlim=(0, 1.2), xticks=[0, 0.5, 1], xlabel=r"heads probability $\theta_j$")
        self.ax_bias.invert_yaxis()
        self.moving(self.bars, ticks, self.bias_bars, self.bias_text)

    def drawing(self):
        return (f"left, a bar per set of tosses split by P(coin j | set), each coin in its own colour "
                f"and hatching, with a tick at its share of heads; middle, the heads probability of each "
                f"of the {self.history.params[0].k} coins, hatched the same way")

    def update_state(self, params, resp):
        plot.update_stacked_bars(self.bars, resp)
        for bar, text, p in zip(self.bias_bars, self.bias_text, params.p):
            bar.set_width(p)
            text.set_x(p + 0.02)
            text.set_text(f"{p:.2f}")


class HistogramView(ReadableText, View):
    """1-D data: the histogram of x, each bar split by the responsibilities (component j's share
    in its colour and hatching); ``pi_j p(x | theta_j)`` per component, each in its own line
    style, and the mixture (black, solid), from the model's ``log_joint``; the log-likelihood.
    The legend pairs each component's bars with its line, above the panel (in the rows it needs),
    off the data.  A subclass gives ``support()`` and the labels (and the names of the values and of
    the curves, in words)."""
    xlabel, ylabel, marker = "x", "density", None
    values_name, curve_name = "values of x", "density"

    def support(self):
        """``(edges, grid)``: histogram bin edges, and where the curves are evaluated (as x)."""
        raise NotImplementedError(f"{type(self).__name__} must implement support()")

    def draw_state(self, params, resp):
        self.edges, self.grid = self.support()
        self.values = self.history.x.ravel()
        self.hist = plot.resp_histogram(self.ax, self.values, resp, self.edges, self.colors, alpha=0.45)
        self.lines = plot.mixture(self.ax, self.history.model, self.grid, params, self.colors, lw=1.5,
                                  marker=self.marker, ms=3)
        xs = np.ravel(self.grid)
        self.ax.set(xlim=(min(self.edges[0], xs[0]), max(self.edges[-1], xs[-1])),
                    xlabel=self.xlabel, ylabel=self.ylabel)
        self.set_height()
        # Each component's bars and line under one label; above the panel, so it covers no data.
        self.legend_handles = [*((bars, line) for bars, line in zip(self.hist, self.lines[1])),
                               self.lines[0]]
        self.legend_labels = [*(f"component {j}" for j in range(params.k)), "mixture"]
        self.make_legend()
        self.moving(self.hist, self.lines)      # not the legend: off the axes, nothing is drawn over it

    def make_legend(self):
        """The legend above the panel, in the columns that fit its width."""
        return plot.legend_above(self.ax, self.legend_handles, self.legend_labels,
                                 handler_map=LEGEND_HANDLERS, handlelength=2.4, from_figure_edge=True)

    def drawing(self):
        return (f"left, a histogram of the {self.values_name}, each bar split by the responsibilities of "
                f"the {self.history.params[0].k} components (each in its own colour and hatching), with "
                f"each component's weighted {self.curve_name}, each in its own line style, and the "
                f"mixture's (black, solid)")

    def set_height(self):
        """Room for the histogram and for the curves of every parameter set of the History."""
        h = self.history
        top = max(np.histogram(self.values, self.edges, density=True)[0].max(),
                  max(plot.component_curves(h.model, self.grid, p).sum(axis=1).max() for p in h.params))
        self.ax.set_ylim(0, 1.1 * top)

    def history_changed(self):
        super().history_changed()
        self.set_height()

    def update_state(self, params, resp):
        plot.update_resp_histogram(self.hist, self.values, resp, self.edges)
        plot.update_mixture(self.lines, self.history.model, self.grid, params)


class PoissonView(HistogramView):
    """Counts (x (n,) whole numbers: a Poisson mixture, or any model of counts): one histogram
    bar per count, split by the responsibilities; ``pi_j p(x | theta_j)`` per component, each in
    its own line style and marker, and the mixture pmf (black, solid); the log-likelihood."""
    xlabel, ylabel, marker = "count", "probability", "o"
    values_name, curve_name = "counts", "probability mass function"

    @classmethod
    def cannot_show(cls, history):
        if history.x.ndim != 1 or history.x.dtype.kind not in "iu":
            return (f"it draws counts, x (n,) of whole numbers, got x of dtype {history.x.dtype} "
                    f"and shape {history.x.shape}")
        return None

    def support(self):
        """One bar per count 0..max x, the pmf at each count."""
        top = int(self.history.x.max()) + 1
        return np.arange(-0.5, top + 1), np.arange(top + 1)


class DensityView(HistogramView):
    """One real variable (x (n,) or (n, 1): a Gaussian mixture with d = 1, or any such model):
    the histogram of x, each bar split by the responsibilities; ``pi_j p(x | theta_j)`` per
    component, each in its own line style, and the mixture density (black, solid); the
    log-likelihood.

    ``bins``: any ``numpy.histogram_bin_edges`` bins (default "auto", at most 40 bins).
    """

    def __init__(self, history, *, bins=None, **options):
        self.bins = bins
        super().__init__(history, **options)

    @classmethod
    def cannot_show(cls, history):
        if history.x.ndim > 2 or history.x.ndim == 2 and history.x.shape[1] != 1:
            return f"it draws one variable, x (n,) or (n, 1), got x of shape {history.x.shape}"
        return None

    def support(self):
        values = self.history.x.ravel()
        edges = np.histogram_bin_edges(values, bins="auto" if self.bins is None else self.bins)
        if self.bins is None and len(edges) > 41:
            edges = np.linspace(values.min(), values.max(), 41)
        pad = 0.1 * (values.max() - values.min())
        low = edges[0] - pad
        if values.min() >= 0:               # non-negative data (times, lengths): their model may
            low = max(low, 0.0)             # have no density below 0
        grid = np.linspace(low, edges[-1] + pad, 200)
        return edges, grid.reshape(-1, *self.history.x.shape[1:])


class EllipseView(ReadableText, View):
    """Gaussian mixture with d >= 2: the points (coordinates ``dims``) coloured by their
    responsibilities, each in the marker of its most responsible component; labelled points
    (``history.labels != -1``) as black-edged diamonds in their class colour that stay fixed;
    an ellipse holding probability ``mass`` of each component (of its marginal on ``dims``), in
    the component's colour and line style, with its mean (X); the log-likelihood.
    ``axis_labels``: names of the two coordinates.
    """

    def __init__(self, history, *, mass=0.86, dims=(0, 1), axis_labels=None, **options):
        self.mass, self.axis_labels = mass, axis_labels
        x = check_history(history).x
        d = x.shape[1] if x.ndim == 2 else 2
        if (len(dims) != 2 or dims[0] == dims[1]
                or not all(isinstance(i, Integral) and 0 <= i < max(d, 2) for i in dims)):
            raise ValueError(f"dims must be two different coordinates in 0..{d - 1}, got {dims!r}")
        self.dims = [int(i) for i in dims]
        super().__init__(history, **options)

    @classmethod
    def cannot_show(cls, history):
        params = history.params[0]
        if not (hasattr(params, "means") and hasattr(params, "covariances")):
            return "it draws Gaussian components, params.means and params.covariances"
        if history.x.ndim != 2 or history.x.shape[1] < 2:
            return f"it draws points x (n, d) with d >= 2, got x of shape {history.x.shape}"
        return None

    def draw_state(self, params, resp):
        x = self.history.x
        xy = x[:, self.dims]
        self.free = np.ones(len(x), bool) if self.history.labels is None else self.history.labels < 0
        self.points = plot.resp_points(self.ax, xy[self.free], resp[self.free], self.colors, s=10)
        if not self.free.all():              # drawn at each step only to stay above the others
            fixed = ~self.free
            colors = self.colors[self.history.labels[fixed]]
            self.moving(self.ax.scatter(xy[fixed, 0], xy[fixed, 1], c=colors, marker="D", s=30,
                                        edgecolors="black", linewidths=0.9, zorder=2))
        self.ellipses = [plot.ellipse(self.ax, mean, cov, self.mass, edgecolor=color, linestyle=style,
                                      lw=2, zorder=3)
                         for mean, cov, color, style in zip(*self.marginals(params), self.colors,
                                                            plot.component_linestyles(params.k))]
        self.centres = self.ax.scatter(*params.means[:, self.dims].T, c=self.colors, marker="X", s=70,
                                       edgecolors="black", linewidths=0.8, zorder=4)
        low, high = self.extent(xy, self.history.params[0])
        pad = 0.05 * (high - low)
        names = self.axis_labels or [f"$x_{i + 1}$" for i in self.dims]
        self.ax.set(xlim=(low[0] - pad[0], high[0] + pad[0]), ylim=(low[1] - pad[1], high[1] + pad[1]),
                    xlabel=names[0], ylabel=names[1])
        self.ax.set_title(f"ellipses hold {self.mass:.0%} of each component")
        self.moving(self.points, self.ellipses, self.centres)

    def drawing(self):
        names = self.axis_labels or [f"x{i + 1}" for i in self.dims]
        labelled = "" if self.free.all() else ", the labelled ones as diamonds in their class's colour"
        return (f"left, the points ({names[0]} across, {names[1]} up) coloured by their responsibilities, "
                f"each in the marker of its most responsible component{labelled}, and an ellipse "
                f"holding {self.mass:.0%} of each of the {self.history.params[0].k} components around "
                f"its mean (X), each in the component's colour and line style")

    def update_state(self, params, resp):
        plot.update_resp_points(self.points, resp[self.free], self.colors)
        for artist, mean, cov in zip(self.ellipses, *self.marginals(params)):
            plot.update_ellipse(artist, mean, cov, self.mass)
        self.centres.set_offsets(params.means[:, self.dims])

    def extent(self, xy, start):
        """The lower and upper corners (2,) of a box holding the points ``xy`` (n, 2) and the
        starting ellipses (of ``start``, the Params at t = 0), so that nothing shown at the
        start is cut: an ellipse ``(x - mu)^T Sigma^{-1} (x - mu) <= r^2`` reaches
        ``mu_d +- r sqrt(Sigma_dd)`` along axis d, with ``r^2 = -2 log(1 - mass)``."""
        means, covs = self.marginals(start)
        reach = np.sqrt(-2 * np.log1p(-self.mass) * np.diagonal(covs, axis1=1, axis2=2))
        return (np.minimum(xy.min(axis=0), (means - reach).min(axis=0)),
                np.maximum(xy.max(axis=0), (means + reach).max(axis=0)))

    def marginals(self, params):
        """Means (k, 2) and covariances (k, 2, 2) of each component's marginal on ``dims``."""
        return params.means[:, self.dims], params.covariances[:, self.dims][:, :, self.dims]
