"""Step through EM one half-step at a time: a ``View`` draws a ``History``; ``stepper``
(ipywidgets, needs a kernel) and ``animate`` (plays without one) drive it.

Half-steps.  The iteration t runs over 0..history.n_iter (t = number of M-steps done),
and each iteration is shown as two half-steps, in the order EM performs them:

    (t, "M")  the result of the M-step: parameters ``params[t]``, shown with the
              responsibilities that produced them, ``resp[t-1]``.  At t = 0 there was no
              M-step: the initial parameters, with every unlabelled point at the prior
              ``pi^(0)`` (nothing inferred yet, so the colours are neutral mixtures).
    (t, "E")  the E-step at ``params[t]``: the same parameters, the new responsibilities
              ``resp[t]``.

So (t, "M") -> (t, "E") changes only the responsibilities (colours, bar splits) and
(t, "E") -> (t + 1, "M") only the parameters (ellipses, curves, coin biases).  The
log-likelihood marker sits at iteration t in both halves (it depends on ``params[t]``).
Responsibilities that ``run_em`` did not keep (``resp[t] is None``) are recomputed by an
E-step (labelled points keep their one-hot responsibilities).
"""
from io import BytesIO
from numbers import Integral

import ipywidgets as widgets
import numpy as np
import PIL.Image
from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba_array
from matplotlib.figure import Figure
from matplotlib.layout_engine import TightLayoutEngine
from matplotlib.ticker import MaxNLocator

from . import _checks, coins, gaussian, plot, poisson
from .em import History
from .engines import labelled_posterior

HALVES = ("E", "M")
# Most frames ``animate`` makes by default (keeps an embedded animation small).
MAX_FRAMES = 30


def palette_image(rgba):
    """An (h, w, 4) RGBA image as a PIL image with a 256-colour palette: as PNG about a third
    of the bytes of true colour, so a stepper sends less per step and an animation
    embedded with ``to_jshtml`` keeps its notebook small."""
    rgb = PIL.Image.fromarray(np.asarray(rgba)).convert("RGB")
    return rgb.quantize(256, method=PIL.Image.Quantize.FASTOCTREE)


class PaletteCanvas(FigureCanvasAgg):
    """Agg canvas for a figure that is never on screen: palette PNGs (``palette_image``),
    and no redraw on ``draw_idle`` (it draws when saved)."""

    def draw_idle(self, *args, **kwargs):
        """Nothing to refresh on screen."""

    def print_png(self, filename_or_obj, **_savefig_options):
        self.draw()
        palette_image(self.buffer_rgba()).save(filename_or_obj, format="png")


