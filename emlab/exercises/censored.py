"""The checkers of notebook 09's exercises (EM for missing data): censored exponential lifetimes.

The model.  Lifetimes ``T_i ~ Exp(lambda)`` (rate lambda, mean 1/lambda); unit i is watched
until time ``t_i``: it failed then (``censored_i = 0``, ``T_i = t_i``) or was still working
(``censored_i = 1``, all we know is ``T_i > t_i``).  Data ``x`` (n, 2): ``[t_i, censored_i]``.
With d failures and m = n - d censored units:

    ell(lambda)         = d log lambda - lambda sum_i t_i      (density for a failure, survival
                                                                e^{-lambda t} for a censored unit)
    E[T_i | T_i > t_i]  = t_i + 1/lambda                        (memorylessness)
    E-step              S = sum_i E[T_i | x_i, lambda] = sum_i t_i + m / lambda
    M-step              lambda = n / S                          (the complete-data MLE n / sum T_i)
    information         I_c = n / lambda^2,  I_m = Var[score | x] = sum_censored Var[T_i | T_i > t_i]
                        = m / lambda^2,  I_obs = I_c - I_m = d / lambda^2      (Louis 1982)

    check_censored_model(model)         model: Params(rate), check_x(x),
                                        expected_stats(x, params) -> (S, ell),
                                        m_step(x, S) -> Params; then run by emlab.run_em
    check_censored_information(fn)      fn(x, rate) -> (I_c, I_m)

The student's functions run through ``report.call`` (on copies, warnings silenced, every
exception caught, arguments changed in place noted); each checker prints ONE line with
``report.say``, ``✓ ...`` or ``✗ ...`` naming the first mistake found (the usual ones by name:
a censored time taken as the lifetime, the 1/lambda without the time already lived, lambda
where 1/lambda belongs, a censored unit counted as a failure in ell, d where n belongs, the
missing information left out, ...) and the problem it was found on, and returns True or
False.  A skeleton that still raises ``NotImplementedError`` prints ``✗ not implemented yet``.
"""
import math
import warnings

import numpy as np

from ..em import run_em
from ..errors import ConvergenceWarning, MonotonicityWarning
from .report import call, close, describe, distinct, error_text, got_expected, is_number, say

__all__ = ["check_censored_model", "check_censored_information"]


# ------------------------------------------------------------------ the problems

class LifetimeProblem:
    """Lifetimes ``x`` (n, 2) ``[t_i, censored_i]`` and a rate lambda, with the reference's
    S = sum_i t_i + m / lambda and ell = d log lambda - lambda sum_i t_i."""

    def __init__(self, name, times, censored, rate):
        self.name, self.rate = name, float(rate)
        self.x = np.column_stack([np.asarray(times, float), np.asarray(censored, float)])

    @property
    def size(self):
        m = int(self.x[:, 1].sum())
        return f"n = {len(self.x)}, {m} censored, lambda = {self.rate:g}"

    @property
    def parts(self):
        """(t (n,), censored (n,) bool, n, m, lambda): what the reference and the mistakes use."""
        t, cens = self.x[:, 0], self.x[:, 1].astype(bool)
        return t, cens, len(t), int(cens.sum()), self.rate

    def total(self):
        t, cens, n, m, lam = self.parts
        return t.sum() + m / lam

    def ell(self, rate=None):
        t, cens, n, m, lam = self.parts
        lam = lam if rate is None else rate
        return (n - m) * math.log(lam) - lam * t.sum()


def lifetime_problems():
    """The six fixed problems, in the order the ✓ line lists them."""
    return [
        LifetimeProblem("typical", [0.4, 2.0, 1.3, 2.0, 0.2, 2.0, 0.9, 1.7], [0, 1, 0, 1, 0, 1, 0, 0], 0.7),
        LifetimeProblem("no censoring", [0.5, 1.2, 3.1, 0.7, 2.2], [0, 0, 0, 0, 0], 0.5),
        LifetimeProblem("every unit censored", [1.5, 1.5, 1.5, 1.5], [1, 1, 1, 1], 1.3),
        LifetimeProblem("one unit", [2.5], [0], 2.0),
        LifetimeProblem("censored at different times", [0.3, 4.0, 1.1, 0.8, 2.5, 6.0], [0, 1, 1, 0, 1, 0], 0.4),
        LifetimeProblem("a high rate", [0.01, 0.05, 0.05, 0.02, 0.05], [0, 1, 1, 0, 1], 25.0),
    ]


