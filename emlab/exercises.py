"""Checkers for the notebooks' exercises: is a student's E-step (M-step, ...) right?

Each checker runs the student's function on a few fixed problems (awkward ones included: one
point, k = 1, three components, two identical components, a point far from every component),
compares the answers with emlab's reference and prints ONE line, ``✓ ...`` or ``✗ ...``, that
names the first mistake in words.  It returns True or False and never raises because of the
student's code; a skeleton that still raises ``NotImplementedError`` prints ``✗ not implemented
yet``, so Run All goes on.

    check_e_step(model, fn)                 fn(x, params) -> resp (n, k)
    check_m_step(model, fn, **options)      fn(x, resp) -> model.Params
    check_log_likelihood(model, fn)         fn(x, params) -> float
    check_elbo(model, fn)                   fn(x, params, q) -> float
    check_weighted_mean(fn)                 fn(x, r) -> sum_i r_i x_i / sum_i r_i

A mistake is named by comparing the answer with the reference *and* with what the mistaken
variant computes: an M-step that divides by n instead of N_j, an E-step that forgot the
mixing weights, an ELBO without its entropy term, ...  The line reports the first problem
(in the order a ✓ line lists them) showing a mistake with a name; failing that, the first
exception the function raised; failing that, the first difference.  Variants of an exercise
(a rate held fixed, a diagonal covariance) pass the model's options (``covariance_type="diag"``)
or their own ``reference`` function.  Every number printed is rounded, so the line is the same
on every machine (nbval compares it).
"""
import dataclasses
import inspect
import itertools
import re
import warnings
from numbers import Real

import numpy as np
from scipy.special import logsumexp

from .mixture import e_step, elbo, log_likelihood, posterior

__all__ = ["check_e_step", "check_m_step", "check_log_likelihood", "check_elbo",
           "check_weighted_mean"]

RTOL, ATOL = 1e-6, 1e-8      # how close an answer must be to the reference


# ------------------------------------------------------------------ the public checkers

def check_e_step(model, fn, *, reference=None):
    """Check ``fn(x, params) -> resp`` (n, k), ``r_ij = p(z_i = j | x_i, theta)`` (Bishop eq. 9.23).

    ``reference(x, params) -> resp`` replaces ``emlab.e_step`` for a variant of the step
    (problems on which it raises are left out).  Prints one line and returns True / False.
    """
    if reference is None:
        def reference(x, params):
            return e_step(model, x, params)[0]
    problems = _with_answers(_posterior_problems(model), reference)
    return _check("E-step", fn, ("x", "params"), problems, _judge_resp)


def check_m_step(model, fn, *, reference=None, **m_step_options):
    """Check ``fn(x, resp) -> model.Params``, the closed-form M-step (Bishop eqs. 9.24-9.27).

    ``m_step_options`` are passed to ``model.m_step`` (e.g. ``covariance_type="diag"``);
    ``reference(x, resp) -> Params`` replaces ``model.m_step`` for a variant of the step
    (a rate held fixed, ...).  Problems on which the reference raises are left out.
    """
    if reference is None:
        try:
            inspect.signature(model.m_step).bind(None, None, **m_step_options)
        except TypeError:
            raise TypeError(f"{_name(model)}.m_step does not take the option(s) "
                            f"{sorted(m_step_options)}") from None

        def reference(x, resp):
            return model.m_step(x, resp, **m_step_options)
    elif m_step_options:
        raise TypeError("pass either a reference or m_step options, not both")
    problems = _with_answers(_m_step_problems(model), reference)
    if m_step_options:
        for problem in problems:                 # to tell "ignored the options"
            problem.context["without options"] = _try(model.m_step, *problem.args)
    return _check("M-step", fn, ("x", "resp"), problems, _m_step_judge(model, m_step_options))


def check_log_likelihood(model, fn):
    """Check ``fn(x, params) -> float``, ``sum_i log sum_j pi_j p(x_i | theta_j)`` (Bishop eq. 9.14)."""
    problems = _with_answers(_posterior_problems(model),
                             lambda x, params: log_likelihood(model, x, params))
    return _check("log-likelihood", fn, ("x", "params"), problems, _judge_log_likelihood)


def check_elbo(model, fn):
    """Check ``fn(x, params, q) -> float``, ``L(q, theta) = sum_ij q_ij (log p(x_i, z_i = j) - log q_ij)``
    (Bishop eq. 9.71), with ``0 log 0 = 0``."""
    problems = _with_answers(_elbo_problems(model),
                             lambda x, params, q: elbo(model, x, params, q))
    return _check("ELBO", fn, ("x", "params", "q"), problems, _judge_elbo)


