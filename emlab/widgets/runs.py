"""What an explorer runs: EM for one setting of its controls, and the run's name (no widgets here).

    explorer_run(model, x, K=2, init="random", seed=0, ...)   -> History: run_em from that start
    start_params(model, x, K, init, seed, ...)                  the start theta^(0) of that run
    run_name(settings), run_summary(history)                    the explorer's caption, in words
    semi_supervised_run(x, truth, n_labelled, seed, ...)        -> LabelledRun: semi-supervised EM
                                                                on a random labelled draw, scored

A setting that cannot run raises an error whose message says why, which the explorer shows in
place of the figure: a ValueError (K larger than n, a start outside the parameter space, such
as two coins that both never land heads) or ``emlab.CollapseError`` (a component collapsed
during EM).
"""
import warnings
from dataclasses import dataclass

import numpy as np

from .. import checks, gaussian
from .. import semi_supervised as ss
from ..em import History, run_em
from ..errors import ConvergenceWarning
from ..model import check_model, is_mixture, model_name

# A manual start sets each mean in a number box: at most this many components.
MANUAL_MAX_K = 6
# What a model declares as its ``manual_start`` (the keyword of ``start_params`` it takes),
# and the start its number boxes make.
MANUAL_STARTS = {
    "theta": "one number box in [0, 1] per component: Params(weights=1/K, p=theta), as coins",
    "means": "a number box per coordinate of each mean (d <= 2) and one for start_variance: "
             "Params(weights=1/K, means, covariances=start_variance I), as the Gaussian",
}


def random_start(model):
    """The model's ``init_random(x, k, rng)`` (an optional part of a model), or None."""
    return getattr(model, "init_random", None)


def manual_keyword(model, x):
    """The keyword of ``start_params`` that a manual start of ``model`` on ``x`` takes: what the
    model declares as its ``manual_start``, one of ``MANUAL_STARTS`` ("theta" or "means"); None
    when it declares none, or declares "means" and x has more than d = 2 columns."""
    declared = getattr(model, "manual_start", None)
    if declared is None:
        return None
    if not (isinstance(declared, str) and declared in MANUAL_STARTS):
        raise ValueError(f"{model_name(model)}.manual_start must be one of "
                         f"{', '.join(map(repr, MANUAL_STARTS))} (see emlab.widgets.runs.MANUAL_STARTS), "
                         f"got {declared!r:.60}")
    if declared == "means" and not (np.ndim(x) == 2 and x.shape[1] <= 2):
        return None
    return declared


def inits(model, x):
    """The starts an explorer offers for ``model`` on ``x``: "random" when the model has
    ``init_random``; "k-means" when it has ``init_kmeans``; "manual" when it declares a manual
    start that fits x (see ``manual_keyword``)."""
    names = ["random"] if random_start(model) is not None else []
    if hasattr(model, "init_kmeans"):
        names.append("k-means")
    if manual_keyword(model, x) is not None:
        names.append("manual")
    return tuple(names)


def start_params(model, x, *, K=2, init="random", seed=0, theta=None, means=None, start_variance=None):
    """The start theta^(0) of an explorer run.

    init "random"   the model's ``init_random(x, K, numpy.random.default_rng(seed))``
    init "k-means"  the model's ``init_kmeans(x, K, seed)``
    init "manual"   (a model that declares ``manual_start``) equal weights 1/K and, for
                    "theta" (coins), the K biases ``theta``; for "means" (the Gaussian, d <= 2),
                    the K means ``means`` (K, d), each with covariance ``start_variance`` I
                    (default: the data's mean variance)

    K: a mixture's components, at most n; for any other model what its ``init_random`` counts.
    """
    model = check_model(model)
    x = model.check_x(x)
    K = checks.component_count(K, len(x), "K") if is_mixture(model) else checks.integer(K, "K", minimum=1)
    offered = inits(model, x)
    if init not in offered:
        raise ValueError(f"init must be one of {', '.join(map(repr, offered)) or 'nothing'} for "
                         f"{model_name(model)}, got {init!r:.60}")
    if init == "manual":
        return _manual_start(model, x, K, theta, means, start_variance)
    seed = checks.integer(seed, "seed", minimum=0)
    if init == "k-means":
        return model.init_kmeans(x, K, seed)
    return random_start(model)(x, K, np.random.default_rng(seed))


def _manual_start(model, x, K, theta, means, start_variance):
    weights = np.full(K, 1 / K)
    if manual_keyword(model, x) == "theta":
        return model.Params(weights=weights, p=_one_per_component(theta, K, "theta", "coin biases"))
    means = _one_per_component(means, K, "means", "means")
    if means.ndim != 2 or means.shape[1] != x.shape[1]:
        raise ValueError(f"means must be (K, d) = ({K}, {x.shape[1]}), got shape {means.shape}")
    variance = (data_variance(x) if start_variance is None
                else checks.real(start_variance, "start_variance"))
    if not variance > 0:
        raise ValueError(f"start_variance must be > 0 (a covariance start_variance * I), got {variance}")
    covariances = np.repeat(variance * np.eye(x.shape[1])[None], K, axis=0)
    return model.Params(weights=weights, means=means, covariances=covariances)


