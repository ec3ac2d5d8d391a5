"""Every notebook in a real JupyterLab in Chromium, as a student runs it and as an
instructor lectures from it, with one Run All per notebook, of its student copy (the
solutions out; its slides are the full notebook's):

- Run All (once the kernel is connected and idle), no error output, every code cell run,
  every exercise's checker printing "✗ not implemented yet", every stepper rendered and
  responding to its half-step box, its half-step buttons and Play (a half-step's latency is
  measured and reported in the summary, never asserted);
- the live slideshow (jupyterlab-slideshow with the project's extension, as `make lab` starts
  it), started from the notebook toolbar's button and then walked with the presenter's keys
  only (slideshow.KeysOnlyWalk): to the last slide and back, every press must change what is
  on screen, every slide's title must be shown, each slide shows its own cells and no other.
  On a stepper's slide the mouse and the half-step box are used, and the keys must still move
  the deck afterwards (Escape leaves the box; a clicked button keeps no key).  What each slide
  shows is measured (height, text sizes, code line widths, figure text) and checked in
  test_live_slides_fit;
- WCAG 2.1 AA in the output areas after Run All: axe-core's violations (as the
  exported pages and decks are checked): none may be found."""
import re
import statistics
import time

import nbformat
import pytest
from playwright.sync_api import expect

from labdriver import NOTEBOOKS, error_outputs, light, printed, unexecuted_cells
from make_student import NOT_YET, checker_cells
from slideshow import (ACTIVE_CELL_JS, CODE_PX, FIGURE_TEXT_PX, PROSE_PX, KeysOnlyWalk, notebook_cells,
                       slide_type, start_slideshow, stepper_cell_indices, stop_slideshow)
from stepper_ui import steppers
from test_accessibility import axe_script, output_area_violations, report, save  # noqa: F401 (a fixture)

# test_live_slides_fit reads what test_run_all_steppers_and_slideshow measured in the same
# process: under pytest-xdist both tests of a notebook are one unit of work (the root
# conftest's ByFileAndLecture).
pytestmark = pytest.mark.browser


def check_stepper(stepper, name, times_ms):
    """The notebook view: the half-step box, the half-step buttons and Play each change the
    figure, the E-step of an iteration before its M-step."""
    stepper.wait_drawn()
    assert stepper.value == 0 and stepper.maximum > 0
    start = stepper.pixels()

    # The half-step box: ten single steps (arrow keys), each timed to the updated figure
    # (reported, not asserted).
    times = stepper.step_latencies(10)
    times_ms.extend(times)
    print(f"{name}: half-step -> figure, median {statistics.median(times):.0f} ms "
          f"(min {min(times):.0f}, max {max(times):.0f})")

    # half-step ▶ then ◀ half-step: iteration 0's E-step, its M-step, and back.
    stepper.go_to(1)
    e_step = stepper.pixels()
    assert e_step != start, "stepping in the half-step box did not change the figure"
    stepper.wait_said("iteration 0, E-step")
    stepper.step(1)
    stepper.wait_said("iteration 0, M-step")
    assert stepper.pixels() != e_step
    stepper.step(-1)
    assert stepper.pixels() == e_step, "◀ half-step did not restore the figure"

    # Play: from the start it advances the half-step box (jslink) and the figure follows.
    stepper.go_to(0)
    at_zero = stepper.pixels()
    stepper.play_a_step()
    assert stepper.pixels() != at_zero, "Play did not change the figure"


