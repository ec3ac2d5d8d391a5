"""What the engine tests (test_engines.py, test_run_em_paths.py) share: a sample of a
three-component Gaussian mixture and a random start."""
import numpy as np

from emlab import gaussian


def mixture_data(rng, n=500, d=3):
    truth = gaussian.Params([0.5, 0.3, 0.2], rng.normal(size=(3, d)) * 2,
                            np.stack([np.eye(d), 0.5 * np.eye(d) + 0.2, np.diag(np.arange(1.0, d + 1))]))
    x, _ = gaussian.sample(truth, n, rng)
    return x, gaussian.init_random(x, 3, rng)
