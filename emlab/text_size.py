"""Text is read from the back of a lecture room (issue 22): every tick, label, legend and caption
at least ``TEXT_PX`` pixels of the image shown at its natural size, at any dpi from 72 on.
``text_style(dpi)`` gives the rcParams that do it, ``style(dpi)`` applies them for a ``with``
block (figures created in it: the views of ``emlab.widgets`` are), and ``smallest_text_px(fig)``
measures a figure.  A notebook's own figures get it with
``plt.rcParams.update(emlab.plot.text_style())`` once, or ``with emlab.plot.style(): ...``.
"""
import math

import matplotlib as mpl
from matplotlib.text import Text

from . import checks

# The smallest text of a figure, in pixels of its image at natural size: a slide of 1280 x 720
# shows the image at about that size, and 16 px is the least a lecture room reads (issue 22).
TEXT_PX = 17


def text_points(dpi=None, px=TEXT_PX):
    """The font size in points that is at least ``px`` pixels in an image at ``dpi`` (default
    ``rcParams["figure.dpi"]``): ``px * 72 / dpi``, rounded up to a quarter point.  Below 72
    dpi (a thumbnail, not a figure for a slide: 8 inches are 576 pixels at 72 dpi) it stays
    ``px`` points, so that text keeps its size relative to the figure instead of filling it."""
    dpi = mpl.rcParams["figure.dpi"] if dpi is None else checks.real(dpi, "dpi")
    if not dpi > 0:
        raise ValueError(f"dpi must be > 0, got {dpi}")
    return math.ceil(px * 72 / max(dpi, 72) * 4) / 4


def text_style(dpi=None):
    """rcParams for text readable on a slide in a figure at ``dpi`` (default
    ``rcParams["figure.dpi"]``): every text of a figure (ticks, axis labels, titles, legends,
    ``ax.text``) at one size, ``text_points(dpi)`` (``TEXT_PX`` pixels); legends and labels
    packed close, since the figure keeps its size, but a title and the x axis's tick labels
    clear of the y axis's top and bottom tick labels.  Use it for a whole notebook with
    ``plt.rcParams.update(text_style())``, or for some figures with ``style``.  A figure drawn
    at another dpi than ``dpi`` has its text in proportion (``style(80)`` for one at 80 dpi)."""
    size = text_points(dpi)
    return {"font.size": size, "axes.titlesize": size, "axes.labelsize": size,
            "xtick.labelsize": size, "ytick.labelsize": size, "legend.fontsize": size,
            "legend.title_fontsize": size, "figure.titlesize": size, "figure.labelsize": size,
            # a title clear of the top tick label of the y axis, and the bottom one clear of the
            # x axis's tick labels: the pads reach past half a line (ticks are 3.5 pt long)
            "axes.titlepad": 0.6 * size, "xtick.major.pad": max(2.0, 0.6 * size - 3.5),
            "axes.labelpad": 2.0, "ytick.major.pad": 2.0,
            "legend.borderpad": 0.3, "legend.borderaxespad": 0.3, "legend.labelspacing": 0.25,
            "legend.handlelength": 1.6, "legend.handletextpad": 0.4, "legend.columnspacing": 1.0}


def style(dpi=None):
    """A context (``with emlab.plot.style(dpi): ...``) in which ``text_style(dpi)`` holds:
    the figures and artists created in it have text of ``TEXT_PX`` pixels at ``dpi``."""
    return mpl.rc_context(text_style(dpi))


def smallest_text_px(fig, dpi=None):
    """The smallest font size among the visible, non-empty texts of ``fig`` (those in a hidden
    artist, e.g. a hidden legend, do not count), in pixels of its image at ``dpi`` (default the
    figure's: the image as a stepper, an animation or ``show`` gives it, at its natural size),
    rounded to 0.01 px; None if the figure has no text.  It reads the figure as last drawn (a
    tick label has its text once the figure is drawn or laid out): draw it first."""
    smallest = None
    stack = [fig]
    while stack:
        artist = stack.pop()
        if not artist.get_visible():
            continue
        if isinstance(artist, Text) and artist.get_text().strip():
            size = artist.get_fontsize()
            smallest = size if smallest is None else min(smallest, size)
        stack.extend(artist.get_children())
    if smallest is None:
        return None
    return round(smallest * (fig.dpi if dpi is None else dpi) / 72, 2)


def text_size_class(fig):
    """``"emlab-text-NNpx"``, NN the smallest text of ``fig`` in whole pixels (``smallest_text_px``
    rounded down), or ``"emlab-text-none"`` for a figure without text: a DOM class for the image
    of the figure, so that a browser test reads it."""
    px = smallest_text_px(fig)
    return "emlab-text-none" if px is None else f"emlab-text-{math.floor(px)}px"