def check_stepper_on_slide(page, index):
    """The live slideshow: on the stepper's slide, the half-step box (an arrow key in it) and
    the Play button (a mouse click) each change the figure, and the slide stays on screen.
    In the box the keys edit: → stays there, Escape leaves the box and not the deck.  The walk
    goes on from the clicked Play button with keys alone."""
    cell = page.locator(light(".jp-Notebook .jp-Cell")).nth(index)
    found = steppers(page, within=cell)
    assert len(found) == 1, f"cell {index}: no stepper shown on its slide"
    stepper = found[0]
    stepper.wait_drawn()
    if stepper.value != 0:
        stepper.go_to(0)
    before = stepper.pixels()
    stepper.key("ArrowUp")
    assert stepper.value == 1
    moved = stepper.pixels()
    assert moved != before, "in the slideshow, the half-step box did not change the figure"
    active = page.evaluate(ACTIVE_CELL_JS)
    stepper.box.press("ArrowRight")
    assert page.evaluate(ACTIVE_CELL_JS) == active, "→ in the half-step box moved the deck"
    stepper.box.press("Escape")
    assert page.evaluate("() => document.body.dataset.jpDeckMode") == "presenting", \
        "Escape in the half-step box left the slideshow (it should leave the box first)"
    assert page.evaluate("() => !document.activeElement.matches('input')"), \
        "Escape did not take the focus out of the half-step box"
    try:
        stepper.play_a_step(click_timeout=5_000)
    except Exception as error:    # noqa: BLE001 -- playwright's TimeoutError, with its reason
        raise AssertionError("in the slideshow, pressing Play did not advance the figure "
                             f"(is something lying over the button?):\n{str(error)[-600:]}") from None
    assert stepper.value > 1
    assert stepper.pixels() != moved, "in the slideshow, Play did not change the figure"
    assert "jp-deck-mod-onscreen" in cell.get_attribute("class"), "using the stepper left its slide"
    check_explorer_modes_fit(page, cell)


# The top and bottom of a cell, against the window's height.
EXTENT_JS = "cell => [cell.getBoundingClientRect().top, cell.getBoundingClientRect().bottom, window.innerHeight]"
# The label of the checked option of a radio group.
CHECKED_JS = "group => group.querySelector('input:checked').parentElement.textContent.trim()"


def check_explorer_modes_fit(page, cell):
    """An explorer's slide in the slideshow: in every mode of its ``init`` control (a manual
    start adds number boxes) the explorer stays within the window.  Ends in the mode it
    started in."""
    init = cell.locator(".emlab-explorer label.widget-label", has_text=re.compile("^init$"))
    if init.count() == 0:
        return
    group = init.locator("xpath=..").locator(".widget-radio-box")
    caption = cell.locator(".emlab-explorer > .widget-html").first
    options = group.locator("label")
    labels = [options.nth(i).inner_text().strip() for i in range(options.count())]
    chosen = group.evaluate(CHECKED_JS)
    for label in [*(option for option in labels if option != chosen), chosen]:
        options.filter(has_text=label).first.click()
        expect(caption).to_contain_text(f"init = {label}", timeout=30_000)
        top, bottom, window = page.evaluate(EXTENT_JS, cell.element_handle())
        assert 0 <= top and bottom <= window, (
            f"with init = {label}, the explorer spans {top:.0f} to {bottom:.0f} px, outside the {window} px window")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_run_all_steppers_and_slideshow(name, lab, lecture, artifacts, live_slides, record_property,
                                        axe_script):
    stem = name.removesuffix(".ipynb")
    cells = notebook_cells(lab.root / name)   # the copy the server serves (read from its source)
    page, seconds = lecture(name)             # opened, and Run All once the kernel was ready
    print(f"\n{name}: Run All {seconds:.1f} s")

    assert error_outputs(page) == [], f"{name} shows error output after Run All"
    assert unexecuted_cells(page) == [], f"{name}: code cells not run by Run All"
    started = time.monotonic()
    violations = output_area_violations(page, axe_script)     # checked at the end of the test
    save(f"lab/{stem}", violations, artifacts)
    print(f"{name}: axe on the output areas {time.monotonic() - started:.1f} s")
    said = {i: printed(page, i) for i in checker_cells(nbformat.read(lab.root / name, as_version=4))}
    assert said and set(said.values()) == {NOT_YET}, f"{name}: the checkers printed {said}"
    found = steppers(page)
    assert len(found) == len(stepper_cell_indices(cells)) > 0, \
        f"{name}: expected a rendered stepper per stepper cell"
    found[0].root.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / f"{stem}.png")
    times_ms = []
    for stepper in found:
        check_stepper(stepper, name, times_ms)
    record_property("latencies", (name, times_ms))
    found[0].root.screenshot(path=artifacts / f"{stem}-stepper.png")

    # The lecture: the live slideshow, with the presenter's keys only.
    on_slides = [i for i in stepper_cell_indices(cells)
                 if slide_type(cells[i]) not in ("skip", "notes")]
    used = []

    def on_step(on_screen):
        """Use each stepper on the slide the first time it is shown; whether any was."""
        new = [index for index in on_screen if index in on_slides and index not in used]
        for index in new:
            check_stepper_on_slide(page, index)
            page.screenshot(path=artifacts / f"{stem}-slideshow-stepper.png")
            used.append(index)
        return bool(new)

    start_slideshow(page)
    started = time.monotonic()
    walk = KeysOnlyWalk(page, cells, on_step)
    print(f"{name}: keys-only walk, {walk.presses} presses in {time.monotonic() - started:.1f} s")
    live_slides[name] = {"slides": walk.slides(), "presses": walk.presses, "dead": len(walk.dead),
                         "readability": walk.readability()}
    record_property("live_slides", (name, live_slides[name]))
    stop_slideshow(page)
    assert walk.ends() == (walk.steps[-1][-1], walk.steps[0][-1]), \
        f"{name}: the keys went from the first step to cell {walk.ends()[0]} and back to {walk.ends()[1]}"
    assert walk.dead == [], f"{name}: presses that changed nothing on screen (direction, key, active cell): {walk.dead}"
    assert walk.wrong_cells() == [], (
        f"{name}: slides showing other cells than their own (active cell, on screen, expected): "
        f"{walk.wrong_cells()[:5]}")
    assert walk.titles_not_shown() == {"forward": [], "back": []}, \
        f"{name}: slides entered without their title on screen: {walk.titles_not_shown()}"
    assert on_slides, f"{name}: no stepper cell is on a slide (all are skip)"
    assert used == on_slides, f"{name}: steppers on slides {on_slides}, used {used}"
    report(f"lab/{stem}", violations, artifacts)


