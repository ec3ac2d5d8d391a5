"""The checkers of whole EM runs: a student's EM loop, and restarts that keep the best run.

    check_em_loop(model, fn)    fn(x, params, max_iter, tol) -> (params, log_likelihoods)
    check_restarts(fn)          fn(x, k, seeds) -> History (or None)

Both compare with ``emlab.run_em``: the same steps (the model's ``log_joint`` and ``m_step``)
and the same stopping rule, stop after the first M-step t at which the mean per-point
log-likelihood changed by less than tol, ``|l_t - l_{t-1}| / n < tol``, or after max_iter M-steps.
"""
import warnings

import numpy as np

from .. import gaussian
from ..em import History, run_em
from ..errors import CollapseError
from . import problems as sets
from .report import Problem, Unnamed, check, close, describe, distinct, field_names, got_expected, which_mistake, worst
from .steps import as_mixture

MAX_ITER = 100


def check_em_loop(model, fn, *, data=None):
    """Check a whole EM loop ``fn(x, params, max_iter, tol) -> (params, log_likelihoods)``.

    From ``params``, repeat the E-step (r_ij = p(z_i = j | x_i, theta), Bishop eq. 9.23) and the
    M-step (the model's closed form) at most ``max_iter`` times; stop after the first M-step t
    with ``|l_t - l_{t-1}| / n < tol``, l = sum_i log p(x_i | theta) (Bishop eq. 9.14).  Return
    the last params and ``log_likelihoods``, l at the start and after each M-step (n_iter + 1
    values, never decreasing: Bishop sec. 9.4).  Compared with ``emlab.run_em``; problems: the
    model's typical one stopped by max_iter = 3 (2 or 1 when EM converges sooner), then by tol,
    and k = 1.  ``data``: build the problems from these data (see ``check_e_step``).
    """
    model = as_mixture(model)
    cases = sets.posterior_cases(model, data)
    x, params = cases[0][2:]
    full = _full_run(model, x, params)
    delta = np.abs(np.diff(full)) / len(x)
    floor = 1e-10 * max(1.0, abs(full[0]) / len(x))         # changes below this are rounding
    problems = []
    for max_iter in (3, 2, 1):                  # stopped by max_iter, a few M-steps in
        tol = _tol_after(delta, max_iter, floor)
        if tol is not None:
            problems.append(_loop_problem(f"max_iter = {max_iter}", x, params, max_iter, tol, full))
            break
    tol = _tol_after(delta, None, floor)
    if tol is not None:
        problems.append(_loop_problem("converged", x, params, MAX_ITER, tol, full))
    for name, _, x1, params1 in cases:
        if name == "k = 1":                     # converged after one M-step
            problems.append(_loop_problem(name, x1, params1, MAX_ITER, 1e-6, _full_run(model, x1, params1)))
    answered = []
    for problem in problems:
        try:
            problem.answer = _run(model, *problem.args)
        except Exception:
            continue
        answered.append(problem)
    if not answered:
        raise ValueError(f"run_em raised on every problem of the model {sets.model_name(model)!r}")
    return check("EM loop", fn, ("x", "params", "max_iter", "tol"), answered, _loop_judge(model))


def _loop_problem(name, x, params, max_iter, tol, full):
    return Problem(name, (x, params, max_iter, tol), full=full,
                   size=f"n = {len(x)}, k = {params.k}, max_iter = {max_iter}, tol = {tol:.2g}")


def _run(model, x, params, max_iter, tol):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_em(model, x, params, max_iter=max_iter, tol=tol, engine="plain")


def _full_run(model, x, params):
    """l at the start and after each of MAX_ITER M-steps (fewer when a component collapses)."""
    try:
        return _run(model, x, params, MAX_ITER, 0).log_likelihood
    except CollapseError as exc:
        return exc.history.log_likelihood


def _tol_after(delta, max_iter, floor):
    """A tol for the stopping rule, midway (geometrically) between two successive per-point
    changes delta_(t-1) > delta_t (by a factor of 1.25 at least, so that rounding never moves
    the stop): with max_iter, a tol no change of the first max_iter M-steps is below (run_em
    stops at max_iter, a loop ignoring max_iter soon after); else the first such t >= 3
    (t >= 2 when none), where run_em stops.  None when there is none."""
    firsts = (max_iter + 1,) if max_iter else (3, 2)
    for first in firsts:
        for t in range(first, len(delta) + 1):
            above, below = delta[:t - 1].min(), delta[t - 1]
            if above > floor and below < above / 1.25:
                return float(np.sqrt(max(below, floor) * above))
    return None


