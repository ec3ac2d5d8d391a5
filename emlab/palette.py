"""Each component's colour and second cue: colour is never the only cue (WCAG 2.1, 1.4.1
and 1.4.11).

Component j has a colour (``component_colors``) and, in every drawing of ``emlab.plot`` and
``emlab.widgets``, a second cue of its own: a marker (``component_markers``), a line style
(``component_linestyles``) or a hatching (``component_hatches``); ``component_style(j, kind)``
gives them as matplotlib keywords.

The colours are Okabe & Ito's (2008) for j < 4, then six found to keep the same distances:
every colour is at >= 3:1 against white, and any two of the first ten stay >= 10 apart
(CIEDE2000) under normal vision and the Machado et al. (2009) simulations of protanopia,
deuteranopia and tritanopia (tests/test_palette.py).  Solid lines and black are kept for
what is not a component (the mixture p(x), the data).  Beyond ten components the cues
repeat: name the components by their index as well.  The colours are for marks (3:1);
text needs 4.5:1, which #009E73, #CC79A7 and #7788FF miss: write labels in black.
"""
from matplotlib.colors import to_rgba_array

from . import checks

# Okabe & Ito (2008): blue, vermillion, bluish green, reddish purple; then brown, periwinkle,
# plum, violet, rust, mauve (chosen greedily to keep the pairwise distances, and away from black).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7",
           "#884433", "#7788FF", "#774477", "#5500FF", "#BB3300", "#996688")
# Filled shapes (their colour is their fill); "D" and "X" stay free for labelled points and means.
MARKERS = ("o", "s", "^", "P", "v", "*", "p", "h", "<", ">")
# Never solid: a solid line is the mixture or the data.  Dash patterns in units of the line width.
LINESTYLES = ("--", ":", "-.", (0, (5, 1.5, 1, 1.5, 1, 1.5)), (0, (10, 3)), (0, (1, 3)),
              (0, (3, 1, 3, 1, 1, 1)), (0, (8, 2, 1, 2, 1, 2, 1, 2)), (0, (2, 1)), (0, (12, 2, 4, 2)))
HATCHES = ("//", "..", "\\\\", "xx", "oo", "++", "--", "||", "**", "OO")


def _cycled(values, k):
    k = checks.integer(k, "k", minimum=1)
    return [values[j % len(values)] for j in range(k)]


def component_colors(k):
    """One RGBA colour per component, (k, 4): ``PALETTE`` (repeating beyond 10)."""
    return to_rgba_array(_cycled(PALETTE, k))


def component_markers(k):
    """One filled marker per component: o s ^ P v * p h < > (repeating beyond 10)."""
    return _cycled(MARKERS, k)


def component_linestyles(k):
    """One line style per component, none of them solid: --  :  -.  then dash patterns."""
    return _cycled(LINESTYLES, k)


def component_hatches(k):
    """One hatching per component, for bars and other filled areas: //  ..  \\\\  xx ..."""
    return _cycled(HATCHES, k)


def component_style(j, kind="line"):
    """Keywords that draw component j with its colour and its second cue:

    ``kind="line"``    color and linestyle          (``ax.plot(x, y, **style)``)
    ``kind="marker"``  color and marker, no line    (``ax.plot(x, y, **style)``)
    ``kind="bar"``     opaque facecolor and hatch, white edges and hatch lines
                       (``ax.bar(x, h, **style)``, ``ax.fill_between(..., **style)``)
    """
    j = checks.integer(j, "j", minimum=0)
    color = PALETTE[j % len(PALETTE)]
    if kind == "line":
        return {"color": color, "linestyle": LINESTYLES[j % len(LINESTYLES)]}
    if kind == "marker":
        return {"color": color, "marker": MARKERS[j % len(MARKERS)], "linestyle": "none"}
    if kind == "bar":
        return {"facecolor": color, "hatch": HATCHES[j % len(HATCHES)], "edgecolor": "white",
                "linewidth": 0.6}
    raise ValueError(f"kind must be 'line', 'marker' or 'bar', got {kind!r}")
