"""emlab.exercises, the M-step checker on the built-in models: right answers written in
different ways pass; wrong ones are named where the answer is what the mistake gives, under
the options (covariance_type, reg_covar, covariance_prior, beta_prior) and a variant's
reference too; the full-covariance M-step of the Gaussian (Bishop eqs. 9.24-9.27) included.
Mistakes whose diagnosis depends on the model's problems are tried on every model; those of
type or shape on one.
"""
import numpy as np
import pytest

import emlab
from emlab import bernoulli, coins, exercises, gaussian, poisson

from test_exercises import MODEL_IDS, MODELS, assert_passed, assert_rejected


def fields(model, weights, stat):
    """``model.Params`` from the weights and the model's other statistic(s)."""
    if model is gaussian:
        return gaussian.Params(weights, *stat)
    if model is coins:
        return coins.Params(weights, stat)
    if model is poisson:
        return poisson.Params(weights, stat)
    return bernoulli.Params(weights, stat)


def textbook_m_step(model, x, resp, divide_by=None, weights=None):
    """The closed-form M-step written out; ``divide_by`` (k,) replaces N_j where sums are
    divided by it (for the Gaussian, in the covariances), ``weights`` replaces N_j / n: the
    two places students go wrong."""
    nk = resp.sum(axis=0)
    divide_by = nk if divide_by is None else divide_by
    weights = nk / len(x) if weights is None else weights
    if model is coins:
        return fields(model, weights, (resp.T @ x[:, 0]) / (resp.T @ x.sum(axis=1)))
    if model is gaussian:
        means = resp.T @ x / nk[:, None]
        covs = np.stack([(resp[:, j, None] * (x - means[j])).T @ (x - means[j]) / divide_by[j]
                         for j in range(len(nk))])
        return fields(model, weights, (means, covs))
    stat = resp.T @ x / (divide_by if model is poisson else divide_by[:, None])
    return fields(model, weights, stat)


# ------------------------------------------------------------------ M-step

def m_step_loops(model):
    """Component by component, point by point."""
    def m_step(x, resp):
        n, k = resp.shape
        nk = [sum(resp[i, j] for i in range(n)) for j in range(k)]
        weights = np.array(nk) / n
        if model is coins:
            return coins.Params(weights, [sum(resp[i, j] * x[i, 0] for i in range(n))
                                          / sum(resp[i, j] * (x[i, 0] + x[i, 1]) for i in range(n))
                                          for j in range(k)])
        means = [sum(resp[i, j] * x[i] for i in range(n)) / nk[j] for j in range(k)]
        if model is gaussian:
            covs = [sum(resp[i, j] * np.outer(x[i] - means[j], x[i] - means[j]) for i in range(n)) / nk[j]
                    for j in range(k)]
            return gaussian.Params(weights, means, covs)
        return fields(model, weights, np.array(means))
    return m_step


def m_step_numpy_average(model):
    """np.average and np.cov with weights."""
    def m_step(x, resp):
        weights = resp.mean(axis=0)
        k = resp.shape[1]
        if model is coins:
            tosses = x.sum(axis=1)          # p_j: the share of heads, each trial weighted by r_ij m_i
            return coins.Params(weights, [np.average(x[:, 0] / tosses, weights=resp[:, j] * tosses)
                                          for j in range(k)])
        means = np.array([np.average(x, axis=0, weights=resp[:, j]) for j in range(k)])
        if model is gaussian:
            covs = [np.atleast_2d(np.cov(x, rowvar=False, aweights=resp[:, j], bias=True)) for j in range(k)]
            return gaussian.Params(weights, means, covs)
        return fields(model, weights, means)
    return m_step


def m_step_textbook(model):
    return lambda x, resp: textbook_m_step(model, x, resp)


def m_step_emlab(model):
    return model.m_step


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
@pytest.mark.parametrize("right", [m_step_loops, m_step_numpy_average, m_step_textbook, m_step_emlab])
def test_m_step_right_answers_pass(capsys, model, right):
    assert_passed(capsys, exercises.check_m_step(model, right(model)))