class View:
    """Draws one half-step of a History in a figure of its own and moves it to another.

    ``View(history, dpi=80, figsize=(8, 3.5), colors=None)`` creates the figure ``fig``
    (a matplotlib Figure with a ``PaletteCanvas``, unknown to pyplot: creating a view
    displays nothing and leaves no pyplot figure open) and its artists, once, showing
    (0, "E").  ``update(t, half)`` moves the artists in place; ``render()`` draws the figure
    into the canvas and ``png()`` returns it as PNG bytes.  ``colors``: one per component.

    Rendering blits: the artists that move are registered with ``moving(...)`` (which makes
    them matplotlib "animated" artists); everything else is drawn once into a background
    that each step restores before drawing only the moving artists.  If anything not
    registered changes, the figure goes stale and the next render draws it all again, so
    forgetting to register an artist costs speed, never correctness.  ``fig.savefig`` and
    animations always draw everything.

    A view for another model, or another picture, subclasses View and implements
        draw_state(params, resp)    create the artists on ``self.ax`` (resp: (n, k)) and
                                    register the ones that move, and static ones that must
                                    stay on top of them (legends), with ``self.moving``
        update_state(params, resp)  move them
    The base class draws the caption and the log-likelihood panel (``self.ax_ll``) and sets
    ``self.t`` and ``self.half`` before calling them; override ``make_axes`` for another layout.
    """
    figsize = (8.0, 3.5)
    model = None                     # the model module this view draws; None: any

    def __init__(self, history, *, dpi=80, figsize=None, colors=None):
        if not isinstance(history, History) or not history.params:
            raise TypeError("history must be an emlab.History from run_em, "
                            f"got {type(history).__name__}")
        if self.model is not None and history.model is not self.model:
            raise TypeError(f"{type(self).__name__} draws a History of {self.model.__name__}, got one "
                            f"of {history.model.__name__}; default_view(history) picks the view")
        self.history = history
        k = history.params[0].k
        self.colors = plot.component_colors(k) if colors is None else to_rgba_array(colors)
        if len(self.colors) != k:
            raise ValueError(f"colors must give one colour per component (k = {k}), "
                             f"got {len(self.colors)}")
        self._recomputed = {}
        self._background = None
        self.fig = Figure(figsize=figsize or self.figsize, dpi=dpi)
        PaletteCanvas(self.fig)
        self.make_axes()
        self.draw(0, "E")
        # Once, leaving room for the caption; not kept as the figure's layout engine.
        TightLayoutEngine(rect=(0, 0, 1, 0.93)).execute(self.fig)

    def make_axes(self):
        """The model's panel ``self.ax`` and the log-likelihood panel ``self.ax_ll``."""
        self.ax, self.ax_ll = self.fig.subplots(1, 2, width_ratios=[5, 3])

    def draw(self, t, half):
        """Create every artist, showing half-step (t, half)."""
        params, resp = self.state(t, half)
        self._moving = []
        self.caption = self.fig.axes[0].text(0.5, 0.98, caption(t, half), transform=self.fig.transFigure,
                                             ha="center", va="top", fontsize=11, in_layout=False)
        _, self.ll_marker = plot.log_likelihood_curve(self.ax_ll, self.history.log_likelihood, t)
        n_iter, pad = self.history.n_iter, max(0.5, 0.03 * self.history.n_iter)
        self.ax_ll.set(xlim=(-pad, n_iter + pad), xlabel="iteration",
                       ylabel="log-likelihood" if self.history.labels is None else "objective")
        self.ax_ll.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.moving(self.caption, self.ll_marker)
        self.draw_state(params, resp)
        for ax in self.fig.axes:        # paint order of a whole draw: ticks, moving artists, spines
            ax.set_axisbelow(True)
            self.moving(ax.spines.values())

    def update(self, t, half):
        """Move the artists to half-step (t, half): t in 0..n_iter, half "E" or "M"."""
        params, resp = self.state(t, half)
        self.caption.set_text(caption(t, half))
        plot.update_log_likelihood_curve(self.ll_marker, self.history.log_likelihood, t)
        self.update_state(params, resp)

    def moving(self, *artists):
        """Register artists (or lists/containers of them) to redraw at every step."""
        for item in artists:
            if isinstance(item, Artist):
                item.set_animated(True)
                self._moving.append(item)
            else:
                self.moving(*item)

    def render(self):
        """Draw the current half-step into the canvas: the background (drawn again only when
        the figure is stale), then the moving artists in z-order.  Returns the RGBA buffer."""
        canvas = self.fig.canvas
        if self._background is None or self.fig.stale:
            canvas.draw()                    # skips the animated (moving) artists
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            self._order = self.draw_order()
        else:
            canvas.restore_region(self._background)
        for artist in self._order:
            artist.axes.draw_artist(artist)
        self.fig.stale = False               # drawing a legend re-lays its box and flags the figure
        return canvas.buffer_rgba()

    def draw_order(self):
        """The moving artists in the order a whole draw paints them: by axes, z-order, creation."""
        axes = self.fig.axes
        rank = {id(a): i for ax in axes for i, a in enumerate(ax.get_children())}
        return sorted(self._moving, key=lambda a: (axes.index(a.axes), a.get_zorder(), rank[id(a)]))

    def png(self):
        """The current half-step as PNG bytes (``render()`` with a palette)."""
        buffer = BytesIO()
        palette_image(self.render()).save(buffer, format="png")
        return buffer.getvalue()

    def draw_state(self, params, resp):
        raise NotImplementedError(f"{type(self).__name__} must implement draw_state(params, resp)")

    def update_state(self, params, resp):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state(params, resp)")

    def state(self, t, half):
        """``(params, resp)`` shown at half-step (t, half); see the module docstring."""
        t = _checks.integer(t, "t", minimum=0)
        if t > self.history.n_iter:
            raise ValueError(f"t must be an iteration 0..{self.history.n_iter}, got {t}")
        if half not in HALVES:
            raise ValueError(f'half must be "E" or "M", got {half!r}')
        self.t, self.half = t, half
        params = self.history.params[t]
        if half == "E":
            return params, self.responsibilities(t)
        return params, self.responsibilities(t - 1) if t > 0 else self.prior()

    def responsibilities(self, t):
        """``resp[t]``, the E-step at ``params[t]``, (n, k); recomputed if it was not kept."""
        kept = self.history.resp[t] if t < len(self.history.resp) else None
        if kept is not None:
            return kept
        if t not in self._recomputed:
            h = self.history
            self._recomputed[t] = labelled_posterior(h.model.log_joint(h.x, h.params[t]), h.labels)[0]
        return self._recomputed[t]

    def prior(self):
        """Before the first E-step: ``r_ij = pi_j^(0)``, one-hot for labelled points.  (n, k)."""
        h = self.history
        resp = np.tile(h.params[0].weights, (len(h.x), 1))
        if h.labels is not None:
            known = h.labels >= 0
            resp[known] = np.eye(resp.shape[1])[h.labels[known]]
        return resp


