"""emlab.semi_supervised against independent references: numpy's per-class moments,
scikit-learn's GaussianMixture, a plain scipy.stats implementation of semi-supervised EM,
and hand-worked label matching."""
import numpy as np
import pytest
from scipy import stats
from sklearn.mixture import GaussianMixture

from emlab import data, gaussian
from emlab import semi_supervised as ss


@pytest.fixture(scope="module")
def rows():
    labeled, unlabeled, truth = data.load_semi_supervised()
    return (data.points_x(labeled), labeled["y"].to_numpy(), data.points_x(unlabeled),
            truth["y"].to_numpy())


def sklearn_from(params, precisions, **options):
    """GaussianMixture started exactly at ``params`` (weights, means) and ``precisions``."""
    return GaussianMixture(params.k, covariance_type="full", reg_covar=0.0,
                           weights_init=params.weights, means_init=params.means,
                           precisions_init=precisions, **options)


def max_difference(params, gm):
    return max(np.abs(params.weights - gm.weights_).max(), np.abs(params.means - gm.means_).max(),
               np.abs(params.covariances - gm.covariances_).max())


# ---------------------------------------------------------------- building blocks

def test_estimate_from_labels_is_the_per_class_share_mean_and_covariance(rows):
    x_l, y_l, _, _ = rows
    params = ss.estimate_from_labels(x_l, y_l, 2, reg_covar=0.25)
    for j in range(2):
        members = x_l[y_l == j]
        assert params.weights[j] == pytest.approx(len(members) / len(x_l), abs=1e-12)
        np.testing.assert_allclose(params.means[j], members.mean(axis=0), rtol=1e-12)
        np.testing.assert_allclose(params.covariances[j],
                                   np.cov(members, rowvar=False, bias=True) + 0.25 * np.eye(2),
                                   rtol=1e-10)


def test_predict_is_argmax_of_scipy_class_posteriors(rows):
    x_l, y_l, x_u, _ = rows
    params = ss.estimate_from_labels(x_l, y_l, 2)
    joint = np.column_stack([params.weights[j] * stats.multivariate_normal.pdf(
        x_u, params.means[j], params.covariances[j]) for j in range(2)])
    np.testing.assert_array_equal(ss.predict(params, x_u), joint.argmax(axis=1))


def test_match_labels_solves_the_assignment_not_greedily():
    # Confusion matrix C[component, class] = [[5, 4], [4, 0]].  Greedy (largest cell first)
    # names component 0 class 0 and gets 5 + 0 right; the best one-to-one naming is
    # 0 -> 1, 1 -> 0 with 4 + 4 right.
    pred = np.array([0] * 9 + [1] * 4)
    truth = np.array([0] * 5 + [1] * 4 + [0] * 4)
    mapping = ss.match_labels(pred, truth)
    np.testing.assert_array_equal(mapping, [1, 0])
    assert ss.accuracy(mapping[pred], truth) == pytest.approx(8 / 13)
    assert ss.accuracy(pred, truth) == pytest.approx(5 / 13)


def test_match_labels_three_components_by_hand():
    # C = [[0, 1, 2], [3, 0, 0], [0, 2, 0]]: 0 -> 2, 1 -> 0, 2 -> 1, 7 of 8 right.
    pred = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    truth = np.array([2, 2, 1, 0, 0, 0, 1, 1])
    mapping = ss.match_labels(pred, truth)
    np.testing.assert_array_equal(mapping, [2, 0, 1])
    assert ss.accuracy(mapping[pred], truth) == pytest.approx(7 / 8)


def test_match_labels_covers_components_absent_from_pred():
    mapping = ss.match_labels([1, 1, 1], [0, 0, 0], k=3)
    assert sorted(mapping) == [0, 1, 2] and mapping[1] == 0


def test_draw_labelled_is_random_distinct_and_has_every_class():
    truth = np.array([0] * 95 + [1] * 5)
    for seed in range(20):
        rows = ss.draw_labelled(truth, 2, seed)
        assert len(set(rows)) == 2 and set(truth[rows]) == {0, 1}
    np.testing.assert_array_equal(ss.draw_labelled(truth, 10, 3), ss.draw_labelled(truth, 10, 3))


