"""The fast paths of ``run_em`` equal the plain textbook formulas.

GaussianStats (emlab/gaussian_stats.py: features T(x) = [1, x, x x^T], chunked) against
``gaussian.log_joint`` / ``emlab.e_step`` and ``gaussian.m_step`` (Cholesky densities,
two-pass scatter), also where a component sits 1e4 and 1e6 of its standard deviations from
the data mean (the fallback path), and with only the squares x_a^2 as features (diagonal
covariances, covariance_type "diag" or "spherical"); DistinctValues against the per-point E- and M-steps of
coins and Poisson; ``run_em`` on either path against a plain loop of those steps.  Which path
runs, and what ``History`` keeps: tests/test_run_em_paths.py.
"""
import numpy as np
import pytest

import emlab
from emlab import coins, gaussian, gaussian_stats, poisson
from emlab.engines import DistinctValues
from emlab.gaussian_stats import GaussianStats
from engine_data import mixture_data

RTOL = 1e-10


def plain_gaussian_step(x, params, labels=None, **options):
    """The textbook E-step and M-step: resp, objective, and the new Params."""
    resp, log_px = emlab.e_step(gaussian, x, params)
    objective = log_px.sum()
    if labels is not None:
        known = labels >= 0
        resp[known] = np.eye(params.k)[labels[known]]
        objective = log_px[~known].sum() + gaussian.log_joint(x, params)[known, labels[known]].sum()
    return resp, objective, gaussian.m_step(x, resp, **options)


