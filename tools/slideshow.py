"""A notebook's slides: which cells each slide shows (from the cells' slideshow metadata),
the live slideshow of jupyterlab-slideshow in a page that ``labdriver`` opened, and an
exported reveal.js deck (``make slides``) measured in Chromium.  Used by the browser tests
and tools/slide_report.py."""
import json
from pathlib import Path

from labdriver import light


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


def deck_steps(cells):
    """What one press of a presenter key shows: the slides, subslides and fragments in
    notebook order, each as the list of its cells' indices (skip and notes cells left out)."""
    steps = []
    for i, cell in enumerate(cells):
        kind = slide_type(cell)
        if kind in ("skip", "notes"):
            continue
        if not steps or kind in ("slide", "subslide", "fragment"):
            steps.append([])
        steps[-1].append(i)
    return steps


# Readable from the back of the room at 1280x720 (issue 22): in the live deck, prose at 24 px
# and code and outputs at 20 px at least; on any slide, live or exported, figure text at 12 pt
# (16 px) at least, as shown.
PROSE_PX, CODE_PX, FIGURE_TEXT_PX = 24, 20, 16

# The presenter's keys: forwards and backwards, as a keyboard and a clicker send them.
FORWARD_KEYS = ("Space", "ArrowRight", "PageDown", "ArrowDown")
BACKWARD_KEYS = ("Shift+Space", "ArrowLeft", "PageUp", "ArrowUp")

CELLS_JS = "document.querySelectorAll('.jp-Notebook .jp-Cell')"
# What the slideshow shows once it has settled: the active cell, the cells on screen, their
# height together, and what can be read on them (SLIDE_TEXT_JS).  ``before`` is the state
# before a key press: resolves when the state differs from it (or, after ``wait`` ms without a
# change, with ``changed: false``), then waits until the slide's layout has settled (images
# decoded, the same height on three animation frames in a row).
STATE_JS = """async ([before, wait, measure]) => {
    const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
    const cells = [...%(cells)s];
    const read = () => {
        const active = cells.findIndex(c => c.classList.contains('jp-mod-active'));
        // on the slide and not a fragment still to come
        const onScreen = cells.filter(c => c.classList.contains('jp-deck-mod-onscreen')
                                           && c.classList.contains('jp-deck-mod-visible'))
                              .map(c => cells.indexOf(c));
        const shown = active >= 0 && cells[active].classList.contains('jp-deck-mod-visible');
        return {active, onScreen, key: shown ? active + ':' + onScreen.join(',') : null};
    };
    let state = read();
    const deadline = performance.now() + wait;
    while ((state.key === null || state.key === before) && performance.now() < deadline) {
        await frame();
        state = read();
    }
    const changed = state.key !== null && state.key !== before;
    const onScreen = state.onScreen.map(i => cells[i]);
    const firstOnTop = () => onScreen.length ? onScreen[0].getBoundingClientRect().top >= 0 : false;
    if (!measure) {
        await frame();
        return {...state, changed, firstOnTop: firstOnTop()};
    }
    await Promise.all(onScreen.flatMap(c => [...c.querySelectorAll('img')])
                      .map(img => img.decode().catch(() => null)));
    const height = () => {
        const boxes = onScreen.map(c => c.getBoundingClientRect());
        return Math.round(Math.max(...boxes.map(b => b.bottom)) - Math.min(...boxes.map(b => b.top)));
    };
    let last = -1, same = 0;
    const settled = performance.now() + 20000;
    while (same < 3 && performance.now() < settled) {
        await frame();
        const now = height();
        same = now === last ? same + 1 : 0;
        last = now;
    }
    return {...state, changed, height: last, firstOnTop: firstOnTop(), window: window.innerHeight,
            text: (%(text)s)(onScreen, 1)};
}"""
# What can be read on a slide (its cells' elements, shown at ``scale`` times their CSS size):
# - the smallest text, in px as shown: prose (Markdown) and code (code cells, outputs, widgets,
#   inline code), left out MathJax's glyphs (sized with the text around them) and hidden text;
# - the widest line of each code cell and text output against the width it has (a canvas
#   measures the line in the element's own font): wider means cut or wrapped;
# - figure text: the smallest text of each figure, in px as shown (the image's own size in
#   pixels, from its data-smallest-text-px attribute or emlab-text-<n>px class, "none" for a
#   figure without text, times its shown width over its natural width); figures without that
#   size are counted.
SLIDE_TEXT_JS = """(cells, scale) => {
    const CODE = '.jp-InputArea-editor, .jp-OutputArea, code, pre, .jp-InputPrompt, .jp-OutputPrompt';
    const smallest = {prose: null, code: null}, where = {prose: null, code: null};
    const lines = [], figures = [];
    let unmeasured = 0;
    const canvas = document.createElement('canvas').getContext('2d');
    const widest = (texts, element) => {
        const style = getComputedStyle(element);
        canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        return Math.max(0, ...texts.map(t => canvas.measureText(t.replace(/\\t/g, '    ')).width));
    };
    for (const cell of cells) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const element = node.parentElement;
            if (!node.textContent.trim() || !element || !element.getClientRects().length
                || element.closest('mjx-container, .MathJax, .MathJax_Display, .mjx-chtml, script, style, .jp-mod-hidden')) continue;
            const size = parseFloat(getComputedStyle(element).fontSize) * scale;
            const kind = element.closest(CODE) || element.closest('.jupyter-widgets') ? 'code' : 'prose';
            if (smallest[kind] === null || size < smallest[kind]) {
                smallest[kind] = size;
                where[kind] = `${element.tagName.toLowerCase()}.${[...element.classList].join('.')}: `
                              + node.textContent.trim().slice(0, 40);
            }
        }
        // Code: CodeMirror's lines in JupyterLab, a <pre> in an exported page; outputs: a <pre>.
        const blocks = [...cell.querySelectorAll('.jp-InputArea-editor .cm-content')].map(e =>
                [e, 'code', [...e.querySelectorAll('.cm-line')].map(l => l.textContent), e.closest('.cm-scroller')])
            .concat([...cell.querySelectorAll('.jp-InputArea-editor pre')].map(e =>
                [e, 'code', e.textContent.split('\\n'), e]))
            .concat([...cell.querySelectorAll('.jp-OutputArea-output pre')].map(e =>
                [e, 'output', e.textContent.split('\\n'), e]));
        for (const [element, kind, texts, box] of blocks) {
            if (!element.getClientRects().length) continue;
            const style = getComputedStyle(element);
            const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            lines.push({kind, width: Math.round(widest(texts, element) * scale), room: Math.round(room * scale),
                        text: texts.reduce((a, b) => b.length > a.length ? b : a, '').slice(0, 80)});
        }
        for (const img of cell.querySelectorAll('img')) {
            const box = img.getBoundingClientRect();
            if (!box.width || !img.naturalWidth) continue;
            const marked = img.dataset.smallestTextPx
                ?? [...img.classList, ...(img.closest('.emlab-widget')?.classList ?? [])]
                   .map(c => /^emlab-text-(none|[0-9.]+px)$/.exec(c)?.[1]).find(Boolean);
            if (marked === undefined) { unmeasured += 1; continue; }
            if (marked === 'none') continue;              // a figure without text
            figures.push(Math.round(parseFloat(marked) * box.width / img.naturalWidth * 10) / 10);
        }
    }
    return {smallest, where, lines, figures, unmeasured};
}"""
STATE_JS = STATE_JS % {"cells": CELLS_JS, "text": SLIDE_TEXT_JS}
ACTIVE_CELL_JS = f"() => [...{CELLS_JS}].findIndex(c => c.classList.contains('jp-mod-active'))"


