"""``ElboView``: a mixture's usual view with one more panel, ``log p(x | θ) = ELBO + KL`` at
every half-step (Bishop Figs. 9.11-9.13, notebook 06):

    emlab.widgets.stepper(history, view=ElboView)
    emlab.widgets.animate(history, view=ElboView)

The middle panel shows two stacked bars, the half-step before and this one: each is the
log-likelihood (the objective, with labelled points) at the parameters shown, split into the
ELBO ``L(q, θ)`` (grey, bottom) and ``KL(q ‖ p(z | x, θ))`` (hatched, top), with ``q`` the
responsibilities shown.  An E-step sets q to the posterior at θ: the KL closes to 0 and the ELBO
rises to ℓ(θ).  An M-step keeps q and moves θ: the ELBO rises again and a new KL opens above it.
Both are computed with ``emlab.elbo`` and ``emlab.kl`` from the half-step's state (the
parameters and responsibilities the base View gives); the posterior at the parameters shown is
the E-step's of the same iteration, ``HalfSteps.stats(t)``.
"""
import numpy as np
from matplotlib.transforms import Affine2D, blended_transform_factory

from ..mixture import elbo, kl
from ..model import is_mixture, model_name
from .halfsteps import check_history, number
from .view import View
from .views import ReadableText

ELBO_STYLE = {"facecolor": "0.6", "edgecolor": "black", "linewidth": 1.0}
KL_STYLE = {"facecolor": "white", "edgecolor": "black", "hatch": "////", "linewidth": 1.0}
BAR_NAMES = ("before", "now")