def check_weighted_mean(fn):
    """Check ``fn(x, r)``: the responsibility-weighted mean ``sum_i r_i x_i / N`` with ``N = sum_i r_i``.

    x (n,) counts -> one number; x (n, d) points -> (d,).  r (n,) non-negative weights (one
    column of resp), not necessarily summing to 1.
    """
    problems = _with_answers(_weighted_mean_problems(),
                             lambda x, r: r @ x / r.sum())
    return _check("weighted mean", fn, ("x", "r"), problems, _judge_weighted_mean)


# ------------------------------------------------------------------ running and reporting

class _Problem:
    """One input for the student's function: ``args``, the reference's ``answer``, and what
    the diagnosis needs (``context``)."""

    def __init__(self, name, args, about=None, **context):
        self.name, self.args, self.context, self.answer = name, args, context, None
        self.about = about or name          # the longer description shown with a mistake

    @property
    def size(self):
        x = self.args[0]
        text = f"n = {len(x)}"
        if len(self.args) > 1 and hasattr(self.args[1], "weights"):
            text += f", k = {len(self.args[1].weights)}"
        elif len(self.args) > 1 and np.ndim(self.args[1]) == 2:
            text += f", k = {np.shape(self.args[1])[1]}"
        return text


class _Unnamed(str):
    """A difference from the reference that no known mistake explains.  The checker goes on
    to later problems, where the same error may show as a mistake it can name."""


class _Raised(str):
    """An exception from the student's function: reported unless a later problem shows a
    mistake with a name (the exception may come from that mistake)."""


_RANK = {_Raised: 1, _Unnamed: 2}          # named mistakes (plain str) rank 0, first
_UNDERFLOW = ("right everywhere except at a point far from every component: there "
              "p(x_i, z_i = j) underflows to 0 in the probability domain; stay in logs "
              "(log_joint, logsumexp)")


class _Outcome:
    def __init__(self, value=None, error=None, changed=()):
        self.value, self.error, self.changed = value, error, changed


def _with_answers(problems, reference):
    """The problems with the reference's answers; those the reference refuses are left out
    (a variant's reference may not take k = 1, a Gaussian M-step one point, ...)."""
    kept, error = [], None
    for problem in problems:
        try:
            problem.answer = reference(*problem.args)
        except Exception as exc:
            error = error or exc
            continue
        kept.append(problem)
    if not kept:
        raise ValueError(f"the reference raised on every problem: {_error_text(error)}")
    return kept


def _check(task, fn, arg_names, problems, judge):
    """Run ``fn`` on every problem, then report the first mistake (or success) in one line."""
    if not callable(fn):
        return _say(False, f"expected a function of ({', '.join(arg_names)}) for the {task}, "
                           f"got {_describe(fn)}")
    try:
        inspect.signature(fn).bind(*problems[0].args)
    except TypeError as exc:
        return _say(False, f"must take the arguments ({', '.join(arg_names)}): {exc}")
    except ValueError:           # no signature to inspect (a builtin): just call it
        pass
    outcomes = []
    for problem in problems:
        outcome = _call(fn, problem.args, arg_names)
        if not outcomes and isinstance(outcome.error, NotImplementedError):
            return _say(False, "not implemented yet")
        outcomes.append(outcome)
    results = list(zip(problems, outcomes))
    mistakes = []                                   # (problem, mistake) in the problems' order
    for problem, outcome in results:
        try:
            mistake = _mistake(problem, outcome, judge, results)
        except Exception as exc:        # a strange answer the diagnosis could not handle
            mistake = _Unnamed(f"its answer could not be checked ({_error_text(exc)})")
        if mistake:
            mistakes.append((problem, mistake))
    if mistakes:
        if all(isinstance(m, _Unnamed) and p.context.get("far") for p, m in mistakes):
            mistakes = [(p, _UNDERFLOW) for p, _ in mistakes]    # right everywhere but far away
        # the first mistake with a name, else the first exception, else the first difference
        problem, mistake = min(mistakes, key=lambda pm: _RANK.get(type(pm[1]), 0))
        return _say(False, f"{mistake} [problem '{problem.about}': {problem.size}]")
    names = ", ".join(p.name for p in problems)
    return _say(True, f"{task} correct on all {len(problems)} problems ({names})")