def caption(t, half):
    """What half-step (t, half) shows, in words."""
    if half == "E":
        return rf"iteration {t}: E-step, responsibilities at $\theta^{{({t})}}$"
    if t == 0:
        return r"iteration 0: initial parameters $\theta^{(0)}$, no E-step yet"
    return (rf"iteration {t}: M-step, $\theta^{{({t})}}$ from the responsibilities "
            rf"at $\theta^{{({t - 1})}}$")


class CoinsView(View):
    """Coins: each trial's posterior ``P(coin j | trial)`` as a stacked bar (black tick: the
    trial's share of heads), the coin biases ``theta_j``, and the log-likelihood."""
    model = coins

    def make_axes(self):
        self.ax, self.ax_bias, self.ax_ll = self.fig.subplots(1, 3, width_ratios=[4, 3, 3])

    def draw_state(self, params, resp):
        x = self.history.x
        trials = np.arange(1, len(x) + 1)
        self.bars = plot.stacked_bars(self.ax, trials, resp, colors=self.colors)
        tosses = x.sum(axis=1)
        heads_share = np.divide(x[:, 0], tosses, out=np.full(len(x), np.nan), where=tosses > 0)
        ticks = self.ax.plot(trials, heads_share, "_", color="black", ms=10, mew=2)
        self.ax.set(ylim=(0, 1), xlabel="trial", ylabel="P(coin | trial)")
        if len(x) <= 12:
            self.ax.set_xticks(trials)
        names = [f"coin {chr(65 + j)}" if j < 26 else f"coin {j}" for j in range(params.k)]
        self.bias_bars = self.ax_bias.barh(names, params.p, height=0.6, color=self.colors)
        self.bias_text = [self.ax_bias.text(p + 0.02, j, f"{p:.2f}", va="center")
                          for j, p in enumerate(params.p)]
        self.ax_bias.set(xlim=(0, 1.2), xticks=[0, 0.5, 1], xlabel=r"heads probability $\theta_j$")
        self.ax_bias.invert_yaxis()
        self.moving(self.bars, ticks, self.bias_bars, self.bias_text)

    def update_state(self, params, resp):
        plot.update_stacked_bars(self.bars, resp)
        for bar, text, p in zip(self.bias_bars, self.bias_text, params.p):
            bar.set_width(p)
            text.set_x(p + 0.02)
            text.set_text(f"{p:.2f}")


class HistogramView(View):
    """1-D data (Poisson counts, or a Gaussian mixture with d = 1): the histogram of x, each
    bar split by the responsibilities; ``pi_j p(x | theta_j)`` per component (dashed) and
    the mixture pmf or density (black); the log-likelihood.

    ``bins``: for continuous data, any ``numpy.histogram_bin_edges`` bins (default "auto",
    at most 40 bins); counts get one bar per value.
    """

    def __init__(self, history, *, bins=None, **options):
        self.bins = bins
        super().__init__(history, **options)

    def support(self):
        """``(edges, grid)``: histogram bin edges and where the curves are evaluated."""
        h = self.history
        if h.model is poisson:
            top = int(h.x.max()) + 1
            return np.arange(-0.5, top + 1), np.arange(top + 1)
        if h.model is gaussian and h.x.shape[1] == 1:
            values = h.x[:, 0]
            edges = np.histogram_bin_edges(values, bins="auto" if self.bins is None else self.bins)
            if self.bins is None and len(edges) > 41:
                edges = np.linspace(values.min(), values.max(), 41)
            pad = 0.1 * (values.max() - values.min())
            return edges, np.linspace(edges[0] - pad, edges[-1] + pad, 200)[:, None]
        raise ValueError("HistogramView draws 1-D data: Poisson counts or a Gaussian mixture with "
                         f"d = 1, got {h.model.__name__} data of shape {h.x.shape}")

    def draw_state(self, params, resp):
        h = self.history
        self.edges, self.grid = self.support()
        self.values = h.x.ravel()
        self.hist = plot.resp_histogram(self.ax, self.values, resp, self.edges, self.colors, alpha=0.45)
        counts = h.model is poisson
        self.lines = plot.mixture(self.ax, h.model, self.grid, params, self.colors, lw=1.5,
                                  marker="o" if counts else None, ms=3)
        xs = np.ravel(self.grid)
        top = max(np.histogram(self.values, self.edges, density=True)[0].max(),
                  max(plot.component_curves(h.model, self.grid, p).sum(axis=1).max() for p in h.params))
        self.ax.set(xlim=(min(self.edges[0], xs[0]), max(self.edges[-1], xs[-1])), ylim=(0, 1.1 * top),
                    xlabel="count" if counts else "x", ylabel="probability" if counts else "density")
        legend = self.ax.legend([*(c[0] for c in self.hist), self.lines[0]],
                                [*(f"component {j}" for j in range(params.k)), "mixture"], fontsize=8)
        self.moving(self.hist, self.lines, legend)

    def update_state(self, params, resp):
        plot.update_resp_histogram(self.hist, self.values, resp, self.edges)
        plot.update_mixture(self.lines, self.history.model, self.grid, params)


