"""One EM iteration of emlab's fast engine against scikit-learn's GaussianMixture, from the
same start, for full covariances and for the constrained types "diag" and "spherical".

Both run in this one process on the same data, alternately, several times; the printed
ratio emlab/sklearn of the median times per iteration is what counts (absolute times on a
shared machine are noise).  Times are CPU time of this process (``time.process_time``: time
the process spends waiting for a busy machine's cores is not counted); run with
OPENBLAS_NUM_THREADS=1 (as the Makefile does) so that both run on one thread.  The wall-clock
ratio is printed beside it.
Peak memory: the largest traced allocation (tracemalloc) during each fit.  emlab keeps only
the last responsibilities (``keep_resp=False``), as scikit-learn keeps none.

    python benchmarks/bench_gmm.py          # all cases
    python benchmarks/bench_gmm.py --quick  # the small cases only
    python benchmarks/bench_gmm.py --d10    # the d = 10 cases only
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

# (covariance type, d, K, N)
CASES = [("full", 2, 3, 10_000), ("full", 2, 3, 100_000), ("full", 2, 3, 1_000_000),
         ("full", 2, 5, 1_000_000), ("full", 10, 5, 100_000),
         ("diag", 2, 3, 1_000_000), ("diag", 10, 5, 100_000),
         ("spherical", 2, 3, 1_000_000), ("spherical", 10, 5, 100_000)]
ITERATIONS = 10


def problem(covariance_type, d, k, n, seed=0):
    """Data from k Gaussians with full covariances; the start (init_random's data covariance)
    in the form of ``covariance_type``."""
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=4.0, size=(k, d))
    a = rng.normal(size=(k, d, d))
    covariances = a @ a.transpose(0, 2, 1) / d + np.eye(d)
    truth = gaussian.Params(np.full(k, 1 / k), means, covariances)
    x, _ = gaussian.sample(truth, n, rng)
    start = gaussian.init_random(x, k, rng)
    variances = np.diagonal(start.covariances, axis1=1, axis2=2)
    if covariance_type == "diag":
        start = gaussian.Params(start.weights, start.means, variances[:, :, None] * np.eye(d))
    elif covariance_type == "spherical":
        start = gaussian.Params(start.weights, start.means,
                                variances.mean(axis=1)[:, None, None] * np.eye(d))
    return x, start


def fit_emlab(x, start, covariance_type):
    return emlab.run_em(gaussian, x, start, max_iter=ITERATIONS, tol=0, engine="fast",
                        keep_resp=False, covariance_type=covariance_type)


def fit_sklearn(x, start, covariance_type):
    precisions = np.linalg.inv(start.covariances)
    precisions_init = {"full": precisions,
                       "diag": np.diagonal(precisions, axis1=1, axis2=2),
                       "spherical": precisions[:, 0, 0]}[covariance_type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return GaussianMixture(start.k, covariance_type=covariance_type, weights_init=start.weights,
                               means_init=start.means, precisions_init=precisions_init, reg_covar=0,
                               tol=0, max_iter=ITERATIONS).fit(x)


def timed(fit, x, start, covariance_type):
    """-> (CPU seconds, wall seconds, result) of one fit."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = fit(x, start, covariance_type)
    return time.process_time() - cpu, time.perf_counter() - wall, result


def peak_memory(fit, x, start, covariance_type):
    """MiB: the largest traced allocation during one fit."""
    tracemalloc.start()
    fit(x, start, covariance_type)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2 ** 20


def main(cases):
    print(f"{'type':>9} {'d':>3} {'K':>3} {'N':>9} | {'emlab ms/it':>11} {'sklearn ms/it':>13} "
          f"{'ratio':>6} {'wall':>6} | {'emlab MiB':>9} {'sklearn MiB':>11} | max |mean diff|")
    for covariance_type, d, k, n in cases:
        x, start = problem(covariance_type, d, k, n)
        repeats = 5 if n <= 100_000 else 3
        for fit in (fit_emlab, fit_sklearn):                        # warm-up, not counted
            fit(x, start, covariance_type)
        runs = {fit_emlab: [], fit_sklearn: []}
        for _ in range(repeats):                                    # alternately: both see the same load
            for fit in runs:
                runs[fit].append(timed(fit, x, start, covariance_type))
        (cpu_em, wall_em), (cpu_sk, wall_sk) = (np.median([run[:2] for run in runs[fit]], axis=0) / ITERATIONS
                                                for fit in (fit_emlab, fit_sklearn))
        mem_em, mem_sk = (peak_memory(fit, x, start, covariance_type) for fit in (fit_emlab, fit_sklearn))
        history, model = runs[fit_emlab][-1][2], runs[fit_sklearn][-1][2]
        diff = np.abs(history.params[-1].means - model.means_).max()
        print(f"{covariance_type:>9} {d:>3} {k:>3} {n:>9} | {1e3 * cpu_em:>11.2f} {1e3 * cpu_sk:>13.2f} "
              f"{cpu_em / cpu_sk:>6.3f} {wall_em / wall_sk:>6.3f} | {mem_em:>9.1f} {mem_sk:>11.1f} | {diff:.1e}",
              flush=True)


if __name__ == "__main__":
    if "--quick" in sys.argv:
        main(CASES[:2])
    elif "--d10" in sys.argv:
        main([case for case in CASES if case[1] == 10])
    else:
        main(CASES)
