"""emlab.widgets.explorer driven without a browser: set a control, then compare the run shown
with a direct run_em call from the start those settings name (and the caption, the message,
the stepper's controls with that run); the landscape view against scipy.stats.binom."""
import subprocess
import sys
import threading
from types import SimpleNamespace

import ipywidgets
import numpy as np
import pytest
from scipy import stats

import emlab
from emlab import coins, gaussian, poisson
from emlab import semi_supervised as ss
from emlab import widgets
from emlab.widgets import runs
from figures import full_draw, pixels

DO_BATZOGLOU = np.array([[5, 5], [9, 1], [8, 2], [4, 6], [7, 3]])   # heads, tails of five sets
EM = {"max_iter": 100, "tol": 1e-6}                                  # the explorer's defaults


@pytest.fixture(scope="module")
def points():
    truth = gaussian.Params([0.3, 0.3, 0.4], [[0, 0], [4, 0], [1, 4]], np.stack([np.eye(2)] * 3))
    return gaussian.sample(truth, 150, np.random.default_rng(0))[0]


@pytest.fixture(scope="module")
def outlier_data():
    """Notebook 07's 1-D data: two clusters and one outlier at 5.5."""
    truth = gaussian.Params([0.5, 0.5], [[-2.0], [2.5]], [[[0.64]], [[0.64]]])
    clusters, _ = gaussian.sample(truth, 120, np.random.default_rng(83))
    return np.vstack([clusters, [[5.5]]])


def assert_same_run(shown, reference):
    assert shown.n_iter == reference.n_iter and shown.converged == reference.converged
    np.testing.assert_array_equal(shown.log_likelihood, reference.log_likelihood)
    for mine, theirs in zip(shown.params, reference.params):
        for name in ("weights", "p", "means", "covariances"):
            if hasattr(theirs, name):
                np.testing.assert_array_equal(getattr(mine, name), getattr(theirs, name))


def assert_shows(e, reference):
    """The explorer shows ``reference``'s run from its start, the controls fitted to it: the
    start and an E-step and an M-step per iteration, but for the last (its E-step only)."""
    assert_same_run(e.history, reference)
    s = e.stepper
    assert s.view.history is e.history
    assert s.half_step.max == s.play.max == 2 * reference.n_iter + 1 and s.half_step.value == s.step == 0
    assert s.image.layout.display is None and s.message.value == ""
    assert not any(control.disabled for control in s.controls)


def test_each_control_change_gives_the_run_of_a_direct_run_em_call(points):
    e = widgets.explorer(gaussian, points, dpi=30)        # just a model and data: a first run
    assert list(e.controls)[:4] == ["K", "init", "seed", "reg_covar"]
    assert e.controls["init"].options == ("random", "k-means", "manual")
    assert_shows(e, emlab.run_em(gaussian, points, gaussian.init_kmeans(points, 2, 0), reg_covar=0.0, **EM))
    assert "K = 2, init = k-means, seed = 0" in e.caption.value

    e.controls["K"].value = 3
    assert_shows(e, emlab.run_em(gaussian, points, gaussian.init_kmeans(points, 3, 0), reg_covar=0.0, **EM))
    e.stepper.show(e.stepper.half_step.max)                     # the next run starts at its start again
    e.controls["init"].value = "random"
    assert_shows(e, emlab.run_em(gaussian, points, gaussian.init_random(points, 3, 0), reg_covar=0.0, **EM))
    e.controls["seed"].value = 4
    assert_shows(e, emlab.run_em(gaussian, points, gaussian.init_random(points, 3, 4), reg_covar=0.0, **EM))
    e.controls["reg_covar"].value = 1e-2
    reference = emlab.run_em(gaussian, points, gaussian.init_random(points, 3, 4), reg_covar=1e-2, **EM)
    assert_shows(e, reference)
    assert "<b>K = 3, init = random, seed = 4, reg_covar = 0.01</b>" in e.caption.value
    assert (f"{reference.n_iter} iterations, converged, log-likelihood "
            f"{reference.log_likelihood[-1]:.2f}") in e.caption.value


def shown_widgets(widget):
    """``widget`` and the widgets inside it, but for those not displayed (layout display none)."""
    if widget.layout.display == "none":
        return []
    return [widget, *(w for child in getattr(widget, "children", ()) for w in shown_widgets(child))]


