"""emlab.widgets.explorer on models other than the Gaussian mixture, driven without a browser:
compare the run shown with a direct run_em call from the start the settings name (models with
only a random start, a model made in a cell, init_random against numpy's draw); the coins
landscape view against scipy.stats.binom; the semi-supervised explorer against
semi_supervised.labelled_count_sweep and against scores by hand with scipy.stats."""
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import stats

import emlab
from emlab import coins, gaussian, poisson
from emlab import semi_supervised as ss
from emlab import widgets
from emlab.widgets import runs
from explorer_checks import EM, assert_same_run, assert_shows
from published import DO_BATZOGLOU
from figures import full_draw, pixels


@pytest.mark.filterwarnings("ignore::emlab.ConvergenceWarning")
@pytest.mark.parametrize("model, truth", [
    (emlab.poisson, emlab.poisson.Params([0.4, 0.6], [2.0, 9.0])),
    (emlab.bernoulli, emlab.bernoulli.Params([0.5, 0.5], [[0.9, 0.8, 0.1, 0.2], [0.1, 0.3, 0.9, 0.7]])),
])
def test_models_with_only_a_random_start(model, truth):
    x, _ = model.sample(truth, 120, np.random.default_rng(2))
    e = widgets.explorer(model, x, dpi=30)
    assert list(e.controls) == ["K", "seed"]                    # no init to choose, no reg_covar
    e.controls["K"].value = 3
    rng = np.random.default_rng(0)                              # the random starts, as documented
    if model is emlab.poisson:
        start = model.Params(np.full(3, 1 / 3), rng.uniform(max(x.min(), 0.5), x.max(), 3))
    else:
        start = model.Params(np.full(3, 1 / 3), rng.uniform(0.25, 0.75, (3, x.shape[1])))
    assert_shows(e, emlab.run_em(model, x, start, **EM))
    assert "K = 3, init = random, seed = 0" in e.caption.value


@pytest.mark.filterwarnings("ignore::emlab.ConvergenceWarning")
def test_a_model_made_in_a_cell_gets_its_starts_from_its_own_parts():
    """Nothing asks which model it is: a namespace of poisson's parts with its init_random gets
    the random start; one of coins' parts without init_random gets only the manual start,
    because it declares coins' manual_start ("theta"); without that declaration it has no
    start to offer, whatever its Params' fields."""
    counts = poisson.Params([0.4, 0.6], [2.0, 9.0])
    x, _ = poisson.sample(counts, 120, np.random.default_rng(2))
    mine = SimpleNamespace(Params=poisson.Params, check_x=poisson.check_x, log_joint=poisson.log_joint,
                           m_step=poisson.m_step, init_random=poisson.init_random)
    assert runs.inits(mine, x) == ("random",)
    rates = np.random.default_rng(5).uniform(max(x.min(), 0.5), x.max(), 3)   # the documented draw
    start = runs.start_params(mine, x, K=3, seed=5)
    np.testing.assert_array_equal(start.rates, rates)
    np.testing.assert_array_equal(start.weights, np.full(3, 1 / 3))
    assert_same_run(runs.explorer_run(mine, x, K=3, seed=5),
                    emlab.run_em(poisson, x, poisson.Params(np.full(3, 1 / 3), rates), **EM))
    e = widgets.explorer(mine, x, K=3, seed=5, dpi=30)
    assert list(e.controls) == ["K", "seed"]
    with pytest.raises(ValueError, match="init must be one of 'random' for SimpleNamespace, got 'manual'"):
        runs.start_params(mine, x, init="manual", theta=(0.5, 0.5))

    undeclared = SimpleNamespace(Params=coins.Params, check_x=coins.check_x, log_joint=coins.log_joint,
                                 m_step=coins.m_step)
    assert runs.inits(undeclared, DO_BATZOGLOU) == ()
    with pytest.raises(TypeError, match="explorer needs a start to offer, but SimpleNamespace has no "
                                        "init_random, init_kmeans or manual_start"):
        widgets.explorer(undeclared, DO_BATZOGLOU)
    with pytest.raises(ValueError, match="SimpleNamespace.manual_start must be one of 'theta', 'means'"):
        runs.inits(SimpleNamespace(**vars(undeclared), manual_start="p"), DO_BATZOGLOU)
    tosses = SimpleNamespace(**vars(undeclared), manual_start=coins.manual_start)
    assert runs.inits(tosses, DO_BATZOGLOU) == ("manual",)
    np.testing.assert_array_equal(
        runs.start_params(tosses, DO_BATZOGLOU, init="manual", theta=(0.6, 0.5)).p, [0.6, 0.5])
    e = widgets.explorer(tosses, DO_BATZOGLOU, theta=(0.6, 0.5), learn_weights=False, dpi=30)
    assert list(e.controls) == ["K", "seed", "theta_A", "theta_B"]
    assert_shows(e, emlab.run_em(coins, DO_BATZOGLOU, coins.Params([0.5, 0.5], [0.6, 0.5]),
                                 learn_weights=False, **EM))


