"""What every mixture shares, written once on top of its ``log_joint``.

A mixture is a model (see ``emlab.model``) with one latent component z_i in {0, ..., k-1}
per point:

    Params                      the class of a parameter set; an instance has ``weights``
                                pi (k,) and ``k`` (``run_em(learn_weights=False)`` also
                                needs it to be a dataclass)
    check_x(x)                  x as the model takes it (a new array), or a clear error
    log_joint(x, params)        (n, k) ``log p(x_i, z_i = j | theta)``
    m_step(x, resp, **options)  the Params that maximise ``sum_ij r_ij log p(x_i, z_i = j | theta)``

Its E-step is derived from ``log_joint`` once for every mixture (``emlab.model.posterior``):
the stats its M-step takes are the responsibilities ``r_ij``.  ``emlab.coins``,
``emlab.poisson``, ``emlab.gaussian`` and ``emlab.bernoulli`` are mixtures.

Notation: ``n`` points, ``k`` components, ``log_joint[i, j] = log p(x_i, z_i = j | theta)
= log pi_j + log p(x_i | theta_j)``.
"""
import numpy as np

from . import checks
from .model import check_params, expected_stats, posterior, require_mixture


def e_step(model, x, params):
    """Responsibilities ``r_ij = p(z_i = j | x_i, theta)`` and ``log p(x_i | theta)`` of a mixture.

    Shapes: x as the model expects, n points; returns ``(resp (n, k), log_px (n,))``.
    """
    return posterior(_log_joint(model, x, params, "e_step"))


def log_likelihood(model, x, params):
    """The incomplete-data log-likelihood ``l(theta) = log p(x | theta)`` of any model: for a
    mixture ``sum_i log sum_j pi_j p(x_i | theta_j)`` (Bishop eq. 9.14), for any other model
    what its E-step (``expected_stats``) gives."""
    return expected_stats(model, x, params)[1]


def elbo(model, x, params, q):
    """Evidence lower bound ``L(q, theta) = sum_i sum_j q_ij (log p(x_i, z=j) - log q_ij)`` (Bishop eq. 9.71).

    ``q`` (n, k): one distribution over components per point.  Terms with ``q_ij = 0``
    contribute 0 (the convention 0 log 0 = 0).
    """
    log_joint = _log_joint(model, x, params, "elbo")
    q = checks.probabilities(q, "q", shape=log_joint.shape)
    support = q > 0                       # terms with q_ij = 0 contribute 0
    return float(np.sum(q[support] * (log_joint[support] - np.log(q[support]))))


def _log_joint(model, x, params, what):
    model = require_mixture(model, what)
    return model.log_joint(model.check_x(x), check_params(model, params))


def kl(q, p):
    """``sum_i KL(q_i || p_i) = sum_i sum_j q_ij log(q_ij / p_ij)`` (Bishop eq. 9.72), >= 0.

    ``q``, ``p``: (n, k) rows of distributions over components.  Infinite when some
    ``p_ij = 0`` where ``q_ij > 0``.  When q and p are equal up to rounding (rows that each
    sum to 1 only within an ulp) the sum can come out a few ulps below 0: that is 0.
    """
    q = checks.probabilities(q, "q")
    p = checks.probabilities(p, "p", shape=q.shape)
    if np.any((p == 0) & (q > 0)):
        return float("inf")
    support = q > 0                       # terms with q_ij = 0 contribute 0 log 0 = 0
    return max(0.0, float(np.sum(q[support] * (np.log(q[support]) - np.log(p[support])))))
