"""What every mixture shares, written once on top of a model's ``log_joint``.

A *model* is any object with these parts: a module (``emlab.coins``, ``emlab.poisson``,
``emlab.gaussian``, ``emlab.bernoulli``), a class, or a ``types.SimpleNamespace`` built in a
notebook cell.

    Params                      the class of a parameter set; an instance has ``weights``
                                pi (k,) and ``k`` (``run_em(learn_weights=False)`` also
                                needs it to be a dataclass)
    check_x(x)                  x as the model takes it (a new array), or a clear error
    log_joint(x, params)        (n, k) ``log p(x_i, z_i = j | theta)``
    m_step(x, resp, **options)  the Params that maximise ``sum_ij r_ij log p(x_i, z_i = j | theta)``

and, optionally (the driver does not need them):

    sample(params, n, rng)      ``(x, z)``: n points and their components
    fast_engine(model, x, labels)   an engine for ``run_em``'s fast path, or None (see
                                ``emlab.engines``)

A model draws in ``emlab.widgets`` through a view registered for its Params
(``emlab.widgets.register_view``).

Notation: ``n`` points, ``k`` components, ``log_joint[i, j] = log p(x_i, z_i = j | theta)
= log pi_j + log p(x_i | theta_j)``.
"""
import numpy as np

from . import _checks

REQUIRED_PARTS = ("Params", "check_x", "log_joint", "m_step")


def check_model(model):
    """Raise TypeError unless ``model`` has the parts of a mixture model (see the module docstring)."""
    missing = [part for part in REQUIRED_PARTS if not hasattr(model, part)]
    if missing:
        raise TypeError(
            "model must be a mixture model: an object (module, class or namespace) with "
            f"{', '.join(REQUIRED_PARTS)} (see emlab.mixture); got {type(model).__name__} "
            f"{model!r:.60}, which has no {', '.join(missing)}")
    if not isinstance(model.Params, type):
        raise TypeError(f"model.Params must be the class of the model's parameter sets, "
                        f"got {type(model.Params).__name__}")
    for part in REQUIRED_PARTS[1:]:
        if not callable(getattr(model, part)):
            raise TypeError(f"model.{part} must be a function, got {type(getattr(model, part)).__name__}")
    return model


def model_name(model):
    """A model's name for messages: the module's name (``emlab.gaussian``), else its type's."""
    return getattr(model, "__name__", None) or type(model).__name__


def check_params(model, params, name="params"):
    if not isinstance(params, model.Params):
        cls = model.Params
        raise TypeError(f"{name} must be the model's Params ({cls.__module__}.{cls.__qualname__}), "
                        f"got {type(params).__name__}")
    return params


def posterior(log_joint, rows=None, out=None):
    """E-step from a log joint: ``r_ij = exp(log p(x_i, z=j) - log p(x_i))`` (Bishop eq. 9.23).

    ``log p(x_i) = logsumexp_j log p(x_i, z=j)`` is computed in the log domain so that
    points far from every component do not underflow to 0/0.
    Returns ``(resp (n, k), log_px (n,))``.  A row with zero probability under every
    component is a ValueError naming ``x[i]``: ``i`` is ``rows[row]`` when the log joint
    holds only some of the caller's rows (``rows`` (n,)), else the row itself.
    ``out`` (n, k): where to write resp, which may be ``log_joint`` itself (a fast engine's
    E-step, to save a copy); by default a new array.
    """
    top = np.max(log_joint, axis=1)
    if not np.all(np.isfinite(top)):
        i = int(np.argmin(np.isfinite(top)))
        i = i if rows is None else int(rows[i])
        raise ValueError(
            f"x[{i}] has zero probability under every component (log p(x_i, z) = -inf for all z); "
            "check that the parameters allow the data (e.g. a coin bias of exactly 0 or 1)")
    resp = np.subtract(log_joint, top[:, None], out=out)
    with np.errstate(under="ignore"):
        np.exp(resp, out=resp)
    total = resp.sum(axis=1)
    resp /= total[:, None]
    return resp, top + np.log(total)


def e_step(model, x, params):
    """Responsibilities ``r_ij = p(z_i = j | x_i, theta)`` and ``log p(x_i | theta)``.

    Shapes: x as the model expects, n points; returns ``(resp (n, k), log_px (n,))``.
    """
    return posterior(_log_joint(model, x, params))


def log_likelihood(model, x, params):
    """Incomplete-data log-likelihood ``sum_i log sum_j pi_j p(x_i | theta_j)`` (Bishop eq. 9.14)."""
    return float(np.sum(e_step(model, x, params)[1]))


def elbo(model, x, params, q):
    """Evidence lower bound ``L(q, theta) = sum_i sum_j q_ij (log p(x_i, z=j) - log q_ij)`` (Bishop eq. 9.71).

    ``q`` (n, k): one distribution over components per point.  Terms with ``q_ij = 0``
    contribute 0 (the convention 0 log 0 = 0).
    """
    log_joint = _log_joint(model, x, params)
    q = _checks.probabilities(q, "q", shape=log_joint.shape)
    support = q > 0                       # terms with q_ij = 0 contribute 0
    return float(np.sum(q[support] * (log_joint[support] - np.log(q[support]))))


def _log_joint(model, x, params):
    model = check_model(model)
    return model.log_joint(model.check_x(x), check_params(model, params))


def kl(q, p):
    """``sum_i KL(q_i || p_i) = sum_i sum_j q_ij log(q_ij / p_ij)`` (Bishop eq. 9.72), >= 0.

    ``q``, ``p``: (n, k) rows of distributions over components.  Infinite when some
    ``p_ij = 0`` where ``q_ij > 0``.  When q and p are equal up to rounding (rows that each
    sum to 1 only within an ulp) the sum can come out a few ulps below 0: that is 0.
    """
    q = _checks.probabilities(q, "q")
    p = _checks.probabilities(p, "p", shape=q.shape)
    if np.any((p == 0) & (q > 0)):
        return float("inf")
    support = q > 0                       # terms with q_ij = 0 contribute 0 log 0 = 0
    return max(0.0, float(np.sum(q[support] * (np.log(q[support]) - np.log(p[support])))))