def wrong_m_step(model, mistake):
    def m_step(x, resp):
        n, k = resp.shape
        nk = resp.sum(axis=0)
        if mistake == "divided by n":
            return textbook_m_step(model, x, resp, divide_by=np.full(k, n))
        if mistake == "not divided":
            return textbook_m_step(model, x, resp, divide_by=np.ones(k))
        if mistake == "N - 1":
            return textbook_m_step(model, x, resp, divide_by=nk - 1)
        if mistake == "weights kept":
            return textbook_m_step(model, x, resp, weights=np.full(k, 1 / k))
        if mistake == "weights N":
            return textbook_m_step(model, x, resp, weights=nk)
        if mistake == "weights n - 1":
            return textbook_m_step(model, x, resp, weights=nk / (n - 1))
        if mistake == "weights off by one":
            return textbook_m_step(model, x, resp, weights=(nk + 1) / (n + k))
        if mistake == "reversed":
            return textbook_m_step(model, x, resp[:, ::-1])
        if mistake == "array":
            params = textbook_m_step(model, x, resp)
            return np.concatenate([np.ravel(getattr(params, f)) for f in ("weights",)] + [nk])
        if mistake == "tuple":
            return nk / n, resp.T @ x
        if mistake == "mutates resp":
            resp /= nk
            return textbook_m_step(model, x, resp * nk)
        if mistake == "mutates x":
            params = textbook_m_step(model, x, resp)
            x += 1
            return params
        if mistake == "transposed resp":
            return resp @ x
        if mistake == "other model":
            return emlab.coins.Params(nk / n, np.full(k, 0.5)) if model is not coins \
                else emlab.poisson.Params(nk / n, np.full(k, 2.0))
        if mistake == "no return":
            textbook_m_step(model, x, resp)
            return None
        raise AssertionError(mistake)
    return m_step


M_STEP_MISTAKES = [
    ("divided by n", ["divided by n instead of N_j"], (poisson, gaussian, bernoulli)),
    ("not divided", ["forgot to divide", "by N_j"], (poisson, gaussian)),
    ("N - 1", ["divided by N_j - 1 instead of N_j", "covariances"], (gaussian,)),
    ("weights kept", ["did not update the mixing weights"], MODELS),
    ("weights off by one", ["mixing weights off by one"], MODELS),
    ("reversed", ["components in the wrong order"], MODELS),
]
M_STEP_CASES = [(model, mistake, words) for mistake, words, models in M_STEP_MISTAKES
                for model in MODELS if model in models]
# Diagnosed from the answer's type or the arguments: the same for every model.
M_STEP_SHAPES = [
    ("weights N", ["fails validation", "weights must sum to 1"]),
    ("array", ["wrong type", "numpy array", "Params("]),
    ("tuple", ["wrong type", "tuple"]),
    ("mutates resp", ["changed its input resp"]),
    ("mutates x", ["changed its input x"]),
    ("transposed resp", ["raised ValueError", "matmul"]),
    ("other model", ["wrong type", "Params"]),
    ("no return", ["returned None: is the return statement missing?"]),
]


@pytest.mark.parametrize("model, mistake, words", M_STEP_CASES,
                         ids=[f"{m.__name__[6:]}-{mistake}" for m, mistake, _ in M_STEP_CASES])
def test_m_step_mistakes_are_named(capsys, model, mistake, words):
    assert_rejected(capsys, exercises.check_m_step(model, wrong_m_step(model, mistake)), words)


@pytest.mark.parametrize("mistake, words", M_STEP_SHAPES, ids=[m for m, _ in M_STEP_SHAPES])
def test_m_step_shape_mistakes_are_named(capsys, mistake, words):
    assert_rejected(capsys, exercises.check_m_step(poisson, wrong_m_step(poisson, mistake)), words)


def test_m_step_weights_over_the_wrong_axis_blame_the_weights(capsys):
    """Weights summed over the components (one per point): the line names weights, not p (issue 18)."""
    def m_step(x, resp):
        nk = resp.sum(axis=1)
        return coins.Params(nk / nk.sum(), (resp.T @ x[:, 0]) / (resp.T @ x.sum(axis=1)))
    assert_rejected(capsys, exercises.check_m_step(coins, m_step),
                    ["the Params it builds has weights of shape (8,), expected (2,)", "sum over the points"])


