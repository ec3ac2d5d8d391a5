"""Gaussian mixture.  x: (n, d) floats.

    p(x_i, z_i = j) = pi_j * N(x_i | mu_j, Sigma_j)

``Params`` always holds full covariance matrices; the M-step option ``covariance_type``
("full", "diag", "spherical", "tied", as scikit-learn) constrains the shape they take.

Densities are evaluated in the log domain through the Cholesky factor
``Sigma_j = L_j L_j^T``: ``log N = -1/2 (d log 2 pi + |L_j^{-1}(x - mu_j)|^2) - sum log diag L_j``.
"""
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import solve_triangular

from . import _checks
from .errors import CollapseError

_EPS = np.finfo(float).eps


@dataclass(frozen=True, eq=False)
class Params:
    """``weights`` pi (k,); ``means`` mu (k, d); ``covariances`` Sigma (k, d, d), symmetric positive definite.

    ``chol`` (k, d, d) holds the lower Cholesky factors ``L_j`` of the covariances.
    """
    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    chol: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        w = _checks.weights(self.weights)
        k = len(w)
        means = _checks.as_array(self.means, "means", ndim=2)
        _checks.same_k(k, "means", means)
        d = means.shape[1]
        if d == 0:
            raise ValueError("means must have at least one dimension, got shape (k, 0)")
        cov = _checks.as_array(self.covariances, "covariances", ndim=3, shape=(k, d, d))
        chol = np.empty_like(cov)
        for j in range(k):
            cov[j], chol[j] = _symmetric_positive_definite(cov[j], f"covariances[{j}]")
        _checks.freeze(w, means, cov, chol)
        for name, value in (("weights", w), ("means", means), ("covariances", cov), ("chol", chol)):
            object.__setattr__(self, name, value)

    @property
    def k(self):
        return len(self.weights)

    @property
    def d(self):
        return self.means.shape[1]


def check_x(x, name="x"):
    """Points as an (n, d) float array (for 1-D data pass ``x[:, None]``)."""
    arr = _checks.as_array(x, name)
    if arr.ndim != 2:
        hint = " (for 1-D data pass x[:, None])" if arr.ndim == 1 else ""
        raise ValueError(f"{name} must be 2-D with shape (n, d), got shape {arr.shape}{hint}")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one column, got shape {arr.shape}")
    return _checks.nonempty(arr, name)


def log_density(x, mean, chol):
    """``log N(x_i | mu, L L^T) = -1/2 (d log 2 pi + |y_i|^2) - sum log diag L``, ``y_i = L^{-1}(x_i - mu)``.

    x (n, d), mean (d,), chol (d, d) lower -> (n,).
    """
    y = solve_triangular(chol, (x - mean).T, lower=True)
    return -0.5 * (len(mean) * np.log(2 * np.pi) + np.sum(y * y, axis=0)) - np.sum(np.log(np.diag(chol)))


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
    resp = _checks.responsibilities(resp, len(x))
    nk = _checks.component_totals(resp) + 10 * _EPS   # as scikit-learn: no 0/0 for a nearly empty component
    means = resp.T @ x / nk[:, None]
    scatter = np.stack([scatter_matrix(x, resp[:, j], means[j]) for j in range(resp.shape[1])])
    return from_moments(nk, means, scatter, singular_floor(x), covariance_type=covariance_type,
                        reg_covar=reg_covar, covariance_prior=covariance_prior)


def scatter_matrix(x, r, mean):
    """``S = sum_i r_i (x_i - mu)(x_i - mu)^T``: x (n, d), r (n,), mean (d,) -> (d, d)."""
    diff = x - mean
    return (r[:, None] * diff).T @ diff


