"""emlab.semi_supervised against independent references: numpy's per-class moments,
scikit-learn's GaussianMixture, a plain scipy.stats implementation of semi-supervised EM,
hand-worked label matching and scoring, and scikit-learn's accuracy_score."""
from itertools import permutations

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import accuracy_score
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


# ---------------------------------------------------------------- scoring one draw

# 1-D, two components with equal weights and variances: a point goes to the nearer mean, -2
# (component 0) or +2 (component 1).
LINE = gaussian.Params([0.5, 0.5], [[-2.0], [2.0]], [[[1.0]], [[1.0]]])
LINE_X = np.array([[-3.0], [-1.0], [0.5], [1.0], [3.0], [-2.5], [2.5], [4.0]])   # components 0 0 1 1 1 0 1 1
LINE_TRUTH = np.array([1, 1, 1, 0, 0, 0, 0, 0])


def test_draw_accuracy_by_hand():
    # Rows 0 and 4 labelled; scored: rows 1, 2, 3, 5, 6, 7, components 0 1 1 0 1 1 against
    # classes 1 1 0 0 0 0: rows 2 and 5 right, 2 of 6.  Named by the labelled rows (row 0:
    # component 0 is class 1, row 4: component 1 is class 0) the components read 1 0 0 1 0 0:
    # rows 1, 3, 6, 7 right, 4 of 6.
    assert ss.draw_accuracy(LINE, LINE_X, LINE_TRUTH, [0, 4]) == pytest.approx(2 / 6)
    assert ss.draw_accuracy(LINE, LINE_X, LINE_TRUTH, [0, 4], name_by_labels=True) == pytest.approx(4 / 6)
    # Labelled rows 1 and 3 (component 0 is class 1, component 1 class 0 again) leave rows
    # 0, 2, 4, 5, 6, 7: named 1 0 0 1 0 0 against 1 1 0 0 0 0, 4 of 6; unnamed, 2 of 6.
    assert ss.draw_accuracy(LINE, LINE_X, LINE_TRUTH, [3, 1], name_by_labels=True) == pytest.approx(4 / 6)
    assert ss.draw_accuracy(LINE, LINE_X, LINE_TRUTH, [3, 1]) == pytest.approx(2 / 6)


def test_draw_accuracy_is_sklearns_accuracy_score(rows):
    """A fit started from the labels ((b)) scored as is; unsupervised EM ((a), three components)
    named by the permutation of classes that gets the most labelled rows right, found by trying
    every permutation, then scored: both with scikit-learn's predict and accuracy_score."""
    x_l, y_l, x_u, t_u = rows
    x, truth, labelled = np.vstack([x_l, x_u]), np.r_[y_l, t_u], np.arange(len(x_l))
    start = ss.estimate_from_labels(x_l, y_l, 2)
    gm = sklearn_from(start, np.linalg.inv(start.covariances), tol=1e-6, max_iter=500).fit(x_u)
    fit = gaussian.Params(gm.weights_, gm.means_, gm.covariances_)
    np.testing.assert_array_equal(ss.predict(fit, x_u), gm.predict(x_u))
    assert ss.draw_accuracy(fit, x, truth, labelled) == accuracy_score(t_u, gm.predict(x_u))

    truth_params = gaussian.Params([0.3, 0.3, 0.4], [[0, 0], [3, 0], [1, 3]], np.stack([np.eye(2)] * 3))
    x3, t3 = gaussian.sample(truth_params, 300, np.random.default_rng(3))
    labelled = np.random.default_rng(4).choice(300, size=7, replace=False)
    scored = np.setdiff1d(np.arange(300), labelled)
    gm = GaussianMixture(3, covariance_type="full", random_state=1).fit(x3)
    for order in permutations(range(3)):          # the fit's components in every order
        order = list(order)
        gm.weights_, gm.means_, gm.covariances_ = gm.weights_[order], gm.means_[order], gm.covariances_[order]
        gm.precisions_cholesky_ = gm.precisions_cholesky_[order]
        fit = gaussian.Params(gm.weights_, gm.means_, gm.covariances_)
        pred = gm.predict(x3)
        np.testing.assert_array_equal(ss.predict(fit, x3), pred)
        right = {perm: accuracy_score(t3[labelled], np.array(perm)[pred[labelled]], normalize=False)
                 for perm in permutations(range(3))}
        best = max(right, key=right.get)
        assert sorted(right.values())[-2] < right[best]                 # one best naming
        expected = accuracy_score(t3[scored], np.array(best)[pred[scored]])
        assert ss.draw_accuracy(fit, x3, t3, labelled, name_by_labels=True) == expected
        assert ss.draw_accuracy(fit, x3, t3, labelled) == accuracy_score(t3[scored], pred[scored])


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


