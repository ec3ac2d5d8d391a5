"""The fixed problems the step checkers pose, from the model.

A model may give its own problems through an optional part

    exercise_problems()     {name: (x, params)} (or (x, params, about)): named inputs of the
                            E-step, the log-likelihood, the ELBO and the EM loop, the first
                            one typical (n of a few points, k = 2, unequal weights)

as the built-in models (``emlab.coins``, ``poisson``, ``gaussian``, ``bernoulli``) do.  A model
without that part, or any model given ``data``, gets a default built from its own parts: a
random start ``init_random(data, 2, rng)``, 8 points drawn from it by ``sample(start, 8,
rng)`` (the first 8 points of data without ``sample``), and the Params one M-step fits to
them (unequal weights).

From the typical problem the checkers add the standard cases a model's set lacks, in this
order: one point, k = 1 (``m_step`` on r_i1 = 1), k = 3, ties (two identical components:
``m_step`` on r_ij = 1/2), a far point (a typical point scaled by 10, 100, ... until
``p(x_i, z_i = j)`` underflows in the probability domain for every j); a case that cannot be
built for a model is left out.  The M-step's problems are the typical points with fixed
responsibilities (soft, hard, k = 1, one point, k = 3, ties) and the other named problems'
posteriors.
"""
import numpy as np
from scipy.special import softmax

from ..mixture import e_step
from .report import LOG_TINY

# Responsibilities of 8 typical points: soft (N_j = 3.25, 4.75), hard (3 and 5 points, each
# pixel of the Bernoulli data taking both values in both groups), soft over three components
# (a small third).  Other n take the first rows, or repeat them.
RESP2 = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.4, 0.6],
                  [0.1, 0.9], [0.6, 0.4], [0.3, 0.7], [0.05, 0.95]])
LABELS = np.array([0, 1, 0, 1, 1, 0, 1, 1])
RESP3 = np.array([[6, 3, 1], [1, 7, 2], [5, 4, 1], [2, 6, 2],
                  [1, 8, 1], [7, 2, 1], [2, 5, 3], [1, 6, 3]]) / 10

ABOUT = {"k = 1": "one component, k = 1", "k = 3": "three components",
         "ties": "ties: two identical components", "a far point": "a point far from every component"}
M_STEP_ABOUT = {**ABOUT, "ties": "ties: equal responsibilities, two identical components"}
DERIVED = ("one point", "k = 1", "k = 3", "ties", "a far point")


def rows(table, n):
    """The first n rows of a table, repeated when n is larger."""
    return np.resize(table, (n,) + table.shape[1:])


def model_name(model):
    return getattr(model, "__name__", type(model).__name__).rpartition(".")[2]


def given(model, data=None):
    """The model's own named problems {name: (x, params, about)}, or the default from data;
    a TypeError when the model has none and no data are given."""
    if data is not None:
        problems = from_data(model, data)
    elif hasattr(model, "exercise_problems"):
        problems = model.exercise_problems()
    else:
        raise TypeError(f"no exercise problems for the model {model_name(model)!r}: give it a part "
                        "exercise_problems() returning {name: (x, params)}, or pass data=x to "
                        "build them from its init_random and sample")
    if not isinstance(problems, dict) or not problems or not all(
            isinstance(p, tuple) and len(p) in (2, 3) for p in problems.values()):
        raise TypeError(f"{model_name(model)}.exercise_problems() must return a non-empty dict "
                        f"{{name: (x, params)}} (or (x, params, about)), got {problems!r:.80}")
    return {name: (x, params, about[0] if about else ABOUT.get(name, name))
            for name, (x, params, *about) in problems.items()}


def from_data(model, data):
    """{"typical": (x, params)}: 8 points drawn from a random start, and one M-step's Params."""
    x = model.check_x(data)
    rng = np.random.default_rng(0)
    if hasattr(model, "init_random"):
        start = model.init_random(x, 2, rng)
    else:
        start = model.m_step(x, rows(RESP2, len(x)))
    if hasattr(model, "sample"):
        drawn = model.sample(start, 8, rng)
        x = model.check_x(drawn[0] if isinstance(drawn, tuple) else drawn)
    else:
        x = x[:8]
    resp = 0.75 * softmax(model.log_joint(x, start), axis=1) + 0.25 * rows(RESP2, len(x))
    try:
        params = model.m_step(x, resp)            # unequal weights, fitted to x
    except Exception:
        params = start
    return {"typical": (x, params)}


