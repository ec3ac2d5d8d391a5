"""How `make test` shares the suite among pytest-xdist's workers (the root conftest's
ByFileAndLecture, for ``--dist loadfile``): a notebook's nbval cells and its "Student copy"
stay together in one kernel, each notebook's browser lecture (its walk, then its fit test,
which reads what the walk measured in the same process) is one unit, test_exports.py (whose
fit test reads its deck test) is one unit, and the longest units go first."""
import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("xdist")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def scheduling():
    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ByFileAndLecture


def test_units_of_work(scheduling):
    split = object.__new__(scheduling)._split_scope
    walk = "tests/browser/test_notebooks.py::test_run_all_steppers_and_slideshow[01_coin_flip_em.ipynb]"
    fit = "tests/browser/test_notebooks.py::test_live_slides_fit[01_coin_flip_em.ipynb]"
    other = "tests/browser/test_notebooks.py::test_live_slides_fit[02_poisson_mixture.ipynb]"
    assert split(walk) == split(fit) != split(other)
    assert (split("notebooks/01_coin_flip_em.ipynb::Cell 0")
            == split("notebooks/01_coin_flip_em.ipynb::Student copy") == "notebooks/01_coin_flip_em.ipynb")
    assert (split("tests/browser/test_exports.py::test_deck_offline[01_coin_flip_em.ipynb]")
            == split("tests/browser/test_exports.py::test_deck_slides_fit[02_poisson_mixture.ipynb]")
            == "tests/browser/test_exports.py")
    assert split("tests/test_em.py::TestRun::test_monotone") == "tests/test_em.py"


def test_browser_units_first_then_notebooks_then_the_rest(scheduling):
    collected = ["tests/test_bernoulli.py", "notebooks/01_coin_flip_em.ipynb",
                 "tests/browser/test_exports.py", "tests/test_data.py",
                 "tests/browser/test_notebooks.py[01_coin_flip_em.ipynb]",
                 "notebooks/02_poisson_mixture.ipynb"]
    assert sorted(collected, key=scheduling._priority) == [
        "tests/browser/test_exports.py", "tests/browser/test_notebooks.py[01_coin_flip_em.ipynb]",
        "notebooks/01_coin_flip_em.ipynb", "notebooks/02_poisson_mixture.ipynb",
        "tests/test_bernoulli.py", "tests/test_data.py"]
