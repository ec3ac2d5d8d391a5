"""digits.csv (emlab/datasets) and its loader: data/make_digits.py rewrites it bit for bit; it is
scikit-learn's bundled copy of UCI optdigits (read here straight from the bundled file)
binarized at 8 of 16; the class counts are the published ones; the loader checks every
cell; the README says where the data come from."""
import gzip
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sklearn

import emlab
from emlab import bernoulli, data

DATA = Path(__file__).resolve().parent.parent / "data"      # the README and the generators
DIGITS = data.DATA_DIR / "digits.csv"                        # where the loader reads it
PIXELS = [f"p{r}{c}" for r in range(8) for c in range(8)]


def test_make_digits_regenerates_the_file_bit_for_bit(tmp_path):
    subprocess.run([sys.executable, str(DATA / "make_digits.py"), str(tmp_path)], check=True)
    assert [p.name for p in tmp_path.iterdir()] == ["digits.csv"]
    assert (tmp_path / "digits.csv").read_bytes() == DIGITS.read_bytes(), \
        "emlab/datasets/digits.csv differs from what data/make_digits.py writes"


def test_digits_are_the_bundled_optdigits_binarized_at_8_of_16():
    bundled = Path(sklearn.__file__).parent / "datasets" / "data" / "digits.csv.gz"
    with gzip.open(bundled, "rt") as f:
        raw = np.loadtxt(f, delimiter=",")         # 64 grey levels 0..16, then the class
    frame = data.load_digits()
    np.testing.assert_array_equal(frame["digit"], raw[:, -1])
    np.testing.assert_array_equal(frame[PIXELS].to_numpy(), (raw[:, :64] >= 8).astype(int))


def test_class_counts_are_the_published_test_set_counts():
    # UCI "Optical Recognition of Handwritten Digits", optdigits.tes: examples per class 0..9
    counts = data.load_digits()["digit"].value_counts().sort_index()
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_loader_returns_the_documented_columns_and_dtypes():
    frame = data.load_digits()
    assert frame.shape == (1797, 65)
    assert list(frame.columns) == ["digit"] + PIXELS
    assert all(dtype == np.dtype("int64") for dtype in frame.dtypes)
    x = data.points_x(frame)
    assert x.shape == (1797, 64) and x.dtype == np.dtype("float64")
    np.testing.assert_array_equal(bernoulli.check_x(x), x)
    assert round(x.mean(), 2) == 0.32                       # README: about 32 % of pixels are 1


@pytest.mark.parametrize("old, new, column, words", [
    ("\n0,0,0,0,1,1,", "\n0,0,0,0,2,1,", "p03", ["one of 0, 1", "'2'", "line 2"]),
    ("\n0,0,0,0,1,1,", "\n10,0,0,0,1,1,", "digit", ["one of 0, 1, 2", "'10'", "line 2"]),
    ("\n0,0,0,0,1,1,", "\n0,0,0,0,,1,", "p03", ["empty cell", "line 2"]),
    ("digit,p00,", "digit,pixel00,", "p00", ["missing column"]),
], ids=["pixel 2", "digit 10", "empty pixel", "renamed pixel"])
def test_malformed_file_gives_a_clear_value_error(tmp_path, old, new, column, words):
    text = DIGITS.read_text(encoding="ascii")
    assert old in text
    path = tmp_path / "digits.csv"
    path.write_text(text.replace(old, new, 1), encoding="ascii")
    with pytest.raises(ValueError) as info:
        data.load_digits(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and f"'{column}'" in message
    for word in words:
        assert word in message


def test_readme_says_where_the_digits_come_from_and_how_they_are_made():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^\| `digits\.csv` \| 1797 \| .*`make_digits\.py`.*optdigits \|$", readme, re.MULTILINE)
    section = readme.split("## `digits.csv`", 1)[1]
    for words in ["Alpaydin", "Kaynak", "10.24432/C50P49", "CC BY 4.0", "load_digits()",
                  "no download", "at least 8 of 16", "1797 rows",
                  "178, 182, 177, 183, 181, 182, 181, 179, 174, 180", "about 32 %"]:
        assert words in section, f"the digits.csv section should mention {words!r}"


def test_em_on_the_digits_needs_the_beta_prior():
    """The corner pixel p00 is never inked: maximum likelihood drives its mean to 0."""
    x = data.points_x(data.load_digits())
    assert not x[:, 0].any()
    start = bernoulli.init_random(x, 10, np.random.default_rng(0))
    with pytest.raises(emlab.CollapseError, match=r"pixel \(dimension\) 0: x\[:, 0\] is always 0"):
        emlab.run_em(bernoulli, x, start, max_iter=5, tol=0)
    history = emlab.run_em(bernoulli, x, start, max_iter=5, tol=0, beta_prior=(2, 2))
    assert history.n_iter == 5 and np.all((history.params[-1].means > 0) & (history.params[-1].means < 1))
