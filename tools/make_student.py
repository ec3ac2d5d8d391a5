"""Make the student copy of the notebooks: the same notebooks with the exercises' solutions out.

    python tools/make_student.py [SOURCE_DIR] [OUT_DIR] [--force]     (default: notebooks build/student)

An exercise in a notebook is written as these cells (``implement_exercise`` and
``explain_exercise`` below make them):

1. a markdown cell with the task;
2. a code cell tagged ``exercise``: the skeleton, e.g.
   ``def e_step(x, params):\\n    raise NotImplementedError``;
3. a cell tagged ``solution``, collapsed in JupyterLab (metadata
   ``"jupyter": {"source_hidden": true}``): the full solution, redefining the same function
   (for an "explain" exercise, a markdown cell with the model answer and no skeleton);
4. a code cell calling the checker, e.g. ``exercises.check_e_step(poisson, e_step)``.

No later cell may call the student's function: in the student copy it raises
NotImplementedError, and Run All must still reach the end.

Check cells, tagged ``check`` (``check_cell`` below makes one), assert what the prose says of
the numbers beside them: nbval runs them with the full notebook, collapsed (source and output
hidden), ``skip`` in slides.  They are for the notebook's authors, not for the student: the
student copy leaves them out, so no later cell may read a name that only a check cell binds.

Every other cell keeps its place.  A solution cell's source becomes a short note (its tags
stay, its ``source_hidden`` goes), and the outputs of the solution cell and of the code cells
right after it, up to the next markdown cell, are cleared: they show what the solution printed
(the checker's ``✓`` line), or, after a model answer, what a "predict, then check" cell shows
(the student predicts before running it).  A "predict, then check" result cell that comes
*before* its answer box, out of reach of that rule, is tagged ``reveal``: the student copy
clears its outputs too, so that the student predicts first, then runs it.  A notebook
already in OUT_DIR that differs from the fresh copy (a student's work) is left as it is
unless ``--force`` is given.
Needs only the standard library and nbformat.
"""
import argparse
import ast
import shutil
import sys
from pathlib import Path

import nbformat

EXERCISE_TAG, SOLUTION_TAG, CHECK_TAG, REVEAL_TAG = "exercise", "solution", "check", "reveal"
# What each checker prints in the student copy, where the skeleton is not yet filled in.
NOT_YET = "✗ not implemented yet\n"
CODE_NOTE = "# Your solution goes in the exercise cell above."
MARKDOWN_NOTE = "*Your answer:* (double-click to write it here)"
README = """\
# The student copy of the emlab notebooks

These are the notebooks of `notebooks/` with the exercises' solutions taken out.  Open them
with the project's JupyterLab, from the top of the repository:

    make student                                  # (re)writes this folder; keeps notebooks you changed
    .venv/bin/jupyter lab build/student/

Work through them in order (01, 02, ...).  Each exercise has a cell tagged `exercise` with a
function to fill in; run it, then run the cell below it: the checker prints `✓ ...` when your
function is right, or `✗ ...` naming the first mistake it found.  The solutions are in the
full notebooks in `notebooks/` (collapsed cells under each exercise).
"""


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def is_check(cell):
    return CHECK_TAG in tags(cell)


def has_exercises(nb):
    return any(SOLUTION_TAG in tags(cell) or EXERCISE_TAG in tags(cell) for cell in nb.cells)


def student_copy(nb):
    """A copy of ``nb`` without its check cells, the sources of its solution cells, the
    outputs they made and the outputs of cells tagged ``reveal``."""
    nb = nbformat.from_dict(nb)            # a deep copy
    nb.cells = [cell for cell in nb.cells if not is_check(cell)]
    clearing = False
    for cell in nb.cells:
        if SOLUTION_TAG in tags(cell):
            cell.source = CODE_NOTE if cell.cell_type == "code" else MARKDOWN_NOTE
            jupyter = cell.metadata.get("jupyter")
            if jupyter is not None:
                jupyter.pop("source_hidden", None)
                if not jupyter:
                    del cell.metadata["jupyter"]
            clearing = True
        elif cell.cell_type == "markdown" or EXERCISE_TAG in tags(cell):
            clearing = False
        if cell.cell_type == "code" and (clearing or REVEAL_TAG in tags(cell)):
            cell.outputs, cell.execution_count = [], None
    return nb


def checker_cells(nb):
    """Indices of the checker calls: by the convention, the code cell right after a code cell
    tagged ``solution``."""
    cells = nb.cells
    return [i + 1 for i, cell in enumerate(cells[:-1]) if cell.cell_type == "code"
            and SOLUTION_TAG in tags(cell) and cells[i + 1].cell_type == "code"]


def exercise_cells(nb):
    """Indices of the exercises' code cells, in order: skeletons, solutions, checker calls."""
    checkers = set(checker_cells(nb))
    return [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            and (i in checkers or {EXERCISE_TAG, SOLUTION_TAG} & set(tags(cell)))]


