"""Mixture of multivariate Bernoulli distributions (Bishop 9.3.3).  x: (n, d) of 0s and 1s.

    p(x_i, z_i = j) = pi_j * prod_d mu_jd**x_id * (1 - mu_jd)**(1 - x_id)

e.g. binarized images: x_id = 1 when pixel d of image i is on, mu_jd the probability that
component j turns pixel d on.
"""
from dataclasses import dataclass

import numpy as np

from . import checks
from .errors import CollapseError

_PRIOR_HINT = ("a Beta(a, b) prior with a, b > 1 keeps every mean inside: pass beta_prior=(a, b), "
               "e.g. run_em(bernoulli, x, params, beta_prior=(2, 2))")


@dataclass(frozen=True, eq=False)
class Params:
    """``weights`` pi (k,), summing to 1; ``means`` mu (k, d), each strictly between 0 and 1."""
    weights: np.ndarray
    means: np.ndarray

    def __post_init__(self):
        w = checks.weights(self.weights)
        means = checks.as_array(self.means, "means", ndim=2)
        checks.same_k(len(w), "means", means)
        if means.shape[1] == 0:
            raise ValueError("means must have at least one dimension, got shape (k, 0)")
        outside = ~((means > 0) & (means < 1))
        if np.any(outside):
            j, d = np.argwhere(outside)[0]
            raise ValueError(
                f"means must lie strictly between 0 and 1 (a mean of 0 or 1 gives log 0 for data "
                f"that contradict it), got means[{j}, {d}] = {means[j, d]:.6g}; {_PRIOR_HINT}")
        checks.freeze(w, means)
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "means", means)

    @property
    def k(self):
        return len(self.weights)

    @property
    def d(self):
        return self.means.shape[1]


def check_x(x, name="x"):
    """Binary vectors as an (n, d) float array of 0s and 1s (bool arrays are accepted)."""
    if isinstance(x, np.ndarray) and x.dtype == bool:
        x = x.astype(float)
    arr = checks.as_array(x, name)
    if arr.ndim != 2:
        hint = " (for a single binary variable pass x[:, None])" if arr.ndim == 1 else ""
        raise ValueError(f"{name} must be 2-D with shape (n, d), got shape {arr.shape}{hint}")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one column, got shape {arr.shape}")
    not_binary = (arr != 0) & (arr != 1)
    if np.any(not_binary):
        i, d = np.argwhere(not_binary)[0]
        raise ValueError(f"{name} must hold binary values 0 or 1, got {name}[{i}, {d}] = {arr[i, d]:.6g}")
    return checks.nonempty(arr, name)


def log_joint(x, params):
    """``log p(x_i, z_i = j) = log pi_j + sum_d [x_id log mu_jd + (1 - x_id) log(1 - mu_jd)]``.

    Bishop eqs. 9.48, 9.54, written as two matrix products ``x log(mu)^T + (1 - x) log1p(-mu)^T``;
    no log 0 occurs because every mu_jd lies strictly between 0 and 1.  x (n, d) -> (n, k).
    """
    x, params = _check_pair(x, params)
    with np.errstate(divide="ignore"):
        log_pi = np.log(params.weights)
    return x @ np.log(params.means).T + (1 - x) @ np.log1p(-params.means).T + log_pi


