"""A notebook's slides: which cells each slide shows (from the cells' slideshow metadata),
the live slideshow of jupyterlab-slideshow in a page that ``labdriver`` opened, and an
exported reveal.js deck (``make slides``) measured in Chromium.  Used by the browser tests
and tools/slide_report.py."""
import json
from pathlib import Path


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
