"""Fixtures for the real-browser tests: one JupyterLab server and one Chromium per session.

The server runs from this venv (``sys.executable -m jupyter lab``) on 127.0.0.1 with a free
port and a random token, serving a temporary copy of notebooks/ (Run All never touches the
committed notebooks; emlab.data finds data/ through the package, so the copy needs nothing
else).  The browser is Debian's Chromium (/usr/bin/chromium) driven by Playwright, headless;
each test gets a fresh context (a fresh profile: no cookies, no storage).

Without Chromium or Playwright the tests are skipped with the reason; when CI or
EMLAB_REQUIRE_BROWSER=1 is set they fail instead (a skip in CI is a failure).
"""
import os
import shutil
import statistics

import pytest

from labdriver import (ARTIFACTS, CHROMIUM, LATENCY_GOAL_MS, NOTEBOOKS, ROOT, LabServer,
                       launch_chromium, shutdown_kernels)


def browser_required():
    """True when a missing browser must fail the run instead of skipping it."""
    return bool(os.environ.get("CI")) or os.environ.get("EMLAB_REQUIRE_BROWSER") == "1"


def skip_or_fail(reason):
    if browser_required():
        pytest.fail(f"{reason} (CI / EMLAB_REQUIRE_BROWSER=1: the browser tests must run)",
                    pytrace=False)
    pytest.skip(reason)


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives JupyterLab or an exported page in Chromium")


@pytest.fixture(scope="session")
def playwright():
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} not found: install it with "
                     "`apt-get install chromium chromium-driver` to run the browser tests")
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


@pytest.fixture
def context(browser):
    """A fresh browser profile for one test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture(scope="session")
def lab(tmp_path_factory, playwright):
    """A JupyterLab serving a temporary copy of notebooks/."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "notebooks"
    root.mkdir()
    for name in NOTEBOOKS:
        shutil.copy2(ROOT / "notebooks" / name, root / name)
    server = LabServer(root, tmp)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


LATENCIES = {}      # notebook -> slider-step latencies in ms, filled by test_notebooks.py


@pytest.fixture
def latencies():
    return LATENCIES


@pytest.fixture
def notebook_page(context, lab):
    """A page in a fresh profile; the kernels it started are shut down afterwards."""
    page = context.new_page()
    yield page
    page.close()
    shutdown_kernels(lab)


def pytest_terminal_summary(terminalreporter):
    if not LATENCIES:
        return
    terminalreporter.section("stepper latency in Chromium: slider step -> updated figure")
    for name, times in LATENCIES.items():
        terminalreporter.write_line(f"{name}: median {statistics.median(times):.0f} ms over "
                                    f"{len(times)} steps (min {min(times):.0f}, max {max(times):.0f})")
    every = [t for times in LATENCIES.values() for t in times]
    terminalreporter.write_line(f"all: median {statistics.median(every):.0f} ms over {len(every)} steps "
                                f"(goal <= {LATENCY_GOAL_MS} ms)")
