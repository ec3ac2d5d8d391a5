"""Exceptions and warnings raised by EM."""


class CollapseError(ValueError):
    """A component degenerated during EM: its covariance became singular (or it lost all data).

    Attributes: ``component`` (index; None when the one covariance shared under
    ``covariance_type="tied"`` became singular), ``iteration`` (the M-step that produced it, 1-based;
    None outside ``run_em``), ``history`` (the ``History`` up to the last valid parameters,
    all finite; None outside ``run_em``).
    """

    def __init__(self, message, *, component, iteration=None, history=None):
        super().__init__(message)
        self.component = component
        self.iteration = iteration
        self.history = history


class ConvergenceWarning(UserWarning):
    """``run_em`` reached ``max_iter`` before the change in log-likelihood fell below ``tol``."""


class MonotonicityWarning(UserWarning):
    """``run_em`` saw the log-likelihood (or the semi-supervised objective) decrease from one
    iteration to the next by more than rounding.  EM's steps never decrease it (Bishop sec.
    9.4), so the model's E-step is not the exact posterior or its M-step does not maximise the
    expected complete-data log-likelihood."""