def from_moments(nk, means, scatter, floor, *, covariance_type="full", reg_covar=0.0,
                 covariance_prior=None):
    """Params from the M-step statistics: ``pi_j = N_j / N`` and the covariances below.

    nk (k,) ``N_j``, means (k, d) ``mu_j``, scatter (k, d, d) ``S_j = sum_i r_ij (x_i - mu_j)(x_i - mu_j)^T``.

    Maximum likelihood (default): ``Sigma_j = S_j / N_j + reg_covar I``; ``reg_covar`` > 0 is
    added to the covariance diagonals as scikit-learn does.

    ``covariance_type`` maximises the same objective over constrained covariances, as
    scikit-learn's ``GaussianMixture(covariance_type=...)`` (the returned matrices are full):

        "full"       Sigma_j = S_j / N_j                    any symmetric positive definite matrix
        "diag"       Sigma_j = diag(S_j / N_j)              axis-aligned ellipsoids
        "spherical"  Sigma_j = mean(diag(S_j / N_j)) I      spheres, sigma_j^2 = tr(S_j) / (d N_j)
        "tied"       Sigma_j = sum_l S_l / sum_l N_l        one matrix shared by every component

    each plus ``reg_covar I``.

    ``covariance_prior=(psi, nu)``: MAP estimate under an inverse-Wishart prior
    ``Sigma_j ~ IW(psi, nu)`` on each covariance (psi (d, d) symmetric positive definite,
    degrees of freedom ``nu > d - 1``; flat prior on the means, so ``mu_j`` is unchanged).
    Maximising ``-(N_j + nu + d + 1)/2 log|Sigma_j| - 1/2 tr((psi + S_j) Sigma_j^{-1})`` gives

        Sigma_j = (psi + S_j) / (N_j + nu + d + 1)        (+ reg_covar I if also given)

    which stays positive definite however few points a component holds.  Under "diag" and
    "spherical" the constrained maximiser is again the diagonal (the mean of the diagonal) of
    this matrix; under "tied" the one shared covariance has the prior once:
    ``(psi + sum_l S_l) / (sum_l N_l + nu + d + 1)``.

    A covariance is singular (CollapseError names the component, or the shared matrix under
    "tied") when its smallest
    eigenvalue is not above ``floor`` (see ``singular_floor``) or not above
    ``100 d^1.5 eps`` times its largest one: that smaller eigenvalue is lost in the rounding
    of the sums, and a Cholesky factorisation is only guaranteed below that condition number
    (Demmel's bound ``20 d^1.5 kappa u < 1``).
    """
    covariance_type = _check_covariance_type(covariance_type)
    reg_covar = _checks.real(reg_covar, "reg_covar", minimum=0)
    k, d = means.shape
    counts = nk
    if covariance_type == "tied":
        counts, scatter = nk.sum(keepdims=True), scatter.sum(axis=0, keepdims=True)
    if covariance_prior is None:
        cov = scatter / counts[:, None, None]
    else:
        psi, nu = _check_covariance_prior(covariance_prior, d)
        cov = (psi + scatter) / (counts + nu + d + 1)[:, None, None]
    variances = np.diagonal(cov, axis1=1, axis2=2)
    if covariance_type == "diag":
        cov = variances[:, :, None] * np.eye(d)
    elif covariance_type == "spherical":
        cov = variances.mean(axis=1)[:, None, None] * np.eye(d)
    cov = np.broadcast_to(cov, (k, d, d)) + reg_covar * np.eye(d)
    cov = (cov + cov.transpose(0, 2, 1)) / 2
    eig = np.linalg.eigvalsh(cov)
    singular = ~(eig[:, 0] > np.maximum(floor, 100 * d ** 1.5 * _EPS * eig[:, -1]))
    if np.any(singular):
        j = int(np.argmax(singular))
        remedy = "use reg_covar > 0, a covariance prior, or restart"
        if covariance_type == "tied":
            raise CollapseError(
                f"the shared covariance (covariance_type 'tied') became singular (eigenvalues from "
                f"{eig[0, 0]:.3g} to {eig[0, -1]:.3g}, from all {counts[0]:.3g} points): the data "
                f"span fewer than d = {d} dimensions; {remedy}", component=None)
        raise CollapseError(
            f"component {j} collapsed: its covariance became singular (eigenvalues from "
            f"{eig[j, 0]:.3g} to {eig[j, -1]:.3g}, N_{j} = {nk[j]:.3g} points); {remedy}", component=j)
    return Params(nk / nk.sum(), means, cov)


COVARIANCE_TYPES = ("full", "diag", "spherical", "tied")


def _check_covariance_type(covariance_type):
    if not isinstance(covariance_type, str):
        raise TypeError(f"covariance_type must be a string, got {type(covariance_type).__name__}")
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(f"covariance_type must be one of {', '.join(map(repr, COVARIANCE_TYPES))}, "
                         f"got {covariance_type!r:.60}")
    return covariance_type


