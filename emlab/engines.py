"""How ``run_em`` evaluates one E-step and one M-step on the whole data set.

An *engine* is made for one data set ``(x, labels)`` and has three methods:

    e_step(params)            -> (state, objective): the E-step at ``params`` and the objective there
    m_step(state, **options)  -> Params: the M-step from that state
    point_resp(state)         -> the E-step's stats as History keeps them: a mixture's
                                 responsibilities of every point (n, k), any other model's stats

* ``Plain``: the textbook path, the model's own E-step (``emlab.model.e_step_stats``: a
  mixture's from its ``log_joint``) and ``m_step`` on every point.  What the notebooks show,
  and what a student who edits ``m_step`` (or writes a model) sees run.
* A model's *fast path*, optional: the model's ``fast_engine(model, x, labels)`` returns an
  engine that computes the same quantities with less work, or None where it does not
  apply.  ``FastPath`` makes that hook for a mixture's engine that reproduces the model's
  own steps (it declines once they were replaced).  Two such engines: ``DistinctValues``
  here (coins, Poisson) and ``emlab.gaussian_stats.GaussianStats``;
  ``tests/test_engines.py`` checks that each agrees with the plain formulas.
"""
import numpy as np

from .model import e_step_stats, labelled_posterior


class Plain:
    """The textbook steps on every point: the model's E-step, then ``model.m_step(x, stats)``."""

    def __init__(self, model, x, labels):
        self.model, self.x, self.labels = model, x, labels

    def e_step(self, params):
        """-> (stats (a mixture's responsibilities (n, k)), objective summed over the points)."""
        return e_step_stats(self.model, self.x, params, self.labels)

    def m_step(self, stats, **options):
        return self.model.m_step(self.x, stats, **options)

    def point_resp(self, stats):
        return stats


class DistinctValues:
    """A mixture's textbook steps over the distinct (row, label) pairs of x, weighted by their counts.

    Exact for a model whose M-step is a responsibility-weighted sum over points (an
    exponential family): a distinct row with weight ``count * r`` stands for its ``count``
    copies.  Fast for counts (coins, Poisson), where a million sets of tosses hold only a few dozen
    distinct values.
    """

    def __init__(self, model, x, labels):
        self.model, self.n = model, len(x)
        keys = x.reshape(len(x), -1)
        if labels is not None:
            keys = np.column_stack([keys, labels])
        unique, self.inverse, self.counts = np.unique(keys, axis=0, return_inverse=True,
                                                      return_counts=True)
        self.inverse = self.inverse.ravel()
        self.first = np.zeros(len(unique), dtype=int)      # one original row per distinct key
        self.first[self.inverse[::-1]] = np.arange(len(x))[::-1]
        self.x = x[self.first]
        self.labels = None if labels is None else labels[self.first]

    def e_step(self, params):
        """-> (responsibilities of the distinct rows, objective sum_i count_i * objective_i)."""
        resp, objective = labelled_posterior(self.model.log_joint(self.x, params), self.labels,
                                             rows=self.first)
        return resp, float(self.counts @ objective)

    def m_step(self, resp, **options):
        return self.model.m_step(self.x, resp * self.counts[:, None], **options)

    def point_resp(self, resp):
        return resp[self.inverse]


class FastPath:
    """A model's ``fast_engine`` hook for an engine that reproduces the model's own steps.

    ``fast_engine = FastPath(make, log_joint, m_step)`` in a model module: run_em's call
    ``model.fast_engine(model, x, labels)`` returns ``make(model, x, labels)`` while the
    model's ``log_joint`` and ``m_step`` are still the functions given, and None once either
    was replaced (a student's own M-step), so that run_em then runs the replacement.
    """

    def __init__(self, make, log_joint, m_step):
        self.make, self.log_joint, self.m_step = make, log_joint, m_step

    def __call__(self, model, x, labels):
        if getattr(model, "log_joint", None) is not self.log_joint or model.m_step is not self.m_step:
            return None
        return self.make(model, x, labels)