@pytest.mark.parametrize("model, x, low, high", [
    (coins, DO_BATZOGLOU, 0.05, 0.95),
    (poisson, np.array([3, 0, 7, 12, 5]), 0.5, 12),          # from the smallest count (raised to 0.5)
    (poisson, np.array([0, 0, 0, 0, 0]), 0.5, 1.0),          # all zeros: rates still > 0
])
def test_init_random_draws_in_range_and_names_a_bad_k(model, x, low, high):
    start = model.init_random(x, 5, np.random.default_rng(3))
    drawn = start.p if model is coins else start.rates
    np.testing.assert_array_equal(drawn, np.random.default_rng(3).uniform(low, high, 5))
    assert np.all((low <= drawn) & (drawn <= high))
    np.testing.assert_array_equal(start.weights, np.full(5, 0.2))
    with pytest.raises(ValueError, match="k must be at most the number of .*n = 5, got k = 6"):
        model.init_random(x, 6, 0)
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        model.init_random(x, 0, 0)
    with pytest.raises(TypeError, match="k must be an int, got float 2.5"):
        model.init_random(x, 2.5, 0)


def test_coins_landscape_matches_scipy_and_a_start_on_the_diagonal_stays_on_it():
    e = widgets.explorer(coins, DO_BATZOGLOU, theta=(0.6, 0.5), learn_weights=False, dpi=30)
    view = e.stepper.view
    assert type(view) is widgets.CoinsLandscapeView
    assert_shows(e, emlab.run_em(coins, DO_BATZOGLOU, coins.Params([0.5, 0.5], [0.6, 0.5]),
                                 learn_weights=False, **EM))
    heads, tosses = DO_BATZOGLOU[:, 0], DO_BATZOGLOU.sum(axis=1)
    ell = view.landscape()
    for b, a in [(10, 70), (40, 40), (5, 78)]:
        theta_a, theta_b = view.grid[a], view.grid[b]
        reference = np.log(0.5 * stats.binom.pmf(heads, tosses, theta_a)
                           + 0.5 * stats.binom.pmf(heads, tosses, theta_b)).sum()
        assert ell[b, a] == pytest.approx(reference, rel=1e-12)
    e.stepper.show(6)                                            # iteration 2's M-step: theta^(3)
    np.testing.assert_allclose(np.column_stack(view.path_line.get_data()),
                               [p.p for p in e.history.params[:4]])
    np.testing.assert_allclose(view.current.get_data(), np.reshape(e.history.params[3].p, (2, 1)))
    np.testing.assert_array_equal(pixels(e.stepper.image.value), full_draw(view))

    e.controls["theta_A"].value = 0.3
    e.controls["theta_B"].value = 0.3                            # on the diagonal
    assert e.stepper.view is view                                # the same figure, the artists moved
    path = np.array([p.p for p in e.history.params])
    assert np.array_equal(path[:, 0], path[:, 1]) and np.allclose(path[-1], 33 / 50)
    assert view.start_marker.get_data() == ([0.3], [0.3])
    e.stepper.show(2 * e.history.n_iter + 1)                     # the last E-step
    line = np.column_stack(view.path_line.get_data())
    assert np.array_equal(line[:, 0], line[:, 1])
    np.testing.assert_array_equal(pixels(e.stepper.image.value), full_draw(view))

    e.controls["K"].value = 3                                    # three coins: the default coins view
    assert type(e.stepper.view) is widgets.CoinsView and "theta_C" in e.controls
    e.controls["K"].value = 2
    assert type(e.stepper.view) is widgets.CoinsLandscapeView
    learned = widgets.explorer(coins, DO_BATZOGLOU, theta=(0.6, 0.5), dpi=30)   # weights learned
    assert type(learned.stepper.view) is widgets.CoinsView


