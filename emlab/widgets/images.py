"""``MeanImagesView``: components that are images, each mean drawn as a grey picture.

For a mixture of binary images (``emlab.bernoulli`` on binarised digits) the mean of
component j, ``mu_j`` (d = h * w pixels, each the probability that the pixel is inked), is an
h x w image: Bishop's Fig. 9.10.
"""
import math

import numpy as np
from matplotlib.layout_engine import TightLayoutEngine

from .. import checks
from .view import View


class MeanImagesView(View):
    """Each component's mean ``mu_j`` as an h x w grey image (white 0, black 1; frame in the
    component's colour), titled with its index j, its weight ``pi_j`` and its effective number
    of points ``N_j = sum_i r_ij`` (in black: text needs 4.5:1 against white, which some
    component colours miss); the log-likelihood.  The M half-step changes the images and the
    weights, the E half-step the N_j.

    ``classes``: optional (n,) ints, the class of each point (the digit an image shows; EM
    never sees it).  Each title then also names the class with the largest share of N_j,
    ``sum_i r_ij [class_i = c] / N_j``, and that share: it changes with the E half-step too.
    ``image_shape``: (h, w) with h * w = d; default square, h = w = sqrt(d).
    ``columns``: images per row (default up to 5).  Other options as for ``View``.
    """
    figsize = (8.0, 3.5)

    def __init__(self, history, *, classes=None, image_shape=None, columns=None, **options):
        history = self.check(history)
        self.image_shape_option, self.columns_option = image_shape, columns
        self.classes = None if classes is None else checks.as_array(classes, "classes", ndim=1, integer=True)
        self.layout = self.layout_of(history)
        super().__init__(history, **options)

    @classmethod
    def cannot_show(cls, history):
        params = history.params[0]
        means = getattr(params, "means", None)
        if means is None or hasattr(params, "covariances") or np.ndim(means) != 2:
            return "it draws component means (k, d) of pixels, params.means, without covariances"
        if np.any((means < 0) | (means > 1)):
            return "it draws means of pixels as grey levels in [0, 1]"
        return None

    def layout_of(self, history):
        """``(k, (h, w), columns)`` for ``history``; checks the options against it."""
        k, d = history.params[0].means.shape
        if self.image_shape_option is None:
            side = math.isqrt(d)
            if side * side != d:
                raise ValueError(f"d = {d} pixels is not a square image: pass image_shape=(h, w) "
                                 f"with h * w = {d}")
            shape = (side, side)
        else:
            shape = tuple(checks.integer(s, "image_shape", minimum=1) for s in self.image_shape_option)
            if len(shape) != 2 or shape[0] * shape[1] != d:
                raise ValueError(f"image_shape must be (h, w) with h * w = d = {d}, "
                                 f"got {self.image_shape_option!r}")
        columns = min(k, 5) if self.columns_option is None else checks.integer(
            self.columns_option, "columns", minimum=1)
        if self.classes is not None and len(self.classes) != len(history.x):
            raise ValueError(f"classes must give one class per point (n = {len(history.x)}), "
                             f"got {len(self.classes)}")
        return k, shape, min(columns, k)

    def make_axes(self):
        """One small axes per component (``self.ax_images``) in a grid, the log-likelihood on the right."""
        k, _, columns = self.layout
        rows = math.ceil(k / columns)
        outer = self.fig.add_gridspec(1, 2, width_ratios=[5, 3])
        grid = outer[0].subgridspec(rows, columns)
        self.ax_images = [self.fig.add_subplot(grid[j // columns, j % columns]) for j in range(k)]
        self.ax_ll = self.fig.add_subplot(outer[1])

    def use(self, history):
        super().use(history)
        if self.classes is not None:
            self.class_values, index = np.unique(self.classes, return_inverse=True)
            self.class_indicator = np.eye(len(self.class_values))[index]         # (n, classes)

    def draw_state(self, params, resp):
        _, shape, columns = self.layout
        size = 9 if columns <= 4 else 8         # "component j" over each of five images in a row
        self.images, self.titles, self.class_labels = [], [], []
        for j, (ax, mean, color) in enumerate(zip(self.ax_images, params.means, self.colors)):
            self.images.append(ax.imshow(mean.reshape(shape), cmap="gray_r", vmin=0, vmax=1,
                                         interpolation="nearest"))
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set(color=color, linewidth=2)
            self.titles.append(ax.set_title("", fontsize=size, color="black"))
            if self.classes is not None:
                self.class_labels.append(ax.text(0.5, -0.04, "", transform=ax.transAxes, ha="center",
                                                 va="top", fontsize=size, color="black"))
        self.set_titles(params, resp)
        self.moving(self.images, self.titles, self.class_labels)

    def drawing(self):
        k, (h, w), _ = self.layout
        classes = ", and the class with the largest share of it" if self.classes is not None else ""
        return (f"left, the mean of each of the {k} components as a {h} by {w} grey image (black: "
                f"pixel inked) framed in the component's colour, titled with its index j, its weight "
                f"π_j and its soft count N_j{classes}")

    def update_state(self, params, resp):
        _, shape, _ = self.layout
        for image, mean in zip(self.images, params.means):
            image.set_data(mean.reshape(shape))
        self.set_titles(params, resp)

    def set_titles(self, params, resp):
        """Titles "component j", ``pi_j``, ``N_j``; with ``classes``, the top class and its share
        under each image."""
        nk = resp.sum(axis=0)
        for j, (title, w, n) in enumerate(zip(self.titles, params.weights, nk)):
            title.set_text(f"component {j}\n" rf"$\pi_{{{j}}}$ = {w:.2f}" "\n" rf"$N_{{{j}}}$ = {n:.0f}")
        if self.classes is not None:
            shares = (resp.T @ self.class_indicator) / np.maximum(nk, np.finfo(float).tiny)[:, None]
            for label, share in zip(self.class_labels, shares):
                top = np.argmax(share)
                label.set_text(f"class {self.class_values[top]}: {share[top]:.0%}")

    def set_history(self, history):
        """As ``View.set_history``; a History with another k or image size gets a new grid of axes."""
        history = self.check(history)
        layout = self.layout_of(history)
        if layout == self.layout:
            super().set_history(history)
            return
        self.layout = layout
        self.fig.clear()
        self.use(history)
        self.make_axes()
        self.draw(0)
        TightLayoutEngine(rect=(0, 0, 1, 0.93)).execute(self.fig)
