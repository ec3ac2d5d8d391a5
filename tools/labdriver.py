"""Drive JupyterLab in Chromium: the server (LabServer), the browser launch, and what a
student does in a notebook (open it, Run All, read what it printed).  Shared by the browser
tests (tests/browser/), the benchmarks (benchmarks/bench_browser.py, bench_explorer.py) and
tools/slide_report.py; ``stepper_ui`` drives the stepper widget on the page, ``slideshow``
the live slideshow and the exported decks.

Every wait here waits for a state (a kernel that is connected and idle, a cell that is shown,
an image whose source changed), never for a fixed time."""
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
# Debian's headless shell where installed (chromium-headless-shell: Playwright's default headless
# mode, less CPU than the whole browser), else the browser (chromium); EMLAB_CHROMIUM overrides.
CHROMIUM = Path(os.environ.get("EMLAB_CHROMIUM") or next(
    (p for p in ("/usr/bin/chromium-headless-shell",) if Path(p).exists()), "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
# The screen of a lecture hall's projector: JupyterLab and the exported decks are seen at this size.
VIEWPORT = {"width": 1280, "height": 720}
SERVER_START_TIMEOUT = 90        # seconds until /api/status answers
# The project's defaults for JupyterLab (`make lab` starts it with this settings folder):
# jupyterlab-slideshow keeps the cells' prompt column, without which JupyterLab's invisible
# "collapse output" strip lies over the first 64 px of every output, the stepper's Play button.
APP_SETTINGS = ROOT / "jupyterlab-settings"
# The project's own JupyterLab extension (`make lab` loads it too): in the live slideshow the
# presenter's keys always move the deck, one step per press, and the text is large.
LAB_EXTENSIONS = ROOT / "jupyterlab-extensions"


def light(selector):
    """``selector`` (CSS) for Playwright, not looking into shadow roots: by default each lookup
    from the page walks every element in search of one, which in a notebook with every cell
    in the DOM costs the page tens of milliseconds of CPU at each use of a locator.  For
    what is not in a shadow root: a notebook's cells and widgets are not, JupyterLab's
    toolbar buttons are."""
    return f"css:light={selector}"


# JupyterLab settings for the tests' session: every cell stays in the DOM (no windowing), and
# no news or update checks (no network).
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
    """A JupyterLab: ``url`` (no trailing slash), ``token``, ``root`` (its notebooks).

    The constructor starts the process and returns at once; ``wait_until_up()`` waits until
    it answers (so the start can overlap other work).  The page gets ``window.jupyterapp``
    (``expose_app_in_browser``): the tests read the kernel's connection state from it."""

    def __init__(self, root, tmp):
        self.root, self.port, self.token = root, free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.headers = {"Authorization": f"token {self.token}"}
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
             f"--LabApp.app_settings_dir={APP_SETTINGS}",
             f"--LabApp.extra_labextensions_path={LAB_EXTENSIONS}",
             "--LabApp.news_url=", "--LabApp.expose_app_in_browser=True",
             "--ServerApp.open_browser=False"],
            cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.up = False

    def api(self, path, method="GET"):
        request = urllib.request.Request(f"{self.url}{path}", headers=self.headers, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def wait_until_up(self):
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not self.up and time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.process.returncode}; "
                                   f"see {self.log.name}")
            try:
                self.api("/api/status")
                self.up = True
            except OSError:
                time.sleep(0.1)          # the server is starting: poll its status again
        if not self.up:
            self.stop()
            raise RuntimeError(f"jupyter lab did not answer within {SERVER_START_TIMEOUT} s; "
                               f"see {self.log.name}")
        return self

    def lab_url(self):
        return f"{self.url}/lab?token={self.token}&reset"

    def shutdown_kernels(self, path=None, keep=(), wait=True):
        """Shut down the kernel sessions of notebook ``path`` (all when None) except those
        whose id or notebook is in ``keep``; with ``wait=False`` in a background thread, so
        the next notebook need not wait for it."""
        def shut_down():
            for session in self.api("/api/sessions"):
                if path in (None, session["path"]) and not {session["id"], session["path"]} & set(keep):
                    self.api(f"/api/sessions/{session['id']}", method="DELETE")
        if wait:
            shut_down()
        else:
            threading.Thread(target=shut_down, daemon=True).start()

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


# ---- a notebook in JupyterLab ------------------------------------------------------------

# The open notebook (the one document in JupyterLab's main area) and its kernel, as the page
# knows them: Run All before the kernel is connected and idle is lost (the cells stay unexecuted).
PANEL_JS = "[...window.jupyterapp.shell.widgets('main')].find(w => w.sessionContext && w.content)"
KERNEL_READY_JS = f"""() => {{
    const panel = window.jupyterapp && {PANEL_JS};
    const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
    return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}}"""
# Each code cell's state from the notebook model: "*" queued or running, else its execution
# count ("" when never run).  From the model, since a cell whose input is hidden (a collapsed
# solution) does not update its prompt on screen.
EXECUTION_JS = f"""() => {{
    const panel = {PANEL_JS};
    return panel.content.widgets.filter(c => c.model.type === 'code')
        .map(c => c.model.executionState === 'running' ? '*' : String(c.model.executionCount ?? ''));
}}"""
RUN_TIMEOUT_MS = 240_000
# What code cell ``index`` of the open notebook printed (its stdout streams, joined).
STDOUT_JS = f"""index => {{
    const panel = {PANEL_JS};
    return panel.content.widgets[index].model.outputs.toJSON()
        .filter(o => o.output_type === 'stream' && o.name === 'stdout')
        .map(o => Array.isArray(o.text) ? o.text.join('') : o.text).join('');
}}"""


