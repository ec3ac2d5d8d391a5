"""emlab: the Expectation-Maximization algorithm, for teaching.

Models: ``emlab.coins``, ``emlab.poisson``, ``emlab.gaussian``.  Shared by all of them:
``e_step``, ``log_likelihood``, ``run_em`` (returning a ``History``), ``elbo``, ``kl``.

Imported on demand, so that the core loads without matplotlib, ipywidgets or pandas:
``emlab.plot`` and ``emlab.widgets`` (figures, steppers, animations), ``emlab.data`` (the
CSV loaders), ``emlab.semi_supervised`` (notebook 5's comparisons).
"""
from . import bernoulli, coins, gaussian, poisson
from .em import History, run_em
from .errors import CollapseError, ConvergenceWarning
from .mixture import e_step, elbo, kl, log_likelihood

__all__ = ["coins", "poisson", "gaussian", "e_step", "log_likelihood", "run_em", "History",
           "elbo", "kl", "CollapseError", "ConvergenceWarning"]
