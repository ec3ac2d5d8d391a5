"""A stepper as a keyboard and a screen reader use it, in JupyterLab in Chromium: notebook 01's
first stepper after Run All, driven by keys alone (Tab from its cell to its controls, Enter on
"half-step ▶" five times, Enter on Play and on Pause, Space on Repeat).  After every press
Chromium's accessibility tree (the DevTools protocol's, what a screen reader is given) is read:
the controls' names, the Repeat checkbox's checked state, the figure's name (its alt text) and
the live region's text.  Each control's focus outline has a contrast of at least 3:1 against the
page; axe-core (from npm, installed by tools/offline_export.py's ``axe_script``)
finds no WCAG 2.0/2.1 A or AA violation in the stepper's output area.  The live region and
the alt text over the five half-steps are printed (a transcript).

The same for matplotlib's player of ``emlab.widgets.animate`` (no kernel): a page of it alone,
its buttons and slider named, the frame described, keys stepping it.

Every wait waits for a state (the live region's text changed, the figure's alt text followed,
the kernel idle), never for a time."""
import re

import numpy as np
import pytest
from labdriver import light
from offline_export import axe_script
from stepper_ui import STEPPER

import emlab
from emlab import poisson, widgets

pytestmark = pytest.mark.browser

NOTEBOOK = "01_coin_flip_em.ipynb"
STEPPER_IN_NOTEBOOK = f".jp-Notebook {STEPPER}"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_JS = """async ([root, tags]) => (await axe.run(root ?? document, {runOnly: {type: 'tag', values: tags}}))
    .violations.map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.html.slice(0, 160)).join(' | ')}`)"""
# The focused element, its focus outline and the colour it is drawn on (the first opaque
# background behind it; the page's white if none).
FOCUS_JS = """() => {
    const e = document.activeElement, s = getComputedStyle(e);
    let behind = 'rgb(255, 255, 255)';
    for (let a = e.parentElement; a; a = a.parentElement) {
        const c = getComputedStyle(a).backgroundColor;
        if (c !== 'transparent' && !/, 0\\)$/.test(c)) { behind = c; break; }
    }
    return {tag: e.tagName, text: (e.innerText || e.type || '').trim(), style: s.outlineStyle,
            width: parseFloat(s.outlineWidth), color: s.outlineColor, behind};
}"""


def luminance(rgb):
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(css_a, css_b):
    """WCAG contrast ratio of two opaque CSS rgb()/rgba() colours."""
    a, b = (luminance([float(v) for v in re.findall(r"[\d.]+", c)[:3]]) for c in (css_a, css_b))
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


class AccessibilityTree:
    """Chromium's accessibility tree below one element, through the DevTools protocol."""

    def __init__(self, page, selector):
        self.cdp, self.selector = page.context.new_cdp_session(page), selector
        self.cdp.send("Accessibility.enable")

    def nodes(self):
        """The subtree's nodes that a screen reader is given: {id: (role, name, properties, child ids)}."""
        root = self.cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = self.cdp.send("DOM.querySelector", {"nodeId": root, "selector": self.selector})["nodeId"]
        backend = self.cdp.send("DOM.describeNode", {"nodeId": node})["node"]["backendNodeId"]
        found = self.cdp.send("Accessibility.queryAXTree", {"backendNodeId": backend})["nodes"]
        return {n["nodeId"]: (n["role"]["value"], n.get("name", {}).get("value", ""),
                              {p["name"]: p["value"].get("value") for p in n.get("properties", [])},
                              n.get("childIds", []))
                for n in found if not n.get("ignored")}

    def read(self):
        """{"controls": [(role, name, checked)], "image": its name, "status": (its live
        property, its text)} of the stepper."""
        nodes = self.nodes()

        def text(node_id):
            role, name, _, children = nodes.get(node_id, ("", "", {}, []))
            return name if role == "StaticText" else "".join(text(c) for c in children)
        controls = [(role, name, props.get("checked")) for role, name, props, _ in nodes.values()
                    if role in ("button", "checkbox", "spinbutton", "slider", "radio", "combobox")]
        images = [name for role, name, _, _ in nodes.values() if role == "image"]
        status = [(props.get("live"), text(i)) for i, (role, _, props, _) in nodes.items() if role == "status"]
        assert len(images) == 1 and len(status) == 1, (images, status)
        return {"controls": controls, "image": images[0], "status": status[0]}


def wait_for_step(page, stepper, before):
    """Until the live region says something else than ``before`` and the figure's alt text
    (its title) ends with what the live region says."""
    page.wait_for_function(
        """([root, before]) => {
            const said = root.querySelector('[role=status]').textContent, img = root.querySelector('img');
            return said !== before && img.title.endsWith(`Now ${said}.`);
        }""", arg=[stepper.element_handle(), before], timeout=30_000, polling=50)


def said(stepper):
    return stepper.locator("[role=status]").text_content()


