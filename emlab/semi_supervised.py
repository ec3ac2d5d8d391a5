"""A few labelled points and many unlabelled ones: three ways to fit a Gaussian mixture.

Notation: labelled rows ``(x_i, y_i)``, ``i in L``, with classes ``y_i in {0, ..., k-1}``;
unlabelled rows ``x_i``, ``i in U``; one mixture component per class.

(a) ``fit_unsupervised``: EM on every row, labels ignored, from a random start.  Maximises
    ``sum_{i in L u U} log p(x_i)``; its components carry no class names (label switching).
(b) ``fit_labelled_then_unlabelled``: start from the complete-data estimate of the labelled
    rows, then EM on the unlabelled rows only, maximising ``sum_{i in U} log p(x_i)``.
(c) ``fit_semi_supervised``: EM on all rows, the labelled ones keeping one-hot
    responsibilities ``r_ij = [j = y_i]``, maximising
    ``sum_{i in L} log p(x_i, z_i = y_i) + sum_{i in U} log p(x_i)``.

``estimate_from_labels`` + ``predict`` is the purely supervised classifier (Gaussian
class-conditionals, i.e. quadratic discriminant analysis); ``match_labels`` and ``accuracy``
score predictions; ``draw_labelled`` picks the labelled rows of one draw and ``draw_accuracy``
scores a fit on the others; ``labelled_count_sweep`` compares all four as the number of
labelled points grows.
"""
import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from . import checks, gaussian
from .em import run_em

METHODS = ("(a) unsupervised", "(b) labelled, then unlabelled", "(c) semi-supervised",
           "supervised only")


def estimate_from_labels(x, y, k, *, reg_covar=0.0):
    """Complete-data maximum-likelihood estimate: the M-step with ``r_ij = [y_i = j]``.

    ``pi_j = N_j / N``, ``mu_j`` the mean and ``Sigma_j`` the (biased) covariance of the rows
    of class j, plus ``reg_covar`` on the diagonal (needed when a class has fewer than
    d + 1 points).  x (n, d), y (n,) ints in 0..k-1, every class present -> gaussian.Params.
    """
    x, y, k = _labelled(x, y, k, "x")
    return gaussian.m_step(x, np.eye(k)[y], reg_covar=reg_covar)


def predict(params, x):
    """Most probable component of each row: ``argmax_j log pi_j + log N(x_i | mu_j, Sigma_j)``.

    x (n, d) -> (n,) ints.
    """
    return gaussian.log_joint(x, params).argmax(axis=1)


def fit_unsupervised(x, k, rng, **em_options):
    """(a) EM on all rows from ``gaussian.init_random(x, k, rng)``; labels are not used.

    x (n, d); ``em_options`` go to ``run_em`` (max_iter, tol, reg_covar).  -> History.
    """
    return run_em(gaussian, x, gaussian.init_random(x, k, rng), **em_options)


def fit_labelled_then_unlabelled(x_labelled, y, x_unlabelled, k, *, start_reg_covar=0.0,
                                 **em_options):
    """(b) ``estimate_from_labels`` on the labelled rows, then EM on the unlabelled rows only.

    After the start the labels play no further part.  -> History on ``x_unlabelled``.
    """
    start = estimate_from_labels(x_labelled, y, k, reg_covar=start_reg_covar)
    return run_em(gaussian, x_unlabelled, start, **em_options)


def fit_semi_supervised(x_labelled, y, x_unlabelled, k, *, start_reg_covar=0.0, **em_options):
    """(c) EM on labelled and unlabelled rows together, labelled responsibilities fixed.

    Starts from ``estimate_from_labels``.  E-step: ``r_ij = [j = y_i]`` for i in L,
    ``p(z_i = j | x_i)`` for i in U; M-step: Bishop eqs. 9.24-9.27 over all rows.  The
    recorded objective is ``sum_L log p(x_i, z_i = y_i) + sum_U log p(x_i)``.
    -> History on ``x = [x_labelled; x_unlabelled]`` with ``labels = [y; -1, ..., -1]``.
    """
    x_labelled, y, k = _labelled(x_labelled, y, k, "x_labelled")
    x_unlabelled = gaussian.check_x(x_unlabelled, "x_unlabelled")
    if x_unlabelled.shape[1] != x_labelled.shape[1]:
        raise ValueError(f"x_unlabelled must have d = {x_labelled.shape[1]} columns like "
                         f"x_labelled, got shape {x_unlabelled.shape}")
    start = estimate_from_labels(x_labelled, y, k, reg_covar=start_reg_covar)
    x = np.vstack([x_labelled, x_unlabelled])
    labels = np.concatenate([y, np.full(len(x_unlabelled), -1)])
    return run_em(gaussian, x, start, labels=labels, **em_options)


