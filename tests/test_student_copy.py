"""The student copy (``make student``, tools/make_student.py): the solutions and the check cells
are out, Run All still reaches the end, and every checker then prints "✗ not implemented yet".
(What else the student must not see, and the check cells themselves: tests/test_student_view.py.)

Here: the builder on a fixture notebook (built, then run in a fresh kernel), and on every
notebook in notebooks/ that has exercises, what can be read without running it (no solution
left, the stored checker lines of the full notebook are ✓, no later cell reads a name only a
solution defines, nor the student's own function outside its checker).  Each notebook's
student copy is run top to bottom in JupyterLab by the browser tests
(tests/browser/test_notebooks.py), and its exercises once more in nbval's kernel by the item
"Student copy" that conftest.py adds after nbval's pass.
"""
import contextlib
import io
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import make_student  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "exercise_poisson.ipynb"
NOT_YET = make_student.NOT_YET


def read(path):
    return nbformat.read(path, as_version=4)


def notebooks_with_exercises():
    return [p for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if make_student.has_exercises(read(p))]


NOTEBOOKS = [FIXTURE, *notebooks_with_exercises()]
checker_cells = make_student.checker_cells


def stdout(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.output_type == "stream" and o.name == "stdout")


def solutions(nb):
    return [cell.source for cell in nb.cells if make_student.SOLUTION_TAG in make_student.tags(cell)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_student_copy_has_no_solution_and_the_full_notebook_passes_its_checkers(path, tmp_path):
    original = read(path)
    make_student.build(path.parent, tmp_path, names=[path.name], log=lambda *a: None)
    copy = read(tmp_path / path.name)
    # every cell but the check cells, in its order
    assert [c.id for c in copy.cells] == [c.id for c in original.cells if not make_student.is_check(c)]

    # no solution left: solution cells hold the note, no solution's text is anywhere else
    text = nbformat.writes(copy)
    for source in solutions(original):
        assert source.strip() not in text
    for cell in copy.cells:
        if make_student.SOLUTION_TAG in make_student.tags(cell):
            assert cell.source in (make_student.CODE_NOTE, make_student.MARKDOWN_NOTE)
            assert not cell.get("outputs")

    # with the solutions (the committed notebook), every checker printed a ✓ line
    checkers = checker_cells(original)
    for i in checkers:
        assert stdout(original.cells[i]).startswith("✓ "), (i, stdout(original.cells[i]))

    assert make_student.solution_names_used_later(original) == []


def test_student_copy_of_the_fixture_runs_to_the_end_and_its_checker_says_not_yet(tmp_path):
    make_student.build(FIXTURE.parent, tmp_path, names=[FIXTURE.name], log=lambda *a: None)
    copy = read(tmp_path / FIXTURE.name)
    checkers = checker_cells(copy)
    assert checkers
    # Run All on the student copy, in a fresh kernel, from the student copy's folder
    NotebookClient(copy, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [(i, o.get("ename"), o.get("evalue")) for i, cell in enumerate(copy.cells)
              for o in cell.get("outputs", []) if o.output_type == "error"]
    assert not errors
    for i in checkers:
        assert stdout(copy.cells[i]) == NOT_YET, (i, stdout(copy.cells[i]))
        assert not [o for o in copy.cells[i].outputs if o.output_type == "stream" and o.name == "stderr"]


@pytest.mark.parametrize("path", NOTEBOOKS[1:], ids=[p.name for p in NOTEBOOKS[1:]])
def test_student_copy_has_the_same_slides(path):
    """The browser tests lecture from the student copy: every cell it changes or leaves out
    is skipped in slides, so its slideshow is the full notebook's."""
    original = read(path)
    copy = {cell.id: cell for cell in make_student.student_copy(original).cells}
    changed = [i for i, cell in enumerate(original.cells) if copy.get(cell.id) != cell]
    assert changed
    assert [i for i in changed
            if original.cells[i].metadata.get("slideshow", {}).get("slide_type") != "skip"] == []


def test_a_name_only_a_solution_defines_read_later_is_found():
    nb = nbformat.v4.new_notebook()
    nb.cells = [*make_student.implement_exercise("t", "def f(x):\n    raise NotImplementedError",
                                                 "def helper():\n    return 2\n\ndef f(x):\n    return helper() * x",
                                                 "check(f)"),
                nbformat.v4.new_code_cell("for t in range(2):\n    print(t)"),
                nbformat.v4.new_code_cell("print(helper())")]
    assert make_student.solution_names_used_later(nb) == [("helper", 5)]


def test_the_students_function_read_by_a_later_cell_is_found_unless_bound_again():
    nb = nbformat.v4.new_notebook()
    nb.cells = [*make_student.implement_exercise("t", "def f(x):\n    raise NotImplementedError",
                                                 "def f(x):\n    return 2 * x", "check(f)"),
                nbformat.v4.new_code_cell("y = f(3)"),
                nbformat.v4.new_code_cell("def f(x):\n    return x"),
                nbformat.v4.new_code_cell("z = f(3)")]
    assert make_student.solution_names_used_later(nb) == [("f", 4)]


def test_fixture_stored_checker_line_is_what_its_solution_prints():
    """Run the fixture's code cells here (no kernel) and compare with its stored outputs."""
    nb = read(FIXTURE)
    namespace, printed = {}, {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            with contextlib.redirect_stdout(io.StringIO()) as out:
                exec(compile(cell.source, f"cell {i}", "exec"), namespace)
            printed[i] = out.getvalue()
    checkers = checker_cells(nb)
    assert checkers
    for i in checkers:
        assert printed[i].startswith("✓ ") and printed[i] == stdout(nb.cells[i])


# ------------------------------------------------------------------ the builder itself

def exercise_notebook():
    """Set-up and its check cell, an implement exercise, an explain exercise and a plot after
    it, all with outputs."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"),
                nbformat.v4.new_code_cell("x = 1"),
                make_student.check_cell("assert x == 1"),
                *make_student.implement_exercise("Write f.", "def f(x):\n    raise NotImplementedError",
                                                 "def f(x):\n    return 2 * x  # the solution",
                                                 "exercises.check_weighted_mean(f)"),
                nbformat.v4.new_code_cell("print('after the checker')"),
                *make_student.explain_exercise("Why?", "Because of the model answer."),
                nbformat.v4.new_code_cell("plot()")]
    for number, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.execution_count = number
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"output {number}\n")]
    return nb


def test_student_copy_takes_out_the_solutions_and_the_outputs_they_made():
    nb = exercise_notebook()
    before = nbformat.writes(nb)
    copy = make_student.student_copy(nb)
    assert nbformat.writes(nb) == before                      # the original is untouched
    nbformat.validate(copy)
    assert "assert x == 1" not in nbformat.writes(copy)       # the check cell is out
    nb.cells = [cell for cell in nb.cells if not make_student.is_check(cell)]
    cells = copy.cells
    assert [c.source for c in cells[:4]] == [c.source for c in nb.cells[:4]]
    assert cells[3].metadata["tags"] == ["exercise"] and cells[3].outputs == nb.cells[3].outputs
    solution, checker, after = cells[4], cells[5], cells[6]
    assert solution.source == make_student.CODE_NOTE and solution.metadata == {"tags": ["solution"]}
    for cell in (solution, checker, after):                  # up to the next markdown cell
        assert cell.outputs == [] and cell.execution_count is None
    question, answer, shown = cells[7], cells[8], cells[9]
    assert question.source == "Why?"
    assert answer.source == make_student.MARKDOWN_NOTE and answer.metadata == {"tags": ["solution"]}
    # after a model answer: the "predict, then check" cell, whose output would give it away
    assert nb.cells[9].outputs and shown.outputs == [] and shown.execution_count is None
    assert "the solution" not in nbformat.writes(copy) and "model answer" not in nbformat.writes(copy)


def test_student_copy_clears_the_outputs_of_reveal_cells_only():
    """A "predict, then check" result cell above its answer box, tagged ``reveal``: its
    outputs (and count) go in the student copy; its source, tags and every other output stay."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("Predict: what does it print?"),
                nbformat.v4.new_code_cell("print(42)", metadata={"tags": ["reveal"],
                                                                 "slideshow": {"slide_type": "skip"}}),
                nbformat.v4.new_markdown_cell("*My prediction:* ..."),
                nbformat.v4.new_code_cell("print(43)"),
                *make_student.explain_exercise("Why 42?", "Because.")]
    for number, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.execution_count = number
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"output {number}\n")]
    copy = make_student.student_copy(nb)
    nbformat.validate(copy)
    revealed, other = copy.cells[1], copy.cells[3]
    assert revealed.outputs == [] and revealed.execution_count is None
    assert revealed.source == "print(42)" and revealed.metadata == nb.cells[1].metadata
    assert other.outputs == nb.cells[3].outputs and other.execution_count == 3
    assert nb.cells[1].outputs                              # the full notebook keeps them


