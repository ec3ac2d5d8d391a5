"""What a model is: the parts EM asks of it, in one of two forms, and its E-step.

EM maximises the log-likelihood ``l(theta) = log p(x | theta)`` of a model with latent
variables z by alternating two steps (Bishop sec. 9.3-9.4):

    E-step   the posterior p(z | x, theta_old), summarised by the expected complete-data
             sufficient statistics ``E[T(x, z) | x, theta_old]`` (the "stats")
    M-step   theta_new = argmax_theta E_{z ~ p(z | x, theta_old)} log p(x, z | theta),
             which depends on the posterior only through those stats

and no step decreases l.  A *model* is any object holding the parts below: a module
(``emlab.coins``), a class, or a ``types.SimpleNamespace`` built in a notebook cell.

Every model has

    Params                        the class of a parameter set theta
    check_x(x)                    x as the model takes it (a new array), or a clear error
    m_step(x, stats, **options)   the Params that maximise the expected complete-data
                                  log-likelihood, given the E-step's stats

and gives its E-step in one of two forms.

A mixture (one latent z_i in {0, ..., k-1} per point: coins, Poisson, Gaussian, Bernoulli)
gives the log joint of each point and each component,

    log_joint(x, params)          (n, k) ``log p(x_i, z_i = j | theta)``

and EM derives the E-step from it, once for every mixture (``e_step_stats``): the stats are
the responsibilities ``r_ij = p(z_i = j | x_i, theta)`` (n, k) (Bishop eq. 9.23), so its
M-step is ``m_step(x, resp)``, and ``l = sum_i log sum_j p(x_i, z_i = j)`` (eq. 9.14).  A
mixture's Params has ``weights`` pi (k,) and ``k``.

Any other latent-variable model (a hidden Markov model, data with missing values) gives its
E-step itself:

    expected_stats(x, params)     ``(stats, log_likelihood)``: the expected sufficient
                                  statistics under p(z | x, params), in whatever form its
                                  m_step takes, and ``l(params)`` (a float)

Its Params need no weights.  A model gives log_joint or expected_stats, not both.  What only a
mixture has: semi-supervised ``labels`` and ``learn_weights=False`` in ``run_em``, the
``k <= n`` checks, ``emlab.e_step``, ``elbo`` and ``kl`` (per point), and the views of
``emlab.widgets`` that colour points by their responsibilities.

Optional parts, for either form (the driver does not need them):

    sample(params, n, rng)          n draws of x (and of z)
    init_random(x, k, rng)          a random start (k: the components, or what the model counts)
    init_kmeans(x, k, seed)         a k-means start
    manual_start                    "theta" or "means": the sliders of an explorer's manual
                                    start (see ``emlab.widgets.runs``)
    fast_engine(model, x, labels)   an engine for ``run_em``'s fast path, or None (see
                                    ``emlab.engines``)
    exercise_problems()             ``{name: (x, params)}``, the fixed problems the checkers of
                                    ``emlab.exercises`` pose a mixture, the first one typical

A model draws in ``emlab.widgets`` through a view registered for its Params
(``emlab.widgets.register_view``).
"""
import numpy as np

from . import checks

COMMON_PARTS = ("Params", "check_x", "m_step")
E_STEP_FORMS = ("log_joint", "expected_stats")      # a mixture's, any other model's