def _python(source):
    """A cell's source as Python: IPython's magics and shell lines (``%``, ``!``) left out."""
    return ast.parse("\n".join("pass" if line.lstrip().startswith(("%", "!")) else line
                               for line in source.splitlines()))


def _top_level_names(source):
    """Names a cell binds at its top level (functions, classes, assignments, loops, imports)."""
    names = set()
    for statement in _python(source).body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in statement.names}
        else:
            names |= {node.id for node in ast.walk(statement)
                      if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    return names


def _free_names(source):
    """Names a cell reads and does not bind anywhere itself (a conservative approximation)."""
    tree = _python(source)
    bound = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)
             and isinstance(node.ctx, ast.Store)}
    bound |= {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
    bound |= {node.name for node in ast.walk(tree)
              if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler))
              and node.name}
    bound |= {(alias.asname or alias.name).split(".")[0] for node in ast.walk(tree)
              if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)} - bound


def solution_names_used_later(nb):
    """``(name, cell index)`` for each name that a later code cell reads although, in the
    student copy, it is not what the full notebook has there: a name only a solution cell
    binds (its skeleton does not), or a name the skeleton binds (the student's function,
    which raises NotImplementedError until written), read by a cell other than the
    exercise's checker.  In the student copy such a cell would fail.  (Check cells are not in
    the student copy: they are skipped; ``check_names_used_later`` looks at them.)"""
    found, differs, skeleton = [], set(), set()
    checkers = set(checker_cells(nb))
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or is_check(cell):
            continue
        if EXERCISE_TAG in tags(cell):
            skeleton = _top_level_names(cell.source)
        elif SOLUTION_TAG in tags(cell):
            differs |= _top_level_names(cell.source) | skeleton
        else:
            if index not in checkers:
                found += [(name, index) for name in sorted(_free_names(cell.source) & differs)]
            differs -= _top_level_names(cell.source)
    return found


def check_names_used_later(nb):
    """``(name, cell index)`` for each name that a later code cell other than a check cell
    reads while the last cell before it to bind that name was a check cell: the student copy,
    without its check cells, would fail there (or read a stale value)."""
    found, from_check = [], set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        bound = _top_level_names(cell.source)
        if is_check(cell):
            from_check |= bound
        else:
            found += [(name, index) for name in sorted(_free_names(cell.source) & from_check)]
            from_check -= bound
    return found


def check_cell(source, **metadata):
    """A check cell: asserts out of the student's view (tagged, collapsed, skipped in slides)."""
    return nbformat.v4.new_code_cell(source, metadata={**metadata, **check_metadata()})


def check_metadata():
    return {"tags": [CHECK_TAG], "jupyter": {"source_hidden": True, "outputs_hidden": True},
            "slideshow": {"slide_type": "skip"}}


def implement_exercise(task, skeleton, solution, check):
    """The four cells of an "implement" exercise: task (markdown), skeleton, solution, checker call."""
    return [nbformat.v4.new_markdown_cell(task),
            nbformat.v4.new_code_cell(skeleton, metadata={"tags": [EXERCISE_TAG]}),
            nbformat.v4.new_code_cell(solution, metadata=_solution_metadata()),
            nbformat.v4.new_code_cell(check)]


def explain_exercise(question, answer):
    """The two cells of an "explain" (or "predict") exercise: the question and a hidden model answer."""
    return [nbformat.v4.new_markdown_cell(question),
            nbformat.v4.new_markdown_cell(answer, metadata=_solution_metadata())]


def _solution_metadata():
    return {"tags": [SOLUTION_TAG], "jupyter": {"source_hidden": True}}


def build(source_dir, out_dir, force=False, names=None, log=print):
    """Write the student copy of every notebook in ``source_dir`` (and its other files) to
    ``out_dir``; ``names`` (file names) limits it to those.  Returns the notebooks written."""
    source_dir, out_dir = Path(source_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source_dir.iterdir()):
        if path.name.startswith(".") or path.is_dir() or (names is not None and path.name not in names):
            continue
        target = out_dir / path.name
        if path.suffix != ".ipynb":              # pictures, data next to the notebooks
            shutil.copy2(path, target)
            continue
        nb = student_copy(nbformat.read(path, as_version=4))
        nbformat.validate(nb)
        text = nbformat.writes(nb)
        if target.exists() and not force and target.read_text(encoding="utf-8") != text:
            log(f"{target} differs from a fresh copy (your work?): left as it is "
                "(delete it, or pass --force, to get a fresh copy)")
            continue
        target.write_text(text, encoding="utf-8")
        written.append(target)
    (out_dir / "README.md").write_text(README, encoding="utf-8")
    log(f"student copy: {len(written)} notebook(s) written to {out_dir}/")
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source_dir", nargs="?", default="notebooks")
    parser.add_argument("out_dir", nargs="?", default="build/student")
    parser.add_argument("--force", action="store_true", help="overwrite notebooks changed in OUT_DIR")
    args = parser.parse_args(argv)
    build(args.source_dir, args.out_dir, force=args.force)


if __name__ == "__main__":
    sys.exit(main())
