"""Genetic linkage (Dempster, Laird & Rubin 1977, sec. 1): EM for a model that is not a mixture.

Observed: ``x = (y1, y2, y3, y4)``, (4,) counts of four phenotypes (DLR's example:
``(125, 18, 20, 34)``), multinomial with cell probabilities

    p(theta) = (1/2 + theta/4, (1 - theta)/4, (1 - theta)/4, theta/4),      0 < theta < 1.

Complete data: the first cell split into two latent cells of probabilities 1/2 and theta/4,
``y1 = u1 + u2``; the complete counts ``u = (u1, u2, y2, y3, y4)`` (5,) are multinomial with

    q(theta) = (1/2, theta/4, (1 - theta)/4, (1 - theta)/4, theta/4).

Their log-likelihood ``(u2 + y4) log theta + (y2 + y3) log(1 - theta) + const`` is that of
``u2 + y4`` successes in ``u2 + y2 + y3 + y4`` Bernoulli trials, so

    E-step   u2 = E[u2 | y, theta] = y1 (theta/4) / (1/2 + theta/4) = y1 theta / (2 + theta)
             (u2 | y1 is binomial(y1, theta / (2 + theta)))
    M-step   theta = (u2 + y4) / (u2 + y2 + y3 + y4).

The model follows emlab's protocol for models that are not mixtures (``emlab.run_em`` drives
it): ``Params`` (``theta``), ``check_x``, ``expected_stats(x, params) -> (u (5,), ell)`` and
``m_step(x, u) -> Params``.  Also here: the closed-form maximum-likelihood estimate ``mle``
(root of ``n theta^2 - (y1 - 2 y2 - 2 y3 - y4) theta - 2 y4 = 0``; DLR: ``197 theta^2 - 15
theta - 68 = 0``), and the information about theta (Louis 1982):

    observed_information   I_obs(theta) = -d^2 ell / d theta^2
                                        = y1/(2 + theta)^2 + (y2 + y3)/(1 - theta)^2 + y4/theta^2
    complete_information   I_c = E[-d^2 log p(u | theta) / d theta^2 | y]
                               = (u2 + y4)/theta^2 + (y2 + y3)/(1 - theta)^2
    missing_information    I_m = Var[d log p(u | theta) / d theta | y] = Var[u2 | y] / theta^2
    louis_information      I_c - I_m, which equals I_obs at every theta (Louis' formula)
    rate                   1 - I_obs / I_c = I_m / I_c at the MLE: EM's linear rate, the
                           fraction of the information that is missing (DLR 1977, sec. 3)
"""
from dataclasses import dataclass
from numbers import Real

import numpy as np
from scipy.special import gammaln

from . import checks

#: Dempster, Laird & Rubin's counts (197 animals).
DLR_COUNTS = np.array([125, 18, 20, 34])
#: The start DLR's table 1 iterates from.
DLR_START = 0.5
#: Names of the complete-data cells, in the order of ``expected_stats``'s counts.
COMPLETE_CELLS = ("u1 (1/2)", "u2 (theta/4)", "y2", "y3", "y4")


@dataclass(frozen=True, eq=False)
class Params:
    """``theta``, the linkage parameter: a float with 0 < theta < 1."""
    theta: float

    def __post_init__(self):
        theta = _check_theta(self.theta, "theta")
        object.__setattr__(self, "theta", theta)

    def __repr__(self):
        return f"linkage.Params(theta={self.theta!r})"


def _check_theta(theta, name="theta"):
    if isinstance(theta, np.ndarray) and theta.ndim == 0:
        theta = theta.item()
    if isinstance(theta, bool) or not isinstance(theta, Real):
        raise TypeError(f"{name} must be a real number, got {type(theta).__name__} {theta!r:.60}")
    theta = float(theta)
    if not 0.0 < theta < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1 (a cell probability theta/4 "
                         f"or (1 - theta)/4 would be 0), got {theta!r}")
    return theta


def _theta(params_or_theta):
    if isinstance(params_or_theta, Params):
        return params_or_theta.theta
    return _check_theta(params_or_theta)


def check_x(x, name="x"):
    """The four observed counts ``(y1, y2, y3, y4)`` as a new (4,) int array, or a clear error."""
    y = checks.as_array(x, name, ndim=1, integer=True)
    if y.shape != (4,):
        raise ValueError(f"{name} must hold the 4 counts (y1, y2, y3, y4) of the four phenotypes, "
                         f"got {y.shape[0]} values")
    if np.any(y < 0):
        raise ValueError(f"{name} must hold non-negative counts, got {y.tolist()}")
    if y.sum() == 0:
        raise ValueError(f"{name} must hold at least one observation, got all zeros")
    return y


def cell_probabilities(theta):
    """``p(theta)`` (4,): ``(1/2 + theta/4, (1 - theta)/4, (1 - theta)/4, theta/4)``."""
    theta = _theta(theta)
    return np.array([0.5 + theta / 4, (1 - theta) / 4, (1 - theta) / 4, theta / 4])


def complete_probabilities(theta):
    """``q(theta)`` (5,): the first cell split into 1/2 and theta/4."""
    theta = _theta(theta)
    return np.array([0.5, theta / 4, (1 - theta) / 4, (1 - theta) / 4, theta / 4])


def log_likelihood(x, params):
    """``ell(theta) = log p(y | theta)``, the multinomial log-probability of the counts
    (``log n! - sum_k log y_k! + sum_k y_k log p_k(theta)``).  x (4,) -> float."""
    y = check_x(x)
    p = cell_probabilities(_theta(params))
    return float(gammaln(y.sum() + 1) - gammaln(y + 1).sum() + y @ np.log(p))


