"""The explorers in a real JupyterLab in Chromium (tests/fixtures/explorer.ipynb, copied into the
session's Lab server): changing K, init and seed reruns EM, the figure changes and the caption
names the new run; each error (K larger than n, a collapse, a start outside the parameter
space) shows its message in place of the figure, and the next valid choice shows a run again.
Every wait waits for a state (kernel idle, caption text, image source changed), never a time."""
import re
import shutil

import pytest
from playwright.sync_api import expect

from labdriver import ROOT, error_outputs, light, open_notebook, run_all
from stepper_ui import STEPPER, StepperUI

pytestmark = pytest.mark.browser

FIXTURE = ROOT / "tests" / "fixtures" / "explorer.ipynb"
N_POINTS = 121                   # the fixture's Gaussian data: 120 points and an outlier


class ExplorerUI:
    """One explorer on the page: its controls (found by their description), caption and stepper."""

    def __init__(self, page, root):
        self.page, self.root = page, root
        self.caption = root.locator(":scope > .widget-html").first
        self.stepper = StepperUI(page, root.locator(STEPPER))
        self.message = self.stepper.root.locator(":scope > .widget-html").first

    def control(self, name):
        """The widget whose description is ``name`` (its label and input)."""
        label = self.root.locator("label.widget-label", has_text=re.compile(f"^{re.escape(name)}$"))
        return label.locator("xpath=..")

    def change(self, action, caption, *, figure="new"):
        """Do ``action`` (a function) and wait until the caption contains ``caption``.  Then
        ``figure`` "new": a new figure is shown; "same": the figure is shown again, unchanged
        (the run shown before a message); None: no figure (a message).  Returns the pixels."""
        if figure == "new":
            self.stepper.arm()
        action()
        expect(self.caption).to_contain_text(caption, timeout=30_000)
        if figure is None:
            return None
        if figure == "new":
            self.stepper.latency()
        expect(self.stepper.image).to_be_visible()
        expect(self.message).to_be_hidden()
        assert self.stepper.value == 0, "a new run must start at its start"
        iterations = int(re.search(r"(\d+) iterations?,", self.caption.inner_text()).group(1))
        assert self.stepper.maximum == 2 * iterations + 1, "the half-steps must span the new run"
        return self.stepper.pixels()

    def type_number(self, name, value):
        field = self.control(name).locator("input")
        return lambda: (field.fill(str(value)), field.press("Enter"))

    def click_option(self, name, option):
        return lambda: self.control(name).locator(".widget-radio-box label", has_text=option).click()

    def select_option(self, name, label):
        return lambda: self.control(name).locator("select").select_option(label=label)

    def shows_message(self, text):
        expect(self.message).to_contain_text(text, timeout=30_000)
        expect(self.stepper.image).to_be_hidden()
        assert "no run to show" in self.caption.inner_text()


@pytest.fixture
def explorers(lab, notebook_page):
    shutil.copy2(FIXTURE, lab.root / FIXTURE.name)
    page = notebook_page
    open_notebook(page, lab, FIXTURE.name)
    run_all(page)
    assert error_outputs(page) == []
    found = page.locator(light(".jp-Notebook .emlab-explorer"))
    expect(found).to_have_count(2, timeout=30_000)
    ui = [ExplorerUI(page, found.nth(i)) for i in range(2)]
    for explorer in ui:
        explorer.stepper.wait_drawn()
    return ui


def test_explorer_reruns_on_each_control_and_recovers_from_each_error(explorers):
    gauss, two_coins = explorers
    expect(gauss.caption).to_contain_text("K = 2, init = k-means, seed = 0, reg_covar = 0:")
    shown = gauss.stepper.pixels()
    # The controls stay where the mouse is, whatever replaces the figure (checked at the end).
    where = {name: gauss.control(name).bounding_box() for name in ("K", "seed", "reg_covar")}

    # K, init and seed: each a new run, a new figure, a caption naming it.
    for action, caption in [(gauss.type_number("K", 3), "K = 3, init = k-means, seed = 0"),
                            (gauss.click_option("init", "random"), "K = 3, init = random, seed = 0"),
                            (gauss.type_number("seed", 2), "K = 3, init = random, seed = 2")]:
        now = gauss.change(action, caption)
        assert now != shown, f"the figure did not change for {caption}"
        shown = now

    # K larger than n, then a valid K again.
    gauss.change(gauss.type_number("K", 1000), "K = 1000", figure=None)
    gauss.shows_message(f"K must be at most the number of points n = {N_POINTS}, got K = 1000")
    again = gauss.change(gauss.type_number("K", 3), "K = 3, init = random, seed = 2, reg_covar = 0:",
                         figure="same")
    assert again == shown, "the same setting must show the same figure"

    # A start that collapses onto the outlier; reg_covar rescues it.
    gauss.change(gauss.type_number("seed", 1), "seed = 1", figure=None)
    gauss.shows_message("EM stopped at iteration")
    expect(gauss.message).to_contain_text("collapsed")
    moved = {name: (where[name]["x"], where[name]["y"], box["x"], box["y"])
             for name, box in ((name, gauss.control(name).bounding_box()) for name in where)
             if abs(box["x"] - where[name]["x"]) > 0.5 or abs(box["y"] - where[name]["y"]) > 0.5}
    assert moved == {}, f"with a message in place of the figure, controls moved (x, y before, after): {moved}"
    gauss.change(gauss.select_option("reg_covar", "1e-06"), "seed = 1, reg_covar = 1e-06:")
    expect(gauss.caption).to_contain_text("converged")
    moved = [name for name in where if gauss.control(name).bounding_box() != where[name]]
    assert moved == [], f"with a new figure, controls moved: {moved}"

    # Coins: a start outside the parameter space (both coins never land heads), then back.
    expect(two_coins.caption).to_contain_text("init = manual, theta = (0.60, 0.50):")
    two_coins.change(two_coins.type_number("theta_A", 0), "theta = (0.00, 0.50)", figure=None)
    two_coins.change(two_coins.type_number("theta_B", 0), "theta = (0.00, 0.00)", figure=None)
    two_coins.shows_message("zero probability under every component")
    two_coins.change(two_coins.type_number("theta_A", 0.3), "theta = (0.30, 0.00)", figure=None)
    two_coins.change(two_coins.type_number("theta_B", 0.3), "theta = (0.30, 0.30): 2 iterations")

    assert error_outputs(gauss.page) == [], "a control change left error output in the notebook"
