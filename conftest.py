"""pytest set-up shared by the unit tests and the notebook checks (nbval).

Each notebook runs once under nbval (every output compared with the stored one), and then
once more, top to bottom, in the same kernel: the item "Run All again" after its last cell is
a student pressing Run All a second time.  That second pass must raise nothing.
"""
import os
from pathlib import Path
from queue import Empty

import pytest

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


class RunAllAgain(pytest.Item):
    """Execute every code cell of the notebook again in nbval's kernel (after nbval's own
    pass); fails with the first error a cell raises."""

    def runtest(self):
        kernel, timeout = self.parent.kernel, self.config.option.nbval_cell_timeout
        if kernel is None or not kernel.is_alive():
            raise RuntimeError("the notebook's kernel is not running")
        cells = [c for c in self.parent.nb.cells if c.cell_type == "code"]
        for number, cell in enumerate(cells):
            msg_id = kernel.execute_cell_input(cell.source, allow_stdin=False)
            while True:
                try:
                    reply = kernel.get_message(stream="shell", timeout=timeout)
                except Empty:
                    raise AssertionError(f"second Run All: cell {number} did not finish in "
                                         f"{timeout} s") from None
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            content = reply["content"]
            if content["status"] != "ok":
                raise AssertionError(f"second Run All: cell {number} raised "
                                     f"{content.get('ename')}: {content.get('evalue')}\n"
                                     f"{cell.source}")

    def reportinfo(self):
        return self.path, None, f"{self.parent.name}::Run All again"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """After the last cell of each notebook collected by nbval, add "Run All again"."""
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
            out.append(RunAllAgain.from_parent(parent, name="Run All again"))
    items[:] = out
