"""What each half-step of a History shows: no drawing here (and no matplotlib).

The iteration t runs over 0..history.n_iter (t = number of M-steps done), and each
iteration is shown as two half-steps, in the order EM performs them:

    (t, "M")  the result of the M-step: parameters ``params[t]``, shown with the E-step's
              stats that produced them, ``stats[t-1]``.  At t = 0 there was no M-step: the
              initial parameters and nothing inferred yet: a mixture shows every unlabelled
              point at the prior ``pi^(0)`` (neutral colours), any other model no stats (None).
    (t, "E")  the E-step at ``params[t]``: the same parameters, the new stats ``stats[t]``.

A mixture's stats are its responsibilities (n, k).  So (t, "M") -> (t, "E") changes only the
stats (colours, bar splits) and (t, "E") -> (t + 1, "M") only the parameters (ellipses,
curves, coin biases).  The log-likelihood marker sits at iteration t in both halves (it
depends on ``params[t]``).  Stats that ``run_em`` did not keep (``stats[t] is None``) are
recomputed by the model's own E-step (``emlab.model.e_step_stats``; labelled points keep
their one-hot responsibilities); the last few recomputed are cached.
"""
from collections import OrderedDict

import numpy as np

from .. import checks
from ..em import History
from ..model import e_step_stats, is_mixture

HALVES = ("E", "M")
# Most frames ``animate`` makes by default (keeps an embedded animation small).
MAX_FRAMES = 30
# How many recomputed stats (a mixture's responsibilities (n, k)) a HalfSteps keeps: enough
# for a step back and forth, bounded for large n (History keeps none of them above 20,000 points).
RECOMPUTED_KEPT = 4


def check_history(history):
    if not isinstance(history, History) or not history.params:
        raise TypeError(f"history must be an emlab.History from run_em, got {type(history).__name__}")
    return history


class HalfSteps:
    """The parameters and E-step stats of each half-step of ``history`` (see the module docstring)."""

    def __init__(self, history):
        self.history = check_history(history)
        self._recomputed = OrderedDict()            # t -> stats, least recently used first

    def state(self, t, half):
        """``(params, stats)`` shown at half-step (t, half); a mixture's stats: resp (n, k)."""
        t = checks.integer(t, "t", minimum=0)
        if t > self.history.n_iter:
            raise ValueError(f"t must be an iteration 0..{self.history.n_iter}, got {t}")
        if half not in HALVES:
            raise ValueError(f'half must be "E" or "M", got {half!r}')
        params = self.history.params[t]
        if half == "E":
            return params, self.stats(t)
        return params, self.stats(t - 1) if t > 0 else self.prior()

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


def caption(t, half, stats="responsibilities"):
    """What half-step (t, half) shows, in words; ``stats``: what the E-step gives, in words."""
    if half == "E":
        return rf"iteration {t}: E-step, {stats} at $\theta^{{({t})}}$"
    if t == 0:
        return r"iteration 0: initial parameters $\theta^{(0)}$, no E-step yet"
    return (rf"iteration {t}: M-step, $\theta^{{({t})}}$ from the {stats} "
            rf"at $\theta^{{({t - 1})}}$")


def animation_steps(n_iter, frames=None, half_steps=True):
    """The half-steps an animation shows: ``[(t, half), ...]``.

    ``frames``: None (at most MAX_FRAMES frames), an int (at most that many frames, but at
    least one iteration; the iterations are spread evenly and include the first and last),
    or a sequence of iterations.  ``half_steps``: show (t, "M") then (t, "E") for each t,
    else only (t, "E").
    """
    per_iteration = ("M", "E") if half_steps else ("E",)
    if frames is None or isinstance(frames, (int, np.integer)):
        budget = MAX_FRAMES if frames is None else checks.integer(frames, "frames", minimum=1)
        count = max(1, budget // len(per_iteration))
        iterations = np.unique(np.round(np.linspace(0, n_iter, min(count, n_iter + 1))).astype(int))
    else:
        iterations = checks.as_array(frames, "frames", ndim=1, integer=True)
        if np.any((iterations < 0) | (iterations > n_iter)):
            raise ValueError(f"frames must be iterations in 0..{n_iter}, got {iterations.tolist()}")
    return [(int(t), half) for t in iterations for half in per_iteration]
