"""A static figure as Jupyter shows it, with its alt text (WCAG 2.1, 1.1.1).

    show(fig, alt)              display ``fig`` where a cell would call ``plt.show()``
    figure_output(fig, alt)     the same output as an object (``FigureOutput``)
    check_alt(alt)              what an alt text must be: it says what the figure shows

``emlab.plot.show`` is ``show``: the notebooks call it by that name.
"""
import base64
import html
import io
import re
import sys

from IPython.core.pylabtools import print_figure
from IPython.display import display
from PIL import Image

# What an alt text may not be: a generic word (WCAG 1.1.1 asks what the figure shows), a
# matplotlib repr, or nbconvert's fallback.
_GENERIC_ALT = re.compile(
    r"(an? |the )?(matplotlib )?(image|img|figure|fig|plot|chart|graph|picture|diagram|graphic|"
    r"illustration|photo|screenshot|visuali[sz]ation|output)s?( \d+)?"
    r"|<figure size .*|no description has been provided for this image")
MIN_ALT_WORDS = 3


class FigureOutput:
    """A static figure as Jupyter shows it: a PNG in an ``<img>`` with its alt text.

    Its mimebundle is ``text/html`` (``<img src="data:image/png;base64,..." alt="..."
    data-smallest-text-px="...">``: the smallest text of the figure in pixels of the image at
    its natural size, ``emlab.plot.smallest_text_px``, or "none" for a figure without text, for
    a browser test to read) and
    ``text/plain`` (the alt text).  HTML, because JupyterLab's image renderer (4.x)
    draws an ``image/png`` output as an ``<img>`` with no alt, whatever the output's
    metadata says, while its HTML renderer keeps ``alt`` (trusted or sanitized); nbconvert's
    pages and decks copy the HTML as it is.  The text form is what a text export and
    nbval's comparison read.
    """

    def __init__(self, png, alt, width=None, text_px=None):
        self.png, self.alt, self.width, self.text_px = png, alt, width, text_px

    def html(self):
        size = "" if self.width is None else f' width="{self.width}"'
        px = "none" if self.text_px is None else f"{self.text_px:g}"      # none: a figure without text
        text = f' data-smallest-text-px="{px}"'
        return (f'<img src="data:image/png;base64,{base64.b64encode(self.png).decode("ascii")}"'
                f'{size} alt="{html.escape(self.alt, quote=True)}"{text}>')

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html(), "text/plain": self.alt}

    def __repr__(self):
        return self.alt


def check_alt(alt):
    """``alt`` stripped, if it says what a figure shows: a string of at least three words
    that is not a generic word ("Image", "figure", "plot", ...).  Else ValueError."""
    if not isinstance(alt, str):
        raise TypeError(f"alt must be a string that says what the figure shows, got {type(alt).__name__}")
    text = " ".join(alt.split())
    plain = re.sub(r"[^\w<>\s]", "", text.lower()).strip()
    if not plain or _GENERIC_ALT.fullmatch(plain) or len(plain.split()) < MIN_ALT_WORDS:
        raise ValueError(f"alt must say what the figure shows (its kind, axes and ranges, its "
                         f"takeaway), in at least {MIN_ALT_WORDS} words, not {alt!r}")
    return text


def _inline_settings():
    """The inline backend's ``print_figure_kwargs`` and whether it draws at double resolution
    (``retina``): matplotlib-inline's defaults unless the kernel configured them."""
    kwargs, retina = {"bbox_inches": "tight"}, False
    inline = sys.modules.get("matplotlib_inline.config")
    if inline is not None and inline.InlineBackend.initialized():
        backend = inline.InlineBackend.instance()
        kwargs = dict(backend.print_figure_kwargs)
        retina = bool({"retina", "png2x"} & set(backend.figure_formats))
    return kwargs, retina


def figure_output(fig, alt):
    """``fig`` (a matplotlib Figure) as a ``FigureOutput`` described by ``alt``, then closed.

    The PNG is the one the inline backend would show (IPython's ``print_figure`` at the
    figure's dpi, facecolor and edgecolor, with the backend's ``print_figure_kwargs``:
    ``bbox_inches="tight"``).  ``alt`` must say what the figure shows (``check_alt``).  Its
    ``text_px`` is the figure's smallest text in pixels of the image as shown (at the figure's
    dpi; a retina PNG is shown at half its width): ``emlab.plot.smallest_text_px``.  The figure
    is drawn as it is: text made with ``emlab.plot.style`` (or ``text_style``) is readable on a
    slide.
    """
    from .plot import smallest_text_px           # plot imports this module
    alt = check_alt(alt)
    if not hasattr(fig, "canvas") or not hasattr(fig, "axes"):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    kwargs, retina = _inline_settings()
    png = print_figure(fig, "retina" if retina else "png", **kwargs)
    if png is None:
        raise ValueError("the figure is empty (no axes, no lines): nothing to show")
    text_px = smallest_text_px(fig)                # drawn: its tick labels have their text
    width = Image.open(io.BytesIO(png)).size[0] // 2 if retina else None
    if "matplotlib.pyplot" in sys.modules:        # a pyplot figure: the inline backend would
        sys.modules["matplotlib.pyplot"].close(fig)   # draw it again at the end of the cell
    return FigureOutput(png, alt, width, text_px)


def show(fig, alt):
    """Display ``fig`` in the notebook as a PNG whose ``<img>`` carries ``alt``, and close it
    (so that the inline backend does not show it a second time).  ``alt`` says what the figure
    shows: the kind of plot, the axes and their ranges, the takeaway; never "Image" or
    "figure" (ValueError).  Use it where a cell would call ``plt.show()``; make the figure in
    ``emlab.plot.style()`` (or with ``plt.rcParams.update(emlab.plot.text_style())`` once) for
    text readable on a slide::

        with emlab.plot.style():
            fig, ax = plt.subplots(figsize=(6, 2))
            ax.plot(history.log_likelihood, "o-")
            emlab.plot.show(fig, "Log-likelihood against iteration 0 to 12: it rises from -1130 "
                                 "to -1080 and is flat after iteration 6.")

    The ``<img>`` says its smallest text in pixels (``data-smallest-text-px``).
    """
    display(figure_output(fig, alt))
