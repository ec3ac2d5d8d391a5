"""Drawing a mixture: each function takes an ``ax``, returns its artists, and has an update.

The ``update_*`` functions move the artists they are given (``set_offsets``,
``set_facecolors``, ``set_ydata``, ``Ellipse.set_center/width/height/angle``) so that a
slider step redraws nothing from scratch.  ``**kwargs`` go to matplotlib.  Importing this
module changes no matplotlib settings.

    ellipse / update_ellipse                    covariance ellipse holding a stated mass
    resp_points / update_resp_points            points coloured by their responsibilities
    stacked_bars / update_stacked_bars          bars split by responsibilities (one stack each)
    resp_histogram / update_resp_histogram      a histogram split the same way
    mixture / update_mixture                    pi_j p(x | theta_j) per component and p(x)
    log_likelihood_curve / update_log_likelihood_curve   the curve, a marker at iteration t
    labelled_points                             points drawn per component (colour and marker)
    show / figure_output                        a static figure as a PNG with its alt text
    text_style / style                          text readable on a slide (rcParams; a context)
    legend_above                                a legend above the axes, in the columns that fit
    smallest_text_px / text_size_class          the smallest text of a figure, in image pixels

Each component has a colour and a second cue of its own (``emlab.palette``: ``component_colors``,
``component_markers``, ``component_linestyles``, ``component_hatches``, ``component_style``),
and every figure's text is readable on a slide (``emlab.text_size``: ``text_style``, ``style``,
``smallest_text_px``); their names are here too, as ``emlab.plot.<name>``.
"""
import numpy as np
from matplotlib.colors import to_rgba_array
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Ellipse, PathPatch
from matplotlib.path import Path
from matplotlib.transforms import blended_transform_factory

from . import checks
# The notebooks' calls as emlab.plot.<name>: show, the palette, the text sizes.
from .figure_with_alt import figure_output, show  # noqa: F401
from .palette import (HATCHES, LINESTYLES, MARKERS, PALETTE, component_colors, component_hatches,  # noqa: F401
                      component_linestyles, component_markers, component_style)
from .text_size import (TEXT_PX, smallest_text_px, style, text_points, text_size_class,  # noqa: F401
                        text_style)


