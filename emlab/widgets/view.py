"""``View``, the base of every view: the half-steps of a History drawn in a figure of its own."""
import numpy as np
from matplotlib.colors import to_rgba_array
from matplotlib.layout_engine import TightLayoutEngine
from matplotlib.ticker import MaxNLocator

from .. import plot
from ..model import is_mixture, model_name
from .halfsteps import HalfSteps, caption, check_history, number, params_words
from .rendering import BlitFigure


class View:
    """Draws one half-step of a History in a figure of its own and moves it to another.

    ``View(history, dpi=80, figsize=(8, 3.5), colors=None)`` creates the figure ``fig``
    (off screen: see ``emlab.widgets.rendering``) and its artists, once, showing the start.
    ``update(step)`` moves the artists in place to half-step ``step`` (0 the start, then the
    E-step and the M-step of each iteration: see ``emlab.widgets.halfsteps``); ``render()``
    draws the figure into its canvas, blitting, and ``png()`` returns it as PNG bytes;
    ``set_history(history)`` shows another History in the same figure.  ``colors``: one per
    component.  In words: ``announcement(step)`` (what a half-step did, for a screen reader's
    live region) and ``alt_text(step)`` (what the figure shows then).

    A view for a model, or another picture, subclasses View and implements
        draw_state(params, resp)    create the artists on ``self.ax`` and register the ones
                                    that move, and static ones that must stay on top of them
                                    (legends), with ``self.moving``; ``resp``: the E-step's
                                    stats shown (see ``emlab.widgets.halfsteps``), a mixture's
                                    responsibilities (n, k); for any other model None at the
                                    start, before the first E-step
        update_state(params, resp)  move them
        cannot_show(history)        a classmethod: why this view cannot draw ``history``
                                    (a short phrase), or None when it can
        drawing()                   what the model's panels draw, in words (for the alt text)
    and, for a model that is not a mixture, ``color_count(history)`` (one colour per
    component of a mixture by default).  ``stats_name`` names the E-step's stats in the
    caption; ``params_words`` and ``stats_words`` say a half-step's numbers in words.
    The base class draws the caption and the log-likelihood panel (``self.ax_ll``) and sets
    ``self.step``, ``self.t`` (the parameters shown are ``params[t]``) and ``self.source``
    (the stats shown are the E-step's at ``params[source]``, None at the start) before calling
    them; override ``make_axes`` for another layout.  ``emlab.widgets.register_view`` makes a
    view the one a model's Histories get.
    """
    figsize = (8.0, 3.5)
    stats_name = None           # the E-step's stats in words: None for "responsibilities" or "posterior"

    def __init__(self, history, *, dpi=80, figsize=None, colors=None):
        self.check(history)
        self._colors = colors
        self.blit = BlitFigure(figsize or self.figsize, dpi)
        self.fig = self.blit.fig
        self.make_axes()
        self.use(history)
        self.draw(0)
        # Once, leaving room for the caption; not kept as the figure's layout engine.
        TightLayoutEngine(rect=(0, 0, 1, 0.93)).execute(self.fig)

    @classmethod
    def cannot_show(cls, history):
        """Why this view cannot draw ``history``, or None (any History, for the base class)."""
        return None

    def check(self, history):
        reason = type(self).cannot_show(check_history(history))
        if reason:
            raise TypeError(f"{type(self).__name__} cannot show this History of "
                            f"{model_name(history.model)}: {reason}; default_view(history) picks a view")
        return history

    def use(self, history):
        """Take ``history`` (and its colours) as the one shown; draws nothing.  Called for
        every History a view shows, before drawing: a subclass that keeps values computed
        from the History extends it."""
        k = self.color_count(history)
        colors = plot.component_colors(k) if self._colors is None else to_rgba_array(self._colors)
        if len(colors) != k:
            raise ValueError(f"colors must give one colour per component (k = {k}), got {len(colors)}")
        self.history, self.steps, self.colors = history, HalfSteps(history), colors

    def color_count(self, history):
        """How many colours the view draws with: one per component of a mixture.  A view of
        any other model says how many it needs (e.g. one per hidden state) by overriding this."""
        if not is_mixture(history.model):
            raise TypeError(f"{type(self).__name__} draws a mixture's components, one colour each, but "
                            f"{model_name(history.model)} is not a mixture (it gives expected_stats); "
                            "a view of it says how many colours it draws with color_count(history)")
        return history.params[0].k

    def make_axes(self):
        """The model's panel ``self.ax`` and the log-likelihood panel ``self.ax_ll``."""
        self.ax, self.ax_ll = self.fig.subplots(1, 2, width_ratios=[5, 3])

    def draw(self, step):
        """Create every artist, showing half-step ``step``."""
        params, resp = self.state(step)
        self.blit.forget_moving()
        self.caption = self.fig.axes[0].text(0.5, 0.98, self.caption_text(step),
                                             transform=self.fig.transFigure,
                                             ha="center", va="top", fontsize=11, in_layout=False)
        self.ll_line, self.ll_marker = plot.log_likelihood_curve(self.ax_ll, self.history.log_likelihood, self.t)
        self.ax_ll.set(xlabel="iteration", ylabel=self.objective_name())
        self.ax_ll.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.set_iteration_limits()
        self.moving(self.caption, self.ll_marker)
        self.draw_state(params, resp)
        for ax in self.fig.axes:        # paint order of a whole draw: ticks, moving artists, spines
            ax.set_axisbelow(True)
            self.moving(ax.spines.values())

    def caption_text(self, step):
        """What half-step ``step`` shows, in words (``halfsteps.caption``): the E-step's
        ``stats_name``, by default a mixture's responsibilities, any other model's posterior."""
        stats = self.stats_name or ("responsibilities" if is_mixture(self.history.model) else "posterior")
        return caption(step, stats)

    def objective_name(self):
        return "log-likelihood" if self.history.labels is None else "objective"

    # ---- in words: the live region's announcement and the image's alt text

    def params_words(self, params, previous=None):
        """The parameters in words (``halfsteps.params_words``); only those that changed
        from ``previous`` when given."""
        return params_words(params, previous)

    def stats_words(self, stats):
        """The E-step's stats in words: a mixture's soft counts ``N_j = sum_i r_ij``; nothing
        for any other model (a view of one may say more)."""
        if stats is None or not is_mixture(self.history.model):
            return ""
        return "N = (" + ", ".join(f"{n:.1f}" for n in np.sum(stats, axis=0)) + ")"

    def announcement(self, step=None):
        """What half-step ``step`` (default: the one shown) did, in words: its caption, the
        objective at the parameters shown, and what changed (all the parameters at the start,
        those the M-step changed, the E-step's stats)."""
        step = self.step if step is None else step
        t, source = self.steps.indices(step)
        h = self.history
        ell = "ℓ" if h.labels is None else "objective"
        parts = [self.caption_text(step), f"{ell} = {number(h.log_likelihood[t])}"]
        if source is None:
            parts.append(self.params_words(h.params[0]))
        elif source == t:
            parts.append(self.stats_words(self.steps.stats(source)))
        else:
            parts.append(self.params_words(h.params[t], h.params[source]))
        return "; ".join(p for p in parts if p)

    def alt_text(self, step=None):
        """What the figure shows at half-step ``step`` (default: the one shown), in words."""
        h = self.history
        return (f"EM on {model_name(h.model)}, {len(h.x)} data points: {self.drawing()}; right, the "
                f"{self.objective_name()} at each iteration. Now {self.announcement(step)}.")

    def drawing(self):
        """What the model's panels draw, in words (a subclass says more)."""
        return "the model's panel"

    def set_iteration_limits(self):
        n_iter, pad = self.history.n_iter, max(0.5, 0.03 * self.history.n_iter)
        self.ax_ll.set_xlim(-pad, n_iter + pad)

    def update(self, step):
        """Move the artists to half-step ``step``, 0..2 n_iter + 1 (see ``halfsteps``)."""
        params, resp = self.state(step)
        self.caption.set_text(self.caption_text(step))
        plot.update_log_likelihood_curve(self.ll_marker, self.history.log_likelihood, self.t)
        self.update_state(params, resp)

    def set_history(self, history):
        """Show ``history`` instead, from its start (half-step 0), in this figure (no new figure).

        When it ran on the same data (``same_data``) the artists move in place and only
        what depends on the whole History is redone (``history_changed``); otherwise every
        axes is cleared and drawn again.
        """
        self.check(history)
        same = self.same_data(history)
        self.use(history)
        if same:
            self.history_changed()
            self.update(0)
        else:
            for ax in self.fig.axes:
                ax.clear()
            self.draw(0)

    def same_data(self, history):
        """Whether ``history`` ran on the same x and labels, with as many colours (components), as
        the History shown: then the artists of the data stay as they are."""
        old = self.history
        return (type(history.params[0]) is type(old.params[0])
                and self.color_count(history) == self.color_count(old)
                and _equal(history.x, old.x) and _equal(history.labels, old.labels))

    def history_changed(self):
        """Same data, another History: the log-likelihood curve and its limits.  (Subclasses
        extend this for their own History-wide limits.)"""
        ll = self.history.log_likelihood
        self.ll_line.set_data(np.arange(len(ll)), ll)
        self.ax_ll.relim()
        self.ax_ll.autoscale_view()
        self.set_iteration_limits()

    def state(self, step):
        """``(params, stats)`` shown at half-step ``step``; sets ``self.step``, ``self.t`` and
        ``self.source`` (see the class docstring)."""
        params, resp = self.steps.state(step)
        self.step, (self.t, self.source) = step, self.steps.indices(step)
        return params, resp

    def moving(self, *artists):
        """Register artists (or lists/containers of them) to redraw at every step."""
        self.blit.moving(*artists)

    def render(self):
        """Draw the current half-step into the canvas (blitting); returns the RGBA buffer."""
        return self.blit.render()

    def png(self):
        """The current half-step as PNG bytes."""
        return self.blit.png()

    def draw_state(self, params, resp):
        raise NotImplementedError(f"{type(self).__name__} must implement draw_state(params, resp)")

    def update_state(self, params, resp):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state(params, resp)")


def _equal(a, b):
    if a is None or b is None:
        return a is b
    return a is b or (a.shape == b.shape and np.array_equal(a, b))