@pytest.mark.slides_fit
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_live_slides_fit(name, lab, live_slides):
    """Every slide of the live slideshow, measured by the test above, fits the window."""
    if name not in live_slides:
        pytest.fail(f"{name}: the slideshow was not walked (see test_run_all_steppers_and_slideshow)")
    cells = notebook_cells(lab.root / name)
    slides = live_slides[name]["slides"]
    not_shown = [first for first, height, _ in slides if height is None]
    assert not_shown == [], f"{name}: the slides of cells {not_shown} were never shown, so not measured"
    too_tall = [(first, height) for first, height, window in slides if height > window]
    window = slides[0][2]
    assert too_tall == [], (
        f"{name}: {len(too_tall)} of {len(slides)} slides are taller than the "
        f"{window} px window: " + "; ".join(
            f"cell {first} ({''.join(cells[first]['source'])[:40]!r}...) {height} px"
            for first, height in too_tall))


@pytest.mark.slides_fit
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_live_slides_readable(name, live_slides):
    """On every slide of the live slideshow (measured by the walk above): text and code large
    enough, no code or output line wider than its cell (cut or wrapped), figure text large
    enough at the size the figure is shown."""
    if name not in live_slides:
        pytest.fail(f"{name}: the slideshow was not walked (see test_run_all_steppers_and_slideshow)")
    seen = live_slides[name]["readability"]
    assert seen["prose_px"] >= PROSE_PX, f"{name}: prose at {seen['prose_px']} px on a slide (< {PROSE_PX})"
    assert seen["code_px"] >= CODE_PX, f"{name}: code or output at {seen['code_px']} px on a slide (< {CODE_PX})"
    assert seen["too_wide"] == [], (
        f"{name}: lines wider than their cell on a slide (kind, line, width px, room px): {seen['too_wide']}")
    assert seen["unmeasured_figures"] == 0, f"{name}: figures on slides without their text size"
    assert seen["figure_px"] is None or seen["figure_px"] >= FIGURE_TEXT_PX, \
        f"{name}: figure text at {seen['figure_px']} px as shown (< {FIGURE_TEXT_PX} px, 12 pt)"
