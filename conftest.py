"""pytest set-up shared by the unit tests and the notebook checks (nbval)."""
import os
from pathlib import Path

ROOT = Path(__file__).parent


def pytest_configure(config):
    # Kernels started by nbval inherit this environment.
    os.environ["PYTHONHASHSEED"] = "0"
    # One BLAS thread: on a small shared machine threaded BLAS makes tiny matrix calls
    # (2x2 Cholesky, triangular solves) hundreds of times slower.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.pop("MPLBACKEND", None)       # with MPLBACKEND=Agg the kernel shows no figures
    if getattr(config.option, "nbval", False) and not config.option.nbval_sanitize_with:
        config.option.nbval_sanitize_with = str(ROOT / "tests" / "nbval_sanitize.cfg")
