"""A model of one's own: a mixture of exponentials written here, in the test file.

It is a ``types.SimpleNamespace`` of four functions and a Params class, as a notebook cell
would build it, and it runs through everything emlab shares: ``run_em`` (against the
maximum found by scipy.optimize on the log-likelihood), ``e_step`` (against scipy.stats),
``elbo``, ``kl``, a fast path of its own, and a stepper (with a view it registers).  The
same mixture written in the general form (``expected_stats`` from scipy.stats, no
``log_joint``) runs the same; a wrong M-step is caught by the monotonicity warning.
(tests/test_hmm.py drives a model that is not a mixture: a hidden Markov model.)
"""
import warnings
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import optimize, stats
from scipy.special import logsumexp, softmax

import emlab
from emlab import widgets


@dataclass(frozen=True, eq=False)
class ExponentialParams:
    """weights pi (k,); rates lambda (k,) > 0."""
    weights: np.ndarray
    rates: np.ndarray

    @property
    def k(self):
        return len(self.weights)


def check_x(x):
    x = np.array(x, dtype=float)
    if x.ndim != 1 or np.any(x < 0):
        raise ValueError("x must be (n,) non-negative waiting times")
    return x


def log_joint(x, params):
    """log p(x_i, z_i = j) = log pi_j + log lambda_j - lambda_j x_i."""
    return np.log(params.weights) + np.log(params.rates) - np.outer(check_x(x), params.rates)


def m_step(x, resp):
    """pi_j = N_j / N, lambda_j = N_j / sum_i r_ij x_i."""
    nk = resp.sum(axis=0)
    return ExponentialParams(nk / nk.sum(), nk / (resp.T @ x))


exponential = SimpleNamespace(Params=ExponentialParams, check_x=check_x, log_joint=log_joint, m_step=m_step)

TRUTH = ExponentialParams(np.array([0.3, 0.7]), np.array([4.0, 0.5]))
START = ExponentialParams(np.array([0.5, 0.5]), np.array([2.0, 1.0]))


@pytest.fixture(scope="module")
def x():
    rng = np.random.default_rng(0)
    z = rng.choice(2, size=1500, p=TRUTH.weights)
    return rng.exponential(1 / TRUTH.rates[z])


def scipy_log_likelihood(x, weights, rates):
    return logsumexp(np.log(weights) + stats.expon.logpdf(x[:, None], scale=1 / rates), axis=1).sum()


def stats_by_scipy(x, params):
    """The mixture's E-step written out with scipy.stats: (resp (n, k), log-likelihood)."""
    joint = params.weights * stats.expon.pdf(x[:, None], scale=1 / params.rates)
    return joint / joint.sum(axis=1, keepdims=True), scipy_log_likelihood(x, params.weights, params.rates)


def test_run_em_reaches_the_maximum_scipy_finds(x):
    history = emlab.run_em(exponential, x, START, tol=1e-12, max_iter=5000)
    assert history.converged and history.engine == "plain"
    assert np.all(np.diff(history.log_likelihood) >= -1e-9 * abs(history.log_likelihood[0]))
    found = history.params[-1]
    np.testing.assert_allclose(history.log_likelihood[-1], scipy_log_likelihood(x, found.weights, found.rates),
                               rtol=1e-12)

    def negative(theta):                 # logits of the weights, logs of the rates
        return -scipy_log_likelihood(x, softmax([theta[0], 0.0]), np.exp(theta[1:]))

    best = optimize.minimize(negative, [0.0, np.log(2.0), 0.0], method="Nelder-Mead",
                             options=dict(xatol=1e-10, fatol=1e-12, maxiter=20_000))
    assert history.log_likelihood[-1] >= -best.fun - 1e-6
    order = np.argsort(np.exp(best.x[1:]))                  # the components in either order
    np.testing.assert_allclose(found.rates[np.argsort(found.rates)], np.exp(best.x[1:])[order], rtol=1e-4)
    np.testing.assert_allclose(found.weights[np.argsort(found.rates)], softmax([best.x[0], 0.0])[order],
                               rtol=1e-4)


