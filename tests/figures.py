"""What the widget tests share: read a figure as pixels; notebook 07's collapsing run."""
import base64
import io

import numpy as np
import PIL.Image
import pytest

import emlab
from emlab import gaussian


def png_of(value):
    """The PNG bytes of an image widget's value: PNG bytes, or a stepper's data URL of them."""
    value = bytes(value)
    prefix = b"data:image/png;base64,"
    return base64.b64decode(value[len(prefix):], validate=True) if value.startswith(prefix) else value


def pixels(value):
    """An image widget's value (see ``png_of``), or PNG bytes, as an (h, w, 3) array."""
    return np.asarray(PIL.Image.open(io.BytesIO(png_of(value))).convert("RGB"))


def full_draw(view):
    """The figure drawn whole by savefig (no background reuse)."""
    buffer = io.BytesIO()
    view.fig.savefig(buffer, format="png")
    return pixels(buffer.getvalue())


def collapse_error():
    """Notebook 07's bad start, shared by the view tests: component 2 on an outlier (variance
    0.5) collapses.  Returns the CollapseError (its ``history`` ends at the collapse) and the
    120 points of the two clusters (the outlier left out)."""
    rng = np.random.default_rng(83)
    clusters, _ = gaussian.sample(gaussian.Params([0.5, 0.5], [[-2.0], [2.5]], [[[0.64]], [[0.64]]]), 120, rng)
    x = np.vstack([clusters, [[5.5]]])
    start = gaussian.Params(np.full(3, 1 / 3), [[-2.0], [2.5], [5.5]], [[[1.0]], [[1.0]], [[0.5]]])
    with pytest.raises(emlab.CollapseError) as caught:
        emlab.run_em(gaussian, x, start)
    return caught.value, clusters