def start_slideshow(page):
    """Select the first cell, then the notebook toolbar's slideshow button (command
    deck:toggle); waits until the deck presents."""
    page.locator(light(".jp-Notebook .jp-Cell")).first.click(position={"x": 2, "y": 2})
    # the button is inside a toolbar item's shadow root: the default engine finds it
    page.locator(".jp-NotebookPanel-toolbar [data-jp-item-name='deck'] button").click()
    page.wait_for_selector(light("body[data-jp-deck-mode='presenting']"), state="attached")


def slideshow_state(page, before=None, wait_ms=0, measure=True):
    """The slideshow's state (STATE_JS), once it differs from ``before`` (a state's "key") or
    ``wait_ms`` passed; with ``measure``, once its layout has settled, with its height and
    what can be read on it."""
    return page.evaluate(STATE_JS, [before, wait_ms, measure])


def stop_slideshow(page):
    """Escape leaves the slideshow (back to the notebook), wherever the focus is."""
    page.keyboard.press("Escape")
    page.wait_for_selector(light("body:not([data-jp-deck-mode='presenting'])"), state="attached")


class KeysOnlyWalk:
    """The running slideshow walked with the presenter's keys only: from the first step to
    the last with the forward keys in turn (Space, →, PageDown, ↓), then back to the first
    with the backward keys (Shift+Space, ←, PageUp, ↑).  ``on_step(cells_on_screen)`` runs
    after each forward press (e.g. to use a stepper on the slide with the mouse) and returns
    whether it did anything; the walk then goes on with keys alone, wherever the focus was
    left.  Each slide is measured on the way forwards (its height, what can be read on it);
    backwards, what is on screen is read.

    After the walk: ``presses``, ``dead`` (presses that changed nothing on screen, as
    (direction, key, active cell)), ``states`` (each settled state, forwards then back),
    ``steps`` (deck_steps)."""

    PRESS_WAIT_MS = 5000     # a press that changes nothing in this time counts as dead

    def __init__(self, page, cells, on_step=None):
        self.page, self.cells, self.steps = page, cells, deck_steps(cells)
        self.presses, self.dead, self.states = 0, [], []
        state = slideshow_state(page)
        self.states.append(state)
        for direction, keys in (("forward", FORWARD_KEYS), ("back", BACKWARD_KEYS)):
            for n in range(len(self.steps) - 1):
                key = keys[n % len(keys)]
                page.keyboard.press(key)
                self.presses += 1
                state = slideshow_state(page, state["key"], self.PRESS_WAIT_MS,
                                        measure=direction == "forward")
                self.states.append(dict(state, direction=direction))
                if not state["changed"]:
                    self.dead.append((direction, key, state["active"]))
                if direction == "forward" and on_step is not None and on_step(state["onScreen"]):
                    state = slideshow_state(page, measure=False)     # what it left on screen

    def ends(self):
        """The active cell where the forward keys stopped and where the backward keys did."""
        turn = len(self.steps) - 1
        return self.states[turn]["active"], self.states[-1]["active"]

    def slides(self):
        """Per slide or subslide (shown_slides): its first cell, its tallest height on screen
        and the window's height."""
        tallest = {}
        for state in self.states:
            for slide in shown_slides(self.cells):
                if "height" in state and state["onScreen"] and set(state["onScreen"]) <= set(slide):
                    tallest[slide[0]] = max(tallest.get(slide[0], 0), state["height"])
        window = self.states[0]["window"]
        return [(slide[0], tallest.get(slide[0]), window) for slide in shown_slides(self.cells)]

    def titles_not_shown(self):
        """Per direction, the slides whose first cell (its title) was never on screen from the
        top of the window: entering a slide, forwards or backwards, shows its title."""
        seen = {"forward": set(), "back": set()}
        turn = next((i for i, s in enumerate(self.states) if s.get("direction") == "back"), len(self.states))
        for i, state in enumerate(self.states):
            if state["firstOnTop"] and state["onScreen"]:
                # the last slide, where the walk turns, is seen in both directions
                for direction in ("forward",) * (i < turn) + ("back",) * (i >= turn - 1):
                    seen[direction].add(state["onScreen"][0])
        firsts = [slide[0] for slide in shown_slides(self.cells)]
        return {direction: [i for i in firsts if i not in shown] for direction, shown in seen.items()}

    def wrong_cells(self):
        """The states that show other cells than their slide up to the end of the step the
        active cell is in: as (active cell, cells on screen, cells expected)."""
        wrong = []
        for state in self.states:
            step = next((s for s in reversed(self.steps) if s[0] <= state["active"]), self.steps[0])
            slide = next(s for s in shown_slides(self.cells) if step[0] in s)
            expected = [i for i in slide if i <= step[-1]]
            if state["onScreen"] != expected:
                wrong.append((state["active"], state["onScreen"], expected))
        return wrong

    def readability(self):
        """What the walk measured on its slides (``readability``)."""
        return readability([state["text"] for state in self.states if "text" in state and state["onScreen"]])