# ---------------------------------------------------------------- (a), (b) against scikit-learn

def test_labelled_then_unlabelled_matches_sklearn_given_inverse_covariances(rows):
    x_l, y_l, x_u, _ = rows
    start = ss.estimate_from_labels(x_l, y_l, 2)
    gm = sklearn_from(start, np.linalg.inv(start.covariances), tol=1e-6, max_iter=500).fit(x_u)
    assert gm.converged_
    # scikit-learn checks convergence one E-step later than emlab: compare after the same
    # number of M-steps.
    h = ss.fit_labelled_then_unlabelled(x_l, y_l, x_u, 2, max_iter=gm.n_iter_, tol=0)
    assert max_difference(h.params[-1], gm) < 1e-6
    np.testing.assert_array_equal(ss.predict(h.params[-1], x_u), gm.predict(x_u))


def test_passing_covariances_as_precisions_gives_a_different_fit(rows):
    """The pitfall the notebook shows: scikit-learn takes the wrong matrices without complaint."""
    x_l, y_l, x_u, _ = rows
    start = ss.estimate_from_labels(x_l, y_l, 2)
    h = ss.fit_labelled_then_unlabelled(x_l, y_l, x_u, 2, max_iter=500)
    wrong = sklearn_from(start, start.covariances, tol=1e-6, max_iter=500).fit(x_u)
    assert max_difference(h.params[-1], wrong) > 1e-3


def test_unsupervised_matches_sklearn_from_the_same_random_start(rows):
    x_l, _, x_u, _ = rows
    x = np.vstack([x_l, x_u])
    start = gaussian.init_random(x, 2, 7)
    gm = sklearn_from(start, np.linalg.inv(start.covariances), tol=1e-6, max_iter=500).fit(x)
    h = ss.fit_unsupervised(x, 2, 7, max_iter=gm.n_iter_, tol=0)
    assert max_difference(h.params[-1], gm) < 1e-6


# ---------------------------------------------------------------- (c) against a plain implementation

def plain_semi_supervised_em(x_l, y_l, x_u, params, n_iter):
    """Textbook semi-supervised EM with scipy.stats densities in probability space.

    Returns (weights, means, covariances, objective after the last M-step)."""
    k = params.k
    w, mu, cov = params.weights, params.means, params.covariances
    x = np.vstack([x_l, x_u])

    def joint(points):
        return np.column_stack([w[j] * stats.multivariate_normal.pdf(points, mu[j], cov[j])
                                for j in range(k)])

    for _ in range(n_iter):
        p_u = joint(x_u)
        r = np.vstack([np.eye(k)[y_l], p_u / p_u.sum(axis=1, keepdims=True)])
        w = r.sum(axis=0) / len(x)
        mu = np.array([np.average(x, axis=0, weights=r[:, j]) for j in range(k)])
        cov = np.array([np.cov(x, rowvar=False, aweights=r[:, j], bias=True) for j in range(k)])
    objective = (np.log(joint(x_l)[np.arange(len(x_l)), y_l]).sum()
                 + np.log(joint(x_u).sum(axis=1)).sum())
    return w, mu, cov, objective