def legend_above(ax, handles, labels, *, from_figure_edge=False, **kwargs):
    """A legend of ``handles`` and ``labels`` above ``ax`` (off the data), frameless, in as many
    columns as fit (one row if they all fit, else more rows); returns it.  It starts at the left
    edge of the axes, or with ``from_figure_edge`` at the figure's (over the y axis's labels, for
    a panel on the left: more room).  It is not in the figure's layout (``set_in_layout(False)``):
    make room for it above the axes (e.g. a layout's ``rect``).  ``**kwargs`` go to ``ax.legend``."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else fig._get_renderer()
    box = ax.get_window_extent(renderer)
    left = 2 if from_figure_edge else box.x0          # pixels
    kwargs = {"loc": "lower left", "frameon": False, "borderaxespad": 0.2, "borderpad": 0.0,
              "bbox_to_anchor": (left / fig.bbox.width, 1),
              "bbox_transform": blended_transform_factory(fig.transFigure, ax.transAxes), **kwargs}
    for ncols in range(len(labels), 0, -1):
        legend = ax.legend(handles, labels, ncols=ncols, **kwargs)
        if ncols == 1 or legend.get_window_extent(renderer).width <= box.x1 - left:
            legend.set_in_layout(False)         # room is made for it above the axes (a layout
            return legend                       # would take it for a decoration beside them)
        legend.remove()


# --- covariance ellipse ---------------------------------------------------------------------

def ellipse_geometry(cov, mass=0.86):
    """Width, height and angle (degrees) of ``{x : (x - mu)^T Sigma^{-1} (x - mu) <= r^2}``.

    For a 2-D Gaussian the squared Mahalanobis distance is chi-square with 2 degrees of
    freedom, so the ellipse holds probability ``mass`` when ``r^2 = chi2.ppf(mass, 2)
    = -2 log(1 - mass)``: r = 1, 2, 3 hold 39 %, 86 %, 99 %.  Its semi-axes are
    ``r sqrt(lambda)`` along the eigenvectors of Sigma (standard deviations, not
    variances).  cov: (2, 2) full, (2,) diagonal or a scalar (spherical) variance.
    """
    return _geometry(*_covariance_eigh(cov), _mass(mass))


def ellipse(ax, mean, cov, mass=0.86, *, component=None, **kwargs):
    """Add the ellipse that holds probability ``mass`` of N(mean, cov); returns the Ellipse.

    mean (2,); cov (2, 2), (2,) or scalar (see ``ellipse_geometry``).  Unfilled unless
    ``fill=True`` or a ``facecolor`` is given.  ``component=j`` draws it in component j's
    colour and line style (unless ``edgecolor``/``color`` or ``linestyle`` are given).
    """
    width, height, angle = ellipse_geometry(cov, mass)
    if component is not None:
        style = component_style(component, "line")
        if not {"edgecolor", "ec", "color"} & kwargs.keys():
            kwargs["edgecolor"] = style["color"]
        if not {"linestyle", "ls"} & kwargs.keys():
            kwargs["linestyle"] = style["linestyle"]
    if "facecolor" not in kwargs and "fc" not in kwargs:
        kwargs.setdefault("fill", False)
    artist = Ellipse(_mean_2d(mean), width, height, angle=angle, **kwargs)
    ax.add_patch(artist)
    return artist


def update_ellipse(artist, mean, cov=None, mass=0.86, *, eigh=None):
    """Move ``artist`` (from ``ellipse``) to hold ``mass`` of N(mean, cov).

    Give ``cov`` (checked and decomposed, as by ``ellipse``) or, for a step of an animation,
    ``eigh = (eigenvalues (2,) ascending, eigenvectors (2, 2) as columns)`` of a covariance
    already checked and decomposed: a 2-D ``gaussian.Params`` keeps them
    (``params.eigenvalues[j]``, ``params.eigenvectors[j]``), so the frame neither checks
    nor decomposes the covariance again.
    """
    if (cov is None) == (eigh is None):
        raise TypeError("update_ellipse takes either cov or eigh=(eigenvalues, eigenvectors), "
                        f"got {'both' if eigh is not None else 'neither'}")
    width, height, angle = _geometry(*(_covariance_eigh(cov) if eigh is None else eigh), _mass(mass))
    artist.set_center(_mean_2d(mean))
    artist.set_width(width)
    artist.set_height(height)
    artist.set_angle(angle)
    return artist


def _geometry(eigenvalues, eigenvectors, mass):
    """Width, height, angle of the ellipse holding ``mass`` of a 2-D covariance decomposed."""
    semi_axes = np.sqrt(-2 * np.log1p(-mass) * eigenvalues)    # r^2 = chi2.ppf(mass, 2)
    major = eigenvectors[:, 1]
    return 2 * semi_axes[1], 2 * semi_axes[0], np.degrees(np.arctan2(major[1], major[0]))


def _mass(mass):
    mass = checks.real(mass, "mass")
    if not 0 < mass < 1:
        raise ValueError(f"mass must be a probability strictly between 0 and 1, got {mass}")
    return mass


def _mean_2d(mean):
    return tuple(checks.as_array(mean, "mean", ndim=1, shape=(2,)))


def _covariance_eigh(cov):
    """A 2-D covariance checked ((2, 2) symmetric positive definite, (2,) positive variances or
    one positive variance) and decomposed once: ``np.linalg.eigh`` of its (2, 2) matrix."""
    arr = checks.as_array(cov, "cov")
    if arr.ndim == 0:
        arr = np.full(2, float(arr))
    if arr.shape == (2,):
        if np.any(arr <= 0):
            raise ValueError(f"cov as variances (2,) must be > 0, got {arr}")
        return np.linalg.eigh(np.diag(arr))
    if arr.shape != (2, 2):
        raise ValueError(f"cov must be a (2, 2) covariance, (2,) variances or a scalar variance, "
                         f"got shape {arr.shape}")
    if abs(arr[0, 1] - arr[1, 0]) > 1e-8 * np.abs(arr).max():
        raise ValueError(f"cov must be symmetric, got {arr.tolist()}")
    eigenvalues, eigenvectors = np.linalg.eigh((arr + arr.T) / 2)
    if not eigenvalues[0] > 0:
        raise ValueError(f"cov must be positive definite, got {arr.tolist()}")
    return eigenvalues, eigenvectors


# --- points coloured by responsibilities ----------------------------------------------------

def resp_colors(resp, colors):
    """Each point's colour mixed from the component colours: ``c_i = sum_j r_ij colour_j``.

    resp (n, k), colors (k, 4) RGBA -> (n, 4).
    """
    resp = checks.as_array(resp, "resp", ndim=2)
    colors = checks.as_array(colors, "colors", ndim=2, shape=(resp.shape[1], 4))
    return np.clip(resp @ colors, 0.0, 1.0)


def resp_points(ax, x, resp, colors=None, markers=None, **kwargs):
    """Scatter of x (n, 2) coloured by resp (n, k), each point in the marker of its most
    responsible component (``markers``, default ``component_markers(k)``: the second cue);
    returns the PathCollection.  A ``marker=`` keyword draws every point in that one marker.
    """
    x = checks.as_array(x, "x", ndim=2, shape=(None, 2))
    resp = checks.as_array(resp, "resp", ndim=2, shape=(len(x), None))
    colors = component_colors(resp.shape[1]) if colors is None else colors
    kwargs.setdefault("s", 12)
    kwargs.setdefault("linewidths", 0)
    artist = ax.scatter(x[:, 0], x[:, 1], c=resp_colors(resp, colors), **kwargs)
    if "marker" not in kwargs:
        artist.emlab_marker_paths = _marker_paths(component_markers(resp.shape[1])
                                                  if markers is None else markers)
        _set_point_markers(artist, resp)
    return artist


def update_resp_points(artist, resp, colors=None, x=None):
    """Recolour ``artist`` (from ``resp_points``) by resp (n, k), and give each point the
    marker of its most responsible component; move it to x (n, 2) if given."""
    colors = component_colors(np.shape(resp)[1]) if colors is None else colors
    artist.set_facecolors(resp_colors(resp, colors))
    if getattr(artist, "emlab_marker_paths", None) is not None:
        _set_point_markers(artist, np.asarray(resp))
    if x is not None:
        artist.set_offsets(checks.as_array(x, "x", ndim=2, shape=(None, 2)))
    return artist


def _marker_paths(markers):
    """Each marker's path at unit size, as ``Axes.scatter`` makes it."""
    paths = []
    for marker in markers:
        style = MarkerStyle(marker)
        paths.append(style.get_path().transformed(style.get_transform()))
    return paths


