"""The Gaussian mixture's fast path for ``run_em`` (``gaussian.fast_engine``): the same E- and
M-steps as ``gaussian.log_joint`` and ``gaussian.m_step``, as matrix products (both end in
``gaussian_params.from_moments``).

The Gaussian log-density is linear in the features ``T(x) = [1, x, x_a x_b]`` (an exponential
family), so all k log-densities of a chunk of rows are one matrix product ``eta T(x)`` and
all M-step statistics are another, ``resp^T T(x)`` (``N_j`` is summed from resp, which also
catches an empty component).  Which products ``x_a x_b`` are needed
depends on the covariances: all pairs ``a <= b`` (the upper triangle of ``x x^T``) for full
matrices, only the squares ``x_a^2`` when every precision is diagonal and the M-step keeps
only variances (``covariance_type`` "diag" or "spherical").  The features are made chunk by
chunk, a few thousand rows at a time, and never stored for all rows (at d = 10 they would
take 6.6 times the memory of the data).

Data are centred first, and stored transposed (one coordinate per row, as the features are);
a component far from the centre relative to its own spread (where
``E[x x^T] - mu mu^T`` would lose digits) is computed the textbook way on the uncentred data
(Cholesky density, mean, two-pass scatter) instead.  ``tests/test_engines.py`` checks that
every path agrees with the textbook steps.
"""
import numpy as np

from . import checks
from .gaussian_params import from_moments, log_density, scatter_matrix, singular_floor
from .model import labelled_posterior

_EPS = np.finfo(float).eps
# Squared Mahalanobis distance of the data centre from a component beyond which the
# expanded form loses more than ~1e-12 relative accuracy; such components take the
# textbook path.
FAR = 1e3
# Bytes of one chunk's data, features and responsibilities: small enough to stay in the L2
# cache (2 MiB per core where measured, benchmarks/bench_gmm.py: with 2 MiB chunks an
# E-step at d = 10 took 1.3 times as long) between the matrix products that read them,
# large enough that numpy's per-call overhead does not count.
CHUNK_BYTES = 7 * 2 ** 18
# Rows of the data transposed at a time (a whole (n, d) array at once takes 4 times as long,
# striding through all of it for every coordinate).
TRANSPOSE_ROWS = 512
# The M-step options under which only the variances (the squares x_a^2) are needed.
VARIANCES_ONLY = ("diag", "spherical")


