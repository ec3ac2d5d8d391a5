"""What an instructor exports, opened as from a USB stick in a lecture hall without network:
reveal.js decks (``make slides``) and standalone HTML pages (``make html``), both written by
tools/offline_export.py with their vendor/ folder.  Chromium is cut off from everything but
the files (any other request is aborted and recorded): reveal.js initialises, MathJax typesets
every formula (no TeX delimiter is left in the prose), the slides navigate, the JS-HTML
animations play and the steppers show their saved figure, each with the notice that it is a
still image (on its slide of the deck: shown, on the canvas and on top).  Each deck slide's
height is measured on reveal's canvas and checked in test_deck_slides_fit, and what can be read
on it in test_deck_slides_readable.  The check cells are in neither export."""
import re
from html.parser import HTMLParser

import pytest

from labdriver import NOTEBOOKS, VIEWPORT, light
from slideshow import (FIGURE_TEXT_PX, MEASURE_DECK_JS, REVEAL_URL, notebook_cells, open_deck, readability, slide_type,
                       stepper_cell_indices)
from test_accessibility import MATHJAX_DONE_JS, axe_script, report, run_axe  # noqa: F401 (a fixture)

# test_deck_slides_fit reads what test_deck_offline measured, and test_page_has_no_axe_violation
# what test_html_offline found, in the same process: under pytest-xdist (--dist loadfile) the
# file is one unit of work.  All of it waits for the exports, as the tests in Chromium do: it
# is left out with them (-m "not browser").
pytestmark = pytest.mark.browser

# The text nodes of a rendered markdown cell, outside <script>, <style>, code and MathJax's
# output, that still hold a TeX delimiter ($, \( or \[): after typesetting there is none.  (A
# formula that Markdown broke across two blocks leaves one $ in each; a formula typeset whole
# leaves none.  The prose writes no dollar sign of its own: tests/test_student_view.py.)  The
# lab template renders a markdown cell inside its .jp-InputArea: only code is skipped here.
UNTYPESET_JS = r"""root => {
    const skip = 'SCRIPT, STYLE, PRE, CODE, .MathJax_CHTML, .mjx-chtml, .MathJax_Preview';
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
        acceptNode: node => node.parentElement.closest(skip) ? NodeFilter.FILTER_REJECT
                                                             : NodeFilter.FILTER_ACCEPT});
    const left = [];
    while (walker.nextNode()) {
        const text = walker.currentNode.nodeValue;
        if (/\$|\\\(|\\\[/.test(text)) left.push(text.trim().slice(0, 120));
    }
    return left;
}"""


@pytest.fixture
def cells(request):
    """The cells of a notebook, read from the copy that was exported (beside the export)."""
    out = request.getfixturevalue("pages_dir" if "pages_dir" in request.fixturenames else "slides_dir")
    return lambda name: notebook_cells(out.parent / "notebooks" / name)


def slide_types(cells):
    """The slide_type of each cell that is shown ('skip' and notes dropped)."""
    return [t for t in map(slide_type, cells) if t not in ("skip", "notes")]