def _check_covariance_prior(prior, d):
    """``covariance_prior = (psi, nu)``: psi (d, d) symmetric positive definite, nu > d - 1."""
    if not isinstance(prior, (tuple, list)) or len(prior) != 2:
        raise TypeError(f"covariance_prior must be a pair (psi, nu), "
                        f"got {type(prior).__name__} {prior!r:.60}")
    psi = _checks.as_array(prior[0], "covariance_prior psi", ndim=2, shape=(d, d))
    psi, _ = _symmetric_positive_definite(psi, "covariance_prior psi")
    nu = _checks.real(prior[1], "covariance_prior nu")
    if not nu > d - 1:
        raise ValueError(f"covariance_prior nu (degrees of freedom) must be > d - 1 = {d - 1}, got {nu}")
    return psi, nu


def _symmetric_positive_definite(matrix, name):
    """Check a (d, d) matrix is symmetric positive definite -> (symmetrised copy, lower Cholesky factor)."""
    asym = np.abs(matrix - matrix.T).max()
    if asym > 1e-8 * np.abs(matrix).max():
        raise ValueError(f"{name} must be symmetric, but differs from its transpose by {asym:.3g}")
    matrix = (matrix + matrix.T) / 2
    eig_min = np.linalg.eigvalsh(matrix)[0]
    if not eig_min > 0:
        raise ValueError(f"{name} must be positive definite, but its smallest eigenvalue is {eig_min:.3g}")
    try:
        return matrix, np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        raise ValueError(f"{name} must be positive definite, but it is numerically singular (smallest "
                         f"eigenvalue {eig_min:.3g}, largest entry {np.abs(matrix).max():.3g}): "
                         "its Cholesky factorisation failed") from None


def singular_floor(x):
    """Eigenvalue at or below which a covariance of data x counts as singular.

    Values of x carry a relative rounding error of ``eps``; a standard deviation below about
    ``1000 eps max|x|`` cannot be told from zero: the density there is a spike of rounding error.
    """
    return (1e3 * _EPS * np.max(np.abs(x))) ** 2


def sample(params, n, rng):
    """Draw n points: returns ``(x (n, d), z (n,) component index)``."""
    params = _check_params(params)
    n = _checks.integer(n, "n", minimum=1)
    rng = _checks.rng(rng)
    z = rng.choice(params.k, size=n, p=params.weights)
    noise = rng.standard_normal((n, params.d))
    return params.means[z] + np.einsum("nij,nj->ni", params.chol[z], noise), z


def init_random(x, k, rng):
    """Random start: k distinct data points as means, the data covariance for each, equal weights."""
    x, k, rng = check_x(x), _checks.component_count(k, len(x)), _checks.rng(rng)
    means = x[rng.choice(len(x), size=k, replace=False)]
    cov = np.atleast_2d(np.cov(x, rowvar=False, bias=True))
    cov = cov + max(singular_floor(x), 1e-12 * np.trace(cov)) * np.eye(x.shape[1])
    return Params(np.full(k, 1 / k), means, np.repeat(cov[None], k, axis=0))


def init_kmeans(x, k, rng, max_iter=100):
    """k-means start: k-means++ seeding, Lloyd's iterations, then one M-step on the hard labels.

    A tiny ridge (1e-6 of the average data variance) keeps a one-point cluster's covariance
    positive definite.  k-means needs at least k distinct points (one per centre).
    """
    x, k, rng = check_x(x), _checks.component_count(k, len(x)), _checks.rng(rng)
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


def _check_params(params):
    if not isinstance(params, Params):
        raise TypeError(f"params must be emlab.gaussian.Params, got {type(params).__name__}")
    return params


def _check_pair(x, params):
    x, params = check_x(x), _check_params(params)
    if x.shape[1] != params.d:
        raise ValueError(f"x has d = {x.shape[1]} columns but params.means has d = {params.d}")
    return x, params


def _gaussian_stats(model, x, labels):
    from .gaussian_stats import GaussianStats       # imported late: it builds on this module
    return GaussianStats(x, labels)


# run_em's fast path for large n: log_joint and m_step above as matrix products (emlab.engines).
from .engines import FastPath  # noqa: E402  (engines does not import this module)
fast_engine = FastPath(_gaussian_stats, log_joint, m_step)