def _set_point_markers(artist, resp):
    paths = artist.emlab_marker_paths
    if resp.shape[1] > len(paths):
        raise ValueError(f"markers must give one marker per component (k = {resp.shape[1]}), "
                         f"got {len(paths)}")
    artist.set_paths([paths[j] for j in np.argmax(resp, axis=1)])


def labelled_points(ax, x, labels, names=None, **kwargs):
    """Points x (n, 2) drawn per component ``labels`` (n,) ints in 0..k-1: component j in its
    colour and marker, with the legend label ``names[j]`` (default "component j").  Returns
    the k PathCollections (one per component, empty ones included)."""
    x = checks.as_array(x, "x", ndim=2, shape=(None, 2))
    labels = np.asarray(labels)
    if labels.shape != (len(x),) or labels.dtype.kind not in "iu" or (labels < 0).any():
        raise ValueError(f"labels must be (n,) = ({len(x)},) component indices >= 0")
    k = int(labels.max()) + 1 if names is None else len(names)
    names = [f"component {j}" for j in range(k)] if names is None else list(names)
    kwargs.setdefault("s", 12)
    return [ax.scatter(x[labels == j, 0], x[labels == j, 1], label=names[j],
                       **{"marker": MARKERS[j % len(MARKERS)], "color": PALETTE[j % len(PALETTE)],
                          **kwargs})
            for j in range(k)]


# --- bars split by responsibilities ---------------------------------------------------------

