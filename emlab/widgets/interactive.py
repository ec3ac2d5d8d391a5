"""The ipywidgets layer: a stepper that replays a History half-step by half-step (needs a kernel)."""
import html

import ipywidgets as widgets

from .halfsteps import check_history
from .registry import make_view
from .view import View


class Stepper(widgets.VBox):
    """A Play button linked to an iteration slider, an E/M half-step toggle, and the view's
    figure as a PNG image redrawn on every change.

    Attributes: ``view``, ``play``, ``slider``, ``half``, ``image``, ``message``.
    ``show(t, half)`` does what the controls do.  The Play button moves the slider in the
    browser (jslink).  For code that reruns EM (an explorer), two more methods:

    ``set_history(history, view=None, *, t=None, **view_options)``
        Step through another History in this same widget.  With ``view=None`` the current
        view takes it when it can draw it (the same kind of model and data): no new figure,
        and on the same data (x, labels, k) the artists just move (``View.set_history``).
        Otherwise, or with a ``view`` (class or instance, as for ``stepper``), a new view
        replaces the old one (at the old one's dpi unless told).  The controls get the new number of iterations; the half-step
        shown stays, at iteration ``t`` (default: the one shown), clipped to the new last
        one.  Clears a message.
    ``show_message(text)``, ``clear_message()``
        Put a short line of text (e.g. why EM could not run) in place of the figure, with
        the controls disabled, until ``clear_message()`` or ``set_history``.
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
        message = widgets.HTML(layout=widgets.Layout(display="none"))
        super().__init__([widgets.HBox([play, slider, half]), image, message])
        self.view, self.play, self.slider, self.half = view, play, slider, half
        self.image, self.message = image, message
        self.link = widgets.jslink((play, "value"), (slider, "value"))
        self._moving_controls = False
        self.show(0, "E")
        slider.observe(self._on_change, names="value")
        half.observe(self._on_change, names="value")

    def show(self, t, half):
        """Update the view to (t, half) and the image to its PNG."""
        self.view.update(t, half)
        self.image.value = self.view.png()

    def set_history(self, history, view=None, *, t=None, **view_options):
        """Step through ``history`` in this widget (see the class docstring)."""
        if view is None and not view_options and type(self.view).cannot_show(check_history(history)) is None:
            self.view.set_history(history)
        else:
            if not isinstance(view, View):              # a new view keeps the figure's resolution
                view_options.setdefault("dpi", self.view.fig.dpi)
            self.view = make_view(history, view, **view_options)
        n_iter = self.view.history.n_iter
        t = min(self.slider.value if t is None else t, n_iter)
        self._moving_controls = True            # no redraw for each control that changes
        try:
            self.play.max = self.slider.max = n_iter
            self.slider.value = self.play.value = t
        finally:
            self._moving_controls = False
        self.clear_message()
        self.show(t, self.half.value)

    def show_message(self, text):
        """Show ``text`` (plain text, one short line) instead of the figure; disable the controls."""
        self.message.value = f'<p style="font-size: 1.1em; margin: 1em 0">{html.escape(str(text))}</p>'
        self.message.layout.display = None
        self.image.layout.display = "none"
        for control in (self.play, self.slider, self.half):
            control.disabled = True

    def clear_message(self):
        """Back to the figure and the controls."""
        self.message.value = ""
        self.message.layout.display = "none"
        self.image.layout.display = None
        for control in (self.play, self.slider, self.half):
            control.disabled = False

    def _on_change(self, _change):
        if not self._moving_controls:
            self.show(self.slider.value, self.half.value)


def stepper(history, view=None, *, interval=700, **view_options):
    """A widget to step through ``history`` by half-steps (see ``emlab.widgets.halfsteps``).

    ``view``: None (``default_view``), a View class (called with ``view_options``) or a
    View of this history.  ``interval``: milliseconds per Play step.  Returns a Stepper
    (an ipywidgets VBox); display it, or end a cell with it.
    """
    return Stepper(make_view(history, view, **view_options), interval=interval)
