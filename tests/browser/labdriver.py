"""Drive JupyterLab in Chromium: the server (LabServer), the browser launch, what a student
does in a notebook (open it, Run All, use the stepper) and what an instructor does with it
(the live slideshow of jupyterlab-slideshow; an exported reveal.js deck).  Shared by the
browser tests (tests/browser/), benchmarks/bench_browser.py and tools/slide_report.py.

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

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
ARTIFACTS = ROOT / "artifacts" / "browser"
# Debian's headless shell where installed (chromium-headless-shell: Playwright's default headless
# mode, less CPU than the whole browser), else the browser (chromium); EMLAB_CHROMIUM overrides.
CHROMIUM = Path(os.environ.get("EMLAB_CHROMIUM") or next(
    (p for p in ("/usr/bin/chromium-headless-shell",) if Path(p).exists()), "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
# The screen of a lecture hall's projector: JupyterLab and the exported decks are seen at this size.
VIEWPORT = {"width": 1280, "height": 720}
LATENCY_GOAL_MS = 250      # median slider step -> updated figure (issue 5): reported, not asserted
SERVER_START_TIMEOUT = 90        # seconds until /api/status answers
# The project's defaults for JupyterLab (`make lab` starts it with this settings folder):
# jupyterlab-slideshow keeps the cells' prompt column, without which JupyterLab's invisible
# "collapse output" strip lies over the first 64 px of every output, the stepper's Play button.
APP_SETTINGS = ROOT / "jupyterlab-settings"
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
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
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
    page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})   # make it the active panel
    started = time.monotonic()
    for _attempt in range(3):        # a menu click can be lost while the menu bar re-renders
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
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
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=30_000)
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


# ---- the stepper (emlab.widgets.Stepper: Play, slider, E/M toggle, image) ---------------------

STEPPER = ".widget-vbox:has(> .widget-hbox .widget-play):has(> .widget-image)"
STEPPERS = f".jp-Notebook {STEPPER}"


# SHA-256 of an <img>'s decoded bitmap (RGBA), as hex.
PIXELS_JS = """async img => {
    await img.decode();
    const canvas = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
    const context = canvas.getContext('2d');
    context.drawImage(img, 0, 0);
    const bitmap = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bitmap));
    return [...digest].map(b => b.toString(16).padStart(2, '0')).join('');
}"""


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
        """The image as the browser decoded it: a digest of its bitmap (drawn on a canvas; the
        same picture gives the same digest, without a screenshot's cost)."""
        return self.image.evaluate(PIXELS_JS)

    def wait_drawn(self):
        self.page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                    arg=self.image.element_handle(), timeout=30_000)

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

    def play_a_step(self, click_timeout=None):
        """Press Play, wait until the slider has advanced and the figure followed, pause
        (stop would rewind to iteration 0).  Returns the ms until the first new image.
        ``click_timeout`` (ms): how long the Play button may stay covered or disabled."""
        self.arm()
        start = self.value
        self.play_button.click(timeout=click_timeout)
        ms = self.latency()
        self.page.wait_for_function(f"h => Number(h.getAttribute('aria-valuenow')) > {start}",
                                    arg=self.handle.element_handle(), timeout=10_000)
        self.play_button.click()
        return ms

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


def steppers(page, within=None):
    root = within if within is not None else page
    selector = STEPPER if within is not None else STEPPERS
    found = root.locator(selector)
    return [StepperUI(page, found.nth(i)) for i in range(found.count())]


# ---- the live slideshow (jupyterlab-slideshow) ------------------------------------------------

def notebook_cells(path):
    """The committed notebook's cells (JSON)."""
    return json.loads(Path(path).read_text())["cells"]


def slide_type(cell):
    return cell["metadata"].get("slideshow", {}).get("slide_type", "-")


def stepper_cell_indices(cells):
    """The code cells that create a stepper, or an explorer (a stepper with controls), read
    from their source."""
    return [i for i, cell in enumerate(cells) if cell["cell_type"] == "code"
            and any(call in "".join(cell["source"]) for call in ("stepper(", "explorer("))]


def shown_slides(cells):
    """The slides of a notebook as reveal.js shows them: for each slide or subslide, the
    indices of the cells on it (cells of type skip and notes are left out; the first shown
    cell starts a slide whatever its type)."""
    slides = []
    for i, cell in enumerate(cells):
        kind = slide_type(cell)
        if kind in ("skip", "notes"):
            continue
        if not slides or kind in ("slide", "subslide"):
            slides.append([])
        slides[-1].append(i)
    return slides


CELLS_JS = "document.querySelectorAll('.jp-Notebook .jp-Cell')"
# Make cell ``index`` the notebook's active cell (as the slideshow's keys do) and wait until
# the slideshow shows it (active and visible) and its slide's layout has settled (images
# decoded, the same height on three animation frames in a row); then read which cells are on
# screen and the height of all of them together, against the window's.
SHOW_CELL_JS = f"""async index => {{
    const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
    const deadline = performance.now() + 20000;
    const cells = [...{CELLS_JS}];
    window.jupyterapp.shell.currentWidget.content.activeCellIndex = index;
    while (!cells[index].classList.contains('jp-mod-active')
           || !cells[index].classList.contains('jp-deck-mod-visible')) {{
        if (performance.now() > deadline) return {{shown: false, onScreen: [], height: null}};
        await frame();
    }}
    const onScreen = cells.filter(c => c.classList.contains('jp-deck-mod-onscreen'));
    await Promise.all(onScreen.flatMap(c => [...c.querySelectorAll('img')])
                      .map(img => img.decode().catch(() => null)));
    const height = () => {{
        const boxes = onScreen.map(c => c.getBoundingClientRect());
        return Math.round(Math.max(...boxes.map(b => b.bottom)) - Math.min(...boxes.map(b => b.top)));
    }};
    let last = -1, same = 0;
    while (same < 3 && performance.now() < deadline) {{
        await frame();
        const now = height();
        same = now === last ? same + 1 : 0;
        last = now;
    }}
    return {{shown: true, onScreen: onScreen.map(c => cells.indexOf(c)), height: last}};
}}"""
ACTIVE_CELL_JS = f"() => [...{CELLS_JS}].findIndex(c => c.classList.contains('jp-mod-active'))"


