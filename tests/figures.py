"""What the widget tests share: read a figure as pixels."""
import io

import numpy as np
import PIL.Image


def pixels(png_bytes):
    return np.asarray(PIL.Image.open(io.BytesIO(png_bytes)).convert("RGB"))


def full_draw(view):
    """The figure drawn whole by savefig (no background reuse)."""
    buffer = io.BytesIO()
    view.fig.savefig(buffer, format="png")
    return pixels(buffer.getvalue())
