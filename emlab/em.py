"""The EM loop, written once for every model: a mixture or any latent-variable model (see ``emlab.model``)."""
import inspect
import warnings
from dataclasses import dataclass, field, replace

import numpy as np

from . import checks
from .engines import Plain
from .errors import CollapseError, ConvergenceWarning, MonotonicityWarning
from .model import check_model, check_params, is_mixture, model_name

# Keep every iteration's stats (a mixture's responsibilities) while n is at most this (steppers need them).
KEEP_ALL_RESP_UP_TO = 20_000
# engine="auto" takes a model's fast path from this many points on.  Measured
# (benchmarks/bench_engines.py): the fast paths are 1-1.5x faster on notebook data (n = 300,
# well under 1 ms per iteration either way) and 3-5x from 10,000 points; at 100,000 a plain
# iteration takes 20-30 ms, seconds per run, which the fast path cuts to 5-7 ms.
FAST_PATH_FROM = 100_000
ENGINES = ("auto", "plain", "fast")
# A step that lowers the objective by more than this times (|objective| + n) is not rounding.
MONOTONE_RTOL = 1e-9


@dataclass(repr=False, eq=False)
class History:
    """What EM did, one entry per parameter set.

    ``params[0]`` is the initial parameter set and ``params[t]`` the one after t M-steps;
    ``log_likelihood[t]`` is the objective at ``params[t]`` (the incomplete-data
    log-likelihood, or with labels the semi-supervised objective); ``stats[t]`` the E-step's
    stats at ``params[t]`` (what the model's ``m_step`` takes), or None where not kept (see
    ``run_em``'s ``keep_resp``).  A mixture's stats are its responsibilities, (n, k), also
    named ``resp``.  ``n_iter`` is the number of M-steps; ``converged`` whether the change
    fell below ``tol``.  ``model``, ``x`` and ``labels`` are what EM ran on; ``engine`` which
    path ran the steps, "plain" (the model's own E-step and ``m_step``) or "fast".
    """
    model: object
    x: np.ndarray
    labels: np.ndarray | None
    params: list = field(default_factory=list)
    log_likelihood: np.ndarray = field(default_factory=lambda: np.empty(0))
    stats: list = field(default_factory=list)
    n_iter: int = 0
    converged: bool = False
    engine: str = "plain"

    @property
    def resp(self):
        """A mixture's responsibilities: ``resp[t]`` (n, k) is ``stats[t]``."""
        if not is_mixture(self.model):
            raise AttributeError(f"History.resp: {model_name(self.model)} is not a mixture, so it has "
                                 "no responsibilities; what its E-steps gave is History.stats")
        return self.stats

    def __repr__(self):
        final = f"{self.log_likelihood[-1]:.8g}" if len(self.log_likelihood) else None
        k = f"k={self.params[0].k}, " if self.params and is_mixture(self.model) else ""
        return (f"History(model={model_name(self.model)}, n={len(self.x)}, {k}"
                f"iterations={self.n_iter}, converged={self.converged}, "
                f"{'log_likelihood' if self.labels is None else 'objective'}={final}, "
                f"engine={self.engine!r})")


