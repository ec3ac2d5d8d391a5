"""Loaders for the CSV files emlab ships in ``emlab/datasets/`` (documented, with the scripts
that make them, in data/README.md of the source tree).

The files are package data: the loaders find them with ``importlib.resources``, in a
checkout and in an installed emlab alike.

Each loader returns a pandas DataFrame whose columns are exactly the documented ones, in the
documented order, with checked types: ``int64`` counts and labels, ``float64`` coordinates,
``str`` text.  A malformed file (a missing or extra column, a value of the wrong type, an
empty cell or NaN, a negative count, ...) raises a ValueError naming the file, the column,
the line and what is wrong.

The ``*_x`` helpers turn a DataFrame into the ``x`` that emlab's models take:

    coins_x(load_coins())                 (n, 2) int64 [heads, tails]   for emlab.coins
    counts_x(load_poisson())              (n,)   int64 counts           for emlab.poisson
    points_x(load_gmm_2d())               (n, d) float64                for emlab.gaussian
    semi_supervised_x(labeled, unlabeled) (x, labels) for run_em(..., labels=labels)
"""
import math
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from . import checks

# The shipped CSV files (package data).
DATA_DIR = resources.files(__package__) / "datasets"

# Columns that hold a label, not a coordinate: points_x leaves them out.
LABEL_COLUMNS = ("component", "y", "digit")


# --- one checker per kind of column: a cell's text -> its value, or _BadCell saying why ---

class _BadCell(ValueError):
    pass


def _integer(minimum=None, allowed=None):
    def check(cell):
        if not re.fullmatch(r"\s*[+-]?\d+\s*", cell):
            raise _BadCell("must hold whole numbers")
        value = int(cell)
        if minimum is not None and value < minimum:
            raise _BadCell("must hold non-negative counts" if minimum == 0
                           else f"must hold whole numbers >= {minimum}")
        if allowed is not None and value not in allowed:
            raise _BadCell(f"must be one of {', '.join(map(str, allowed))}")
        return value
    return check, np.int64


def _float(positive=False):
    def check(cell):
        try:
            value = float(cell)
        except ValueError:
            raise _BadCell("must hold numbers") from None
        if not math.isfinite(value):
            raise _BadCell("must hold finite numbers, not NaN or inf")
        if positive and value <= 0:
            raise _BadCell("must hold positive numbers")
        return value
    return check, np.float64


def _text(pattern, meaning):
    def check(cell):
        if not re.fullmatch(pattern, cell):
            raise _BadCell(f"must hold {meaning}")
        return cell
    return check, None                 # None: pandas' own string dtype


COUNT, FLOAT = _integer(minimum=0), _float()


