"""What the student sees is the lesson (issue 17): the cells that check the prose's numbers are
out of view, no cell a student sees carries developer detail, and every formula of the prose
renders.

- In the full notebooks every code cell with an ``assert`` (other than the exercises' own
  cells) is a *check cell*: tagged ``check``, collapsed (source and output hidden), ``skip`` in
  slides, quiet (no output), and no later cell reads a name that only a check cell binds.
- The student copy (tools/make_student.py, built here in memory) has none of them, and none
  of its cells mentions engines, the fast path, nbval, pytest or tests/.
- The exports (tools/offline_export.py) leave the check cells out.
- Math: each markdown cell rendered with nbconvert's own Markdown (mistune, as ``make html``
  and ``make slides`` render it) keeps every ``$...$`` and ``$$...$$`` of its source whole,
  within one block; and no line inside a formula starts like a Markdown block (``+ ``, ``- ``,
  ``* ``, ``> ``, ``#``, ``1. ``, ``---``), which other renderers may read as one.  The exported
  pages and decks are checked after MathJax in Chromium: tests/browser/test_exports.py.
"""
import ast
import re
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert.filters.markdown import markdown2html_mistune

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import make_student  # noqa: E402
import offline_export  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]
# What a student has no use for: how emlab is built and tested.
DEVELOPER_DETAIL = re.compile(r"engine|fast[ _-]?path|FAST_PATH_FROM|nbval|pytest|tests/", re.I)


def read(path):
    return nbformat.read(path, as_version=4)


def has_assert(source):
    return any(isinstance(node, ast.Assert) for node in ast.walk(make_student._python(source)))


def hidden(cell):
    return cell.metadata.get("jupyter", {}).get("source_hidden", False)


def shown_text(cell):
    """A cell's source and, for code, the text it printed or displayed as plain text."""
    parts = [cell.source]
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif "text/plain" in output.get("data", {}):
            parts.append(output.data["text/plain"])
    return "\n".join(parts)


# ------------------------------------------------------------------ the student copy

@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_the_student_copy_shows_no_assert_and_no_developer_detail(path):
    copy = make_student.student_copy(read(path))
    exercise = set(make_student.exercise_cells(copy))
    asserts = [i for i, cell in enumerate(copy.cells) if cell.cell_type == "code"
               and i not in exercise and not hidden(cell) and re.search(r"\bassert\b", cell.source)]
    assert asserts == [], f"visible cells with assert in the student copy: {asserts}"
    detail = {i: DEVELOPER_DETAIL.findall(shown_text(cell)) for i, cell in enumerate(copy.cells)}
    assert {i: words for i, words in detail.items() if words} == {}, "developer detail in the student copy"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_check_cells_are_tagged_collapsed_skipped_and_quiet(path):
    nb = read(path)
    exercise = set(make_student.exercise_cells(nb))
    checks = [i for i, cell in enumerate(nb.cells) if make_student.is_check(cell)]
    asserting = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
                 and i not in exercise and has_assert(cell.source)]
    assert checks, "no check cell"
    assert asserting == checks, "every cell that asserts is a check cell, and only those"
    for i in checks:
        cell = nb.cells[i]
        assert cell.metadata.get("jupyter") == {"source_hidden": True, "outputs_hidden": True}, i
        assert cell.metadata.get("slideshow") == {"slide_type": "skip"}, i
        assert cell.outputs == [], f"check cell {i} prints: what a student should see goes in a visible cell"
    assert make_student.check_names_used_later(nb) == []


def test_the_student_copy_leaves_out_the_check_cells():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("The mean is 2."),
                nbformat.v4.new_code_cell("m = 2\nprint(m)"),
                make_student.check_cell("assert m == 2\nhelper = 3"),
                nbformat.v4.new_code_cell("print(m + 1)")]
    copy = make_student.student_copy(nb)
    assert [c.source for c in copy.cells] == ["The mean is 2.", "m = 2\nprint(m)", "print(m + 1)"]
    assert make_student.check_names_used_later(nb) == []
    nb.cells.append(nbformat.v4.new_code_cell("print(helper)"))
    assert make_student.check_names_used_later(nb) == [("helper", 4)]
    nb.cells.insert(4, nbformat.v4.new_code_cell("helper = 4"))
    assert make_student.check_names_used_later(nb) == []


# ------------------------------------------------------------------ the exports