class ElboView(ReadableText, View):
    """The view of the History's model (``model_view``, default: the one registered for it,
    ``emlab.widgets.default_view``) with the panel ``log p(x | θ) = ELBO + KL`` between its
    model's panel and the log-likelihood panel (see the module docstring).  Options are those
    of ``model_view``.  ``ElboView(history)`` is an instance of a subclass of both, made once
    per model view; the model view must draw on the base layout (``self.ax``, ``self.ax_ll``).

    ``terms(step)`` gives ``(elbo, kl, log_p)`` of half-step ``step`` as the panel shows them.
    """
    figsize = (11.0, 3.5)
    _combined = {}                                # model view class -> its ElboView subclass

    def __new__(cls, history, *, model_view=None, **options):
        if cls is not ElboView:
            return super().__new__(cls)
        if model_view is None:
            from .registry import default_view      # the registry imports every model's view
            model_view = default_view(check_history(history))
        if not (isinstance(model_view, type) and issubclass(model_view, View)) or issubclass(model_view, ElboView):
            raise TypeError(f"model_view must be a View subclass that draws the model, got {model_view!r:.60}")
        if model_view.make_axes is not View.make_axes:
            raise TypeError(f"ElboView adds a panel to views drawn on the base layout (model, log-likelihood); "
                            f"{model_view.__name__} has a layout of its own")
        if model_view not in cls._combined:
            cls._combined[model_view] = type(f"Elbo{model_view.__name__}", (ElboView, model_view),
                                             {"__module__": __name__, "__doc__": ElboView.__doc__})
        return super().__new__(cls._combined[model_view])

    def __init__(self, history, *, model_view=None, **options):
        super().__init__(history, **options)

    @classmethod
    def cannot_show(cls, history):
        if not is_mixture(history.model):
            return f"it draws the ELBO of a mixture's responsibilities, and {model_name(history.model)} is not a mixture"
        return super().cannot_show(history)

    def make_axes(self):
        self.ax, self.ax_elbo, self.ax_ll = self.fig.subplots(1, 3, width_ratios=[5, 3.3, 2.7])

    # ---- the numbers

    def terms(self, step):
        """``(elbo, kl, log_p)`` at half-step ``step``: ``L(q, θ)``, ``KL(q ‖ p(z | x, θ))`` and the
        log-likelihood (objective) at θ, for θ and q the parameters and responsibilities shown."""
        h = self.history
        params, q = self.steps.state(step)
        t, _ = self.steps.indices(step)
        posterior = self.steps.stats(t)             # the E-step at params[t], as the stepper shows it
        return elbo(h.model, h.x, params, q), kl(q, posterior), float(h.log_likelihood[t])

    # ---- drawing

    def draw_state(self, params, resp):
        super().draw_state(params, resp)
        ax = self.ax_elbo
        # The bars and their texts are placed in log-likelihood units on a vertical zoom of the
        # panel (``zoom`` maps the range shown to 0..1 of its height, update_terms): zooming at
        # every half-step moves only them, not the axes (its y axis has no ticks), so a step
        # redraws only what moved.
        self.zoom = Affine2D()
        on_zoom = blended_transform_factory(ax.transData, self.zoom + ax.transAxes)
        self.elbo_bars = ax.bar([0, 1], [0, 0], 0.84, transform=on_zoom, **ELBO_STYLE)
        self.kl_bars = ax.bar([0, 1], [0, 0], 0.84, transform=on_zoom, **KL_STYLE)
        # Labelled where they are (no legend): "ELBO" and its value in the grey bar, "KL" and its
        # value on top of the hatched one; the axis has no ticks (the values are written out).
        self.term_texts = [(ax.text(i, 0, "", ha="center", va="top", transform=on_zoom),
                            ax.text(i, 0, "", ha="center", va="bottom", transform=on_zoom)) for i in (0, 1)]
        ax.set_xticks([0, 1], [f"{name}" for name in BAR_NAMES])
        ax.set_yticks([])
        ax.set(xlim=(-0.5, 1.5), ylim=(0, 1))
        ax.set_title(f"{'log p(x | θ)' if self.history.labels is None else 'objective'} = ELBO + KL")
        self.moving(self.elbo_bars, self.kl_bars, self.term_texts)
        self.update_terms()

    def update_state(self, params, resp):
        super().update_state(params, resp)
        self.update_terms()

    def update_terms(self):
        """The two bars: the half-step before (hidden at the start) and this one, on a panel
        zoomed to them (``zoom``: it does not start at 0, the bars are cut at its bottom)."""
        shown = [self.step - 1, self.step] if self.step > 0 else [None, self.step]
        terms = [None if s is None else self.terms(s) for s in shown]
        present = [v for v in terms if v is not None]
        low = min(b for b, _, _ in present)
        high = max(log_p for _, _, log_p in present)
        span = max(high - low, 1e-6 * max(1.0, abs(high)))
        bottom, top = low - 0.8 * span, high + 0.35 * span
        for i, value in enumerate(terms):
            visible = value is not None
            for artist in (self.elbo_bars[i], self.kl_bars[i], *self.term_texts[i]):
                artist.set_visible(visible)
            if not visible:
                continue
            bound, gap, log_p = value
            self.elbo_bars[i].set_y(bottom)
            self.elbo_bars[i].set_height(bound - bottom)
            self.kl_bars[i].set_y(bound)
            self.kl_bars[i].set_height(gap)
            elbo_text, kl_text = self.term_texts[i]
            elbo_text.set_position((i, bound - 0.04 * span))
            elbo_text.set_text(f"ELBO\n{number(bound)}")
            kl_text.set_position((i, log_p + 0.02 * span))
            kl_text.set_text(f"KL {number(gap)}")
        self.zoom.clear().translate(0, -bottom).scale(1, 1 / (top - bottom))

    # ---- in words

    def drawing(self):
        return (f"{super().drawing()}; middle, two bars, the half-step before and this one, each the "
                "log-likelihood at the parameters shown split into the ELBO (grey, bottom) and the KL "
                "(hatched, top), on an axis zoomed to them")

    def announcement(self, step=None):
        step = self.step if step is None else step
        bound, gap, _ = self.terms(step)
        return f"{super().announcement(step)}; ELBO = {number(bound)}, KL = {number(gap)}"
