"""emlab: the Expectation-Maximization algorithm, for teaching.

A model is a mixture or any other latent-variable model (``emlab.model`` says it in full).
Every model has ``Params`` (the class of a parameter set theta), ``check_x(x)`` and
``m_step(x, stats, **options)``, the parameters that maximise the expected complete-data
log-likelihood given the E-step's stats.  Its E-step comes in one of two forms:

* a mixture gives ``log_joint(x, params)``, the (n, k) array ``log p(x_i, z_i = j | theta)``;
  emlab derives the E-step from it, the same for every mixture: the stats are the
  responsibilities ``r_ij = p(z_i = j | x_i)`` (Bishop eq. 9.23), so its M-step is
  ``m_step(x, resp)``.  ``emlab.coins``, ``poisson``, ``gaussian``, ``bernoulli``.
* any other model (a hidden Markov model, data with missing values) gives
  ``expected_stats(x, params) -> (stats, log_likelihood)``: the expected sufficient statistics
  under the posterior at params, and l(params) = log p(x | params).  ``emlab.linkage`` (the
  genetic linkage counts of Dempster, Laird and Rubin) and ``emlab.missing_normal`` (a normal
  with values missing at random).

``run_em(model, x, params)`` drives either kind and returns a ``History`` (params, l and stats
per iteration); it warns with ``ConvergenceWarning`` when it stops at ``max_iter`` and with
``MonotonicityWarning`` when l decreases (EM's steps never decrease it).  For any model:
``expected_stats(model, x, params)`` (its E-step), ``log_likelihood``; for mixtures:
``e_step`` (per point), ``elbo``, ``kl``.

Imported on demand, so that the core loads without matplotlib, ipywidgets or pandas:
``emlab.plot`` and ``emlab.widgets`` (figures, steppers, animations), ``emlab.data`` (the
CSV loaders), ``emlab.semi_supervised`` (notebook 5's comparisons).
"""
from . import bernoulli, coins, gaussian, linkage, missing_normal, poisson
from .em import History, run_em
from .errors import CollapseError, ConvergenceWarning, MonotonicityWarning
from .mixture import e_step, elbo, kl, log_likelihood
from .model import expected_stats

__all__ = ["coins", "poisson", "gaussian", "bernoulli", "linkage", "missing_normal", "e_step", "expected_stats", "log_likelihood",
           "run_em", "History", "elbo", "kl", "CollapseError", "ConvergenceWarning", "MonotonicityWarning"]