def start_slideshow(page):
    """Select the first cell, then the notebook toolbar's slideshow button (command
    deck:toggle); waits until the deck presents."""
    page.locator(".jp-Notebook .jp-Cell").first.click(position={"x": 2, "y": 2})
    page.locator(".jp-NotebookPanel-toolbar [data-jp-item-name='deck'] button").click()
    page.wait_for_selector("body[data-jp-deck-mode='presenting']", state="attached")


def focus_slideshow(page):
    """Give the keyboard back to the slideshow (after using a widget on a slide)."""
    page.locator(".jp-Notebook .jp-Cell.jp-mod-active").focus()


def stop_slideshow(page):
    """Escape leaves the slideshow (back to the notebook)."""
    focus_slideshow(page)
    page.keyboard.press("Escape")
    page.wait_for_selector("body:not([data-jp-deck-mode='presenting'])", state="attached")


def walk_slideshow(page, cells, on_cell=None):
    """Present every slide of the running slideshow and measure it.

    First the keys: Space goes from the first shown cell to the next one.  Then each slide in
    turn: its last cell is made the active one (where Space arrives after the slide's
    fragments), and every cell of the slide, and no other, must be on screen; the height of
    them all is measured.  ``on_cell(index)`` runs for each cell of the slide while it is
    shown (e.g. to use a stepper on it); the keyboard is given back to the slideshow after it.

    Returns (slides, missed): per slide (its first cell index, its height in px or None when
    not shown, the window height), and the cells the slideshow did not show on their slide
    (empty when every slide showed all its cells)."""
    slides = shown_slides(cells)
    order = [i for slide in slides for i in slide]
    page.keyboard.press("Space")
    page.wait_for_function(f"() => ({ACTIVE_CELL_JS})() === {order[1]}", timeout=20_000)
    heights, missed = {}, []
    for slide in slides:
        shown = page.evaluate(SHOW_CELL_JS, slide[-1])
        missed += [i for i in slide if i not in shown["onScreen"]]
        assert set(shown["onScreen"]) <= set(slide), (
            f"the slide of cells {slide} also shows cells {sorted(set(shown['onScreen']) - set(slide))}")
        heights[slide[0]] = shown["height"]
        if on_cell is not None:
            for index in slide:
                on_cell(index)
            focus_slideshow(page)
    window = page.evaluate("() => window.innerHeight")
    return [(slide[0], heights.get(slide[0]), window) for slide in slides], missed


# ---- an exported reveal.js deck (make slides) --------------------------------------------------

# In nbconvert's template reveal.js is an AMD module: require() with the same URL hands back
# the deck's instance.  Each slide is shown with every fragment, MathJax has typeset it and
# its images are decoded; then its height is read on reveal's own canvas (960x700 by default).
MEASURE_DECK_JS = """async revealUrl => {
    const Reveal = await new Promise(resolve => require([revealUrl], resolve));
    Reveal.configure({transition: 'none', backgroundTransition: 'none'});
    const typeset = () => new Promise(resolve => MathJax.Hub.Queue(resolve));
    const {width, height} = Reveal.getConfig();
    const slides = [];
    for (const slide of Reveal.getSlides()) {
        const {h, v} = Reveal.getIndices(slide);
        Reveal.slide(h, v, Number.MAX_SAFE_INTEGER);
        await typeset();
        await document.fonts.ready;        // MathJax's web fonts change the heights when they arrive
        await typeset();
        await Promise.all([...slide.querySelectorAll('img')].map(img => img.decode().catch(() => null)));
        const first = slide.querySelector('h1, h2, h3, h4, .jp-RenderedMarkdown p, '
                                          + '.jp-InputArea-editor');
        const text = (first || slide).innerText.trim().split('\\n')[0] || '';
        slides.push({h, v, height: slide.scrollHeight, title: text.slice(0, 60)});
    }
    Reveal.slide(0, 0, 0);
    return {width, height, slides};
}"""
REVEAL_URL = "vendor/reveal.js/dist/reveal.js"


def open_deck(page, path):
    """Load an exported deck and wait until reveal.js has initialised and MathJax has
    typeset the page."""
    page.goto(Path(path).resolve().as_uri())
    page.wait_for_selector(".reveal.ready", state="attached", timeout=30_000)
    page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue "
                           "&& MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running",
                           timeout=30_000, polling=100)


def measure_deck(page, path):
    """Each slide's height on reveal's canvas: {"width", "height", "slides": [{h, v, height,
    title}]} (h, v: reveal's indices; ``#/h/v`` in the address opens that slide)."""
    open_deck(page, path)
    return page.evaluate(MEASURE_DECK_JS, REVEAL_URL)
