"""WCAG 2.1 AA in Chromium with axe-core (its rules tagged wcag2a, wcag2aa, wcag21a, wcag21aa):
every deck (``make slides``, all its slides laid out by reveal.js's print view and un-hidden)
has no violation.  The same check runs on every exported page (``make html``, as
tests/browser/test_exports.py loads it) and on the output areas of each notebook after Run All
in JupyterLab (tests/browser/test_notebooks.py), with ``run_axe`` from here.

axe-core comes from npm like reveal.js (tools/offline_export.py, ``TEST_PACKAGES``); it is
injected once per page and run offline.  Any violation fails the test; each page's violations
are also written to artifacts/browser/axe/<page>.json.
"""
import json
import os

import pytest

from labdriver import NOTEBOOKS, VIEWPORT
from slideshow import notebook_cells, slide_type, stepper_cell_indices

pytestmark = pytest.mark.browser

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe.run on CONTEXT (``document``, or {include, exclude} selectors); resolves to the violations
# as {rule: {impact, help, count, nodes: [the first five, as target and HTML]}}.
AXE_RUN_JS = """async tags => {
    const result = await axe.run(CONTEXT, {runOnly: {type: 'tag', values: tags},
                                           resultTypes: ['violations']});
    const found = {};
    for (const v of result.violations)
        found[v.id] = {impact: v.impact, help: v.help, count: v.nodes.length,
                       nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + '  ' + n.html.slice(0, 100))};
    return found;
}"""
# reveal.js keeps the slides that are not current hidden from assistive technology
# (hidden, aria-hidden); in its print view they are all laid out.  Un-hidden, axe sees each.
UNHIDE_SLIDES_JS = """() => document.querySelectorAll('.reveal .slides [hidden], .reveal .slides [aria-hidden]')
    .forEach(e => { e.removeAttribute('hidden'); e.removeAttribute('aria-hidden'); })"""
MATHJAX_DONE_JS = ("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue "
                   "&& MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running")


@pytest.fixture(scope="session")
def axe_script():
    """axe-core's axe.min.js, from npm (installed on first use into build/test-vendor-cache)."""
    from offline_export import axe_script as install
    try:
        return install()
    except RuntimeError as error:        # npm not found: skipped, failed in CI (as conftest's)
        if os.environ.get("CI") or os.environ.get("EMLAB_REQUIRE_BROWSER") == "1":
            pytest.fail(str(error), pytrace=False)
        pytest.skip(str(error))


def run_axe(page, script, context="document"):
    """axe's violations on ``page`` within ``context`` (a JS expression: ``document``, or an
    ``{include: [[selector]], exclude: [[selector]]}`` object), injecting axe-core first if
    the page does not have it yet."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(script))
    return page.evaluate(AXE_RUN_JS.replace("CONTEXT", context), TAGS)


def grouped(violations):
    """``rule (impact): count`` per rule, for a message."""
    return ", ".join(f"{rule} ({v['impact']}): {v['count']}" for rule, v in sorted(violations.items()))


def save(where, violations, artifacts):
    """Write ``where``'s violations to artifacts/browser/axe/<where>.json."""
    folder = artifacts / "axe"
    folder.mkdir(exist_ok=True)
    (folder / f"{where.replace('/', '_')}.json").write_text(json.dumps(violations, indent=1))


def report(where, violations, artifacts):
    """Save ``where``'s violations and fail on any."""
    save(where, violations, artifacts)
    assert violations == {}, (f"{where}: axe finds {grouped(violations)}\n" + "\n".join(
        f"  {rule}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for rule, v in violations.items()))


# ---- the exported pages and decks --------------------------------------------------------------

@pytest.fixture(scope="module")
def offline(browser):
    """A browser profile that may load files only (everything else is aborted)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                  else route.abort())
    yield context
    context.close()


def wait_for_widgets(page, steppers):
    """The widget embed script has drawn the saved steppers (their images), or 10 s passed
    (test_exports.py fails that case; here axe runs on what is there)."""
    try:
        page.wait_for_function(f"""() => document.querySelectorAll('.jupyter-widgets img.widget-image')
                                          .length >= {steppers}""", timeout=10_000)
    except Exception:     # noqa: BLE001 -- playwright's TimeoutError
        pass


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_deck_has_no_axe_violation(name, slides_dir, offline, axe_script, artifacts):
    page = offline.new_page()
    cells = notebook_cells(slides_dir.parent / "notebooks" / name)
    shown = [i for i in stepper_cell_indices(cells) if slide_type(cells[i]) not in ("skip", "notes")]
    try:
        page.goto((slides_dir / name.replace(".ipynb", ".slides.html")).as_uri() + "?print-pdf",
                  wait_until="load")
        page.wait_for_selector(".reveal.ready", state="attached", timeout=30_000)
        page.wait_for_function(MATHJAX_DONE_JS, timeout=30_000, polling=100)
        wait_for_widgets(page, len(shown))
        page.evaluate(UNHIDE_SLIDES_JS)
        violations = run_axe(page, axe_script)
    finally:
        page.close()
    report(f"slides/{name.replace('.ipynb', '.slides.html')}", violations, artifacts)


# ---- JupyterLab's output areas (used by test_notebooks.py) ------------------------------------

# Our outputs, not JupyterLab's own frame: the prompts (Out[n], JupyterLab's colours) are left out.
OUTPUT_AREAS = ("{include: [['.jp-Notebook .jp-OutputArea']], "
                "exclude: [['.jp-OutputArea-prompt'], ['.jp-OutputArea-promptOverlay']]}")


def output_area_violations(page, script):
    """axe's violations in the open notebook's output areas (prompts left out)."""
    return run_axe(page, script, OUTPUT_AREAS)