class PoissonView(HistogramView):
    __doc__ = "Poisson counts. " + HistogramView.__doc__
    model = poisson


class GaussianView(HistogramView):
    """Gaussian mixture.  d >= 2: the points (coordinates ``dims``) coloured by their
    responsibilities, labelled points (``history.labels != -1``) as black-edged diamonds in
    their class colour that stay fixed, an ellipse holding probability ``mass`` of each
    component (of its marginal on ``dims``) with its mean (X); the log-likelihood.
    d = 1: the HistogramView.  ``axis_labels``: names of the two coordinates.
    """
    model = gaussian

    def __init__(self, history, *, mass=0.86, dims=(0, 1), axis_labels=None, **options):
        self.mass, self.axis_labels = mass, axis_labels
        d = history.x.shape[1] if isinstance(history, History) and history.model is gaussian else 2
        if (len(dims) != 2 or dims[0] == dims[1]
                or not all(isinstance(i, Integral) and 0 <= i < max(d, 2) for i in dims)):
            raise ValueError(f"dims must be two different coordinates in 0..{d - 1}, got {dims!r}")
        self.dims = [int(i) for i in dims]
        super().__init__(history, **options)

    def draw_state(self, params, resp):
        x = self.history.x
        if x.shape[1] == 1:
            return super().draw_state(params, resp)
        xy = x[:, self.dims]
        self.free = np.ones(len(x), bool) if self.history.labels is None else self.history.labels < 0
        self.points = plot.resp_points(self.ax, xy[self.free], resp[self.free], self.colors, s=10)
        if not self.free.all():              # drawn at each step only to stay above the others
            fixed = ~self.free
            colors = self.colors[self.history.labels[fixed]]
            self.moving(self.ax.scatter(xy[fixed, 0], xy[fixed, 1], c=colors, marker="D", s=30,
                                        edgecolors="black", linewidths=0.9, zorder=2))
        self.ellipses = [plot.ellipse(self.ax, mean, cov, self.mass, edgecolor=color, lw=2, zorder=3)
                         for mean, cov, color in zip(*self.marginals(params), self.colors)]
        self.centres = self.ax.scatter(*params.means[:, self.dims].T, c=self.colors, marker="X", s=70,
                                       edgecolors="black", linewidths=0.8, zorder=4)
        low, high = xy.min(axis=0), xy.max(axis=0)
        pad = 0.05 * (high - low)
        names = self.axis_labels or [f"$x_{i + 1}$" for i in self.dims]
        self.ax.set(xlim=(low[0] - pad[0], high[0] + pad[0]), ylim=(low[1] - pad[1], high[1] + pad[1]),
                    xlabel=names[0], ylabel=names[1])
        self.ax.set_title(f"ellipses hold {self.mass:.0%} of each component", fontsize=9)
        self.moving(self.points, self.ellipses, self.centres)

    def update_state(self, params, resp):
        if self.history.x.shape[1] == 1:
            return super().update_state(params, resp)
        plot.update_resp_points(self.points, resp[self.free], self.colors)
        for artist, mean, cov in zip(self.ellipses, *self.marginals(params)):
            plot.update_ellipse(artist, mean, cov, self.mass)
        self.centres.set_offsets(params.means[:, self.dims])

    def marginals(self, params):
        """Means (k, 2) and covariances (k, 2, 2) of each component's marginal on ``dims``."""
        return params.means[:, self.dims], params.covariances[:, self.dims][:, :, self.dims]


