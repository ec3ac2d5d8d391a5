"""What the explorer tests (test_explorers_controls.py, test_explorers_models.py) share: the
explorer's EM settings and the check that an explorer shows the
run of a direct run_em call, its stepper's controls fitted to that run."""
import numpy as np

EM = {"max_iter": 100, "tol": 1e-6}                                  # the explorer's defaults


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
    assert s.frames.layout.display is None and s.message.value == ""
    assert not any(control.disabled for control in s.controls)
