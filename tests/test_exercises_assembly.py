"""emlab.exercises, the checkers of the exercises that put EM together: a whole EM loop, Lloyd's
algorithm, restarts that keep the best converged run, and the number of free parameters BIC
counts.  Right answers are written from the equations (and scikit-learn where it has them);
the wrong ones plant one mistake each.
"""
import dataclasses
import warnings

import numpy as np
import pytest
from scipy.special import logsumexp, softmax
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

import emlab
from emlab import bernoulli, coins, exercises, gaussian, poisson

from test_exercises import MODEL_IDS, MODELS, assert_passed, assert_rejected, printed_of


# ------------------------------------------------------------------ the EM loop

def em_loop(model, mistake=None):
    """EM from the equations: r_ij = softmax_j log p(x_i, z_i = j), the model's M-step,
    l = sum_i logsumexp_j log p(x_i, z_i = j); stop after the first M-step t with
    |l_t - l_(t-1)| / n < tol, or after max_iter M-steps.  One planted mistake."""
    def log_likelihood(x, params):
        return float(logsumexp(model.log_joint(x, params), axis=1).sum())

    def loop(x, params, max_iter, tol):
        start = params
        lls = [log_likelihood(x, params)]
        for t in range(1, max_iter + 1 + (mistake == "max_iter + 1")):
            params = model.m_step(x, softmax(model.log_joint(x, params), axis=1))
            lls.append(log_likelihood(x, params))
            change = abs(lls[-1] - lls[-2]) / (1 if mistake == "total change" else len(x))
            if mistake == "never stops" or (mistake == "checks from t = 2" and t == 1):
                continue
            if change < tol:
                break
        if mistake == "initial params":
            return start, lls
        if mistake == "negative":
            return params, [-value for value in lls]
        if mistake == "no initial":
            return params, lls[1:]
        if mistake == "swapped":
            return lls, params
        return params, lls
    return loop


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_em_loop_right_answer_passes(capsys, model):
    assert_passed(capsys, exercises.check_em_loop(model, em_loop(model)))


EM_LOOP_MISTAKES = [
    ("never stops", ["never stopped before max_iter = 100", "[problem 'converged'"]),
    ("checks from t = 2", ["stopping rule off by one", "stopped after 2 M-steps, run_em after 1"]),
    ("max_iter + 1", ["ran past max_iter", "at most max_iter M-steps"]),
    ("initial params", ["returned the initial params"]),
    ("negative", ["l decreased from log_likelihoods[0]", "EM never decreases the log-likelihood"]),
    ("no initial", ["log_likelihoods starts after the first M-step"]),
    ("swapped", ["returned (log_likelihoods, params)"]),
]


@pytest.mark.parametrize("model", [coins, gaussian], ids=["coins", "gaussian"])
@pytest.mark.parametrize("mistake, words", EM_LOOP_MISTAKES, ids=[m for m, _ in EM_LOOP_MISTAKES])
def test_em_loop_mistakes_are_named(capsys, model, mistake, words):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_rejected(capsys, exercises.check_em_loop(model, em_loop(model, mistake)), words)


def test_em_loop_total_change_is_named_where_it_stops_elsewhere(capsys):
    assert_rejected(capsys, exercises.check_em_loop(poisson, em_loop(poisson, "total change")),
                    ["compared the change of the total l with tol", "[problem 'converged'"])


def test_em_loop_answers_of_the_wrong_kind(capsys):
    def returns_history(x, params, max_iter, tol):
        return emlab.run_em(poisson, x, params, max_iter=max_iter, tol=tol)

    def returns_resp(x, params, max_iter, tol):
        return emlab.e_step(poisson, x, params)[0]
    assert_rejected(capsys, exercises.check_em_loop(poisson, returns_history), ["returned a History"])
    assert_rejected(capsys, exercises.check_em_loop(poisson, returns_resp),
                    ["wrong type", "expected (params, log_likelihoods)"])
    assert printed_of(capsys, exercises.check_em_loop, poisson, em_loop(poisson)) == (
        "✓ EM loop correct on all 3 problems (max_iter = 3, converged, k = 1)")