def full_covariance_m_step(mistake=None, reg_covar=0.0, prior=None):
    """Bishop eqs. 9.24-9.27 written out per component, with one planted mistake."""
    def m_step(x, resp):
        n, d = x.shape
        nk = resp.sum(axis=0)
        means = resp.T @ x / nk[:, None]
        covariances = []
        for j in range(len(nk)):
            centre = {"old mean": x.mean(axis=0), "not centred": np.zeros(d)}.get(mistake, means[j])
            diff = x - centre
            if mistake == "elementwise":
                scatter = np.diag(resp[:, j] @ diff ** 2)
            else:
                scatter = sum(resp[i, j] * np.outer(diff[i], diff[i]) for i in range(n))
            count = n if mistake == "divided by n" else nk[j]
            if prior is not None:
                psi, nu = prior
                cov = (psi * (mistake != "no psi") + scatter) / (count + nu + (d + 1) * (mistake != "no d + 1"))
            elif mistake == "reg before":
                cov = (scatter + reg_covar * np.eye(d)) / count
            elif mistake == "reg everywhere":
                cov = scatter / count + reg_covar
            else:
                cov = scatter / count + reg_covar * np.eye(d)
            covariances.append(cov)
        return gaussian.Params(nk / n, means, covariances)
    return m_step


def test_full_covariance_m_step(capsys):
    """The exercise of notebook 03: Sigma_j = sum_i r_ij (x_i - mu_j)(x_i - mu_j)^T / N_j."""
    assert_passed(capsys, exercises.check_m_step(gaussian, full_covariance_m_step()))
    cases = [("divided by n", ["divided by n instead of N_j (in covariances)"]),
             ("not centred", ["forgot to centre"]),
             ("old mean", ["centred at the mean of all the points"]),
             ("elementwise", ["squared (x_i - mu_j) elementwise", "outer product"])]
    for mistake, words in cases:
        assert_rejected(capsys, exercises.check_m_step(gaussian, full_covariance_m_step(mistake)), words)


def test_m_step_options_keep_their_names(capsys):
    """reg_covar, covariance_prior and beta_prior: the mistakes in their formulas are named."""
    reg = 0.1
    assert_passed(capsys, exercises.check_m_step(gaussian, full_covariance_m_step(reg_covar=reg), reg_covar=reg))
    for mistake, words in [("divided by n", ["divided by n instead of N_j"]),
                           ("reg before", ["added reg_covar before dividing by N_j"]),
                           ("reg everywhere", ["added reg_covar to every entry"]),
                           ("not centred", ["forgot to centre"])]:
        assert_rejected(capsys, exercises.check_m_step(gaussian, full_covariance_m_step(mistake, reg_covar=reg),
                                                       reg_covar=reg), words)
    assert_rejected(capsys, exercises.check_m_step(gaussian, full_covariance_m_step(), reg_covar=reg),
                    ["ignores the option(s) reg_covar=0.1"])
    prior = (0.5 * np.eye(2), 4.0)
    assert_passed(capsys, exercises.check_m_step(gaussian, full_covariance_m_step(prior=prior),
                                                 covariance_prior=prior))
    for mistake, words in [("divided by n", ["divided by n instead of N_j"]), ("no d + 1", ["forgot d + 1"]),
                           ("no psi", ["forgot psi in the numerator"])]:
        assert_rejected(capsys, exercises.check_m_step(gaussian, full_covariance_m_step(mistake, prior=prior),
                                                       covariance_prior=prior), words)


def beta_map_m_step(mistake=None, a=2.0, b=2.0):
    """mu_jd = (sum_i r_ij x_id + a - 1) / (N_j + a + b - 2), with one planted mistake."""
    def m_step(x, resp):
        n = len(x)
        nk = resp.sum(axis=0)
        heads = resp.T @ x
        if mistake == "divided by n":
            means = (heads + a - 1) / (n + a + b - 2)
        elif mistake == "pseudo-counts":
            means = (heads + a) / (nk + a + b)[:, None]
        elif mistake == "numerator only":
            means = (heads + a - 1) / nk[:, None]
        elif mistake == "no prior":
            means = heads / nk[:, None]
        else:
            means = (heads + a - 1) / (nk + a + b - 2)[:, None]
        return bernoulli.Params(nk / n, means)
    return m_step


def test_m_step_beta_prior_keeps_its_names(capsys):
    assert_passed(capsys, exercises.check_m_step(bernoulli, beta_map_m_step(), beta_prior=(2, 2)))
    for mistake, words in [("divided by n", ["divided by n + a + b - 2 instead of N_j + a + b - 2"]),
                           ("pseudo-counts", ["pseudo-counts a and b where a - 1 and b - 1 belong"]),
                           ("numerator only", ["the prior only in the numerator"]),
                           ("no prior", ["ignores the option(s) beta_prior=(2, 2)"])]:
        assert_rejected(capsys, exercises.check_m_step(bernoulli, beta_map_m_step(mistake), beta_prior=(2, 2)),
                        words)