def run_em(model, x, params, *, max_iter=100, tol=1e-6, learn_weights=True, labels=None,
           keep_resp=None, engine="auto", **m_step_options):
    """Expectation-maximisation from ``params`` until convergence or ``max_iter`` M-steps.

    ``model``: a mixture or any latent-variable model (see ``emlab.model``).  E-step: the
    expected complete-data sufficient statistics under the posterior at ``theta_old`` (a
    mixture's responsibilities ``r_ij = p(z_i = j | x_i, theta_old)``, Bishop eq. 9.23).
    M-step: ``theta_new = argmax_theta E[log p(x, z | theta)]`` under that posterior (the
    model's ``m_step``; Bishop eqs. 9.30-9.32).  No step decreases the log-likelihood (Bishop
    sec. 9.4): a step that does, by more than rounding, raises a ``MonotonicityWarning`` when
    the M-step is the model's own (every M-step option at its default: a prior or a
    covariance floor changes what it maximises).

    tol            stop once the mean per-point (per row of x) log-likelihood changes by less
                   than ``tol`` (absolute change, as scikit-learn); ``tol=0`` runs exactly
                   ``max_iter``.
    learn_weights  (a mixture) False keeps the mixing weights of ``params`` fixed.
    labels         (a mixture) (n,) ints, -1 = unlabelled: labelled points keep one-hot
                   responsibilities (semi-supervised EM); the objective recorded is then
                   ``sum_labelled log p(x_i, z_i = y_i) + sum_unlabelled log p(x_i)``.
    keep_resp      True keeps every E-step's stats (a mixture's responsibilities), False only
                   the last one; None (default) keeps all when n <= 20,000, else only the last.
    engine         "plain": the model's own E-step and ``m_step`` on every point (the textbook
                   path; a model you edit or write runs as written); "fast": the model's fast
                   path (its ``fast_engine``, see ``emlab.engines``), the same steps with less
                   work; "auto" (default): fast from n = 100,000 points on when the model has
                   one that applies, else plain.
    m_step_options passed to the model's ``m_step`` (e.g. the Gaussian's ``covariance_type``, ``reg_covar``).

    Returns a ``History``.  Raises ``CollapseError`` (a ValueError) when a component
    degenerates, carrying the History up to the last valid parameters.
    """
    model = check_model(model)
    x = model.check_x(x)
    params = check_params(model, params)
    max_iter = checks.integer(max_iter, "max_iter", minimum=1)
    tol = checks.real(tol, "tol", minimum=0)
    if not isinstance(learn_weights, bool):
        raise TypeError(f"learn_weights must be True or False, got {learn_weights!r}")
    if keep_resp is not None and not isinstance(keep_resp, bool):
        raise TypeError(f"keep_resp must be True, False or None, got {keep_resp!r}")
    n = len(x)
    if is_mixture(model):
        labels = _check_mixture(model, x, params, labels)
    elif labels is not None or not learn_weights:
        raise TypeError(f"{'labels' if labels is not None else 'learn_weights=False'} applies only to a "
                        f"mixture (a model with log_joint), and {model_name(model)} gives expected_stats")
    own_m_step = _check_m_step_options(model, m_step_options)
    keep_all = n <= KEEP_ALL_RESP_UP_TO if keep_resp is None else keep_resp

    engine, engine_name = choose_engine(model, x, labels, engine)
    history = History(model=model, x=x, labels=labels, engine=engine_name)
    objective = []

    def record(theta):
        state, value = engine.e_step(theta)
        if history.stats and not keep_all:
            history.stats[-1] = None
        history.params.append(theta)
        history.stats.append(engine.point_resp(state))
        objective.append(value)
        history.log_likelihood = np.array(objective)
        return state

    state = record(params)
    warned = not own_m_step
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
        if not warned and objective[-1] < objective[-2] - MONOTONE_RTOL * (abs(objective[-2]) + n):
            warned = True
            warnings.warn(_decrease_message(model, history, t), MonotonicityWarning, stacklevel=2)
        if abs(objective[-1] - objective[-2]) / n < tol:
            history.converged = True
            break
    if tol > 0 and not history.converged:
        warnings.warn(f"EM did not converge in max_iter = {max_iter} iterations "
                      f"(tol = {tol}); increase max_iter or tol", ConvergenceWarning, stacklevel=2)
    return history


def _check_mixture(model, x, params, labels):
    """What a mixture's run needs: k <= n, a log_joint of shape (n, k), valid labels -> labels."""
    n = len(x)
    if params.k > n:
        raise ValueError(f"params has k = {params.k} components but x has only n = {n} points")
    probe = np.shape(model.log_joint(x[:1], params))  # x and params must fit together (e.g. d)
    if probe != (1, params.k):
        raise ValueError(f"{model_name(model)}.log_joint must return an (n, k) array, one column per "
                         f"component: for 1 point and k = {params.k} it returned shape {probe}")
    return _check_labels(labels, n, params.k)


def _check_m_step_options(model, options):
    """TypeError unless ``model.m_step(x, stats, **options)`` takes ``options``; -> whether they
    leave the M-step as the model defines it (each option absent or at its default)."""
    try:
        inspect.signature(model.m_step).bind(None, None, **options)
    except TypeError:
        raise TypeError(f"{model_name(model)}.m_step does not take the option(s) "
                        f"{sorted(options)}") from None
    parameters = inspect.signature(model.m_step).parameters
    return all(name in parameters and _is_default(value, parameters[name].default)
               for name, value in options.items())


def _is_default(value, default):
    plain = (bool, int, float, str)
    return value is default or (isinstance(value, plain) and isinstance(default, plain) and value == default)


def _decrease_message(model, history, t):
    name = "log-likelihood" if history.labels is None else "objective"
    e_step = "log_joint" if is_mixture(model) else "expected_stats"
    ll = history.log_likelihood
    return (f"the {name} decreased at EM iteration {t}, from {ll[-2]:.10g} to {ll[-1]:.10g}; EM's "
            "steps never decrease it (Bishop sec. 9.4), so either the E-step is not the exact "
            "posterior or the M-step does not maximise the expected complete-data log-likelihood: "
            f"check {model_name(model)}.{e_step} and {model_name(model)}.m_step")


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
                "(a model offers one as fast_engine(model, x, labels), see emlab.engines; a "
                "model's own declines once its steps were replaced); use engine=\"plain\"")
    return Plain(model, x, labels), "plain"


def _check_labels(labels, n, k):
    if labels is None:
        return None
    labels = checks.as_array(labels, "labels", ndim=1, integer=True)
    if len(labels) != n:
        raise ValueError(f"labels must have one entry per point (n = {n}), got {len(labels)}")
    if np.any((labels < -1) | (labels >= k)):
        raise ValueError(f"labels must be -1 (unlabelled) or a component index 0..{k - 1}, "
                         f"got values from {labels.min()} to {labels.max()}")
    return labels
