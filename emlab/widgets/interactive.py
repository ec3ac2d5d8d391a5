"""The ipywidgets layer: a stepper that replays a History half-step by half-step (needs a kernel).

Every control is a native one that a screen reader names and the keyboard reaches (ipywidgets
8's sliders and its Play widget's icon buttons have no accessible name): buttons named by their
text, a checkbox, a number box with its label.  The figure's accessible name is its alt text and
a polite live region says each half-step in words; both change with every step.

A half-step's picture is drawn once, by the kernel, and kept in the browser: the half-step box
picks it there (a jsdlink to the Stack of pictures), so a step to a half-step already drawn waits
for no kernel.  The kernel then gets the box's value (and the Stack's), says the half-step in the
live region, and draws the pictures of the half-steps on either side.  The Play and the half-step
box follow each other through the kernel, not through a jslink, which would make the browser send
both values at every tick.
"""
import base64
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


def data_url(png):
    """PNG bytes as the ``value`` of an Image of ``format="url"``: a data URL.

    A stepper's pictures are data URLs, not ipywidgets' blob URLs: its Stack makes a new view
    of an image each time it shows it, and ipywidgets makes a new blob URL for each view, which
    the browser loads again (about half of a step's time on this machine), where it keeps the
    picture of a data URL it has shown."""
    return b"data:image/png;base64," + base64.b64encode(png)


