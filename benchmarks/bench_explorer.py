"""Explorer latency in a real browser: from a control change to the first frame of the new run.

Starts its own JupyterLab (from this venv, on 127.0.0.1 with a random port and token) serving a
temporary notebook with two explorers of the same 2-D Gaussian data (n points, K = 3, random
starts, at most 100 iterations): the explorer as it is, whose figure takes each new run in place,
and the same explorer made to build a new figure for every run (a full figure rebuild, what a
widget that re-creates its stepper would do).  In headless Chromium (/usr/bin/chromium via
Playwright) it types a new seed into each, alternately, and times in the page from the Enter
key to the new PNG decoded and painted (the kernel reruns EM and draws in between).  Prints
the medians and their ratio; goal (issue 21): median <= 150 ms (reported, never asserted).

    python benchmarks/bench_explorer.py [--n 1000] [--changes 12]
"""
import argparse
import re
import statistics
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from labdriver import CHROMIUM, LabServer, launch_chromium, open_notebook, run_all, wait_kernel_ready  # noqa: E402
from stepper_ui import STEPPER, StepperUI  # noqa: E402

GOAL_MS = 150
SETUP = """\
import numpy as np
import emlab.widgets
from emlab import gaussian

TRUTH = gaussian.Params([0.3, 0.3, 0.4], [[0, 0], [4, 0], [1, 4]],
                        [np.eye(2), [[1.0, 0.6], [0.6, 1.0]], [[2.0, 0.0], [0.0, 0.5]]])
x, _ = gaussian.sample(TRUTH, {n}, np.random.default_rng(0))
OPTIONS = dict(K=3, init="random", seed=0, max_iter=100)"""
IN_PLACE = "emlab.widgets.explorer(gaussian, x, **OPTIONS)"
REBUILD = """\
rebuild = emlab.widgets.explorer(gaussian, x, **OPTIONS)
keep = rebuild.stepper.set_history        # every run gets a new view: a new figure, drawn whole
rebuild.stepper.set_history = lambda h, view=None, **kw: keep(h, view or type(rebuild.stepper.view), **kw)
rebuild"""


def notebook(n):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(SETUP.format(n=n)), nbformat.v4.new_code_cell(IN_PLACE),
                nbformat.v4.new_code_cell(REBUILD)]
    return nb


def change_seed(page, root, seed):
    """Type ``seed`` into the explorer's seed box and press Enter; returns (ms until the new
    figure is shown, the run's iterations from its caption)."""
    stepper = StepperUI(page, root.locator(STEPPER))
    label = root.locator("label.widget-label", has_text=re.compile("^seed$"))
    field = label.locator("xpath=..").locator("input")
    caption = root.locator(":scope > .widget-html").first
    field.fill(str(seed))
    stepper.arm()
    field.press("Enter")
    ms = stepper.latency()
    page.wait_for_function("([el, text]) => el.innerText.includes(text + ',') && !el.innerText.startsWith('running')",
                           arg=[caption.element_handle(), f"seed = {seed}"], timeout=30_000)
    wait_kernel_ready(page)
    return ms, int(re.search(r"(\d+) iterations?,", caption.inner_text()).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="points (default 1000)")
    parser.add_argument("--changes", type=int, default=12, help="seed changes per explorer (default 12)")
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not CHROMIUM.exists():
        print(f"bench_explorer: skipped, needs playwright and {CHROMIUM} "
              "(apt-get install chromium chromium-driver chromium-headless-shell)")
        return
    times = {"in place": [], "rebuild": []}
    iterations = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "notebooks").mkdir()
        nbformat.write(notebook(args.n), tmp / "notebooks" / "bench_explorer.ipynb")
        server = LabServer(tmp / "notebooks", tmp)
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                open_notebook(page, server, "bench_explorer.ipynb")
                run_all(page)
                page.wait_for_selector(f".emlab-explorer >> nth=1 >> {STEPPER} img.widget-image")
                roots = {"in place": page.locator(".emlab-explorer").nth(0),
                         "rebuild": page.locator(".emlab-explorer").nth(1)}
                for seed in range(1, args.changes + 1):
                    for name, root in roots.items():
                        root.scroll_into_view_if_needed()
                        ms, n_iter = change_seed(page, root, seed)
                        times[name].append(ms)
                    iterations.append(n_iter)
                browser.close()
        finally:
            server.stop()
    median, rebuild = statistics.median(times["in place"]), statistics.median(times["rebuild"])
    print(f"explorer, n = {args.n}, K = 3, {args.changes} seed changes (runs of {min(iterations)} to "
          f"{max(iterations)} iterations, at most 100): control change -> first frame of the new run "
          f"in Chromium: median {median:.0f} ms (min {min(times['in place']):.0f}, "
          f"max {max(times['in place']):.0f})   goal <= {GOAL_MS} ms: "
          f"{'met' if median <= GOAL_MS else 'MISSED'}")
    print(f"full figure rebuild per run: median {rebuild:.0f} ms (min {min(times['rebuild']):.0f}, "
          f"max {max(times['rebuild']):.0f}); in place / rebuild = {median / rebuild:.2f}")


if __name__ == "__main__":
    main()
