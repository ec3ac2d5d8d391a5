"""emlab works installed, not only as a checkout: its data ship inside it, what it imports is
declared.

The loaders read the package data ``emlab/datasets`` of the emlab they belong to, through
``importlib.resources``: the checkout's in an editable install, the wheel's in an installed
one (.ci/installed runs this file there, with EMLAB_INSTALLED=1 and EMLAB_CHECKOUT naming the
checkout the wheel was built from).
"""
import ast
import os
import re
import sys
from importlib import resources
from pathlib import Path

import pytest

import emlab
from emlab import data

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(emlab.__file__).resolve().parent
CHECKOUT = Path(os.environ.get("EMLAB_CHECKOUT", ROOT))
tomllib = pytest.importorskip("tomllib")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# Import name -> distribution name, where they differ.
DISTRIBUTION = {"PIL": "pillow", "sklearn": "scikit-learn", "bs4": "beautifulsoup4",
                "matplotlib_inline": "matplotlib-inline"}
# Modules of this repository imported by scripts and tests next to them.
# The project's own modules: the package, and the helpers that tests import from tests/, tools/, data/.
LOCAL = {"emlab"} | {p.stem for folder in ("tests", "tools", "data") for p in (ROOT / folder).rglob("*.py")}


def test_the_loaders_read_the_data_of_the_package_they_belong_to():
    """DATA_DIR is the package's own emlab/datasets, and holds exactly the checkout's CSV
    files, byte for byte (from a wheel: the build shipped every one, unchanged)."""
    if os.environ.get("EMLAB_INSTALLED"):
        assert not PACKAGE.is_relative_to(ROOT), f"emlab comes from {PACKAGE}, not an installed copy"
    packaged = resources.files("emlab") / "datasets"
    assert data.DATA_DIR == packaged and Path(packaged).resolve() == PACKAGE / "datasets"
    source = CHECKOUT / "emlab" / "datasets"
    shipped = sorted(p.name for p in packaged.iterdir())
    assert shipped == sorted(p.name for p in source.glob("*.csv")), "the package data are not the checkout's"
    for name in shipped:
        assert (packaged / name).read_bytes() == (source / name).read_bytes(), name


@pytest.mark.parametrize("name", [n for n in dir(data) if n.startswith("load_")])
def test_every_loader_finds_its_file(name):
    result = getattr(data, name)()
    for frame in result if isinstance(result, tuple) else (result,):
        assert len(frame) > 0


def imported_top_level_names(folder):
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


def third_party(names):
    return {DISTRIBUTION.get(n, n).lower() for n in names - LOCAL - set(sys.stdlib_module_names)}


def declared(requirements):
    return {re.match(r"[A-Za-z0-9_.-]+", r).group().lower().replace("_", "-") for r in requirements}


def test_every_third_party_import_is_declared():
    project = PYPROJECT["project"]
    runtime = declared(project["dependencies"])
    assert third_party(imported_top_level_names(PACKAGE)) <= runtime
    testing = runtime | declared(project["optional-dependencies"]["test"])
    assert third_party(imported_top_level_names(ROOT / "tests")) - testing == set()


def test_environment_yml_mirrors_the_dependencies_and_the_pins():
    """conda's environment has every dependency, at the version constraints.txt pins where
    it pins one (the versions the stored notebook outputs were made with)."""
    listed = dict(re.findall(r"^\s*- ([A-Za-z0-9_.-]+)(\S*)", (ROOT / "environment.yml").read_text(), re.M))
    project = PYPROJECT["project"]
    wanted = declared(project["dependencies"] + project["optional-dependencies"]["test"]
                      + project["optional-dependencies"]["lab"])
    assert wanted - {name.lower() for name in listed} == set()
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", (ROOT / "constraints.txt").read_text(), re.M)
    assert pins and {name: listed.get(name) for name, _ in pins} == {name: f"=={v}" for name, v in pins}
