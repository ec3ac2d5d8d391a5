"""Drawing a figure fast, off screen: a palette PNG canvas and blitting.

``BlitFigure`` owns a matplotlib Figure with a ``PaletteCanvas`` (unknown to pyplot:
creating one displays nothing and leaves no pyplot figure open).  The artists that move
are registered with ``moving(...)`` (which makes them matplotlib "animated" artists);
everything else is drawn into a background that each ``render()`` restores before drawing
only the moving artists on it.  If anything not registered changes, the figure goes stale
and the next render draws the background again: only the axes that changed when that is
safe (``BlitFigure.redraw_axes``: an axes whose limits move, say), else all of it.  So
forgetting to register an artist costs speed, never correctness.  ``fig.savefig`` always
draws everything; an animation's frames are renders (``emlab.widgets.animation``).

A stepper's PNG (``png_bytes``) has a palette of 256 colours and zlib's fastest level: the
kernel encodes one at every half-step (benchmarks/bench_widgets.py measures it).
"""
import math
from io import BytesIO

import numpy as np
import PIL.Image
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

# zlib's level for a stepper's frames, encoded at every half-step: level 1 takes about 40 %
# of the CPU time of the default level 6 for about 30 % more bytes (the same pixels), which
# go to a browser on the same machine.  Saved figures and animations keep zlib's default level
# 6 (PIL's): they are encoded once and an animation is kept in its notebook.
STEP_COMPRESS_LEVEL = 1
SAVED_COMPRESS_LEVEL = 6
# Pixels around where an axes draws that antialiasing and line widths may still touch.
EDGE_PIXELS = 2


def palette_image(rgba):
    """An (h, w, 4) RGBA image as a PIL image with a 256-colour palette: as PNG about a third
    of the bytes of true colour, so a stepper sends less per step and an animation
    embedded with ``to_jshtml`` keeps its notebook small."""
    rgb = PIL.Image.fromarray(np.asarray(rgba)).convert("RGB")
    return rgb.quantize(256, method=PIL.Image.Quantize.FASTOCTREE)


def png_bytes(rgba, compress_level=STEP_COMPRESS_LEVEL):
    """An (h, w, 4) RGBA image as the bytes of a palette PNG (``palette_image``)."""
    buffer = BytesIO()
    palette_image(rgba).save(buffer, format="png", compress_level=compress_level)
    return buffer.getvalue()


class PaletteCanvas(FigureCanvasAgg):
    """Agg canvas for a figure that is never on screen: palette PNGs (``palette_image``),
    and no redraw on ``draw_idle`` (it draws when saved)."""

    def draw_idle(self, *args, **kwargs):
        """Nothing to refresh on screen."""

    def print_png(self, filename_or_obj, **_savefig_options):
        self.draw()
        palette_image(self.buffer_rgba()).save(filename_or_obj, format="png",
                                               compress_level=SAVED_COMPRESS_LEVEL)