def _one_per_component(values, K, name, what):
    if values is None:
        raise ValueError(f'init = "manual" needs {name}: the K = {K} starting {what}')
    values = checks.as_array(values, name)
    if len(values) != K:
        raise ValueError(f'init = "manual" needs one start per component: K = {K} {what}, got {len(values)}'
                         + (f" (number boxes for at most {MANUAL_MAX_K} components)" if K > MANUAL_MAX_K else ""))
    return values


def data_variance(x):
    """The mean variance of the columns of x: the default ``start_variance`` of a manual start."""
    return float(np.mean(np.var(x, axis=0)))


def explorer_run(model, x, *, K=2, init="random", seed=0, theta=None, means=None, start_variance=None,
                 max_iter=100, tol=1e-6, **em_options):
    """EM from the start that the explorer's controls name: ``run_em(model, x, start_params(model,
    x, K=K, init=init, seed=seed, ...), max_iter=max_iter, tol=tol, **em_options)``.

    ``em_options``: the rest of ``run_em``'s keywords and the model's M-step options (the
    Gaussian's ``reg_covar``).  A run that stops at ``max_iter`` is returned with
    ``converged=False`` (no ConvergenceWarning: the caption says it).  -> History.
    """
    start = start_params(model, x, K=K, init=init, seed=seed, theta=theta, means=means,
                         start_variance=start_variance)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return run_em(model, x, start, max_iter=max_iter, tol=tol, **em_options)


def _number(value):
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def run_name(settings):
    """The run a setting names, in words: "K = 3, init = k-means, seed = 2" (a manual start lists
    its coin biases; a Gaussian's ``reg_covar`` is named when it is set)."""
    parts = [f"{name} = {_number(settings[name])}" for name in ("K", "init", "n_labelled")
             if name in settings]
    if settings.get("init") == "manual":
        if settings.get("theta") is not None:
            parts.append("theta = (" + ", ".join(f"{p:.2f}" for p in settings["theta"]) + ")")
        if settings.get("start_variance") is not None:
            parts.append(f"start_variance = {settings['start_variance']:.3g}")
    elif "seed" in settings:
        parts.append(f"seed = {settings['seed']}")
    if "reg_covar" in settings:
        parts.append(f"reg_covar = {settings['reg_covar']:g}")
    return ", ".join(parts)


def run_summary(history):
    """What the run did: "14 iterations, converged, log-likelihood -1234.57"."""
    objective = "log-likelihood" if history.labels is None else "objective"
    return (f"{history.n_iter} iteration{'s' * (history.n_iter != 1)}, "
            f"{'converged' if history.converged else 'not converged'}, "
            f"{objective} {history.log_likelihood[-1]:.2f}")


@dataclass(eq=False)
class LabelledRun:
    """Semi-supervised EM on one labelled draw (see ``semi_supervised_run``).

    ``history``: the run, on ``x = [labelled rows; the others]``; ``accuracy``: its share of the
    other rows classified right; ``unsupervised``: EM that ignored the labels, and
    ``unsupervised_accuracy`` the same share for it (its components named by the labelled
    rows); ``n_scored``: how many rows were scored.
    """
    history: History
    accuracy: float
    unsupervised: History
    unsupervised_accuracy: float
    n_scored: int


def semi_supervised_run(x, truth, *, n_labelled=8, seed=0, start_reg_covar=0.1, unsupervised=None,
                        max_iter=100, tol=1e-6, **em_options):
    """One entry of ``emlab.semi_supervised.labelled_count_sweep``, with its History.

    ``draw_labelled(truth, n_labelled, seed)`` picks the labelled rows of x (their ``truth`` is
    revealed); ``fit_semi_supervised`` runs on them and the other rows, and both it and
    unsupervised EM from ``init_random(x, k, seed)`` (``fit_unsupervised``; pass it as
    ``unsupervised`` to reuse it) are scored on the other rows by ``draw_accuracy``, as the
    sweep scores them.  x (n, d), truth (n,) ints 0..k-1.  -> LabelledRun.
    """
    x = gaussian.check_x(x)
    truth = checks.as_array(truth, "truth", ndim=1, shape=(len(x),), integer=True)
    k = int(truth.max()) + 1
    seed = checks.integer(seed, "seed", minimum=0)
    n_labelled = checks.integer(n_labelled, "n_labelled")
    if not k <= n_labelled < len(x):
        raise ValueError(f"n_labelled must be from {k} (one per class) to {len(x) - 1} (leaving a "
                         f"point to score), got {n_labelled}")
    rows = ss.draw_labelled(truth, n_labelled, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if unsupervised is None:
            unsupervised = ss.fit_unsupervised(x, k, seed, max_iter=max_iter, tol=tol, **em_options)
        fit = ss.fit_semi_supervised(x[rows], truth[rows], np.delete(x, rows, axis=0), k,
                                     start_reg_covar=start_reg_covar, max_iter=max_iter, tol=tol,
                                     **em_options)
    return LabelledRun(fit, ss.draw_accuracy(fit.params[-1], x, truth, rows), unsupervised,
                       ss.draw_accuracy(unsupervised.params[-1], x, truth, rows, name_by_labels=True),
                       len(x) - n_labelled)