def match_labels(pred, truth, k=None):
    """The naming of components by classes that gets the most rows right.

    Mixture components are numbered arbitrarily (label switching): component 0 of one fit
    may be class 1 of the data.  With the confusion matrix
    ``C[j, c] = #{i : pred_i = j, truth_i = c}``, ``linear_sum_assignment`` finds the
    one-to-one map ``j -> c(j)`` maximising ``sum_j C[j, c(j)]``.
    pred, truth (n,) ints in 0..k-1 (k defaults to the largest label + 1) -> ``mapping`` (k,)
    with ``mapping[j]`` the class of component j, so ``mapping[pred]`` are named predictions.
    """
    pred, truth = _pair(pred, truth)
    top = int(max(pred.max(), truth.max())) + 1
    k = top if k is None else checks.integer(k, "k", minimum=1)
    if top > k:
        raise ValueError(f"pred and truth must hold labels 0..{k - 1}, got a label {top - 1}")
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (pred, truth), 1)
    components, classes = linear_sum_assignment(confusion, maximize=True)
    mapping = np.empty(k, dtype=np.int64)
    mapping[components] = classes
    return mapping


def accuracy(pred, truth):
    """Share of rows with ``pred_i == truth_i``.  pred, truth (n,) ints -> float in [0, 1]."""
    pred, truth = _pair(pred, truth)
    return float(np.mean(pred == truth))


def draw_labelled(truth, n_labelled, rng):
    """Indices of ``n_labelled`` distinct rows drawn at random, redrawn until every class appears.

    truth (n,) ints 0..k-1 -> (n_labelled,) indices.  Redrawing keeps the draw random
    (labelled rows follow the class proportions of the data, as semi-supervised EM assumes)
    while every class has a labelled row to start from.
    """
    truth = _classes(truth, "truth")
    k = int(truth.max()) + 1
    n_labelled = checks.integer(n_labelled, "n_labelled", minimum=k)
    if n_labelled > len(truth):
        raise ValueError(f"n_labelled must be at most the number of rows ({len(truth)}), "
                         f"got {n_labelled}")
    rng = checks.rng(rng)
    while True:
        rows = rng.choice(len(truth), size=n_labelled, replace=False)
        if len(np.unique(truth[rows])) == k:
            return np.sort(rows)


def draw_accuracy(params, x, truth, labelled, *, name_by_labels=False):
    """Accuracy of a fitted mixture on the rows of one labelled draw that were not labelled.

    With L = ``labelled`` and U the other rows of x:
    ``(1/|U|) sum_{i in U} [c(yhat_i) = truth_i]``, ``yhat_i = predict(params, x_i)``, where
    c names the components: c(j) = j for a fit whose components start from the labels ((b),
    (c), the supervised classifier), or, with ``name_by_labels``,
    ``c = match_labels(predict(params, x_L), truth_L, k)``, named by the labelled rows, the
    only truth a user has ((a), whose components carry no class names).  The score that
    ``labelled_count_sweep`` gives each method of each draw.

    params gaussian.Params (k components, d), x (n, d), truth (n,) ints 0..k-1, labelled
    (m,) distinct row indices of x, 1 <= m < n (``draw_labelled(truth, m, seed)``)
    -> float in [0, 1].
    """
    params = checks.instance(params, gaussian.Params, "params")
    x = gaussian.check_x(x)
    truth = checks.as_array(truth, "truth", ndim=1, shape=(len(x),), integer=True)
    if truth.min() < 0 or truth.max() >= params.k:
        raise ValueError(f"truth must hold classes 0..{params.k - 1} (one per component of "
                         f"params), got values from {truth.min()} to {truth.max()}")
    labelled = checks.as_array(labelled, "labelled", ndim=1, integer=True)
    if not 1 <= len(labelled) < len(x):
        raise ValueError(f"labelled must hold from 1 to {len(x) - 1} rows of x (leaving a row to "
                         f"score), got {len(labelled)}")
    if labelled.min() < 0 or labelled.max() >= len(x):
        raise ValueError(f"labelled must hold row indices 0..{len(x) - 1}, got values from "
                         f"{labelled.min()} to {labelled.max()}")
    if not isinstance(name_by_labels, bool):
        raise TypeError(f"name_by_labels must be True or False, got {type(name_by_labels).__name__}")
    mask = np.zeros(len(x), dtype=bool)
    mask[labelled] = True
    if np.count_nonzero(mask) != len(labelled):
        raise ValueError("labelled must hold distinct row indices, got a row twice")
    pred = predict(params, x[~mask])
    if name_by_labels:
        pred = match_labels(predict(params, x[mask]), truth[mask], params.k)[pred]
    return accuracy(pred, truth[~mask])


