"""The ipywidgets layer: a stepper that replays a History half-step by half-step (needs a kernel).

Every control is a native one that a screen reader names and the keyboard reaches (ipywidgets
8's sliders and its Play widget's icon buttons have no accessible name): buttons named by their
text, a checkbox, a number box with its label.  The figure's accessible name is its alt text and
a polite live region says each half-step in words; both change with every step.

A half-step costs the kernel one message from the browser, and the browser two back (the live
region, then the picture with its alt text): the Play and the half-step box follow each other
through the kernel, not through a jslink, which would make the browser send both values at
every step (two requests, the first delaying the picture).
"""
import html

import ipywidgets as widgets
import traitlets

from .. import plot
from .halfsteps import check_history
from .registry import make_view
from .view import View

# The keyboard focus on every control of a stepper or an explorer (class emlab-widget): a 2 px
# outline in the theme's text colour (ipywidgets' own is a 1 px light blue line, 1.9:1 on a
# button, or none at all on a number box: "outline: none !important", which this selector
# outweighs).
FOCUS_STYLE = ("<style>.emlab-widget.emlab-widget :focus-visible {outline: 2px solid "
               "var(--jp-ui-font-color0, #111) !important; outline-offset: 1px}</style>")
# Read by a screen reader, not shown: the figure's caption says the same.
SCREEN_READER_ONLY = ("position: absolute; width: 1px; height: 1px; overflow: hidden; "
                      "clip: rect(0 0 0 0); white-space: nowrap")


class DescribedImage(widgets.Image):
    """An Image whose ``tooltip`` is its alt text (the <img>'s title, its accessible name).

    ipywidgets 8 sets a view's title from ``tooltip`` only after checking the model's
    ``description``, which an Image does not have (its view then fails to render): this one
    has an empty one."""
    description = traitlets.Unicode("").tag(sync=True)


