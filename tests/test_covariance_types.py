"""Covariance types of the Gaussian mixture ("full", "diag", "spherical", "tied"): EM from the
same start equals scikit-learn's GaussianMixture(covariance_type=...); with an inverse-Wishart
prior each constrained M-step maximises its objective (scipy.optimize); each M-step
eigendecomposes each covariance once, and the Params keep that decomposition; the plotted
ellipses take the constrained shape."""
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy import linalg, optimize, stats
from sklearn.mixture import GaussianMixture

import emlab
from emlab import gaussian, plot

TYPES = ["full", "diag", "spherical", "tied"]


def overlapping(d, n, seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(3, d, d)) * 0.5
    truth = gaussian.Params([0.5, 0.3, 0.2], rng.normal(size=(3, d)) * 1.5,
                            a @ a.transpose(0, 2, 1) + 0.5 * np.eye(d))
    return gaussian.sample(truth, n, rng)[0]


def start(x, k, covariance_type, seed):
    """Random weights, k data points as means, random covariances near the data's, in the
    constrained form; returns (Params, scikit-learn's precisions_init for that type)."""
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    a = rng.normal(size=(k, d, d)) * 0.3
    full = np.cov(x, rowvar=False) + a @ a.transpose(0, 2, 1)
    variances = np.diagonal(full, axis1=1, axis2=2)
    covariances, precisions = {
        "full": (full, np.linalg.inv(full)),
        "diag": (variances[:, :, None] * np.eye(d), 1 / variances),
        "spherical": (variances[:, :1, None] * np.eye(d), 1 / variances[:, 0]),
        "tied": (np.repeat(full[:1], k, axis=0), np.linalg.inv(full[0])),
    }[covariance_type]
    weights = rng.dirichlet(np.full(k, 5.0))
    return gaussian.Params(weights, x[rng.choice(len(x), k, replace=False)], covariances), precisions


def sklearn_covariances(gm, k, d):
    """scikit-learn's covariances_ of each type as (k, d, d) full matrices."""
    cov = gm.covariances_
    return {"full": lambda: cov,
            "diag": lambda: cov[:, :, None] * np.eye(d),
            "spherical": lambda: cov[:, None, None] * np.eye(d),
            "tied": lambda: np.broadcast_to(cov, (k, d, d))}[gm.covariance_type]()


@pytest.mark.parametrize("d, n, iterations", [(2, 300, 50), (4, 400, 30)], ids=["d2", "d4"])
@pytest.mark.parametrize("reg_covar", [0.0, 1e-3])
@pytest.mark.parametrize("covariance_type", TYPES)
def test_em_matches_scikit_learn(covariance_type, reg_covar, d, n, iterations):
    """Both engines: "plain" (gaussian.log_joint and gaussian.m_step as written) and "fast"
    (the same steps as matrix products, ending in gaussian.from_moments)."""
    x = overlapping(d, n, seed=d)
    init, precisions = start(x, 3, covariance_type, seed=5)
    gm = GaussianMixture(3, covariance_type=covariance_type, weights_init=init.weights,
                         means_init=init.means, precisions_init=precisions, reg_covar=reg_covar,
                         tol=0, max_iter=iterations)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # scikit-learn's ConvergenceWarning for tol=0
        gm.fit(x)
    assert gm.n_iter_ == iterations
    expected = sklearn_covariances(gm, 3, d)
    for engine in ("plain", "fast"):
        history = emlab.run_em(gaussian, x, init, max_iter=iterations, tol=0, engine=engine,
                               covariance_type=covariance_type, reg_covar=reg_covar)
        assert history.engine == engine
        ours = history.params[-1]
        np.testing.assert_allclose(ours.weights, gm.weights_, rtol=1e-8)
        np.testing.assert_allclose(ours.means, gm.means_, rtol=1e-8, atol=1e-8 * np.abs(gm.means_).max())
        np.testing.assert_allclose(ours.covariances, expected, rtol=1e-8, atol=1e-8 * np.abs(expected).max())
        # scikit-learn's lower_bound_ is the mean log-likelihood at the E-step before the last M-step
        np.testing.assert_allclose(history.log_likelihood[-2] / n, gm.lower_bound_, rtol=1e-10)


def test_the_comparison_tells_the_types_apart():
    """Diagonal EM is not full EM: the check above would notice a type that was ignored."""
    x = overlapping(2, 300, seed=2)
    init, _ = start(x, 3, "diag", seed=5)
    diag = emlab.run_em(gaussian, x, init, max_iter=10, tol=0, covariance_type="diag").params[-1]
    full = emlab.run_em(gaussian, x, init, max_iter=10, tol=0).params[-1]
    assert np.all(diag.covariances[:, 0, 1] == 0) and np.all(full.covariances[:, 0, 1] != 0)
    assert np.abs(diag.means - full.means).max() > 1e-3