def m_step(x, resp, *, beta_prior=None):
    """Closed-form maximiser of the expected complete log-likelihood (Bishop eqs. 9.59-9.60).

    ``N_j = sum_i r_ij``, ``mu_jd = sum_i r_ij x_id / N_j`` (the responsibility-weighted
    share of points with pixel d on), ``pi_j = N_j / N``.

    ``beta_prior=(a, b)``, a, b >= 1: MAP estimate under a ``Beta(a, b)`` prior on every
    mu_jd.  Maximising ``sum_i r_ij [x_id log mu + (1 - x_id) log(1 - mu)] + (a - 1) log mu
    + (b - 1) log(1 - mu)`` gives

        mu_jd = (sum_i r_ij x_id + a - 1) / (N_j + a + b - 2)

    which lies strictly between 0 and 1 when a, b > 1 (a = b = 1 is the flat prior: maximum
    likelihood).  Without such a prior a pixel that is 0 (or 1) in every point of a component
    gives mu_jd = 0 (or 1) and a CollapseError naming the component and the pixel.
    x (n, d), resp (n, k) (any non-negative weights) -> Params.
    """
    x = check_x(x)
    resp = checks.responsibilities(resp, len(x))
    nk = checks.component_totals(resp)
    a, b = (1.0, 1.0) if beta_prior is None else _check_beta_prior(beta_prior)
    means = (resp.T @ x + (a - 1)) / (nk + a + b - 2)[:, None]
    outside = ~((means > 0) & (means < 1))
    if np.any(outside):
        j, d = np.argwhere(outside)[0]
        value = "0" if means[j, d] <= 0 else "1"
        raise CollapseError(
            f"component {j} collapsed in pixel (dimension) {d}: x[:, {d}] is always {value} in the "
            f"points it is responsible for, so its mean mu[{j}, {d}] became {value} (log 0 for any "
            f"other point); {_PRIOR_HINT}", component=int(j))
    return Params(nk / nk.sum(), means)


def _check_beta_prior(prior):
    """``beta_prior = (a, b)``: two real numbers >= 1."""
    if not isinstance(prior, (tuple, list)) or len(prior) != 2:
        raise TypeError(f"beta_prior must be a pair (a, b), got {type(prior).__name__} {prior!r:.60}")
    a, b = (checks.real(v, f"beta_prior {name}") for v, name in zip(prior, "ab"))
    if not (a >= 1 and b >= 1):
        raise ValueError(f"beta_prior (a, b) must have a >= 1 and b >= 1 (a Beta prior whose "
                         f"mode lies in [0, 1]), got ({a}, {b})")
    return a, b


def sample(params, n, rng):
    """Draw n binary vectors: returns ``(x (n, d) ints 0/1, z (n,) component index)``."""
    params = checks.instance(params, Params, "params")
    n = checks.integer(n, "n", minimum=1)
    rng = checks.rng(rng)
    z = rng.choice(params.k, size=n, p=params.weights)
    return (rng.random((n, params.d)) < params.means[z]).astype(np.int64), z


def init_random(x, k, rng):
    """Random start as in Bishop 9.3.3: every mu_jd uniform in (0.25, 0.75), equal weights."""
    x, rng = check_x(x), checks.rng(rng)
    k = checks.component_count(k, len(x))
    return Params(np.full(k, 1 / k), rng.uniform(0.25, 0.75, size=(k, x.shape[1])))


def exercise_problems():
    """The fixed problems of ``emlab.exercises``' checkers: ``{name: (x, params)}``, typical first."""
    x = np.array([[1, 1, 0, 1], [0, 0, 1, 1], [0, 1, 1, 0], [1, 0, 0, 1],
                  [0, 1, 0, 1], [1, 0, 1, 0], [0, 0, 1, 0], [1, 1, 0, 1]])
    params = Params(weights=[0.4, 0.6], means=[[0.7, 0.6, 0.5, 0.3], [0.3, 0.4, 0.4, 0.8]])
    far = np.array([[0, 0, 1, 0], [1, 1, 0, 0], [1, 1, 1, 1]])    # p(x_far | theta_j) ~ 1e-400
    far_params = Params(weights=[0.4, 0.6], means=[[1e-200, 1e-200, 0.5, 0.5],
                                                   [0.5, 0.5, 1e-200, 1e-200]])
    return {"typical": (x, params), "a far point": (far, far_params)}


def _check_pair(x, params):
    x, params = check_x(x), checks.instance(params, Params, "params")
    if x.shape[1] != params.d:
        raise ValueError(f"x has d = {x.shape[1]} columns but params.means has d = {params.d}")
    return x, params
