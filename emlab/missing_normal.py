"""A multivariate normal with missing values: EM for incomplete data (the notebook uses d = 2).

Data: ``x`` (n, d) floats, ``NaN`` marking a missing entry (at least one value observed per
variable).  Model: every row ``x_i ~ N(mu, Sigma)``; the observed part ``o`` of a row is
``N(mu_o, Sigma_oo)``, so the incomplete-data log-likelihood is

    ell(mu, Sigma) = sum_i log N(x_{i,o} | mu_o, Sigma_oo)          (rows with nothing observed add 0).

E-step: for the missing part ``m`` of a row, given its observed part (the normal's conditional),

    E[x_m | x_o]            = mu_m + Sigma_mo Sigma_oo^{-1} (x_o - mu_o)
    Cov[x_m | x_o]          = Sigma_mm - Sigma_mo Sigma_oo^{-1} Sigma_om
    E[x x^T | x_o]          = E[x | x_o] E[x | x_o]^T + C_i,  C_i = Cov[x_m | x_o] in the (m, m) block

so for d = 2 with x2 missing: ``E[x2 | x1] = mu2 + (s12/s11)(x1 - mu1)`` and
``E[x2^2 | x1] = E[x2 | x1]^2 + s22 - s12^2/s11``.  The expected complete-data sufficient
statistics are ``sum_i E[x_i]`` and ``sum_i E[x_i x_i^T]`` (``Stats``).

M-step: the complete-data estimates with the expected statistics,
``mu = (1/n) sum_i E[x_i]``, ``Sigma = (1/n) sum_i E[x_i x_i^T] - mu mu^T``.

The model follows emlab's protocol for models that are not mixtures (``emlab.run_em`` drives
it): ``Params`` (``mean`` (d,), ``covariance`` (d, d)), ``check_x``,
``expected_stats(x, params) -> (Stats, ell)`` and ``m_step(x, stats) -> Params``.  Also:
``log_likelihood``, ``sample``, ``drop_at_random`` (values missing at random),
``start`` (observed means and variances) and ``factored_mle`` (the closed form for d = 2 with
only x2 missing: Anderson 1957).
"""
from dataclasses import dataclass

import numpy as np

from . import checks
from .errors import CollapseError

LOG_2PI = np.log(2 * np.pi)
# A covariance whose conditional variances (squared Cholesky pivots) fall below this times its
# largest variance is singular up to rounding.
SINGULAR_RTOL = 1e-12


@dataclass(frozen=True, eq=False)
class Params:
    """``mean`` mu (d,) and ``covariance`` Sigma (d, d), symmetric positive definite."""
    mean: np.ndarray
    covariance: np.ndarray

    def __post_init__(self):
        mean = checks.as_array(self.mean, "mean", ndim=1)
        if mean.size == 0:
            raise ValueError("mean must have at least one entry (d >= 1), got an empty array")
        d = mean.size
        cov = checks.as_array(self.covariance, "covariance", ndim=2, shape=(d, d))
        if not np.allclose(cov, cov.T, rtol=1e-10, atol=1e-12 * max(1.0, np.abs(cov).max())):
            raise ValueError("covariance must be symmetric, got "
                             f"{np.array2string(cov, precision=5)}")
        cov = (cov + cov.T) / 2
        try:
            pivots = np.diag(np.linalg.cholesky(cov)) ** 2       # conditional variances
        except np.linalg.LinAlgError:
            pivots = np.zeros(1)
        if pivots.min() <= SINGULAR_RTOL * np.diag(cov).max():
            raise ValueError("covariance must be positive definite (every variance > 0, "
                             f"|correlation| < 1), got {np.array2string(cov, precision=5)}")
        checks.freeze(mean, cov)
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "covariance", cov)

    @property
    def d(self):
        return len(self.mean)

    def __repr__(self):
        return (f"missing_normal.Params(mean={np.array2string(self.mean, precision=4)}, "
                f"covariance={np.array2string(self.covariance, precision=4, separator=', ')})")


@dataclass(frozen=True, eq=False)
class Stats:
    """What the E-step returns: ``filled`` (n, d), each row ``E[x_i | observed part]`` (the
    observed values kept, the missing ones replaced by their conditional means); ``outer``
    (d, d), ``sum_i E[x_i x_i^T | observed part]``.  ``sum_i E[x_i]`` is ``filled.sum(0)``."""
    filled: np.ndarray
    outer: np.ndarray

    def __post_init__(self):
        filled = checks.as_array(self.filled, "stats.filled", ndim=2)
        d = filled.shape[1]
        outer = checks.as_array(self.outer, "stats.outer", ndim=2, shape=(d, d))
        checks.freeze(filled, outer)
        object.__setattr__(self, "filled", filled)
        object.__setattr__(self, "outer", outer)


