"""Write emlab/datasets/digits.csv: scikit-learn's bundled 8x8 handwritten digits, binarized.

    python data/make_digits.py              # writes emlab/datasets/digits.csv of this checkout
    python data/make_digits.py OUTPUT_DIR   # writes OUTPUT_DIR/digits.csv instead

``sklearn.datasets.load_digits()`` reads the copy of the UCI "Optical Recognition of
Handwritten Digits" test set (optdigits.tes, 1797 images) that ships inside scikit-learn:
nothing is downloaded.  Each pixel is a grey level 0..16 (the number of inked pixels in a
4x4 block of the original 32x32 bitmap); it becomes 1 when at least THRESHOLD = 8 of the 16
are inked (half the block or more), else 0.  Images and labels keep scikit-learn's order,
so the file is the same bit for bit on every machine.  data/README.md describes the columns.
"""
import sys
from pathlib import Path

from sklearn.datasets import load_digits

from make_data import DATASETS, INT, write_csv

THRESHOLD = 8
# Pixel column "p{r}{c}": row r (0 = top), column c (0 = left) of the 8x8 image.
PIXELS = [f"p{r}{c}" for r in range(8) for c in range(8)]


def make_digits(out):
    digits = load_digits()
    on = (digits.images.reshape(len(digits.images), -1) >= THRESHOLD).astype(int)
    columns = {"digit": (digits.target, INT)}
    columns.update({name: (on[:, d], INT) for d, name in enumerate(PIXELS)})
    write_csv(out / "digits.csv", columns)


def main(argv):
    if len(argv) > 1:
        sys.exit("usage: python data/make_digits.py [OUTPUT_DIR]")
    out = Path(argv[0]) if argv else DATASETS
    out.mkdir(parents=True, exist_ok=True)
    make_digits(out)


if __name__ == "__main__":
    main(sys.argv[1:])