def open_lab(page, server):
    """Load JupyterLab (once per page); later notebooks open in it without a reload."""
    server.wait_until_up()
    page.goto(server.lab_url())
    page.wait_for_function("() => !!window.jupyterapp", timeout=90_000, polling=50)
    page.evaluate("() => window.jupyterapp.restored")


def open_notebook(page, server, name):
    """Open notebook ``name`` in the page's JupyterLab (closing any other document) and wait
    until its cells are shown and its kernel is connected and idle: Run All before that is
    lost (the cells stay unexecuted)."""
    if "/lab" not in page.url:
        open_lab(page, server)
    page.evaluate("""async name => {
        const app = window.jupyterapp;
        for (const widget of [...app.shell.widgets('main')]) widget.dispose();   // no "save?" dialog
        const panel = await app.commands.execute('docmanager:open', {path: name, factory: 'Notebook'});
        await panel.context.ready;
        await panel.sessionContext.ready;
    }""", name)
    page.wait_for_selector(light(".jp-Notebook .jp-Cell"), timeout=90_000)
    wait_kernel_ready(page, timeout=90_000)


def wait_kernel_ready(page, timeout=RUN_TIMEOUT_MS):
    page.wait_for_function(KERNEL_READY_JS, timeout=timeout, polling=50)


def run_all(page):
    """Run > Run All Cells (once the kernel is connected and idle), then wait until no cell
    is queued or running and the kernel is idle.  Returns the seconds Run All took."""
    before = page.evaluate(EXECUTION_JS)
    if not before:
        raise AssertionError("the notebook shows no code cells")
    wait_kernel_ready(page)
    page.locator(light(".jp-Notebook")).first.click(position={"x": 5, "y": 5})   # make it the active panel
    started = time.monotonic()
    for _attempt in range(3):        # a menu click can be lost while the menu bar re-renders
        page.locator(light(".lm-MenuBar-item"), has_text="Run").first.click()
        page.get_by_text("Run All Cells", exact=True).click()
        try:
            page.wait_for_function(f"() => ({EXECUTION_JS})().includes('*')", timeout=10_000,
                                   polling=50)
            break
        except Exception:       # noqa: BLE001 -- playwright's TimeoutError; try the menu again
            if page.evaluate(EXECUTION_JS) != before:
                break           # it ran (and ended) faster than we looked
            page.keyboard.press("Escape")
    else:
        raise AssertionError("Run > Run All Cells did not start the notebook")
    # Run All queues every cell; each ends with an execution count, or none after an error.
    page.wait_for_function(f"() => !({EXECUTION_JS})().includes('*')", timeout=RUN_TIMEOUT_MS,
                           polling=200)
    wait_kernel_ready(page)
    return time.monotonic() - started


# Open notebook ``name`` in the page's JupyterLab (closing any other document), wait until its
# kernel is connected and idle, then run JupyterLab's command notebook:run-all-cells (what the
# menu's Run > Run All Cells runs) and wait for every cell; all inside the page.  Resolves to
# the seconds from Run All to its end.
OPEN_AND_RUN_ALL_JS = """async name => {
    const app = window.jupyterapp;
    const ready = panel => new Promise((resolve, reject) => {
        const deadline = performance.now() + 90000;
        const check = () => {
            const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
            if (kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle') resolve();
            else if (performance.now() > deadline) reject(new Error('the kernel did not get ready'));
            else setTimeout(check, 50);
        };
        check();
    });
    for (const widget of [...app.shell.widgets('main')]) widget.dispose();   // no "save?" dialog
    const panel = await app.commands.execute('docmanager:open', {path: name, factory: 'Notebook'});
    await panel.context.ready;
    await panel.sessionContext.ready;
    await ready(panel);
    app.shell.activateById(panel.id);
    const started = performance.now();
    await app.commands.execute('notebook:run-all-cells', {widgetId: panel.id});
    await ready(panel);
    return (performance.now() - started) / 1000;
}"""


def open_and_run_all(page, server, name):
    """Open notebook ``name`` and run it (OPEN_AND_RUN_ALL_JS); returns Run All's seconds
    once every cell has run and the kernel is idle again."""
    if "/lab" not in page.url:
        open_lab(page, server)
    seconds = page.evaluate(OPEN_AND_RUN_ALL_JS, name)
    page.wait_for_selector(light(".jp-Notebook .jp-Cell"), timeout=30_000)
    wait_kernel_ready(page)
    return seconds


def unexecuted_cells(page):
    """Indices (among the code cells) of the cells without an execution count."""
    return [i for i, state in enumerate(page.evaluate(EXECUTION_JS)) if not state.isdigit()]


def printed(page, index):
    """What cell ``index`` of the open notebook printed (stdout)."""
    return page.evaluate(STDOUT_JS, index)


def error_outputs(page):
    """Texts of the error and stderr outputs shown in the notebook."""
    return page.evaluate("""() => [...document.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], ' +
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')]
        .map(e => e.innerText.slice(0, 2000))""")
