"""Stepper latency in a real browser: from one half-step to the updated figure on screen.

Starts its own JupyterLab (from this venv, on 127.0.0.1 with a random port and token, serving
a temporary copy of notebooks/), opens a notebook in headless Chromium (/usr/bin/chromium via
Playwright) at 1280x720, runs it (Run All once its kernel is connected and idle), and steps
the stepper one half-step at a time, timing in the page from the input to the new PNG
decoded and painted (the kernel redraws the figure in between).  Prints the median of the
steps against the goal of <= 250 ms on a 2-core machine (the browser tests report the same
latency in their summary and assert nothing about it).  With
``--screenshot PATH`` it also saves the stepper (cropped to the widget) after the steps,
which is how docs/stepper.png is made.

    python benchmarks/bench_browser.py [--notebook 03_gmm_2d.ipynb] [--steps 10]
                                       [--screenshot docs/stepper.png]
"""
import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from labdriver import CHROMIUM, VIEWPORT, LabServer, launch_chromium, open_notebook, run_all  # noqa: E402
from stepper_ui import LATENCY_GOAL_MS, steppers  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", default="03_gmm_2d.ipynb")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--screenshot", type=Path, help="save the stepper (PNG) here")
    parser.add_argument("--half-step", type=int, default=7,
                        help="half-step the screenshot shows (default 7: iteration 3's E-step)")
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not CHROMIUM.exists():
        print(f"bench_browser: skipped, needs playwright and {CHROMIUM} "
              "(apt-get install chromium chromium-driver chromium-headless-shell)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "notebooks").mkdir()
        shutil.copy2(ROOT / "notebooks" / args.notebook, tmp / "notebooks")
        server = LabServer(tmp / "notebooks", tmp)
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                page = browser.new_page(viewport=VIEWPORT)
                open_notebook(page, server, args.notebook)
                seconds = run_all(page)
                stepper = steppers(page)[0]
                stepper.root.scroll_into_view_if_needed()
                times = stepper.step_latencies(args.steps)
                if args.screenshot:
                    while stepper.value != args.half_step:
                        stepper.key("ArrowUp" if stepper.value < args.half_step else "ArrowDown")
                    page.mouse.move(0, 0)            # no hover highlight in the picture
                    stepper.root.screenshot(path=args.screenshot)
                browser.close()
        finally:
            server.stop()
    median = statistics.median(times)
    print(f"{args.notebook}: Run All {seconds:.1f} s; stepper, one half-step -> updated figure in "
          f"Chromium, {len(times)} steps: median {median:.0f} ms (min {min(times):.0f}, "
          f"max {max(times):.0f})   goal <= {LATENCY_GOAL_MS} ms: "
          f"{'met' if median <= LATENCY_GOAL_MS else 'MISSED'}")
    if args.screenshot:
        print(f"stepper screenshot: {args.screenshot} ({args.screenshot.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
