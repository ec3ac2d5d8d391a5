"""The EM loop, written once for every mixture model."""
import inspect
import warnings
from dataclasses import dataclass, field, replace

import numpy as np

from . import _checks
from .engines import Plain
from .errors import CollapseError, ConvergenceWarning
from .mixture import check_model, check_params, model_name

# Keep every iteration's responsibilities while n is at most this (steppers need them).
KEEP_ALL_RESP_UP_TO = 20_000
# engine="auto" takes a model's fast path from this many points on.  Measured
# (benchmarks/bench_engines.py): the fast paths are 1-1.5x faster on notebook data (n = 300,
# well under 1 ms per iteration either way) and 3-5x from 10,000 points; at 100,000 a plain
# iteration takes 20-30 ms, seconds per run, which the fast path cuts to 5-7 ms.
FAST_PATH_FROM = 100_000
ENGINES = ("auto", "plain", "fast")


@dataclass(repr=False, eq=False)
class History:
    """What EM did, one entry per parameter set.

    ``params[0]`` is the initial parameter set and ``params[t]`` the one after t M-steps;
    ``log_likelihood[t]`` is the objective at ``params[t]`` (the incomplete-data
    log-likelihood, or with labels the semi-supervised objective); ``resp[t]`` (n, k) the
    posteriors of the E-step at ``params[t]``, or None where not kept (see ``run_em``'s
    ``keep_resp``).  ``n_iter`` is the number of M-steps; ``converged`` whether the change
    fell below ``tol``.  ``model``, ``x`` and ``labels`` are what EM ran on; ``engine`` which
    path ran the steps, "plain" (the model's own ``log_joint`` and ``m_step``) or "fast".
    """
    model: object
    x: np.ndarray
    labels: np.ndarray | None
    params: list = field(default_factory=list)
    log_likelihood: np.ndarray = field(default_factory=lambda: np.empty(0))
    resp: list = field(default_factory=list)
    n_iter: int = 0
    converged: bool = False
    engine: str = "plain"

    def __repr__(self):
        final = f"{self.log_likelihood[-1]:.8g}" if len(self.log_likelihood) else None
        k = self.params[0].k if self.params else None
        return (f"History(model={model_name(self.model)}, n={len(self.x)}, k={k}, "
                f"iterations={self.n_iter}, converged={self.converged}, "
                f"{'log_likelihood' if self.labels is None else 'objective'}={final}, "
                f"engine={self.engine!r})")


def run_em(model, x, params, *, max_iter=100, tol=1e-6, learn_weights=True, labels=None,
           keep_resp=None, engine="auto", **m_step_options):
    """Expectation-maximisation from ``params`` until convergence or ``max_iter`` M-steps.

    E-step: ``r_ij = p(z_i = j | x_i, theta_old)``.  M-step: ``theta_new = argmax_theta
    sum_ij r_ij log p(x_i, z_i = j | theta)`` (the model's closed form).  No step decreases
    the log-likelihood (Bishop 9.4).

    tol            stop once the mean per-point log-likelihood changes by less than ``tol``
                   (absolute change, as scikit-learn); ``tol=0`` runs exactly ``max_iter``.
    learn_weights  False keeps the mixing weights of ``params`` fixed.
    labels         (n,) ints, -1 = unlabelled: labelled points keep one-hot
                   responsibilities (semi-supervised EM); the objective recorded is then
                   ``sum_labelled log p(x_i, z_i = y_i) + sum_unlabelled log p(x_i)``.
    keep_resp      True keeps every E-step's responsibilities, False only the last one;
                   None (default) keeps all when n <= 20,000, else only the last.
    engine         "plain": the model's own ``log_joint`` and ``m_step`` on every point (the
                   textbook path; a model you edit or write runs as written); "fast": the
                   model's fast path (its ``fast_engine``, see ``emlab.engines``), the same
                   steps with less work; "auto" (default): fast from n = 100,000 points on
                   when the model has one that applies, else plain.
    m_step_options passed to the model's ``m_step`` (e.g. the Gaussian's ``covariance_type``, ``reg_covar``).

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
    probe = np.shape(model.log_joint(x[:1], params))  # x and params must fit together (e.g. d)
    if probe != (1, params.k):
        raise ValueError(f"{model_name(model)}.log_joint must return an (n, k) array, one column per "
                         f"component: for 1 point and k = {params.k} it returned shape {probe}")
    labels = _check_labels(labels, n, params.k)
    try:
        inspect.signature(model.m_step).bind(x, None, **m_step_options)
    except TypeError:
        raise TypeError(f"{model_name(model)}.m_step does not take the option(s) "
                        f"{sorted(m_step_options)}") from None
    keep_all = n <= KEEP_ALL_RESP_UP_TO if keep_resp is None else keep_resp

    engine, engine_name = choose_engine(model, x, labels, engine)
    history = History(model=model, x=x, labels=labels, engine=engine_name)
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
            theta = check_params(model, engine.m_step(state, **m_step_options), "what m_step returned")
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


def choose_engine(model, x, labels, engine="auto"):
    """``(engine, "plain" or "fast")`` for ``run_em``'s ``engine`` argument (see there)."""
    if not isinstance(engine, str):
        raise TypeError(f"engine must be a string, one of {', '.join(map(repr, ENGINES))}, "
                        f"got {type(engine).__name__}")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))}, got {engine!r:.60}")
    if engine == "fast" or (engine == "auto" and len(x) >= FAST_PATH_FROM):
        hook = getattr(model, "fast_engine", None)
        fast = None if hook is None else hook(model, x, labels)
        if fast is not None:
            return fast, "fast"
        if engine == "fast":
            raise ValueError(
                f'engine="fast" needs a fast path, but {model_name(model)} has none that applies '
                "(a model offers one as fast_engine(model, x, labels), see emlab.engines; it "
                "declines once the model's log_joint or m_step was replaced); use engine=\"plain\"")
    return Plain(model, x, labels), "plain"


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