def posterior_cases(model, data=None):
    """[(name, about, x, params)]: the problems of the E-step, log-likelihood, ELBO, EM loop."""
    problems = given(model, data)
    first = next(iter(problems))
    x, params, _ = problems[first]
    n = len(x)
    derived = {"one point": lambda: (x[:1], params),      # in the order of DERIVED
               "k = 1": lambda: (x, model.m_step(x, np.ones((n, 1)))),
               "k = 3": lambda: (x, model.m_step(x, rows(RESP3, n))),
               "ties": lambda: (x, model.m_step(x, np.full((n, 2), 0.5))),
               "a far point": lambda: (far_point(model, x, params), params)}
    cases = [(first, problems[first][2], x, params)]
    for name, make in derived.items():
        if name in problems:
            cases.append((name, problems[name][2], *problems[name][:2]))
            continue
        try:
            xp, pp = make()
        except Exception:                 # a case this model cannot have is left out
            continue
        if xp is not None:
            cases.append((name, ABOUT.get(name, name), xp, pp))
    cases += [(name, about, xp, pp) for name, (xp, pp, about) in problems.items()
              if name != first and name not in DERIVED]
    return cases


def far_point(model, x, params):
    """A few typical points and one of them scaled (by 10, 100, ...) until p(x_i, z_i = j)
    underflows for every j while its log stays finite; None when no scaling does that."""
    for power in range(1, 9):
        factor = 10 ** power if x.dtype.kind in "iu" else 10.0 ** power
        for i in range(len(x)):
            others = [j for j in range(len(x)) if j != i][:3]
            candidate = np.concatenate([x[others], x[i:i + 1] * factor])
            try:
                candidate = model.check_x(candidate)
                with np.errstate(all="ignore"):
                    log_joint = np.asarray(model.log_joint(candidate, params), dtype=float)
            except Exception:
                continue
            if np.all(np.isfinite(log_joint)) and np.max(log_joint[-1]) < LOG_TINY:
                return candidate
    return None


def m_step_cases(model, data=None):
    """[(name, about, x, resp)]: fixed responsibilities for the typical points, then the
    posteriors of the model's other named problems."""
    problems = given(model, data)
    first = next(iter(problems))
    x = problems[first][0]
    n = len(x)
    cases = [(first, x, rows(RESP2, n)),
             ("hard assignments", x, np.eye(2)[rows(LABELS, n)]),
             ("k = 1", x, np.ones((n, 1))),
             ("one point", x[:1], np.array([[0.3, 0.7]])),
             ("k = 3", x, rows(RESP3, n)),
             ("ties", x, np.full((n, 2), 0.5))]
    for name, (xe, pe, about) in problems.items():
        if name != first and name not in DERIVED:
            try:
                cases.append((name, xe, e_step(model, xe, pe)[0]))
            except Exception:
                continue
    return [(name, M_STEP_ABOUT.get(name, name), xp, resp) for name, xp, resp in cases]


def some_q(n, k):
    """A fixed (n, k) distribution per row, all entries > 0 (never the posterior)."""
    a = 1.0 + (3 * np.arange(n)[:, None] + 5 * np.arange(k)[None, :]) % 7
    return a / a.sum(axis=1, keepdims=True)


def q_with_zeros(n):
    """(n, 2): hard rows, the first three 1/4, 3/4 (0 log 0 = 0 must be counted as 0)."""
    q = np.eye(2)[rows(LABELS, n)]
    q[:3] = [0.25, 0.75]
    return q


def labels_against(resp):
    """Every third point labelled, with its least probable component under resp; -1 elsewhere."""
    labels = np.full(len(resp), -1)
    labels[::3] = np.argmin(resp[::3], axis=1)
    return labels


def weighted_mean_cases():
    counts = np.array([0, 1, 2, 3, 5, 7, 9, 12])
    points = np.array([[-2.1, -1.0], [-1.6, -2.2], [-2.8, -1.5], [1.2, 0.8], [2.0, 1.9]])
    return [("counts", counts, np.array([0.9, 0.8, 0.6, 0.5, 0.3, 0.2, 0.1, 0.05])),
            ("points in 2-D", points, np.array([0.7, 0.9, 0.6, 0.2, 0.1])),
            ("one point", points[:1], np.array([0.4])),
            ("some weights 0", counts, np.array([0.0, 0.0, 1.0, 0.5, 0.0, 0.25, 0.0, 0.0]))]