def test_e_step_is_the_posterior_scipy_gives(x):
    resp, log_px = emlab.e_step(exponential, x, TRUTH)
    joint = TRUTH.weights * stats.expon.pdf(x[:, None], scale=1 / TRUTH.rates)
    np.testing.assert_allclose(resp, joint / joint.sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(log_px, np.log(joint.sum(axis=1)), rtol=1e-12)
    assert emlab.log_likelihood(exponential, x, TRUTH) == pytest.approx(
        scipy_log_likelihood(x, TRUTH.weights, TRUTH.rates), rel=1e-12)


def test_elbo_and_kl_add_up_to_the_log_likelihood(x):
    posterior, _ = emlab.e_step(exponential, x, START)
    q = np.random.default_rng(1).dirichlet([1.0, 1.0], size=len(x))
    log_likelihood = scipy_log_likelihood(x, START.weights, START.rates)
    elbo, kl = emlab.elbo(exponential, x, START, q), emlab.kl(q, posterior)
    assert kl > 0
    assert elbo + kl == pytest.approx(log_likelihood, rel=1e-12)
    assert emlab.elbo(exponential, x, START, posterior) == pytest.approx(log_likelihood, rel=1e-12)


class SufficientStatistics:
    """The model's own fast path: the E-step keeps only N_j and sum_i r_ij x_i."""

    def __init__(self, model, x, labels):
        self.x = x

    def e_step(self, params):
        resp, log_px = emlab.e_step(exponential, self.x, params)
        return (resp, resp.sum(axis=0), resp.T @ self.x), float(log_px.sum())

    def m_step(self, state):
        _, nk, total = state
        return ExponentialParams(nk / nk.sum(), nk / total)

    def point_resp(self, state):
        return state[0]


def test_a_fast_path_of_its_own_runs_when_asked_and_agrees(x):
    with pytest.raises(ValueError, match='engine="fast" needs a fast path'):
        emlab.run_em(exponential, x, START, max_iter=5, tol=0, engine="fast")
    fast_model = SimpleNamespace(**vars(exponential), fast_engine=SufficientStatistics)
    fast = emlab.run_em(fast_model, x, START, max_iter=30, tol=0, engine="fast")
    plain = emlab.run_em(exponential, x, START, max_iter=30, tol=0)
    assert (fast.engine, plain.engine) == ("fast", "plain")
    np.testing.assert_allclose(fast.log_likelihood, plain.log_likelihood, rtol=1e-12)
    np.testing.assert_allclose(fast.params[-1].rates, plain.params[-1].rates, rtol=1e-10)


def test_a_class_is_a_model_too(x):
    class Exponential:
        Params = ExponentialParams
        check_x, log_joint, m_step = staticmethod(check_x), staticmethod(log_joint), staticmethod(m_step)

    history = emlab.run_em(Exponential, x, START, max_iter=10, tol=0)
    np.testing.assert_allclose(history.log_likelihood,
                               emlab.run_em(exponential, x, START, max_iter=10, tol=0).log_likelihood)
    assert repr(history).startswith("History(model=Exponential, n=1500, k=2, iterations=10")


def test_errors_describe_the_protocol(x):
    incomplete = SimpleNamespace(Params=ExponentialParams, check_x=check_x, log_joint=log_joint)
    with pytest.raises(TypeError, match=r"model must have the parts of a model .*Params, check_x, m_step, "
                                        r"and one E-step, log_joint\(x, params\) for a mixture or "
                                        r"expected_stats\(x, params\) .* which has no m_step"):
        emlab.run_em(incomplete, x, START)
    no_e_step = SimpleNamespace(Params=ExponentialParams, check_x=check_x, m_step=m_step)
    with pytest.raises(TypeError, match="which has neither log_joint nor expected_stats"):
        emlab.run_em(no_e_step, x, START)
    both = SimpleNamespace(**vars(exponential), expected_stats=stats_by_scipy)
    with pytest.raises(TypeError, match="which has both log_joint and expected_stats"):
        emlab.run_em(both, x, START)
    with pytest.raises(TypeError, match=r"params must be the model's Params \(.*ExponentialParams\)"):
        emlab.e_step(exponential, x, (START.weights, START.rates))
    wrong_shape = SimpleNamespace(**{**vars(exponential), "log_joint": lambda x, p: log_joint(x, p).T})
    with pytest.raises(ValueError, match=r"log_joint must return an \(n, k\) array"):
        emlab.run_em(wrong_shape, x, START)
    returns_tuple = SimpleNamespace(**{**vars(exponential), "m_step": lambda x, r: tuple(vars(m_step(x, r)))})
    with pytest.raises(TypeError, match="what m_step returned must be the model's Params"):
        emlab.run_em(returns_tuple, x, START)


def test_errors_of_a_model_that_is_not_a_mixture(x):
    general = SimpleNamespace(Params=ExponentialParams, check_x=check_x, expected_stats=stats_by_scipy,
                              m_step=m_step)
    with pytest.raises(TypeError, match="labels applies only to a mixture .* gives expected_stats"):
        emlab.run_em(general, x, START, labels=np.full(len(x), -1))
    with pytest.raises(TypeError, match="learn_weights=False applies only to a mixture"):
        emlab.run_em(general, x, START, learn_weights=False)
    uniform = np.full((len(x), 2), 0.5)
    for name, call in [("e_step", emlab.e_step), ("elbo", lambda *a: emlab.elbo(*a, uniform))]:
        with pytest.raises(TypeError, match=f"{name} needs a mixture .* use emlab.expected_stats"):
            call(general, x, START)
    with pytest.raises(AttributeError, match="not a mixture, so it has no responsibilities.*History.stats"):
        emlab.run_em(general, x, START, max_iter=1, tol=0).resp
    one_value = SimpleNamespace(**{**vars(general), "expected_stats": lambda x, p: stats_by_scipy(x, p)[0]})
    with pytest.raises(TypeError, match=r"expected_stats must return a pair \(stats, log_likelihood\)"):
        emlab.run_em(one_value, x, START)
    nan = SimpleNamespace(**{**vars(general),
                             "expected_stats": lambda x, p: (stats_by_scipy(x, p)[0], np.nan)})
    with pytest.raises(ValueError, match="the log_likelihood that SimpleNamespace.expected_stats returned "
                                         "must be finite, got nan"):
        emlab.run_em(nan, x, START)


def test_both_forms_of_the_e_step_give_the_same_run(x):
    """The mixture's E-step given as expected_stats (by scipy.stats) instead of log_joint."""
    general = SimpleNamespace(Params=ExponentialParams, check_x=check_x, expected_stats=stats_by_scipy,
                              m_step=m_step)
    mixture = emlab.run_em(exponential, x, START, max_iter=25, tol=0)
    written = emlab.run_em(general, x, START, max_iter=25, tol=0)
    np.testing.assert_allclose(written.log_likelihood, mixture.log_likelihood, rtol=1e-12)
    for theirs, ours, stats_t in zip(written.params, mixture.params, written.stats):
        np.testing.assert_allclose(theirs.rates, ours.rates, rtol=1e-10)
        np.testing.assert_allclose(stats_t, stats_by_scipy(x, theirs)[0], rtol=1e-12)
    for t in (0, 7, 25):
        resp, ll = emlab.expected_stats(exponential, x, mixture.params[t])
        np.testing.assert_allclose(resp, stats_by_scipy(x, mixture.params[t])[0], rtol=1e-12)
        assert ll == pytest.approx(mixture.log_likelihood[t], rel=1e-13)
        assert emlab.log_likelihood(general, x, mixture.params[t]) == pytest.approx(ll, rel=1e-12)
    assert repr(written).startswith("History(model=SimpleNamespace, n=1500, iterations=25")   # no k


def test_a_decrease_of_the_log_likelihood_is_warned_about(x):
    def halfway_back(x, resp, *, shrink=0.5):
        """Not the maximiser: the rates moved back towards 1 after the true M-step."""
        found = m_step(x, resp)
        return ExponentialParams(found.weights, found.rates ** shrink)

    wrong = SimpleNamespace(**{**vars(exponential), "m_step": halfway_back})
    fitted = emlab.run_em(exponential, x, START, max_iter=200, tol=0).params[-1]
    with pytest.warns(emlab.MonotonicityWarning, match=r"the log-likelihood decreased at EM iteration 1, "
                                                       r"from .* check SimpleNamespace.log_joint and "
                                                       r"SimpleNamespace.m_step") as caught:
        history = emlab.run_em(wrong, x, fitted, max_iter=5, tol=0)
    assert len(caught) == 1                                     # once per run
    assert history.log_likelihood[1] < history.log_likelihood[0]
    with pytest.warns(emlab.MonotonicityWarning):              # an option at its default: the same M-step
        emlab.run_em(wrong, x, fitted, max_iter=5, tol=0, shrink=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        emlab.run_em(wrong, x, fitted, max_iter=5, tol=0, shrink=0.9)    # an option: another objective
        emlab.run_em(exponential, x, START, max_iter=300, tol=0)        # EM itself, to convergence


def test_a_stepper_draws_it_with_the_view_it_registers(x):
    history = emlab.run_em(exponential, x, START, max_iter=6, tol=0)
    with pytest.raises(TypeError, match="no view is registered.*register_view"):
        widgets.stepper(history)
    widgets.register_view(exponential, widgets.DensityView)
    try:
        w = widgets.stepper(history, dpi=40)
    finally:
        widgets.registry._VIEWS.remove((ExponentialParams, widgets.DensityView))
    w.half_step.value = 9                                       # iteration 4's E-step: params[4]
    total, components = w.view.lines
    grid, p = total.get_xdata(), history.params[4]
    curves = p.weights * stats.expon.pdf(grid[:, None], scale=1 / p.rates)
    np.testing.assert_allclose(total.get_ydata(), curves.sum(axis=1), rtol=1e-12)
    for line, curve in zip(components, curves.T):
        np.testing.assert_allclose(line.get_ydata(), curve, rtol=1e-12)
    heights = np.column_stack([bars.heights for bars in w.view.hist])
    widths = np.diff(w.view.edges)
    assert (heights.sum(axis=1) * widths).sum() == pytest.approx(1.0)   # a density histogram
