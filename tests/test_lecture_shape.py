"""Each notebook is one 45-minute lecture: at most 25 slides (slide and subslide cells; `skip`,
`notes` and the cells that join a slide do not count), speaker notes on its key slides, a
"What to remember" slide, a stepper and a JS-HTML animation, exercises, and every assert cell
kept off the slides."""
import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("[0-9]*.ipynb"))
MAX_SLIDES = 25


def cells(path):
    return json.loads(path.read_text())["cells"]


def slide_type(cell):
    return cell["metadata"].get("slideshow", {}).get("slide_type", "-")


def source(cell):
    return "".join(cell["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_one_lecture(path):
    nb = cells(path)
    types = [slide_type(c) for c in nb]
    assert types[0] == "slide"
    assert types.count("slide") + types.count("subslide") <= MAX_SLIDES
    notes = [source(c) for c in nb if slide_type(c) == "notes"]
    assert len(notes) >= 5 and all(n.startswith("**Speaker notes**") for n in notes)
    shown = [c for c in nb if slide_type(c) not in ("skip", "notes")]
    assert any(source(c).startswith("## What to remember") for c in shown if c["cell_type"] == "markdown")
    code = [source(c) for c in nb if c["cell_type"] == "code"]
    assert any("stepper(" in s or "explorer(" in s for s in code)
    assert any("to_jshtml()" in s for s in code)
    assert any("exercise" in c["metadata"].get("tags", []) or "solution" in c["metadata"].get("tags", [])
               for c in nb)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_assert_cells_are_not_slide_content(path):
    """A code cell whose every statement line is an assert checks the prose; it is `skip`."""
    for c in cells(path):
        lines = [l for l in source(c).splitlines() if l.strip() and not l.lstrip().startswith("#")]
        if c["cell_type"] == "code" and lines and all(l.lstrip().startswith(("assert", ")", "]"))
                                                      or l.startswith((" ", "\t")) for l in lines) \
                and lines[0].startswith("assert"):
            assert slide_type(c) == "skip", source(c)[:200]