class Stepper(widgets.VBox):
    """The half-steps of a History, in the order EM runs them, one at a time: the view's figure
    as a PNG image, under a row of controls:

        Play / Pause    plays the half-steps from the one shown, one every ``interval`` ms
                        (the browser keeps the time, with a hidden ipywidgets Play)
        Repeat          when playing, start again after the last half-step
        ◀ half-step     one half-step back
        half-step ▶     one half-step on
        half-step       the number of the half-step shown: 0 the start θ⁽⁰⁾, then for each
                        iteration t its E-step (2t + 1: responsibilities at θ⁽ᵗ⁾) and its
                        M-step (2t + 2: θ⁽ᵗ⁺¹⁾)

    Each half-step's picture is drawn once and kept in the browser, one image per half-step
    in ``frames`` (an ipywidgets Stack that shows one of them).  The half-step box picks the
    image in the browser itself (a jsdlink), so a half-step already drawn shows without
    waiting for the kernel.  The kernel draws the half-step shown when it is not drawn yet,
    then the ones before and after it, ready for the next step either way.  A half-step
    not drawn yet shows the nearest one drawn before it until its own picture arrives.

    Each image has the DOM classes ``emlab-text-NNpx`` (see ``text_size_class``) and
    ``emlab-half-step-N``, the half-step it shows.

    Attributes: ``view``, ``play_button``, ``repeat``, ``back``, ``forward``, ``half_step`` (the
    number box), ``play`` (the hidden Play), ``controls`` (all six, in that order), ``frames``
    (the Stack), ``drawn`` (half-step -> its image, for those drawn), ``image`` (the image of
    the half-step shown: its ``value`` a ``data_url`` of the PNG, its ``tooltip`` the alt text),
    ``status`` (the live region), ``message``.  ``step`` is the half-step shown, and
    ``show(step)`` does what the controls do.  For code that reruns EM (an explorer), two more
    methods:

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
        self.frames = widgets.Stack()
        self.frames.add_class("emlab-frames")
        self.drawn = {}             # half-step -> the DescribedImage of its picture
        self._spare = []            # images of a previous history, to draw on again
        self._text_size = (None, "")  # (view, its text-size class)
        self.status = widgets.HTML(layout={"height": "0px", "margin": "0px"})
        self.message = widgets.HTML(layout={"display": "none"})
        self.controls = (self.play_button, self.repeat, self.back, self.forward, self.half_step, self.play)
        row = widgets.HBox(list(self.controls), layout={"flex_flow": "row wrap", "align_items": "center"})
        style = widgets.HTML(FOCUS_STYLE, layout={"display": "none"})
        super().__init__([row, self.frames, self.message, self.status, style])
        self.add_class("emlab-widget")
        self.view = view
        self.links = [widgets.jslink((self.repeat, "value"), (self.play, "repeat")),
                      widgets.jsdlink((self.half_step, "value"), (self.frames, "selected_index"))]
        self._moving_controls = False
        self.show(0)
        self.half_step.observe(self._on_step, names="value")      # typed, or an arrow key
        self.play.observe(self._on_step, names="value")           # a tick of the Play
        self.play.observe(self._on_playing, names="playing")
        self.play_button.on_click(self._play_or_pause)
        self.back.on_click(lambda _: self.show(max(self.step - 1, 0)))
        self.forward.on_click(lambda _: self.show(min(self.step + 1, self.view.steps.last)))

    @property
    def image(self):
        """The image of the half-step shown (a DescribedImage: its ``value`` a ``data_url`` of
        the PNG, its ``tooltip`` the alt text)."""
        return self.drawn[self.step]

    def show(self, step):
        """Show half-step ``step`` (0..the last; see ``emlab.widgets.halfsteps``): its words in
        the live region, its picture (drawn if it is not yet), the half-step box and the Play;
        then draw the half-steps next to it."""
        self.step = step
        # The words first, then the picture they describe (with its alt text, one message).
        self.say(self.view.announcement(step))
        new = self.draw(step)
        self._moving_controls = True
        try:
            if new:
                self.frames.children = self.pictures()
            self.frames.selected_index = step
            self.half_step.value = self.play.value = step     # the one the browser changed is there
        finally:
            self._moving_controls = False
        ahead = [s for s in (step + 1, step - 1) if 0 <= s <= self.view.steps.last and self.draw(s)]
        if ahead:
            self.frames.children = self.pictures()
        self.view.update(step)              # the view at the half-step shown

    def draw(self, step):
        """Draw half-step ``step`` into its image unless it is drawn; whether it was not."""
        if step in self.drawn:
            return False
        self.view.update(step)
        width, height = self.view.fig.canvas.get_width_height(physical=True)
        image = self._spare.pop() if self._spare else DescribedImage(format="url")
        with image.hold_sync():
            image.value = data_url(self.view.png())
            image.tooltip = self.view.alt_text(step)
            image.width, image.height = str(width), str(height)     # its box before it loads
            image._dom_classes = (self.text_size_class(), f"emlab-half-step-{step}")
        self.drawn[step] = image
        return True

    def text_size_class(self):
        """The images' DOM class ``emlab-text-NNpx``, the figure's smallest text
        (``plot.text_size_class``) for a browser test to read: measured once per view, on a
        drawn figure (a half-step changes no text size)."""
        if self._text_size[0] is not self.view:
            self._text_size = (self.view, plot.text_size_class(self.view.fig))
        return self._text_size[1]

    def pictures(self):
        """The Stack's children: at each half-step its image, or while it is not drawn, the
        image of the nearest half-step drawn before it (after it, before the first drawn)."""
        first = min(self.drawn)
        shown, pictures = self.drawn[first], []
        for step in range(self.view.steps.last + 1):
            shown = self.drawn.get(step, shown)
            pictures.append(shown)
        return tuple(pictures)

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
        # Every picture is of the old history: their images are drawn again when shown, the
        # one of the half-step shown first.
        shown = self.drawn.pop(self.step)
        self._spare = [*self._spare, *self.drawn.values(), shown]
        self.drawn = {}
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
        self.frames.layout.display = "none"
        self.play.playing = False
        for control in self.controls:
            control.disabled = True
        self.say(str(text))

    def clear_message(self):
        """Back to the figure and the controls."""
        self.message.value = ""
        self.message.layout.display = "none"
        self.frames.layout.display = None
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