def test_sweep_entries_by_scipy(rows):
    """Two entries of the sweep recomputed for the draw (8, seed 3), scored on the other rows
    with the class of highest pi_j N(x | mu_j, Sigma_j) (scipy.stats): the supervised
    classifier (per-class shares, means and biased covariances + start_reg_covar I of the
    labelled rows), and unsupervised EM from seed 3, whose components come out swapped: the
    labelled rows name them (2 of 8 right as they are, so the swap)."""
    _, _, x_u, t_u = rows
    x, truth = x_u[:200], t_u[:200]
    sweep = ss.labelled_count_sweep(x, truth, [8], [3], max_iter=500, reg_covar=1e-6)
    got = sweep.set_index("method")["accuracy"]
    labelled = np.zeros(len(x), dtype=bool)
    labelled[ss.draw_labelled(truth, 8, 3)] = True

    def classes(weights, means, covariances, points):
        return np.argmax([weights[j] * stats.multivariate_normal.pdf(points, means[j], covariances[j])
                          for j in range(2)], axis=0)

    members = [x[labelled & (truth == j)] for j in range(2)]
    supervised = classes([len(m) / 8 for m in members], [m.mean(axis=0) for m in members],
                         [np.cov(m, rowvar=False, bias=True) + 0.1 * np.eye(2) for m in members],
                         x[~labelled])
    assert got["supervised only"] == pytest.approx(np.mean(supervised == truth[~labelled]), abs=1e-12)

    fit = ss.fit_unsupervised(x, 2, 3, max_iter=500, reg_covar=1e-6).params[-1]
    parts = (fit.weights, fit.means, fit.covariances)
    assert np.sum(classes(*parts, x[labelled]) == truth[labelled]) == 2
    swapped = 1 - classes(*parts, x[~labelled])
    assert got["(a) unsupervised"] == pytest.approx(np.mean(swapped == truth[~labelled]), abs=1e-12)
    assert got["(a) unsupervised"] > 0.5


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
    with pytest.raises(TypeError, match="params must be emlab.gaussian_params.Params"):
        ss.draw_accuracy("fit", LINE_X, LINE_TRUTH, [0, 4])
    with pytest.raises(ValueError, match="truth must hold classes 0..1"):
        ss.draw_accuracy(LINE, LINE_X, LINE_TRUTH + 1, [0, 4])
    with pytest.raises(ValueError, match="labelled must hold distinct row indices"):
        ss.draw_accuracy(LINE, LINE_X, LINE_TRUTH, [0, 4, 0])
    with pytest.raises(ValueError, match="labelled must hold row indices 0..7"):
        ss.draw_accuracy(LINE, LINE_X, LINE_TRUTH, [0, 8])
    with pytest.raises(ValueError, match="labelled must hold from 1 to 7 rows"):
        ss.draw_accuracy(LINE, LINE_X, LINE_TRUTH, np.arange(8))
    with pytest.raises(TypeError, match="labelled must be an array of numbers"):
        ss.draw_accuracy(LINE, LINE_X, LINE_TRUTH, [True, False])
    with pytest.raises(TypeError, match="name_by_labels must be True or False"):
        ss.draw_accuracy(LINE, LINE_X, LINE_TRUTH, [0, 4], name_by_labels=1)
    with pytest.raises(ValueError, match="x has d = 2 columns but params.means has d = 1"):
        ss.draw_accuracy(LINE, np.hstack([LINE_X, LINE_X]), LINE_TRUTH, [0, 4])


def test_caller_arrays_are_not_modified(rows):
    x_l, y_l, x_u, _ = rows
    copies = [a.copy() for a in (x_l, y_l, x_u)]
    ss.fit_semi_supervised(x_l, y_l, x_u, 2, max_iter=5, tol=0)
    ss.fit_labelled_then_unlabelled(x_l, y_l, x_u, 2, max_iter=5, tol=0)
    for before, after in zip(copies, (x_l, y_l, x_u)):
        np.testing.assert_array_equal(before, after)
