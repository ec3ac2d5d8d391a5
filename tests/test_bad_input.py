"""Bad input gets a clear ValueError / TypeError naming the argument, and nothing is lost.

Never a raw numpy/scipy error (LinAlgError is a ValueError subclass, so it is excluded
explicitly), never a CollapseError for input that was wrong from the start, never a
modified caller array.
"""
import copy
import re

import numpy as np
import pytest

import emlab
from emlab import coins, gaussian, poisson

X2 = np.random.default_rng(0).normal(size=(20, 2))
XP = np.array([0, 3, 1, 4, 2, 7])
XC = np.array([[5, 5], [9, 1], [8, 2], [4, 6], [7, 3]])
GP = gaussian.Params([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], [np.eye(2), np.eye(2)])
PP = poisson.Params([0.5, 0.5], [1.0, 4.0])
CP = coins.Params([0.5, 0.5], [0.6, 0.5])
R2 = np.full((20, 2), 0.5)
I2 = np.eye(2)


def with_value(array, index, value):
    out = np.array(array, dtype=float)
    out[index] = value
    return out


# (id, function, keyword arguments, the argument name the message must contain)
BAD = [
    # non-finite values
    ("x NaN", emlab.e_step, dict(model=gaussian, x=with_value(X2, (3, 1), np.nan), params=GP), "x"),
    ("x inf", emlab.run_em, dict(model=gaussian, x=with_value(X2, (0, 0), np.inf), params=GP), "x"),
    ("counts NaN", emlab.log_likelihood, dict(model=poisson, x=with_value(XP, 2, np.nan), params=PP), "x"),
    ("means NaN", gaussian.Params, dict(weights=[0.5, 0.5], means=[[0, np.nan], [1, 1]], covariances=[I2, I2]),
     "means"),
    ("covariances inf", gaussian.Params,
     dict(weights=[1.0], means=[[0, 0]], covariances=[[[np.inf, 0], [0, 1]]]), "covariances"),
    ("rates inf", poisson.Params, dict(weights=[0.5, 0.5], rates=[1.0, np.inf]), "rates"),
    ("p NaN", coins.Params, dict(weights=[0.5, 0.5], p=[np.nan, 0.5]), "p"),
    ("weights NaN", poisson.Params, dict(weights=[np.nan, 1.0], rates=[1.0, 2.0]), "weights"),
    ("resp NaN", gaussian.m_step, dict(x=X2, resp=with_value(R2, (0, 0), np.nan)), "resp"),
    # wrong ndim / shape
    ("gaussian x 1-D", emlab.e_step, dict(model=gaussian, x=X2[:, 0], params=GP), "x"),
    ("gaussian x 3-D", emlab.run_em, dict(model=gaussian, x=X2[None], params=GP), "x"),
    ("poisson x 2-D", emlab.e_step, dict(model=poisson, x=XP[:, None], params=PP), "x"),
    ("coins x 3 columns", emlab.e_step, dict(model=coins, x=np.column_stack([XC, XC[:, :1]]), params=CP), "x"),
    ("d mismatch", emlab.run_em, dict(model=gaussian, x=np.column_stack([X2, X2[:, :1]]), params=GP), "x"),
    ("means k mismatch", gaussian.Params, dict(weights=[0.5, 0.5], means=[[0, 0]], covariances=[I2, I2]),
     "means"),
    ("covariances shape", gaussian.Params, dict(weights=[0.5, 0.5], means=[[0, 0], [1, 1]], covariances=[I2]),
     "covariances"),
    ("rates k mismatch", poisson.Params, dict(weights=[0.5, 0.5], rates=[1.0, 2.0, 3.0]), "rates"),
    ("weights 2-D", coins.Params, dict(weights=[[0.5, 0.5]], p=[0.2, 0.3]), "weights"),
    ("resp wrong n", gaussian.m_step, dict(x=X2, resp=R2[:5]), "resp"),
    ("q wrong shape", emlab.elbo, dict(model=poisson, x=XP, params=PP, q=np.full((3, 2), 0.5)), "q"),
    ("kl shapes differ", emlab.kl, dict(q=np.full((3, 2), 0.5), p=np.full((4, 2), 0.5)), "p"),
    # counts
    ("negative counts", emlab.e_step, dict(model=poisson, x=np.array([1, -2, 3]), params=PP), "x"),
    ("fractional counts", emlab.run_em, dict(model=poisson, x=np.array([1.0, 2.5, 3.0]), params=PP), "x"),
    ("negative coin tosses", emlab.e_step, dict(model=coins, x=np.array([[3, -1], [2, 2]]), params=CP), "x"),
    ("fractional coin tosses", coins.m_step, dict(x=np.array([[3, 1.5], [2, 2]]), resp=np.full((2, 2), 0.5)),
     "x"),
    ("counts beyond 2**53", emlab.e_step, dict(model=coins, x=np.array([[1e20, 1.0]]), params=CP), "x"),
    # parameter values
    ("weights negative", poisson.Params, dict(weights=[1.2, -0.2], rates=[1.0, 2.0]), "weights"),
    ("weights not summing to 1", gaussian.Params,
     dict(weights=[0.5, 0.4], means=[[0, 0], [1, 1]], covariances=[I2, I2]), "weights"),
    ("weights empty", coins.Params, dict(weights=[], p=[]), "weights"),
    ("p above 1", coins.Params, dict(weights=[0.5, 0.5], p=[0.5, 1.2]), "p"),
    ("p below 0", coins.Params, dict(weights=[0.5, 0.5], p=[-0.1, 0.5]), "p"),
    ("rates zero", poisson.Params, dict(weights=[0.5, 0.5], rates=[0.0, 2.0]), "rates"),
    ("rates negative", poisson.Params, dict(weights=[0.5, 0.5], rates=[3.0, -2.0]), "rates"),
    ("covariance not symmetric", gaussian.Params,
     dict(weights=[1.0], means=[[0, 0]], covariances=[[[1.0, 0.5], [0.0, 1.0]]]), "covariances"),
    ("covariance not positive definite", gaussian.Params,
     dict(weights=[1.0], means=[[0, 0]], covariances=[[[1.0, 2.0], [2.0, 1.0]]]), "covariances"),
    ("covariance singular", gaussian.Params,
     dict(weights=[1.0], means=[[0, 0]], covariances=[[[1.0, 1.0], [1.0, 1.0]]]), "covariances"),
    ("resp negative", poisson.m_step, dict(x=XP, resp=np.column_stack([np.full(6, 1.5), np.full(6, -0.5)])),
     "resp"),
    ("q rows not summing to 1", emlab.elbo, dict(model=poisson, x=XP, params=PP, q=np.full((6, 2), 0.3)), "q"),
    # sizes
    ("k > n", emlab.run_em, dict(model=gaussian, x=X2[:1], params=GP), "params"),
    ("k > n at init", gaussian.init_kmeans, dict(x=X2, k=21, rng=0), "k"),
    ("empty gaussian data", emlab.run_em, dict(model=gaussian, x=np.empty((0, 2)), params=GP), "x"),
    ("empty counts", emlab.e_step, dict(model=poisson, x=np.array([], dtype=int), params=PP), "x"),
    ("no columns", emlab.e_step, dict(model=gaussian, x=np.empty((5, 0)), params=GP), "x"),
    # labels
    ("labels wrong length", emlab.run_em, dict(model=poisson, x=XP, params=PP, labels=[0, 1, -1]), "labels"),
    ("labels out of range", emlab.run_em, dict(model=poisson, x=XP, params=PP, labels=[0, 1, 2, -1, -1, -1]),
     "labels"),
    ("labels below -1", emlab.run_em, dict(model=coins, x=XC, params=CP, labels=[-2, 0, 1, -1, -1]), "labels"),
    ("labels fractional", emlab.run_em, dict(model=coins, x=XC, params=CP, labels=[0.5, 0, 1, -1, -1]),
     "labels"),
    # run_em settings
    ("max_iter 0", emlab.run_em, dict(model=poisson, x=XP, params=PP, max_iter=0), "max_iter"),
    ("max_iter float", emlab.run_em, dict(model=poisson, x=XP, params=PP, max_iter=10.0), "max_iter"),
    ("max_iter string", emlab.run_em, dict(model=poisson, x=XP, params=PP, max_iter="10"), "max_iter"),
    ("tol negative", emlab.run_em, dict(model=poisson, x=XP, params=PP, tol=-1e-6), "tol"),
    ("tol NaN", emlab.run_em, dict(model=poisson, x=XP, params=PP, tol=np.nan), "tol"),
    ("learn_weights not a bool", emlab.run_em, dict(model=coins, x=XC, params=CP, learn_weights="no"),
     "learn_weights"),
    ("keep_resp not a bool", emlab.run_em, dict(model=coins, x=XC, params=CP, keep_resp=1), "keep_resp"),
    ("reg_covar negative", emlab.run_em, dict(model=gaussian, x=X2, params=GP, reg_covar=-1e-3), "reg_covar"),
    ("reg_covar string", gaussian.m_step, dict(x=X2, resp=R2, reg_covar="1e-3"), "reg_covar"),
    ("option the model lacks", emlab.run_em, dict(model=poisson, x=XP, params=PP, reg_covar=1e-3), "reg_covar"),
    ("unknown gaussian option", emlab.run_em, dict(model=gaussian, x=X2, params=GP, reg_covariance=1e-3),
     "reg_covariance"),
    # covariance_prior (issue 4)
    ("prior not a pair", gaussian.m_step, dict(x=X2, resp=R2, covariance_prior=I2), "covariance_prior"),
    ("prior psi shape", gaussian.m_step, dict(x=X2, resp=R2, covariance_prior=(np.eye(3), 5.0)),
     "covariance_prior"),
    ("prior psi not positive definite", emlab.run_em,
     dict(model=gaussian, x=X2, params=GP, covariance_prior=(-I2, 5.0)), "covariance_prior"),
    ("prior psi not symmetric", gaussian.m_step,
     dict(x=X2, resp=R2, covariance_prior=([[1.0, 0.5], [0.0, 1.0]], 5.0)), "covariance_prior"),
    ("prior nu too small", gaussian.m_step, dict(x=X2, resp=R2, covariance_prior=(I2, 0.5)), "covariance_prior"),
    ("prior nu NaN", gaussian.m_step, dict(x=X2, resp=R2, covariance_prior=(I2, np.nan)), "covariance_prior"),
    # wrong kinds of objects
    ("model a string", emlab.e_step, dict(model="gaussian", x=X2, params=GP), "model"),
    ("model another module", emlab.run_em, dict(model=np, x=XP, params=PP), "model"),
    ("model None", emlab.log_likelihood, dict(model=None, x=XP, params=PP), "model"),
    ("params of another model", emlab.e_step, dict(model=coins, x=XC, params=PP), "params"),
    ("params a tuple", emlab.run_em, dict(model=poisson, x=XP, params=(PP.weights, PP.rates)), "params"),
    ("x strings", emlab.e_step, dict(model=poisson, x=np.array(["1", "2"]), params=PP), "x"),
    ("x None", emlab.e_step, dict(model=poisson, x=None, params=PP), "x"),
    ("x ragged", emlab.e_step, dict(model=poisson, x=[[1], [1, 2]], params=PP), "x"),
    ("x booleans", emlab.e_step, dict(model=gaussian, x=X2 > 0, params=GP), "x"),
    ("weights complex", poisson.Params, dict(weights=np.array([0.5, 0.5]) + 0j, rates=[1.0, 2.0]), "weights"),
    ("rng a string", gaussian.init_random, dict(x=X2, k=2, rng="seed"), "rng"),
    ("sample n zero", poisson.sample, dict(params=PP, n=0, rng=0), "n"),
    ("sample tosses float", coins.sample, dict(params=CP, n=5, rng=0, tosses=2.5), "tosses"),
]