class Bars(PathPatch):
    """Bars of one style (one segment of every stack) drawn as one path: Agg sets up a fill and
    its hatching once per path, so that a histogram's 44 hatched bars take about 1 ms to draw,
    not 19 ms one by one.  ``left``, ``right`` (m,): the bars' edges; ``heights``, ``bottoms``
    (m,): where they stand, set with ``set_bars``."""

    def __init__(self, left, right, heights, bottoms, **style):
        self.left, self.right = left, right
        super().__init__(Path(np.zeros((1, 2))), **style)
        self.set_bars(heights, bottoms)

    def set_bars(self, heights, bottoms):
        self.heights, self.bottoms = np.array(heights, dtype=float), np.array(bottoms, dtype=float)
        top = self.bottoms + self.heights
        corners = [(self.left, self.bottoms), (self.right, self.bottoms), (self.right, top), (self.left, top),
                   (self.left, self.bottoms)]
        vertices = np.stack([np.column_stack(corner) for corner in corners], axis=1).reshape(-1, 2)
        codes = np.tile([Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY], len(top))
        self.set_path(Path(vertices, codes))


def stacked_bars(ax, positions, heights, width=0.8, colors=None, hatches=None, *, align="center", **kwargs):
    """One stack per position, segment j of height ``heights[:, j]``; returns k ``Bars``, one
    per segment (its bars' ``heights`` and ``bottoms``).

    positions (m,): the bars' centres (``align="edge"``: their left edges), heights (m, k) >= 0,
    width scalar or (m,).  Segment j is filled in colour j and hatched with ``hatches[j]``
    (default ``component_hatches(k)``; ``hatches=()`` for none).  Opaque fills (at >= 3:1
    against white) with white edges and hatch lines; with ``alpha`` < 1 the fill is
    translucent and the edges and hatching are drawn opaque in the component's colour, so that
    each bar keeps an outline at >= 3:1.
    """
    heights = checks.as_array(heights, "heights", ndim=2)
    positions = checks.as_array(positions, "positions", ndim=1, shape=(len(heights),))
    if align not in ("center", "edge"):
        raise ValueError(f"align must be 'center' or 'edge', got {align!r}")
    width = checks.as_array(width, "width")
    if width.shape not in ((), positions.shape):
        raise ValueError(f"width must be a number or one per position, ({len(positions)},), "
                         f"got shape {width.shape}")
    width = np.broadcast_to(width, positions.shape)
    left = positions - width / 2 if align == "center" else positions
    k = heights.shape[1]
    colors = component_colors(k) if colors is None else to_rgba_array(colors)
    hatches = component_hatches(k) if hatches is None else list(hatches) or [None] * k
    alpha = kwargs.pop("alpha", None)
    bottoms = np.cumsum(heights, axis=1) - heights
    segments = []
    for j in range(k):
        if alpha is None or alpha >= 1:
            style = {"facecolor": colors[j], "edgecolor": "white", "linewidth": 0.6}
        else:
            style = {"facecolor": (*colors[j][:3], alpha), "edgecolor": colors[j], "linewidth": 1.0}
        style.update(kwargs)
        bars = Bars(left, left + width, heights[:, j], bottoms[:, j], hatch=hatches[j % len(hatches)],
                    **style)
        bars.sticky_edges.y.append(0)       # as Axes.bar: no margin below the bars
        segments.append(ax.add_patch(bars))
    ax.autoscale_view()
    return segments


def update_stacked_bars(bars, heights):
    """Set the segments of ``bars`` (from ``stacked_bars``) to heights (m, k)."""
    heights = checks.as_array(heights, "heights", ndim=2, shape=(len(bars[0].heights), len(bars)))
    bottoms = np.cumsum(heights, axis=1) - heights
    for j, segment in enumerate(bars):
        segment.set_bars(heights[:, j], bottoms[:, j])
    return bars