def readability(texts):
    """What SLIDE_TEXT_JS measured on a deck's slides, summed up: the smallest prose and code
    text (px as shown, and where it is), the smallest figure text (px as shown), the most
    figures on a slide without a measured text size, the widest code or output line against
    its room (px, and its text) and the lines wider than their room (cut or wrapped)."""
    smallest = {kind: min(((t["smallest"][kind], t["where"][kind]) for t in texts
                           if t["smallest"][kind] is not None), default=(None, None))
                for kind in ("prose", "code")}
    lines = [line for t in texts for line in t["lines"] if line["room"] > 0]
    too_wide = {(line["kind"], line["text"], line["width"], line["room"])
                for line in lines if line["width"] > line["room"]}
    widest = max(lines, key=lambda line: line["width"] / line["room"], default=None)
    return {"prose_px": smallest["prose"][0], "code_px": smallest["code"][0],
            "smallest_where": {kind: where for kind, (_, where) in smallest.items()},
            "figure_px": min((f for t in texts for f in t["figures"]), default=None),
            "unmeasured_figures": max((t["unmeasured"] for t in texts), default=0),
            "widest_line": widest and (widest["width"], widest["room"], widest["text"]),
            "too_wide": sorted(too_wide)}


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
        slides.push({h, v, height: slide.scrollHeight, title: text.slice(0, 60),
                     text: (%(text)s)([slide], Reveal.getScale())});
    }
    Reveal.slide(0, 0, 0);
    return {width, height, slides};
}""" % {"text": SLIDE_TEXT_JS}
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
