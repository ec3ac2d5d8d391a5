"""What the stepper tests (test_widgets_stepper.py, test_widgets_drawing.py) share: a stepper
at dpi 50 of each kind of view (a 2-D Gaussian mixture, Poisson counts, Do & Batzoglou's
coins), module-scoped fixtures that a test module imports by name, and the half-steps a
stepper shows written out from the algorithm (not from emlab.widgets.halfsteps), with their
captions."""
import numpy as np
import pytest

import emlab
from emlab import coins, gaussian, poisson, widgets
from published import DO_BATZOGLOU



@pytest.fixture(scope="module")
def gmm_history():
    rng = np.random.default_rng(0)
    truth = gaussian.Params([0.3, 0.3, 0.4], [[0, 0], [4, 0], [1, 4]], np.stack([np.eye(2)] * 3))
    x, _ = gaussian.sample(truth, 200, rng)
    return emlab.run_em(gaussian, x, gaussian.init_random(x, 3, rng), max_iter=6, tol=0)


@pytest.fixture(scope="module")
def gmm_stepper(gmm_history):
    return widgets.stepper(gmm_history, dpi=50)


@pytest.fixture(scope="module")
def poisson_stepper():
    x, _ = poisson.sample(poisson.Params([0.2, 0.8], [2.0, 6.0]), 300, np.random.default_rng(1))
    h = emlab.run_em(poisson, x, poisson.Params([0.5, 0.5], [1.0, 3.0]), max_iter=5, tol=0)
    return widgets.stepper(h, dpi=50)


@pytest.fixture(scope="module")
def coins_stepper():
    h = emlab.run_em(coins, DO_BATZOGLOU, coins.Params([0.5, 0.5], [0.6, 0.5]), max_iter=10, tol=0,
                     learn_weights=False)
    return widgets.stepper(h, dpi=50)


def em_in_time_order(n_iter):
    """What a stepper shows, one entry per half-step, written out from the algorithm (not from
    emlab.widgets.halfsteps): the start theta^(0) with nothing inferred yet, then for each
    iteration t its E-step (theta^(t) and the responsibilities at theta^(t)) and, but for the
    last iteration, its M-step (theta^(t+1) from those responsibilities).
    Entries: (half, iteration, index of the params shown, index of the resp shown or None)."""
    order = [("start", 0, 0, None)]
    for t in range(n_iter + 1):
        order.append(("E", t, t, t))
        if t < n_iter:
            order.append(("M", t, t + 1, t))
    return order


def shown_resp(h, source):
    """The responsibilities of the E-step at params[source]; before the first (None) every
    point at the start's weights."""
    return h.resp[source] if source is not None else np.tile(h.params[0].weights, (len(h.x), 1))


def superscript(t):
    return "⁽" + "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(c)] for c in str(t)) + "⁾"


def expected_caption(half, t, stats="responsibilities"):
    return {"start": "θ⁽⁰⁾, the start",
            "E": f"iteration {t}, E-step: {stats} at θ{superscript(t)}",
            "M": f"iteration {t}, M-step: θ{superscript(t + 1)}"}[half]


def go(w, t, half):
    """Stepper ``w`` to the E-step or the M-step of iteration t, by its half-step box."""
    w.half_step.value = [i for i, (h, it, _, _) in enumerate(em_in_time_order(w.view.history.n_iter))
                         if (h, it) == (half, t)][0]