def check_x(x, name="x"):
    """x as a new (n, d) float array; NaN marks a missing value.  Raises for inf, for an
    empty array, and for a variable that is never observed."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be an (n, d) array of numbers, NaN for missing, got {type(x).__name__}")
    try:
        arr = np.array(x, dtype=float, copy=True)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an (n, d) array of numbers, NaN for missing ({exc})") from None
    if np.asarray(x).dtype == bool:
        raise TypeError(f"{name} must be an array of numbers, got dtype bool")
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D, (n, d): one row per unit, NaN for missing, "
                         f"got an array of shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one row and one column, got shape {arr.shape}")
    if np.any(np.isinf(arr)):
        raise ValueError(f"{name} must not contain inf (NaN marks a missing value)")
    never = np.all(np.isnan(arr), axis=0)
    if np.any(never):
        j = int(np.argmax(never))
        raise ValueError(f"{name}[:, {j}] is missing in every row: its mean and variance cannot be estimated")
    return arr


def _check(x, params, name="params"):
    x = check_x(x)
    if not isinstance(params, Params):
        raise TypeError(f"{name} must be a missing_normal.Params, got {type(params).__name__}")
    if params.d != x.shape[1]:
        raise ValueError(f"{name} has d = {params.d} variables but x has {x.shape[1]} columns")
    return x


def patterns(x):
    """The missingness patterns of x: ``[(observed (d,) bool, rows (r,) ints), ...]``, the
    patterns in the order of ``np.unique(observed, axis=0)``.  Each row's pattern is read as a
    binary number (its first column the highest bit), which sorts like the rows themselves and
    is much faster to sort than the rows (EM finds the patterns at every E-step)."""
    observed = ~np.isnan(x)
    if observed.shape[1] > 62:                        # too many columns for one int64
        kinds, inverse = np.unique(observed, axis=0, return_inverse=True)
        return [(kind, np.flatnonzero(inverse.ravel() == p)) for p, kind in enumerate(kinds)]
    codes = observed @ (1 << np.arange(observed.shape[1] - 1, -1, -1, dtype=np.int64))
    kinds, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    return [(observed[i], np.flatnonzero(inverse == p)) for p, i in enumerate(first)]


def expected_stats(x, params):
    """The E-step: ``(Stats, ell)``, the expected complete-data sufficient statistics under
    the conditional normal of the missing values given the observed ones (module docstring),
    and ``ell(mu, Sigma)`` at these parameters.  x (n, d) with NaN for missing."""
    x = _check(x, params)
    mu, cov = params.mean, params.covariance
    d = len(mu)
    filled = x.copy()
    outer = np.zeros((d, d))
    ell = 0.0
    for obs, rows in patterns(x):
        mis = ~obs
        xo = x[np.ix_(rows, obs)]                                   # (r, |o|)
        if obs.any():
            # log N(x_o | mu_o, Sigma_oo) by the Cholesky factor L of Sigma_oo: with
            # w = L^{-1} (x_o - mu_o), -(|o| log 2 pi + log det Sigma_oo + |w|^2) / 2.  L is
            # |o| x |o| (d at most), so its inverse is cheap; one product serves every row.
            lower = np.linalg.cholesky(cov[np.ix_(obs, obs)])
            inverse = np.linalg.inv(lower)                                    # lower triangular too
            centred = xo - mu[obs]
            white = centred @ inverse.T                                       # (r, |o|)
            log_det = 2 * np.log(np.diag(lower)).sum()
            ell += float(-0.5 * (len(rows) * (obs.sum() * LOG_2PI + log_det) + np.sum(white ** 2)))
        if mis.any():
            if obs.any():
                # Sigma_mo Sigma_oo^{-1} = (L^{-1} Sigma_om)^T L^{-1}
                gain = (inverse @ cov[np.ix_(obs, mis)]).T @ inverse          # (|m|, |o|)
                filled[np.ix_(rows, mis)] = mu[mis] + centred @ gain.T
                cond = cov[np.ix_(mis, mis)] - gain @ cov[np.ix_(obs, mis)]
            else:
                filled[np.ix_(rows, mis)] = mu[mis]
                cond = cov[np.ix_(mis, mis)]
            outer[np.ix_(mis, mis)] += len(rows) * cond
    outer += filled.T @ filled
    return Stats(filled, (outer + outer.T) / 2), ell


def m_step(x, stats):
    """The M-step: ``mu = (1/n) sum_i E[x_i]``, ``Sigma = (1/n) sum_i E[x_i x_i^T] - mu mu^T``.

    ``stats``: the ``Stats`` of ``expected_stats``.  Returns Params; raises CollapseError
    when Sigma is not positive definite (e.g. fewer rows than variables)."""
    x = check_x(x)
    if not isinstance(stats, Stats):
        raise TypeError(f"stats must be the missing_normal.Stats of expected_stats, got {type(stats).__name__}")
    if stats.filled.shape != x.shape:
        raise ValueError(f"stats.filled must have the shape of x {x.shape}, got {stats.filled.shape}")
    observed = ~np.isnan(x)
    if not np.array_equal(stats.filled[observed], x[observed]):
        raise ValueError("stats.filled must keep the observed values of x (it differs where x is observed)")
    n = len(x)
    mean = stats.filled.mean(axis=0)
    cov = stats.outer / n - np.outer(mean, mean)
    try:
        return Params(mean, (cov + cov.T) / 2)
    except ValueError:
        raise CollapseError("the covariance is not positive definite: too few rows, or variables "
                            "that are exact linear functions of each other", component=None) from None


def log_likelihood(x, params):
    """``ell(mu, Sigma) = sum_i log N(x_{i,o} | mu_o, Sigma_oo)`` over the observed parts.  A float."""
    return expected_stats(x, params)[1]


def start(x):
    """A start for EM: each variable's observed mean and variance, no correlation.  From it
    the first E-step fills each missing value with its variable's observed mean (mean
    imputation); the M-steps that follow learn the correlations."""
    x = check_x(x)
    mean, var = np.nanmean(x, axis=0), np.nanvar(x, axis=0)
    return Params(mean, np.diag(np.where(var > 0, var, 1.0)))


def sample(params, n, rng):
    """n complete rows drawn from ``N(mu, Sigma)``: (n, d)."""
    if not isinstance(params, Params):
        raise TypeError(f"params must be a missing_normal.Params, got {type(params).__name__}")
    n = checks.integer(n, "n", minimum=1)
    rng = checks.rng(rng)
    return rng.multivariate_normal(params.mean, params.covariance, size=n, method="cholesky")


def missing_probability(x1, intercept, slope):
    """``P(x2 missing | x1) = 1 / (1 + exp(-(intercept + slope x1)))``: missing at random (MAR),
    since it depends only on the always-observed x1."""
    x1 = checks.as_array(x1, "x1", ndim=1)
    return 1.0 / (1.0 + np.exp(-(checks.real(intercept, "intercept") + checks.real(slope, "slope") * x1)))


def drop_at_random(x, rng, intercept=0.0, slope=1.5):
    """A copy of complete data x (n, 2) with x2 set to NaN with probability
    ``missing_probability(x1, intercept, slope)``, independently per row (MAR)."""
    x = checks.as_array(x, "x", ndim=2, shape=(None, 2))
    rng = checks.rng(rng)
    missing = rng.random(len(x)) < missing_probability(x[:, 0], intercept, slope)
    x[missing, 1] = np.nan
    return x


def factored_mle(x):
    """The maximum-likelihood estimate in closed form for d = 2 with only x2 missing
    (Anderson 1957): mu1, s11 from every x1; the regression of x2 on x1 from the complete
    rows (x2 = a + b x1 + noise of variance v); then mu2 = a + b mu1, s12 = b s11,
    s22 = v + b^2 s11.  Returns Params."""
    x = check_x(x)
    if x.shape[1] != 2 or np.isnan(x[:, 0]).any():
        raise ValueError("factored_mle needs x (n, 2) with x1 always observed (only x2 missing)")
    complete = x[~np.isnan(x[:, 1])]
    if len(complete) < 3:
        raise ValueError(f"factored_mle needs at least 3 complete rows, got {len(complete)}")
    mu1, s11 = x[:, 0].mean(), x[:, 0].var()
    c1, c2 = complete[:, 0] - complete[:, 0].mean(), complete[:, 1] - complete[:, 1].mean()
    b = (c1 @ c2) / (c1 @ c1)
    a = complete[:, 1].mean() - b * complete[:, 0].mean()
    v = np.mean((c2 - b * c1) ** 2)
    return Params([mu1, a + b * mu1], [[s11, b * s11], [b * s11, v + b * b * s11]])
