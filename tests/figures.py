"""What the widget tests share: drive a stepper, and read a figure as pixels."""
import io

import numpy as np
import PIL.Image


def go(w, t, half):
    """Move stepper ``w`` to iteration ``t``, half-step ``half`` ("E" or "M")."""
    w.slider.value = t
    w.half.value = half


def pixels(png_bytes):
    return np.asarray(PIL.Image.open(io.BytesIO(png_bytes)).convert("RGB"))


def full_draw(view):
    """The figure drawn whole by savefig (no background reuse)."""
    buffer = io.BytesIO()
    view.fig.savefig(buffer, format="png")
    return pixels(buffer.getvalue())
