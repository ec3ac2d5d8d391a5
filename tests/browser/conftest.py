"""Fixtures for the real-browser tests: one JupyterLab server and one Chromium per session,
and the exported decks and pages built once per session.

The server runs from this venv (``sys.executable -m jupyter lab``) on 127.0.0.1 with a free
port and a random token, serving the student copies of notebooks/ in a temporary folder (as a
student opens them; Run All never touches the committed notebooks; emlab.data finds its CSV
files in the package, so the copies need nothing else).  The browser is Debian's Chromium (its
headless shell where installed) driven by Playwright, at a projector's 1280x720.  The
notebooks open one after the other in one JupyterLab page, loaded once (``Lectures``); each
one's kernel is shut down after its test.

The slow set-up starts as soon as the tests are collected, in the background, so that it
overlaps: JupyterLab's start, and ``tools/offline_export.py`` writing the decks and pages
(``make slides``, ``make html``) into a temporary folder.  Under pytest-xdist each worker
starts what its tests need when they first need it.

Without Chromium or Playwright the tests are skipped with the reason; when CI or
EMLAB_REQUIRE_BROWSER=1 is set they fail instead (a skip in CI is a failure).
"""
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
# The browser driver (labdriver, stepper_ui, slideshow) and make_student are tools/, which the
# tests of this folder import.
sys.path.insert(0, str(ROOT / "tools"))
from labdriver import (CHROMIUM, NOTEBOOKS, VIEWPORT, LabServer, launch_chromium,  # noqa: E402
                       open_and_run_all, open_lab)
from make_student import student_copy  # noqa: E402
from slideshow import stop_slideshow  # noqa: E402

ARTIFACTS = ROOT / "artifacts" / "browser"      # the screenshots test_notebooks.py saves

# Measurements the tests pass on (within a process: a fit test reads what the test before it
# measured) ...
LIVE_SLIDES = {}    # notebook -> {"slides": [(first cell, height px, window px)], "presses", "dead", "readability"}
DECK_SLIDES = {}    # notebook -> reveal.js measure of its exported deck (test_exports.py)
PAGE_VIOLATIONS = {}    # notebook -> axe's violations on its exported page (test_exports.py)
# ... and report: tests/browser/report.py, loaded by the root conftest.py (the main process
# of pytest-xdist loads no conftest below the root).
_STARTED = {}       # what pytest_collection_finish started: "lab", "exports"


def browser_required():
    """True when a missing browser must fail the run instead of skipping it."""
    return bool(os.environ.get("CI")) or os.environ.get("EMLAB_REQUIRE_BROWSER") == "1"


def skip_or_fail(reason):
    if browser_required():
        pytest.fail(f"{reason} (CI / EMLAB_REQUIRE_BROWSER=1: the browser tests must run)",
                    pytrace=False)
    pytest.skip(reason)


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: a test in tests/browser: JupyterLab or the exported "
                                       "decks and pages, in Chromium (or, for a few, read as files)")
    config.addinivalue_line("markers", "slides_fit: every slide fits the screen (live slideshow "
                                       "and exported deck); deselect with -m 'not slides_fit'")


# ---- the slow set-up, started early ------------------------------------------------------------

def start_lab():
    """A JupyterLab (starting, not yet up) serving the student copies of notebooks/ (``make
    student``: the solutions out) in a temporary folder.  Their slides are the full notebooks'
    (every cell that differs is skipped in slides: tests/test_student_copy.py)."""
    tmp = Path(tempfile.mkdtemp(prefix="emlab-lab-"))
    root = tmp / "notebooks"
    root.mkdir()
    for name in NOTEBOOKS:
        nbformat.write(student_copy(nbformat.read(ROOT / "notebooks" / name, as_version=4)), root / name)
    return LabServer(root, tmp)


def export(to, notebooks):
    """``tools/offline_export.py`` (what ``make slides`` / ``make html`` run) of the copies in
    ``notebooks`` into the folder ``to`` beside them; returns that folder, or the error text."""
    out = notebooks.parent / to
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "offline_export.py"), to, str(out),
                           *(str(notebooks / n) for n in NOTEBOOKS)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        return f"tools/offline_export.py {to} failed:\n{done.stderr[-3000:]}"
    return out


EXPORTS = {"slides": "slides_dir", "html": "pages_dir"}     # what -> the fixture giving it


def start_exports(kinds=tuple(EXPORTS)):
    """Copy notebooks/ (the tests read the same copies), then export them (``kinds``: "slides",
    "html") in a background thread."""
    notebooks = Path(tempfile.mkdtemp(prefix="emlab-exports-")) / "notebooks"
    notebooks.mkdir()
    for name in NOTEBOOKS:
        shutil.copy2(ROOT / "notebooks" / name, notebooks / name)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emlab-export")
    exports = {to: pool.submit(export, to, notebooks) for to in kinds}
    pool.shutdown(wait=False)
    return exports


