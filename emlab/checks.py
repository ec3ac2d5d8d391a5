"""Argument checks for model writers: validate a model's ``Params``, ``x`` and arguments the
way emlab's own models do, with one kind of message for every argument.

Each check returns the value checked (arrays as a fresh copy: the caller's is never
modified) or raises a ``TypeError`` (wrong kind of object) / ``ValueError`` (right kind,
wrong value) whose message names the argument and says what was expected.

    as_array(value, name, *, ndim, shape, integer)   a finite float (or int64) array of that ndim / shape
    nonempty(arr, name)                         at least one point (row)
    weights(value, name="weights")              mixing weights pi (k,): non-negative, summing to 1
    probabilities(q, name, shape=None)          rows of distributions over components (n, k)
    responsibilities(resp, n, name="resp")      non-negative weights per point and component (n, k)
    same_k(params_k, name, arr, axis=0)         one entry per component along ``axis``
    integer(value, name, *, minimum=None)       an int (bool refused)
    real(value, name, *, minimum=None)          a finite real number
    component_count(k, n, name="k")             a number of components, 1 <= k <= n
    rng(value, name="rng")                      a numpy Generator, or an int seed for one
    instance(value, cls, name)                  an instance of ``cls`` (a model's Params)
    freeze(*arrays)                             make arrays read-only (a frozen Params' fields)
    component_totals(resp)                      N_j = sum_i r_ij, or CollapseError for an empty component

A model's Params, checked as the built-in ones are (see ``emlab.poisson``)::

    from dataclasses import dataclass
    import numpy as np
    from emlab import checks

    @dataclass(frozen=True, eq=False)
    class Params:
        weights: np.ndarray
        rates: np.ndarray

        def __post_init__(self):
            w = checks.weights(self.weights)
            rates = checks.as_array(self.rates, "rates", ndim=1)
            checks.same_k(len(w), "rates", rates)
            checks.freeze(w, rates)
            object.__setattr__(self, "weights", w)
            object.__setattr__(self, "rates", rates)

and in the model's functions ``params = checks.instance(params, Params, "params")``.
"""
from numbers import Integral, Real

import numpy as np

from .errors import CollapseError

__all__ = ["SUM_TOL", "MAX_COUNT", "as_array", "nonempty", "weights", "probabilities", "responsibilities",
           "same_k", "integer", "real", "component_count", "rng", "instance", "freeze",
           "component_totals"]

# Relative tolerance for "sums to one" (weights, responsibilities).
SUM_TOL = 1e-8
# Largest count held exactly as a float (and far from int64 overflow when added).
MAX_COUNT = 2 ** 53


def as_array(value, name, *, ndim=None, shape=None, integer=False):
    """Return ``value`` as a new float (or int64) array, checked for kind, ndim and shape.

    ``shape`` may contain ``None`` for "any length" in that axis.
    Finite values are required; ``integer=True`` also requires whole numbers.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    try:
        arr = np.array(value, copy=True)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers ({exc})") from None
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got an array of shape {arr.shape}")
    if shape is not None:
        for axis, (want, got) in enumerate(zip(shape, arr.shape)):
            if want is not None and want != got:
                raise ValueError(
                    f"{name} must have shape {_shape_text(shape)}, got {arr.shape} "
                    f"(axis {axis} should be {want})")
    arr = arr.astype(float, copy=False)     # already a new array: no second copy
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, but it contains NaN or inf")
    if integer:
        if np.any(arr != np.round(arr)):
            raise ValueError(f"{name} must hold whole numbers (counts), got fractional values")
        if np.any(np.abs(arr) > MAX_COUNT):
            raise ValueError(f"{name} must hold counts of at most 2**53, got {np.abs(arr).max():.3g}")
        arr = arr.astype(np.int64)
    return arr


def _shape_text(shape):
    return "(" + ", ".join("n" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def nonempty(arr, name):
    """``arr`` itself when it has at least one row (point), else a ValueError."""
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must contain at least one point, got an empty array")
    return arr


def weights(value, name="weights"):
    """Mixing weights pi: (k,), non-negative, summing to 1."""
    w = as_array(value, name, ndim=1)
    if w.size == 0:
        raise ValueError(f"{name} must have at least one component, got an empty array")
    if np.any(w < 0):
        raise ValueError(f"{name} must be non-negative, got {np.array2string(w, precision=5)}")
    if abs(w.sum() - 1.0) > SUM_TOL:
        raise ValueError(f"{name} must sum to 1, but got sum({name}) = {w.sum():.5f}")
    return w / w.sum()


def probabilities(q, name, shape=None):
    """Rows of distributions over components: (n, k), non-negative, each row summing to 1."""
    q = as_array(q, name, ndim=2, shape=shape)
    if np.any(q < 0):
        raise ValueError(f"{name} must be non-negative")
    bad = np.abs(q.sum(axis=1) - 1.0) > 1e-6
    if np.any(bad):
        i = int(np.argmax(bad))
        raise ValueError(f"each row of {name} must sum to 1, but row {i} sums to {q[i].sum():.6f}")
    return q


def integer(value, name, *, minimum=None):
    """An int (a bool, a float or a numpy float is a TypeError), at least ``minimum`` if given."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def component_count(k, n, name="k"):
    """The number of components, an int from 1 to the number of points n."""
    k = integer(k, name, minimum=1)
    if k > n:
        raise ValueError(f"{name} must be at most the number of points n = {n}, got {name} = {k}")
    return k


def real(value, name, *, minimum=None):
    """A finite real number as a float (a bool is a TypeError), at least ``minimum`` if given."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def instance(value, cls, name):
    """``value`` itself when it is an instance of ``cls`` (e.g. a model's Params), else a
    TypeError naming the argument and the class."""
    if not isinstance(value, cls):
        raise TypeError(f"{name} must be {cls.__module__}.{cls.__qualname__}, got {type(value).__name__}")
    return value


def rng(value, name="rng"):
    """A numpy Generator, or an int seed for one."""
    if isinstance(value, np.random.Generator):
        return value
    if isinstance(value, Integral) and not isinstance(value, bool):
        return np.random.default_rng(int(value))
    raise TypeError(f"{name} must be a numpy.random.Generator or an int seed, got {type(value).__name__}")


def same_k(params_k, name, arr, axis=0):
    """ValueError unless ``arr`` has ``params_k`` entries (one per component) along ``axis``."""
    if arr.shape[axis] != params_k:
        raise ValueError(f"{name} must have {params_k} components (one per weight), got {arr.shape[axis]}")


def freeze(*arrays):
    """Make the arrays read-only: the fields of a frozen Params cannot be changed in place."""
    for a in arrays:
        a.setflags(write=False)


def responsibilities(resp, n, name="resp"):
    """Responsibilities (or any non-negative weights per point and component): (n, k)."""
    resp = as_array(resp, name, ndim=2, shape=(n, None))
    if resp.shape[1] == 0:
        raise ValueError(f"{name} must have at least one component (column)")
    if np.any(resp < 0):
        raise ValueError(f"{name} must be non-negative")
    return resp


def component_totals(resp):
    """``N_j = sum_i r_ij`` (Bishop eq. 9.27), raising CollapseError for a component with none."""
    nk = resp.sum(axis=0)
    empty = nk <= 1e3 * np.finfo(float).tiny
    if np.any(empty):
        j = int(np.argmax(empty))
        raise CollapseError(f"component {j} received no responsibility (N_{j} = 0): it is empty",
                            component=j)
    return nk
