"""pytest set-up shared by the unit tests and the notebook checks (nbval).

Each notebook runs once under nbval (every output compared with the stored one).  Then the
item "Student copy" after its last cell runs, in the same kernel, the exercises as the student
copy has them (``make student``: each skeleton, the note left where its solution was, and its
checker, which must print "✗ not implemented yet").  The student copy as a whole is run top to
bottom by the browser tests, in JupyterLab with a fresh kernel, as a student opens it; that
no later cell depends on a solution (a name only the solution binds, or the student's own
function outside its checker) is checked here on the source.

Under pytest-xdist with ``--dist loadfile`` the units of work are whole files (nbval needs a
notebook's cells in one kernel, in order), except the browser lecture tests, whose unit is one
notebook (``tests/browser/test_notebooks.py``, its walk and then its fit test): see
``ByFileAndLecture``.
"""
import os
from pathlib import Path
import sys
from queue import Empty

import pytest

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from report import pytest_runtest_logreport, pytest_terminal_summary  # noqa: E402,F401 (hooks)


def pytest_configure(config):
    # Kernels started by nbval inherit this environment.
    os.environ["PYTHONHASHSEED"] = "0"
    # One BLAS thread: on a small shared machine threaded BLAS makes tiny matrix calls
    # (2x2 Cholesky, triangular solves) hundreds of times slower.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.pop("MPLBACKEND", None)       # with MPLBACKEND=Agg the kernel shows no figures
    if getattr(config.option, "nbval", False) and not config.option.nbval_sanitize_with:
        config.option.nbval_sanitize_with = str(ROOT / "tests" / "nbval_sanitize.cfg")


class StudentExercises(pytest.Item):
    """In nbval's kernel (after nbval's own pass), the student copy's exercise cells in order:
    each skeleton, the note in place of its solution, and its checker, which must print
    "✗ not implemented yet"; fails with the first error a cell raises.  Also checked on the
    source: no later cell depends on a solution."""

    def runtest(self):
        sys.path.insert(0, str(ROOT / "tools"))
        import make_student
        kernel, timeout = self.parent.kernel, self.config.option.nbval_cell_timeout
        if kernel is None or not kernel.is_alive():
            raise RuntimeError("the notebook's kernel is not running")
        leaks = make_student.solution_names_used_later(self.parent.nb)
        assert not leaks, f"names that differ in the student copy, read by later cells: {leaks}"
        copy = make_student.student_copy(self.parent.nb)
        checkers = set(make_student.checker_cells(copy))
        for index in make_student.exercise_cells(copy):
            cell = copy.cells[index]
            content, stdout = self.execute(kernel, cell.source, timeout)
            if content["status"] != "ok":
                raise AssertionError(f"student copy: cell {index} raised "
                                     f"{content.get('ename')}: {content.get('evalue')}\n{cell.source}")
            if index in checkers:
                assert stdout == make_student.NOT_YET, \
                    f"student copy, checker cell {index} printed {stdout!r}"

    @staticmethod
    def execute(kernel, source, timeout):
        """Run ``source``; returns the execute reply's content and what the cell printed."""
        msg_id = kernel.execute_cell_input(source, allow_stdin=False)
        stdout, idle, content = [], False, None
        while not idle or content is None:
            stream = "iopub" if not idle else "shell"
            try:
                message = kernel.get_message(stream=stream, timeout=timeout)
            except Empty:
                raise AssertionError(f"student copy: a cell did not finish in {timeout} s\n"
                                     f"{source}") from None
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind = message["msg_type"]
            if kind == "stream" and message["content"]["name"] == "stdout":
                stdout.append(message["content"]["text"])
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                idle = True
            elif kind == "execute_reply":
                content = message["content"]
        return content, "".join(stdout)

    def reportinfo(self):
        return self.path, None, f"{self.parent.name}::Student copy"


try:
    from xdist.scheduler import LoadFileScheduling
except ImportError:                 # without pytest-xdist the tests run in one process
    pass
else:
    class ByFileAndLecture(LoadFileScheduling):
        """``--dist loadfile``, with each notebook's browser lecture as its own unit, and the
        longest units first: the browser files and notebooks, then the unit tests (which fill
        the workers' last gaps)."""

        LECTURES = "tests/browser/test_notebooks.py"

        def __init__(self, config, log=None):
            super().__init__(config, log)
            config.option.loadscopereorder = False
            self.ordered = False

        def _split_scope(self, nodeid):
            path, _, test = nodeid.partition("::")
            if path == self.LECTURES:           # test_name[notebook]: one unit per notebook
                return f"{path}[{test.partition('[')[2]}"
            return path

        @staticmethod
        def _priority(scope):
            return 0 if scope.startswith("tests/browser/") else 1 if ".ipynb" in scope else 2

        def _assign_work_unit(self, node):
            if not self.ordered:
                for scope in sorted(self.workqueue, key=self._priority):
                    self.workqueue.move_to_end(scope)
                self.ordered = True
            super()._assign_work_unit(node)

    @pytest.hookimpl(tryfirst=True, optionalhook=True)      # optional: -p no:xdist leaves it out
    def pytest_xdist_make_scheduler(config, log):
        if config.getvalue("dist") == "loadfile":
            return ByFileAndLecture(config, log)
        return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """After the last cell of each notebook collected by nbval, add "Student copy"."""
    try:
        from nbval.plugin import IPyNbFile
    except ImportError:
        IPyNbFile = ()
    out = []
    for position, item in enumerate(items):
        out.append(item)
        parent = item.parent
        following = items[position + 1] if position + 1 < len(items) else None
        if isinstance(parent, IPyNbFile) and (following is None or following.parent is not parent):
            out.append(StudentExercises.from_parent(parent, name="Student copy"))
    items[:] = out
