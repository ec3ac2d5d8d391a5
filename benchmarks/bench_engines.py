"""Time per EM iteration of ``run_em``'s two paths, by data size: where does the fast path pay?

"plain" runs each model's own ``log_joint`` and ``m_step`` on every point (the textbook
path); "fast" the model's ``fast_engine`` (GaussianStats for the Gaussian, DistinctValues for
coins and Poisson).  ``run_em(engine="auto")`` switches to the fast path at
``emlab.em.FAST_PATH_FROM`` points; this prints the measurements that threshold comes from.
Both paths run in this one process, interleaved, on the same data and start; the ratio is
what counts (absolute times on a shared machine are noise).

    python benchmarks/bench_engines.py [--quick]
"""
import sys
import time

import numpy as np

import emlab
from emlab import coins, em, gaussian, poisson

SIZES = [300, 1_000, 10_000, 30_000, 50_000, 100_000, 300_000]
ITERATIONS = 10


def gaussian_problem(n, rng):
    truth = gaussian.Params([0.3, 0.3, 0.4], [[0.0, 0.0], [4.0, 0.0], [1.0, 4.0]],
                            [np.eye(2), [[1.0, 0.6], [0.6, 1.0]], [[2.0, 0.0], [0.0, 0.5]]])
    x, _ = gaussian.sample(truth, n, rng)
    return x, gaussian.init_random(x, 3, rng)


def poisson_problem(n, rng):
    x, _ = poisson.sample(poisson.Params([0.2, 0.8], [2.0, 6.0]), n, rng)
    return x, poisson.Params([0.5, 0.5], [1.0, 3.0])


def coins_problem(n, rng):
    x, _ = coins.sample(coins.Params([0.5, 0.5], [0.8, 0.45]), n, rng)
    return x, coins.Params([0.5, 0.5], [0.6, 0.5])


PROBLEMS = {gaussian: gaussian_problem, poisson: poisson_problem, coins: coins_problem}


def per_iteration(model, x, start, engine):
    t0 = time.perf_counter()
    history = emlab.run_em(model, x, start, max_iter=ITERATIONS, tol=0, engine=engine)
    return (time.perf_counter() - t0) / ITERATIONS, history


def main(sizes):
    print(f"ms per iteration ({ITERATIONS} iterations, median of interleaved repeats); "
          f"engine='auto' takes the fast path from n = {em.FAST_PATH_FROM:,}")
    print(f"{'model':>9} {'n':>8} | {'plain':>8} {'fast':>8} {'plain/fast':>10} | auto runs")
    for model, problem in PROBLEMS.items():
        for n in sizes:
            x, start = problem(n, np.random.default_rng(n))
            repeats = 7 if n <= 10_000 else 3
            times = {"plain": [], "fast": []}
            for _ in range(repeats):
                for engine in times:
                    seconds, history = per_iteration(model, x, start, engine)
                    times[engine].append(seconds)
            plain, fast = (1e3 * np.median(times[e]) for e in ("plain", "fast"))
            auto = emlab.run_em(model, x, start, max_iter=1, tol=0).engine
            print(f"{model.__name__.split('.')[-1]:>9} {n:>8} | {plain:8.3f} {fast:8.3f} "
                  f"{plain / fast:10.2f} | {auto}")


if __name__ == "__main__":
    main(SIZES[:3] if "--quick" in sys.argv else SIZES)
