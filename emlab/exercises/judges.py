"""The judges of the step checkers: what is wrong with one answer, in words.

A judge ``judge(problem, value, results)`` returns None when ``value`` is the reference's
answer, else one line.  Shapes and types are described as they are; a mistake is *named*
(forgot the mixing weights, divided by n instead of N_j, ...) only when the answer that
mistake gives on this problem reproduces ``value`` and is distinct from the right answer
(``report.which_mistake``), else the first difference is shown (``report.Unnamed``).  The
mistakes are computed through the checker's reference where they can be (a mistake in the
parameters the reference is called with), so they keep their names under a variant's
``reference`` or the M-step's options.
"""
import dataclasses

import numpy as np
from scipy.special import logsumexp, softmax

from .report import (Unnamed, attempt, close, describe, distinct, field_names, got_expected, is_number, orders,
                     which_mistake, worst)


# ------------------------------------------------------------------ mistakes in log p(x_i, z_i = j)

def variance_fields(params):
    """The fields holding variances or covariances (by their names: "cov", "var")."""
    return [name for name in field_names(params) if "cov" in name or "var" in name]


def matrix_power(a, power):
    """Elementwise for variances, through the eigendecomposition for (k, d, d) covariances."""
    a = np.asarray(a, dtype=float)
    if a.ndim < 3:
        return a ** power
    eig, vec = np.linalg.eigh(a)
    return (vec * eig[..., None, :] ** power) @ vec.transpose(0, 2, 1)


VARIANCE_MISTAKES = [
    ("a standard deviation where a variance belongs (the covariances match Sigma_j's square root)", 0.5),
    ("a variance where a standard deviation belongs (scipy.stats.norm's scale is the standard "
     "deviation, sqrt of the variance)", 2),
    ("the precision Sigma_j^-1 where the covariance Sigma_j belongs", -1)]


def log_joint_variants(model, x, params):
    """``(log_joint, [(mistake, its log joint, its params or None)])``: the mistakes that change
    ``log p(x_i, z_i = j)``; "its params" give the same responsibilities through any E-step."""
    log_joint = np.asarray(model.log_joint(x, params), dtype=float)
    with np.errstate(divide="ignore"):
        log_pi = np.log(np.asarray(params.weights, dtype=float))
    variants = []
    if np.ptp(log_pi) > 0:
        variants += [("forgot the mixing weights pi_j", log_joint - log_pi, _reweighted(params, 0 * log_pi)),
                     ("used the mixing weights twice (log pi_j added twice)", log_joint + log_pi,
                      _reweighted(params, 2 * log_pi))]
    for field in variance_fields(params):
        variances = np.asarray(getattr(params, field), dtype=float)
        for mistake, power in VARIANCE_MISTAKES:
            try:
                wrong = dataclasses.replace(params, **{field: matrix_power(variances, power)})
                variants.append((mistake, model.log_joint(x, wrong), wrong))
            except Exception:             # not a valid Params (or not a dataclass): no such mistake
                pass
        if variances.ndim == 3:
            half = 0.5 * np.linalg.slogdet(variances)[1]          # 1/2 log |Sigma_j| = sum_d log L_j,dd
            variants += [("forgot the term -1/2 log |Sigma_j| of the Gaussian density",
                          log_joint + half, _reweighted(params, log_pi + half)),
                         ("subtracted log |Sigma_j| where -1/2 log |Sigma_j| belongs (sum_d log L_j,dd "
                          "of the Cholesky factor is already 1/2 log |Sigma_j|)",
                          log_joint - half, _reweighted(params, log_pi - half))]
    return log_joint, variants


def _reweighted(params, log_weights):
    """params with weights proportional to exp(log_weights): a shift of log p(x_i, z_i = j) by
    a constant per component gives the same responsibilities as these weights."""
    try:
        return dataclasses.replace(params, weights=softmax(log_weights))
    except Exception:
        return None


# ------------------------------------------------------------------ E-step