def check_model(model):
    """``model`` if it has the parts of a model (see the module docstring), else a TypeError
    that says which parts are missing."""
    missing = [part for part in COMMON_PARTS if not hasattr(model, part)]
    forms = [part for part in E_STEP_FORMS if hasattr(model, part)]
    if missing or len(forms) != 1:
        problem = (f"which has no {', '.join(missing)}" if missing else
                   "which has both log_joint and expected_stats (give one E-step)" if forms else
                   "which has neither log_joint nor expected_stats")
        raise TypeError(
            "model must have the parts of a model (an object: module, class or namespace): Params, "
            "check_x, m_step, and one E-step, log_joint(x, params) for a mixture or "
            "expected_stats(x, params) for any latent-variable model (see emlab.model); got "
            f"{type(model).__name__} {model!r:.60}, {problem}")
    if not isinstance(model.Params, type):
        raise TypeError(f"model.Params must be the class of the model's parameter sets, "
                        f"got {type(model.Params).__name__}")
    for part in (*COMMON_PARTS[1:], forms[0]):
        if not callable(getattr(model, part)):
            raise TypeError(f"model.{part} must be a function, got {type(getattr(model, part)).__name__}")
    return model


def is_mixture(model):
    """Whether ``model`` (a checked model) is a mixture: its E-step comes from ``log_joint``."""
    return hasattr(model, "log_joint")


def require_mixture(model, what):
    """``model`` if it is a mixture; else a TypeError saying that ``what`` needs one."""
    if not is_mixture(check_model(model)):
        raise TypeError(f"{what} needs a mixture (a model with log_joint), but {model_name(model)} "
                        "gives expected_stats: use emlab.expected_stats(model, x, params)")
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


def expected_stats(model, x, params):
    """The E-step of any model at ``params``: ``(stats, log_likelihood)``.

    A mixture's stats are its responsibilities (n, k) (Bishop eq. 9.23), derived from its
    ``log_joint``; any other model's are what its own ``expected_stats`` returns.
    ``log_likelihood`` is ``l(params) = log p(x | params)``, a float.
    """
    model = check_model(model)
    return e_step_stats(model, model.check_x(x), check_params(model, params))


def e_step_stats(model, x, params, labels=None):
    """The E-step as EM runs it (``expected_stats`` on x and params already checked).

    -> ``(stats, objective)``.  A mixture: ``labelled_posterior`` of its ``log_joint``, the
    objective summed over the points (``labels``: see there; None for a plain mixture).  Any
    other model: its own ``expected_stats``, whose log-likelihood must be a finite number.
    """
    if is_mixture(model):
        resp, objective = labelled_posterior(model.log_joint(x, params), labels)
        return resp, float(objective.sum())
    result = model.expected_stats(x, params)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError(f"{model_name(model)}.expected_stats must return a pair (stats, log_likelihood), "
                        f"got {type(result).__name__} {result!r:.60}")
    stats, value = result
    return stats, checks.real(value, f"the log_likelihood that {model_name(model)}.expected_stats returned")


def posterior(log_joint, rows=None, out=None):
    """A mixture's E-step from its log joint: ``r_ij = exp(log p(x_i, z=j) - log p(x_i))``
    (Bishop eq. 9.23).

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


def labelled_posterior(log_joint, labels, rows=None, out=None):
    """A mixture's E-step with some labels known (semi-supervised EM).

    Unlabelled rows (label -1) get ``r_ij = p(z_i = j | x_i)`` and contribute ``log p(x_i)``
    to the objective; a labelled row keeps the one-hot ``r_ij = [j = y_i]`` and contributes
    ``log p(x_i, z_i = y_i)``.  ``labels`` None: every row unlabelled.  ``rows`` (n,): the
    caller's index of each row (see ``posterior``); ``out`` (n, k): where to write resp, may
    be ``log_joint`` itself.  Returns ``(resp (n, k), objective per row (n,))``.
    """
    rows = np.arange(len(log_joint)) if rows is None else rows
    if labels is None:
        return posterior(log_joint, rows, out)
    objective = np.empty(len(log_joint))
    free = labels < 0
    known = np.flatnonzero(~free)
    objective[known] = log_joint[known, labels[known]]
    resp = np.zeros_like(log_joint) if out is None else out
    if np.any(free):
        resp[free], objective[free] = posterior(log_joint[free], rows[free])
    resp[known] = 0.0
    resp[known, labels[known]] = 1.0
    return resp, objective
