"""What every mixture shares, written once on top of a model's ``log_joint``.

A *model* is one of the modules ``emlab.coins``, ``emlab.poisson``,
``emlab.gaussian``: each provides ``Params``, ``check_x``, ``log_joint`` and
``m_step``.  Everything here works for any of them.

Notation: ``n`` points, ``k`` components, ``log_joint[i, j] = log p(x_i, z_i = j | theta)
= log pi_j + log p(x_i | theta_j)``.
"""
import types

import numpy as np

from . import _checks

_MODEL_PARTS = ("Params", "check_x", "log_joint", "m_step", "sample")


def check_model(model):
    """Raise TypeError unless ``model`` is an emlab model module (e.g. ``emlab.gaussian``)."""
    if not isinstance(model, types.ModuleType) or not all(hasattr(model, a) for a in _MODEL_PARTS):
        raise TypeError(
            "model must be an emlab model module (emlab.coins, emlab.poisson or emlab.gaussian), "
            f"got {type(model).__name__} {model!r:.60}")
    return model


def check_params(model, params, name="params"):
    if not isinstance(params, model.Params):
        raise TypeError(f"{name} must be {model.__name__}.Params, got {type(params).__name__}")
    return params


def posterior(log_joint):
    """E-step from a log joint: ``r_ij = exp(log p(x_i, z=j) - log p(x_i))`` (Bishop eq. 9.23).

    ``log p(x_i) = logsumexp_j log p(x_i, z=j)`` is computed in the log domain so that
    points far from every component do not underflow to 0/0.
    Returns ``(resp (n, k), log_px (n,))``.
    """
    top = np.max(log_joint, axis=1)
    if not np.all(np.isfinite(top)):
        i = int(np.argmin(np.isfinite(top)))
        raise ValueError(
            f"x[{i}] has zero probability under every component (log p(x_i, z) = -inf for all z); "
            "check that the parameters allow the data (e.g. a coin bias of exactly 0 or 1)")
    with np.errstate(under="ignore"):
        unnorm = np.exp(log_joint - top[:, None])
    total = unnorm.sum(axis=1)
    return unnorm / total[:, None], top + np.log(total)


def e_step(model, x, params):
    """Responsibilities ``r_ij = p(z_i = j | x_i, theta)`` and ``log p(x_i | theta)``.

    Shapes: x as the model expects, n points; returns ``(resp (n, k), log_px (n,))``.
    """
    return posterior(check_model(model).log_joint(x, params))


def log_likelihood(model, x, params):
    """Incomplete-data log-likelihood ``sum_i log sum_j pi_j p(x_i | theta_j)`` (Bishop eq. 9.14)."""
    return float(np.sum(e_step(model, x, params)[1]))


def elbo(model, x, params, q):
    """Evidence lower bound ``L(q, theta) = sum_i sum_j q_ij (log p(x_i, z=j) - log q_ij)`` (Bishop eq. 9.71).

    ``q`` (n, k): one distribution over components per point.  Terms with ``q_ij = 0``
    contribute 0 (the convention 0 log 0 = 0).
    """
    log_joint = check_model(model).log_joint(x, params)
    q = _checks.probabilities(q, "q", shape=log_joint.shape)
    support = q > 0                       # terms with q_ij = 0 contribute 0
    return float(np.sum(q[support] * (log_joint[support] - np.log(q[support]))))


def kl(q, p):
    """``sum_i KL(q_i || p_i) = sum_i sum_j q_ij log(q_ij / p_ij)`` (Bishop eq. 9.72), >= 0.

    ``q``, ``p``: (n, k) rows of distributions over components.  Infinite when some
    ``p_ij = 0`` where ``q_ij > 0``.
    """
    q = _checks.probabilities(q, "q")
    p = _checks.probabilities(p, "p", shape=q.shape)
    if np.any((p == 0) & (q > 0)):
        return float("inf")
    support = q > 0                       # terms with q_ij = 0 contribute 0 log 0 = 0
    return float(np.sum(q[support] * (np.log(q[support]) - np.log(p[support]))))