def _run_data():
    """The data run_em is run on after the steps pass: 40 lifetimes, rate 0.5, watched up to t = 3."""
    rng = np.random.default_rng(9)
    life = rng.exponential(2.0, 40)
    return np.column_stack([np.minimum(life, 3.0), (life > 3.0).astype(float)])


# ------------------------------------------------------------------ the checkers

def check_censored_model(model):
    """Check a model of censored exponential lifetimes (module docstring): its
    ``expected_stats(x, params) -> (S, ell)`` and ``m_step(x, S) -> Params`` on six fixed
    problems, then ``emlab.run_em`` on it.  Prints one line; returns True / False."""
    missing = [part for part in ("Params", "check_x", "expected_stats", "m_step")
               if not callable(getattr(model, part, None))]
    if missing:
        return say(False, f"the model needs {', '.join(missing)} (Params, check_x, expected_stats and "
                          f"m_step, e.g. a SimpleNamespace of them), got {describe(model)}")
    problems, outcomes = lifetime_problems(), []
    for index, problem in enumerate(problems):
        try:
            params = model.Params(problem.rate)
        except Exception as exc:
            return say(False, f"model.Params(rate) failed: {error_text(exc)}")
        outcomes.append(call(model.expected_stats, (problem.x, params), ("x", "params")))
        if index == 0 and isinstance(outcomes[0].error, NotImplementedError):
            return say(False, "not implemented yet")
    one_time = _one_censoring_time(problems, outcomes)
    for problem, outcome in zip(problems, outcomes):
        mistake = _judge_e_step(problem, outcome, one_time)
        if mistake is None:
            step = call(model.m_step, (problem.x, problem.total()), ("x", "S"))
            mistake = _judge_m_step(model, problem, step)
        if mistake:
            return say(False, f"{mistake} [problem '{problem.name}': {problem.size}]")
    verdict = _run(model)
    if verdict:
        return say(False, verdict)
    return say(True, f"E-step, log-likelihood and M-step right on all {len(problems)} problems "
                     f"({', '.join(p.name for p in problems)}); run_em on 40 lifetimes climbs to "
                     "the closed-form MLE d / sum t_i")


def check_censored_information(fn):
    """Check ``fn(x, rate) -> (I_c, I_m)``: the expected complete-data information
    ``n / lambda^2`` and the missing information ``Var[complete score | x] = m / lambda^2``
    (Louis 1982), on six fixed problems.  Prints one line; returns True / False."""
    if not callable(fn):
        return say(False, f"expected a function of (x, rate), got {describe(fn)}")
    problems = lifetime_problems()
    for index, problem in enumerate(problems):
        outcome = call(fn, (problem.x, problem.rate), ("x", "rate"))
        if index == 0 and isinstance(outcome.error, NotImplementedError):
            return say(False, "not implemented yet")
        mistake = _judge_information(problem, outcome)
        if mistake:
            return say(False, f"{mistake} [problem '{problem.name}': {problem.size}]")
    return say(True, f"complete and missing information right on all {len(problems)} problems; "
                     "I_c - I_m is the curvature of ell on each (Louis' formula)")


# ------------------------------------------------------------------ judging

def _one_censoring_time(problems, outcomes):
    """The one time c a student's S gives every censored unit (``sum_failed t_i + m (c +
    1/lambda)`` on every problem with censored units, for the same finite c), or None."""
    implied = []
    for problem, outcome in zip(problems, outcomes):
        t, cens, n, m, lam = problem.parts
        value = outcome.value
        if m and outcome.error is None and isinstance(value, tuple) and len(value) == 2 \
                and is_number(value[0]):
            implied.append((float(value[0]) - t[~cens].sum() - m / lam) / m)
    if len(implied) >= 3 and np.all(np.isfinite(implied)) and all(close(c, implied[0]) for c in implied):
        return implied[0]
    return None


