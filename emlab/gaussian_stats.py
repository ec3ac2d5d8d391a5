"""The Gaussian mixture's fast path for ``run_em`` (``gaussian.fast_engine``): the same E- and
M-steps as ``gaussian.log_joint`` and ``gaussian.m_step``, as matrix products.

The Gaussian log-density is linear in the features ``T(x) = [1, x, x x^T]`` (an exponential
family), so all k log-densities of a chunk of rows are one matrix product ``T(x) @ eta`` and
all M-step statistics are another, ``resp^T T(x)``.  Data are centred first; a component far
from the centre relative to its own spread (where ``E[x x^T] - mu mu^T`` would lose digits)
is computed the textbook way on the uncentred data (Cholesky density, mean, two-pass
scatter) instead.  ``tests/test_engines.py`` checks that both paths agree.
"""
import numpy as np

from . import _checks, gaussian
from .engines import labelled_posterior

_EPS = np.finfo(float).eps
# Squared Mahalanobis distance of the data centre from a component beyond which the
# expanded form loses more than ~1e-12 relative accuracy; such components take the
# textbook path.
FAR = 1e3
# Largest number of feature values (8 bytes each) kept between iterations.
KEEP_FEATURES = 2 ** 23


class GaussianStats:
    """E-step and M-step statistics of the Gaussian mixture as matrix products, in chunks of rows."""

    def __init__(self, x, labels, chunk_bytes=2 ** 19):
        self.n, self.d = x.shape
        self.x = x                          # the textbook path reads the data uncentred
        self.shift = x.mean(axis=0)
        self.xc = x - self.shift
        self.labels = labels
        self.floor = gaussian.singular_floor(x)
        self.upper = np.triu_indices(self.d)
        n_features = self.d + len(self.upper[0])
        self.chunk = max(256, chunk_bytes // (8 * n_features))
        # T(x) of all rows is computed once when it is small enough to keep.
        self.feats = self.features(self.xc) if self.n * n_features <= KEEP_FEATURES else None

    def features(self, xc):
        """``T(x) = [x, upper triangle of x x^T]`` for centred rows xc (m, d) -> (m, d + d(d+1)/2).

        Stored column-major so that a block of rows is a matrix BLAS reads without copying.
        """
        columns = xc.T.copy()
        return np.vstack([columns, columns[self.upper[0]] * columns[self.upper[1]]]).T

    def natural(self, params):
        """``eta`` (features, k) and constant (k,) with ``log pi_j N(x | mu_j, Sigma_j) = T(x) eta_j + c_j``.

        Expanding the quadratic form with precision ``P = Sigma^{-1}`` and centred mean m:
        ``-1/2 x^T P x + (P m)^T x - 1/2 m^T P m - 1/2 log|2 pi Sigma| + log pi``.
        """
        m = params.means - self.shift
        chol_inv = np.linalg.inv(params.chol)
        precision = chol_inv.transpose(0, 2, 1) @ chol_inv
        linear = np.einsum("kij,kj->ki", precision, m)
        off_diagonal = np.where(self.upper[0] == self.upper[1], 1.0, 2.0)
        quadratic = -0.5 * precision[:, self.upper[0], self.upper[1]] * off_diagonal
        maha = np.einsum("ki,ki->k", m, linear)
        log_det = 2 * np.log(np.diagonal(params.chol, axis1=1, axis2=2)).sum(axis=1)
        with np.errstate(divide="ignore"):
            const = np.log(params.weights) - 0.5 * (self.d * np.log(2 * np.pi) + log_det + maha)
        return np.vstack([linear.T, quadratic.T]), const, maha > FAR

    def e_step(self, params):
        """-> ((resp (n, k), N_j, sum_i r_ij T(x_i)), objective)."""
        eta, const, far = self.natural(params)
        far = np.flatnonzero(far)
        k = params.k
        # Column-major (n, k) arrays: reductions over the k components of each row then run
        # over contiguous memory, which is many times faster for small k.
        resp = np.empty((self.n, k), order="F")
        stats = np.zeros((k, eta.shape[0]))
        objective = 0.0
        for start in range(0, self.n, self.chunk):
            rows = slice(start, start + self.chunk)
            feats = self.features(self.xc[rows]) if self.feats is None else self.feats[rows]
            log_joint = (eta.T @ feats.T + const[:, None]).T
            for j in far:
                log_joint[:, j] = (np.log(params.weights[j])
                                   + gaussian.log_density(self.x[rows], params.means[j], params.chol[j]))
            labels = None if self.labels is None else self.labels[rows]
            resp[rows], rows_objective = labelled_posterior(log_joint, labels,
                                                            np.arange(self.n)[rows])
            objective += rows_objective.sum()
            stats += resp[rows].T @ feats
        return (resp, stats), float(objective)

    def m_step(self, state, **options):
        """Bishop eqs. 9.24-9.27 from ``N_j``, ``sum r x`` and ``sum r x x^T`` (centred)."""
        resp, stats = state
        nk = _checks.component_totals(resp) + 10 * _EPS
        means = stats[:, :self.d] / nk[:, None]
        second = np.empty((len(nk), self.d, self.d))
        second[:, self.upper[0], self.upper[1]] = stats[:, self.d:]
        second[:, self.upper[1], self.upper[0]] = stats[:, self.d:]
        scatter = second - nk[:, None, None] * means[:, :, None] * means[:, None, :]
        eig = np.linalg.eigvalsh(scatter / nk[:, None, None])
        exact = np.sum(means ** 2, axis=1) < FAR * eig[:, 0]   # also False when eig <= 0
        means = means + self.shift
        for j in np.flatnonzero(~exact):
            means[j] = resp[:, j] @ self.x / nk[j]
            scatter[j] = gaussian.scatter_matrix(self.x, resp[:, j], means[j])
        return gaussian.from_moments(nk, means, scatter, self.floor, **options)

    def point_resp(self, state):
        return state[0]
