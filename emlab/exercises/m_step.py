"""The judge of an M-step: which Params a student's ``fn(x, resp)`` returned, in words.

Besides shapes and types, mistakes with names: components in the wrong order (through the
checker's reference with the columns of resp permuted), the options or the variant ignored,
the mixing weights not updated or off by one, a field divided by n (or not divided) instead of
N_j = sum_i r_ij, a standard deviation for a variance, and the mistakes in the covariance of
the Gaussian (Bishop eq. 9.25, with the options reg_covar and covariance_prior) and in the
Beta-prior mean of the Bernoulli (the option beta_prior).  As every judge, it names a mistake
only where that mistake's answer reproduces the student's and is distinct from the right one.
"""
import dataclasses

import numpy as np

from .judges import variance_fields
from .report import (Unnamed, attempt, close, describe, distinct, error_text, field_names, orders, which_mistake,
                     worst)


def m_step_judge(model, options, reference, ordinary):
    """The judge of an M-step returning ``model.Params``.  ``reference(x, resp)`` is the
    checker's; ``ordinary`` the mistake's name for "returned ``model.m_step`` without the
    options / the variant" (None when the reference is ``model.m_step`` itself)."""
    params_type = model.Params
    spelled = f"{getattr(model, '__name__', 'model').rpartition('.')[2]}.Params"
    if dataclasses.is_dataclass(params_type):
        spelled += f"({', '.join(f.name for f in dataclasses.fields(params_type) if f.init)})"

    def judge(problem, value, results):
        x, resp = problem.args
        expected = problem.answer
        fields = field_names(expected)

        def vector(params):
            return np.concatenate([np.ravel(np.asarray(getattr(params, f), dtype=float)) for f in fields])
        if not isinstance(value, params_type):
            return f"wrong type: returned {describe(value)}, expected {spelled}"
        try:
            if dataclasses.is_dataclass(value):
                value = dataclasses.replace(value)      # builds it again, checking every field
        except Exception as exc:
            return f"returned a Params that fails validation: {error_text(exc, with_type=False)}"
        missing = [f for f in fields if not hasattr(value, f)]
        if missing:
            return f"wrong type: the Params returned has no {', '.join(missing)}"
        got_k, want_k = len(value.weights), len(expected.weights)
        if got_k != want_k:
            return f"wrong number of components: returned k = {got_k}, expected k = {want_k}"
        for field in fields:
            got, want = np.shape(getattr(value, field)), np.shape(getattr(expected, field))
            if got != want:
                return f"wrong shape: {field} has shape {got}, expected {want}"
        if close(vector(value), vector(expected)):
            return None
        nk, n = resp.sum(axis=0), len(resp)
        whole = [("components in the wrong order: component j must use column j of resp",
                  attempt(reference, x, resp[:, order])) for order in orders(want_k)]
        if ordinary:
            whole.append((ordinary, attempt(model.m_step, x, resp)))
        whole = [(m, vector(p)) for m, p in whole if isinstance(p, params_type)]
        weights = [("did not update the mixing weights: pi_j = N_j / n with N_j = sum_i r_ij",
                    np.full(want_k, 1 / want_k)),
                   ("mixing weights off by one: (N_j + 1) / (n + k) instead of N_j / n", (nk + 1) / (n + want_k))]
        whole += [(m, vector(_Fields(expected, weights=w))) for m, w in weights]
        whole += [(m, vector(_Fields(expected, **changed)))
                  for m, changed in formula_mistakes(x, resp, expected, options)]
        mistake = which_mistake(vector(value), vector(expected), whole)
        if mistake:
            return mistake
        for field in fields:
            got, want = (np.asarray(getattr(p, field), float) for p in (value, expected))
            if close(got, want):
                continue
            factor = _component_factor(got, want)
            if factor is not None:
                same = np.isclose(factor, 1)            # components a variant holds fixed
                mistake = which_mistake(factor, np.ones(want_k), [
                    (m, np.where(same, 1.0, f)) for m, f in (
                        (f"divided by n instead of N_j = sum_i r_ij (in {field})", nk / n),
                        (f"forgot to divide {field} by N_j = sum_i r_ij", nk),
                        (f"divided by N_j - 1 instead of N_j (in {field})",
                         nk / (nk - 1) if np.all(nk > 1) else None)) if f is not None])
                if mistake:
                    return mistake
            if field in variance_fields(expected) and close(_diagonal(got) ** 2, _diagonal(want)) \
                    and distinct(_diagonal(got), _diagonal(want)):
                return f"a standard deviation where a variance belongs: {field} holds square roots"
            return Unnamed(f"{field} differs from the reference at {field}{worst(got, want)}")
        return Unnamed("differs from the reference")

    return judge


