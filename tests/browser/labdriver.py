"""Drive JupyterLab in Chromium: the server (LabServer), the browser launch, and what a
student does in a notebook (open it, Run All, use the stepper).  Shared by the browser tests
(tests/browser/) and benchmarks/bench_browser.py."""
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = Path(os.environ.get("EMLAB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
LATENCY_GOAL_MS = 250            # median slider step -> updated figure (issue 5)
SERVER_START_TIMEOUT = 90          # seconds until /api/status answers
# JupyterLab settings for the session: every cell stays in the DOM (no windowing), and no
# news or update checks (no network).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A running JupyterLab: ``url`` (no trailing slash), ``token``, ``root`` (its notebooks)."""

    def __init__(self, root, tmp):
        self.root, self.port, self.token = root, free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        settings = tmp / "settings"
        for name, values in LAB_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
                   JUPYTER_CONFIG_DIR=str(tmp / "config"), PYTHONHASHSEED="0")
        env.pop("MPLBACKEND", None)         # with MPLBACKEND=Agg the kernel shows no figures
        self.log = open(tmp / "jupyter-lab.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root}",
             f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
             "--LabApp.news_url=", "--ServerApp.open_browser=False"],
            cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_until_up()

    def wait_until_up(self):
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        request = urllib.request.Request(f"{self.url}/api/status",
                                         headers={"Authorization": f"token {self.token}"})
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.process.returncode}; "
                                   f"see {self.log.name}")
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {SERVER_START_TIMEOUT} s; "
                           f"see {self.log.name}")

    def notebook_url(self, name):
        return f"{self.url}/lab/tree/{name}?token={self.token}&reset"

    def stop(self):
        """Stop this server (by its own PID): terminate, then kill."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.log.close()


def launch_chromium(playwright):
    """Debian's Chromium, headless, with the flags that work here (Playwright's own browser
    download does not)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)


def shutdown_kernels(server):
    """Shut down every kernel session of ``server`` (one notebook's kernel after its test)."""
    headers = {"Authorization": f"token {server.token}"}
    with urllib.request.urlopen(urllib.request.Request(f"{server.url}/api/sessions", headers=headers),
                                timeout=10) as response:
        sessions = json.load(response)
    for session in sessions:
        request = urllib.request.Request(f"{server.url}/api/sessions/{session['id']}",
                                         headers=headers, method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()


# ---- a notebook in JupyterLab ------------------------------------------------------------

PROMPTS_JS = ("() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
              ".map(e => e.innerText.trim())")
RUN_TIMEOUT_MS = 240_000


def open_notebook(page, server, name):
    """Open notebook ``name`` and wait until its kernel is idle."""
    page.goto(server.notebook_url(name))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    wait_idle(page, timeout=90_000)


def wait_idle(page, timeout=RUN_TIMEOUT_MS):
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout)


def run_all(page):
    """Run > Run All Cells, then wait until no cell is queued or running and the kernel is
    idle.  Returns the seconds Run All took."""
    prompts = page.evaluate(PROMPTS_JS)
    if not prompts:
        raise AssertionError("the notebook shows no code cells")
    page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})   # make it the active panel
    started = time.monotonic()
    for _attempt in range(3):        # a menu click right after the kernel connects can be lost
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        page.get_by_text("Run All Cells", exact=True).click()
        try:
            page.wait_for_function(f"() => ({PROMPTS_JS})().some(p => p === '[*]:')", timeout=10_000)
            break
        except Exception:       # noqa: BLE001 -- playwright's TimeoutError; try the menu again
            if page.evaluate(PROMPTS_JS) != prompts:
                break           # it ran (and ended) faster than we looked
            page.keyboard.press("Escape")
    else:
        raise AssertionError("Run > Run All Cells did not start the notebook")
    # Run All queues every cell as [*]; they end numbered, or back at [ ] after an error.
    page.wait_for_function(f"() => !({PROMPTS_JS})().includes('[*]:')", timeout=RUN_TIMEOUT_MS,
                           polling=250)
    wait_idle(page)
    return time.monotonic() - started


def unexecuted_cells(page):
    """Indices of the code cells without an execution count."""
    return [i for i, p in enumerate(page.evaluate(PROMPTS_JS)) if not re.fullmatch(r"\[\d+\]:", p)]


def error_outputs(page):
    """Texts of the error and stderr outputs shown in the notebook."""
    return page.evaluate("""() => [...document.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], ' +
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')]
        .map(e => e.innerText.slice(0, 2000))""")


# ---- the stepper (emlab.widgets.Stepper: Play, slider, E/M toggle, image) ---------------------

STEPPERS = ".jp-Notebook .widget-vbox:has(> .widget-hbox .widget-play):has(> .widget-image)"


class StepperUI:
    """One stepper widget on the page: its controls and its image."""

    def __init__(self, page, root):
        self.page, self.root = page, root
        self.image = root.locator("img.widget-image")
        self.handle = root.locator(".widget-slider .noUi-handle")
        self.play_button = root.locator(".widget-play button").nth(0)     # play / pause

    @property
    def value(self):
        return int(float(self.handle.get_attribute("aria-valuenow")))

    @property
    def maximum(self):
        return int(float(self.handle.get_attribute("aria-valuemax")))

    def half(self):
        """The selected half-step button's label: "E-step" or "M-step"."""
        return self.root.locator(".widget-toggle-button.mod-active").inner_text().strip()

    def pixels(self):
        """The image as the browser shows it (PNG screenshot of the element)."""
        return self.image.screenshot()

    def arm(self):
        """Start watching for the next image update: timed from the next keydown or click
        anywhere on the page to the new image decoded and painted (read with ``latency``)."""
        self.image.evaluate("""img => {
            const before = img.src;
            window.__emlab = {t0: null, ms: null};
            const start = () => { if (window.__emlab.t0 === null) window.__emlab.t0 = performance.now(); };
            document.addEventListener('keydown', start, {capture: true, once: true});
            document.addEventListener('mousedown', start, {capture: true, once: true});
            const observer = new MutationObserver(() => {
                if (img.src === before) return;
                observer.disconnect();
                img.decode().catch(() => {}).then(() => requestAnimationFrame(() => {
                    window.__emlab.ms = performance.now() - (window.__emlab.t0 ?? performance.now());
                }));
            });
            observer.observe(img, {attributes: true, attributeFilter: ['src']});
        }""")

    def latency(self, timeout=30_000):
        """Milliseconds from the armed input to the updated image (waits for it)."""
        self.page.wait_for_function("() => window.__emlab && window.__emlab.ms !== null",
                                    timeout=timeout, polling="raf")
        return self.page.evaluate("() => window.__emlab.ms")

    def key(self, key):
        """Press ``key`` on the slider handle; returns the ms until the new image is shown."""
        self.arm()
        self.handle.press(key)
        return self.latency()

    def toggle(self, label):
        """Click the half-step button ``label`` ("E-step"/"M-step"); ms until the new image."""
        self.arm()
        self.root.locator(".widget-toggle-button", has_text=label).click()
        return self.latency()

    def step_latencies(self, steps=10):
        """Move the slider one step at a time, ``steps`` times (right to the end, then back
        left), timing each step to its updated image."""
        times, direction = [], "ArrowRight"
        for _ in range(steps):
            if direction == "ArrowRight" and self.value >= self.maximum:
                direction = "ArrowLeft"
            elif direction == "ArrowLeft" and self.value <= 0:
                direction = "ArrowRight"
            times.append(self.key(direction))
        return times


def steppers(page):
    return [StepperUI(page, page.locator(STEPPERS).nth(i)) for i in range(page.locator(STEPPERS).count())]
