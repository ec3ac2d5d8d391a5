"""Properties EM must have for every model, on data and parameters drawn by hypothesis.

* the log-likelihood never decreases along ``run_em`` (Bishop sec. 9.4), also the
  semi-supervised objective with ``labels``;
* responsibilities are distributions over the components;
* ``log p(x | theta) = ELBO(q, theta) + KL(q || p(z | x, theta))`` for any q (Bishop eq. 9.70),
  and the ELBO at the posterior equals the log-likelihood.

The data, the parameters, the labels and q are drawn element by element with
``hypothesis.extra.numpy``, so a failure shrinks to a small case (few points, simple
values).  The settings (how many examples, the same ones on every run) are the profile of
tests/conftest.py.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import emlab
from emlab import coins, gaussian, poisson

# Round-off allowed in a "never decreases" check, relative to the objective's size.
MONOTONE_RTOL = 1e-9

sizes = st.integers(3, 40)
ks = st.integers(1, 4)


def floats(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@st.composite
def weights(draw, k):
    """Mixing weights pi (k,), none below 0.1 / k before normalising."""
    raw = draw(hnp.arrays(np.float64, k, elements=floats(0.1, 1.0)))
    return raw / raw.sum()


@st.composite
def coins_case(draw, n, k):
    """Sets of 1 to 24 tosses: x (n, 2) [heads, tails]; biases in [0.02, 0.98]."""
    x = draw(hnp.arrays(np.int64, (n, 2), elements=st.integers(0, 12)))
    x[x.sum(axis=1) == 0, 1] = 1                       # at least one toss per set
    return x, coins.Params(draw(weights(k)), draw(hnp.arrays(np.float64, k, elements=floats(0.02, 0.98))))


@st.composite
def poisson_case(draw, n, k):
    """Counts 0..300; rates in [0.2, 250]."""
    x = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 300)))
    return x, poisson.Params(draw(weights(k)), draw(hnp.arrays(np.float64, k, elements=floats(0.2, 250.0))))


@st.composite
def gaussian_case(draw, n, k):
    """Points in [-10, 10]^d, d = 1..3; means at data points; covariances A A^T + s I."""
    d = draw(st.integers(1, 3))
    x = draw(hnp.arrays(np.float64, (n, d), elements=floats(-10.0, 10.0)))
    rows = draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k, unique=True))
    a = draw(hnp.arrays(np.float64, (k, d, d), elements=floats(-2.0, 2.0)))
    ridge = draw(floats(0.05, 2.0))
    covariances = a @ a.transpose(0, 2, 1) + ridge * np.eye(d)
    return x, gaussian.Params(draw(weights(k)), x[rows], covariances)


CASES = {coins: coins_case, poisson: poisson_case, gaussian: gaussian_case}
MODELS = pytest.mark.parametrize("model", list(CASES), ids=lambda m: m.__name__.split(".")[-1])


@st.composite
def cases(draw, model):
    """(x, params) of ``model``: n in 3..40 points, k in 1..min(4, n) components."""
    n = draw(sizes)
    return draw(CASES[model](n, min(draw(ks), n)))


@st.composite
def labels_for(draw, n, k):
    """(n,) labels, -1 (unlabelled) or a component 0..k-1."""
    return draw(hnp.arrays(np.int64, n, elements=st.integers(-1, k - 1)))


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
@given(data=st.data())
def test_log_likelihood_never_decreases(model, data):
    x, params = data.draw(cases(model))
    history = run_until_done(model, x, params)
    assert_never_decreases(history.log_likelihood)
    # what History records is the log-likelihood of the parameters it records
    for theta, value in zip(history.params, history.log_likelihood):
        np.testing.assert_allclose(value, emlab.log_likelihood(model, x, theta), rtol=1e-10)


@MODELS
@given(data=st.data())
def test_semi_supervised_objective_never_decreases(model, data):
    x, params = data.draw(cases(model))
    labels = data.draw(labels_for(len(x), params.k))
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
@given(data=st.data())
def test_responsibilities_are_distributions(model, data):
    x, params = data.draw(cases(model))
    resp, log_px = emlab.e_step(model, x, params)
    assert resp.shape == (len(x), params.k) and log_px.shape == (len(x),)
    assert np.all((resp >= 0) & (resp <= 1))
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(np.isfinite(log_px))


@MODELS
@given(data=st.data())
def test_log_likelihood_is_elbo_plus_kl_for_any_q(model, data):
    x, params = data.draw(cases(model))
    posterior, _ = emlab.e_step(model, x, params)
    # any q, with some exact zeros (0 log 0 = 0)
    q = data.draw(hnp.arrays(np.float64, posterior.shape, elements=st.one_of(st.just(0.0), floats(0.01, 1.0))))
    # kl(q, p) takes probabilities: where the posterior underflowed to 0 it is +inf (see
    # test_kl_is_infinite_where_the_posterior_underflowed), and where it is subnormal
    # (< 2.2e-308) log p has lost digits.  So q puts no mass there.
    q[posterior < np.finfo(float).tiny] = 0.0
    empty = q.sum(axis=1) == 0
    q[empty] = posterior[empty]
    q /= q.sum(axis=1, keepdims=True)
    log_likelihood = emlab.log_likelihood(model, x, params)
    elbo, kl = emlab.elbo(model, x, params, q), emlab.kl(q, posterior)
    assert kl >= 0
    assert np.isclose(log_likelihood, elbo + kl, rtol=1e-10, atol=1e-10 * (abs(elbo) + kl))


@MODELS
@given(data=st.data())
def test_elbo_at_the_posterior_is_the_log_likelihood(model, data):
    x, params = data.draw(cases(model))
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
