"""Properties EM must have for every model, on data and parameters drawn by hypothesis.

* the log-likelihood never decreases along ``run_em`` (Bishop sec. 9.4), also the
  semi-supervised objective with ``labels``;
* responsibilities are distributions over the components;
* ``log p(x | theta) = ELBO(q, theta) + KL(q || p(z | x, theta))`` for any q (Bishop eq. 9.70),
  and the ELBO at the posterior equals the log-likelihood.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import emlab
from emlab import coins, gaussian, poisson

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True)   # same examples on every run (CI)
# Round-off allowed in a "never decreases" check, relative to the objective's size.
MONOTONE_RTOL = 1e-9


def coins_case(rng, n, k):
    tosses = rng.integers(1, 25, size=n)
    heads = rng.binomial(tosses, rng.uniform(0.05, 0.95, size=n))
    x = np.column_stack([heads, tosses - heads])
    return x, coins.Params(rng.dirichlet(np.ones(k)) * 0.9 + 0.1 / k, rng.uniform(0.02, 0.98, size=k))


def poisson_case(rng, n, k):
    x = rng.poisson(rng.choice([0.5, 3.0, 20.0, 200.0], size=n))
    return x, poisson.Params(rng.dirichlet(np.ones(k)) * 0.9 + 0.1 / k, rng.uniform(0.2, 250.0, size=k))


def gaussian_case(rng, n, k):
    d = int(rng.integers(1, 4))
    centres = rng.normal(size=(k, d)) * rng.uniform(0.5, 5)
    x = centres[rng.integers(k, size=n)] + rng.normal(size=(n, d)) * rng.uniform(0.1, 3, size=d)
    a = rng.normal(size=(k, d, d))
    covariances = a @ a.transpose(0, 2, 1) + rng.uniform(0.05, 2) * np.eye(d)
    weights = rng.dirichlet(np.ones(k)) * 0.9 + 0.1 / k
    return x, gaussian.Params(weights, x[rng.choice(n, size=k, replace=False)], covariances)


CASES = {coins: coins_case, poisson: poisson_case, gaussian: gaussian_case}
MODELS = pytest.mark.parametrize("model", list(CASES), ids=lambda m: m.__name__.split(".")[-1])
seeds = st.integers(0, 2 ** 32 - 1)
sizes = st.integers(3, 60)
ks = st.integers(1, 4)


def draw(model, seed, n, k):
    rng = np.random.default_rng(seed)
    x, params = CASES[model](rng, n, min(k, n))
    return rng, x, params


def run_until_done(model, x, params, **options):
    """run_em's History, or the partial History of a (legitimate) Gaussian collapse."""
    try:
        return emlab.run_em(model, x, params, max_iter=30, tol=0, **options)
    except emlab.CollapseError as exc:
        return exc.history


def assert_never_decreases(objective):
    steps = np.diff(objective)
    allowed = MONOTONE_RTOL * np.maximum(np.abs(objective[:-1]), 1.0)
    assert np.all(np.isfinite(objective))
    assert np.all(steps >= -allowed), f"objective decreased: {steps.min():.3g}"


@MODELS
@SETTINGS
@given(seed=seeds, n=sizes, k=ks)
def test_log_likelihood_never_decreases(model, seed, n, k):
    _, x, params = draw(model, seed, n, k)
    history = run_until_done(model, x, params)
    assert_never_decreases(history.log_likelihood)
    # what History records is the log-likelihood of the parameters it records
    for theta, value in zip(history.params, history.log_likelihood):
        np.testing.assert_allclose(value, emlab.log_likelihood(model, x, theta), rtol=1e-10)


@MODELS
@SETTINGS
@given(seed=seeds, n=sizes, k=ks)
def test_semi_supervised_objective_never_decreases(model, seed, n, k):
    rng, x, params = draw(model, seed, n, k)
    labels = np.where(rng.random(n) < 0.3, rng.integers(params.k, size=n), -1)
    history = run_until_done(model, x, params, labels=labels)
    assert_never_decreases(history.log_likelihood)
    # the recorded objective: sum over labelled log p(x_i, z_i = y_i) + unlabelled log p(x_i)
    theta = history.params[-1]
    log_joint = model.log_joint(x, theta)
    _, log_px = emlab.e_step(model, x, theta)
    known = labels >= 0
    expected = log_joint[known, labels[known]].sum() + log_px[~known].sum()
    np.testing.assert_allclose(history.log_likelihood[-1], expected, rtol=1e-10)
    for resp in history.resp:
        np.testing.assert_array_equal(resp[known], np.eye(params.k)[labels[known]])


@MODELS
@SETTINGS
@given(seed=seeds, n=sizes, k=ks)
def test_responsibilities_are_distributions(model, seed, n, k):
    _, x, params = draw(model, seed, n, k)
    resp, log_px = emlab.e_step(model, x, params)
    assert resp.shape == (n, params.k) and log_px.shape == (n,)
    assert np.all((resp >= 0) & (resp <= 1))
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(np.isfinite(log_px))


@MODELS
@SETTINGS
@given(seed=seeds, n=sizes, k=ks, sparsity=st.floats(0, 0.8))
def test_log_likelihood_is_elbo_plus_kl_for_any_q(model, seed, n, k, sparsity):
    rng, x, params = draw(model, seed, n, k)
    posterior, _ = emlab.e_step(model, x, params)
    q = rng.dirichlet(np.ones(params.k), size=n)
    q[rng.random(q.shape) < sparsity] = 0.0                 # some exact zeros (0 log 0 = 0)
    # kl(q, p) takes probabilities: where the posterior underflowed to 0 it is +inf (see
    # test_kl_is_infinite_where_the_posterior_underflowed), and where it is subnormal
    # (< 2.2e-308) log p has lost digits.  So q puts no mass there.
    underflowed = posterior < np.finfo(float).tiny
    q[underflowed] = 0.0
    q[q.sum(axis=1) == 0] = posterior[q.sum(axis=1) == 0]
    q /= q.sum(axis=1, keepdims=True)
    log_likelihood = emlab.log_likelihood(model, x, params)
    elbo, kl = emlab.elbo(model, x, params, q), emlab.kl(q, posterior)
    assert kl >= 0
    assert np.isclose(log_likelihood, elbo + kl, rtol=1e-10, atol=1e-10 * (abs(elbo) + kl))


@MODELS
@SETTINGS
@given(seed=seeds, n=sizes, k=ks)
def test_elbo_at_the_posterior_is_the_log_likelihood(model, seed, n, k):
    _, x, params = draw(model, seed, n, k)
    posterior, _ = emlab.e_step(model, x, params)
    np.testing.assert_allclose(emlab.elbo(model, x, params, posterior),
                               emlab.log_likelihood(model, x, params), rtol=1e-10)
    assert emlab.kl(posterior, posterior) == pytest.approx(0.0, abs=1e-12)


def test_kl_is_infinite_where_the_posterior_underflowed():
    """Counts 0 and 1000 under rates 1e-3 and 1000: each posterior is exactly 0 for the other component."""
    x, params = np.array([0, 1000]), poisson.Params([0.5, 0.5], [1e-3, 1000.0])
    posterior, _ = emlab.e_step(poisson, x, params)
    assert posterior[0, 1] == 0 and posterior[1, 0] == 0
    uniform = np.full((2, 2), 0.5)
    assert emlab.kl(uniform, posterior) == np.inf
    assert np.isfinite(emlab.elbo(poisson, x, params, uniform))