# ------------------------------------------------------------------ k-means

def kmeans_sklearn(x, centres, max_iter):
    fit = KMeans(len(centres), init=centres, n_init=1, algorithm="lloyd", max_iter=max_iter, tol=0).fit(x)
    return fit.cluster_centers_, fit.labels_


def kmeans_loops(mistake=None):
    """Lloyd's algorithm written with loops over the points, one planted mistake."""
    def kmeans(x, centres, max_iter):
        centres = centres if mistake == "in place" else centres.copy()
        start = centres.copy()

        def nearest(c):
            d = np.array([[np.sum((xi - cj) ** 2) for cj in c] for xi in x])
            return d.argmax(axis=1) if mistake == "farthest" else d.argmin(axis=1)
        labels = nearest(centres)
        for _ in range(max_iter + (mistake == "max_iter + 1")):
            if mistake == "stale labels":
                labels = nearest(centres)
            for j in range(len(centres)):
                members = x[labels == j]
                if len(members):
                    centres[j] = np.median(members, axis=0) if mistake == "median" else members.mean(axis=0)
            new = nearest(centres)
            if mistake == "stale labels":          # the labels of the centres before this move
                continue
            if np.array_equal(new, labels):
                break
            labels = new
            if mistake == "one iteration":
                break
        if mistake == "initial centres":
            return start, labels
        if mistake == "labels from 1":
            return centres, labels + 1
        if mistake == "float labels":
            return centres, labels.astype(float)
        if mistake == "swapped":
            return labels, centres
        return centres, labels
    return kmeans


def test_kmeans_right_answers_pass(capsys):
    assert_passed(capsys, exercises.check_kmeans(kmeans_sklearn))
    assert printed_of(capsys, exercises.check_kmeans, kmeans_loops()) == (
        "✓ k-means correct on all 5 problems (typical, max_iter = 1, k = 1, d = 1, one point)")


KMEANS_MISTAKES = [
    ("in place", ["changed its input centres in place"]),
    ("median", ["moved each centre to the median of its points"]),
    ("one iteration", ["one iteration only"]),
    ("max_iter + 1", ["ran max_iter + 1 = 2 iterations"]),
    ("stale labels", ["labels of the centres before the last move"]),
    ("initial centres", ["returned the initial centres"]),
    ("labels from 1", ["labels numbered from 1"]),
    ("float labels", ["labels must be integers"]),
    ("swapped", ["returned (labels, centres)"]),
    ("farthest", ["✗ "]),
]


@pytest.mark.parametrize("mistake, words", KMEANS_MISTAKES, ids=[m for m, _ in KMEANS_MISTAKES])
def test_kmeans_mistakes_are_named(capsys, mistake, words):
    assert_rejected(capsys, exercises.check_kmeans(kmeans_loops(mistake)), words)


# ------------------------------------------------------------------ restarts

def restarts(mistake=None):
    """For each seed: init_random, run_em; drop collapses; keep the best converged run."""
    def best_of(x, k, seeds):
        runs = []
        for seed in seeds:
            start = gaussian.init_random(x, k, np.random.default_rng(seed))
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", emlab.ConvergenceWarning)
                    history = emlab.run_em(gaussian, x, start)
            except emlab.CollapseError as exc:
                if mistake == "no catch":
                    raise
                if mistake == "keeps collapsed":
                    runs.append(exc.history)
                continue
            if history.converged or mistake == "keeps unconverged":
                runs.append(history)
        if not runs:
            return None
        final = (lambda h: h.log_likelihood[0]) if mistake == "initial l" else (lambda h: h.log_likelihood[-1])
        best = {"lowest": min(runs, key=final), "first": runs[0], "last": runs[-1]}.get(mistake, max(runs, key=final))
        return best.params[-1] if mistake == "params" else best
    return best_of


def test_restarts_right_answer_passes(capsys):
    assert printed_of(capsys, exercises.check_restarts, restarts()) == (
        "✓ restarts correct on all 5 problems (a collapse among the seeds, a run that did not converge, "
        "every run collapses, one seed, the best start ends lower)")


