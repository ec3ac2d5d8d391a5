"""A model that is not a mixture, driven by emlab: a hidden Markov model fitted by Baum-Welch.

Jason Eisner's ice-cream diary (33 days of 1-3 ice creams eaten; hidden: was the day cold or
hot?).  The HMM, written here as a notebook cell would write it, gives its E-step as
``expected_stats`` (forward-backward in the log domain) and ``m_step(x, stats)``; emlab's
``run_em`` drives it, ``HalfSteps``, ``stepper`` and ``explorer`` show it.

The start: emissions cold .7/.2/.1 and hot .1/.2/.7 (1, 2, 3 ice creams), start .5/.5, and
transitions .8/.2, .2/.8 (weather persists: a day is more likely than not to be like the day
before; Eisner's spreadsheet has the same 0.8 of staying, with a stop state besides).

References, independent of the code under test: the E-step against enumeration of all 2^T
state paths of a 10-day prefix; the log-likelihood of every iteration on all 33 days against
``log(pi^T B_1 A B_2 ... A B_T 1)``, plain matrix products in the probability domain (no
underflow at T = 33); the fit against scipy.optimize, which cannot climb further from it.
"""
import itertools
import warnings
from dataclasses import dataclass
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np
import pytest
from scipy import optimize
from scipy.special import logsumexp, softmax

import emlab
from emlab import widgets
from emlab.widgets import halfsteps

DIARY = np.array([2, 3, 3, 2, 3, 2, 3, 2, 2, 3, 1, 3, 3, 1, 1, 1, 2, 1, 1, 1, 3, 1,
                  2, 1, 1, 1, 2, 3, 3, 2, 3, 2, 2]) - 1          # symbols 0, 1, 2 = 1, 2, 3 ice creams
COLD, HOT = 0, 1


@dataclass(frozen=True, eq=False)
class HMMParams:
    """``start`` pi (S,), ``transitions`` A (S, S) with A[i, j] = p(z_t+1 = j | z_t = i),
    ``emissions`` B (S, V) with B[i, v] = p(x_t = v | z_t = i); every row sums to 1."""
    start: np.ndarray
    transitions: np.ndarray
    emissions: np.ndarray

    def __post_init__(self):
        for name in ("start", "transitions", "emissions"):
            value = np.array(getattr(self, name), dtype=float)
            if np.any(value < 0) or not np.allclose(value.sum(axis=-1), 1):
                raise ValueError(f"{name} must hold distributions (rows summing to 1)")
            object.__setattr__(self, name, value)


class HMMStats(NamedTuple):
    """The E-step's expected sufficient statistics."""
    start: np.ndarray            # (S,) p(z_1 = i | x)
    transitions: np.ndarray      # (S, S) sum_t p(z_t = i, z_t+1 = j | x)   (summed xi)
    emissions: np.ndarray        # (S, V) sum_t p(z_t = i | x) [x_t = v]
    posteriors: np.ndarray       # (T, S) gamma_t(i) = p(z_t = i | x), which the view draws


def check_x(x):
    x = np.array(x)
    if x.ndim != 1 or len(x) < 2 or x.dtype.kind not in "iu" or np.any((x < 0) | (x > 2)):
        raise ValueError("x must be (T,) symbols 0, 1, 2 with T >= 2")
    return x


def logs(params):
    with np.errstate(divide="ignore"):                # a probability fitted to 0: log 0 = -inf
        return np.log(params.start), np.log(params.transitions), np.log(params.emissions)


def expected_stats(x, params):
    """Forward-backward in the log domain: alpha_t(i) = p(x_1..t, z_t = i),
    beta_t(i) = p(x_t+1..T | z_t = i), l = log sum_i alpha_T(i)."""
    log_pi, log_a, log_b = logs(params)
    emit = log_b[:, x].T                                                  # (T, S)
    alpha, beta = np.empty_like(emit), np.zeros_like(emit)
    alpha[0] = log_pi + emit[0]
    for t in range(1, len(x)):
        alpha[t] = logsumexp(alpha[t - 1][:, None] + log_a, axis=0) + emit[t]
    for t in range(len(x) - 2, -1, -1):
        beta[t] = logsumexp(log_a + emit[t + 1] + beta[t + 1], axis=1)
    ell = logsumexp(alpha[-1])
    gamma = np.exp(alpha + beta - ell)
    xi = np.exp(alpha[:-1, :, None] + log_a + (emit[1:] + beta[1:])[:, None, :] - ell)   # (T-1, S, S)
    counts = np.stack([gamma[x == v].sum(axis=0) for v in range(log_b.shape[1])], axis=1)
    return HMMStats(gamma[0], xi.sum(axis=0), counts, gamma), float(ell)


