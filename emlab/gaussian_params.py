"""The Gaussian mixture's parameters, and the formulas that both of its engines use: the
textbook steps (``emlab.gaussian``) and the fast path (``emlab.gaussian_stats``).

    Params                          weights, means, covariances (checked), and computed once
                                    from each covariance: its Cholesky factor and eigendecomposition
    log_density(x, mean, chol)      log N(x | mu, L L^T), through the Cholesky factor
    scatter_matrix(x, r, mean)      S = sum_i r_i (x_i - mu)(x_i - mu)^T
    from_moments(nk, means, scatter, floor, ...)   the M-step's Params from its statistics
    singular_floor(x)               the eigenvalue below which a covariance of x is singular

``emlab.gaussian`` exports all of them as the model's own.
"""
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import solve_triangular

from . import checks
from .errors import CollapseError

_EPS = np.finfo(float).eps
COVARIANCE_TYPES = ("full", "diag", "spherical", "tied")


@dataclass(frozen=True, eq=False)
class Params:
    """``weights`` pi (k,); ``means`` mu (k, d); ``covariances`` Sigma (k, d, d), symmetric positive definite.

    Computed once, when the covariances are checked: ``chol`` (k, d, d), the lower Cholesky
    factors ``L_j`` (``Sigma_j = L_j L_j^T``), and the eigendecomposition
    ``Sigma_j = V_j diag(lambda_j) V_j^T``: ``eigenvalues`` (k, d) lambda_j in ascending order
    and ``eigenvectors`` (k, d, d), the columns of V_j (an ellipse's axes: ``emlab.plot``).
    """
    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    chol: np.ndarray = field(init=False, repr=False)
    eigenvalues: np.ndarray = field(init=False, repr=False)
    eigenvectors: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        self._check()

    @classmethod
    def _decomposed(cls, weights, means, covariances, eigh):
        """Params from symmetric covariances that the caller has already decomposed,
        ``eigh = np.linalg.eigh(covariances)`` (``from_moments``): checked as any Params,
        without decomposing them a second time."""
        params = cls.__new__(cls)
        for name, value in (("weights", weights), ("means", means), ("covariances", covariances)):
            object.__setattr__(params, name, value)
        params._check(eigh)
        return params

    def _check(self, eigh=None):
        w = checks.weights(self.weights)
        k = len(w)
        means = checks.as_array(self.means, "means", ndim=2)
        checks.same_k(k, "means", means)
        d = means.shape[1]
        if d == 0:
            raise ValueError("means must have at least one dimension, got shape (k, 0)")
        cov = checks.as_array(self.covariances, "covariances", ndim=3, shape=(k, d, d))
        names = [f"covariances[{j}]" for j in range(k)]
        cov = _symmetric(cov, names)
        eigenvalues, eigenvectors = np.linalg.eigh(cov) if eigh is None else eigh
        not_positive = ~(eigenvalues[:, 0] > 0)
        if np.any(not_positive):
            j = int(np.argmax(not_positive))
            raise ValueError(f"{names[j]} must be positive definite, but its smallest eigenvalue "
                             f"is {eigenvalues[j, 0]:.3g}")
        chol = _cholesky(cov, names, eigenvalues[:, 0])
        fields = {"weights": w, "means": means, "covariances": cov, "chol": chol,
                  "eigenvalues": eigenvalues, "eigenvectors": eigenvectors}
        checks.freeze(*fields.values())
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    @property
    def k(self):
        return len(self.weights)

    @property
    def d(self):
        return self.means.shape[1]


def _symmetric(matrices, names):
    """Symmetric (m, d, d) matrices, symmetrised exactly: ``(A + A^T) / 2``; a ValueError naming
    (``names[j]``) the first that differs from its transpose by more than rounding."""
    asymmetry = np.abs(matrices - matrices.transpose(0, 2, 1)).max(axis=(1, 2))
    bad = asymmetry > 1e-8 * np.abs(matrices).max(axis=(1, 2))
    if np.any(bad):
        j = int(np.argmax(bad))
        raise ValueError(f"{names[j]} must be symmetric, but differs from its transpose by {asymmetry[j]:.3g}")
    return (matrices + matrices.transpose(0, 2, 1)) / 2