RESTART_MISTAKES = [
    ("no catch", ["raised CollapseError: a restart collapsed; catch emlab.CollapseError"]),
    ("keeps collapsed", ["kept a collapsed run"]),
    ("keeps unconverged", ["kept a run that did not converge"]),
    ("lowest", ["kept the run with the lowest log-likelihood"]),
    ("first", ["kept the first converged run"]),
    ("last", ["kept the last converged run"]),
    ("initial l", ["compared the initial log-likelihoods"]),
    ("params", ["wrong type", "expected the History of the best converged run"]),
]


@pytest.mark.parametrize("mistake, words", RESTART_MISTAKES, ids=[m for m, _ in RESTART_MISTAKES])
def test_restarts_mistakes_are_named(capsys, mistake, words):
    assert_rejected(capsys, exercises.check_restarts(restarts(mistake)), words)


def test_restarts_that_return_a_run_when_every_run_collapsed(capsys):
    def best_of(x, k, seeds):
        return restarts()(x, k, seeds) or restarts("keeps collapsed")(x, k, seeds)
    assert_rejected(capsys, exercises.check_restarts(best_of),
                    ["although every run collapsed: return None", "[problem 'every run collapses'"])


# ------------------------------------------------------------------ free parameters (BIC)

def n_parameters_sklearn(covariance_type, k, d):
    """scikit-learn's own count, from a fitted GaussianMixture of that shape."""
    x = np.random.default_rng(0).normal(size=(max(3 * k, d + 2), d))
    return GaussianMixture(k, covariance_type=covariance_type, random_state=0, max_iter=1).fit(x)._n_parameters()


def n_parameters(mistake=None):
    def count(covariance_type, k, d):
        covariances = {"full": k * d * (d + 1) / 2, "tied": d * (d + 1) / 2, "diag": k * d, "spherical": k}
        if mistake == "symmetric twice":
            covariances.update(full=k * d * d, tied=d * d)
        if mistake == "tied per component":
            covariances["tied"] = k * d * (d + 1) / 2
        if mistake == "spherical per dimension":
            covariances["spherical"] = k * d
        weights = {"no weights": 0, "k weights": k}.get(mistake, k - 1)
        means = 0 if mistake == "no means" else k * d
        total = covariances[covariance_type] + means + weights
        return str(total) if mistake == "string" else total + 0.5 * (mistake == "half")
    return count


def test_n_parameters_right_answers_pass(capsys):
    assert_passed(capsys, exercises.check_n_parameters(n_parameters_sklearn))
    assert printed_of(capsys, exercises.check_n_parameters, n_parameters()) == (
        "✓ number of parameters correct on all 6 problems (full, tied, diag, spherical, full, d = 5, tied, k = 1)")


N_PARAMETERS_MISTAKES = [
    ("no weights", ["forgot the k - 1 free mixing weights"]),
    ("k weights", ["counted k mixing weights"]),
    ("no means", ["forgot the k d means"]),
    ("symmetric twice", ["counted d^2 entries per covariance"]),
    ("tied per component", ["counted the tied covariance once per component"]),
    ("spherical per dimension", ["counted d variances per component for 'spherical'"]),
    ("string", ["wrong type", "str"]),
    ("half", ["not a whole number"]),
]


@pytest.mark.parametrize("mistake, words", N_PARAMETERS_MISTAKES, ids=[m for m, _ in N_PARAMETERS_MISTAKES])
def test_n_parameters_mistakes_are_named(capsys, mistake, words):
    assert_rejected(capsys, exercises.check_n_parameters(n_parameters(mistake)), words)


def test_full_covariance_type_names(capsys):
    """Counting full covariances for another type names that type's count."""
    def full_everywhere(covariance_type, k, d):
        return k * d * (d + 1) // 2 + k * d + k - 1
    assert_rejected(capsys, exercises.check_n_parameters(full_everywhere),
                    ["counted the tied covariance once per component", "[problem 'tied'"])
    assert dataclasses.is_dataclass(bernoulli.Params)      # (the M-step judges need dataclass Params)
