"""``MeanImagesView``: components that are images, each mean drawn as a grey picture.

For a mixture of binary images (``emlab.bernoulli`` on binarised digits) the mean of
component j, ``mu_j`` (d = h * w pixels, each the probability that the pixel is inked), is an
h x w image: Bishop's Fig. 9.10.
"""
import math

import numpy as np
from matplotlib.transforms import Bbox, ScaledTranslation

from .. import checks, plot
from .view import View
from .views import ReadableText

LL_SHARE = 0.36         # the log-likelihood panel's least share of the figure's width, with its labels


class MeanImagesView(ReadableText, View):
    """Each component's mean ``mu_j`` as an h x w grey image (white 0, black 1; frame in the
    component's colour), components 0, 1, ... left to right in rows; above each image its weight
    and its effective number of points ``N_j = sum_i r_ij`` ("π 0.12" over "N 31", in black: text
    needs 4.5:1 against white, which some component colours miss); the log-likelihood.  The M
    half-step changes the images and the weights, the E half-step the N_j.  Its text is
    ``emlab.plot.TEXT_PX`` pixels high in the image (``ReadableText``): the images are laid out
    as large as the figure leaves them with that text (``fit_layout``).

    ``classes``: optional (n,) ints, the class of each point (the digit an image shows; EM
    never sees it).  Under each image, the class with the largest share of N_j,
    ``sum_i r_ij [class_i = c] / N_j``, and that share ("3: 80%"): it changes with the E
    half-step too.
    ``image_shape``: (h, w) with h * w = d; default square, h = w = sqrt(d).
    ``columns``: images per row (default: the number that draws them largest, text beside text
    never overlapping).  Other options as for ``View``.
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
        """``(k, (h, w), columns)`` for ``history`` (columns None: chosen by ``fit_layout``);
        checks the options against it."""
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
        columns = None if self.columns_option is None else min(k, checks.integer(
            self.columns_option, "columns", minimum=1))
        if self.classes is not None and len(self.classes) != len(history.x):
            raise ValueError(f"classes must give one class per point (n = {len(history.x)}), "
                             f"got {len(self.classes)}")
        return k, shape, columns

    def make_axes(self):
        """One small axes per component (``self.ax_images``), the log-likelihood on the right; where
        they go is ``fit_layout``'s (the grid here only gives a first layout something to move)."""
        k, _, columns = self.layout
        columns = columns or min(k, 5)
        outer = self.fig.add_gridspec(1, 2, width_ratios=[5, 3])
        grid = outer[0].subgridspec(math.ceil(k / columns), columns)
        self.ax_images = [self.fig.add_subplot(grid[j // columns, j % columns]) for j in range(k)]
        self.ax_ll = self.fig.add_subplot(outer[1])

    def use(self, history):
        super().use(history)
        if self.classes is not None:
            self.class_values, index = np.unique(self.classes, return_inverse=True)
            self.class_indicator = np.eye(len(self.class_values))[index]         # (n, classes)

    def draw_state(self, params, resp):
        _, shape, _ = self.layout
        gap = self.gap_points()
        self.images, self.titles, self.class_labels = [], [], []
        for ax, mean, color in zip(self.ax_images, params.means, self.colors):
            self.images.append(ax.imshow(mean.reshape(shape), cmap="gray_r", vmin=0, vmax=1,
                                         interpolation="nearest"))
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set(color=color, linewidth=2)
            # bottom-aligned a gap above the frame; the class label top-aligned a gap under it
            self.titles.append(ax.set_title("", color="black", pad=gap, va="bottom"))
            if self.classes is not None:
                under = ax.transAxes + ScaledTranslation(0, -gap / 72, self.fig.dpi_scale_trans)
                self.class_labels.append(ax.text(0.5, 0, "", transform=under, ha="center", va="top",
                                                 color="black"))
        self.set_titles(params, resp)
        self.moving(self.images, self.titles, self.class_labels)

    def drawing(self):
        k, (h, w), _ = self.layout
        rows = math.ceil(k / self.columns)
        order = (f"components 0 to {k - 1} left to right" if rows == 1 else
                 f"components 0 to {k - 1} left to right in rows of {self.columns}") if k > 1 else "one component"
        classes = ("; under it the class with the largest share of N_j and that share (\"3: 80%\": 80% of N_j "
                   "from class 3)" if self.classes is not None else "")
        return (f"left, the mean of each of the {k} components as a grey image of {h} by {w} pixels (black: "
                f"pixel inked), {order}, each framed in the component's colour, with its weight π_j and its "
                f"soft count N_j above it (\"π 0.12\" over \"N 31\"){classes}")

    def update_state(self, params, resp):
        _, shape, _ = self.layout
        for image, mean in zip(self.images, params.means):
            image.set_data(mean.reshape(shape))
        self.set_titles(params, resp)

    def set_titles(self, params, resp):
        """Titles ``pi_j`` over ``N_j``; with ``classes``, the top class and its share under each image."""
        nk = resp.sum(axis=0)
        for title, w, n in zip(self.titles, params.weights, nk):
            title.set_text(title_text(w, n))
        if self.classes is not None:
            shares = (resp.T @ self.class_indicator) / np.maximum(nk, np.finfo(float).tiny)[:, None]
            for label, share in zip(self.class_labels, shares):
                top = np.argmax(share)
                label.set_text(class_text(self.class_values[top], share[top]))

    def set_history(self, history):
        """As ``View.set_history``; a History with another k or image size gets a new grid of axes."""
        history = self.check(history)
        layout = self.layout_of(history)
        if layout == self.layout:
            super().set_history(history)
            return
        self.layout = layout
        with plot.style(self.fig.dpi):
            self.fig.clear()
            self.use(history)
            self.make_axes()
            self.draw(0)
            self.fit_layout()

    # ---- layout: text of TEXT_PX pixels, the images as large as the rest leaves them

    def gap_points(self):
        """The gap between a frame and its title or class label, in points."""
        return 0.25 * plot.text_points(self.fig.dpi)

    def fit_layout(self):
        """Lay the figure out in pixels (once, for every half-step), under the caption: on the
        left the images in ``self.columns`` columns (``columns``, or the number that draws them
        largest), each as wide as its title and class label can be at any half-step, rows far
        enough apart that a class label does not run into the title under it; on the right, in
        the width they leave (at least ``LL_SHARE``), the log-likelihood panel with its labels."""
        fig, renderer = self.fig, self.fig.canvas.get_renderer()
        width, height = fig.bbox.width, fig.bbox.height
        font_px = plot.text_points(fig.dpi) * fig.dpi / 72
        pad = 0.3 * font_px
        top = self.caption.get_window_extent(renderer).y0 - 0.02 * height
        right = self.place_images(Bbox.from_extents(pad, pad, (1 - LL_SHARE) * width - pad, top), font_px)
        self.place(self.ax_ll, Bbox.from_extents(right + font_px, pad, width - pad, top))

    def place(self, ax, region):
        """Move ``ax`` so that it and its tick labels and axis labels fill ``region`` (pixels)."""
        renderer = self.fig.canvas.get_renderer()
        for _ in range(2):              # twice: the ticks, and their labels, follow the axes' size
            box, tight = ax.get_window_extent(renderer), ax.get_tightbbox(renderer)
            inner = Bbox.from_extents(region.x0 + box.x0 - tight.x0, region.y0 + box.y0 - tight.y0,
                                      region.x1 - (tight.x1 - box.x1), region.y1 - (tight.y1 - box.y1))
            ax.set_position(inner.transformed(self.fig.transFigure.inverted()))

    def widest_texts(self):
        """``(width, height above a frame, height under it)`` in pixels of the widest title and class
        label any half-step can show: N_j is at most n, a share at most 100%."""
        fig, renderer = self.fig, self.fig.canvas.get_renderer()
        size = plot.text_points(fig.dpi)

        def box(text):
            artist = fig.text(0, 0, text, fontsize=size)
            extent = artist.get_window_extent(renderer)
            artist.remove()
            return extent

        gap = self.gap_points() * fig.dpi / 72
        n = len(self.history.x)
        title = box(title_text(0.88, n))                 # two decimals, as many digits as n
        widest, above, below = title.width, title.height + gap, 0.0
        if self.classes is not None:
            labels = [box(class_text(c, 1.0)) for c in self.class_values]
            widest = max(widest, *(label.width for label in labels))
            below = max(label.height for label in labels) + gap
        return widest, above, below

    def place_images(self, region, font_px):
        """Put the image axes in ``region`` (pixels), as large as fits, ``self.columns`` per row, from
        its left edge and centred from top to bottom; returns the right edge of their texts."""
        k, (h, w), columns = self.layout
        text_width, above, below = self.widest_texts()
        gap_x, gap_y = 0.6 * font_px, 0.6 * font_px
        best = None
        for c in [columns] if columns else range(1, k + 1):
            rows = math.ceil(k / c)
            cell = (region.width - (c - 1) * gap_x) / c
            if c > 1 and cell < text_width:
                continue                        # titles side by side would overlap
            scale = min(cell / w, (region.height - rows * (above + below) - (rows - 1) * gap_y) / rows / h)
            if best is None or scale > best[0]:
                best = (scale, c, rows)
        scale, self.columns, rows = best
        scale = max(scale, 1e-3)
        image_w, image_h = scale * w, scale * h
        pitch_x, pitch_y = max(image_w, text_width) + gap_x, above + image_h + below + gap_y
        used_w, used_h = (self.columns - 1) * pitch_x + max(image_w, text_width), rows * pitch_y - gap_y
        left = region.x0 + (max(image_w, text_width) - image_w) / 2
        top = region.y1 - (region.height - used_h) / 2 - above
        to_figure = self.fig.transFigure.inverted()
        for j, ax in enumerate(self.ax_images):
            x0, y1 = left + (j % self.columns) * pitch_x, top - (j // self.columns) * pitch_y
            ax.set_position(Bbox.from_extents(x0, y1 - image_h, x0 + image_w, y1).transformed(to_figure))
        return region.x0 + used_w


def title_text(weight, count):
    """The title over component j's image: ``pi_j`` over ``N_j`` (j is the image's place and frame)."""
    return rf"$\pi$ {weight:.2f}" "\n" rf"$N$ {count:.0f}"


def class_text(value, share):
    """The label under component j's image: the class with the largest share of N_j, and that share."""
    return f"{value}: {share:.0%}"
