"""The checkers of a Gaussian mixture in practice: k-means (Lloyd's algorithm), and the number
of free parameters that BIC counts.

    check_kmeans(fn)            fn(x, centres, max_iter) -> (centres, labels)
    check_n_parameters(fn)      fn(covariance_type, k, d) -> number of free parameters
"""
import numpy as np

from .report import Problem, Unnamed, check, close, describe, distinct, is_number, which_mistake, worst
from .loops import RESTART_X


# ------------------------------------------------------------------ k-means

def _squared(x, c):
    """(n, k) squared Euclidean distances |x_i - c_j|^2."""
    return ((x[:, None, :] - c[None]) ** 2).sum(axis=-1)


def _l1(x, c):
    return np.abs(x[:, None, :] - c[None]).sum(axis=-1)


def lloyd(x, centres, max_iter, *, distance=None, update=None):
    """Lloyd's algorithm (Bishop sec. 9.1): assign each point to its nearest centre (squared
    Euclidean distance), move each centre to the mean of its points (a centre without
    points stays), repeat until the labels stop changing or max_iter moves were made.
    Returns ``(centres (k, d), labels (n,))``, the labels of the returned centres.
    ``distance(x, centres) -> (n, k)`` and ``update(points) -> centre`` replace the two steps
    (the mistakes a student makes)."""
    distance = distance or _squared
    update = update or (lambda points: points.mean(axis=0))
    centres = np.array(centres, dtype=float)
    labels = distance(x, centres).argmin(axis=1)
    for _ in range(max_iter):
        centres = np.array([update(x[labels == j]) if np.any(labels == j) else centres[j]
                            for j in range(len(centres))])
        new = distance(x, centres).argmin(axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
    return centres, labels


def check_kmeans(fn):
    """Check Lloyd's algorithm ``fn(x, centres, max_iter) -> (centres, labels)``.

    x (n, d) points, centres (k, d) the start; assign each point to the nearest centre
    (squared Euclidean distance), move each centre to the mean of its points, repeat until
    the labels stop changing, at most max_iter moves.  Return the centres (k, d) and the labels
    (n,) ints in 0..k-1 of the returned centres.  The same as scikit-learn's
    ``KMeans(k, init=centres, n_init=1, algorithm="lloyd", max_iter=max_iter, tol=0)``.
    """
    x, x1 = RESTART_X[:14], RESTART_X[:14, :1]
    cases = [("typical", x, x[[0, 1, 5]], 100), ("max_iter = 1", x, x[[0, 1, 5]], 1),
             ("k = 1", x, x[[3]], 100), ("d = 1", x1, x1[[0, 1]], 100), ("one point", x[:1], x[:1], 100)]
    problems = []
    for name, xp, centres, max_iter in cases:
        problem = Problem(name, (xp, centres, max_iter), size=f"n = {len(xp)}, k = {len(centres)}, "
                          f"d = {xp.shape[1]}, max_iter = {max_iter}")
        problem.answer = lloyd(xp, centres, max_iter)
        problems.append(problem)
    return check("k-means", fn, ("x", "centres", "max_iter"), problems, _judge_kmeans)


def _judge_kmeans(problem, value, results):
    x, start, max_iter = problem.args
    want_centres, want_labels = problem.answer
    n = len(x)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return f"wrong type: returned {describe(value)}, expected (centres, labels)"
    centres, labels = (np.asarray(v) if isinstance(v, (np.ndarray, list)) else v for v in value)
    if np.shape(centres) == (n,) and np.shape(labels) == start.shape:
        return "returned (labels, centres): return (centres, labels)"
    if not isinstance(centres, np.ndarray) or centres.shape != start.shape or centres.dtype.kind not in "iuf":
        return f"wrong type or shape: centres is {describe(value[0])}, expected an array of shape (k, d) = {start.shape}"
    if not isinstance(labels, np.ndarray) or labels.shape != (n,):
        return f"wrong type or shape: labels is {describe(value[1])}, expected an array of shape (n,) = ({n},)"
    if labels.dtype.kind not in "iu":
        return f"labels must be integers (component indices 0..k-1), got dtype {labels.dtype}"
    if not np.all(np.isfinite(centres)):
        return "nan/inf in centres: a centre that loses all its points stays where it is"
    if close(centres, want_centres) and np.array_equal(labels, want_labels):
        return None

    if close(centres, start) and distinct(start, want_centres):
        return "returned the initial centres: move them to the means of their points"

    def vector(result):
        return np.r_[np.ravel(result[0]), result[1]]
    mistake = which_mistake(vector((centres, labels)), vector(problem.answer), [
        ("one iteration only: repeat until the labels stop changing (or max_iter)", vector(lloyd(x, start, 1))),
        (f"ran max_iter + 1 = {max_iter + 1} iterations: at most max_iter", vector(lloyd(x, start, max_iter + 1))),
        ("returned the labels of the centres before the last move: assign the points to the final centres",
         vector((want_centres, lloyd(x, start, max_iter - 1)[1]))),
        ("assigned each point to its farthest centre (argmax): the nearest is the argmin",
         vector(lloyd(x, start, max_iter, distance=lambda x, c: -_squared(x, c)))),
        ("used the L1 distance sum_d |x_d - c_d|; Lloyd's algorithm assigns by the squared Euclidean distance",
         vector(lloyd(x, start, max_iter, distance=_l1))),
        ("moved each centre to the median of its points, not their mean",
         vector(lloyd(x, start, max_iter, update=lambda points: np.median(points, axis=0)))),
        ("labels numbered from 1: a label is the index of its centre, 0..k-1", vector((want_centres, want_labels + 1)))])
    if mistake:
        return mistake
    if not close(centres, want_centres):
        return Unnamed(f"centres differ from Lloyd's at centres{worst(centres, want_centres)}")
    i = int(np.argmax(labels != want_labels))
    return Unnamed(f"labels[{i}] is {labels[i]}, expected {want_labels[i]}")


# ------------------------------------------------------------------ free parameters (BIC)

COVARIANCE_PARAMETERS = {"full": lambda k, d: k * d * (d + 1) // 2, "tied": lambda k, d: d * (d + 1) // 2,
                         "diag": lambda k, d: k * d, "spherical": lambda k, d: k}


def n_parameters(covariance_type, k, d):
    """Free parameters of a k-component Gaussian mixture in d dimensions: k - 1 weights (they
    sum to 1), k d means, and the covariances: k d (d + 1) / 2 ("full", symmetric),
    d (d + 1) / 2 ("tied", one shared), k d ("diag"), k ("spherical", one variance each)."""
    return COVARIANCE_PARAMETERS[covariance_type](k, d) + k * d + k - 1


def check_n_parameters(fn):
    """Check ``fn(covariance_type, k, d) -> int``: the number of free parameters p of a
    Gaussian mixture, as BIC = p log n - 2 l counts them (``n_parameters``), for each
    covariance_type "full", "tied", "diag", "spherical"."""
    cases = [("full", "full", 3, 2), ("tied", "tied", 3, 2), ("diag", "diag", 3, 2),
             ("spherical", "spherical", 3, 2), ("full, d = 5", "full", 2, 5), ("tied, k = 1", "tied", 1, 3)]
    problems = []
    for name, covariance_type, k, d in cases:
        problem = Problem(name, (covariance_type, k, d), size=f"covariance_type = {covariance_type!r}, k = {k}, d = {d}")
        problem.answer = n_parameters(covariance_type, k, d)
        problems.append(problem)
    return check("number of parameters", fn, ("covariance_type", "k", "d"), problems, _judge_n_parameters)


def _judge_n_parameters(problem, value, results):
    covariance_type, k, d = problem.args
    expected = problem.answer
    if not is_number(value):
        return f"wrong type: returned {describe(value)}, expected a whole number"
    got = float(value)
    if not np.isfinite(got) or got != round(got):
        return f"returned {got:.6g}, not a whole number"
    if got == expected:
        return None
    own = COVARIANCE_PARAMETERS[covariance_type](k, d)

    def counting(covariances):                 # the count with other covariance parameters
        return expected - own + covariances
    full_instead = {"tied": "counted the tied covariance once per component: it is one matrix shared "
                            "by all components, d (d + 1) / 2 parameters",
                    "diag": "counted full covariances: 'diag' has d variances per component, k d in all",
                    "spherical": "counted full covariances: 'spherical' has one variance per component, k in all"}
    mistake = which_mistake(got, expected, [
        ("forgot the k - 1 free mixing weights", expected - (k - 1)),
        ("counted k mixing weights: they sum to 1, so k - 1 are free", expected + 1),
        ("forgot the k d means", expected - k * d),
        ("counted d^2 entries per covariance: a covariance is symmetric, d (d + 1) / 2 free entries",
         counting((k if covariance_type == "full" else 1) * d * d) if covariance_type in ("full", "tied") else None),
        (full_instead.get(covariance_type), counting(k * d * (d + 1) // 2) if covariance_type != "full" else None),
        ("counted d variances per component for 'spherical': one per component, k in all",
         counting(k * d) if covariance_type == "spherical" else None),
        ("counted one variance for all components: 'spherical' has one per component, k in all",
         counting(1) if covariance_type == "spherical" else None)])
    return mistake or Unnamed(f"returned {int(got)}, expected {expected}")
