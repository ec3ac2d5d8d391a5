"""What each half-step of a History shows: no drawing here (and no matplotlib).

The iteration t runs over 0..history.n_iter (t = number of M-steps done), and each
iteration is shown as two half-steps, in the order EM performs them:

    (t, "M")  the result of the M-step: parameters ``params[t]``, shown with the
              responsibilities that produced them, ``resp[t-1]``.  At t = 0 there was no
              M-step: the initial parameters, with every unlabelled point at the prior
              ``pi^(0)`` (nothing inferred yet, so the colours are neutral mixtures).
    (t, "E")  the E-step at ``params[t]``: the same parameters, the new responsibilities
              ``resp[t]``.

So (t, "M") -> (t, "E") changes only the responsibilities (colours, bar splits) and
(t, "E") -> (t + 1, "M") only the parameters (ellipses, curves, coin biases).  The
log-likelihood marker sits at iteration t in both halves (it depends on ``params[t]``).
Responsibilities that ``run_em`` did not keep (``resp[t] is None``) are recomputed by an
E-step (labelled points keep their one-hot responsibilities); the last few recomputed
are cached.
"""
from collections import OrderedDict

import numpy as np

from .. import _checks
from ..em import History
from ..engines import labelled_posterior

HALVES = ("E", "M")
# Most frames ``animate`` makes by default (keeps an embedded animation small).
MAX_FRAMES = 30
# How many recomputed sets of responsibilities (n, k) a HalfSteps keeps: enough for a step
# back and forth, bounded for large n (History keeps none of them above 20,000 points).
RECOMPUTED_KEPT = 4


def check_history(history):
    if not isinstance(history, History) or not history.params:
        raise TypeError(f"history must be an emlab.History from run_em, got {type(history).__name__}")
    return history


class HalfSteps:
    """The parameters and responsibilities of each half-step of ``history`` (see the module docstring)."""

    def __init__(self, history):
        self.history = check_history(history)
        self._recomputed = OrderedDict()            # t -> resp, least recently used first

    def state(self, t, half):
        """``(params, resp (n, k))`` shown at half-step (t, half)."""
        t = _checks.integer(t, "t", minimum=0)
        if t > self.history.n_iter:
            raise ValueError(f"t must be an iteration 0..{self.history.n_iter}, got {t}")
        if half not in HALVES:
            raise ValueError(f'half must be "E" or "M", got {half!r}')
        params = self.history.params[t]
        if half == "E":
            return params, self.responsibilities(t)
        return params, self.responsibilities(t - 1) if t > 0 else self.prior()

    def responsibilities(self, t):
        """``resp[t]``, the E-step at ``params[t]``, (n, k); recomputed if it was not kept."""
        h = self.history
        kept = h.resp[t] if t < len(h.resp) else None
        if kept is not None:
            return kept
        if t not in self._recomputed:
            self._recomputed[t] = labelled_posterior(h.model.log_joint(h.x, h.params[t]), h.labels)[0]
            if len(self._recomputed) > RECOMPUTED_KEPT:
                self._recomputed.popitem(last=False)
        self._recomputed.move_to_end(t)
        return self._recomputed[t]

    def prior(self):
        """Before the first E-step: ``r_ij = pi_j^(0)``, one-hot for labelled points.  (n, k)."""
        h = self.history
        resp = np.tile(h.params[0].weights, (len(h.x), 1))
        if h.labels is not None:
            known = h.labels >= 0
            resp[known] = np.eye(resp.shape[1])[h.labels[known]]
        return resp


def caption(t, half):
    """What half-step (t, half) shows, in words."""
    if half == "E":
        return rf"iteration {t}: E-step, responsibilities at $\theta^{{({t})}}$"
    if t == 0:
        return r"iteration 0: initial parameters $\theta^{(0)}$, no E-step yet"
    return (rf"iteration {t}: M-step, $\theta^{{({t})}}$ from the responsibilities "
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
        budget = MAX_FRAMES if frames is None else _checks.integer(frames, "frames", minimum=1)
        count = max(1, budget // len(per_iteration))
        iterations = np.unique(np.round(np.linspace(0, n_iter, min(count, n_iter + 1))).astype(int))
    else:
        iterations = _checks.as_array(frames, "frames", ndim=1, integer=True)
        if np.any((iterations < 0) | (iterations > n_iter)):
            raise ValueError(f"frames must be iterations in 0..{n_iter}, got {iterations.tolist()}")
    return [(int(t), half) for t in iterations for half in per_iteration]