def _call(fn, args, names):
    """Call ``fn`` on fresh copies of ``args``: warnings silenced, errors caught, changes noted."""
    copies = tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            value = fn(*copies)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:            # the student's code must not stop Run All
            return _Outcome(error=exc)
    changed = tuple(name for name, a, c in zip(names, args, copies)
                    if isinstance(a, np.ndarray) and not np.array_equal(a, c))
    return _Outcome(value=value, changed=changed)


def _mistake(problem, outcome, judge, results):
    """The first mistake seen in one outcome, in words, or None when it is right."""
    if outcome.error is not None:
        return _explain_error(outcome.error)
    if outcome.changed:
        name = outcome.changed[0]
        return (f"changed its input {name} in place: compute a new array instead "
                f"({name} = {name} - m, not {name} -= m)")
    if outcome.value is None:
        return "returned None: is the return statement missing?"
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return judge(problem, outcome.value, results)


def _explain_error(exc):
    if isinstance(exc, NotImplementedError):
        return _Raised("raised NotImplementedError: not implemented yet for this case")
    if isinstance(exc, ValueError) and "read-only" in str(exc):
        return "tried to change its input params in place (its arrays are read-only): work on a copy"
    tb, builds_params = exc.__traceback__, False
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name == "__post_init__" and dataclasses.is_dataclass(frame.f_locals.get("self")):
            builds_params = True
        tb = tb.tb_next
    if builds_params:
        return f"the Params it builds fails validation: {_error_text(exc, with_type=False)}"
    return _Raised(f"raised {_error_text(exc)}")


def _error_text(exc, with_type=True):
    """``Type: first line of the message``, without memory addresses (the same on every machine)."""
    try:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    except Exception:
        message = ""
    message = re.sub(r" at 0x[0-9a-fA-F]+", "", message)
    if len(message) > 160:
        message = message[:157] + "..."
    if not with_type:
        return message
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _say(passed, text):
    print(("✓ " if passed else "✗ ") + text)
    return passed


def _describe(value):
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"a numpy array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    module = type(value).__module__
    if dataclasses.is_dataclass(value) and module.startswith("emlab."):
        return f"{module[len('emlab.'):]}.{type(value).__name__}"
    name = type(value).__name__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def _close(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))


def _is_number(value):
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "iuf"
    return isinstance(value, Real) and not isinstance(value, (bool, np.bool_))


def _worst(got, expected):
    """Where the largest difference is, as "[i, j]: got a, expected b"."""
    diff = np.abs(np.asarray(got, float) - np.asarray(expected, float))
    diff = np.where(np.isnan(diff), np.inf, diff)
    index = np.unravel_index(int(np.argmax(diff)), diff.shape)
    where = "[" + ", ".join(map(str, index)) + "]"
    return where + ": " + _got_expected(np.asarray(got)[index], np.asarray(expected)[index])


def _got_expected(got, expected):
    """"got a, expected b" with as few digits as tell them apart (at least 4)."""
    for digits in (4, 6, 8, 10, 17):
        a, b = f"{float(got):.{digits}g}", f"{float(expected):.{digits}g}"
        if a != b:
            break
    return f"got {a}, expected {b}"


def _try(f, *args):
    try:
        return f(*args)
    except Exception:
        return None


def _name(model):
    return getattr(model, "__name__", type(model).__name__).rpartition(".")[2]


# ------------------------------------------------------------------ the problems

class _Data:
    """A model's handful of data: 8 typical points with parameters (unequal weights); a few
    points, the last far from every component (under ``far_params`` its p(x_i | theta_j)
    underflows to 0 in the probability domain); problems only this model has (``extra``)."""

    def __init__(self, x, params, far_x, far_params, extra=()):
        self.x, self.params, self.far_x, self.far_params, self.extra = x, params, far_x, far_params, extra


def _coins_data(model):
    x = np.array([[5, 5], [9, 1], [8, 2], [4, 6], [7, 3], [3, 0], [0, 4], [6, 6]])
    params = model.Params(weights=[0.4, 0.6], p=[0.8, 0.45])
    far = np.array([[5, 5], [9, 1], [0, 4000]])              # 4000 tails: p(x | coin) < 1e-1000
    return _Data(x, params, far, params)


def _poisson_data(model):
    x = np.array([3, 0, 1, 2, 5, 7, 9, 12])
    params = model.Params(weights=[0.3, 0.7], rates=[2.0, 8.0])
    return _Data(x, params, np.array([1, 4, 9, 400]), params)   # Pois(400 | 8) ~ 1e-510


