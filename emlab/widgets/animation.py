"""An animation of a History's half-steps that plays without a kernel (no ipywidgets needed)."""
import html
import json
import re
from pathlib import Path
from tempfile import TemporaryDirectory

from matplotlib.animation import FuncAnimation, HTMLWriter

from ..plot import smallest_text_px
from .halfsteps import animation_steps
from .registry import make_view
from .rendering import SAVED_COMPRESS_LEVEL, png_bytes

# After matplotlib's player has made its ``anim<id>`` (in a timeout of 0 ms, so this one's
# runs after it): each frame shown sets the image's alt text, the slider's value text and the
# image's ``data-smallest-text-px`` (the frame's smallest text, in pixels of the image).
DESCRIBE_FRAMES_JS = """<script>
setTimeout(function() {{
  var anim = anim{id}, img = document.getElementById("_anim_img{id}"),
      slider = document.getElementById("_anim_slider{id}"), alts = {alts}, steps = {steps}, px = {px};
  var set_frame = anim.set_frame;
  anim.set_frame = function(frame) {{
    set_frame.call(this, frame);
    img.alt = alts[frame];
    slider.setAttribute("aria-valuetext", steps[frame]);
    img.setAttribute("data-smallest-text-px", px[frame]);
  }};
  img.setAttribute("data-smallest-text-px", px[anim.current_frame || 0]);
}}, 0);
</script>"""


class HalfStepAnimation(FuncAnimation):
    """A FuncAnimation of ``view`` over the half-steps ``steps`` whose embedded player
    (``to_jshtml``) a screen reader can follow: its slider is named "half-step" and says the
    half-step shown, and its image's alt text describes the frame shown.  It plays once.
    ``text_px``: half-step -> the smallest text of its frame, in pixels of the image
    (``emlab.plot.smallest_text_px``), for the frames drawn so far; the player's image carries
    the frame's as ``data-smallest-text-px``."""

    def __init__(self, view, steps, interval):
        self.view, self.steps, self.interval, self.text_px = view, steps, interval, {}
        super().__init__(view.fig, self.draw_step, frames=steps, interval=interval, repeat=False)

    def draw_step(self, step):
        """Move the view to half-step ``step`` (a frame) and note its smallest text."""
        self.view.update(step)
        self.text_px[step] = smallest_text_px(self.view.fig)

    def to_jshtml(self, fps=None, embed_frames=True, default_mode=None):
        """matplotlib's player, described (see the class docstring).  Its frames are the
        view's renders (``View.render``: blitted, the pixels of a whole draw at a fraction of
        its cost), saved by matplotlib's ``HTMLWriter`` as ``FuncAnimation.to_jshtml`` does."""
        if not embed_frames:                     # frames as files: matplotlib draws them whole
            player = super().to_jshtml(fps, embed_frames, default_mode)
        else:
            writer = HTMLWriter(fps=1000 / self.interval if fps is None else fps, embed_frames=True,
                                default_mode=default_mode or "once")
            with TemporaryDirectory() as folder:
                page = Path(folder, "player.html")
                with writer.saving(RenderedFrames(self.view), page, dpi=self.view.fig.dpi):
                    for step in self.steps:
                        self.draw_step(step)
                        writer.grab_frame()
                player = page.read_text()
        found = re.search(r'<img id="_anim_img(\w+)">', player)
        if found is None:                        # not the player this was written for
            raise RuntimeError("matplotlib's to_jshtml player changed: no <img id=\"_anim_img...\">")
        uid, alts = found.group(1), [self.view.alt_text(step) for step in self.steps]
        words = [self.view.caption_text(step) for step in self.steps]
        player = player.replace(found.group(0), f'<img id="_anim_img{uid}" alt="{html.escape(alts[0])}">')
        player = player.replace(f'<input id="_anim_slider{uid}" type="range"',
                                f'<input id="_anim_slider{uid}" type="range" aria-label="half-step" '
                                f'aria-valuetext="{html.escape(words[0])}"')
        px = [self.text_px.get(step) for step in self.steps]
        return player + DESCRIBE_FRAMES_JS.format(id=uid, alts=json.dumps(alts), steps=json.dumps(words),
                                                  px=json.dumps(px))


class RenderedFrames:
    """The view's figure as ``HTMLWriter`` sees it, but for ``savefig``: a frame saved is the
    view's render as a palette PNG (``png_bytes``, zlib's default level: an animation is
    encoded once and kept in its notebook)."""

    def __init__(self, view):
        self.view = view

    def __getattr__(self, name):                 # its size, its dpi, ...: the figure's
        return getattr(self.view.fig, name)

    def savefig(self, file, *, format, dpi, **_savefig_options):
        if format != "png" or dpi != self.view.fig.dpi:
            raise ValueError(f"a frame is a PNG at the figure's {self.view.fig.dpi} dpi, "
                             f"asked for {format} at {dpi} dpi")
        file.write(png_bytes(self.view.render(), compress_level=SAVED_COMPRESS_LEVEL))


def animate(history, view=None, frames=None, half_steps=True, interval=1000, **view_options):
    """A matplotlib animation stepping ``view`` through ``history``, half-step by half-step in
    the order EM runs them (``emlab.widgets.halfsteps``).

    Embed it so that it plays without a kernel: ``HTML(animate(history).to_jshtml())``.
    ``frames``, ``half_steps``: see ``animation_steps``; ``interval``: milliseconds per
    frame; ``view``, ``view_options``: as for ``make_view``.  The view is ``anim.view``, the
    half-steps shown ``anim.steps``.  -> HalfStepAnimation (a FuncAnimation).
    """
    view = make_view(history, view, **view_options)
    return HalfStepAnimation(view, animation_steps(view.history.n_iter, frames, half_steps), interval)
