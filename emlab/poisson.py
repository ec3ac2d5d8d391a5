"""Poisson mixture for counts.  x: (n,) non-negative ints.

    p(x_i, z_i = j) = pi_j * lambda_j**x_i * exp(-lambda_j) / x_i!
"""
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from . import checks
from .engines import DistinctValues, FastPath
from .errors import CollapseError


@dataclass(frozen=True, eq=False)
class Params:
    """``weights`` pi (k,), summing to 1; ``rates`` lambda (k,), > 0."""
    weights: np.ndarray
    rates: np.ndarray

    def __post_init__(self):
        w = checks.weights(self.weights)
        rates = checks.as_array(self.rates, "rates", ndim=1)
        checks.same_k(len(w), "rates", rates)
        if np.any(rates <= 0):
            raise ValueError(f"rates must be > 0, got {np.array2string(rates, precision=5)}")
        checks.freeze(w, rates)
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "rates", rates)

    @property
    def k(self):
        return len(self.weights)


def check_x(x, name="x"):
    """Counts as an (n,) int array of non-negative whole numbers."""
    x = checks.nonempty(checks.as_array(x, name, ndim=1, integer=True), name)
    if np.any(x < 0):
        raise ValueError(f"{name} must hold non-negative counts, got a negative value")
    return x


def log_joint(x, params):
    """``log p(x_i, z_i = j) = log pi_j + x_i log lambda_j - lambda_j - log x_i!``.  x (n,) -> (n, k)."""
    x = check_x(x)
    params = checks.instance(params, Params, "params")
    with np.errstate(divide="ignore"):
        log_pi = np.log(params.weights)
    xs = x[:, None]
    return log_pi + xs * np.log(params.rates) - params.rates - gammaln(xs + 1)


def m_step(x, resp):
    """Closed-form maximiser of the expected complete log-likelihood.

    Setting the derivative of ``sum_ij r_ij (x_i log lambda_j - lambda_j)`` to zero gives
    ``lambda_j = sum_i r_ij x_i / N_j`` (the responsibility-weighted mean count) and
    ``pi_j = N_j / N``, with ``N_j = sum_i r_ij``.  x (n,), resp (n, k) -> Params.
    """
    x = check_x(x)
    resp = checks.responsibilities(resp, len(x))
    nk = checks.component_totals(resp)
    rates = resp.T @ x / nk
    if np.any(rates <= 0):
        j = int(np.argmin(rates))
        raise CollapseError(f"component {j} collapsed onto zero counts: its rate became 0",
                            component=j)
    return Params(nk / nk.sum(), rates)


def sample(params, n, rng):
    """Draw n counts: returns ``(x (n,) ints, z (n,) component index)``."""
    params = checks.instance(params, Params, "params")
    n = checks.integer(n, "n", minimum=1)
    rng = checks.rng(rng)
    z = rng.choice(params.k, size=n, p=params.weights)
    return rng.poisson(params.rates[z]), z


def init_random(x, k, rng):
    """Random start: every rate lambda_j uniform between the smallest and the largest count (the
    range raised to at least [0.5, 1], so every rate is > 0; one draw
    ``rng.uniform(low, high, k)``), equal weights 1/k.  x (n,), k <= n -> Params."""
    x, rng = check_x(x), checks.rng(rng)
    k = checks.component_count(k, len(x))
    return Params(np.full(k, 1 / k), rng.uniform(max(x.min(), 0.5), max(x.max(), 1.0), k))


def exercise_problems():
    """The fixed problems of ``emlab.exercises``' checkers: ``{name: (x, params)}``, typical first."""
    x = np.array([3, 0, 1, 2, 5, 7, 9, 12])
    params = Params(weights=[0.3, 0.7], rates=[2.0, 8.0])
    return {"typical": (x, params), "a far point": (np.array([1, 4, 9, 400]), params)}  # Pois(400 | 8) ~ 1e-510


# run_em's fast path for large n: the steps above over the distinct rows of x, weighted by
# how often each occurs (exact, as m_step is a responsibility-weighted sum).
fast_engine = FastPath(DistinctValues, log_joint, m_step)