def _gaussian_data(model):
    x = np.array([[-2.1, -1.0], [-1.6, -2.2], [-2.8, -1.5], [-0.9, -0.4],
                  [1.2, 0.8], [2.0, 1.9], [1.4, 2.6], [2.7, 1.1]])
    params = model.Params([0.35, 0.65], [[-1.8, -1.2], [1.6, 1.5]],
                          [[[0.6, 0.2], [0.2, 0.5]], [[0.8, -0.3], [-0.3, 1.0]]])
    far = np.array([[-2.1, -1.0], [1.2, 0.8], [40.0, -40.0]])
    x1 = np.array([[-1.5], [-0.7], [0.2], [1.9], [2.4], [3.1]])        # d = 1: variance vs sd
    params1 = model.Params([0.45, 0.55], [[-1.0], [2.5]], [[[0.5]], [[0.8]]])
    return _Data(x, params, far, params, extra=[("d = 1", x1, params1)])


def _bernoulli_data(model):
    x = np.array([[1, 1, 0, 1], [0, 0, 1, 1], [0, 1, 1, 0], [1, 0, 0, 1],
                  [0, 1, 0, 1], [1, 0, 1, 0], [0, 0, 1, 0], [1, 1, 0, 1]])
    params = model.Params(weights=[0.4, 0.6], means=[[0.7, 0.6, 0.5, 0.3], [0.3, 0.4, 0.4, 0.8]])
    far = np.array([[0, 0, 1, 0], [1, 1, 0, 0], [1, 1, 1, 1]])    # p(x_far | theta_j) ~ 1e-400
    far_params = model.Params(weights=[0.4, 0.6], means=[[1e-200, 1e-200, 0.5, 0.5],
                                                          [0.5, 0.5, 1e-200, 1e-200]])
    return _Data(x, params, far, far_params)


_DATA = {"coins": _coins_data, "poisson": _poisson_data, "gaussian": _gaussian_data,
         "bernoulli": _bernoulli_data}
# Responsibilities of the 8 typical points: hard (3 and 5 points, each pixel of the Bernoulli
# data taking both values in both groups), soft (N_j = 3.25, 4.75) and soft over three
# components (a small third).
_LABELS = np.array([0, 1, 0, 1, 1, 0, 1, 1])
_RESP2 = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.4, 0.6],
                   [0.1, 0.9], [0.6, 0.4], [0.3, 0.7], [0.05, 0.95]])
_RESP3 = np.array([[6, 3, 1], [1, 7, 2], [5, 4, 1], [2, 6, 2],
                   [1, 8, 1], [7, 2, 1], [2, 5, 3], [1, 6, 3]]) / 10


def _data(model):
    maker = _DATA.get(_name(model))
    if maker is None or not all(hasattr(model, part) for part in ("Params", "log_joint", "m_step")):
        raise TypeError(f"no exercise problems for the model {_name(model)!r}; known models: "
                        f"{', '.join('emlab.' + m for m in _DATA)}")
    return maker(model)


def _posterior_problems(model):
    """(x, params) problems for the E-step and the log-likelihood."""
    data = _data(model)
    x, params, n = data.x, data.params, len(data.x)
    cases = [("typical", "typical", x, params),
             ("one point", "one point", x[:1], params),
             ("k = 1", "one component, k = 1", x, model.m_step(x, np.ones((n, 1)))),
             ("k = 3", "three components", x, model.m_step(x, _RESP3)),
             ("ties", "ties: two identical components", x, model.m_step(x, np.full((n, 2), 0.5))),
             ("a far point", "a point far from every component", data.far_x, data.far_params),
             *[(name, name, xe, pe) for name, xe, pe in data.extra]]
    return [_Problem(name, (xp, pp), about, far=xp is data.far_x, **_log_joint_context(model, xp, pp))
            for name, about, xp, pp in cases]


def _elbo_problems(model):
    """(x, params, q) problems: q is never the posterior (except for k = 1), one q has zeros."""
    problems = []
    for problem in _posterior_problems(model):
        x, params = problem.args
        problems.append(_Problem(problem.name, (x, params, _some_q(len(x), params.k)),
                                 problem.about, **problem.context))
    typical = problems[0]
    x, params = typical.args[:2]
    q = np.eye(2)[_LABELS]
    q[:3] = [0.25, 0.75]
    problems.insert(1, _Problem("q with zeros", (x, params, q), "q with zeros (0 log 0 = 0)",
                                **typical.context))
    for problem in problems:
        problem.context["zeros"] = bool(np.any(problem.args[2] == 0))
    return problems