def _cholesky(matrices, names, smallest=None):
    """Lower Cholesky factors of symmetric (m, d, d) matrices, or a ValueError naming the first
    that is not numerically positive definite (``smallest``: their smallest eigenvalues, if known)."""
    try:
        return np.linalg.cholesky(matrices)
    except np.linalg.LinAlgError:
        pass
    for j, matrix in enumerate(matrices):             # which one failed
        try:
            np.linalg.cholesky(matrix)
        except np.linalg.LinAlgError:
            eigenvalue = "" if smallest is None else f"smallest eigenvalue {smallest[j]:.3g}, "
            raise ValueError(f"{names[j]} must be positive definite, but its Cholesky factorisation "
                             f"failed ({eigenvalue}largest entry {np.abs(matrix).max():.3g})") from None


def log_density(x, mean, chol):
    """``log N(x_i | mu, L L^T) = -1/2 (d log 2 pi + |y_i|^2) - sum log diag L``, ``y_i = L^{-1}(x_i - mu)``.

    x (n, d), mean (d,), chol (d, d) lower -> (n,).
    """
    y = solve_triangular(chol, (x - mean).T, lower=True)
    return -0.5 * (len(mean) * np.log(2 * np.pi) + np.sum(y * y, axis=0)) - np.sum(np.log(np.diag(chol)))


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

    Each covariance is eigendecomposed once (the shared one under "tied" once in all): the
    decomposition that finds the singular ones is the one the Params keep.
    """
    covariance_type = _check_covariance_type(covariance_type)
    reg_covar = checks.real(reg_covar, "reg_covar", minimum=0)
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
    cov = cov + reg_covar * np.eye(d)
    cov = (cov + cov.transpose(0, 2, 1)) / 2
    eig, vectors = np.linalg.eigh(cov)
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
    if covariance_type == "tied":             # the one matrix, once per component
        cov, eig, vectors = (np.repeat(a, k, axis=0) for a in (cov, eig, vectors))
    return Params._decomposed(nk / nk.sum(), means, cov, (eig, vectors))


def _check_covariance_type(covariance_type):
    if not isinstance(covariance_type, str):
        raise TypeError(f"covariance_type must be a string, got {type(covariance_type).__name__}")
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(f"covariance_type must be one of {', '.join(map(repr, COVARIANCE_TYPES))}, "
                         f"got {covariance_type!r:.60}")
    return covariance_type


def _check_covariance_prior(prior, d):
    """``covariance_prior = (psi, nu)``: psi (d, d) symmetric positive definite, nu > d - 1.

    Checked at every M-step, so without an eigendecomposition: positive definite is a
    Cholesky factorisation that succeeds."""
    if not isinstance(prior, (tuple, list)) or len(prior) != 2:
        raise TypeError(f"covariance_prior must be a pair (psi, nu), "
                        f"got {type(prior).__name__} {prior!r:.60}")
    psi = checks.as_array(prior[0], "covariance_prior psi", ndim=2, shape=(d, d))
    names = ["covariance_prior psi"]
    psi = _symmetric(psi[None], names)
    _cholesky(psi, names)
    nu = checks.real(prior[1], "covariance_prior nu")
    if not nu > d - 1:
        raise ValueError(f"covariance_prior nu (degrees of freedom) must be > d - 1 = {d - 1}, got {nu}")
    return psi[0], nu


def singular_floor(x):
    """Eigenvalue at or below which a covariance of data x counts as singular.

    Values of x carry a relative rounding error of ``eps``; a standard deviation below about
    ``1000 eps max|x|`` cannot be told from zero: the density there is a spike of rounding error.
    """
    return (1e3 * _EPS * np.max(np.abs(x))) ** 2