def default_view(history):
    """The View class for ``history.model``: CoinsView, PoissonView or GaussianView."""
    views = {coins: CoinsView, poisson: PoissonView, gaussian: GaussianView}
    if not isinstance(history, History) or history.model not in views:
        raise TypeError(f"history must be an emlab.History of coins, poisson or gaussian, "
                        f"got {type(history).__name__}")
    return views[history.model]


def make_view(history, view=None, **view_options):
    """``view`` as a View of ``history``: None -> ``default_view(history)``; a View class is
    called with ``view_options``; a View instance of this history is used as it is."""
    if view is None:
        view = default_view(history)
    if isinstance(view, type) and issubclass(view, View):
        return view(history, **view_options)
    if isinstance(view, View):
        if view_options:
            raise TypeError(f"view options {sorted(view_options)} need a View class, not an instance")
        if view.history is not history:
            raise ValueError("view draws another History than the one given")
        return view
    raise TypeError(f"view must be None, a View subclass or a View, got {type(view).__name__}")


class Stepper(widgets.VBox):
    """A Play button linked to an iteration slider, an E/M half-step toggle, and the view's
    figure as a PNG image redrawn on every change.

    Attributes: ``view``, ``play``, ``slider``, ``half``, ``image``.  ``show(t, half)``
    does what the controls do.  The Play button moves the slider in the browser (jslink).
    """

    def __init__(self, view, *, interval=700):
        n_iter = view.history.n_iter
        play = widgets.Play(value=0, min=0, max=n_iter, interval=interval, description="play")
        slider = widgets.IntSlider(value=0, min=0, max=n_iter, description="iteration",
                                   continuous_update=False)
        half = widgets.ToggleButtons(options=[("E-step", "E"), ("M-step", "M")], value="E",
                                     tooltips=["responsibilities at the parameters of this iteration",
                                               "the parameters this iteration's M-step produced"])
        image = widgets.Image(format="png")
        super().__init__([widgets.HBox([play, slider, half]), image])
        self.view, self.play, self.slider, self.half, self.image = view, play, slider, half, image
        self.link = widgets.jslink((play, "value"), (slider, "value"))
        self.show(0, "E")
        slider.observe(self._on_change, names="value")
        half.observe(self._on_change, names="value")

    def show(self, t, half):
        """Update the view to (t, half) and the image to its PNG."""
        self.view.update(t, half)
        self.image.value = self.view.png()

    def _on_change(self, _change):
        self.show(self.slider.value, self.half.value)


def stepper(history, view=None, *, interval=700, **view_options):
    """A widget to step through ``history`` by half-steps (see the module docstring).

    ``view``: None (``default_view``), a View class (called with ``view_options``) or a
    View of this history.  ``interval``: milliseconds per Play step.  Returns a Stepper
    (an ipywidgets VBox); display it, or end a cell with it.
    """
    return Stepper(make_view(history, view, **view_options), interval=interval)


def animation_steps(n_iter, frames=None, half_steps=True):
    """The half-steps an animation shows: ``[(t, half), ...]``.

    ``frames``: None (at most MAX_FRAMES frames), an int (at most that many frames, but at
    least one iteration; the iterations are spread evenly and include the first and last),
    or a sequence of iterations.  ``half_steps``: show (t, "M") then (t, "E") for each t,
    else only (t, "E").
    """
    per_iteration = ("M", "E") if half_steps else ("E",)
    if frames is None or isinstance(frames, (int, np.integer)):
        budget = MAX_FRAMES if frames is None else _checks.integer(frames, "frames", minimum=1)
        count = max(1, budget // len(per_iteration))
        iterations = np.unique(np.round(np.linspace(0, n_iter, min(count, n_iter + 1))).astype(int))
    else:
        iterations = _checks.as_array(frames, "frames", ndim=1, integer=True)
        if np.any((iterations < 0) | (iterations > n_iter)):
            raise ValueError(f"frames must be iterations in 0..{n_iter}, got {iterations.tolist()}")
    return [(int(t), half) for t in iterations for half in per_iteration]


def animate(history, view=None, frames=None, half_steps=True, interval=400, **view_options):
    """A matplotlib FuncAnimation stepping ``view`` through ``history``.

    Embed it so that it plays without a kernel: ``HTML(animate(history).to_jshtml())``.
    ``frames``, ``half_steps``: see ``animation_steps``; ``interval``: milliseconds per
    frame; ``view``, ``view_options``: as for ``stepper``.  The view is ``anim.view``.
    """
    view = make_view(history, view, **view_options)
    steps = animation_steps(view.history.n_iter, frames, half_steps)
    anim = FuncAnimation(view.fig, lambda step: view.update(*step), frames=steps, interval=interval)
    anim.view = view
    return anim