def _some_q(n, k):
    """A fixed (n, k) distribution per row, all entries > 0."""
    a = 1.0 + (3 * np.arange(n)[:, None] + 5 * np.arange(k)[None, :]) % 7
    return a / a.sum(axis=1, keepdims=True)


def _m_step_problems(model):
    """(x, resp) problems for the M-step; the checker drops those its reference refuses."""
    data = _data(model)
    x, n = data.x, len(data.x)
    cases = [("typical", x, _RESP2),
             ("hard assignments", x, np.eye(2)[_LABELS]),
             ("k = 1", x, np.ones((n, 1))),
             ("one point", x[:1], np.array([[0.3, 0.7]])),
             ("k = 3", x, _RESP3),
             ("ties", x, np.full((n, 2), 0.5)),
             *[(name, xe, e_step(model, xe, pe)[0]) for name, xe, pe in data.extra]]
    about = {"ties": "ties: equal responsibilities, two identical components",
             "k = 1": "one component, k = 1", "k = 3": "three components"}
    return [_Problem(name, (xp, resp), about.get(name)) for name, xp, resp in cases]


def _weighted_mean_problems():
    counts = np.array([0, 1, 2, 3, 5, 7, 9, 12])
    points = np.array([[-2.1, -1.0], [-1.6, -2.2], [-2.8, -1.5], [1.2, 0.8], [2.0, 1.9]])
    cases = [("counts", counts, np.array([0.9, 0.8, 0.6, 0.5, 0.3, 0.2, 0.1, 0.05])),
             ("points in 2-D", points, np.array([0.7, 0.9, 0.6, 0.2, 0.1])),
             ("one point", points[:1], np.array([0.4])),
             ("some weights 0", counts, np.array([0.0, 0.0, 1.0, 0.5, 0.0, 0.25, 0.0, 0.0]))]
    return [_Problem(name, (x, r)) for name, x, r in cases]


def _log_joint_context(model, x, params):
    """The log joint and, for each mistake that changes it, what it becomes."""
    with np.errstate(divide="ignore"):
        log_pi = np.log(params.weights)
    log_joint = model.log_joint(x, params)
    variants = []
    if np.ptp(params.weights) > 0:
        variants += [("forgot the mixing weights pi_j", log_joint - log_pi),
                     ("used the mixing weights twice (log pi_j added twice)", log_joint + log_pi)]
    for field in _variance_fields(params):
        variances = np.asarray(getattr(params, field), dtype=float)
        for mistake, change in _VARIANCE_MISTAKES:
            try:
                wrong = dataclasses.replace(params, **{field: change(variances)})
                variants.append((mistake, model.log_joint(x, wrong)))
            except (ValueError, np.linalg.LinAlgError):
                pass
        if variances.ndim == 3:
            variants.append(("forgot the term -1/2 log |Sigma_j| of the Gaussian density",
                             log_joint + 0.5 * np.linalg.slogdet(variances)[1]))
    return dict(log_joint=log_joint, variants=variants)


def _variance_fields(params):
    return [f.name for f in dataclasses.fields(params) if f.init and ("cov" in f.name or "var" in f.name)]


def _matrix_power(a, power):
    """Elementwise for variances, through the eigendecomposition for (k, d, d) covariances."""
    a = np.asarray(a, dtype=float)
    if a.ndim < 3:
        return a ** power
    eig, vec = np.linalg.eigh(a)
    return (vec * eig[..., None, :] ** power) @ vec.transpose(0, 2, 1)


_VARIANCE_MISTAKES = [
    ("a standard deviation where a variance belongs (the covariances match Sigma_j's square root)",
     lambda a: _matrix_power(a, 0.5)),
    ("a variance where a standard deviation belongs (scipy.stats.norm's scale is the standard "
     "deviation, sqrt of the variance)", lambda a: _matrix_power(a, 2)),
    ("the precision Sigma_j^-1 where the covariance Sigma_j belongs", lambda a: _matrix_power(a, -1))]


# ------------------------------------------------------------------ judging one answer

