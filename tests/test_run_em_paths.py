"""Which path ``run_em`` takes, and what its ``History`` keeps and prints.

``engine="auto"`` takes the textbook path on notebook-sized data and the fast one from
``em.FAST_PATH_FROM`` points, and follows a model whose steps were replaced (which
``engine="fast"`` refuses); either path names the caller's row of zero probability, as
``emlab.e_step`` does.  ``History.resp`` holds every iteration's responsibilities up to
``em.KEEP_ALL_RESP_UP_TO`` points, above only the last, against ``emlab.e_step`` at each
iteration's parameters; both thresholds are those run_em's docstring states.
"""
import dataclasses

import numpy as np
import pytest

import emlab
from emlab import coins, em, gaussian, poisson
from engine_data import mixture_data


# ---------------------------------------------------------------- what History.resp keeps

def small_run(n, **options):
    x = np.random.default_rng(11).poisson(4.0, size=n)
    return emlab.run_em(poisson, x, poisson.Params([0.5, 0.5], [2.0, 6.0]), max_iter=4, tol=0, **options)


def kept(history):
    return [resp is not None for resp in history.resp]


def test_small_data_keep_every_iterations_responsibilities(monkeypatch):
    monkeypatch.setattr(em, "KEEP_ALL_RESP_UP_TO", 50)
    history = small_run(50)
    assert kept(history) == [True] * 5
    for theta, resp in zip(history.params, history.resp):
        np.testing.assert_allclose(resp, emlab.e_step(poisson, history.x, theta)[0], rtol=1e-12)


def test_large_data_keep_only_the_last_responsibilities(monkeypatch):
    monkeypatch.setattr(em, "KEEP_ALL_RESP_UP_TO", 50)
    history = small_run(51)
    assert kept(history) == [False] * 4 + [True]
    np.testing.assert_allclose(history.resp[-1], emlab.e_step(poisson, history.x, history.params[-1])[0])


def test_keep_resp_overrides_the_default(monkeypatch):
    monkeypatch.setattr(em, "KEEP_ALL_RESP_UP_TO", 50)
    assert kept(small_run(51, keep_resp=True)) == [True] * 5
    assert kept(small_run(20, keep_resp=False)) == [False] * 4 + [True]


def test_the_default_threshold_is_documented():
    assert f"{em.KEEP_ALL_RESP_UP_TO:,}" in emlab.run_em.__doc__


def test_history_prints_on_one_line():
    x, params = mixture_data(np.random.default_rng(12), n=300, d=2)
    history = emlab.run_em(gaussian, x, params, max_iter=50, tol=0)
    assert repr(history) == (f"History(model=emlab.gaussian, n=300, k=3, iterations=50, converged=False, "
                             f"log_likelihood={history.log_likelihood[-1]:.8g}, engine='plain')")
    labels = np.full(300, -1)
    labels[:5] = 0
    assert "objective=" in repr(emlab.run_em(gaussian, x, params, max_iter=2, tol=0, labels=labels))


# ---------------------------------------------------------------- which path runs

def test_auto_takes_the_textbook_path_below_the_threshold_and_the_fast_one_from_it(monkeypatch):
    x, params = mixture_data(np.random.default_rng(13), n=300, d=2)
    assert emlab.run_em(gaussian, x, params, max_iter=2, tol=0).engine == "plain"
    monkeypatch.setattr(em, "FAST_PATH_FROM", 300)
    assert emlab.run_em(gaussian, x, params, max_iter=2, tol=0).engine == "fast"
    assert emlab.run_em(gaussian, x, params, max_iter=2, tol=0, engine="plain").engine == "plain"
    xp = np.random.default_rng(14).poisson(3.0, size=300)
    assert emlab.run_em(poisson, xp, poisson.Params([0.5, 0.5], [1.0, 4.0]), max_iter=2, tol=0).engine == "fast"


def test_the_fast_path_threshold_is_documented():
    assert f"{em.FAST_PATH_FROM:,}" in emlab.run_em.__doc__


