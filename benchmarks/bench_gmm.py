"""One EM iteration of emlab against scikit-learn's GaussianMixture, from the same start.

Both run in this one process on the same data; the printed ratio emlab/sklearn per
iteration is what counts (absolute times on a shared machine are noise).
Peak memory: the largest traced allocation (tracemalloc) during each fit.

    python benchmarks/bench_gmm.py          # all cases
    python benchmarks/bench_gmm.py --quick  # the small cases only
"""
import sys
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

import emlab
from emlab import gaussian

CASES = [(2, 3, 10_000), (2, 3, 100_000), (2, 3, 1_000_000), (2, 5, 1_000_000), (10, 5, 100_000)]
ITERATIONS = 10


def problem(d, k, n, seed=0):
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=4.0, size=(k, d))
    a = rng.normal(size=(k, d, d))
    covariances = a @ a.transpose(0, 2, 1) / d + np.eye(d)
    truth = gaussian.Params(np.full(k, 1 / k), means, covariances)
    x, _ = gaussian.sample(truth, n, rng)
    start = gaussian.init_random(x, k, rng)
    return x, start


def fit_emlab(x, start):
    return emlab.run_em(gaussian, x, start, max_iter=ITERATIONS, tol=0)


def fit_sklearn(x, start):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return GaussianMixture(start.k, weights_init=start.weights, means_init=start.means,
                               precisions_init=np.linalg.inv(start.covariances), reg_covar=0,
                               tol=0, max_iter=ITERATIONS).fit(x)


def measure(fit, x, start, repeats):
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fit(x, start)
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    fit(x, start)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best / ITERATIONS, peak / 2 ** 20, result


def main(cases):
    print(f"{'d':>3} {'K':>3} {'N':>9} | {'emlab ms/it':>11} {'sklearn ms/it':>13} {'ratio':>6} | "
          f"{'emlab MiB':>9} {'sklearn MiB':>11} | max |mean diff|")
    for d, k, n in cases:
        x, start = problem(d, k, n)
        repeats = 3 if n <= 100_000 else 1
        t_em, mem_em, history = measure(fit_emlab, x, start, repeats)
        t_sk, mem_sk, model = measure(fit_sklearn, x, start, repeats)
        diff = np.abs(history.params[-1].means - model.means_).max()
        print(f"{d:>3} {k:>3} {n:>9} | {1e3 * t_em:>11.2f} {1e3 * t_sk:>13.2f} {t_em / t_sk:>6.3f} | "
              f"{mem_em:>9.1f} {mem_sk:>11.1f} | {diff:.1e}")


if __name__ == "__main__":
    main(CASES[:2] if "--quick" in sys.argv else CASES)