def test_semi_supervised_matches_a_plain_scipy_implementation(rows):
    x_l, y_l, x_u, _ = rows
    h = ss.fit_semi_supervised(x_l, y_l, x_u, 2, max_iter=15, tol=0)
    w, mu, cov, objective = plain_semi_supervised_em(x_l, y_l, x_u, h.params[0], 15)
    final = h.params[-1]
    np.testing.assert_allclose(final.weights, w, rtol=1e-9)
    np.testing.assert_allclose(final.means, mu, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(final.covariances, cov, rtol=1e-9, atol=1e-12)
    assert h.log_likelihood[-1] == pytest.approx(objective, rel=1e-10)


def test_semi_supervised_objective_never_decreases(rows):
    x_l, y_l, x_u, _ = rows
    h = ss.fit_semi_supervised(x_l, y_l, x_u, 2, max_iter=200)
    assert h.converged
    assert np.all(np.diff(h.log_likelihood) >= -1e-9 * abs(h.log_likelihood[-1]))
    np.testing.assert_array_equal(h.labels[:len(y_l)], y_l)
    np.testing.assert_array_equal(h.resp[-1][:len(y_l)], np.eye(2)[y_l])


# ---------------------------------------------------------------- the labelled-count sweep

def test_semi_supervised_beats_labelled_then_unlabelled_on_average():
    """(c) uses the labelled rows in every M-step, (b) only for its start.  Where the labelled
    rows are a real share of the data (pools of 150 rows of unlabeled.csv, up to 100 of them
    labelled), (c) must be more accurate on average over the draws and counts."""
    _, unlabeled, truth = data.load_semi_supervised()
    x, t = data.points_x(unlabeled), truth["y"].to_numpy()
    differences = []
    for seed in range(6):
        pool = np.random.default_rng(100 + seed).choice(len(x), size=150, replace=False)
        sweep = ss.labelled_count_sweep(x[pool], t[pool], [4, 16, 64, 100], [seed],
                                        max_iter=500, reg_covar=1e-6)
        by_method = sweep.set_index(["n_labelled", "method"])["accuracy"].unstack()
        differences.append(by_method["(c) semi-supervised"]
                           - by_method["(b) labelled, then unlabelled"])
    differences = np.concatenate(differences)
    assert differences.mean() > 0


def test_sweep_is_a_tidy_table(rows):
    _, _, x_u, t_u = rows
    sweep = ss.labelled_count_sweep(x_u[:200], t_u[:200], [2, 8], [0, 1], max_iter=500,
                                    reg_covar=1e-6)
    assert list(sweep.columns) == ["n_labelled", "seed", "method", "accuracy", "n_iter"]
    assert len(sweep) == 2 * 2 * len(ss.METHODS)
    assert sweep["accuracy"].between(0, 1).all()
    assert set(sweep["method"]) == set(ss.METHODS)


# ---------------------------------------------------------------- bad input

def test_arguments_are_checked_with_clear_messages(rows):
    x_l, y_l, x_u, t_u = rows
    with pytest.raises(ValueError, match="class 1 has none"):
        ss.estimate_from_labels(x_l, np.zeros(len(x_l), dtype=int), 2)
    with pytest.raises(ValueError, match="y must hold classes 0..1"):
        ss.estimate_from_labels(x_l, np.full(len(x_l), 2), 2)
    with pytest.raises(ValueError, match="y must have shape"):
        ss.estimate_from_labels(x_l, y_l[:-1], 2)
    with pytest.raises(ValueError, match="x_unlabelled must have d = 2"):
        ss.fit_semi_supervised(x_l, y_l, x_u[:, :1], 2)
    with pytest.raises(ValueError, match="n_labelled must be at most"):
        ss.draw_labelled(t_u[:10], 11, 0)
    with pytest.raises(ValueError, match="class 1 does not occur"):
        ss.draw_labelled([0, 2, 2, 0], 3, 0)
    with pytest.raises(ValueError, match="truth must have shape"):
        ss.accuracy([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="labels 0..1"):
        ss.match_labels([0, 2], [0, 1], k=2)
    with pytest.raises(TypeError, match="k must be an int"):
        ss.fit_unsupervised(x_u, 2.0, 0)
    with pytest.raises(ValueError, match="counts and seeds"):
        ss.labelled_count_sweep(x_u, t_u, [], [0])


def test_caller_arrays_are_not_modified(rows):
    x_l, y_l, x_u, _ = rows
    copies = [a.copy() for a in (x_l, y_l, x_u)]
    ss.fit_semi_supervised(x_l, y_l, x_u, 2, max_iter=5, tol=0)
    ss.fit_labelled_then_unlabelled(x_l, y_l, x_u, 2, max_iter=5, tol=0)
    for before, after in zip(copies, (x_l, y_l, x_u)):
        np.testing.assert_array_equal(before, after)