def arrays_in(kwargs):
    """Every numpy array among the arguments (also inside tuples/lists), by path."""
    found = {}

    def visit(value, path):
        if isinstance(value, np.ndarray):
            found[path] = value
        elif isinstance(value, (tuple, list)):
            for i, item in enumerate(value):
                visit(item, f"{path}[{i}]")

    for name, value in kwargs.items():
        visit(value, name)
    return found


def test_the_table_is_large_enough():
    assert len(BAD) >= 25
    assert len({case[0] for case in BAD}) == len(BAD)


@pytest.mark.parametrize("function, kwargs, argument", [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_input_raises_a_clear_error(function, kwargs, argument):
    arrays = arrays_in(kwargs)
    before = {path: (array.copy(), array.flags.writeable) for path, array in arrays.items()}
    with pytest.raises((ValueError, TypeError)) as info:
        function(**kwargs)
    error = info.value
    assert not isinstance(error, (np.linalg.LinAlgError, emlab.CollapseError)), repr(error)
    assert re.search(rf"(?<![\w.]){re.escape(argument)}(?!\w)", str(error)), \
        f"message does not name {argument!r}: {error}"
    for path, array in arrays.items():
        np.testing.assert_array_equal(array, before[path][0], err_msg=f"{path} was modified")
        assert array.flags.writeable == before[path][1], f"{path} changed writeability"


def test_nearly_singular_covariances_never_give_a_linalg_error():
    """Matrices whose computed smallest eigenvalue is a rounding error, of either sign:
    some pass the eigenvalue check but fail Cholesky (about 1 in 8 of these on this machine)."""
    rng = np.random.default_rng(0)
    for _ in range(200):
        d = int(rng.integers(2, 30))
        rotation, _ = np.linalg.qr(rng.normal(size=(d, d)))
        eigenvalues = 10 ** rng.uniform(-2, 2, size=d)
        eigenvalues[0] = 10 ** rng.uniform(-18, -14)
        cov = (rotation * eigenvalues) @ rotation.T
        cov = (cov + cov.T) / 2
        try:
            gaussian.Params([1.0], [np.zeros(d)], [cov])
        except ValueError as error:
            assert not isinstance(error, np.linalg.LinAlgError), repr(error)
            assert "covariances[0] must be positive definite" in str(error)


# ---------------------------------------------------------------- successful calls keep arrays intact

def successful_calls():
    x2, xp, xc = X2.copy(), XP.copy(), XC.copy()
    weights, means, covariances = np.array([0.4, 0.6]), np.array([[0.0, 0.0], [1.0, 1.0]]), np.stack([I2, 2 * I2])
    labels = np.array([0, -1, -1, 1, -1, -1])
    resp = np.random.default_rng(1).dirichlet([1, 1], size=20)
    q = np.random.default_rng(2).dirichlet([1, 1], size=6)
    psi = 0.5 * I2
    return [
        (gaussian.Params, dict(weights=weights, means=means, covariances=covariances)),
        (poisson.Params, dict(weights=weights, rates=np.array([1.0, 4.0]))),
        (coins.Params, dict(weights=weights, p=np.array([0.3, 0.8]))),
        (emlab.e_step, dict(model=gaussian, x=x2, params=GP)),
        (emlab.log_likelihood, dict(model=poisson, x=xp, params=PP)),
        (emlab.run_em, dict(model=gaussian, x=x2, params=GP, max_iter=5, tol=0)),
        (emlab.run_em, dict(model=poisson, x=xp, params=PP, labels=labels, max_iter=5, tol=0)),
        (emlab.run_em, dict(model=coins, x=xc, params=CP, max_iter=5, tol=0, learn_weights=False)),
        (gaussian.m_step, dict(x=x2, resp=resp, reg_covar=1e-3)),
        (gaussian.m_step, dict(x=x2, resp=resp, covariance_prior=(psi, 3.0))),
        (poisson.m_step, dict(x=xp, resp=resp[:6])),
        (coins.m_step, dict(x=xc, resp=resp[:5])),
        (emlab.elbo, dict(model=poisson, x=xp, params=PP, q=q)),
        (emlab.kl, dict(q=q, p=q[::-1])),
        (gaussian.init_random, dict(x=x2, k=2, rng=0)),
        (gaussian.init_kmeans, dict(x=x2, k=2, rng=0)),
    ]


@pytest.mark.parametrize("function, kwargs", successful_calls(),
                         ids=[f"{f.__module__.split('.')[-1]}.{f.__qualname__}-{i}"
                              for i, (f, _) in enumerate(successful_calls())])
def test_successful_calls_leave_the_callers_arrays_alone(function, kwargs):
    arrays = arrays_in(kwargs)
    before = {path: array.copy() for path, array in arrays.items()}
    result = function(**kwargs)
    for path, array in arrays.items():
        np.testing.assert_array_equal(array, before[path], err_msg=f"{path} was modified")
        assert array.flags.writeable, f"{path} was frozen"
    # nothing returned is a view of a caller's array
    returned = list(result) if isinstance(result, tuple) else [result]
    if hasattr(result, "__dict__"):                     # Params, History
        returned = list(vars(result).values())
    for value in returned:
        if isinstance(value, np.ndarray):
            for path, array in arrays.items():
                assert not np.shares_memory(value, array), f"the result shares memory with {path}"


def test_history_holds_a_copy_of_x():
    x = X2.copy()
    history = emlab.run_em(gaussian, x, GP, max_iter=2, tol=0)
    assert not np.shares_memory(history.x, x)
    x[0, 0] = 1e9                                 # the caller may change x afterwards
    assert history.x[0, 0] == X2[0, 0]


def test_params_are_read_only_copies():
    weights = np.array([0.5, 0.5])
    params = poisson.Params(weights, np.array([1.0, 2.0]))
    with pytest.raises(ValueError):
        params.rates[0] = 5.0
    weights[0] = 0.9
    assert params.weights[0] == 0.5
    with pytest.raises(AttributeError):
        params.weights = np.array([0.1, 0.9])
    assert copy.deepcopy(params).rates.tolist() == [1.0, 2.0]