def classes(params, rows):
    """The class of highest pi_j N(x | mu_j, Sigma_j) of each row, with scipy.stats."""
    return np.argmax([params.weights[j] * stats.multivariate_normal.pdf(rows, params.means[j],
                                                                         params.covariances[j])
                      for j in range(params.k)], axis=0)


def test_semi_supervised_explorer_gives_the_sweeps_numbers():
    truth_params = gaussian.Params([0.6, 0.4], [[0.0, 0.0], [2.0, 1.5]],
                                   [[[1.5, 0.6], [0.6, 1.0]], [[0.8, -0.4], [-0.4, 1.2]]])
    x, truth = gaussian.sample(truth_params, 200, np.random.default_rng(5))
    options = {"max_iter": 200, "tol": 1e-6, "reg_covar": 1e-6, "start_reg_covar": 0.1}
    sweep = ss.labelled_count_sweep(x, truth, [4, 16], seeds=[0, 2], **options)
    e = widgets.semi_supervised_explorer(x, truth, n_labelled=4, seed=0, dpi=30, **options)
    assert list(e.controls) == ["n_labelled", "seed"]
    for m, seed in [(4, 0), (16, 0), (16, 2), (4, 2)]:
        e.controls["n_labelled"].value, e.controls["seed"].value = m, seed
        rows = sweep[(sweep.n_labelled == m) & (sweep.seed == seed)].set_index("method")["accuracy"]
        assert f"<b>n_labelled = {m}, seed = {seed}</b>" in e.caption.value
        assert f"{rows['(c) semi-supervised']:.1%} of the other {len(x) - m} points right" in e.caption.value
        assert f"unsupervised EM: {rows['(a) unsupervised']:.1%}" in e.caption.value
        labelled = np.zeros(len(x), bool)
        labelled[ss.draw_labelled(truth, m, seed)] = True
        reference = emlab.run_em(gaussian, np.vstack([x[labelled], x[~labelled]]),
                                 ss.estimate_from_labels(x[labelled], truth[labelled], 2, reg_covar=0.1),
                                 labels=np.r_[truth[labelled], np.full(len(x) - m, -1)],
                                 max_iter=200, tol=1e-6, reg_covar=1e-6)
        assert_shows(e, reference)
        # The scores by hand: the class of highest pi_j N(x | mu_j, Sigma_j) on the other rows;
        # unsupervised EM's components named (as they are, or swapped) by whichever gets more
        # labelled rows right.
        semi = np.mean(classes(reference.params[-1], x[~labelled]) == truth[~labelled])
        assert f"{semi:.1%} of the other {len(x) - m} points right" in e.caption.value
        unsupervised = emlab.run_em(gaussian, x, gaussian.init_random(x, 2, seed), max_iter=200,
                                    tol=1e-6, reg_covar=1e-6).params[-1]
        as_is = np.sum(classes(unsupervised, x[labelled]) == truth[labelled])
        if 2 * as_is != m:                                          # one naming is better
            named = classes(unsupervised, x[~labelled]) ^ (2 * as_is < m)
            assert f"unsupervised EM: {np.mean(named == truth[~labelled]):.1%}" in e.caption.value
    e.controls["n_labelled"].value = 1
    assert "n_labelled must be from 2 (one per class)" in e.stepper.message.value
    e.controls["n_labelled"].value = 4
    assert e.history is not None and e.stepper.message.value == ""
