"""An animation of a History's half-steps that plays without a kernel (no ipywidgets needed)."""
from matplotlib.animation import FuncAnimation

from .halfsteps import animation_steps
from .registry import make_view


def animate(history, view=None, frames=None, half_steps=True, interval=400, **view_options):
    """A matplotlib FuncAnimation stepping ``view`` through ``history``.

    Embed it so that it plays without a kernel: ``HTML(animate(history).to_jshtml())``.
    ``frames``, ``half_steps``: see ``animation_steps``; ``interval``: milliseconds per
    frame; ``view``, ``view_options``: as for ``make_view``.  The view is ``anim.view``.
    """
    view = make_view(history, view, **view_options)
    steps = animation_steps(view.history.n_iter, frames, half_steps)
    anim = FuncAnimation(view.fig, lambda step: view.update(*step), frames=steps, interval=interval)
    anim.view = view
    return anim