def test_every_control_shown_has_an_accessible_name(points):
    """Kinds that the browser names (a button by its text, an input by its label) and that say
    their state (checkbox, radio buttons): no ipywidgets slider or Play (their handles and icon
    buttons are unnamed), no toggle buttons (no pressed state); the figure has its alt text."""
    for e in (widgets.explorer(gaussian, points, K=2, init="manual", means=[[0, 0], [1, 1]], dpi=30),
              widgets.explorer(coins, DO_BATZOGLOU, theta=(0.6, 0.5), dpi=30)):
        shown = shown_widgets(e)
        kinds = {type(w) for w in shown}
        assert not kinds & {ipywidgets.IntSlider, ipywidgets.FloatSlider, ipywidgets.FloatLogSlider,
                            ipywidgets.SelectionSlider, ipywidgets.Play, ipywidgets.ToggleButton,
                            ipywidgets.ToggleButtons, ipywidgets.Image}
        controls = [w for w in shown if isinstance(w, (ipywidgets.Button, ipywidgets.ValueWidget))
                    and not isinstance(w, (ipywidgets.HTML, ipywidgets.Image))]
        assert len(controls) == len(e.controls) + 5 and all(w.description.strip() for w in controls)
        assert {w.description for w in controls} >= {"Play", "Repeat", "◀ half-step", "half-step ▶", "half-step"}
        assert e.stepper.image.tooltip.startswith("EM on emlab.") and e.stepper.image in shown


def test_stepper_half_steps_follow_each_runs_iterations(points):
    e = widgets.explorer(gaussian, points, K=3, init="random", max_iter=5, tol=0, dpi=30)
    assert e.stepper.half_step.max == 2 * e.history.n_iter + 1 == 11
    e.controls["K"].value = 2                                   # another figure: fewer components
    for max_iter, change in [(5, ("seed", 1)), (5, ("init", "k-means"))]:
        name, value = change
        e.controls[name].value = value
        assert e.stepper.half_step.max == e.stepper.play.max == 2 * e.history.n_iter + 1 == 2 * max_iter + 1
    tuned = widgets.explorer(gaussian, points, K=3, dpi=30)
    for seed in range(3):
        tuned.controls["seed"].value = seed
        assert tuned.stepper.half_step.max == 2 * tuned.history.n_iter + 1 == 2 * emlab.run_em(
            gaussian, points, gaussian.init_kmeans(points, 3, seed), **EM).n_iter + 1


def test_errors_show_a_message_and_the_next_valid_setting_runs_again(points, outlier_data):
    e = widgets.explorer(gaussian, points, K=2, dpi=30)
    e.controls["K"].value = len(points) + 1
    assert e.history is None and "no run to show" in e.caption.value
    assert f"K must be at most the number of points n = {len(points)}, got K = {len(points) + 1}" \
        in e.stepper.message.value
    assert e.stepper.image.layout.display == "none" and "Traceback" not in e.stepper.message.value
    assert not any(c.disabled for name, c in e.controls.items() if name != "seed")   # the controls still work
    e.controls["K"].value = 0
    assert "K must be &gt;= 1, got 0" in e.stepper.message.value
    e.controls["K"].value = 3
    assert_shows(e, emlab.run_em(gaussian, points, gaussian.init_kmeans(points, 3, 0), reg_covar=0.0, **EM))
    e.controls["seed"].value = -1
    assert "seed must be &gt;= 0, got -1" in e.stepper.message.value

    # A collapse, and reg_covar rescuing it.
    start = gaussian.Params(np.full(3, 1 / 3), [[-2.0], [2.5], [5.5]], np.full((3, 1, 1), 0.5))
    with pytest.raises(emlab.CollapseError) as collapse:
        emlab.run_em(gaussian, outlier_data, start, **EM)
    one_d = widgets.explorer(gaussian, outlier_data, K=3, means=[[-2.0], [2.5], [5.5]], start_variance=0.5,
                             dpi=30)
    assert one_d.history is None                                # its first setting collapses
    assert f"EM stopped at iteration {collapse.value.iteration}: component 2 collapsed" \
        in one_d.stepper.message.value
    one_d.controls["reg_covar"].value = 1e-6
    assert_shows(one_d, emlab.run_em(gaussian, outlier_data, start, reg_covar=1e-6, **EM))
    assert one_d.history.converged

    # A start outside the parameter space: both coins never land heads.
    c = widgets.explorer(coins, DO_BATZOGLOU, theta=(0.6, 0.5), learn_weights=False, dpi=30)
    c.controls["theta_A"].value = 0.0
    c.controls["theta_B"].value = 0.0
    assert "x[0] has zero probability under every component" in c.stepper.message.value
    c.controls["theta_B"].value = 0.3
    assert "EM stopped at iteration 1: component 0 received no responsibility" in c.stepper.message.value
    c.controls["theta_A"].value = 0.8
    assert_shows(c, emlab.run_em(coins, DO_BATZOGLOU, coins.Params([0.5, 0.5], [0.8, 0.3]),
                                 learn_weights=False, **EM))
    c.controls["K"].value = 6                                    # K > n = 5: its message, boxes for n
    assert "K must be at most the number of points n = 5, got K = 6" in c.stepper.message.value
    assert [n for n in c.controls if n.startswith("theta_")][-1] == "theta_E"
    c.controls["K"].value = 2                                    # the first biases kept
    assert_shows(c, emlab.run_em(coins, DO_BATZOGLOU, coins.Params([0.5, 0.5], [0.8, 0.3]),
                                 learn_weights=False, **EM))


