"""Regenerate every generated CSV file of emlab/datasets/ (emlab's package data), bit for bit.

    python data/make_data.py              # writes into emlab/datasets/ of this checkout
    python data/make_data.py OUTPUT_DIR   # writes into OUTPUT_DIR instead

Each data set is drawn with emlab's own samplers from ``numpy.random.default_rng(seed)``
with its own fixed seed; floats are written as ``%.6f`` so the bytes are the same on every
machine.  The true parameters below are the ones data/README.md states.

Not generated here: coins.csv (typed in from Do & Batzoglou 2008) and faithful.csv (copied
once from R's ``faithful``); data/README.md says where each comes from.
"""
import sys
from pathlib import Path

import numpy as np

from emlab import gaussian, poisson

# poisson_counts.csv: counts from two Poisson components.
POISSON_SEED, POISSON_N = 1, 500
POISSON = poisson.Params(weights=[0.2, 0.8], rates=[2.0, 6.0])

# gmm_2d.csv: three correlated 2-D Gaussian clusters, well separated but overlapping a little.
GMM_2D_SEED, GMM_2D_N = 2, 300
GMM_2D = gaussian.Params(
    weights=[0.3, 0.4, 0.3],
    means=[[-2.5, 0.0], [2.5, 0.5], [0.0, 4.0]],
    covariances=[[[1.0, 0.6], [0.6, 1.2]],
                 [[1.2, -0.7], [-0.7, 1.0]],
                 [[1.5, 0.5], [0.5, 0.8]]])

# labeled.csv, unlabeled.csv, unlabeled_truth.csv: two overlapping classes,
# 0 = does not like the product (60 %), 1 = likes it (40 %).
SEMI_SUPERVISED_SEED, LABELED_PER_CLASS, UNLABELED_N = 3, 10, 1000
SEMI_SUPERVISED = gaussian.Params(
    weights=[0.6, 0.4],
    means=[[0.0, 0.0], [2.0, 1.5]],
    covariances=[[[1.5, 0.6], [0.6, 1.0]],
                 [[0.8, -0.4], [-0.4, 1.2]]])

FLOAT, INT = "%.6f", "%d"
# Where emlab.data loads the files from: the package data of this checkout.
DATASETS = Path(__file__).resolve().parent.parent / "emlab" / "datasets"


def write_csv(path, columns):
    """Write ``columns`` {name: (values, format)} as a CSV file with '\\n' line ends."""
    names = list(columns)
    cells = [[fmt % v for v in values] for values, fmt in columns.values()]
    with open(path, "w", newline="\n", encoding="ascii") as f:
        f.write(",".join(names) + "\n")
        for row in zip(*cells):
            f.write(",".join(row) + "\n")


def make_poisson_counts(out):
    rng = np.random.default_rng(POISSON_SEED)
    x, z = poisson.sample(POISSON, POISSON_N, rng)
    write_csv(out / "poisson_counts.csv", {"count": (x, INT), "component": (z, INT)})


def make_gmm_2d(out):
    rng = np.random.default_rng(GMM_2D_SEED)
    x, z = gaussian.sample(GMM_2D, GMM_2D_N, rng)
    write_csv(out / "gmm_2d.csv", {"x1": (x[:, 0], FLOAT), "x2": (x[:, 1], FLOAT),
                                   "component": (z, INT)})


def make_semi_supervised(out):
    """Labelled rows: LABELED_PER_CLASS drawn from each class, shuffled.  Unlabelled rows:
    drawn from the mixture; their classes go to unlabeled_truth.csv, kept aside for scoring."""
    rng = np.random.default_rng(SEMI_SUPERVISED_SEED)
    x_lab = np.vstack([gaussian.sample(_one_class(SEMI_SUPERVISED, c), LABELED_PER_CLASS, rng)[0]
                       for c in range(SEMI_SUPERVISED.k)])
    y_lab = np.repeat(np.arange(SEMI_SUPERVISED.k), LABELED_PER_CLASS)
    order = rng.permutation(len(y_lab))
    x_lab, y_lab = x_lab[order], y_lab[order]
    x, y = gaussian.sample(SEMI_SUPERVISED, UNLABELED_N, rng)
    write_csv(out / "labeled.csv", {"x1": (x_lab[:, 0], FLOAT), "x2": (x_lab[:, 1], FLOAT),
                                    "y": (y_lab, INT)})
    write_csv(out / "unlabeled.csv", {"x1": (x[:, 0], FLOAT), "x2": (x[:, 1], FLOAT)})
    write_csv(out / "unlabeled_truth.csv", {"y": (y, INT)})


def _one_class(params, c):
    """Class c of a mixture on its own (weight 1)."""
    return gaussian.Params([1.0], params.means[c:c + 1], params.covariances[c:c + 1])


def main(argv):
    if len(argv) > 1:
        sys.exit("usage: python data/make_data.py [OUTPUT_DIR]")
    out = Path(argv[0]) if argv else DATASETS
    out.mkdir(parents=True, exist_ok=True)
    make_poisson_counts(out)
    make_gmm_2d(out)
    make_semi_supervised(out)


if __name__ == "__main__":
    main(sys.argv[1:])