# ---------------------------------------------------------------- MAP under an inverse-Wishart prior

def constrained(covariance_type, theta, k, d):
    """Unconstrained parameters -> (k, d, d) covariances of the type (log-variances, or a
    Cholesky factor with a log-diagonal for the tied matrix)."""
    if covariance_type == "diag":
        return np.exp(theta).reshape(k, d)[:, :, None] * np.eye(d)
    if covariance_type == "spherical":
        return np.exp(theta)[:, None, None] * np.eye(d)
    chol = np.zeros((d, d))
    chol[np.tril_indices(d)] = theta
    chol[np.diag_indices(d)] = np.exp(np.diag(chol))
    return np.broadcast_to(chol @ chol.T, (k, d, d))


@pytest.mark.parametrize("covariance_type, n_theta", [("diag", 6), ("spherical", 3), ("tied", 3)])
def test_map_m_step_of_each_type_maximises_the_expected_complete_log_posterior(covariance_type, n_theta):
    """scipy.optimize over the constrained covariances of
    sum_ij r_ij log N(x_i | mu_j, Sigma_j) + log IW(Sigma_j | psi, nu) (one IW term per distinct matrix)."""
    x = overlapping(2, 40, seed=7)
    resp = np.random.default_rng(8).dirichlet(np.ones(3), size=len(x))
    psi, nu = np.array([[0.5, 0.1], [0.1, 0.3]]), 4.0
    ours = gaussian.m_step(x, resp, covariance_type=covariance_type, covariance_prior=(psi, nu))
    n_matrices = 1 if covariance_type == "tied" else 3

    def negative_log_posterior(theta):
        cov = constrained(covariance_type, theta, 3, 2)
        complete = sum(resp[:, j] @ stats.multivariate_normal.logpdf(x, ours.means[j], cov[j])
                       for j in range(3))
        prior = sum(stats.invwishart.logpdf(cov[j], df=nu, scale=psi) for j in range(n_matrices))
        return -(complete + prior)

    best = optimize.minimize(negative_log_posterior, np.zeros(n_theta), method="BFGS",
                             options=dict(gtol=1e-9))
    np.testing.assert_allclose(ours.covariances, constrained(covariance_type, best.x, 3, 2), atol=1e-6)


# ---------------------------------------------------------------- bad option

@pytest.mark.parametrize("value, error, words", [
    ("diagonal", ValueError, "covariance_type must be one of 'full', 'diag', 'spherical', 'tied', "
                             "got 'diagonal'"),
    (None, TypeError, "covariance_type must be a string, got NoneType"),
])
def test_bad_covariance_type_is_a_clear_error(value, error, words):
    x = overlapping(2, 30, seed=1)
    init, _ = start(x, 3, "full", seed=5)
    with pytest.raises(error, match=words):
        gaussian.m_step(x, np.full((30, 3), 1 / 3), covariance_type=value)
    with pytest.raises(error, match=words):
        emlab.run_em(gaussian, x, init, covariance_type=value)


# ---------------------------------------------------------------- one eigendecomposition per covariance

DECOMPOSITIONS = ("eigh", "eigvalsh", "eig", "eigvals")


@pytest.fixture
def decomposed(monkeypatch):
    """The number of matrices numpy.linalg eigendecomposes from now on (a stack counts each)."""
    counted = []
    for name in DECOMPOSITIONS:
        def counting(a, *args, _original=getattr(np.linalg, name), **kwargs):
            counted.append(int(np.prod(np.shape(a)[:-2])))
            return _original(a, *args, **kwargs)
        monkeypatch.setattr(np.linalg, name, counting)
    return counted


@pytest.mark.parametrize("engine", ["plain", "fast"])
@pytest.mark.parametrize("options", [{}, {"reg_covar": 1e-3}, {"covariance_prior": (np.eye(3), 5.0)}],
                         ids=["ml", "reg_covar", "prior"])
@pytest.mark.parametrize("covariance_type", TYPES)
def test_each_m_step_decomposes_each_covariance_once(covariance_type, options, engine, decomposed):
    """k covariances (one shared under "tied") per M-step, whichever engine and options; the
    E-steps decompose nothing."""
    x = overlapping(3, 300, seed=3)
    init, _ = start(x, 3, covariance_type, seed=4)
    decomposed.clear()
    emlab.run_em(gaussian, x, init, max_iter=4, tol=0, engine=engine,
                 covariance_type=covariance_type, **options)
    per_m_step = 1 if covariance_type == "tied" else 3
    assert sum(decomposed) == 4 * per_m_step