def _loop_judge(model):
    def judge(problem, value, results):
        x, start, max_iter, tol = problem.args
        history, full = problem.answer, problem.context["full"]
        if isinstance(value, History):
            return "returned a History: return (params, log_likelihoods)"
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            return f"wrong type: returned {describe(value)}, expected (params, log_likelihoods)"
        params, lls = value
        if isinstance(lls, model.Params) and not isinstance(params, model.Params):
            return "returned (log_likelihoods, params): return (params, log_likelihoods)"
        if not isinstance(params, model.Params):
            return f"wrong type: params is {describe(params)}, expected the model's Params"
        try:
            lls = np.asarray(lls, dtype=float)
        except Exception:
            return f"wrong type: log_likelihoods is {describe(value[1])}, expected a list of numbers"
        if lls.ndim != 1 or len(lls) == 0:
            return f"wrong shape: log_likelihoods has shape {lls.shape}, expected (n_iter + 1,)"
        if not np.all(np.isfinite(lls)):
            return f"nan/inf in log_likelihoods[{int(np.argmin(np.isfinite(lls)))}]"
        want = history.log_likelihood
        t_right, t = len(want) - 1, len(lls) - 1
        if t == t_right and close(lls, want):
            got, final = _vector(params), _vector(history.params[-1])
            if close(got, final):
                return None
            return which_mistake(got, final, [
                ("returned the initial params: return the params after the last M-step", _vector(start)),
                ("returned the params before the last M-step", _vector(history.params[-2]))]) \
                or Unnamed(f"log_likelihoods right, params differ at {worst(got, final)}")
        n = len(x)
        prefix = t < len(full) and close(lls, full[:t + 1])
        if prefix:
            return _stopping_mistake(t, history, full, n, max_iter, tol)
        for mistake, wrong in (
                ("log_likelihoods starts after the first M-step: put l at the initial params first "
                 "(n_iter + 1 values)", full[1:t + 2]),
                ("recorded the mean per-point log-likelihood; record l = sum_i log p(x_i)", full[:t + 1] / n)):
            if len(wrong) == len(lls) and close(lls, wrong) and distinct(wrong, full[:len(wrong)]):
                return mistake
        drop = np.flatnonzero(np.diff(lls) < -1e-9 * np.maximum(1, np.abs(lls[:-1])))
        if len(drop):
            s = int(drop[0])
            return (f"l decreased from log_likelihoods[{s}] = {lls[s]:.6g} to [{s + 1}] = {lls[s + 1]:.6g}: "
                    "EM never decreases the log-likelihood (Bishop sec. 9.4); check the E- and M-steps")
        s = int(np.argmax(~np.isclose(lls[:len(full)], full[:len(lls)], rtol=1e-6, atol=1e-8)))
        if s < min(len(lls), len(full)) and not close(lls[s], full[s]):
            return Unnamed(f"log_likelihoods[{s}]: {got_expected(lls[s], full[s])}")
        return Unnamed(f"stopped after {t} M-steps, run_em after {t_right}")

    return judge


def _stopping_mistake(t, history, full, n, max_iter, tol):
    """The stopping rule that stops after t M-steps where run_em stops (``history``)."""
    change = np.abs(np.diff(full))                          # |l_t - l_(t-1)|, t = 1, 2, ...
    t_right = history.n_iter

    def first_below(limit, cap):
        below = np.flatnonzero(change[:cap] < limit)
        return int(below[0]) + 1 if len(below) else cap
    if history.converged:
        rules = [("stopping rule off by one: stop after the first M-step t with |l_t - l_(t-1)| / n < tol",
                  {t_right - 1, t_right + 1}),
                 (f"never stopped before max_iter = {max_iter}: stop once |l_t - l_(t-1)| / n < tol", {max_iter}),
                 ("compared the change of the total l with tol; the rule is on the mean per point, "
                  "|l_t - l_(t-1)| / n < tol", {first_below(tol, max_iter)})]
    else:
        rules = [(f"ran past max_iter = {max_iter}: at most max_iter M-steps",
                  {first_below(n * tol, len(change)), max_iter + 1}),
                 (f"stopped one M-step before max_iter = {max_iter}: max_iter counts the M-steps", {max_iter - 1})]
    found = [mistake for mistake, stops in rules if t in stops - {t_right}]
    where = f"stopped after {t} M-steps, run_em after {t_right}"
    return f"{found[0]} ({where})" if len(found) == 1 else Unnamed(where)