def expected_stats(x, params):
    """The E-step: ``(u, ell)``.

    ``u`` (5,): the expected complete counts ``E[(u1, u2, y2, y3, y4) | y, theta]``, with
    ``u2 = y1 theta / (2 + theta)`` and ``u1 = y1 - u2`` (the sufficient statistics of the
    complete data); ``ell``: the log-likelihood ``log p(y | theta)`` at these parameters.
    """
    y = check_x(x)
    theta = _theta(params)
    u2 = y[0] * theta / (2 + theta)
    counts = np.array([y[0] - u2, u2, y[1], y[2], y[3]], dtype=float)
    return counts, log_likelihood(y, theta)


def m_step(x, stats):
    """The M-step: ``theta = (u2 + y4) / (u2 + y2 + y3 + y4)`` from the expected complete
    counts ``stats`` (5,) of ``expected_stats``.  Returns Params."""
    y = check_x(x)
    u = checks.as_array(stats, "stats", ndim=1, shape=(5,))
    if np.any(u < 0):
        raise ValueError(f"stats must be expected counts (non-negative), got {np.round(u, 6).tolist()}")
    if not np.isclose(u[0] + u[1], y[0], rtol=1e-9, atol=1e-9) or not np.array_equal(u[2:], y[1:]):
        raise ValueError("stats must be the expected complete counts (u1, u2, y2, y3, y4) of these x: "
                         f"u1 + u2 = {u[0] + u[1]:.6g} should be y1 = {y[0]} and the last three "
                         f"{u[2:].tolist()} should be {y[1:].tolist()}")
    theta_cells, other_cells = u[1] + u[4], u[2] + u[3]
    if theta_cells == 0 or other_cells == 0:
        raise ValueError(f"theta would be {0 if theta_cells == 0 else 1}, on the edge of the parameter "
                         "space: the counts put no weight on the theta cells (u2 + y4 = 0) or on the "
                         "(1 - theta) cells (y2 + y3 = 0), so the maximum-likelihood estimate is at the "
                         "boundary and EM cannot reach it")
    return Params(theta_cells / (theta_cells + other_cells))


def em_map(x, theta):
    """One EM iteration as a function of theta: ``M(theta)``, the M-step after the E-step at theta."""
    return m_step(x, expected_stats(x, theta)[0]).theta


def mle(x=DLR_COUNTS):
    """The maximum-likelihood estimate of theta in closed form.

    Setting ``d ell / d theta = y1/(2 + theta) - (y2 + y3)/(1 - theta) + y4/theta = 0`` and
    multiplying by ``theta (2 + theta) (1 - theta)`` gives the quadratic
    ``n theta^2 - b theta - 2 y4 = 0`` with ``b = y1 - 2 y2 - 2 y3 - y4``; its one root in
    [0, 1] is ``(b + sqrt(b^2 + 8 n y4)) / (2 n)`` (for DLR's counts ``197 theta^2 - 15 theta
    - 68 = 0``, theta = 0.6268).  It is 0 or 1 when the counts put the maximum on the boundary.
    """
    y = check_x(x)
    n, b = y.sum(), y[0] - 2 * y[1] - 2 * y[2] - y[3]
    return float(np.clip((b + np.sqrt(b * b + 8.0 * n * y[3])) / (2.0 * n), 0.0, 1.0))


def observed_information(x, theta):
    """``I_obs(theta) = -ell''(theta) = y1/(2 + theta)^2 + (y2 + y3)/(1 - theta)^2 + y4/theta^2``."""
    y = check_x(x)
    theta = _theta(theta)
    return float(y[0] / (2 + theta) ** 2 + (y[1] + y[2]) / (1 - theta) ** 2 + y[3] / theta ** 2)


def complete_information(x, theta):
    """The expected complete-data information ``I_c(theta) = E[-d^2 log p(u | theta)/d theta^2 | y, theta]
    = (u2 + y4)/theta^2 + (y2 + y3)/(1 - theta)^2``, u2 from the E-step at theta."""
    y = check_x(x)
    theta = _theta(theta)
    u2 = y[0] * theta / (2 + theta)
    return float((u2 + y[3]) / theta ** 2 + (y[1] + y[2]) / (1 - theta) ** 2)


def missing_information(x, theta):
    """The missing information ``I_m(theta) = Var[complete score | y, theta] = Var[u2 | y1] / theta^2``,
    with ``u2 | y1`` binomial(y1, theta/(2 + theta))."""
    y = check_x(x)
    theta = _theta(theta)
    share = theta / (2 + theta)
    return float(y[0] * share * (1 - share) / theta ** 2)


def louis_information(x, theta):
    """Louis' formula: ``I_obs = I_c - I_m`` (complete minus missing information).  A float."""
    return complete_information(x, theta) - missing_information(x, theta)


def rate(x, theta=None):
    """EM's linear rate near the MLE, ``1 - I_obs / I_c = I_m / I_c`` (the fraction of missing
    information), at ``theta`` (default: the MLE)."""
    theta = mle(x) if theta is None else theta
    return 1.0 - observed_information(x, theta) / complete_information(x, theta)


def standard_error(x, theta=None):
    """``1 / sqrt(I_obs)`` at ``theta`` (default: the MLE)."""
    theta = mle(x) if theta is None else theta
    return float(1.0 / np.sqrt(observed_information(x, theta)))


def sample(params, n, rng):
    """Draw n animals: ``(y (4,) counts, u (5,) complete counts)``."""
    theta = _theta(params)
    n = checks.integer(n, "n", minimum=1)
    rng = checks.rng(rng)
    u = rng.multinomial(n, complete_probabilities(theta))
    return np.array([u[0] + u[1], u[2], u[3], u[4]]), u
