"""What each half-step of a History shows, in the order EM performs them: no drawing here (and
no matplotlib).

A run of T = ``history.n_iter`` iterations is shown as 2T + 2 half-steps, numbered by the
half-step index s = 0, 1, ..., 2T + 1 (``last_step(T)``), as time runs:

    s = 0        the start: theta^(0), nothing inferred yet (a mixture shows every unlabelled
                 point at the prior ``pi^(0)``, neutral colours; any other model no stats, None)
    s = 2t + 1   the E-step of iteration t: the stats at theta^(t), ``stats[t]`` (a mixture's
                 responsibilities (n, k)), with theta^(t) = ``params[t]``
    s = 2t + 2   the M-step of iteration t: theta^(t+1) = ``params[t + 1]``, from those stats

so half-step s shows ``params[s // 2]`` with ``stats[(s - 1) // 2]`` (none at s = 0), and
``half_step(s)`` names it: (0, "start"), (t, "E") or (t, "M").  An E-step changes only the stats
(colours, bar splits) and an M-step only the parameters (ellipses, curves, coin biases); the last
iteration, T, has its E-step only.  The log-likelihood marker sits at the parameters shown,
iteration ``s // 2``.  Stats that ``run_em`` did not keep (``stats[t] is None``) are recomputed
by the model's own E-step (``emlab.model.e_step_stats``; labelled points keep their one-hot
responsibilities); the last few recomputed are cached.

The same in words, for the figure's caption, a screen reader's live region and the image's alt
text: ``caption(step)``, ``number(value)``, ``params_words(params, previous)``.
"""
import dataclasses
from collections import OrderedDict

import numpy as np

from .. import checks
from ..em import History
from ..model import e_step_stats, is_mixture

HALVES = ("E", "M")                  # the two half-steps of an iteration, in time order
# Most frames ``animate`` makes by default (keeps an embedded animation small).
MAX_FRAMES = 30
# How many recomputed stats (a mixture's responsibilities (n, k)) a HalfSteps keeps: enough
# for a step back and forth, bounded for large n (History keeps none of them above 20,000 points).
RECOMPUTED_KEPT = 4
SUPERSCRIPTS = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
# Parameters named in words by their usual symbol; a parameter of more numbers than
# WORDS_MAX_NUMBERS (a covariance matrix per component, an image per component) is left out.
SYMBOLS = {"weights": "π", "p": "θ", "theta": "θ", "rates": "λ", "means": "μ", "mean": "μ",
           "covariances": "Σ", "covariance": "Σ"}
WORDS_MAX_NUMBERS = 8


def check_history(history):
    if not isinstance(history, History) or not history.params:
        raise TypeError(f"history must be an emlab.History from run_em, got {type(history).__name__}")
    return history


def last_step(n_iter):
    """The last half-step of a run of ``n_iter`` iterations: its last E-step, 2 n_iter + 1."""
    return 2 * n_iter + 1


def check_step(step, n_iter):
    step = checks.integer(step, "step", minimum=0)
    if step > last_step(n_iter):
        raise ValueError(f"step must be a half-step 0..{last_step(n_iter)} (the start, then the E-step "
                         f"and the M-step of each iteration 0..{n_iter}), got {step}")
    return step


def half_step(step):
    """``(t, half)`` of half-step index ``step``: (0, "start"), (t, "E") or (t, "M")."""
    step = checks.integer(step, "step", minimum=0)
    if step == 0:
        return 0, "start"
    return (step - 1) // 2, HALVES[(step - 1) % 2]


def step_of(t, half):
    """The half-step index of the E-step (``half`` "E") or the M-step ("M") of iteration ``t``."""
    t = checks.integer(t, "t", minimum=0)
    if half not in HALVES:
        raise ValueError(f'half must be "E" or "M", got {half!r}')
    return 2 * t + 1 + HALVES.index(half)


def theta(t):
    """theta^(t) in words: "θ⁽³⁾"."""
    return "θ" + f"({t})".translate(SUPERSCRIPTS)


def caption(step, stats="responsibilities"):
    """What half-step ``step`` shows, in words; ``stats``: what the E-step gives, in words."""
    t, half = half_step(step)
    if half == "start":
        return f"{theta(0)}, the start"
    if half == "E":
        return f"iteration {t}, E-step: {stats} at {theta(t)}"
    return f"iteration {t}, M-step: {theta(t + 1)}"


