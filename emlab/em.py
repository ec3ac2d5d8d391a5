"""The EM loop, written once for every mixture model."""
import inspect
import warnings
from dataclasses import dataclass, field, replace

import numpy as np

from . import _checks
from .engines import engine_for
from .errors import CollapseError, ConvergenceWarning
from .mixture import check_model, check_params

# Keep every iteration's responsibilities while n is at most this (steppers need them).
KEEP_ALL_RESP_UP_TO = 20_000


@dataclass
class History:
    """What EM did, one entry per parameter set.

    ``params[0]`` is the initial parameter set and ``params[t]`` the one after t M-steps;
    ``log_likelihood[t]`` is the objective at ``params[t]`` (the incomplete-data
    log-likelihood, or with labels the semi-supervised objective); ``resp[t]`` (n, k) the
    posteriors of the E-step at ``params[t]``, or None where not kept (see ``run_em``'s
    ``keep_resp``).  ``n_iter`` is the number of M-steps; ``converged`` whether the change
    fell below ``tol``.  ``model``, ``x`` and ``labels`` are what EM ran on.
    """
    model: object
    x: np.ndarray
    labels: np.ndarray | None
    params: list = field(default_factory=list)
    log_likelihood: np.ndarray = field(default_factory=lambda: np.empty(0))
    resp: list = field(default_factory=list)
    n_iter: int = 0
    converged: bool = False


def run_em(model, x, params, *, max_iter=100, tol=1e-6, learn_weights=True, labels=None,
           keep_resp=None, **m_step_options):
    """Expectation-maximisation from ``params`` until convergence or ``max_iter`` M-steps.

    E-step: ``r_ij = p(z_i = j | x_i, theta_old)``.  M-step: ``theta_new = argmax_theta
    sum_ij r_ij log p(x_i, z_i = j | theta)`` (the model's closed form).  Each step can only
    increase the log-likelihood.

    tol            stop once the mean per-point log-likelihood changes by less than ``tol``
                   (absolute change, as scikit-learn); ``tol=0`` runs exactly ``max_iter``.
    learn_weights  False keeps the mixing weights of ``params`` fixed.
    labels         (n,) ints, -1 = unlabelled: labelled points keep one-hot
                   responsibilities (semi-supervised EM); the objective recorded is then
                   ``sum_labelled log p(x_i, z_i = y_i) + sum_unlabelled log p(x_i)``.
    keep_resp      True keeps every E-step's responsibilities, False only the last one;
                   None (default) keeps all when n <= 20,000, else only the last.
    m_step_options passed to the model's ``m_step`` (the Gaussian's ``reg_covar``, ``covariance_prior``).

    Returns a ``History``.  Raises ``CollapseError`` (a ValueError) when a component
    degenerates, carrying the History up to the last valid parameters.
    """
    model = check_model(model)
    x = model.check_x(x)
    params = check_params(model, params)
    max_iter = _checks.integer(max_iter, "max_iter", minimum=1)
    tol = _checks.real(tol, "tol", minimum=0)
    if not isinstance(learn_weights, bool):
        raise TypeError(f"learn_weights must be True or False, got {learn_weights!r}")
    if keep_resp is not None and not isinstance(keep_resp, bool):
        raise TypeError(f"keep_resp must be True, False or None, got {keep_resp!r}")
    n = len(x)
    if params.k > n:
        raise ValueError(f"params has k = {params.k} components but x has only n = {n} points")
    model.log_joint(x[:1], params)                  # x and params must fit together (e.g. d)
    labels = _check_labels(labels, n, params.k)
    try:
        inspect.signature(model.m_step).bind(x, None, **m_step_options)
    except TypeError:
        raise TypeError(f"{model.__name__}.m_step does not take the option(s) "
                        f"{sorted(m_step_options)}") from None
    keep_all = n <= KEEP_ALL_RESP_UP_TO if keep_resp is None else keep_resp

    engine = engine_for(model, x, labels)
    history = History(model=model, x=x, labels=labels)
    objective = []

    def record(theta):
        state, value = engine.e_step(theta)
        if history.resp and not keep_all:
            history.resp[-1] = None
        history.params.append(theta)
        history.resp.append(engine.point_resp(state))
        objective.append(value)
        history.log_likelihood = np.array(objective)
        return state

    state = record(params)
    for t in range(1, max_iter + 1):
        try:
            theta = engine.m_step(state, **m_step_options)
        except CollapseError as exc:
            raise CollapseError(f"EM iteration {t}: {exc}", component=exc.component,
                                iteration=t, history=history) from None
        if not learn_weights:
            theta = replace(theta, weights=params.weights)
        state = record(theta)
        history.n_iter = t
        if abs(objective[-1] - objective[-2]) / n < tol:
            history.converged = True
            break
    if tol > 0 and not history.converged:
        warnings.warn(f"EM did not converge in max_iter = {max_iter} iterations "
                      f"(tol = {tol}); increase max_iter or tol", ConvergenceWarning, stacklevel=2)
    return history


def _check_labels(labels, n, k):
    if labels is None:
        return None
    labels = _checks.as_array(labels, "labels", ndim=1, integer=True)
    if len(labels) != n:
        raise ValueError(f"labels must have one entry per point (n = {n}), got {len(labels)}")
    if np.any((labels < -1) | (labels >= k)):
        raise ValueError(f"labels must be -1 (unlabelled) or a component index 0..{k - 1}, "
                         f"got values from {labels.min()} to {labels.max()}")
    return labels