def judge_resp(problem, value, results):
    expected = problem.answer
    n, k = expected.shape
    if not isinstance(value, np.ndarray):
        if isinstance(value, tuple) and value and isinstance(value[0], np.ndarray):
            return (f"wrong type: returned {describe(value)}; return only resp, an array of "
                    f"shape (n, k) = {expected.shape}")
        return (f"wrong type: returned {describe(value)}, expected a numpy array resp of shape "
                f"(n, k) = {expected.shape}")
    if value.dtype.kind not in "iuf":
        return f"wrong type: returned an array of dtype {value.dtype}, expected floats"
    if value.shape != expected.shape:
        if value.shape == (k, n) and close(value.T, expected):
            return (f"wrong shape {value.shape}: resp is transposed, expected (n, k) = {expected.shape}: "
                    "one row per point, one column per component")
        return f"wrong shape: returned {value.shape}, expected (n, k) = {expected.shape}"
    bad = ~np.isfinite(value)
    if np.any(bad):
        i = int(np.argmax(bad.any(axis=1)))
        if problem.context.get("far"):
            return (f"nan/inf in resp row {i}, a point far from every component: p(x_i, z_i = j) "
                    "underflows to 0 for every j and 0/0 = nan; stay in logs (subtract "
                    "logsumexp_j log p(x_i, z_i = j), then exp)")
        return f"nan/inf in resp row {i}"
    if close(value, expected):
        return None
    log_joint = problem.context["log_joint"]
    sums = value.sum(axis=1)
    if not close(sums, np.ones(n)):
        if problem.context.get("far") and close(sums[:-1], np.ones(n - 1)):
            return (f"rows not summing to 1: row {n - 1}, a point far from every component, sums "
                    f"to {sums[-1]:.4g}: p(x_i, z_i = j) underflows to 0 there; stay in logs "
                    "(subtract logsumexp_j log p(x_i, z_i = j), then exp)")
        if close(np.exp(value), expected):
            return "returned log responsibilities: exponentiate them (rows not summing to 1)"
        mistake = which_mistake(value, expected, [
            ("normalised over the points (each column sums to 1) instead of over the components: "
             "rows not summing to 1", softmax(log_joint, axis=0)),
            ("rows not summing to 1: that is p(x_i, z_i = j); divide each row by "
             "p(x_i) = sum_j p(x_i, z_i = j)", np.exp(log_joint))])
        if mistake:
            return mistake
        i = int(np.argmax(np.abs(sums - 1)))
        return f"rows not summing to 1: row {i} sums to {sums[i]:.4g}"
    if (np.all((value == 0) | (value == 1)) and not np.all((expected == 0) | (expected == 1))
            and distinct(value, expected)):
        return ("hard 0/1 assignments: r_ij is the posterior probability p(z_i = j | x_i), "
                "soft, between 0 and 1")
    mistake = which_mistake(value, expected, _resp_variants(problem, log_joint, k))
    return mistake or Unnamed(f"differs from the reference at resp{worst(value, expected)}")


def _resp_variants(problem, log_joint, k):
    x, params = problem.args[:2]
    reference = problem.context.get("reference")        # None: emlab's E-step
    variants = [("normalised the logs log p(x_i, z_i = j) themselves: exponentiate first, "
                 "r_ij = exp(a_ij - logsumexp_j a_ij)", log_joint / log_joint.sum(axis=1, keepdims=True))]
    if reference is not None:
        variants.append((problem.context["ordinary"], softmax(log_joint, axis=1)))
    for mistake, wrong_log_joint, wrong_params in problem.context["variants"]:
        if reference is None:
            variants.append((mistake, softmax(wrong_log_joint, axis=1)))
        elif wrong_params is not None:
            variants.append((mistake, attempt(reference, x, wrong_params, *problem.args[2:])))
    variants += [("components in the wrong order: column j of resp must belong to component j of params",
                  problem.answer[:, order]) for order in orders(k)]
    return variants


# ------------------------------------------------------------------ log-likelihood and ELBO

def _judge_number(problem, value, results, variants, quantity):
    """Shared by the log-likelihood and the ELBO: one float, compared with structural variants."""
    expected = problem.answer
    if isinstance(value, np.ndarray) and value.ndim > 0:
        n = len(problem.args[0])
        if value.shape == (n,):
            return (f"wrong type: returned one value per point (an array of shape {value.shape}), "
                    "expected one number: sum over the points")
        return f"wrong type: returned {describe(value)}, expected one number"
    if not is_number(value):
        return f"wrong type: returned {describe(value)}, expected one number (a float)"
    got = float(value)
    if not np.isfinite(got):
        if problem.context.get("zeros"):
            return (f"returned {got} where some q_ij = 0: count 0 log 0 as 0 "
                    "(scipy.special.xlogy, or leave those terms out)")
        if problem.context.get("far"):
            return (f"returned {got} at a point far from every component: p(x_i, z_i = j) "
                    "underflows to 0 there and log 0 = -inf; stay in logs (log_joint, logsumexp)")
        return f"returned {got}"
    if close(got, expected):
        return None
    n = len(problem.args[0])
    mistake = which_mistake(got, expected, [("averaged over the points instead of summing", expected / n),
                                            *variants])
    if mistake:
        return mistake
    offset = got - expected
    for other, outcome in results:          # the same offset where only the parameters differ
        if (other is not problem and distinct(other.answer, expected)
                and np.array_equal(other.args[0], problem.args[0]) and is_number(outcome.value)
                and np.isfinite(float(outcome.value)) and distinct(offset, 0)
                and close(float(outcome.value) - other.answer, offset)):
            return (f"off by {offset:.4g}, the same for other parameters: a term without "
                    "parameters is missing or extra (log x_i!, log C(m_i, h_i), d/2 log 2 pi, ...)")
    return Unnamed(f"{got_expected(got, expected)} ({quantity})")