class _Fields:
    """A Params' fields with some replaced, unvalidated (a mistake's answer)."""

    def __init__(self, params, **changed):
        self.__dict__.update({name: getattr(params, name) for name in field_names(params)}, **changed)


def formula_mistakes(x, resp, expected, options):
    """[(mistake, {field: its value})]: the mistakes in the Gaussian covariance (Bishop eq. 9.25,
    with the options reg_covar and covariance_prior) and in the Bernoulli mean under the
    option beta_prior (Bishop eq. 9.59 with a Beta prior)."""
    nk, n = resp.sum(axis=0), len(resp)
    given = set(options) - {"covariance_type"}
    mistakes = []
    if given == {"beta_prior"} and hasattr(expected, "means"):
        a, b = options["beta_prior"]
        s = resp.T @ x                                      # sum_i r_ij x_id
        mistakes += [
            ("divided by n + a + b - 2 instead of N_j + a + b - 2, N_j = sum_i r_ij (in means)",
             {"means": (s + a - 1) / (n + a + b - 2)}),
            ("pseudo-counts a and b where a - 1 and b - 1 belong: "
             "mu_jd = (sum_i r_ij x_id + a - 1) / (N_j + a + b - 2)", {"means": (s + a) / (nk + a + b)[:, None]}),
            ("the prior only in the numerator: mu_jd = (sum_i r_ij x_id + a - 1) / (N_j + a + b - 2)",
             {"means": (s + a - 1) / nk[:, None]})]
    if (options.get("covariance_type", "full") != "full" or not given <= {"reg_covar", "covariance_prior"}
            or not hasattr(expected, "covariances") or np.ndim(x) != 2):
        return mistakes
    d = x.shape[1]
    reg = options.get("reg_covar", 0.0) * np.eye(d)
    psi, nu = options.get("covariance_prior", (np.zeros((d, d)), -d - 1))
    psi, count = np.asarray(psi, dtype=float), (nk + nu + d + 1)[:, None, None]

    def scatter(centres):                       # S_j = sum_i r_ij (x_i - c_j)(x_i - c_j)^T
        return np.stack([(r[:, None] * (x - c)).T @ (x - c) for r, c in zip(resp.T, centres)])

    def covariances(s, divide_by=count):
        return {"covariances": (psi + s) / divide_by + reg}
    s = scatter(expected.means)
    mistakes += [
        ("divided by n instead of N_j (in covariances)", covariances(s, n + nu + d + 1)),
        ("forgot to divide covariances by N_j = sum_i r_ij", covariances(s, 1)),
        ("forgot to centre: Sigma_j sums r_ij (x_i - mu_j)(x_i - mu_j)^T around the new mean mu_j, "
         "not r_ij x_i x_i^T", covariances(scatter(np.zeros_like(expected.means)))),
        ("centred at the mean of all the points: centre component j at its new mean "
         "mu_j = sum_i r_ij x_i / N_j", covariances(scatter(np.repeat(x.mean(axis=0)[None], len(nk), axis=0)))),
        ("squared (x_i - mu_j) elementwise, which gives the variances only: the covariance needs the "
         "outer product (x_i - mu_j)(x_i - mu_j)^T", covariances(np.diagonal(s, axis1=1, axis2=2)[:, :, None] * np.eye(d)))]
    if "reg_covar" in given:
        mistakes += [
            ("added reg_covar before dividing by N_j: Sigma_j = S_j / N_j + reg_covar I",
             {"covariances": (psi + s + reg) / count}),
            ("added reg_covar to every entry of Sigma_j; it goes on the diagonal only (+ reg_covar I)",
             {"covariances": (psi + s) / count + options["reg_covar"]})]
    if "covariance_prior" in given:
        mistakes += [
            ("forgot d + 1 in the denominator: Sigma_j = (psi + S_j) / (N_j + nu + d + 1)",
             covariances(s, count - d - 1)),
            ("forgot psi in the numerator: Sigma_j = (psi + S_j) / (N_j + nu + d + 1)",
             {"covariances": s / count + reg})]
    return mistakes


def _component_factor(got, want):
    """c_j with got[j] = c_j * want[j] for every component j, or None when there is none."""
    factors = []
    for g, w in zip(got.reshape(len(got), -1), want.reshape(len(want), -1)):
        nonzero = np.abs(w) > 1e-12
        if not np.any(nonzero) or not close(g[~nonzero], 0 * g[~nonzero]):
            return None
        ratio = g[nonzero] / w[nonzero]
        if not close(ratio, np.full(len(ratio), ratio[0])):
            return None
        factors.append(ratio[0])
    return np.array(factors)


def _diagonal(a):
    return np.diagonal(a, axis1=-2, axis2=-1) if a.ndim >= 3 else a