def _judge_resp(problem, value, results):
    expected = problem.answer
    n, k = expected.shape
    if not isinstance(value, np.ndarray):
        if isinstance(value, tuple) and value and isinstance(value[0], np.ndarray):
            return (f"wrong type: returned {_describe(value)}; return only resp, an array of "
                    f"shape (n, k) = {expected.shape}")
        return (f"wrong type: returned {_describe(value)}, expected a numpy array resp of shape "
                f"(n, k) = {expected.shape}")
    if value.dtype.kind not in "iuf":
        return f"wrong type: returned an array of dtype {value.dtype}, expected floats"
    if value.shape != expected.shape:
        if value.shape == (k, n) and _close(value.T, expected):
            return (f"wrong shape {value.shape}: resp is transposed, expected (n, k) = {expected.shape}: "
                    "one row per point, one column per component")
        return f"wrong shape: returned {value.shape}, expected (n, k) = {expected.shape}"
    bad = ~np.isfinite(value)
    if np.any(bad):
        i = int(np.argmax(bad.any(axis=1)))
        if problem.context.get("far"):
            return (f"nan/inf in resp row {i}, a point far from every component: p(x_i, z_i = j) "
                    "underflows to 0 for every j and 0/0 = nan; stay in logs (subtract "
                    "logsumexp_j log p(x_i, z_i = j), then exp)")
        return f"nan/inf in resp row {i}"
    if _close(value, expected):
        return None
    log_joint = problem.context["log_joint"]
    sums = value.sum(axis=1)
    if not _close(sums, np.ones(n)):
        if problem.context.get("far") and _close(sums[:-1], np.ones(n - 1)):
            return (f"rows not summing to 1: row {n - 1}, a point far from every component, sums "
                    f"to {sums[-1]:.4g}: p(x_i, z_i = j) underflows to 0 there; stay in logs "
                    "(subtract logsumexp_j log p(x_i, z_i = j), then exp)")
        if _close(np.exp(value), expected):
            return "returned log responsibilities: exponentiate them (rows not summing to 1)"
        if _close(value, np.exp(log_joint - logsumexp(log_joint, axis=0))):
            return ("normalised over the points (each column sums to 1) instead of over the "
                    "components: rows not summing to 1")
        if _close(value, np.exp(log_joint)):
            return ("rows not summing to 1: that is p(x_i, z_i = j); divide each row by "
                    "p(x_i) = sum_j p(x_i, z_i = j)")
        i = int(np.argmax(np.abs(sums - 1)))
        return f"rows not summing to 1: row {i} sums to {sums[i]:.4g}"
    if np.all((value == 0) | (value == 1)) and not np.all((expected == 0) | (expected == 1)):
        return ("hard 0/1 assignments: r_ij is the posterior probability p(z_i = j | x_i), "
                "soft, between 0 and 1")
    if _close(value, log_joint / log_joint.sum(axis=1, keepdims=True)):
        return ("normalised the logs log p(x_i, z_i = j) themselves: exponentiate first, "
                "r_ij = exp(a_ij - logsumexp_j a_ij)")
    for mistake, wrong in problem.context["variants"]:
        if _close(value, posterior(wrong)[0]):
            return mistake
    for order in itertools.permutations(range(k)):
        if order != tuple(range(k)) and _close(value, expected[:, order]):
            return "components in the wrong order: column j of resp must belong to component j of params"
    return _Unnamed(f"differs from the reference at resp{_worst(value, expected)}")


def _judge_number(problem, value, results, variants, quantity):
    """Shared by the log-likelihood and the ELBO: one float, compared with structural variants."""
    expected = problem.answer
    if isinstance(value, np.ndarray) and value.ndim > 0:
        n = len(problem.args[0])
        if value.shape == (n,):
            return (f"wrong type: returned one value per point (an array of shape {value.shape}), "
                    "expected one number: sum over the points")
        return f"wrong type: returned {_describe(value)}, expected one number"
    if not _is_number(value):
        return f"wrong type: returned {_describe(value)}, expected one number (a float)"
    got = float(value)
    if not np.isfinite(got):
        if problem.context.get("zeros"):
            return (f"returned {got} where some q_ij = 0: count 0 log 0 as 0 "
                    "(scipy.special.xlogy, or leave those terms out)")
        if problem.context.get("far"):
            return (f"returned {got} at a point far from every component: p(x_i, z_i = j) "
                    "underflows to 0 there and log 0 = -inf; stay in logs (log_joint, logsumexp)")
        return f"returned {got}"
    if _close(got, expected):
        return None
    for mistake, wrong in variants:
        if wrong is not None and np.isfinite(wrong) and _close(got, wrong):
            return mistake
    offset = got - expected
    for other, outcome in results:
        if (other is not problem and not _close(other.answer, expected)
                and np.array_equal(other.args[0], problem.args[0]) and _is_number(outcome.value)
                and np.isfinite(float(outcome.value))):
            other_offset = float(outcome.value) - other.answer
            if _close(other_offset, offset):
                return (f"off by {offset:.4g}, the same for other parameters: a term without "
                        "parameters is missing or extra (log x_i!, log C(m_i, h_i), "
                        "d/2 log 2 pi, ...)")
    return _Unnamed(f"{_got_expected(got, expected)} ({quantity})")


