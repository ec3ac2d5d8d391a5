"""Stepper latency in a real browser, and the CPU that each process spends on a step.

Starts its own JupyterLab (from this venv, on 127.0.0.1 with a random port and token, serving
a temporary copy of notebooks/), opens a notebook in headless Chromium (``labdriver.CHROMIUM``,
through Playwright) at 1280x720, runs it (Run All once its kernel is connected and idle), and steps
the stepper one half-step at a time, timing in the page from the input to the new PNG
decoded and painted (the picture of the next half-step was drawn ahead by the kernel, while the
one before was shown: the browser shows it without a round trip).  Prints the median of the
steps against the goal (``stepper_ui.LATENCY_GOAL_MS``; the browser tests report the same
latency in their summary and assert nothing about it), and the CPU milliseconds per step of
the kernel, the Jupyter server and Chromium (this benchmark's own processes, read with
psutil): on a shared 2-core machine the wall time follows the load, the CPU time much less,
and under load every CPU millisecond of a step is one the others wait for.  Chromium's share
includes Playwright's polling for the new image.  With ``--screenshot PATH`` it also saves the
stepper (cropped to the widget) after the steps, which is how docs/stepper.png is made.

    python benchmarks/bench_browser.py [--notebook 03_gmm_2d.ipynb] [--steps 10]
                                       [--screenshot docs/stepper.png]
    python benchmarks/bench_browser.py --notebook all        # the first stepper of each notebook
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from labdriver import (CHROMIUM, NOTEBOOKS, VIEWPORT, LabServer, launch_chromium,  # noqa: E402
                       open_notebook, run_all)
from stepper_ui import LATENCY_GOAL_MS, steppers  # noqa: E402

try:
    import psutil           # installed with ipykernel
except ImportError:
    psutil = None

# One BLAS thread in the kernel, as `make test` and `make lab` have it (the Makefile exports
# it): with more, OpenBLAS's idle threads spin after every small matrix product of a step.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


class ProcessCPU:
    """CPU seconds (user + system) of the kernel, the server and Chromium: the processes that
    this benchmark started (its children and theirs), sorted by their command lines."""

    ROLES = {"kernel": "ipykernel", "server": "jupyter", "chromium": "chromium"}

    def __init__(self):
        self.available = psutil is not None

    def seconds(self):
        """``{role: seconds}`` now (empty without psutil)."""
        if not self.available:
            return {}
        totals = dict.fromkeys(self.ROLES, 0.0)
        for process in psutil.Process().children(recursive=True):
            try:
                command, times = " ".join(process.cmdline()), process.cpu_times()
            except psutil.Error:            # ended meanwhile
                continue
            role = next((r for r, word in self.ROLES.items() if word in command), None)
            if role:
                totals[role] += times.user + times.system
        return totals


def measure(page, server, notebook, steps, cpu):
    """Open and run ``notebook``, step its first stepper ``steps`` times; returns
    ``(run_all_seconds, latencies_ms, {role: cpu_ms_per_step}, stepper)``."""
    open_notebook(page, server, notebook)
    seconds = run_all(page)
    stepper = steppers(page)[0]
    stepper.root.scroll_into_view_if_needed()
    stepper.step_latencies(2)                  # warm-up: first draws, caches
    before = cpu.seconds()
    times = stepper.step_latencies(steps)
    after = cpu.seconds()
    per_step = {role: 1e3 * (after[role] - before[role]) / steps for role in after}
    return seconds, times, per_step, stepper


def report(notebook, seconds, times, per_step):
    median = statistics.median(times)
    cpu = ("; CPU ms per step: " + ", ".join(f"{role} {ms:.1f}" for role, ms in per_step.items())
           if per_step else "; CPU per step: needs psutil")
    print(f"{notebook}: Run All {seconds:.1f} s; stepper, one half-step -> updated figure in "
          f"Chromium, {len(times)} steps: median {median:.0f} ms (min {min(times):.0f}, "
          f"max {max(times):.0f})   goal <= {LATENCY_GOAL_MS} ms: "
          f"{'met' if median <= LATENCY_GOAL_MS else 'MISSED'}{cpu}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", default="03_gmm_2d.ipynb",
                        help="a notebook in notebooks/, several separated by commas, or all")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--screenshot", type=Path, help="save the (last notebook's) stepper (PNG) here")
    parser.add_argument("--half-step", type=int, default=7,
                        help="half-step the screenshot shows (default 7: iteration 3's E-step)")
    args = parser.parse_args()
    notebooks = NOTEBOOKS if args.notebook == "all" else args.notebook.split(",")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not CHROMIUM.exists():
        print(f"bench_browser: skipped, needs playwright and {CHROMIUM} "
              "(apt-get install chromium chromium-driver chromium-headless-shell)")
        return
    every = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "notebooks").mkdir()
        for notebook in notebooks:
            shutil.copy2(ROOT / "notebooks" / notebook, tmp / "notebooks")
        server = LabServer(tmp / "notebooks", tmp)
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                page = browser.new_page(viewport=VIEWPORT)
                for notebook in notebooks:
                    seconds, times, per_step, stepper = measure(page, server, notebook, args.steps,
                                                                ProcessCPU())
                    report(notebook, seconds, times, per_step)
                    every += times
                    server.shutdown_kernels()       # one kernel at a time, as a student has
                if args.screenshot:
                    while stepper.value != args.half_step:
                        stepper.key("ArrowUp" if stepper.value < args.half_step else "ArrowDown")
                    page.mouse.move(0, 0)            # no hover highlight in the picture
                    stepper.root.screenshot(path=args.screenshot)
                browser.close()
        finally:
            server.stop()
    if len(notebooks) > 1:
        print(f"all: median {statistics.median(every):.0f} ms over {len(every)} steps "
              f"(goal <= {LATENCY_GOAL_MS} ms)")
    if args.screenshot:
        print(f"stepper screenshot: {args.screenshot} ({args.screenshot.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