def m_step(x, stats):
    """Baum-Welch: pi = gamma_1, A[i, j] proportional to sum_t xi_t(i, j), B[i, v] to the
    expected number of days in state i with symbol v."""
    return HMMParams(stats.start, stats.transitions / stats.transitions.sum(axis=1, keepdims=True),
                     stats.emissions / stats.emissions.sum(axis=1, keepdims=True))


def init_random(x, k, rng):
    """k hidden states: every row a Dirichlet(1, ..., 1) draw."""
    return HMMParams(rng.dirichlet(np.ones(k)), rng.dirichlet(np.ones(k), size=k),
                     rng.dirichlet(np.ones(3), size=k))


hmm = SimpleNamespace(Params=HMMParams, check_x=check_x, expected_stats=expected_stats, m_step=m_step,
                      init_random=init_random)

START = HMMParams([0.5, 0.5], [[0.8, 0.2], [0.2, 0.8]], [[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]])


# ---------------------------------------------------------------- independent references

def brute_force(x, params):
    """Enumerate every one of the S^T state paths: (l, posteriors (T, S), summed pairwise
    posteriors (S, S), emission counts (S, V))."""
    paths = np.array(list(itertools.product(range(len(params.start)), repeat=len(x))))       # (S^T, T)
    joint = (params.start[paths[:, 0]] * np.prod(params.transitions[paths[:, :-1], paths[:, 1:]], axis=1)
             * np.prod(params.emissions[paths, x], axis=1))
    weight = joint / joint.sum()
    states = np.arange(len(params.start))
    gamma = np.stack([weight @ (paths[:, t, None] == states) for t in range(len(x))])
    pairs = np.zeros((len(states),) * 2)
    for t in range(len(x) - 1):
        np.add.at(pairs, (paths[:, t], paths[:, t + 1]), weight)
    counts = np.stack([gamma[x == v].sum(axis=0) for v in range(params.emissions.shape[1])], axis=1)
    return np.log(joint.sum()), gamma, pairs, counts


def matrix_product_log_likelihood(x, params):
    """``log(pi^T B_1 A B_2 ... A B_T 1)`` with ``B_t = diag(B[:, x_t])``."""
    row = params.start * params.emissions[:, x[0]]
    for symbol in x[1:]:
        row = (row @ params.transitions) * params.emissions[:, symbol]
    return float(np.log(row.sum()))


def fitted(x, max_iter=2000):
    with warnings.catch_warnings():
        warnings.simplefilter("error")                  # no ConvergenceWarning, no MonotonicityWarning
        return emlab.run_em(hmm, x, START, max_iter=max_iter, tol=1e-12)


# ---------------------------------------------------------------- the E-step

@pytest.mark.parametrize("params", [START, HMMParams([0.9, 0.1], [[0.6, 0.4], [0.05, 0.95]],
                                                     [[0.5, 0.3, 0.2], [0.05, 0.15, 0.8]])],
                         ids=["start", "other"])
def test_forward_backward_is_the_enumeration_of_all_paths(params):
    x = DIARY[:10]                                       # 2^10 = 1024 paths
    stats, ell = emlab.expected_stats(hmm, x, params)
    ell_bf, gamma_bf, pairs_bf, counts_bf = brute_force(x, params)
    differences = {"l": abs(ell - ell_bf), "posteriors": np.abs(stats.posteriors - gamma_bf).max(),
                   "start": np.abs(stats.start - gamma_bf[0]).max(),
                   "xi": np.abs(stats.transitions - pairs_bf).max(),
                   "emissions": np.abs(stats.emissions - counts_bf).max()}
    print(f"max abs differences from the enumeration ({len(x)} days):",
          ", ".join(f"{name} {value:.1e}" for name, value in differences.items()))
    assert differences["l"] <= 1e-12 * abs(ell_bf)
    assert max(differences.values()) <= 1e-12
    assert emlab.log_likelihood(hmm, x, params) == ell


