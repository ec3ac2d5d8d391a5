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
"""
import numpy as np
from matplotlib import colormaps
from matplotlib.patches import Ellipse

from . import checks


def component_colors(k):
    """One RGBA colour per component, (k, 4): the qualitative ``tab10`` (``tab20`` beyond 10)."""
    k = checks.integer(k, "k", minimum=1)
    cmap = colormaps["tab10" if k <= 10 else "tab20"]
    return np.array([cmap(j % cmap.N) for j in range(k)])


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


def ellipse(ax, mean, cov, mass=0.86, **kwargs):
    """Add the ellipse that holds probability ``mass`` of N(mean, cov); returns the Ellipse.

    mean (2,); cov (2, 2), (2,) or scalar (see ``ellipse_geometry``).  Unfilled unless
    ``fill=True`` or a ``facecolor`` is given.
    """
    width, height, angle = ellipse_geometry(cov, mass)
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


def resp_points(ax, x, resp, colors=None, **kwargs):
    """Scatter of x (n, 2) coloured by resp (n, k); returns the PathCollection."""
    x = checks.as_array(x, "x", ndim=2, shape=(None, 2))
    colors = component_colors(np.shape(resp)[1]) if colors is None else colors
    kwargs.setdefault("s", 12)
    kwargs.setdefault("linewidths", 0)
    return ax.scatter(x[:, 0], x[:, 1], c=resp_colors(resp, colors), **kwargs)


def update_resp_points(artist, resp, colors=None, x=None):
    """Recolour ``artist`` (from ``resp_points``) by resp (n, k); move it to x (n, 2) if given."""
    colors = component_colors(np.shape(resp)[1]) if colors is None else colors
    artist.set_facecolors(resp_colors(resp, colors))
    if x is not None:
        artist.set_offsets(checks.as_array(x, "x", ndim=2, shape=(None, 2)))
    return artist


# --- bars split by responsibilities ---------------------------------------------------------

def stacked_bars(ax, positions, heights, width=0.8, colors=None, **kwargs):
    """One stack per position, segment j of height ``heights[:, j]``; returns k BarContainers.

    positions (m,), heights (m, k) >= 0.
    """
    heights = checks.as_array(heights, "heights", ndim=2)
    colors = component_colors(heights.shape[1]) if colors is None else colors
    bottoms = np.cumsum(heights, axis=1) - heights
    return [ax.bar(positions, heights[:, j], width, bottom=bottoms[:, j], color=colors[j], **kwargs)
            for j in range(heights.shape[1])]


def update_stacked_bars(bars, heights):
    """Set the segments of ``bars`` (from ``stacked_bars``) to heights (m, k)."""
    heights = checks.as_array(heights, "heights", ndim=2, shape=(None, len(bars)))
    bottoms = np.cumsum(heights, axis=1) - heights
    for j, container in enumerate(bars):
        for rect, height, bottom in zip(container, heights[:, j], bottoms[:, j]):
            rect.set_height(height)
            rect.set_y(bottom)
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
    kwargs.setdefault("align", "edge")
    return stacked_bars(ax, edges[:-1], resp_histogram_heights(x, resp, edges), np.diff(edges),
                        colors, **kwargs)


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
    """Lines of ``pi_j p(x | theta_j)`` per component (dashed) and of ``p(x)`` (black).

    The pmf of a Poisson mixture (grid of counts) or the density of a 1-D Gaussian
    mixture (grid (m, 1)).  Returns ``(total Line2D, [component Line2D, ...])``.
    """
    curves = component_curves(model, grid, params)
    colors = component_colors(curves.shape[1]) if colors is None else colors
    xs = np.asarray(grid, dtype=float).ravel()
    components = [ax.plot(xs, curves[:, j], "--", color=colors[j], **kwargs)[0]
                  for j in range(curves.shape[1])]
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