def _read(path, schema):
    """Read the CSV file ``path`` and check it against ``schema`` {column: (check, dtype)}:
    exactly those columns, every cell filled and of the right kind.  Returns a DataFrame."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot be read as a CSV file ({str(exc).strip()})") from None
    columns = [str(c) for c in raw.columns]
    missing = [c for c in schema if c not in columns]
    extra = [c for c in columns if c not in schema]
    if missing or extra:
        parts = ([f"missing column(s) {', '.join(map(repr, missing))}"] if missing else []) + \
                ([f"unexpected column(s) {', '.join(map(repr, extra))}"] if extra else [])
        raise ValueError(f"{path}: {'; '.join(parts)}; expected exactly the columns "
                         f"{', '.join(map(repr, schema))}")
    if len(raw) == 0:
        raise ValueError(f"{path}: has a header but no data rows")
    frame = {}
    for name, (check, dtype) in schema.items():
        # Each distinct text is checked once (a column of digit pixels holds 17 of them).
        values, checked = [], {}
        for line, cell in enumerate(raw[name].tolist(), start=2):     # line 1 is the header
            if cell not in checked:
                if cell.strip() == "":
                    raise ValueError(f"{path}: column '{name}' has an empty cell on line {line}")
                try:
                    checked[cell] = check(cell)
                except _BadCell as bad:
                    raise ValueError(f"{path}: column '{name}' {bad}, got {cell!r} on line {line}") from None
            values.append(checked[cell])
        frame[name] = values if dtype is None else np.array(values, dtype=dtype)
    return pd.DataFrame(frame)


# --- the loaders ---------------------------------------------------------------------------

def load_coins(path=None):
    """Do & Batzoglou (2008), Figure 1: five sets of ten tosses, each with coin A or B.

    Returns a DataFrame (5, 5): ``set`` int64, ``tosses`` str (the H/T sequence), ``heads``
    int64, ``tails`` int64, ``coin`` str ("A" or "B").  Checked: heads + tails = len(tosses)
    and heads = the number of H.  ``coins_x(frame)`` gives emlab.coins' x: (n, 2) [heads, tails].
    """
    path = _path(path, "coins.csv")
    frame = _read(path, {
        "set": _integer(minimum=1),
        "tosses": _text(r"[HT]+", "a sequence of H and T only"),
        "heads": COUNT,
        "tails": COUNT,
        "coin": _text(r"A|B", "the coin 'A' or 'B'"),
    })
    for line, row in enumerate(frame.itertuples(), start=2):
        if row.heads + row.tails != len(row.tosses):
            raise ValueError(f"{path}: columns 'heads' + 'tails' must add up to the number of "
                             f"'tosses' ({len(row.tosses)}), got {row.heads} + {row.tails} on line {line}")
        if row.heads != row.tosses.count("H"):
            raise ValueError(f"{path}: column 'heads' must count the H in 'tosses' "
                             f"({row.tosses.count('H')}), got {row.heads} on line {line}")
    return frame


def load_poisson(path=None):
    """Counts from a two-component Poisson mixture (rates 2 and 6, weights 0.2/0.8).

    Returns a DataFrame (500, 2): ``count`` int64 >= 0, ``component`` int64 (the true
    component, 0 or 1).  ``counts_x(frame)`` gives emlab.poisson's x: (n,) counts.
    """
    return _read(_path(path, "poisson_counts.csv"),
                 {"count": COUNT, "component": _integer(allowed=(0, 1))})


def load_gmm_2d(path=None):
    """Three 2-D Gaussian clusters with correlated full covariances.

    Returns a DataFrame (300, 3): ``x1``, ``x2`` float64, ``component`` int64 (the true
    cluster, 0, 1 or 2).  ``points_x(frame)`` gives emlab.gaussian's x: (n, 2) floats.
    """
    return _read(_path(path, "gmm_2d.csv"),
                 {"x1": FLOAT, "x2": FLOAT, "component": _integer(allowed=(0, 1, 2))})


def load_faithful(path=None):
    """Old Faithful geyser (R's ``faithful``, Härdle 1991): 272 eruptions.

    Returns a DataFrame (272, 2): ``eruptions`` (eruption time, min) and ``waiting`` (waiting
    time to the next eruption, min), both float64 > 0.  ``points_x(frame)`` gives
    emlab.gaussian's x: (n, 2) floats.
    """
    positive = _float(positive=True)
    return _read(_path(path, "faithful.csv"), {"eruptions": positive, "waiting": positive})


def load_digits(path=None):
    """Handwritten digits as 8x8 binary images (UCI optdigits via scikit-learn, binarized).

    Returns a DataFrame (1797, 65): ``digit`` int64 (0-9, the digit written), then the 64
    pixels ``p00`` ... ``p77`` int64 0 or 1 (``p{r}{c}``: row r from the top, column c from the
    left; 1 = inked).  ``points_x(frame)`` gives emlab.bernoulli's x: (n, 64) 0.0/1.0 floats.
    """
    binary = _integer(allowed=(0, 1))
    return _read(_path(path, "digits.csv"),
                 {"digit": _integer(allowed=tuple(range(10))),
                  **{f"p{r}{c}": binary for r in range(8) for c in range(8)}})


def load_semi_supervised(directory=None):
    """Two overlapping 2-D classes (1 = likes the product, 0 = does not), a few labelled rows.

    Reads labeled.csv, unlabeled.csv and unlabeled_truth.csv from ``directory`` (default
    the shipped ``DATA_DIR``) and returns three DataFrames:
        labeled    (20, 3):   ``x1``, ``x2`` float64, ``y`` int64 (0 or 1)
        unlabeled  (1000, 2): ``x1``, ``x2`` float64
        truth      (1000, 1): ``y`` int64 (0 or 1), the class of each unlabelled row, kept
                   aside for scoring only
    ``semi_supervised_x(labeled, unlabeled)`` gives the x and labels for
    ``emlab.run_em(gaussian, x, params, labels=labels)``.
    """
    directory = DATA_DIR if directory is None else Path(directory)
    label = _integer(allowed=(0, 1))
    labeled = _read(directory / "labeled.csv", {"x1": FLOAT, "x2": FLOAT, "y": label})
    unlabeled = _read(directory / "unlabeled.csv", {"x1": FLOAT, "x2": FLOAT})
    truth = _read(directory / "unlabeled_truth.csv", {"y": label})
    if len(truth) != len(unlabeled):
        raise ValueError(f"{directory / 'unlabeled_truth.csv'}: must have one row per row of "
                         f"unlabeled.csv ({len(unlabeled)}), got {len(truth)}")
    return labeled, unlabeled, truth


def _path(path, default_name):
    return DATA_DIR / default_name if path is None else Path(path)


# --- DataFrame -> emlab's x ------------------------------------------------------------------

def coins_x(frame):
    """``[heads, tails]`` per set: (n, 2) int64, the x of emlab.coins."""
    return _columns(frame, ["heads", "tails"], integer=True)


def counts_x(frame):
    """The ``count`` column: (n,) int64, the x of emlab.poisson."""
    return _columns(frame, ["count"], integer=True)[:, 0]


def points_x(frame, columns=None):
    """Coordinates as (n, d) float64, the x of emlab.gaussian.

    ``columns`` defaults to every column except the labels ('component', 'y', 'digit'):
    x1, x2 for gmm_2d / labeled / unlabeled, eruptions, waiting for faithful, the 64 pixels
    of digits (emlab.bernoulli's x).
    """
    return _columns(frame, columns)


def semi_supervised_x(labeled, unlabeled):
    """Stack the labelled rows, then the unlabelled ones, for semi-supervised EM.

    Returns ``x`` (n_l + n_u, 2) float64 and ``labels`` (n_l + n_u,) int64: the class ``y`` of
    each labelled row, -1 for each unlabelled row (run_em's convention).
    """
    x = np.vstack([_columns(labeled, ["x1", "x2"]), _columns(unlabeled, ["x1", "x2"])])
    labels = np.concatenate([_columns(labeled, ["y"], integer=True)[:, 0],
                             np.full(len(unlabeled), -1, dtype=np.int64)])
    return x, labels


def _columns(frame, names, integer=False):
    """The columns ``names`` of ``frame`` (None: all but the label columns) as a new (n, m)
    float64 array, or int64 with ``integer=True``, checked finite (and whole)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    names = [c for c in frame.columns if c not in LABEL_COLUMNS] if names is None else list(names)
    missing = [c for c in names if c not in frame.columns]
    if missing:
        raise ValueError(f"frame must have the column(s) {', '.join(map(repr, missing))}; "
                         f"it has {', '.join(map(repr, map(str, frame.columns)))}")
    return checks.as_array(frame[names].to_numpy(), f"frame[{names}]", ndim=2, integer=integer)