def judge_log_likelihood(problem, value, results):
    log_joint = problem.context["log_joint"]
    resp = softmax(log_joint, axis=1)
    variants = [
        ("returned the likelihood p(x), not its log", np.exp(problem.answer)),
        ("used max_j log p(x_i, z_i = j) in place of log sum_j p(x_i, z_i = j)",
         np.sum(np.max(log_joint, axis=1))),
        ("returned the expected complete-data log-likelihood sum_ij r_ij log p(x_i, z_i = j), "
         "not log p(x)", np.sum(np.where(resp > 0, resp * log_joint, 0.0))),
        ("took the log-sum-exp over the points instead of over the components",
         np.sum(logsumexp(log_joint, axis=0))),
        ("took the log of the sum over all points: the log goes inside the sum over i, "
         "sum_i log p(x_i)", logsumexp(log_joint)),
        *[(mistake, np.sum(logsumexp(wrong, axis=1))) for mistake, wrong, _ in problem.context["variants"]]]
    return _judge_number(problem, value, results, variants, "sum_i log p(x_i)")


def judge_elbo(problem, value, results):
    q = problem.args[2]
    log_joint = problem.context["log_joint"]

    def expected_log(joint, q=q):                # sum_ij q_ij log p(x_i, z_i = j), 0 where q = 0
        return np.sum(np.where(q > 0, q * joint, 0.0))

    with np.errstate(divide="ignore"):
        entropy = -np.sum(np.where(q > 0, q * np.log(np.where(q > 0, q, 1.0)), 0.0))
    log_px = np.sum(logsumexp(log_joint, axis=1))
    kl = log_px - problem.answer
    variants = [
        ("missing the entropy term -sum_ij q_ij log q_ij", expected_log(log_joint)),
        ("the entropy term has the wrong sign: L = sum_ij q_ij (log p(x_i, z_i = j) - log q_ij)",
         expected_log(log_joint) - entropy),
        ("ignores q: returned the log-likelihood log p(x), which equals the ELBO only when q is "
         "the posterior", log_px),
        ("returned KL(q || p(z | x)) = log p(x) - L(q, theta), not the ELBO", kl),
        ("returned -KL(q || p(z | x)), not the ELBO L(q, theta) = log p(x) - KL", -kl),
        *[(mistake, expected_log(wrong) + entropy) for mistake, wrong, _ in problem.context["variants"]],
        *[("components in the wrong order: column j of q belongs to component j of params",
           expected_log(log_joint, q[:, order]) + entropy) for order in orders(q.shape[1])]]
    return _judge_number(problem, value, results, variants, "sum_ij q_ij (log p(x_i, z_i = j) - log q_ij)")


# ------------------------------------------------------------------ weighted mean

def judge_weighted_mean(problem, value, results):
    x, r = problem.args
    expected = problem.answer
    if x.ndim == 1:
        if isinstance(value, np.ndarray) and value.shape == x.shape:
            if close(value, r * x):
                return (f"wrong shape {value.shape}: forgot to sum over the points, returned r_i x_i "
                        "for each point")
            return f"wrong shape: returned one value per point (shape {value.shape}), expected one number"
        if not is_number(value):
            return f"wrong type: returned {describe(value)}, expected one number"
        value = float(value)
    else:
        want = expected.shape
        if not isinstance(value, np.ndarray):
            return f"wrong type: returned {describe(value)}, expected a numpy array of shape (d,) = {want}"
        if value.shape == x.shape:
            return (f"wrong shape {value.shape}: forgot to sum over the points (axis 0), "
                    f"expected (d,) = {want}")
        if value.shape == (len(x),):
            return (f"wrong shape {value.shape}: summed over the wrong axis; sum over the points "
                    f"(axis 0), expected (d,) = {want}")
        if value.shape != want:
            return f"wrong shape: returned {value.shape}, expected (d,) = {want}"
        if value.dtype.kind not in "iuf":
            return f"wrong type: returned an array of dtype {value.dtype}, expected floats"
    if not np.all(np.isfinite(value)):
        return "returned nan/inf"
    if close(value, expected):
        return None
    weighted = r @ x
    mistake = which_mistake(value, expected, [
        ("divided by n instead of N = sum_i r_i", weighted / len(x)),
        ("forgot to divide by N = sum_i r_i", weighted),
        ("ignored the weights r: that is the plain mean of x", x.mean(axis=0)),
        ("summed x without weighting it by r", x.sum(axis=0) / r.sum())])
    if mistake:
        return mistake
    if np.ndim(value) == 0:
        return Unnamed(got_expected(value, expected))
    return Unnamed(f"differs from the reference at {worst(value, expected)}")