@pytest.mark.parametrize("to", ["html", "slides"])
def test_the_exports_leave_out_the_check_cells(to, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title", metadata={"slideshow": {"slide_type": "slide"}}),
                nbformat.v4.new_code_cell("shown_in_the_export = 1"),
                make_student.check_cell("assert kept_out_of_the_export == 1")]
    nbformat.write(nb, tmp_path / "a.ipynb")
    [page] = offline_export.export(to, tmp_path / "out", [tmp_path / "a.ipynb"])
    text = page.read_text()
    assert "shown_in_the_export" in text and "kept_out_of_the_export" not in text


# ------------------------------------------------------------------ the math of the prose

# $$...$$ or $...$ (not an escaped \$), as nbconvert's Markdown reads them; code is no math.
MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$", re.S)
CODE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1|(`+)(?:(?!\2).)+?\2", re.S | re.M)
# A line that Markdown may read as the start of a block: a list item, a quote, a heading, a
# rule or setext underline.
BLOCK_START = re.compile(r"\n[ \t]*(?:[-+*>]|#{1,6}|\d{1,9}[.)])(?=[ \t]|\n|$)|\n[ \t]*(?:={2,}|-{2,})[ \t]*(?=\n|$)")
# The elements whose own text holds a formula whole (nested blocks are checked on their own).
BLOCKS = ["p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd"]


def formulas(text):
    return [" ".join((display or inline).split()) for display, inline in MATH.findall(text)]


def source_formulas(source):
    return formulas(CODE.sub(" ", source))


def rendered_formulas(source):
    """The formulas of each block element of the rendered HTML, and the text that still holds
    a lone ``$`` (a formula broken across blocks, or eaten by Markdown)."""
    soup = BeautifulSoup(markdown2html_mistune(source), "html.parser")
    for code in soup.find_all(["code", "pre"]):
        code.replace_with(" ")
    found, broken = [], []
    for element in soup.find_all(BLOCKS):
        own = BeautifulSoup(str(element), "html.parser").find(element.name)
        for inner in own.find_all(BLOCKS):
            inner.decompose()
        text = own.get_text()
        found += formulas(text)
        rest = " ".join(MATH.sub(" ", text).split())
        if re.search(r"(?<!\\)\$", rest):
            broken.append(rest[:160])
    return found, broken


def math_problems(source):
    """What goes wrong with the formulas of one markdown cell, in words (empty when nothing)."""
    problems = []
    want = source_formulas(source)
    got, broken = rendered_formulas(source)
    problems += [f"not rendered whole: {f[:100]!r}" for f in want if f not in got]
    problems += [f"a lone $ left in the text: {text!r}" for text in broken]
    for match in MATH.finditer(CODE.sub(lambda m: " " * len(m[0]), source)):
        start = BLOCK_START.search(match[0])
        if start:
            problems.append(f"a line inside a formula starts a Markdown block: {start[0].strip()!r} "
                            f"in {match[0][:80]!r}")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_formula_of_the_prose_renders_whole(path):
    found = {i: math_problems(cell.source) for i, cell in enumerate(read(path).cells)
             if cell.cell_type == "markdown"}
    assert {i: p for i, p in found.items() if p} == {}


@pytest.mark.parametrize("source, problem", [
    ("with $q$ fixed, $\\mathcal{L} = \\sum_j (\\log \\pi_j\n+ x_i) + c$ is concave", "starts a Markdown block"),
    ("a sum $a\n- b$ here", "starts a Markdown block"),
    ("a sum $a\n1. b$ here", "starts a Markdown block"),
    ("display\n$$a\n> b$$", "starts a Markdown block"),
    ("text\n\n$x$ and $y", "a lone $"),
    ("| a | $x | y$ |\n|---|---|---|\n| 1 | 2 | 3 |", "a lone $"),
    ("costs \\$5", "a lone $"),            # a dollar in prose: write it in words or in code
])
def test_the_math_check_finds_broken_formulas(source, problem):
    assert any(problem in p for p in math_problems(source)), math_problems(source)


@pytest.mark.parametrize("source", [
    "plain $x_i$ and $y_j$, `code $x$`, and\n$$\\sum_i r_{ij} +\n  c$$",
    "* a list item with $a +\n  b$ inside",
    "two formulas, $a$ and $b$, on one line",
])
def test_the_math_check_passes_formulas_that_render(source):
    assert math_problems(source) == []
