"""Every notebook in a real JupyterLab in Chromium, as a student runs it: Run All, no error
output, every stepper rendered and responding to its slider, Play button and E/M toggle."""
import json
import statistics

import pytest

from labdriver import (LATENCY_GOAL_MS, NOTEBOOKS, ROOT, error_outputs, open_notebook, run_all,
                       steppers, unexecuted_cells)

pytestmark = pytest.mark.browser


def stepper_cells(name):
    """How many code cells of the committed notebook create a stepper (read from its source,
    independently of what the browser shows)."""
    cells = json.loads((ROOT / "notebooks" / name).read_text())["cells"]
    return sum("stepper(" in "".join(c["source"]) for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_run_all_and_steppers(name, lab, notebook_page, artifacts, latencies):
    page = notebook_page
    stem = name.removesuffix(".ipynb")
    open_notebook(page, lab, name)
    seconds = run_all(page)
    print(f"\n{name}: Run All {seconds:.1f} s")

    assert error_outputs(page) == [], f"{name} shows error output after Run All"
    assert unexecuted_cells(page) == [], f"{name}: code cells not run by Run All"
    found = steppers(page)
    assert len(found) == stepper_cells(name) > 0, f"{name}: expected a rendered stepper per stepper cell"
    found[0].root.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / f"{stem}.png")

    for stepper in found:
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=stepper.image.element_handle(), timeout=30_000)
        assert stepper.value == 0 and stepper.maximum > 0
        start = stepper.pixels()

        # The slider: ten single steps, each timed to the updated figure.
        times = stepper.step_latencies(10)
        latencies[name] = times
        print(f"{name}: slider step -> figure, median {statistics.median(times):.0f} ms "
              f"(min {min(times):.0f}, max {max(times):.0f})")
        assert statistics.median(times) <= LATENCY_GOAL_MS, "the stepper is slower than the goal"
        moved = stepper.pixels()
        assert moved != start, "moving the slider did not change the figure"

        # The E/M half-step toggle: to the other half and back.
        shown = stepper.half()
        other = {"E-step": "M-step", "M-step": "E-step"}[shown]
        stepper.toggle(other)
        assert stepper.half() == other
        assert stepper.pixels() != moved, f"toggling {shown} -> {other} did not change the figure"
        stepper.toggle(shown)
        assert stepper.pixels() == moved, f"toggling back to the {shown} did not restore the figure"

        # Play: from iteration 0 it advances the slider (jslink) and the figure follows.
        if stepper.value != 0:
            stepper.key("Home")
        at_zero = stepper.pixels()
        stepper.arm()
        stepper.play_button.click()
        stepper.latency()
        page.wait_for_function("h => Number(h.getAttribute('aria-valuenow')) >= 1",
                               arg=stepper.handle.element_handle(), timeout=10_000)
        stepper.play_button.click()        # pause (stop would rewind to iteration 0)
        assert stepper.pixels() != at_zero, "Play did not change the figure"

        stepper.root.screenshot(path=artifacts / f"{stem}-stepper.png")