def _vector(params):
    """A Params' fields, one after the other, as one float array."""
    return np.concatenate([np.ravel(np.asarray(getattr(params, f), dtype=float)) for f in field_names(params)])


# ------------------------------------------------------------------ restarts

# 15 points in three groups and one far away.  EM from init_random(x, 3, default_rng(seed))
# with run_em's defaults converges for seeds 2, 3, 5, 8 (final l -42.41, -33.32, -31.93, -41.58;
# seed 8 starts highest of 2, 3, 8), has not converged after 100 M-steps for 6 (-41.39), and
# collapses for 4 and 10 (l -18.49 before the collapse).
RESTART_X = np.array([[-0.4, -0.66], [-0.12, 0.21], [0.57, 0.05], [-0.28, -0.39], [0.37, 0.82],
                      [3.14, 0.38], [2.52, 1.8], [3.1, 0.13], [2.96, 0.42], [2.69, 0.76],
                      [0.64, 3.28], [0.97, 2.71], [1.2, 3.41], [0.18, 2.87], [6.0, 6.0]])
RESTART_SEEDS = {"a collapse among the seeds": [3, 2, 10, 5, 8], "a run that did not converge": [8, 6, 2],
                 "every run collapses": [4, 10], "one seed": [3], "the best start ends lower": [2, 8, 3]}


def check_restarts(fn):
    """Check restarts ``fn(x, k, seeds) -> History``: for each seed, EM for the Gaussian mixture
    from ``gaussian.init_random(x, k, np.random.default_rng(seed))`` with ``emlab.run_em``'s
    defaults; a run that raises ``emlab.CollapseError`` is dropped; return the History of the
    converged run with the highest final log-likelihood (the first of equals), None when no
    run converged.  x (n, d), k components, seeds a list of ints.
    """
    problems = []
    for name, seeds in RESTART_SEEDS.items():
        runs = [_restart(RESTART_X, 3, seed) for seed in seeds]
        problem = Problem(name, (RESTART_X, 3, seeds), size=f"n = {len(RESTART_X)}, k = 3, seeds = {seeds}",
                          runs=runs, hints={"CollapseError": "a restart collapsed; catch emlab.CollapseError "
                                            "and go on with the next seed"})
        problem.answer = _best([h for h, collapsed in runs if not collapsed and h.converged])
        problems.append(problem)
    return check("restarts", fn, ("x", "k", "seeds"), problems, _judge_restarts)


def _restart(x, k, seed):
    """(History, collapsed): the run from one seed; a collapsed run's History up to the collapse."""
    start = gaussian.init_random(x, k, np.random.default_rng(seed))
    try:
        return _run(gaussian, x, start, MAX_ITER, 1e-6), False
    except CollapseError as exc:
        return exc.history, True


def _best(histories, key=lambda h: h.log_likelihood[-1], pick=max):
    return pick(histories, key=key) if histories else None


def _judge_restarts(problem, value, results):
    runs, expected = problem.context["runs"], problem.answer
    if expected is None:
        return None if value is None else (f"returned {describe(value)} although every run collapsed: "
                                           "return None when no run converges")
    if not isinstance(value, History):
        return f"wrong type: returned {describe(value)}, expected the History of the best converged run"

    def vector(h):
        return None if h is None else np.r_[h.log_likelihood[-1], _vector(h.params[-1])]
    got, want = vector(value), vector(expected)
    if close(got, want):
        return None
    converged = [h for h, collapsed in runs if not collapsed and h.converged]
    finished = [h for h, collapsed in runs if not collapsed]
    mistake = which_mistake(got, want, [
        ("kept the run with the lowest log-likelihood: keep the highest", vector(_best(converged, pick=min))),
        ("kept the first converged run, not the best", vector(converged[0] if converged else None)),
        ("kept the last converged run, not the best", vector(converged[-1] if converged else None)),
        ("kept a run that did not converge: keep only runs with History.converged", vector(_best(finished))),
        ("kept a collapsed run (its l grows without bound as a covariance shrinks): drop the runs that "
         "raise CollapseError", vector(_best(converged + [h for h, collapsed in runs if collapsed]))),
        ("compared the initial log-likelihoods (log_likelihood[0]); compare the final ones",
         vector(_best(converged, key=lambda h: h.log_likelihood[0])))])
    return mistake or Unnamed(f"final log-likelihood {got_expected(got[0], want[0])}")