def number(value):
    """A number in words, with a true minus sign: two decimals (0.36, 6.00), one from 100 on
    (−1130.3), two significant digits where two decimals would say 0.00 (1.2e−05)."""
    value = float(value)
    if value != 0 and abs(value) < 0.005:
        text = f"{value:.2g}"
    else:
        text = f"{value:.2f}" if abs(value) < 100 else f"{value:.1f}"
    return text.replace("-", "−")


def _numbers(values):
    values = np.squeeze(values) if np.ndim(values) > 1 else np.asarray(values)
    if values.ndim == 0:
        return number(values)
    return "(" + ", ".join(_numbers(v) for v in values) + ")"


def params_words(params, previous=None):
    """The parameters in words, "π = (0.36, 0.64), λ = (2.10, 6.00)": each field of ``params``
    that its constructor takes (a dataclass; else its public attributes) of at most
    WORDS_MAX_NUMBERS numbers; with ``previous``, only those that differ from it ("parameters
    unchanged" if none does)."""
    names = ([f.name for f in dataclasses.fields(params) if f.init] if dataclasses.is_dataclass(params)
             else [name for name in vars(params) if not name.startswith("_")])
    parts = []
    for name in names:
        value = np.asarray(getattr(params, name))
        if value.dtype.kind not in "biuf" or value.size > WORDS_MAX_NUMBERS:
            continue
        if previous is not None and np.array_equal(value, getattr(previous, name)):
            continue
        parts.append(f"{SYMBOLS.get(name, name)} = {_numbers(value)}")
    return ", ".join(parts) or "parameters unchanged"


class HalfSteps:
    """The parameters and E-step stats of each half-step of ``history`` (see the module docstring)."""

    def __init__(self, history):
        self.history = check_history(history)
        self.last = last_step(history.n_iter)
        self._recomputed = OrderedDict()            # t -> stats, least recently used first

    def indices(self, step):
        """``(t, source)``: half-step ``step`` shows ``params[t]`` with the stats of the E-step at
        ``params[source]`` (``source`` None at the start)."""
        step = check_step(step, self.history.n_iter)
        return step // 2, (step - 1) // 2 if step else None

    def state(self, step):
        """``(params, stats)`` shown at half-step ``step``; a mixture's stats: resp (n, k)."""
        t, source = self.indices(step)
        return self.history.params[t], self.prior() if source is None else self.stats(source)

    def stats(self, t):
        """``stats[t]``, the E-step at ``params[t]``; recomputed by the model's E-step if it was not kept."""
        h = self.history
        kept = h.stats[t] if t < len(h.stats) else None
        if kept is not None:
            return kept
        if t not in self._recomputed:
            self._recomputed[t] = e_step_stats(h.model, h.x, h.params[t], h.labels)[0]
            if len(self._recomputed) > RECOMPUTED_KEPT:
                self._recomputed.popitem(last=False)
        self._recomputed.move_to_end(t)
        return self._recomputed[t]

    def prior(self):
        """Before the first E-step: a mixture's ``r_ij = pi_j^(0)``, one-hot for labelled points
        (n, k); None for any other model (nothing inferred yet)."""
        h = self.history
        if not is_mixture(h.model):
            return None
        resp = np.tile(h.params[0].weights, (len(h.x), 1))
        if h.labels is not None:
            known = h.labels >= 0
            resp[known] = np.eye(resp.shape[1])[h.labels[known]]
        return resp


def animation_steps(n_iter, frames=None, half_steps=True):
    """The half-steps an animation shows, in time order: ``[s, ...]``.

    ``frames``: None (at most MAX_FRAMES frames), an int (at most that many frames, but at
    least one iteration; the iterations are spread evenly and include the first and last),
    or a sequence of iterations.  ``half_steps``: the start, then the E-step and the M-step
    of each of those iterations (the last iteration has no M-step); else only their E-steps.
    """
    if frames is None or isinstance(frames, (int, np.integer)):
        budget = MAX_FRAMES if frames is None else checks.integer(frames, "frames", minimum=1)
        count = max(1, (budget - 1) // 2 if half_steps else budget)
        iterations = np.unique(np.round(np.linspace(0, n_iter, min(count, n_iter + 1))).astype(int))
    else:
        iterations = checks.as_array(frames, "frames", ndim=1, integer=True)
        if np.any((iterations < 0) | (iterations > n_iter)):
            raise ValueError(f"frames must be iterations in 0..{n_iter}, got {iterations.tolist()}")
    e_steps = [step_of(int(t), "E") for t in iterations]
    if not half_steps:
        return e_steps
    return [0] + [s for e in e_steps for s in (e, e + 1) if s <= last_step(n_iter)]