class Stepper(widgets.VBox):
    """The half-steps of a History, in the order EM runs them, one at a time: the view's figure
    as a PNG image redrawn at every step, under a row of controls:

        Play / Pause    plays the half-steps from the one shown, one every ``interval`` ms
                        (the browser keeps the time, with a hidden ipywidgets Play)
        Repeat          when playing, start again after the last half-step
        ◀ half-step     one half-step back
        half-step ▶     one half-step on
        half-step       the number of the half-step shown: 0 the start θ⁽⁰⁾, then for each
                        iteration t its E-step (2t + 1: responsibilities at θ⁽ᵗ⁾) and its
                        M-step (2t + 2: θ⁽ᵗ⁺¹⁾)

    Attributes: ``view``, ``play_button``, ``repeat``, ``back``, ``forward``, ``half_step`` (the
    number box), ``play`` (the hidden Play), ``controls`` (all six, in that order), ``image``
    (its ``tooltip`` is its alt text), ``status`` (the live region), ``message``.  ``step`` is
    the half-step shown, and ``show(step)`` does what the controls do.  For code that reruns
    EM (an explorer), two more methods:

    ``set_history(history, view=None, *, step=None, **view_options)``
        Step through another History in this same widget.  With ``view=None`` the current
        view takes it when it can draw it (the same kind of model and data): no new figure,
        and on the same data (x, labels, k) the artists just move (``View.set_history``).
        Otherwise, or with a ``view`` (class or instance, as for ``stepper``), a new view
        replaces the old one (at the old one's dpi unless told).  The controls get the new
        number of half-steps; it shows half-step ``step`` (default: the one shown), clipped
        to the new last one.  Clears a message.
    ``show_message(text)``, ``clear_message()``
        Put a short line of text (e.g. why EM could not run) in place of the figure, with
        the controls disabled, until ``clear_message()`` or ``set_history``.
    """

    def __init__(self, view, *, interval=1000):
        last = view.steps.last
        self.play = widgets.Play(value=0, min=0, max=last, interval=interval, show_repeat=False,
                                 layout={"display": "none"})
        self.play_button = widgets.Button(description="Play", layout={"width": "5.5em"})
        self.repeat = widgets.Checkbox(False, description="Repeat", indent=False, layout={"width": "auto"})
        gap = {"margin": "2px 2px 2px 1.5em"}
        self.back = widgets.Button(description="◀ half-step", layout={"width": "auto", **gap})
        self.forward = widgets.Button(description="half-step ▶", layout={"width": "auto"})
        self.half_step = widgets.BoundedIntText(0, min=0, max=last, description="half-step",
                                                style={"description_width": "initial"},
                                                layout={"width": "10em", **gap})
        self.image = DescribedImage(format="png")
        self.status = widgets.HTML(layout={"height": "0px", "margin": "0px"})
        self.message = widgets.HTML(layout={"display": "none"})
        self.controls = (self.play_button, self.repeat, self.back, self.forward, self.half_step, self.play)
        row = widgets.HBox(list(self.controls), layout={"flex_flow": "row wrap", "align_items": "center"})
        style = widgets.HTML(FOCUS_STYLE, layout={"display": "none"})
        super().__init__([row, self.image, self.message, self.status, style])
        self.add_class("emlab-widget")
        self.view = view
        self.links = [widgets.jslink((self.repeat, "value"), (self.play, "repeat"))]
        self._moving_controls = False
        self.show(0)
        self.half_step.observe(self._on_step, names="value")      # typed, or an arrow key
        self.play.observe(self._on_step, names="value")           # a tick of the Play
        self.play.observe(self._on_playing, names="playing")
        self.play_button.on_click(self._play_or_pause)
        self.back.on_click(lambda _: self.show(max(self.step - 1, 0)))
        self.forward.on_click(lambda _: self.show(min(self.step + 1, self.view.steps.last)))

    def show(self, step):
        """Show half-step ``step`` (0..the last; see ``emlab.widgets.halfsteps``): the view and
        its image, the alt text, the live region, the half-step box and the Play."""
        self.view.update(step)
        self.step = step
        picture = self.view.png()
        # The words first, then the picture they describe (with its alt text, one message): sent
        # back to back, once both are ready, so that the browser shows them in one frame.
        self.say(self.view.announcement())
        with self.image.hold_sync():
            self.image.value = picture
            self.image.tooltip = self.view.alt_text()
            if getattr(self, "_text_size_of", None) is not self.view:
                self.mark_text_size()
        self._moving_controls = True
        try:
            self.half_step.value = self.play.value = step     # the one the browser changed is there
        finally:
            self._moving_controls = False

    def mark_text_size(self):
        """The image's DOM class ``emlab-text-NNpx``, its smallest text (``plot.text_size_class``)
        for a browser test to read; once per view, drawn (a half-step changes no text size)."""
        size = plot.text_size_class(self.view.fig)
        self.image._dom_classes = (*(c for c in self.image._dom_classes if not c.startswith("emlab-text-")), size)
        self._text_size_of = self.view

    def say(self, text):
        """Put ``text`` in the live region (a screen reader reads it out, politely)."""
        self.status.value = (f'<div role="status" aria-live="polite" style="{SCREEN_READER_ONLY}">'
                             f'{html.escape(text)}</div>')

    def set_history(self, history, view=None, *, step=None, **view_options):
        """Step through ``history`` in this widget (see the class docstring)."""
        if view is None and not view_options and type(self.view).cannot_show(check_history(history)) is None:
            self.view.set_history(history)
        else:
            if not isinstance(view, View):              # a new view keeps the figure's resolution
                view_options.setdefault("dpi", self.view.fig.dpi)
            self.view = make_view(history, view, **view_options)
        last = self.view.steps.last
        step = min(self.step if step is None else step, last)
        self._moving_controls = True            # no redraw for each control that changes
        try:
            self.play.playing = False
            self.play.max = self.half_step.max = last
            self.play.value = step
        finally:
            self._moving_controls = False
        self.clear_message()
        self.show(step)

    def show_message(self, text):
        """Show ``text`` (plain text, one short line) instead of the figure; disable the controls."""
        self.message.value = f'<p style="font-size: 1.1em; margin: 1em 0">{html.escape(str(text))}</p>'
        self.message.layout.display = None
        self.image.layout.display = "none"
        self.play.playing = False
        for control in self.controls:
            control.disabled = True
        self.say(str(text))

    def clear_message(self):
        """Back to the figure and the controls."""
        self.message.value = ""
        self.message.layout.display = "none"
        self.image.layout.display = None
        for control in self.controls:
            control.disabled = False

    def _on_step(self, change):
        if not self._moving_controls:
            self.show(change["new"])

    def _on_playing(self, change):
        self.play_button.description = "Pause" if change["new"] else "Play"

    def _play_or_pause(self, _button):
        self.play.playing = not self.play.playing


def stepper(history, view=None, *, interval=1000, **view_options):
    """A widget to step through ``history`` half-step by half-step, in the order EM runs them:
    the start, then the E-step and the M-step of each iteration (see ``Stepper`` and
    ``emlab.widgets.halfsteps``).

    ``view``: None (``default_view``), a View class (called with ``view_options``) or a
    View of this history.  ``interval``: milliseconds per half-step when playing.  Returns a
    Stepper (an ipywidgets VBox); display it, or end a cell with it.
    """
    return Stepper(make_view(history, view, **view_options), interval=interval)
