"""emlab.widgets.explorer's controls driven without a browser: set a control (K, init, seed,
reg_covar, a manual start's number boxes), then compare the run shown with a direct run_em
call from the start those settings name (and the caption, the message, the stepper's controls
with that run); bad settings and a collapse as messages, a slow run announced with its controls
disabled, every control shown named; explorer_run's errors."""
import subprocess
import sys
import threading

import ipywidgets
import numpy as np
import pytest

import emlab
from emlab import coins, gaussian
from emlab import widgets
from emlab.widgets import runs
from explorer_checks import EM, assert_shows
from published import DO_BATZOGLOU


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
    assert e.stepper.frames.layout.display == "none" and "Traceback" not in e.stepper.message.value
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
