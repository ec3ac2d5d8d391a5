"""Gaussian mixture.  x: (n, d) floats.

    p(x_i, z_i = j) = pi_j * N(x_i | mu_j, Sigma_j)

``Params`` always holds full covariance matrices; the M-step option ``covariance_type``
("full", "diag", "spherical", "tied", as scikit-learn) constrains the shape they take.

Densities are evaluated in the log domain through the Cholesky factor
``Sigma_j = L_j L_j^T``: ``log N = -1/2 (d log 2 pi + |L_j^{-1}(x - mu_j)|^2) - sum log diag L_j``.

``Params``, ``log_density``, ``scatter_matrix``, ``from_moments`` and ``singular_floor`` are
defined in ``emlab.gaussian_params``, which the fast path (``emlab.gaussian_stats``) shares.
"""
import numpy as np

from . import checks
from .engines import FastPath
from .gaussian_params import Params, from_moments, log_density, scatter_matrix, singular_floor
from .gaussian_stats import GaussianStats

_EPS = np.finfo(float).eps


def check_x(x, name="x"):
    """Points as an (n, d) float array (for 1-D data pass ``x[:, None]``)."""
    arr = checks.as_array(x, name)
    if arr.ndim != 2:
        hint = " (for 1-D data pass x[:, None])" if arr.ndim == 1 else ""
        raise ValueError(f"{name} must be 2-D with shape (n, d), got shape {arr.shape}{hint}")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one column, got shape {arr.shape}")
    return checks.nonempty(arr, name)


def log_joint(x, params):
    """``log p(x_i, z_i = j) = log pi_j + log N(x_i | mu_j, Sigma_j)``.  x (n, d) -> (n, k)."""
    x, params = _check_pair(x, params)
    with np.errstate(divide="ignore"):
        log_pi = np.log(params.weights)
    return log_pi + np.column_stack([log_density(x, params.means[j], params.chol[j])
                                     for j in range(params.k)])


def m_step(x, resp, *, covariance_type="full", reg_covar=0.0, covariance_prior=None):
    """Closed-form maximiser of the expected complete log-likelihood (Bishop eqs. 9.24-9.27).

    ``N_j = sum_i r_ij``, ``mu_j = sum_i r_ij x_i / N_j``,
    ``Sigma_j = sum_i r_ij (x_i - mu_j)(x_i - mu_j)^T / N_j``, ``pi_j = N_j / N``.
    Options (see ``from_moments``): ``covariance_type`` ("full", "diag", "spherical" or
    "tied": the shape the covariances are constrained to), ``reg_covar`` (a covariance floor)
    and ``covariance_prior=(psi, nu)`` (MAP covariances under an inverse-Wishart prior).
    x (n, d), resp (n, k) -> Params.
    """
    x = check_x(x)
    resp = checks.responsibilities(resp, len(x))
    nk = checks.component_totals(resp) + 10 * _EPS   # as scikit-learn: no 0/0 for a nearly empty component
    means = resp.T @ x / nk[:, None]
    scatter = np.stack([scatter_matrix(x, resp[:, j], means[j]) for j in range(resp.shape[1])])
    return from_moments(nk, means, scatter, singular_floor(x), covariance_type=covariance_type,
                        reg_covar=reg_covar, covariance_prior=covariance_prior)


def sample(params, n, rng):
    """Draw n points: returns ``(x (n, d), z (n,) component index)``."""
    params = checks.instance(params, Params, "params")
    n = checks.integer(n, "n", minimum=1)
    rng = checks.rng(rng)
    z = rng.choice(params.k, size=n, p=params.weights)
    noise = rng.standard_normal((n, params.d))
    return params.means[z] + np.einsum("nij,nj->ni", params.chol[z], noise), z


def init_random(x, k, rng):
    """Random start: k distinct data points as means, the data covariance for each, equal weights."""
    x, k, rng = check_x(x), checks.component_count(k, len(x)), checks.rng(rng)
    means = x[rng.choice(len(x), size=k, replace=False)]
    cov = np.atleast_2d(np.cov(x, rowvar=False, bias=True))
    cov = cov + max(singular_floor(x), 1e-12 * np.trace(cov)) * np.eye(x.shape[1])
    return Params(np.full(k, 1 / k), means, np.repeat(cov[None], k, axis=0))


def init_kmeans(x, k, rng, max_iter=100):
    """k-means start: k-means++ seeding, Lloyd's iterations, then one M-step on the hard labels.

    A tiny ridge (1e-6 of the average data variance) keeps a one-point cluster's covariance
    positive definite.  k-means needs at least k distinct points (one per centre).
    """
    x, k, rng = check_x(x), checks.component_count(k, len(x)), checks.rng(rng)
    distinct = len(np.unique(x, axis=0))
    if distinct < k:
        raise ValueError(f"x has only {distinct} distinct point(s), fewer than the k = {k} components, "
                         f"so k-means cannot give every component its own points; use k <= {distinct}, "
                         "or start from init_random(x, k, rng) and run EM with reg_covar > 0")
    centres = x[[rng.integers(len(x))]]
    for _ in range(1, k):                       # k-means++: next centre with prob ~ squared distance
        dist2 = ((x[:, None, :] - centres[None]) ** 2).sum(-1).min(axis=1)
        probs = dist2 / dist2.sum() if dist2.sum() > 0 else np.full(len(x), 1 / len(x))
        centres = np.vstack([centres, x[rng.choice(len(x), p=probs)]])
    labels = None
    for _ in range(max_iter):                   # Lloyd: assign to the nearest centre, move centres
        new = ((x[:, None, :] - centres[None]) ** 2).sum(-1).argmin(axis=1)
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
        for j in range(k):
            if np.any(labels == j):
                centres[j] = x[labels == j].mean(axis=0)
    ridge = 1e-6 * np.mean(np.var(x, axis=0)) + singular_floor(x)
    return m_step(x, np.eye(k)[labels], reg_covar=ridge)


def exercise_problems():
    """The fixed problems of ``emlab.exercises``' checkers: ``{name: (x, params)}``, typical first."""
    x = np.array([[-2.1, -1.0], [-1.6, -2.2], [-2.8, -1.5], [-0.9, -0.4],
                  [1.2, 0.8], [2.0, 1.9], [1.4, 2.6], [2.7, 1.1]])
    params = Params([0.35, 0.65], [[-1.8, -1.2], [1.6, 1.5]],
                    [[[0.6, 0.2], [0.2, 0.5]], [[0.8, -0.3], [-0.3, 1.0]]])
    far = np.array([[-2.1, -1.0], [1.2, 0.8], [40.0, -40.0]])
    x1 = np.array([[-1.5], [-0.7], [0.2], [1.9], [2.4], [3.1]])        # d = 1: variance vs sd
    params1 = Params([0.45, 0.55], [[-1.0], [2.5]], [[[0.5]], [[0.8]]])
    return {"typical": (x, params), "a far point": (far, params), "d = 1": (x1, params1)}


def _check_pair(x, params):
    x, params = check_x(x), checks.instance(params, Params, "params")
    if x.shape[1] != params.d:
        raise ValueError(f"x has d = {x.shape[1]} columns but params.means has d = {params.d}")
    return x, params


def _gaussian_stats(model, x, labels):
    return GaussianStats(x, labels)


# run_em's fast path for large n: log_joint and m_step above as matrix products (emlab.engines).
fast_engine = FastPath(_gaussian_stats, log_joint, m_step)
manual_start = "means"      # an explorer's manual start: sliders for the means (emlab.widgets.runs)
