"""Mixture of biased coins (Do & Batzoglou 2008).

Each set of tosses i tosses one of k coins m_i times; ``x[i] = [heads_i, tails_i]``, shape (n, 2).
Coin j is chosen with probability ``pi_j`` and lands heads with probability ``p_j``:

    p(x_i, z_i = j) = pi_j * C(m_i, h_i) * p_j**h_i * (1 - p_j)**t_i
"""
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln, xlog1py, xlogy

from . import checks
from .engines import DistinctValues, FastPath
from .errors import CollapseError


@dataclass(frozen=True, eq=False)
class Params:
    """``weights`` pi (k,), summing to 1; ``p`` (k,) heads probability of each coin, in [0, 1]."""
    weights: np.ndarray
    p: np.ndarray

    def __post_init__(self):
        w = checks.weights(self.weights)
        p = checks.as_array(self.p, "p", ndim=1)
        checks.same_k(len(w), "p", p)
        if np.any((p < 0) | (p > 1)):
            raise ValueError(f"p must lie in [0, 1], got {np.array2string(p, precision=5)}")
        checks.freeze(w, p)
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "p", p)

    @property
    def k(self):
        return len(self.weights)


def check_x(x, name="x"):
    """Sets of tosses as an (n, 2) int array ``[heads, tails]`` of non-negative counts."""
    x = checks.nonempty(checks.as_array(x, name, ndim=2, shape=(None, 2), integer=True), name)
    if np.any(x < 0):
        raise ValueError(f"{name} must hold non-negative counts [heads, tails], got a negative count")
    return x


def log_joint(x, params):
    """``log p(x_i, z_i = j) = log pi_j + log C(m_i, h_i) + h_i log p_j + t_i log(1 - p_j)``.

    x (n, 2) -> (n, k).  ``0 log 0 = 0``, so coins with p = 0 or 1 are allowed.
    """
    x = check_x(x)
    params = checks.instance(params, Params, "params")
    heads, tails = x[:, :1], x[:, 1:]
    log_choose = gammaln(heads + tails + 1) - gammaln(heads + 1) - gammaln(tails + 1)
    with np.errstate(divide="ignore"):
        log_pi = np.log(params.weights)
    return log_pi + log_choose + xlogy(heads, params.p) + xlog1py(tails, -params.p)


def m_step(x, resp):
    """Closed-form maximiser of the expected complete log-likelihood.

    ``pi_j = N_j / N`` and ``p_j = sum_i r_ij h_i / sum_i r_ij (h_i + t_i)``: the expected
    heads of coin j over its expected tosses.  x (n, 2), resp (n, k) -> Params.
    """
    x = check_x(x)
    resp = checks.responsibilities(resp, len(x))
    nk = checks.component_totals(resp)
    heads, tosses = resp.T @ x[:, 0], resp.T @ x.sum(axis=1)
    if np.any(tosses <= 0):
        j = int(np.argmin(tosses))
        raise CollapseError(f"component {j} was given only sets without tosses", component=j)
    return Params(nk / nk.sum(), heads / tosses)


def sample(params, n, rng, tosses=10):
    """Draw n sets of ``tosses`` tosses each: returns ``(x (n, 2) ints, z (n,) coin index)``."""
    params = checks.instance(params, Params, "params")
    n = checks.integer(n, "n", minimum=1)
    tosses = checks.integer(tosses, "tosses", minimum=1)
    rng = checks.rng(rng)
    z = rng.choice(params.k, size=n, p=params.weights)
    heads = rng.binomial(tosses, params.p[z])
    return np.column_stack([heads, tosses - heads]), z


def init_random(x, k, rng):
    """Random start: every bias p_j uniform in [0.05, 0.95] (one draw ``rng.uniform(0.05, 0.95, k)``),
    equal weights 1/k.  x (n, 2), k <= n -> Params."""
    x, rng = check_x(x), checks.rng(rng)
    k = checks.component_count(k, len(x))
    return Params(np.full(k, 1 / k), rng.uniform(0.05, 0.95, k))


def exercise_problems():
    """The fixed problems of ``emlab.exercises``' checkers: ``{name: (x, params)}``, typical first."""
    x = np.array([[5, 5], [9, 1], [8, 2], [4, 6], [7, 3], [3, 0], [0, 4], [6, 6]])
    params = Params(weights=[0.4, 0.6], p=[0.8, 0.45])
    far = np.array([[5, 5], [9, 1], [0, 4000]])              # 4000 tails: p(x | coin) < 1e-1000
    return {"typical": (x, params), "a far point": (far, params)}


# run_em's fast path for large n: the steps above over the distinct rows of x, weighted by
# how often each occurs (exact, as m_step is a responsibility-weighted sum).
fast_engine = FastPath(DistinctValues, log_joint, m_step)
manual_start = "theta"      # an explorer's manual start: a slider per coin bias (emlab.widgets.runs)