def _judge_log_likelihood(problem, value, results):
    log_joint = problem.context["log_joint"]
    n = len(log_joint)
    log_px = logsumexp(log_joint, axis=1)
    resp = np.exp(log_joint - log_px[:, None])
    variants = [
        ("returned the likelihood p(x), not its log", np.exp(problem.answer)),
        ("used max_j log p(x_i, z_i = j) in place of log sum_j p(x_i, z_i = j)",
         np.sum(np.max(log_joint, axis=1))),
        ("returned the expected complete-data log-likelihood sum_ij r_ij log p(x_i, z_i = j), "
         "not log p(x)", np.sum(np.where(resp > 0, resp * log_joint, 0.0))),
        ("took the log-sum-exp over the points instead of over the components",
         np.sum(logsumexp(log_joint, axis=0))),
        ("took the log of the sum over all points: the log goes inside the sum over i, "
         "sum_i log p(x_i)", logsumexp(log_joint)),
        *[(mistake, np.sum(logsumexp(wrong, axis=1))) for mistake, wrong in problem.context["variants"]]]
    if n > 1:
        variants.insert(0, ("averaged over the points instead of summing", problem.answer / n))
    return _judge_number(problem, value, results, variants, "sum_i log p(x_i)")


def _judge_elbo(problem, value, results):
    x, params, q = problem.args
    log_joint = problem.context["log_joint"]
    n = len(q)

    def expected_log(joint):                    # sum_ij q_ij log p(x_i, z_i = j), 0 where q = 0
        return np.sum(np.where(q > 0, q * joint, 0.0))

    with np.errstate(divide="ignore"):
        entropy = -np.sum(np.where(q > 0, q * np.log(np.where(q > 0, q, 1.0)), 0.0))
    log_px = np.sum(logsumexp(log_joint, axis=1))
    kl = log_px - problem.answer
    variants = [
        ("missing the entropy term -sum_ij q_ij log q_ij", expected_log(log_joint)),
        ("the entropy term has the wrong sign: L = sum_ij q_ij (log p(x_i, z_i = j) - log q_ij)",
         expected_log(log_joint) - entropy),
        ("ignores q: returned the log-likelihood log p(x), which equals the ELBO only when q is "
         "the posterior", log_px),
        ("returned KL(q || p(z | x)) = log p(x) - L(q, theta), not the ELBO", kl),
        ("returned -KL(q || p(z | x)), not the ELBO L(q, theta) = log p(x) - KL", -kl),
        *[(mistake, expected_log(wrong) + entropy) for mistake, wrong in problem.context["variants"]]]
    k = q.shape[1]
    for order in itertools.permutations(range(k)):
        if order != tuple(range(k)):
            wrong_q = q[:, order]
            variants.append(("components in the wrong order: column j of q belongs to component j "
                             "of params", np.sum(np.where(wrong_q > 0, wrong_q * log_joint, 0.0)) + entropy))
    if n > 1:
        variants.insert(0, ("averaged over the points instead of summing", problem.answer / n))
    return _judge_number(problem, value, results, variants, "sum_ij q_ij (log p(x_i, z_i = j) - log q_ij)")