@pytest.mark.parametrize("covariance_type", TYPES)
def test_params_keep_the_eigendecomposition_of_their_covariances(covariance_type):
    """From the constructor and from an M-step: ascending eigenvalues as scipy's, orthonormal
    eigenvectors with V diag(lambda) V^T = Sigma, all read-only."""
    x = overlapping(3, 300, seed=6)
    init, _ = start(x, 3, covariance_type, seed=7)
    fitted = emlab.run_em(gaussian, x, init, max_iter=3, tol=0, covariance_type=covariance_type).params[-1]
    for params in (init, fitted):
        for j in range(params.k):
            cov, values, vectors = params.covariances[j], params.eigenvalues[j], params.eigenvectors[j]
            np.testing.assert_allclose(values, linalg.eigh(cov, eigvals_only=True), rtol=1e-12)
            np.testing.assert_allclose(vectors.T @ vectors, np.eye(3), atol=1e-12)
            np.testing.assert_allclose((vectors * values) @ vectors.T, cov, rtol=1e-12, atol=1e-14)
        assert not (params.eigenvalues.flags.writeable or params.eigenvectors.flags.writeable)


# ---------------------------------------------------------------- plots follow the type

@pytest.mark.parametrize("covariance_type", TYPES)
def test_ellipses_take_the_constrained_shape(covariance_type):
    """Each drawn ellipse is the contour (x - mu)^T Sigma^{-1} (x - mu) = chi2.ppf(mass, 2) of
    the fitted covariance: axis-aligned for diag, a circle for spherical, one shape for tied."""
    x = overlapping(2, 300, seed=2)
    init, _ = start(x, 3, covariance_type, seed=5)
    fitted = emlab.run_em(gaussian, x, init, max_iter=20, tol=0, covariance_type=covariance_type).params[-1]
    ax = Figure().subplots()
    artists = [plot.ellipse(ax, fitted.means[j], fitted.covariances[j], mass=0.86) for j in range(3)]
    angles = np.linspace(0, 2 * np.pi, 50)
    unit_circle = np.column_stack([np.cos(angles), np.sin(angles)])
    for j, artist in enumerate(artists):            # the artist's own unit circle -> data coordinates
        boundary = artist.get_patch_transform().transform(unit_circle) - fitted.means[j]
        r2 = np.einsum("ni,ij,nj->n", boundary, np.linalg.inv(fitted.covariances[j]), boundary)
        np.testing.assert_allclose(r2, stats.chi2.ppf(0.86, 2), rtol=1e-6)
    shapes = np.array([[a.get_width(), a.get_height(), a.get_angle() % 180] for a in artists])
    if covariance_type == "diag":
        assert np.all(np.isclose(shapes[:, 2], 0) | np.isclose(shapes[:, 2], 90))
    if covariance_type == "spherical":
        np.testing.assert_allclose(shapes[:, 0], shapes[:, 1], rtol=1e-12)
    if covariance_type == "tied":
        np.testing.assert_allclose(shapes, np.broadcast_to(shapes[0], shapes.shape), rtol=1e-9)
    if covariance_type == "full":
        assert not np.any(np.isclose(shapes[:, 2] % 90, 0))


def test_a_singular_tied_covariance_is_named_as_the_shared_one():
    """Data on a line in 2-D: under "tied" the one pooled matrix is singular, and the error says
    so (not "component 0"), with the remedy; run_em carries it with the History."""
    t = np.linspace(-1.0, 1.0, 40)
    x = np.column_stack([t, 2 * t]) + np.repeat([[0.0, 0.0], [5.0, 0.0]], 20, axis=0)
    resp = np.repeat(np.eye(2), 20, axis=0)
    with pytest.raises(emlab.CollapseError, match=r"shared covariance \(covariance_type 'tied'\)"
                       r".*reg_covar") as info:
        gaussian.m_step(x, resp, covariance_type="tied")
    assert info.value.component is None and "component 0" not in str(info.value)
    start = gaussian.Params([0.5, 0.5], [[0.0, 0.0], [5.0, 0.0]], np.eye(2)[None].repeat(2, axis=0))
    with pytest.raises(emlab.CollapseError, match=r"EM iteration \d+: the shared covariance") as info:
        emlab.run_em(gaussian, x, start, covariance_type="tied")
    assert info.value.component is None and info.value.history.params[0] == start
    assert gaussian.m_step(x, resp, covariance_type="tied", reg_covar=1e-6).covariances.shape == (2, 2, 2)
