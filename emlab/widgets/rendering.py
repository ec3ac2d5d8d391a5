"""Drawing a figure fast, off screen: a palette PNG canvas and blitting.

``BlitFigure`` owns a matplotlib Figure with a ``PaletteCanvas`` (unknown to pyplot:
creating one displays nothing and leaves no pyplot figure open).  The artists that move
are registered with ``moving(...)`` (which makes them matplotlib "animated" artists);
everything else is drawn once into a background that each ``render()`` restores before
drawing only the moving artists.  If anything not registered changes, the figure goes
stale and the next render draws it all again, so forgetting to register an artist costs
speed, never correctness.  ``fig.savefig`` and animations always draw everything.
"""
from io import BytesIO

import numpy as np
import PIL.Image
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


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


class BlitFigure:
    """A Figure of ``figsize`` inches at ``dpi`` that renders by blitting (see the module docstring)."""

    def __init__(self, figsize, dpi):
        self.fig = Figure(figsize=figsize, dpi=dpi)
        PaletteCanvas(self.fig)
        self.forget_moving()

    def forget_moving(self):
        """Start over: no moving artists, no background (after the axes were cleared)."""
        self._moving, self._background = [], None

    def moving(self, *artists):
        """Register artists (or lists/containers of them) to redraw at every render."""
        for item in artists:
            if isinstance(item, Artist):
                item.set_animated(True)
                self._moving.append(item)
            else:
                self.moving(*item)

    def render(self):
        """Draw the figure into the canvas: the background (drawn again only when the figure
        is stale), then the moving artists in z-order.  Returns the RGBA buffer."""
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
        """The figure as PNG bytes (``render()`` with a palette)."""
        buffer = BytesIO()
        palette_image(self.render()).save(buffer, format="png")
        return buffer.getvalue()