def _m_step_judge(model, options):
    params_type = model.Params
    fields = [f.name for f in dataclasses.fields(params_type) if f.init]
    spelled = f"{_name(model)}.Params({', '.join(fields)})"
    options_text = ", ".join(f"{key}={value!r}" for key, value in options.items())

    def judge(problem, value, results):
        x, resp = problem.args
        expected = problem.answer
        if not isinstance(value, params_type):
            return f"wrong type: returned {_describe(value)}, expected {spelled}"
        try:
            value = dataclasses.replace(value)          # builds it again, checking every field
        except Exception as exc:
            return f"returned a Params that fails validation: {_error_text(exc, with_type=False)}"
        got_k, want_k = len(value.weights), len(expected.weights)
        if got_k != want_k:
            return f"wrong number of components: returned k = {got_k}, expected k = {want_k}"
        for field in fields:
            got, want = np.shape(getattr(value, field)), np.shape(getattr(expected, field))
            if got != want:
                return f"wrong shape: {field} has shape {got}, expected {want}"
        if all(_close(getattr(value, f), getattr(expected, f)) for f in fields):
            return None
        for order in itertools.permutations(range(want_k)):
            if order != tuple(range(want_k)) and all(
                    _close(getattr(value, f), np.asarray(getattr(expected, f))[list(order)]) for f in fields):
                return "components in the wrong order: component j must use column j of resp"
        default = problem.context.get("without options")
        if default is not None and all(_close(getattr(value, f), getattr(default, f)) for f in fields):
            return f"ignores the option(s) {options_text}: this is the M-step without them"
        nk = resp.sum(axis=0)
        n = len(resp)
        for field in fields:
            got, want = np.asarray(getattr(value, field), float), np.asarray(getattr(expected, field), float)
            if _close(got, want):
                continue
            if field == "weights" and _close(got, np.full(want_k, 1 / want_k)):
                return "did not update the mixing weights: pi_j = N_j / n with N_j = sum_i r_ij"
            if field == "weights" and _close(got, (nk + 1) / (n + want_k)):
                return "mixing weights off by one: (N_j + 1) / (n + k) instead of N_j / n"
            factor = _component_factor(got, want)
            if factor is not None:
                if n > 1 and _close(factor, nk / n):
                    return f"divided by n instead of N_j = sum_i r_ij (in {field})"
                if _close(factor, nk):
                    return f"forgot to divide {field} by N_j = sum_i r_ij"
                if np.all(nk > 1) and _close(factor, nk / (nk - 1)):
                    return f"divided by N_j - 1 instead of N_j (in {field})"
            if field in _variance_fields(expected) and _close(_diagonal(got) ** 2, _diagonal(want)):
                return f"a standard deviation where a variance belongs: {field} holds square roots"
            return _Unnamed(f"{field} differs from the reference at {field}{_worst(got, want)}")
        return _Unnamed("differs from the reference")

    return judge


def _component_factor(got, want):
    """c_j with got[j] = c_j * want[j] for every component j, or None when there is none."""
    factors = []
    for g, w in zip(got.reshape(len(got), -1), want.reshape(len(want), -1)):
        nonzero = np.abs(w) > 1e-12
        if not np.any(nonzero) or not _close(g[~nonzero], 0 * g[~nonzero]):
            return None
        ratio = g[nonzero] / w[nonzero]
        if not _close(ratio, np.full(len(ratio), ratio[0])):
            return None
        factors.append(ratio[0])
    return np.array(factors)


def _diagonal(a):
    return np.diagonal(a, axis1=-2, axis2=-1) if a.ndim >= 3 else a


def _judge_weighted_mean(problem, value, results):
    x, r = problem.args
    expected = problem.answer
    if x.ndim == 1:
        if isinstance(value, np.ndarray) and value.shape == x.shape:
            if _close(value, r * x):
                return (f"wrong shape {value.shape}: forgot to sum over the points, returned r_i x_i "
                        "for each point")
            return f"wrong shape: returned one value per point (shape {value.shape}), expected one number"
        if not _is_number(value):
            return f"wrong type: returned {_describe(value)}, expected one number"
        value = float(value)
    else:
        want = expected.shape
        if not isinstance(value, np.ndarray):
            return f"wrong type: returned {_describe(value)}, expected a numpy array of shape (d,) = {want}"
        if value.shape == x.shape:
            return (f"wrong shape {value.shape}: forgot to sum over the points (axis 0), "
                    f"expected (d,) = {want}")
        if value.shape == (len(x),):
            return (f"wrong shape {value.shape}: summed over the wrong axis; sum over the points "
                    f"(axis 0), expected (d,) = {want}")
        if value.shape != want:
            return f"wrong shape: returned {value.shape}, expected (d,) = {want}"
        if value.dtype.kind not in "iuf":
            return f"wrong type: returned an array of dtype {value.dtype}, expected floats"
    if not np.all(np.isfinite(value)):
        return "returned nan/inf"
    if _close(value, expected):
        return None
    weighted = r @ x
    variants = [("divided by n instead of N = sum_i r_i", weighted / len(x)),
                ("forgot to divide by N = sum_i r_i", weighted),
                ("ignored the weights r: that is the plain mean of x", x.mean(axis=0)),
                ("summed x without weighting it by r", x.sum(axis=0) / r.sum())]
    for mistake, wrong in variants:
        if _close(value, wrong):
            return mistake
    if np.ndim(value) == 0:
        return _Unnamed(_got_expected(value, expected))
    return _Unnamed(f"differs from the reference at {_worst(value, expected)}")
