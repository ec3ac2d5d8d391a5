"""The checkers of one step of EM: E-step, M-step, log-likelihood, ELBO, weighted mean.

Each takes any mixture model (``Params``, ``check_x``, ``log_joint``, ``m_step``: see
``emlab.mixture``; a ``types.SimpleNamespace`` built in a cell included) and poses the
model's problems (``problems``).  ``data=x`` builds them from data instead.
"""
import inspect

import numpy as np
from scipy.special import softmax

from ..mixture import e_step, elbo, log_likelihood
from . import judges, problems as sets
from .m_step import m_step_judge
from .report import LOG_TINY, Problem, check, with_answers


def check_e_step(model, fn, *, reference=None, labels=False, data=None):
    """Check ``fn(x, params) -> resp`` (n, k), ``r_ij = p(z_i = j | x_i, theta)`` (Bishop eq. 9.23).

    ``labels=True``: the semi-supervised E-step ``fn(x, params, labels) -> resp``, labels (n,)
    ints, -1 = unlabelled; a labelled point keeps the one-hot ``r_ij = [j = y_i]``.  On every
    problem every third point is labelled, with its least probable component.
    ``reference(x, params[, labels]) -> resp`` replaces emlab's E-step for a variant of the
    step (problems on which it raises are left out).  ``data``: build the problems from these
    data instead of the model's own (``emlab.exercises.problems``), as every checker of a
    model takes.  Prints one line, returns True / False.
    """
    model = as_mixture(model)
    if not isinstance(labels, bool):
        raise TypeError(f"labels must be True or False, got {labels!r:.60}")
    _callable_or_none(reference, "reference")
    if labels:
        ordinary = "ignores the labels: a labelled point keeps the one-hot r_ij = [j = y_i], not its posterior"
    else:
        ordinary = ("returned emlab's E-step, the posterior p(z_i = j | x_i): this variant's change "
                    "is missing")
    variant = reference                 # through which the mistakes go (None: emlab's E-step)
    if reference is None and labels:
        def reference(x, params, labels):
            resp = e_step(model, x, params)[0]
            known = labels >= 0
            resp[known] = np.eye(resp.shape[1])[labels[known]]
            return resp
        variant = reference
    elif reference is None:
        def reference(x, params):
            return e_step(model, x, params)[0]
    problems = []
    for name, about, x, params in sets.posterior_cases(model, data):
        context = _log_joint_context(model, x, params)
        context.update(reference=variant, ordinary=ordinary)
        extra = (sets.labels_against(softmax(context["log_joint"], axis=1)),) if labels else ()
        problems.append(Problem(name, (x, params, *extra), about, **context))
    names = ("x", "params", "labels") if labels else ("x", "params")
    return check("E-step", fn, names, with_answers(problems, reference), judges.judge_resp)


def check_m_step(model, fn, *, reference=None, data=None, **m_step_options):
    """Check ``fn(x, resp) -> model.Params``, the closed-form M-step (Bishop eqs. 9.24-9.27).

    ``m_step_options`` are passed to ``model.m_step`` (e.g. ``covariance_type="diag"``,
    ``reg_covar=1e-3``, ``beta_prior=(2, 2)``); ``reference(x, resp) -> Params`` replaces
    ``model.m_step`` for a variant of the step (a rate held fixed, ...).  Problems on which
    the reference raises are left out.
    """
    model = as_mixture(model)
    _callable_or_none(reference, "reference")
    name = sets.model_name(model)
    if reference is None:
        try:
            inspect.signature(model.m_step).bind(None, None, **m_step_options)
        except TypeError:
            raise TypeError(f"{name}.m_step does not take the option(s) {sorted(m_step_options)}") from None

        def reference(x, resp):
            return model.m_step(x, resp, **m_step_options)
        options_text = ", ".join(f"{key}={value!r}" for key, value in m_step_options.items())
        ordinary = (f"ignores the option(s) {options_text}: this is the M-step without them"
                    if m_step_options else None)
    elif m_step_options:
        raise TypeError("pass either a reference or m_step options, not both")
    else:
        ordinary = f"returned {name}.m_step(x, resp), the M-step without this variant's change"
    problems = [Problem(n, (x, resp), about) for n, about, x, resp in sets.m_step_cases(model, data)]
    judge = m_step_judge(model, m_step_options, reference, ordinary)
    return check("M-step", fn, ("x", "resp"), with_answers(problems, reference), judge)


def check_log_likelihood(model, fn, *, data=None):
    """Check ``fn(x, params) -> float``, ``sum_i log sum_j pi_j p(x_i | theta_j)`` (Bishop eq. 9.14)."""
    model = as_mixture(model)
    problems = [Problem(name, (x, params), about, **_log_joint_context(model, x, params))
                for name, about, x, params in sets.posterior_cases(model, data)]
    return check("log-likelihood", fn, ("x", "params"),
                 with_answers(problems, lambda x, params: log_likelihood(model, x, params)),
                 judges.judge_log_likelihood)


def check_elbo(model, fn, *, data=None):
    """Check ``fn(x, params, q) -> float``, ``L(q, theta) = sum_ij q_ij (log p(x_i, z_i = j) - log q_ij)``
    (Bishop eq. 9.71), with ``0 log 0 = 0``.  q is never the posterior (except for k = 1); one q has zeros."""
    model = as_mixture(model)
    problems = []
    for name, about, x, params in sets.posterior_cases(model, data):
        context = _log_joint_context(model, x, params)
        problems.append(Problem(name, (x, params, sets.some_q(len(x), params.k)), about, **context))
        if len(problems) == 1:              # second: the typical problem with a q that has zeros
            q = sets.q_with_zeros(len(x))
            problems.append(Problem("q with zeros", (x, params, q), "q with zeros (0 log 0 = 0)", **context))
    for problem in problems:
        problem.context["zeros"] = bool(np.any(problem.args[2] == 0))
    return check("ELBO", fn, ("x", "params", "q"),
                 with_answers(problems, lambda x, params, q: elbo(model, x, params, q)), judges.judge_elbo)


def check_weighted_mean(fn):
    """Check ``fn(x, r)``: the responsibility-weighted mean ``sum_i r_i x_i / N`` with ``N = sum_i r_i``.

    x (n,) counts -> one number; x (n, d) points -> (d,).  r (n,) non-negative weights (one
    column of resp), not necessarily summing to 1.
    """
    problems = [Problem(name, (x, r)) for name, x, r in sets.weighted_mean_cases()]
    return check("weighted mean", fn, ("x", "r"), with_answers(problems, lambda x, r: r @ x / r.sum()),
                 judges.judge_weighted_mean)


def _log_joint_context(model, x, params):
    """The log joint, the mistakes that change it, and whether a point is far from every
    component (its p(x_i, z_i = j) underflows for every j)."""
    log_joint, variants = judges.log_joint_variants(model, x, params)
    return dict(log_joint=log_joint, variants=variants, far=bool(np.any(np.max(log_joint, axis=1) < LOG_TINY)))


def as_mixture(model):
    """model, or a TypeError naming what it lacks of a mixture model (the caller's mistake)."""
    missing = [part for part in ("Params", "check_x", "log_joint", "m_step") if not hasattr(model, part)]
    if missing:
        raise TypeError(f"model must be a mixture model, with Params, check_x, log_joint and m_step "
                        f"(see emlab.mixture); got {type(model).__name__} {model!r:.60}, which has no "
                        f"{', '.join(missing)}")
    return model


def _callable_or_none(value, name):
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be a function or None, got {type(value).__name__}")