def weighted_median_m_step(x, resp):
    """Not Poisson's M-step: each rate is the responsibility-weighted median of the counts."""
    order = np.argsort(x)
    cumulative = np.cumsum(resp[order], axis=0) / resp.sum(axis=0)
    rates = np.array([max(x[order][np.searchsorted(c, 0.5)], 0.5) for c in cumulative.T])
    nk = resp.sum(axis=0)
    return poisson.Params(nk / nk.sum(), rates)


def test_run_em_follows_a_replaced_m_step_on_any_data_size(monkeypatch):
    """A student replaces poisson.m_step: auto runs it even where the fast path would apply,
    and engine="fast" refuses, as the fast path computes the module's own M-step."""
    monkeypatch.setattr(em, "FAST_PATH_FROM", 10)
    x = np.random.default_rng(15).poisson(np.repeat([1.0, 9.0], 100))
    start = poisson.Params([0.5, 0.5], [2.0, 6.0])
    monkeypatch.setattr(poisson, "m_step", weighted_median_m_step)
    history = emlab.run_em(poisson, x, start, max_iter=5, tol=0)
    assert history.engine == "plain"
    resp, _ = emlab.e_step(poisson, x, start)
    np.testing.assert_array_equal(history.params[1].rates, weighted_median_m_step(x, resp).rates)
    with pytest.raises(ValueError, match='engine="fast" needs a fast path'):
        emlab.run_em(poisson, x, start, max_iter=5, tol=0, engine="fast")


def test_a_copy_of_a_model_keeps_its_fast_path_until_a_step_is_replaced():
    from types import SimpleNamespace
    copy = SimpleNamespace(**{name: getattr(poisson, name) for name in
                              ("Params", "check_x", "log_joint", "m_step", "fast_engine")})
    x = np.random.default_rng(16).poisson(4.0, size=50)
    start = poisson.Params([0.5, 0.5], [2.0, 6.0])
    assert emlab.run_em(copy, x, start, max_iter=2, tol=0, engine="fast").engine == "fast"
    copy.m_step = weighted_median_m_step
    assert emlab.run_em(copy, x, start, max_iter=2, tol=0).engine == "plain"


@pytest.mark.parametrize("engine, error", [("quick", ValueError), (1, TypeError)])
def test_engine_names_are_checked(engine, error):
    with pytest.raises(error, match="engine must be"):
        emlab.run_em(poisson, np.arange(5), poisson.Params([0.5, 0.5], [1.0, 4.0]), engine=engine)


@pytest.mark.parametrize("engine", ["plain", "fast"])
@pytest.mark.parametrize("labelled", [False, True])
def test_zero_probability_names_the_callers_row(engine, labelled):
    """Coins of bias exactly 0 and 1: a set with both heads and tails is impossible.  Rows 1
    and 4 are such sets (row 4 repeats row 1's counts); run_em and e_step name the first one."""
    x = np.array([[3, 0], [2, 1], [0, 3], [3, 0], [2, 1]])
    params = coins.Params([0.5, 0.5], [0.0, 1.0])
    labels = np.array([0, -1, 1, -1, -1]) if labelled else None
    with pytest.raises(ValueError, match=r"x\[1\] has zero probability") as by_e_step:
        emlab.e_step(coins, x, params)
    with pytest.raises(ValueError, match=r"x\[1\] has zero probability") as by_run_em:
        emlab.run_em(coins, x, params, labels=labels, engine=engine)
    assert str(by_run_em.value) == str(by_e_step.value)
    shuffled = x[[2, 0, 3, 4, 1]]                        # the impossible rows are now 3 and 4
    with pytest.raises(ValueError, match=r"x\[3\] has zero probability"):
        emlab.run_em(coins, shuffled, params, engine=engine)


def test_learn_weights_false_needs_only_a_dataclass_params():
    x = np.random.default_rng(18).poisson(4.0, size=40)
    history = emlab.run_em(poisson, x, poisson.Params([0.2, 0.8], [2.0, 6.0]), max_iter=3, tol=0,
                           learn_weights=False)
    assert all(np.array_equal(p.weights, [0.2, 0.8]) for p in history.params)
    assert dataclasses.is_dataclass(history.params[-1])
