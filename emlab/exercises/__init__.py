"""Checkers for the notebooks' exercises: is a student's E-step (M-step, EM loop, ...) right?

Each checker runs the student's function on a few fixed problems (awkward ones included: one
point, k = 1, three components, two identical components, a point far from every component),
compares the answers with a reference and prints ONE line, ``✓ ...`` or ``✗ ...``, that says
what the answer does on the first problem it fails, naming the mistake where it can.  It
returns True or False (so ``assert exercises.check_e_step(model, e_step)`` is a graded test
cell) and never raises because of the student's code; a skeleton that still raises
``NotImplementedError`` prints ``✗ not implemented yet``, so Run All goes on.

One step of EM, for any mixture model (``Params``, ``check_x``, ``log_joint``, ``m_step``: see
``emlab.mixture``; a ``types.SimpleNamespace`` built in a cell included):

    check_e_step(model, fn)                 fn(x, params) -> resp (n, k)
    check_e_step(model, fn, labels=True)    fn(x, params, labels) -> resp, semi-supervised
    check_m_step(model, fn, **options)      fn(x, resp) -> model.Params
    check_log_likelihood(model, fn)         fn(x, params) -> float
    check_elbo(model, fn)                   fn(x, params, q) -> float
    check_weighted_mean(fn)                 fn(x, r) -> sum_i r_i x_i / sum_i r_i

Putting EM together:

    check_em_loop(model, fn)                fn(x, params, max_iter, tol) -> (params, log_likelihoods)
    check_kmeans(fn)                        fn(x, centres, max_iter) -> (centres, labels)
    check_restarts(fn)                      fn(x, k, seeds) -> History of the best converged run
    check_n_parameters(fn)                  fn(covariance_type, k, d) -> free parameters (BIC)

Missing data (notebook 09: censored exponential lifetimes, x (n, 2) [t_i, censored_i]):

    check_censored_model(model)             model.expected_stats(x, params) -> (S, ell) and
                                            model.m_step(x, S) -> Params(rate), then run_em
    check_censored_information(fn)          fn(x, rate) -> (I_c, I_m), complete and missing information

The problems of a model's checkers come from the model: its optional part
``exercise_problems()`` returning ``{name: (x, params)}`` (the first one typical; the
checkers add one point, k = 1, k = 3, ties and a far point; the built-in models have one),
or, for any model, ``data=x``: problems built from those data with the model's
``init_random`` and ``sample`` (see ``emlab.exercises.problems``).

Modules: ``report`` (running and the one line), ``problems`` (the problem sets), ``judges``
and ``m_step`` (the mistakes of one step), and the checkers: ``steps`` (one step), ``loops``
(EM loop, restarts), ``practice`` (k-means, parameters for BIC), ``censored`` (notebook 09's
censored lifetimes, with their own problems and mistakes).
"""
from .censored import check_censored_information, check_censored_model
from .loops import check_em_loop, check_restarts
from .practice import check_kmeans, check_n_parameters
from .steps import check_e_step, check_elbo, check_log_likelihood, check_m_step, check_weighted_mean

__all__ = ["check_e_step", "check_m_step", "check_log_likelihood", "check_elbo", "check_weighted_mean",
           "check_em_loop", "check_kmeans", "check_restarts", "check_n_parameters",
           "check_censored_model", "check_censored_information"]