def test_a_mixture_formula_would_miss_the_posteriors_by_far():
    """The bug this guards against: a stepper that took each day on its own (p(z_t) from
    emissions alone, as a mixture's E-step would) showed posteriors off by up to 0.988."""
    x = DIARY[:10]
    _, gamma_bf, _, _ = brute_force(x, START)
    per_day = START.start * START.emissions[:, x].T
    per_day /= per_day.sum(axis=1, keepdims=True)
    miss = np.abs(per_day - gamma_bf).max()
    print(f"a mixture's per-day formula misses the posteriors by up to {miss:.3f}")
    assert miss > 0.1                                    # what the tests below would notice


# ---------------------------------------------------------------- Baum-Welch through run_em

def test_baum_welch_through_run_em_climbs_to_a_maximum():
    history = fitted(DIARY)
    assert history.converged and history.engine == "plain"
    ell = history.log_likelihood
    reference = [matrix_product_log_likelihood(DIARY, p) for p in history.params]
    np.testing.assert_allclose(ell, reference, rtol=1e-12)
    steps = np.diff(ell)
    print(f"Baum-Welch on {len(DIARY)} days: {history.n_iter} iterations, l {ell[0]:.6f} -> {ell[-1]:.6f}, "
          f"smallest step {steps.min():.2e}")
    assert np.all(steps >= -1e-12 * np.abs(ell[:-1]))    # l never decreases (to rounding)
    assert ell[-1] >= ell[0] + 1.0

    def negative(logits):                                # unconstrained: softmax of each row
        pi, a, b = logits[:2], logits[2:6].reshape(2, 2), logits[6:].reshape(2, 3)
        params = HMMParams(softmax(pi), softmax(a, axis=1), softmax(b, axis=1))
        return -matrix_product_log_likelihood(DIARY, params)

    found = history.params[-1]
    with np.errstate(divide="ignore"):
        logits = np.log(np.concatenate([found.start, found.transitions.ravel(), found.emissions.ravel()]))
    logits = np.maximum(logits, -30.0)                   # a probability fitted to 0
    better = optimize.minimize(negative, logits, method="BFGS")
    print(f"scipy.optimize from the fit: l {-better.fun:.9f} (EM: {ell[-1]:.9f}); fitted A "
          f"{found.transitions.round(4).tolist()}, B {found.emissions.round(4).tolist()}")
    assert -better.fun <= ell[-1] + 1e-6


def test_history_keeps_the_models_own_stats():
    history = emlab.run_em(hmm, DIARY, START, max_iter=5, tol=0)
    assert repr(history).startswith("History(model=SimpleNamespace, n=33, iterations=5")
    for theta, stats in zip(history.params, history.stats):
        expected, _ = expected_stats(DIARY, theta)
        np.testing.assert_array_equal(stats.posteriors, expected.posteriors)
    for before, after in zip(history.stats, history.params[1:]):
        np.testing.assert_allclose(after.transitions, m_step(DIARY, before).transitions, rtol=1e-15)


# ---------------------------------------------------------------- the stepper and the explorer

class PosteriorView(widgets.View):
    """Each day's posterior p(z_t = hot | x) from the stats the half-step shows (none before the
    first E-step); the log-likelihood."""

    def color_count(self, history):
        return len(history.params[0].start)

    def draw_state(self, params, stats):
        (self.line,) = self.ax.plot(np.arange(1, len(self.history.x) + 1), self.hot(stats), "o-",
                                    color=self.colors[HOT])
        self.ax.set(ylim=(-0.05, 1.05), xlabel="day", ylabel="p(hot | diary)")
        self.moving(self.line)

    def update_state(self, params, stats):
        self.line.set_ydata(self.hot(stats))

    def hot(self, stats):
        return np.full(len(self.history.x), np.nan) if stats is None else stats.posteriors[:, HOT]


@pytest.fixture
def registered():
    widgets.register_view(hmm, PosteriorView)
    yield
    widgets.registry._VIEWS.remove((HMMParams, PosteriorView))