def test_a_stepper_by_keyboard_and_screen_reader(lecture):
    page, _ = lecture(NOTEBOOK)
    stepper = page.locator(light(STEPPER_IN_NOTEBOOK)).first
    stepper.locator("img").wait_for()
    tree = AccessibilityTree(page, STEPPER_IN_NOTEBOOK)
    shown = tree.read()
    assert shown["controls"] == [("button", "Play", None), ("checkbox", "Repeat", "false"),
                                 ("button", "◀ half-step", None), ("button", "half-step ▶", None),
                                 ("spinbutton", "half-step", None)]
    assert shown["status"][0] == "polite"
    assert re.fullmatch(r"θ⁽⁰⁾, the start; ℓ = −[\d.]+; π = \(.+\), θ = \(.+\)", shown["status"][1])
    assert re.match(r"EM on emlab\.coins, \d+ data points: left, a bar per set of tosses", shown["image"])
    assert shown["image"].endswith(f"Now {shown['status'][1]}.")

    # Keys only: into the stepper's cell, then Tab to each control in turn.
    page.evaluate("""root => {
        const cell = root.closest('.jp-Cell'), notebook = window.jupyterapp.shell.currentWidget.content;
        notebook.activeCellIndex = notebook.widgets.findIndex(w => w.node === cell);
        notebook.mode = 'command';
        cell.focus();
    }""", stepper.element_handle())
    focused = []
    for _ in range(40):
        page.keyboard.press("Tab")
        at = page.evaluate(FOCUS_JS)
        if stepper.evaluate("(root) => root.contains(document.activeElement)"):
            focused.append(at)
        if at["text"] == "half-step ▶" or len(focused) == 4:
            break
    assert [f["text"] for f in focused] == ["Play", "checkbox", "◀ half-step", "half-step ▶"]
    for f in focused:                    # seen: a solid outline of 2 px, at least 3:1 on the page
        assert f["style"] == "solid" and f["width"] >= 2 and contrast(f["color"], f["behind"]) >= 3, f

    # Five half-steps, Enter on "half-step ▶": each says what it did, the figure says it too.
    transcript = [(0, shown["status"][1], shown["image"])]
    for step in range(1, 6):
        before = said(stepper)
        page.keyboard.press("Enter")
        wait_for_step(page, stepper, before)
        now = tree.read()
        assert now["status"][0] == "polite" and now["image"].endswith(f"Now {now['status'][1]}.")
        transcript.append((step, now["status"][1], now["image"]))
    halves = [re.match(r"(θ⁽⁰⁾, the start|iteration (\d+), ([EM])-step)", status).groups()
              for _, status, _ in transcript]
    assert [(t, half) for _, t, half in halves] == [(None, None), ("0", "E"), ("0", "M"), ("1", "E"),
                                                    ("1", "M"), ("2", "E")]
    assert stepper.locator("input[type=number]").input_value() == "5"

    # Play (Shift+Tab three times, Enter): E and M alternate, one a tick; Enter pauses.
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUS_JS)["text"] == "Play"
    before = said(stepper)
    page.keyboard.press("Enter")
    wait_for_step(page, stepper, before)
    assert ("button", "Pause", None) in tree.read()["controls"]
    played = [said(stepper)]
    wait_for_step(page, stepper, played[0])
    played.append(said(stepper))
    page.keyboard.press("Enter")
    page.wait_for_function("root => root.querySelector('button').textContent === 'Play'",
                           arg=stepper.element_handle(), timeout=30_000)
    assert [p.split(":")[0] for p in played] == ["iteration 2, M-step", "iteration 3, E-step"]

    # Repeat: Tab, Space: checked.
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.wait_for_function("root => root.querySelector('input[type=checkbox]').checked",
                           arg=stepper.element_handle(), timeout=30_000)
    assert ("checkbox", "Repeat", "true") in tree.read()["controls"]

    page.add_script_tag(path=str(axe_script()))
    output_area = stepper.locator("xpath=ancestor::div[contains(@class, 'jp-OutputArea-output')][1]")
    violations = page.evaluate(AXE_JS, [output_area.element_handle(), WCAG])
    print(f"\n{NOTEBOOK}, its first stepper, by keyboard (half-step ▶, Enter):")
    for step, status, alt in transcript:
        print(f"  half-step {step}\n    live region: {status}\n    alt text:    {alt}")
    print(f"  Play: {' | '.join(played)}")
    print(f"  axe on the stepper's output area: {len(violations)} violations")
    assert violations == []


@pytest.fixture(scope="module")
def animation_page(browser, tmp_path_factory):
    """A page holding only ``emlab.widgets.animate``'s player of a small Poisson run (no network:
    the player's Font Awesome stylesheet is not loaded, its buttons' names do not need it)."""
    x, _ = poisson.sample(poisson.Params([0.2, 0.8], [2.0, 6.0]), 300, np.random.default_rng(1))
    history = emlab.run_em(poisson, x, poisson.Params([0.5, 0.5], [1.0, 3.0]), max_iter=5, tol=0)
    anim = widgets.animate(history, frames=[0, 1, 5], dpi=40)
    path = tmp_path_factory.mktemp("animation") / "animation.html"
    path.write_text(f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>animation</title>"
                    f"</head><body><main>{anim.to_jshtml()}</main></body></html>", encoding="utf-8")
    page = browser.new_page()
    page.route("http*://**", lambda route: route.abort())
    page.goto(path.as_uri())
    page.wait_for_function("() => Object.keys(window).some(k => k.startsWith('anim'))"
                           " && document.querySelector('.animation img').alt.length > 0", timeout=30_000)
    yield page, anim
    page.close()


def test_an_animation_is_named_and_described_frame_by_frame(animation_page):
    page, anim = animation_page
    image, slider = page.locator(".animation img"), page.locator(".animation input[type=range]")
    assert slider.get_attribute("aria-label") == "half-step"
    assert page.locator(".anim-state input[value=once]").is_checked()       # it plays once
    for frame, step in enumerate(anim.steps):
        assert image.get_attribute("alt") == anim.view.alt_text(step)
        assert slider.get_attribute("aria-valuetext") == anim.view.caption_text(step)
        if frame < len(anim.steps) - 1:
            before = image.get_attribute("alt")
            page.locator("button[aria-label='Next frame']").focus()
            page.keyboard.press("Enter")
            page.wait_for_function("([img, alt]) => img.alt !== alt", arg=[image.element_handle(), before],
                                   timeout=10_000)
    page.add_script_tag(path=str(axe_script()))
    assert page.evaluate(AXE_JS, [None, WCAG]) == []