def has_math(cells):
    return any("$" in "".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


class Sections(HTMLParser):
    """Counts reveal.js sections: top level (horizontal slides) and innermost (every slide
    and subslide, nbconvert nests a slide's subslides in its section), and fragments."""

    def __init__(self):
        super().__init__()
        self.depth, self.top, self.leaves, self.fragments = 0, 0, 0, 0
        self.has_child = []

    def handle_starttag(self, tag, attrs):
        if "fragment" in (dict(attrs).get("class") or "").split():
            self.fragments += 1
        if tag != "section":
            return
        if self.has_child:
            self.has_child[-1] = True
        self.top += not self.has_child
        self.has_child.append(False)

    def handle_endtag(self, tag):
        if tag == "section":
            self.leaves += not self.has_child.pop()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_slides_one_section_per_slide(name, slides_dir, cells):
    types = slide_types(cells(name))
    # A deck starts a slide at its first shown cell whatever that cell's type.
    expected_slides = types.count("slide") + (types[0] != "slide")
    expected_leaves = expected_slides + types.count("subslide") - (types[0] == "subslide")
    deck = Sections()
    deck.feed((slides_dir / name.replace(".ipynb", ".slides.html")).read_text())
    assert deck.has_child == [], "unbalanced <section> tags"
    assert (deck.top, deck.leaves) == (expected_slides, expected_leaves)
    assert deck.fragments == types.count("fragment")


@pytest.fixture
def offline(browser):
    """A browser profile that may load files only: every other request is aborted and
    recorded in ``offline.outside``; files that fail to load in ``offline.missing``.  One per
    test: Playwright's clock, which check_animation_plays installs, is the profile's."""
    context = browser.new_context(viewport=VIEWPORT)
    context.outside, context.missing = [], []

    def route(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            context.outside.append(route.request.url)
            route.abort()
    context.route("**/*", route)
    context.on("requestfailed", lambda request: request.url.startswith("file:")
               and context.missing.append(request.url))
    yield context
    context.close()


@pytest.fixture
def offline_page(offline):
    """A page of the offline profile, with what it requested outside or missed."""
    page = offline.new_page()
    page.outside, page.missing = offline.outside, offline.missing
    yield page
    page.close()


def check_offline_content(page, name, cells, steppers):
    """Math typeset with no TeX error and none left raw, the widgets drawn by the widget
    embed script (their saved figures; at least ``steppers`` images), Font Awesome's icons
    (the animation buttons) loaded, nothing requested from outside and no file missing."""
    if has_math(cells):
        assert page.locator(light(".MathJax_CHTML, .mjx-chtml")).count() > 0, f"{name}: no formula typeset"
    assert page.locator(light(".mjx-merror, .MathJax_Error")).count() == 0, f"{name}: a formula failed"
    left = [text for texts in page.locator(light(".jp-RenderedMarkdown, .jp-MarkdownOutput")).evaluate_all(
        f"nodes => nodes.map({UNTYPESET_JS})") for text in texts]
    assert left == [], f"{name}: TeX left untypeset in the prose: {left[:5]}"
    wait_widgets_drawn(page, name, steppers)
    page.wait_for_function("() => document.fonts.ready.then(() => [...document.fonts].some("
                           "f => f.family.includes('FontAwesome') && f.status === 'loaded'))",
                           timeout=10_000)
    assert page.outside == [], f"{name}: requested from outside: {page.outside}"
    assert page.missing == [], f"{name}: files missing next to the page: {page.missing}"


def wait_widgets_drawn(page, name, steppers):
    """Wait until the widget embed script has drawn at least ``steppers`` widget images, loaded."""
    try:
        page.wait_for_function(f"""() => {{
            const images = [...document.querySelectorAll('.jupyter-widgets img.widget-image')];
            return images.length >= {steppers} && images.every(i => i.complete && i.naturalWidth > 0);
        }}""", timeout=10_000)
    except Exception:     # noqa: BLE001 -- playwright's TimeoutError: say what is missing
        drawn = page.locator(light(".jupyter-widgets img.widget-image")).count()
        raise AssertionError(f"{name}: the widget embed script drew {drawn} widget images, "
                             f"at least {steppers} expected (is the widget state saved in the "
                             "notebook's metadata?)") from None


# Go to the slide holding ``selector``'s first match (reveal.js's own navigation), with every
# fragment shown.
GO_TO_JS = """async ([revealUrl, selector]) => {
    const Reveal = await new Promise(resolve => require([revealUrl], resolve));
    const slide = document.querySelector(selector).closest('section:not(.stack)');
    const {h, v} = Reveal.getIndices(slide);
    Reveal.slide(h, v, Number.MAX_SAFE_INTEGER);
    return [h, v];
}"""


# Where the still-image notices are (tools/offline_export.py, STILL): the output holding each
# notice, the output holding each stepper and explorer the embed script drew (the outermost
# boxes of class emlab-widget), both sorted; and which of the cells ``cellIds`` holds no notice.
STILL_OUTPUTS_JS = """cellIds => {
    const outputs = selector => [...document.querySelectorAll(selector)]
        .map(e => e.closest('.jp-OutputArea-output').id).sort();
    return {notices: outputs('.emlab-still'),
            widgets: outputs('.emlab-widget:not(.emlab-widget .emlab-widget)'),
            without: cellIds.filter(id => !document.getElementById('cell-id=' + id)
                                                   .querySelector('.emlab-still'))};
}"""
# Is a notice shown on the current slide: visible (neither it nor an ancestor hidden or
# transparent), wholly on reveal.js's canvas and in the window, and on top at its centre?
NOTICE_SHOWN_JS = """notice => {
    const box = notice.getBoundingClientRect();
    const within = outer => box.left >= outer.left - 1 && box.right <= outer.right + 1
                            && box.top >= outer.top - 1 && box.bottom <= outer.bottom + 1;
    const centre = document.elementFromPoint((box.left + box.right) / 2, (box.top + box.bottom) / 2);
    return {visible: notice.checkVisibility({opacityProperty: true, visibilityProperty: true}),
            onCanvas: within(document.querySelector('.reveal .slides').getBoundingClientRect()),
            inWindow: within({left: 0, top: 0, right: innerWidth, bottom: innerHeight}),
            onTop: notice.contains(centre)};
}"""


def check_still_notices(page, name, cells, deck=False):
    """Every stepper and explorer (the widgets drawn; every shown cell that makes one) has the
    notice that it is a still image, and no other output has one; in a deck each notice is
    shown on its slide (NOTICE_SHOWN_JS), on a page it is visible."""
    steppers = [cells[i]["id"] for i in stepper_cell_indices(cells)
                if slide_type(cells[i]) not in ("skip", "notes")]
    found = page.evaluate(STILL_OUTPUTS_JS, steppers)
    assert found["widgets"], f"{name}: no stepper or explorer drawn"
    assert found["notices"] == found["widgets"], (
        f"{name}: {len(found['notices'])} still-image notices for {len(found['widgets'])} steppers "
        "and explorers, or not in their outputs")
    assert found["without"] == [], f"{name}: cells without a still-image notice: {found['without']}"
    for i, notice in enumerate(page.locator(light(".emlab-still")).all()):
        text = notice.inner_text()
        assert text.startswith("Still image."), f"{name}: still-image notice {i} says {text!r}"
        if not deck:
            assert notice.is_visible(), f"{name}: still-image notice {i} is not visible"
            continue
        output = notice.evaluate("n => n.closest('.jp-OutputArea-output').id")
        page.evaluate(GO_TO_JS, [REVEAL_URL, f'[id="{output}"]'])
        try:
            page.wait_for_function(f"n => Object.values(({NOTICE_SHOWN_JS})(n)).every(Boolean)",
                                   arg=notice.element_handle(), timeout=5_000)
        except Exception:     # noqa: BLE001 -- playwright's TimeoutError: say what is wrong
            shown = notice.evaluate(NOTICE_SHOWN_JS)
            raise AssertionError(f"{name}: still-image notice {i} not shown on its slide: "
                                 f"{shown}") from None


def check_animation_plays(page, animation, name):
    """matplotlib's JS-HTML player: Next frame, First frame and Play change the picture (Play's
    frames come on the page's clock, run ahead: the test waits for no interval)."""
    frame = animation.locator("img[id^='_anim_img']")
    slider = animation.locator("input.anim-slider")
    first = frame.get_attribute("src")
    assert first.startswith("data:image/png") and int(slider.get_attribute("max")) >= 1

    animation.locator("button[title='Next frame']").click()
    assert slider.input_value() == "1"
    assert frame.get_attribute("src") != first, f"{name}: Next frame did not change the picture"

    animation.locator("button[title='First frame']").click()
    assert frame.get_attribute("src") == first
    page.clock.install()         # Playwright's clock from here on: the player's timers...
    animation.locator("button[title='Play']").click()
    page.clock.run_for(10_000)   # ...(a frame a second) fired now, in order
    page.wait_for_function("s => Number(s.value) >= 2", arg=slider.element_handle(), timeout=10_000)
    animation.locator("button[title='Pause']").click()
    assert frame.get_attribute("src") != first, f"{name}: Play did not advance the animation"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_html_offline(name, pages_dir, offline_page, cells, axe_script, page_violations):
    """The page as loaded (typeset, its widgets drawn) is also where axe runs: its violations
    are checked in test_page_has_no_axe_violation."""
    page = offline_page
    page.goto((pages_dir / name.replace(".ipynb", ".html")).as_uri(), wait_until="load")
    page.wait_for_function(MATHJAX_DONE_JS, timeout=30_000, polling=100)
    check_offline_content(page, name, cells(name), len(stepper_cell_indices(cells(name))))
    page_violations[name] = run_axe(page, axe_script)
    animations = page.locator(light(".animation:has(img[id^='_anim_img'])"))
    assert animations.count() >= 1, f"{name}: no animation in the exported page"
    check_animation_plays(page, animations.first, name)
    check_still_notices(page, name, cells(name))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_page_has_no_axe_violation(name, page_violations, artifacts):
    """WCAG 2.1 AA (axe-core, test_accessibility.py's rules) on the exported page, as
    test_html_offline loaded it."""
    if name not in page_violations:
        pytest.fail(f"{name}: axe did not run on the page (see test_html_offline)")
    report(f"html/{name.replace('.ipynb', '.html')}", page_violations[name], artifacts)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_deck_offline(name, slides_dir, offline_page, cells, deck_slides, record_property):
    page = offline_page
    open_deck(page, slides_dir / name.replace(".ipynb", ".slides.html"))

    # Navigation: the right arrow key leaves the first slide for the second.
    first, second = (page.locator(light(".reveal .slides > section")).nth(i) for i in (0, 1))
    assert "present" in first.get_attribute("class")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("s => s.classList.contains('present')", arg=second.element_handle(),
                           timeout=10_000)

    # Each slide's height on reveal's canvas and what can be read on it (checked in
    # test_deck_slides_fit and test_deck_slides_readable), once the steppers are drawn.
    notebook = cells(name)
    shown = [i for i in stepper_cell_indices(notebook)
             if slide_type(notebook[i]) not in ("skip", "notes")]
    wait_widgets_drawn(page, name, len(shown))
    deck_slides[name] = page.evaluate(MEASURE_DECK_JS, REVEAL_URL)
    deck_slides[name]["readability"] = readability([s.pop("text") for s in deck_slides[name]["slides"]])
    record_property("deck_slides", (name, deck_slides[name]))

    animations = page.locator(light(".animation:has(img[id^='_anim_img'])"))
    assert animations.count() >= 1, f"{name}: no animation in the deck"
    page.evaluate(GO_TO_JS, [REVEAL_URL, ".animation"])
    check_animation_plays(page, animations.first, name)
    check_offline_content(page, name, notebook, len(shown))
    check_still_notices(page, name, notebook, deck=True)


@pytest.mark.slides_fit
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_deck_slides_fit(name, deck_slides):
    """Every slide of the exported deck, measured by test_deck_offline with all its
    fragments shown, fits reveal.js's canvas (960x700)."""
    if name not in deck_slides:
        pytest.fail(f"{name}: the deck was not measured (see test_deck_offline)")
    deck = deck_slides[name]
    too_tall = [s for s in deck["slides"] if s["height"] > deck["height"]]
    assert too_tall == [], (
        f"{name}: {len(too_tall)} of {len(deck['slides'])} slides are taller than reveal's "
        f"{deck['height']} px: " + "; ".join(f"#/{s['h']}/{s['v']} {s['title']!r} {s['height']} px"
                                             for s in too_tall))


@pytest.mark.slides_fit
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_deck_slides_readable(name, deck_slides):
    """On every slide of the exported deck at 1280x720 (measured by test_deck_offline): no
    code or output line wider than its cell (cut or wrapped), and figure text at least 12 pt
    at the size the figure is shown."""
    if name not in deck_slides:
        pytest.fail(f"{name}: the deck was not measured (see test_deck_offline)")
    seen = deck_slides[name]["readability"]
    assert seen["too_wide"] == [], (
        f"{name}: lines wider than their cell on a slide (kind, line, width px, room px): {seen['too_wide']}")
    assert seen["unmeasured_figures"] == 0, f"{name}: figures on slides without their text size"
    assert seen["figure_px"] is None or seen["figure_px"] >= FIGURE_TEXT_PX, \
        f"{name}: figure text at {seen['figure_px']} px as shown (< {FIGURE_TEXT_PX} px, 12 pt)"


def test_exports_leave_out_the_check_cells(slides_dir, pages_dir):
    """The cells tagged ``check`` (the asserts nbval runs) are in neither export; every other
    cell is (the lab template gives each its ``id="cell-id=..."``; a deck leaves out the
    cells skipped in slides too)."""
    for out, suffix in [(slides_dir, ".slides.html"), (pages_dir, ".html")]:
        for name in NOTEBOOKS:
            page = (out / name.replace(".ipynb", suffix)).read_text()
            shown = set(re.findall(r'id="cell-id=([^"]+)"', page))
            cells = notebook_cells(out.parent / "notebooks" / name)
            checks = {c["id"] for c in cells if "check" in c["metadata"].get("tags", [])}
            assert not checks & shown, f"{out.name}/{name}: check cells {sorted(checks & shown)}"
            if out == pages_dir:
                assert shown == {c["id"] for c in cells} - checks, f"{name}: cells missing from the page"


def test_export_keeps_no_cdn_link(slides_dir, pages_dir):
    """No page of either export links a script, style sheet or font on the network."""
    link = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)=["'](https?:)?//""", re.I)
    for page in [*slides_dir.glob("*.html"), *pages_dir.glob("*.html")]:
        found = link.search(page.read_text())
        assert found is None, f"{page.name} links {found[0]}"