def test_a_slow_run_says_it_is_running_and_disables_the_controls(points):
    e = widgets.explorer(gaussian, points, K=2, dpi=30)
    e.busy_after = 0.01
    shown, during = threading.Event(), {}
    show_busy = e._show_busy

    def show_busy_and_tell(name):
        show_busy(name)
        shown.set()

    def slow_run(settings):                    # waits until the explorer has said it is busy
        assert shown.wait(timeout=30), "the explorer did not say that EM is running"
        during.update(caption=e.caption.value, disabled={n: c.disabled for n, c in e.controls.items()})
        return type(e).run(e, settings)

    e._show_busy, e.run = show_busy_and_tell, slow_run
    e.controls["K"].value = 3
    assert during["caption"].startswith("running EM: <b>K = 3, init = k-means, seed = 0")
    assert all(during["disabled"].values())
    assert not any(c.disabled for name, c in e.controls.items() if name != "seed")
    assert e.caption.value.startswith("<b>K = 3") and e.history.params[0].k == 3


def test_manual_gaussian_start_moves_means_with_number_boxes(points):
    e = widgets.explorer(gaussian, points, K=2, init="random", seed=1, dpi=30)
    first = e.history.params[0]
    assert e.manual.layout.display == "none" and not e.controls["seed"].disabled
    e.controls["init"].value = "manual"                         # from the start just shown
    assert e.manual.layout.display is None and e.controls["seed"].disabled
    names = ["mu_0 x1", "mu_0 x2", "mu_1 x1", "mu_1 x2", "start_variance"]
    assert [n for n in e.controls if n.startswith(("mu_", "start_"))] == names
    means = np.array([[e.controls[f"mu_{j} x{d}"].value for d in (1, 2)] for j in range(2)])
    np.testing.assert_allclose(means, first.means, rtol=5e-3)   # to three significant digits
    variance = e.controls["start_variance"].value
    assert variance == pytest.approx(np.mean(np.var(points, axis=0)), rel=5e-3)
    assert all(isinstance(e.controls[n], ipywidgets.BoundedFloatText) for n in names)
    assert isinstance(e.controls["init"], ipywidgets.RadioButtons)            # it says which is checked
    e.controls["mu_0 x1"].value = 3.0
    means[0, 0] = 3.0
    start = gaussian.Params([0.5, 0.5], means, np.stack([variance * np.eye(2)] * 2))
    assert_shows(e, emlab.run_em(gaussian, points, start, reg_covar=0.0, **EM))
    assert "init = manual, start_variance = " in e.caption.value and "seed" not in e.caption.value
    e.controls["K"].value = 3                                   # a pair of boxes more, the first ones kept
    assert [n for n in e.controls if n.startswith("mu_")][-2:] == ["mu_2 x1", "mu_2 x2"]
    assert e.controls["mu_0 x1"].value == 3.0 and e.history.params[0].k == 3
    e.controls["mu_2 x2"].value = 1.0                           # the new boxes rerun too
    assert e.history.params[0].means[2, 1] == 1.0
    e.controls["init"].value = "random"
    e.controls["K"].value = 2
    e.controls["init"].value = "manual"                         # back to manual: boxes for K = 2
    assert [n for n in e.controls if n.startswith("mu_")] == names[:4]
    assert e.controls["mu_0 x1"].value == 3.0 and e.history.params[0].k == 2


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


def test_explorer_run_names_its_errors(points):
    with pytest.raises(ValueError, match="init must be one of 'random', 'k-means', 'manual'"):
        runs.explorer_run(gaussian, points, init="kmeans")
    with pytest.raises(ValueError, match=r'init = "manual" needs means'):
        runs.explorer_run(gaussian, points, init="manual")
    with pytest.raises(ValueError, match="one start per component: K = 3 means, got 2"):
        runs.explorer_run(gaussian, points, K=3, init="manual", means=[[0, 0], [1, 1]])
    with pytest.raises(ValueError, match="start_variance must be > 0"):
        runs.explorer_run(gaussian, points, init="manual", means=[[0, 0], [1, 1]], start_variance=0)
    with pytest.raises(ValueError, match="init must be one of 'random', 'manual' for emlab.coins"):
        runs.explorer_run(coins, DO_BATZOGLOU, init="k-means")
    with pytest.raises(TypeError, match="K must be an int"):
        runs.explorer_run(coins, DO_BATZOGLOU, K=2.5)


def test_explorer_is_the_function_whichever_name_loads_first():
    code = ("import emlab.widgets as w; w.Explorer; w.semi_supervised_explorer; w.explorer_run\n"
            "assert callable(w.explorer) and w.explorer.__name__ == 'explorer', w.explorer")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