def pytest_collection_finish(session):
    """Start JupyterLab and the exports now if the selected tests need them."""
    if os.environ.get("PYTEST_XDIST_WORKER") or not CHROMIUM.exists():
        return
    wanted = {name for item in session.items for name in getattr(item, "fixturenames", ())}
    kinds = [to for to, fixture in EXPORTS.items() if fixture in wanted]
    if kinds:
        _STARTED["exports"] = start_exports(kinds)
    if "lab" in wanted:
        _STARTED["lab"] = start_lab()


def pytest_sessionfinish(session):
    server = _STARTED.pop("lab", None)       # started, never used (its tests were skipped)
    if server is not None:
        server.stop()
        shutil.rmtree(server.root.parent, ignore_errors=True)


# ---- fixtures -----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright():
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} not found: install it with `apt-get install chromium "
                     "chromium-driver chromium-headless-shell` to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    browser = launch_chromium(playwright)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def lab(playwright):
    """The JupyterLab serving a temporary copy of notebooks/, up."""
    server = _STARTED.pop("lab", None) or start_lab()
    try:
        yield server.wait_until_up()
    finally:
        server.stop()
        shutil.rmtree(server.root.parent, ignore_errors=True)


class Lectures:
    """One JupyterLab page, in its own browser profile, on which the notebooks are opened and
    run in turn (loaded once)."""

    def __init__(self, browser, lab):
        self.browser, self.lab, self.page = browser, lab, None

    def open(self):
        """The page, with JupyterLab loaded."""
        if self.page is None:
            self.page = self.browser.new_context(viewport=VIEWPORT).new_page()
            open_lab(self.page, self.lab)
        return self.page

    def take(self, name):
        """Notebook ``name`` opened and run (Run All once its kernel is ready) to its end:
        returns (page, seconds from Run All to its end)."""
        page = self.open()
        return page, open_and_run_all(page, self.lab, name)

    def reset(self):
        """After a failure: out of the slideshow, JupyterLab reloaded."""
        try:
            stop_slideshow(self.page)
        except Exception:         # noqa: BLE001 -- not presenting, or the page is broken
            pass
        open_lab(self.page, self.lab)

    def close(self):
        if self.page is not None:
            self.page.context.close()


@pytest.fixture(scope="session")
def lectures(browser, lab):
    lectures = Lectures(browser, lab)
    yield lectures
    lectures.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed
    return report


@pytest.fixture
def lecture(request, lectures, lab):
    """``lecture(name)`` -> (page, Run All seconds): notebook ``name`` opened in JupyterLab
    and run (Run All once its kernel is connected and idle).  Afterwards its kernel is shut
    down (in the background); after a failure the page is reloaded."""
    taken = []

    def take(name):
        taken.append(name)
        return lectures.take(name)
    yield take
    for name in taken:
        lab.shutdown_kernels(path=name, wait=False)
    if taken and getattr(request.node, "call_failed", True):
        lectures.reset()


@pytest.fixture
def notebook_page(request, lectures, lab):
    """The JupyterLab page for a test that opens its own notebook (open_notebook, run_all).
    Afterwards the kernels it started are shut down (in the background); after a failure
    the page is reloaded."""
    page = lectures.open()
    before = {session["id"] for session in lab.api("/api/sessions")}
    yield page
    lab.shutdown_kernels(keep=before, wait=False)
    if getattr(request.node, "call_failed", True):
        lectures.reset()


def exported(to):
    exports = _STARTED.setdefault("exports", {})
    if to not in exports:
        exports.update(start_exports([to]))
    out = exports[to].result()
    if isinstance(out, str):
        if "npm not found" in out:
            skip_or_fail(out.strip().splitlines()[-1])
        pytest.fail(out, pytrace=False)
    return out


@pytest.fixture(scope="session")
def slides_dir():
    """The decks of every notebook with their vendor/ folder, as ``make slides`` writes them
    (the notebooks they were made from are in ``slides_dir.parent / "notebooks"``)."""
    out = exported("slides")
    yield out
    shutil.rmtree(out.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def pages_dir():
    """The HTML pages of every notebook with their vendor/ folder, as ``make html`` writes them."""
    out = exported("html")
    yield out
    shutil.rmtree(out.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def live_slides():
    return LIVE_SLIDES


@pytest.fixture
def deck_slides():
    return DECK_SLIDES


@pytest.fixture
def page_violations():
    return PAGE_VIOLATIONS