class GaussianStats:
    """E-step and M-step statistics of the Gaussian mixture as matrix products, in chunks of rows."""

    def __init__(self, x, labels, chunk_bytes=CHUNK_BYTES):
        self.n, self.d = x.shape
        self.x = x
        # The centred data (d, n), one coordinate per row as in the features.
        self.centred = np.empty((self.d, self.n))
        for start in range(0, self.n, TRANSPOSE_ROWS):
            self.centred[:, start:start + TRANSPOSE_ROWS] = x[start:start + TRANSPOSE_ROWS].T
        self.shift = self.centred.mean(axis=1)
        self.centred -= self.shift[:, None]
        self.labels = labels
        self.floor = singular_floor(x)
        self.chunk_bytes = chunk_bytes
        # Whether the next M-step needs all products x_a x_b (unknown before the first one).
        self.needs_products = None

    def pairs(self, squares_only):
        """The products in ``T(x)``: ``(a, b)`` index arrays, the diagonals ``b = a + s`` of
        ``x x^T``'s upper triangle in turn (s = 0: the squares), or only the squares.

        A diagonal is one product of two blocks of rows, ``x[:d - s] * x[s:]``.
        """
        offsets = range(1 if squares_only else self.d)
        first = np.concatenate([np.arange(self.d - s) for s in offsets])
        return first, first + np.repeat(offsets, [self.d - s for s in offsets])

    def chunks(self, squares_only, k):
        """Yield ``(rows, T(x_rows))``: a slice of rows and their features (features, m), centred.

        As many rows as take ``chunk_bytes`` with their data and k responsibilities, at least 256.
        """
        d = self.d
        features = 1 + d + len(self.pairs(squares_only)[0])
        chunk = max(256, self.chunk_bytes // (8 * (d + features + k)))
        buffer = np.empty((features, min(chunk, self.n)))
        buffer[0] = 1.0
        for start in range(0, self.n, chunk):
            rows = slice(start, min(start + chunk, self.n))
            feats = buffer[:, :rows.stop - start]
            x = feats[1:1 + d]
            np.copyto(x, self.centred[:, rows])
            offset = 1 + d
            for s in range(1 if squares_only else d):    # diagonal s of x x^T: x_a x_{a+s}
                np.multiply(x[:d - s], x[s:], out=feats[offset:offset + d - s])
                offset += d - s
            yield rows, feats

    def natural(self, params, squares_only):
        """``eta`` (k, features) with ``log pi_j N(x | mu_j, Sigma_j) = eta_j^T T(x)``.

        Expanding the quadratic form with precision ``P = Sigma^{-1}`` and centred mean m:
        ``-1/2 x^T P x + (P m)^T x - 1/2 m^T P m - 1/2 log|2 pi Sigma| + log pi``, the
        coefficients of ``x_a x_b``, ``x`` and ``1``.
        With ``squares_only`` the precisions must be diagonal.  Also returns which
        components are far (see ``FAR``).
        """
        first, second = self.pairs(squares_only)
        m = params.means - self.shift
        chol_inv = np.linalg.inv(params.chol)
        precision = chol_inv.transpose(0, 2, 1) @ chol_inv
        linear = np.einsum("kij,kj->ki", precision, m)
        quadratic = -0.5 * precision[:, first, second] * np.where(first == second, 1.0, 2.0)
        maha = np.einsum("ki,ki->k", m, linear)
        log_det = 2 * np.log(np.diagonal(params.chol, axis1=1, axis2=2)).sum(axis=1)
        with np.errstate(divide="ignore"):
            const = np.log(params.weights) - 0.5 * (self.d * np.log(2 * np.pi) + log_det + maha)
        return np.column_stack([const, linear, quadratic]), maha > FAR

    def e_step(self, params):
        """-> ((resp (n, k), sum_i r_ij T(x_i) (k, features), squares_only), objective).

        The squares suffice when every covariance is diagonal and the last M-step kept only
        variances (before the first M-step: when the covariances are diagonal).
        """
        cov = params.covariances
        diagonal = np.array_equal(cov, np.diagonal(cov, axis1=1, axis2=2)[:, :, None] * np.eye(self.d))
        squares_only = diagonal and not self.needs_products
        eta, far = self.natural(params, squares_only)
        far = np.flatnonzero(far)
        # Column-major (n, k) arrays: reductions over the k components of each row then run
        # over contiguous memory, which is many times faster for small k.
        resp = np.empty((self.n, params.k), order="F")
        stats = np.zeros(eta.shape)
        objective = 0.0
        for rows, feats in self.chunks(squares_only, params.k):
            block = resp[rows]                          # log p(x_i, z_i = j), then r_ij in place
            np.matmul(eta, feats, out=block.T)
            for j in far:
                block[:, j] = (np.log(params.weights[j])
                               + log_density(self.x[rows], params.means[j], params.chol[j]))
            labels = None if self.labels is None else self.labels[rows]
            _, rows_objective = labelled_posterior(block, labels, np.arange(rows.start, rows.stop),
                                                   out=block)
            objective += rows_objective.sum()
            stats += block.T @ feats.T
        return (resp, stats, squares_only), float(objective)

    def products(self, resp):
        """``sum_i r_ij T(x_i)`` with all products x_a x_b: (k, 1 + d + d(d+1)/2)."""
        stats = np.zeros((resp.shape[1], 1 + self.d + self.d * (self.d + 1) // 2))
        for rows, feats in self.chunks(False, resp.shape[1]):
            stats += resp[rows].T @ feats.T
        return stats

    def m_step(self, state, **options):
        """Bishop eqs. 9.24-9.27 from ``N_j``, ``sum r x`` and ``sum r x x^T`` (centred).

        From squares only (diagonal statistics) when ``covariance_type`` is "diag" or
        "spherical", which read only the variances; otherwise the products are summed now
        if the E-step left them out.
        """
        resp, stats, squares_only = state
        self.needs_products = options.get("covariance_type", "full") not in VARIANCES_ONLY
        if squares_only and self.needs_products and self.d > 1:
            stats, squares_only = self.products(resp), False
        first, second = self.pairs(squares_only)
        nk = checks.component_totals(resp) + 10 * _EPS
        means = stats[:, 1:1 + self.d] / nk[:, None]
        moments = np.zeros((len(nk), self.d, self.d))
        moments[:, first, second] = stats[:, 1 + self.d:]
        moments[:, second, first] = stats[:, 1 + self.d:]
        scatter = moments - nk[:, None, None] * means[:, :, None] * means[:, None, :]
        if squares_only:                        # the products x_a x_b, a != b, were not summed
            scatter *= np.eye(self.d)
        smallest = smallest_eigenvalue_bound(scatter / nk[:, None, None])
        exact = np.sum(means ** 2, axis=1) < FAR * smallest    # also False when it is 0
        means = means + self.shift
        for j in np.flatnonzero(~exact):
            means[j] = resp[:, j] @ self.x / nk[j]
            scatter[j] = scatter_matrix(self.x, resp[:, j], means[j])
        return from_moments(nk, means, scatter, self.floor, **options)

    def point_resp(self, state):
        return state[0]


def smallest_eigenvalue_bound(matrices):
    """A lower bound on the smallest eigenvalue of each symmetric (k, d, d) matrix, without an
    eigendecomposition (``from_moments`` makes the M-step's one): for ``A = L L^T``,
    ``lambda_min(A) = 1 / |L^{-1}|_2^2 >= 1 / |L^{-1}|_F^2``, at most d times too small.
    0 where the Cholesky factorisation fails (not numerically positive definite)."""
    try:
        inverse = np.linalg.inv(np.linalg.cholesky(matrices))
    except np.linalg.LinAlgError:           # not every one is positive definite: one at a time
        if len(matrices) == 1:
            return np.zeros(1)
        return np.concatenate([smallest_eigenvalue_bound(matrix[None]) for matrix in matrices])
    with np.errstate(over="ignore"):        # a nearly singular one: a bound of 0
        return 1 / np.sum(inverse ** 2, axis=(1, 2))