def test_exercise_cells_follow_the_convention():
    task, skeleton, solution, check = make_student.implement_exercise("t", "s", "sol", "c")
    assert (task.cell_type, skeleton.cell_type, solution.cell_type, check.cell_type) == (
        "markdown", "code", "code", "code")
    assert skeleton.metadata == {"tags": ["exercise"]}
    assert solution.metadata == {"tags": ["solution"], "jupyter": {"source_hidden": True}}
    question, answer = make_student.explain_exercise("q", "a")
    assert answer.cell_type == "markdown" and answer.metadata["jupyter"] == {"source_hidden": True}
    check = make_student.check_cell("assert True")
    assert check.cell_type == "code" and make_student.is_check(check)
    assert check.metadata == {"tags": ["check"], "jupyter": {"source_hidden": True, "outputs_hidden": True},
                              "slideshow": {"slide_type": "skip"}}
    assert make_student.has_exercises(exercise_notebook())
    assert not make_student.has_exercises(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]))


def test_build_writes_a_folder_that_keeps_a_students_work(tmp_path):
    source, out = tmp_path / "notebooks", tmp_path / "student"
    source.mkdir()
    nbformat.write(exercise_notebook(), source / "01_a.ipynb")
    (source / "figure.svg").write_text("<svg/>")
    (source / ".ipynb_checkpoints").mkdir()
    messages = []
    assert make_student.build(source, out, log=messages.append) == [out / "01_a.ipynb"]
    assert sorted(p.name for p in out.iterdir()) == ["01_a.ipynb", "README.md", "figure.svg"]
    assert "make student" in (out / "README.md").read_text()

    fresh = (out / "01_a.ipynb").read_text()
    assert make_student.build(source, out, log=messages.append) == [out / "01_a.ipynb"]   # same text
    (out / "01_a.ipynb").write_text(fresh.replace("raise NotImplementedError", "return x + x"))
    assert make_student.build(source, out, log=messages.append) == []
    assert "left as it is" in messages[-2] and "return x + x" in (out / "01_a.ipynb").read_text()
    assert make_student.build(source, out, force=True, log=messages.append) == [out / "01_a.ipynb"]
    assert (out / "01_a.ipynb").read_text() == fresh


def test_command_line(tmp_path, capsys):
    source = tmp_path / "nb"
    source.mkdir()
    nbformat.write(exercise_notebook(), source / "01_a.ipynb")
    make_student.main([str(source), str(tmp_path / "out")])
    assert "1 notebook(s) written" in capsys.readouterr().out
    assert (tmp_path / "out" / "01_a.ipynb").exists()