def assert_same_step(engine, x, params, labels=None, **options):
    state, objective = engine.e_step(params)
    resp, expected_objective, expected = plain_gaussian_step(x, params, labels, **options)
    np.testing.assert_allclose(engine.point_resp(state), resp, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(objective, expected_objective, rtol=RTOL)
    found = engine.m_step(state, **options)
    np.testing.assert_allclose(found.weights, expected.weights, rtol=RTOL)
    for j in range(params.k):          # relative to each component's own scale
        scale = np.sqrt(np.diag(expected.covariances[j]))
        error = np.abs(found.means[j] - expected.means[j])
        assert np.all(error <= RTOL * (np.abs(expected.means[j]) + scale)), error / scale
        np.testing.assert_allclose(found.covariances[j] / np.outer(scale, scale),
                                   expected.covariances[j] / np.outer(scale, scale), rtol=RTOL, atol=RTOL)
    return found


@pytest.mark.parametrize("d", [1, 2, 5])
def test_gaussian_stats_equal_the_textbook_steps(d):
    rng = np.random.default_rng(d)
    x, params = mixture_data(rng, d=d)
    assert_same_step(GaussianStats(x, None), x, params)
    assert_same_step(GaussianStats(x, None), x, params, reg_covar=1e-3)
    assert_same_step(GaussianStats(x, None), x, params, covariance_prior=(np.eye(d), d + 2.0))


def test_gaussian_stats_with_labels():
    rng = np.random.default_rng(10)
    x, params = mixture_data(rng, d=2)
    labels = np.where(rng.random(len(x)) < 0.2, rng.integers(3, size=len(x)), -1)
    assert_same_step(GaussianStats(x, labels), x, params, labels)


@pytest.mark.parametrize("n", [256, 1000, 1537])
def test_gaussian_stats_in_chunks(n):
    """n not a multiple of the chunk, several chunks, the features made chunk by chunk."""
    rng = np.random.default_rng(n)
    x, params = mixture_data(rng, n=n, d=2)
    engine = GaussianStats(x, None, chunk_bytes=1)          # the smallest chunk: 256 rows
    assert [rows.start for rows, _ in engine.chunks(False, params.k)] == list(range(0, n, 256))
    assert_same_step(engine, x, params)
    one_chunk = GaussianStats(x, None, chunk_bytes=2 ** 30)
    assert len(list(one_chunk.chunks(False, params.k))) == 1
    np.testing.assert_allclose(engine.e_step(params)[1], one_chunk.e_step(params)[1], rtol=1e-13)


@pytest.mark.parametrize("distance", [1e4, 1e6, 1e8])
def test_gaussian_stats_far_from_the_data_mean(distance):
    """A component ``distance`` of its own standard deviations from the data mean.

    Two ways: a unit-spread cluster ``distance`` away from the bulk, and a cluster of
    spread 1 / distance at unit distance.  The expanded form E[x x^T] - mu mu^T would lose
    about eps * distance^2 of the covariance (1e-8 and 1e-4 relative): the engine must take
    the textbook path there and agree with it to 1e-10.
    """
    rng = np.random.default_rng(int(np.log10(distance)))
    bulk = rng.normal(size=(400, 2))
    far = np.vstack([bulk, distance + rng.normal(size=(40, 2))])
    params = gaussian.Params([0.9, 0.1], [[0.0, 0.0], [distance, distance]], [np.eye(2), np.eye(2)])
    assert_same_step(GaussianStats(far, None), far, params)

    tight = np.vstack([bulk, [1.0, 1.0] + rng.normal(size=(40, 2)) / distance])
    params = gaussian.Params([0.9, 0.1], [[0.0, 0.0], [1.0, 1.0]], [np.eye(2), np.eye(2) / distance ** 2])
    engine = GaussianStats(tight, None)
    new = assert_same_step(engine, tight, params)
    assert_same_step(engine, tight, new)                    # and from the updated parameters


@pytest.mark.parametrize("distance", [1e4, 1e6])
def test_without_the_fallback_the_far_case_fails(distance, monkeypatch):
    """The expanded form alone is measurably wrong there, so the test above can fail."""
    monkeypatch.setattr(gaussian_stats, "FAR", np.inf)
    rng = np.random.default_rng(6)
    x = np.vstack([rng.normal(size=(400, 2)), [1.0, 1.0] + rng.normal(size=(40, 2)) / distance])
    params = gaussian.Params([0.9, 0.1], [[0.0, 0.0], [1.0, 1.0]], [np.eye(2), np.eye(2) / distance ** 2])
    with pytest.raises(AssertionError):
        assert_same_step(GaussianStats(x, None), x, params)


# ---------------------------------------------------------------- squares only (diagonal covariances)

def diagonal(params):
    """The same Params with the off-diagonal covariances set to 0."""
    variances = np.diagonal(params.covariances, axis1=1, axis2=2)
    return gaussian.Params(params.weights, params.means, variances[:, :, None] * np.eye(params.d))


def squares_only(engine, params):
    return engine.e_step(params)[0][2]


@pytest.mark.parametrize("d", [1, 2, 5])
@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
def test_squares_only_equal_the_textbook_steps(d, covariance_type):
    """Diagonal covariances under a diagonal or spherical M-step: features [x, x_a^2] only."""
    rng = np.random.default_rng(20 + d)
    x, params = mixture_data(rng, n=700, d=d)
    params = diagonal(params)
    labels = np.where(rng.random(len(x)) < 0.2, rng.integers(3, size=len(x)), -1)
    for options in ({}, {"reg_covar": 1e-3}, {"covariance_prior": (np.eye(d), d + 2.0)}):
        engine = GaussianStats(x, None, chunk_bytes=1)        # several chunks
        assert squares_only(engine, params)
        new = assert_same_step(engine, x, params, covariance_type=covariance_type, **options)
        assert squares_only(engine, new)
        assert_same_step(engine, x, new, covariance_type=covariance_type, **options)
    assert_same_step(GaussianStats(x, labels), x, params, labels, covariance_type=covariance_type)


@pytest.mark.parametrize("covariance_type", ["full", "tied"])
def test_diagonal_covariances_under_a_full_m_step_sum_the_products(covariance_type):
    """A diagonal start of full (or tied) EM: the first E-step takes the squares only, so the
    M-step sums the products x_a x_b itself; from then on the E-step takes them all."""
    rng = np.random.default_rng(30)
    x, params = mixture_data(rng, n=600, d=3)
    engine = GaussianStats(x, None, chunk_bytes=1)
    assert squares_only(engine, diagonal(params))
    new = assert_same_step(engine, x, diagonal(params), covariance_type=covariance_type)
    assert not squares_only(engine, diagonal(new))           # the M-step asked for products
    assert_same_step(engine, x, diagonal(new), covariance_type=covariance_type)


def test_full_covariances_under_a_diagonal_m_step():
    """A full start of diagonal EM: products in the first E-step, squares from then on."""
    rng = np.random.default_rng(31)
    x, params = mixture_data(rng, n=600, d=3)
    engine = GaussianStats(x, None)
    assert not squares_only(engine, params)
    new = assert_same_step(engine, x, params, covariance_type="diag")
    assert squares_only(engine, new)
    assert_same_step(engine, x, new, covariance_type="diag")


@pytest.mark.parametrize("distance", [1e4, 1e6, 1e8])
def test_squares_only_far_from_the_data_mean(distance):
    """As test_gaussian_stats_far_from_the_data_mean, with diagonal covariances and M-step."""
    rng = np.random.default_rng(int(np.log10(distance)) + 40)
    bulk = rng.normal(size=(400, 2)) * [1.0, 2.0]
    far = np.vstack([bulk, distance + rng.normal(size=(40, 2))])
    params = gaussian.Params([0.9, 0.1], [[0.0, 0.0], [distance, distance]], [np.diag([1.0, 4.0]), np.eye(2)])
    engine = GaussianStats(far, None)
    assert squares_only(engine, params)
    assert_same_step(engine, far, params, covariance_type="diag")

    tight = np.vstack([bulk, [1.0, 1.0] + rng.normal(size=(40, 2)) / distance])
    params = gaussian.Params([0.9, 0.1], [[0.0, 0.0], [1.0, 1.0]],
                             [np.diag([1.0, 4.0]), np.eye(2) / distance ** 2])
    engine = GaussianStats(tight, None)
    new = assert_same_step(engine, tight, params, covariance_type="diag")
    assert squares_only(engine, new)
    assert_same_step(engine, tight, new, covariance_type="spherical")


@pytest.mark.parametrize("distance", [1e4, 1e6])
def test_without_the_fallback_the_far_case_fails_with_squares_only(distance, monkeypatch):
    monkeypatch.setattr(gaussian_stats, "FAR", np.inf)
    rng = np.random.default_rng(7)
    x = np.vstack([rng.normal(size=(400, 2)), [1.0, 1.0] + rng.normal(size=(40, 2)) / distance])
    params = gaussian.Params([0.9, 0.1], [[0.0, 0.0], [1.0, 1.0]], [np.eye(2), np.eye(2) / distance ** 2])
    with pytest.raises(AssertionError):
        assert_same_step(GaussianStats(x, None), x, params, covariance_type="diag")


@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
def test_squares_only_with_data_offset_by_1e6(covariance_type):
    """All data 1e6 from the origin (centring is what keeps the digits), over several EM steps."""
    rng = np.random.default_rng(50)
    x, params = mixture_data(rng, n=900, d=3)
    x = x + 1e6
    params = diagonal(gaussian.Params(params.weights, params.means + 1e6, params.covariances))
    engine = GaussianStats(x, None, chunk_bytes=1)
    for _ in range(5):
        assert squares_only(engine, params)
        params = assert_same_step(engine, x, params, covariance_type=covariance_type)


@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
def test_gaussian_run_em_with_constrained_covariances_equals_a_plain_loop(covariance_type):
    """From full covariances: the first E-step with products, then squares only."""
    x, params = mixture_data(np.random.default_rng(51), d=3)
    history = emlab.run_em(gaussian, x, params, max_iter=15, tol=0, engine="fast",
                           covariance_type=covariance_type)
    theta = params
    for t in range(1, 16):
        resp, log_px = emlab.e_step(gaussian, x, theta)
        np.testing.assert_allclose(history.log_likelihood[t - 1], log_px.sum(), rtol=1e-12)
        theta = gaussian.m_step(x, resp, covariance_type=covariance_type)
        np.testing.assert_allclose(history.params[t].means, theta.means, rtol=1e-9)
        np.testing.assert_allclose(history.params[t].covariances, theta.covariances, rtol=1e-9)


# ---------------------------------------------------------------- DistinctValues (coins, Poisson)

def integer_cases():
    rng = np.random.default_rng(7)
    tosses = rng.integers(1, 12, size=400)
    heads = rng.binomial(tosses, rng.choice([0.2, 0.7], size=400))
    yield coins, np.column_stack([heads, tosses - heads]), coins.Params([0.5, 0.5], [0.4, 0.6])
    yield poisson, rng.poisson(rng.choice([1.0, 6.0, 15.0], size=400)), poisson.Params([0.3, 0.3, 0.4],
                                                                                       [0.5, 4.0, 10.0])


@pytest.mark.parametrize("model, x, params", list(integer_cases()), ids=["coins", "poisson"])
@pytest.mark.parametrize("labelled", [False, True])
def test_distinct_values_equal_the_per_point_steps(model, x, params, labelled):
    rng = np.random.default_rng(8)
    labels = np.where(rng.random(len(x)) < 0.25, rng.integers(params.k, size=len(x)), -1) if labelled else None
    engine = DistinctValues(model, x, labels)
    assert len(engine.x) < len(x) / 2 and engine.counts.sum() == len(x)
    state, objective = engine.e_step(params)

    resp, log_px = emlab.e_step(model, x, params)            # per point, textbook
    expected_objective = log_px.sum()
    if labelled:
        known = labels >= 0
        resp[known] = np.eye(params.k)[labels[known]]
        expected_objective = log_px[~known].sum() + model.log_joint(x, params)[known, labels[known]].sum()
    np.testing.assert_allclose(engine.point_resp(state), resp, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(objective, expected_objective, rtol=1e-12)
    found, expected = engine.m_step(state), model.m_step(x, resp)
    for name, value in vars(expected).items():
        np.testing.assert_allclose(getattr(found, name), value, rtol=1e-12)


@pytest.mark.parametrize("engine", ["plain", "fast"])
@pytest.mark.parametrize("model, x, params", list(integer_cases()), ids=["coins", "poisson"])
def test_run_em_equals_a_plain_per_point_loop(model, x, params, engine):
    history = emlab.run_em(model, x, params, max_iter=15, tol=0, engine=engine)
    assert history.engine == engine
    theta = params
    for t in range(1, 16):
        resp, _ = emlab.e_step(model, x, theta)
        theta = model.m_step(x, resp)
        for name, value in vars(theta).items():
            np.testing.assert_allclose(getattr(history.params[t], name), value, rtol=1e-11)
        np.testing.assert_allclose(history.log_likelihood[t], emlab.log_likelihood(model, x, theta), rtol=1e-12)


@pytest.mark.parametrize("engine", ["plain", "fast"])
def test_gaussian_run_em_equals_a_plain_loop(engine):
    x, params = mixture_data(np.random.default_rng(9), d=2)
    history = emlab.run_em(gaussian, x, params, max_iter=15, tol=0, engine=engine)
    assert history.engine == engine
    theta = params
    for t in range(1, 16):
        theta = gaussian.m_step(x, emlab.e_step(gaussian, x, theta)[0])
        np.testing.assert_allclose(history.params[t].means, theta.means, rtol=1e-9)
        np.testing.assert_allclose(history.params[t].covariances, theta.covariances, rtol=1e-9)
