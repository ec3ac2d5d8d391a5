"""An animation of a History's half-steps that plays without a kernel (no ipywidgets needed)."""
import html
import json
import re

from matplotlib.animation import FuncAnimation

from .halfsteps import animation_steps
from .registry import make_view

# After matplotlib's player has made its ``anim<id>`` (in a timeout of 0 ms, so this one's
# runs after it): each frame shown sets the image's alt text and the slider's value text.
DESCRIBE_FRAMES_JS = """<script>
setTimeout(function() {{
  var anim = anim{id}, img = document.getElementById("_anim_img{id}"),
      slider = document.getElementById("_anim_slider{id}"), alts = {alts}, steps = {steps};
  var set_frame = anim.set_frame;
  anim.set_frame = function(frame) {{
    set_frame.call(this, frame);
    img.alt = alts[frame];
    slider.setAttribute("aria-valuetext", steps[frame]);
  }};
}}, 0);
</script>"""


class HalfStepAnimation(FuncAnimation):
    """A FuncAnimation of ``view`` over the half-steps ``steps`` whose embedded player
    (``to_jshtml``) a screen reader can follow: its slider is named "half-step" and says the
    half-step shown, and its image's alt text describes the frame shown.  It plays once."""

    def __init__(self, view, steps, interval):
        super().__init__(view.fig, view.update, frames=steps, interval=interval, repeat=False)
        self.view, self.steps = view, steps

    def to_jshtml(self, fps=None, embed_frames=True, default_mode=None):
        """matplotlib's player, described (see the class docstring)."""
        player = super().to_jshtml(fps, embed_frames, default_mode)
        found = re.search(r'<img id="_anim_img(\w+)">', player)
        if found is None:                        # not the player this was written for
            raise RuntimeError("matplotlib's to_jshtml player changed: no <img id=\"_anim_img...\">")
        uid, alts = found.group(1), [self.view.alt_text(step) for step in self.steps]
        words = [self.view.caption_text(step) for step in self.steps]
        player = player.replace(found.group(0), f'<img id="_anim_img{uid}" alt="{html.escape(alts[0])}">')
        player = player.replace(f'<input id="_anim_slider{uid}" type="range"',
                                f'<input id="_anim_slider{uid}" type="range" aria-label="half-step" '
                                f'aria-valuetext="{html.escape(words[0])}"')
        return player + DESCRIBE_FRAMES_JS.format(id=uid, alts=json.dumps(alts), steps=json.dumps(words))


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