def test_m_step_standard_deviation_where_a_variance_belongs(capsys):
    def m_step(x, resp):
        nk = resp.sum(axis=0)
        means = resp.T @ x / nk[:, None]
        sds = [np.sqrt(resp[:, j] @ (x - means[j]) ** 2 / nk[j]) for j in range(len(nk))]
        return gaussian.Params(nk / len(x), means, [np.diag(s) for s in sds])
    assert_rejected(capsys, exercises.check_m_step(gaussian, m_step, covariance_type="diag"),
                    ["a standard deviation where a variance belongs", "covariances"])


def test_m_step_coins_heads_per_trial_fails_validation(capsys):
    """p_j = expected heads / N_j (per trial, not per toss) is not a probability."""
    def m_step(x, resp):
        nk = resp.sum(axis=0)
        return coins.Params(nk / len(x), resp.T @ x[:, 0] / nk)
    assert_rejected(capsys, exercises.check_m_step(coins, m_step),
                    ["fails validation", "p must lie in [0, 1]"])


def test_m_step_poisson_unweighted_mean_is_reported_where_it_differs(capsys):
    def m_step(x, resp):
        nk = resp.sum(axis=0)
        return poisson.Params(nk / len(x), np.full(resp.shape[1], x.mean()))
    assert_rejected(capsys, exercises.check_m_step(poisson, m_step),
                    ["rates differs from the reference", "rates[", "[problem 'typical'"])


def test_m_step_with_a_reference_of_its_own(capsys):
    """A Poisson mixture with rate 0 held fixed at 1, and coins with fixed equal weights."""
    def fixed_rate(index):
        def m_step(x, resp):
            nk = resp.sum(axis=0)
            rates = resp.T @ x / nk
            rates[index] = 1.0
            return poisson.Params(nk / len(x), rates)
        return m_step

    def divided_by_n(x, resp):
        nk = resp.sum(axis=0)
        return poisson.Params(nk / len(x), np.r_[1.0, (resp.T @ x / len(x))[1:]])
    reference = fixed_rate(0)
    assert_passed(capsys, exercises.check_m_step(poisson, fixed_rate(0), reference=reference))
    assert_rejected(capsys, exercises.check_m_step(poisson, poisson.m_step, reference=reference),
                    ["returned poisson.m_step(x, resp), the M-step without this variant's change"])
    # the wrong rate held fixed is not "components in the wrong order" (issue 18)
    assert_rejected(capsys, exercises.check_m_step(poisson, fixed_rate(-1), reference=reference),
                    ["rates differs from the reference at rates[", "[problem 'typical'"])
    assert_rejected(capsys, exercises.check_m_step(poisson, divided_by_n, reference=reference),
                    ["divided by n instead of N_j = sum_i r_ij (in rates)"])

    def equal_weights(x, resp):
        return coins.Params(np.full(resp.shape[1], 1 / resp.shape[1]), coins.m_step(x, resp).p)
    assert_passed(capsys, exercises.check_m_step(coins, equal_weights, reference=equal_weights))
    assert_rejected(capsys, exercises.check_m_step(coins, lambda x, r: equal_weights(x, r[:, ::-1]),
                                                   reference=equal_weights), ["components in the wrong order"])


def test_m_step_diagonal_covariances(capsys):
    def diag_m_step(x, resp):
        nk = resp.sum(axis=0)
        means = resp.T @ x / nk[:, None]
        variances = [resp[:, j] @ (x - means[j]) ** 2 / nk[j] for j in range(len(nk))]
        return gaussian.Params(nk / len(x), means, [np.diag(v) for v in variances])
    assert_passed(capsys, exercises.check_m_step(gaussian, diag_m_step, covariance_type="diag"))
    assert_rejected(capsys, exercises.check_m_step(gaussian, m_step_textbook(gaussian), covariance_type="diag"),
                    ["ignores the option(s) covariance_type='diag'"])


def test_m_step_unknown_option_is_the_callers_error():
    with pytest.raises(TypeError, match="does not take the option"):
        exercises.check_m_step(poisson, poisson.m_step, covariance_type="diag")
    with pytest.raises(TypeError, match="either a reference or m_step options"):
        exercises.check_m_step(gaussian, gaussian.m_step, reference=gaussian.m_step, reg_covar=0.1)