def _judge_e_step(problem, outcome, one_time=None):
    if outcome.error is not None:
        return f"expected_stats raised {error_text(outcome.error)}"
    if outcome.changed:
        return _changed("expected_stats", outcome.changed)
    value = outcome.value
    if not (isinstance(value, tuple) and len(value) == 2):
        return (f"expected_stats must return a pair (S, ell): S = sum_i E[T_i | x_i, lambda] and "
                f"the log-likelihood, got {describe(value)}")
    stats, ell = value
    t, cens, n, m, lam = problem.parts
    if isinstance(stats, np.ndarray) and stats.shape == (n,) and close(stats, t + cens / lam):
        return ("expected_stats returned E[T_i | x_i] per unit (an array of shape (n,)); "
                "the statistic the M-step needs is their sum S")
    if not is_number(stats):
        return f"S must be one number, sum_i E[T_i | x_i, lambda], got {describe(stats)}"
    stats, want = float(stats), problem.total()
    if not close(stats, want):
        variants = [
            (t.sum(), "took a censored unit's time as its lifetime: it was still working, so "
                      "E[T | T > t] = t + 1/lambda (memorylessness), not t"),
            (t[~cens].sum() + m / lam, "gave a censored unit 1/lambda, forgetting the time t it had "
                                       "already lived: E[T | T > t] = t + 1/lambda"),
            (t.sum() + m * lam, "added lambda where 1/lambda belongs: an exponential with rate lambda "
                                "has mean 1/lambda"),
            (t[~cens].sum(), "left the censored units out of S: each contributes t + 1/lambda"),
            (t.sum() + n / lam, "added 1/lambda for every unit: only a censored unit's lifetime is "
                                "unknown; a failed unit's is t"),
            ((t.sum() + m / lam) / n, "returned a mean over the units: S is the sum"),
        ]
        if one_time is not None:
            variants.append((t[~cens].sum() + m * (one_time + 1 / lam),
                             f"gave every censored unit the same censoring time {one_time:.4g}: use "
                             "each unit's own time t_i = x[i, 0], E[T_i | T_i > t_i] = t_i + 1/lambda"))
        return _name_it("S", stats, want, variants)
    if not is_number(ell):
        return f"the log-likelihood must be one number, got {describe(ell)}"
    ell, want = float(ell), problem.ell()
    if not close(ell, want):
        q = n * math.log(lam) - lam * problem.total()
        variants = [
            (n * math.log(lam) - lam * t.sum(), "counted a censored unit as a failure at t (density "
             "lambda e^{-lambda t}): it only survived past t, which has probability e^{-lambda t}, "
             "no log lambda"),
            ((n - m) * math.log(lam) - lam * t[~cens].sum(), "left the censored units out of ell: each "
             "adds log P(T > t) = -lambda t"),
            (q, "returned Q, the expected complete-data log-likelihood n log lambda - lambda S; ell is "
                "the log-probability of what was observed: d log lambda - lambda sum_i t_i"),
            (-want, "has the wrong sign: ell = d log lambda - lambda sum_i t_i"),
            ((n - m) * math.log(lam) - t.sum() / lam, "used t / lambda where lambda t belongs: "
             "the density is lambda e^{-lambda t}"),
        ]
        return "log-likelihood: " + _name_it("ell", ell, want, variants)
    return None


def _judge_m_step(model, problem, outcome):
    if isinstance(outcome.error, NotImplementedError):
        return "m_step: not implemented yet"
    if outcome.error is not None:
        return f"m_step raised {error_text(outcome.error)}"
    if outcome.changed:
        return _changed("m_step", outcome.changed)
    value = outcome.value
    t, cens, n, m, lam = problem.parts
    if is_number(value):
        return f"m_step must return model.Params(rate), got the number {float(value):.4g}: wrap it"
    if not isinstance(value, model.Params):
        return f"m_step must return model.Params(rate), got {describe(value)}"
    rate = getattr(value, "rate", None)
    if not is_number(rate):
        return f"m_step's Params must hold the new rate as .rate, a number, got {describe(rate)}"
    rate, total = float(rate), problem.total()
    want = n / total
    if not close(rate, want):
        variants = [
            (total / n, "returned the mean lifetime S / n: the rate is its inverse, lambda = n / S"),
            ((n - m) / total, "divided the number of failures d by S: in the complete data all n "
                              "lifetimes are known, so lambda = n / S"),
            ((n - m) / t.sum(), "returned the closed-form MLE d / sum t_i: right at the end, but an "
                                "M-step maximises Q given S, lambda = n / S (EM then gets there)"),
            (n / t.sum(), "ignored S and used the observed times: the M-step is lambda = n / S"),
            (lam, "returned the rate it was given: the M-step must compute n / S"),
        ]
        return "M-step: " + _name_it("lambda", rate, want, variants)
    return None