def resp_histogram_heights(x, resp, edges):
    """Density histogram of x (n,) split by resp (n, k): ``h_bj = sum_{i in b} r_ij / (n w_b)``.

    Summed over j this is the ordinary density histogram; over integer-centred unit bins,
    the empirical pmf.  -> (bins, k).
    """
    x = checks.as_array(x, "x", ndim=1)
    resp = checks.as_array(resp, "resp", ndim=2, shape=(len(x), None))
    edges = checks.as_array(edges, "edges", ndim=1)
    widths = np.diff(edges)
    counts = np.column_stack([np.histogram(x, edges, weights=resp[:, j])[0]
                              for j in range(resp.shape[1])])
    return counts / (len(x) * widths[:, None])


def resp_histogram(ax, x, resp, edges, colors=None, **kwargs):
    """Histogram of x (n,) over ``edges``, each bar split into its components' shares."""
    edges = np.asarray(edges, dtype=float)
    return stacked_bars(ax, edges[:-1], resp_histogram_heights(x, resp, edges), np.diff(edges),
                        colors, align="edge", **kwargs)


def update_resp_histogram(bars, x, resp, edges):
    """Re-split the bars of ``resp_histogram`` by new responsibilities resp (n, k)."""
    return update_stacked_bars(bars, resp_histogram_heights(x, resp, edges))


# --- mixture pmf or density -----------------------------------------------------------------

def component_curves(model, grid, params):
    """``pi_j p(x | theta_j)`` at each grid point, (m, k): exp of the model's ``log_joint``.

    grid as the model's x: (m,) counts for Poisson, (m, 1) for a 1-D Gaussian.
    """
    with np.errstate(under="ignore"):
        return np.exp(model.log_joint(grid, params))


def mixture(ax, model, grid, params, colors=None, **kwargs):
    """Lines of ``pi_j p(x | theta_j)`` per component (each in its colour and line style,
    never solid) and of ``p(x)`` (black, solid).

    The pmf of a Poisson mixture (grid of counts) or the density of a 1-D Gaussian
    mixture (grid (m, 1)).  With a ``marker`` keyword, each component's points take its
    own marker (``component_markers``) and p(x)'s that marker.  Returns
    ``(total Line2D, [component Line2D, ...])``.
    """
    curves = component_curves(model, grid, params)
    k = curves.shape[1]
    colors = component_colors(k) if colors is None else colors
    xs = np.asarray(grid, dtype=float).ravel()
    markers = component_markers(k) if kwargs.get("marker") not in (None, "", "None", "none") else [None] * k
    own = {key: value for key, value in kwargs.items() if key not in ("ls", "linestyle", "c", "color")}
    components = [ax.plot(xs, curves[:, j], **{**own, "color": colors[j],
                                               "linestyle": LINESTYLES[j % len(LINESTYLES)],
                                               "marker": markers[j]})[0]
                  for j in range(k)]
    (total,) = ax.plot(xs, curves.sum(axis=1), "-", color="black", **kwargs)
    return total, components


def update_mixture(lines, model, grid, params):
    """Set the lines from ``mixture`` to the curves of ``params`` (same grid)."""
    total, components = lines
    curves = component_curves(model, grid, params)
    for line, curve in zip(components, curves.T):
        line.set_ydata(curve)
    total.set_ydata(curves.sum(axis=1))
    return lines


# --- log-likelihood curve -------------------------------------------------------------------

def log_likelihood_curve(ax, log_likelihood, t=0, **kwargs):
    """The log-likelihood per iteration and a marker at iteration t; returns ``(line, marker)``."""
    ll = checks.as_array(log_likelihood, "log_likelihood", ndim=1)
    t = _iteration(t, len(ll))
    (line,) = ax.plot(np.arange(len(ll)), ll, "-", color="0.4", **kwargs)
    (marker,) = ax.plot([t], [ll[t]], "o", color="crimson", zorder=3)
    return line, marker


def update_log_likelihood_curve(marker, log_likelihood, t):
    """Move ``marker`` to iteration t of the curve."""
    t = _iteration(t, len(log_likelihood))
    marker.set_data([t], [log_likelihood[t]])
    return marker


def _iteration(t, length):
    t = checks.integer(t, "t", minimum=0)
    if t >= length:
        raise ValueError(f"t must be an iteration 0..{length - 1}, got {t}")
    return t