class BlitFigure:
    """A Figure of ``figsize`` inches at ``dpi`` that renders by blitting (see the module docstring)."""

    def __init__(self, figsize, dpi):
        self.fig = Figure(figsize=figsize, dpi=dpi)
        PaletteCanvas(self.fig)
        self.forget_moving()
        self._frame, self._png = None, None     # the last frame encoded, and its PNG

    def forget_moving(self):
        """Start over: no moving artists, no background (after the axes were cleared)."""
        self._moving, self._background = [], None
        self._axes_alone = None         # whether an axes may be drawn alone: not known yet

    def moving(self, *artists):
        """Register artists (or lists/containers of them) to redraw at every render."""
        for item in artists:
            if isinstance(item, Artist):
                item.set_animated(True)
                self._moving.append(item)
            else:
                self.moving(*item)

    def render(self):
        """Draw the figure into the canvas: the background (drawn again, in part or whole,
        only when the figure is stale), then the moving artists in z-order.  Returns the RGBA
        buffer."""
        canvas = self.fig.canvas
        if self._background is None:
            self.draw_background()
        elif self.fig.stale and not self.redraw_axes([ax for ax in self.fig.axes if ax.stale]):
            self.draw_background()
        canvas.restore_region(self._background)
        for artist in self._order:
            artist.axes.draw_artist(artist)
        self.fig.stale = False               # drawing a legend re-lays its box and flags the figure
        return canvas.buffer_rgba()

    def draw_background(self):
        """Draw the whole figure but the moving artists and keep it as the background; and,
        for ``redraw_axes``, the layout and where each axes draws (``axes_box``).  Measuring
        the axes costs a few milliseconds: a figure pays for it once it has changed after its
        first draw (as one whose axes zoom at every step does), not before."""
        canvas = self.fig.canvas
        canvas.draw()                        # skips the animated (moving) artists
        self._background = canvas.copy_from_bbox(self.fig.bbox)
        self._order = self.draw_order()
        self._layout, self._boxes = self.layout(), None
        if self._axes_alone:
            renderer = canvas.get_renderer()
            self._boxes = {ax: axes_box(ax, renderer) for ax in self.fig.axes}
            for ax in self.fig.axes:         # measuring re-placed the titles: nothing changed
                ax.stale = False

    def redraw_axes(self, stale):
        """Draw only the ``stale`` axes into the background again, if that gives the pixels of
        a whole draw, and return whether it did.  It does when the figure has its size, its
        axes and its patch of the last whole draw, no artists of its own (a suptitle, a figure
        legend) and no layout engine (which moves axes at every draw), and the region of each
        stale axes (where it drew then and where it draws now, ``axes_box``) is clear of the
        other axes: a panel whose limits moved, say, while the others stand still.  At the
        first change nothing is measured yet: the whole draw that follows measures; once it
        cannot, the figure is drawn whole from then on, without measuring again."""
        if self._axes_alone is None:
            self._axes_alone = True
            return False
        self._axes_alone = self._axes_alone and self.axes_alone(stale)
        if not self._axes_alone:
            return False
        regions = []
        renderer = self.fig.canvas.get_renderer()
        for ax in stale:
            box = axes_box(ax, renderer)
            regions.append(pixel_box(Bbox.union([self._boxes[ax], box]), self.fig.canvas))
            self._boxes[ax] = box
        others = [box for ax, box in self._boxes.items() if ax not in stale]
        if any(region.overlaps(box) for region in regions for box in others):
            self._axes_alone = False
            return False
        self._background = self.background_with(stale, regions)
        return True

    def axes_alone(self, stale):
        """Whether the ``stale`` axes are all that changed and each is shown (was and is)."""
        fig = self.fig
        return (bool(stale) and self.layout() == self._layout and fig.get_layout_engine() is None
                and not fig.patch.stale and not self.own_artists()
                and all(ax.get_visible() for ax in fig.axes) and None not in self._boxes.values())

    def background_with(self, axes, regions):
        """The background with ``regions`` drawn again: the figure's patch and ``axes`` (without
        their moving artists) on a clear canvas, copied into the background region by region."""
        canvas = self.fig.canvas
        renderer = canvas.get_renderer()
        renderer.clear()
        self.fig.patch.draw(renderer)
        for ax in sorted(axes, key=Artist.get_zorder):        # as a whole draw: by z-order, stable
            ax.draw(renderer)
        pieces = [canvas.copy_from_bbox(region) for region in regions]
        canvas.restore_region(self._background)
        for piece in pieces:
            canvas.restore_region(piece)
        return canvas.copy_from_bbox(self.fig.bbox)

    def layout(self):
        """What a drawing of some axes alone cannot change: the canvas's size and the axes."""
        return self.fig.canvas.get_width_height(), tuple(self.fig.axes)

    def own_artists(self):
        """The figure's own artists but its patch: texts, legends, subfigures (not its axes,
        not a moving artist)."""
        axes = set(self.fig.axes)
        return [a for a in self.fig.get_children()
                if a is not self.fig.patch and a not in axes and not a.get_animated()]

    def draw_order(self):
        """The moving artists in the order a whole draw paints them: by axes, z-order, creation."""
        axes = self.fig.axes
        rank = {id(a): i for ax in axes for i, a in enumerate(ax.get_children())}
        return sorted(self._moving, key=lambda a: (axes.index(a.axes), a.get_zorder(), rank[id(a)]))

    def png(self):
        """The figure as PNG bytes (``render()``, ``png_bytes``); when the picture is the one
        encoded last (the same half-step shown again), those same bytes, not encoded again."""
        frame = np.asarray(self.render())
        if self._png is None or not np.array_equal(frame, self._frame):
            self._frame, self._png = frame.copy(), png_bytes(frame)
        return self._png


def axes_box(ax, renderer):
    """Where ``ax`` draws its static (not moving) artists, in pixels (None if it is hidden):
    its tight box (the axes, tick labels, axis labels, titles, legends, and artists left out
    of layouts too), its tick marks (they stick out of the axes by ``Tick.get_tick_padding()``
    points) and EDGE_PIXELS around."""
    if not ax.get_visible():
        return None
    static = [a for a in ax.get_default_bbox_extra_artists() if not a.get_animated()]
    static += [a for a in ax.get_children() if a.get_visible() and not (a.get_in_layout() or a.get_animated())]
    tight = ax.get_tightbbox(renderer, bbox_extra_artists=static)
    ticks = [tick for axis in (ax.xaxis, ax.yaxis) for tick in (*axis.get_major_ticks(1), *axis.get_minor_ticks(1))]
    reach = renderer.points_to_pixels(max(tick.get_tick_padding() for tick in ticks))
    return Bbox.union([tight, ax.bbox.padded(reach)]).padded(EDGE_PIXELS)


def pixel_box(box, canvas):
    """``box`` grown to whole pixels and cut to the canvas."""
    width, height = canvas.get_width_height()
    x0, y0, x1, y1 = box.extents
    return Bbox.from_extents(max(math.floor(x0), 0), max(math.floor(y0), 0),
                             min(math.ceil(x1), width), min(math.ceil(y1), height))