def _judge_information(problem, outcome):
    if outcome.error is not None:
        return f"raised {error_text(outcome.error)}"
    if outcome.changed:
        return _changed("the function", outcome.changed)
    value = outcome.value
    if is_number(value):
        return ("returned one number: return the pair (I_c, I_m), the complete and the missing "
                "information, whose difference is I_obs")
    if not (isinstance(value, (tuple, list)) and len(value) == 2 and all(map(is_number, value))):
        return f"must return a pair of numbers (I_c, I_m), got {describe(value)}"
    i_c, i_m = map(float, value)
    t, cens, n, m, lam = problem.parts
    if not close(i_c, n / lam ** 2):
        variants = [
            ((n - m) / lam ** 2, "counted only the d failures in I_c: the complete data know all n "
                                 "lifetimes, I_c = n / lambda^2"),
            (n / lam, "forgot a square: -d^2/dlambda^2 (n log lambda - lambda S) = n / lambda^2"),
            (-n / lam ** 2, "has the wrong sign: information is minus the second derivative"),
            ((n - m) / lam ** 2 - m / lam ** 2, "returned I_obs - I_m; I_c = n / lambda^2"),
        ]
        return "I_c: " + _name_it("I_c", i_c, n / lam ** 2, variants)
    want = m / lam ** 2
    if not close(i_m, want):
        c = t[cens]
        variants = [
            (0.0, "no missing information: each censored lifetime is unknown, and Var[T | T > t] = "
                  "1/lambda^2 of it is missing"),
            (m / lam, "Var[T | T > t] is 1/lambda^2 (the variance of an exponential), not 1/lambda"),
            (float(np.sum((c + 1 / lam) ** 2)), "used E[T | T > t]^2, not the variance: Var[T | T > t] "
             "= 1/lambda^2 (memorylessness: T - t is again exponential)"),
            (float(np.sum(c ** 2 + 2 * c / lam + 2 / lam ** 2)), "used E[T^2 | T > t], not the variance: "
             "subtract E[T | T > t]^2, leaving 1/lambda^2"),
            (n / lam ** 2, "counted every unit as missing: only the m censored lifetimes are unknown"),
            (-want, "has the wrong sign: a variance is >= 0"),
        ]
        return "I_m: " + _name_it("I_m", i_m, want, variants)
    return None


def _name_it(what, got, want, variants):
    """The words of the first mistake [(its answer, words)] that ``got`` reproduces, where that
    answer is distinct from the right one ``want``; else the difference."""
    for value, words in variants:
        if close(got, value) and distinct(value, want):
            return words
    return f"{what} differs: {got_expected(got, want)}"


def _changed(who, names):
    return (f"{who} changed its input {names[0]} in place: compute new arrays instead "
            "(t = x[:, 0] + ..., not x[:, 0] += ...)")


def _run(model):
    """``emlab.run_em`` on the model and 40 lifetimes: None when it reaches the closed form
    d / sum t_i, else what went wrong."""
    x = _run_data()
    d, total = int((x[:, 1] == 0).sum()), x[:, 0].sum()
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        try:
            history = run_em(model, x, model.Params(1.0), tol=1e-12, max_iter=2000)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:            # the student's code must not stop Run All
            return f"emlab.run_em(model, x, model.Params(1.0)) raised {error_text(exc)}"
    kinds = {type(w.message) for w in caught}
    if MonotonicityWarning in kinds:
        return ("under run_em the log-likelihood your expected_stats returns went down: it is not "
                "the ell of the parameters it was given")
    if ConvergenceWarning in kinds or not history.converged:
        return "run_em did not converge in 2000 iterations from rate 1"
    rate = getattr(history.params[-1], "rate", None)
    if not is_number(rate) or not close(float(rate), d / total, rtol=1e-5):
        shown = format(float(rate), ".6g") if is_number(rate) else describe(rate)
        return f"run_em ended at rate {shown}, not at the MLE d / sum t_i = {d / total:.6g}"
    return None