def labelled_count_sweep(x, truth, counts, seeds, *, start_reg_covar=0.1, **em_options):
    """Accuracy of (a), (b), (c) and the supervised classifier against the number of labels.

    For each count m and seed s: ``draw_labelled(truth, m, s)`` picks the labelled rows of
    ``x`` (their ``truth`` is revealed), the other rows stay unlabelled and are the ones
    scored, by ``draw_accuracy``.  (a) runs on all rows from ``init_random(x, k, s)`` (it
    ignores labels, so one fit per seed serves every m); its components are named by
    ``match_labels`` on the labelled rows, the only truth a user has.  (b), (c) and the
    supervised classifier (``estimate_from_labels`` + ``predict``) get their class names
    from their start.
    ``start_reg_covar`` regularises the labelled-row estimates (a class with one labelled
    point has no covariance of its own); ``em_options`` go to ``run_em``.

    x (n, d), truth (n,) ints 0..k-1 -> DataFrame with one row per (n_labelled, seed,
    method): columns ``n_labelled``, ``seed``, ``method``, ``accuracy``, ``n_iter`` (EM
    iterations; 0 for the supervised classifier).
    """
    x = gaussian.check_x(x)
    truth = _classes(truth, "truth", len(x))
    k = int(truth.max()) + 1
    counts = [checks.integer(m, "counts[...]", minimum=k) for m in counts]
    seeds = [checks.integer(s, "seeds[...]", minimum=0) for s in seeds]
    if not counts or not seeds:
        raise ValueError("counts and seeds must each hold at least one value")
    unsupervised = {s: fit_unsupervised(x, k, s, **em_options) for s in seeds}
    table = []
    for m in counts:
        for s in seeds:
            rows = draw_labelled(truth, m, s)
            x_l, y_l, x_u = x[rows], truth[rows], np.delete(x, rows, axis=0)
            fit_b = fit_labelled_then_unlabelled(x_l, y_l, x_u, k, start_reg_covar=start_reg_covar,
                                                 **em_options)
            fit_c = fit_semi_supervised(x_l, y_l, x_u, k, start_reg_covar=start_reg_covar,
                                        **em_options)
            supervised = estimate_from_labels(x_l, y_l, k, reg_covar=start_reg_covar)
            fits = [(unsupervised[s].params[-1], unsupervised[s].n_iter),
                    (fit_b.params[-1], fit_b.n_iter), (fit_c.params[-1], fit_c.n_iter),
                    (supervised, 0)]
            table += [{"n_labelled": m, "seed": s, "method": method,
                       "accuracy": draw_accuracy(params, x, truth, rows,
                                                 name_by_labels=method == METHODS[0]),
                       "n_iter": n_iter}
                      for method, (params, n_iter) in zip(METHODS, fits)]
    return pd.DataFrame(table)


def _labelled(x, y, k, name):
    """Check labelled rows: x (n, d), y (n,) ints in 0..k-1 with every class present."""
    x = gaussian.check_x(x, name)
    k = checks.integer(k, "k", minimum=1)
    y = checks.as_array(y, "y", ndim=1, shape=(len(x),), integer=True)
    if np.any((y < 0) | (y >= k)):
        raise ValueError(f"y must hold classes 0..{k - 1}, got values from {y.min()} to {y.max()}")
    missing = np.setdiff1d(np.arange(k), y)
    if missing.size:
        raise ValueError(f"every class needs at least one labelled row, but class {missing[0]} "
                         "has none")
    return x, y, k


def _classes(truth, name, n=None):
    """Classes of rows: (n,) ints in which every class 0..k-1 occurs (k = largest + 1)."""
    truth = checks.as_array(truth, name, ndim=1, shape=None if n is None else (n,), integer=True)
    if truth.size == 0 or truth.min() < 0:
        raise ValueError(f"{name} must hold at least one class, numbered 0, 1, ...")
    absent = np.setdiff1d(np.arange(truth.max() + 1), truth)
    if absent.size:
        raise ValueError(f"{name} must use every class 0..{truth.max()}, but class {absent[0]} "
                         "does not occur")
    return truth


def _pair(pred, truth):
    pred = checks.as_array(pred, "pred", ndim=1, integer=True)
    truth = checks.as_array(truth, "truth", ndim=1, shape=(len(pred),), integer=True)
    if pred.size == 0:
        raise ValueError("pred must contain at least one label, got an empty array")
    if pred.min() < 0 or truth.min() < 0:
        raise ValueError("pred and truth must hold labels >= 0")
    return pred, truth