def shown_by_enumeration(history, source):
    """The posteriors of the E-step at params[source], by enumeration; None before the first
    E-step (source None)."""
    return None if source is None else brute_force(history.x, history.params[source])[1]


# (half-step, the params shown, the E-step whose posteriors are shown, the caption), in the
# order EM runs: the start, then each iteration t's E-step (at params[t]) and M-step
# (params[t + 1] from those posteriors).
HALF_STEPS = [(0, 0, None, "θ⁽⁰⁾, the start"),
              (1, 0, 0, "iteration 0, E-step: posterior at θ⁽⁰⁾"),
              (2, 1, 0, "iteration 0, M-step: θ⁽¹⁾"),
              (3, 1, 1, "iteration 1, E-step: posterior at θ⁽¹⁾"),
              (9, 4, 4, "iteration 4, E-step: posterior at θ⁽⁴⁾"),
              (10, 5, 4, "iteration 4, M-step: θ⁽⁵⁾"),
              (13, 6, 6, "iteration 6, E-step: posterior at θ⁽⁶⁾")]


@pytest.mark.parametrize("keep_resp", [True, False])
def test_half_steps_show_the_models_own_posteriors(keep_resp):
    x = DIARY[:12]                                       # 2^12 paths
    history = emlab.run_em(hmm, x, START, max_iter=6, tol=0, keep_resp=keep_resp)
    assert (history.stats[3] is None) is not keep_resp   # not kept: HalfSteps asks the model again
    steps, worst = halfsteps.HalfSteps(history), 0.0
    for step, shown, source, _ in HALF_STEPS:
        params, stats = steps.state(step)
        assert params is history.params[shown]
        expected = shown_by_enumeration(history, source)
        if expected is None:
            assert stats is None
        else:
            worst = max(worst, np.abs(stats.posteriors - expected).max())
    print(f"HalfSteps (keep_resp={keep_resp}): max abs difference from the enumeration {worst:.1e}")
    assert worst <= 1e-12


def test_a_stepper_draws_the_models_own_posteriors(registered):
    x = DIARY[:12]
    history = emlab.run_em(hmm, x, START, max_iter=6, tol=0, keep_resp=False)
    w = widgets.stepper(history, dpi=30)
    assert type(w.view) is PosteriorView
    for step, shown, source, caption in HALF_STEPS:
        w.half_step.value = step
        drawn, expected = w.view.line.get_ydata(), shown_by_enumeration(history, source)
        if expected is None:
            assert np.all(np.isnan(drawn))
        else:
            np.testing.assert_allclose(drawn, expected[:, HOT], rtol=0, atol=1e-12)
        assert w.view.caption.get_text() == caption and caption in w.status.value
        assert w.view.ll_marker.get_ydata()[0] == history.log_likelihood[shown]
    assert "<img" in widgets.animate(history, frames=4, dpi=20).to_jshtml()       # plays without a kernel
    with pytest.raises(TypeError, match="PoissonView draws a mixture's components, one colour each, but "
                                        "SimpleNamespace is not a mixture"):
        widgets.PoissonView(history)                     # counts (T,), as its data are, but not a mixture


def test_an_explorer_reruns_it_and_shows_its_posteriors(registered):
    x = DIARY[:12]
    e = widgets.explorer(hmm, x, K=2, seed=3, max_iter=8, tol=0, dpi=30)
    assert list(e.controls) == ["K", "seed"]                # a random start of K hidden states
    for seed in (3, 5):
        e.controls["seed"].value = seed
        reference = emlab.run_em(hmm, x, init_random(x, 2, np.random.default_rng(seed)), max_iter=8, tol=0)
        np.testing.assert_array_equal(e.history.log_likelihood, reference.log_likelihood)
        assert f"K = 2, init = random, seed = {seed}" in e.caption.value
        e.stepper.half_step.value = 11                     # iteration 5's E-step: at params[5]
        np.testing.assert_allclose(e.stepper.view.line.get_ydata(),
                                   brute_force(x, e.history.params[5])[1][:, HOT], rtol=0, atol=1e-12)
    e.controls["K"].value = 3                                # three hidden states: 3^12 paths
    assert e.history.params[0].transitions.shape == (3, 3) and len(e.stepper.view.colors) == 3
