"""What an instructor exports: reveal.js decks (``make slides``) with one section per slide,
and standalone HTML pages (``make html``) whose animations play in Chromium without a kernel.
The exports are built into a temporary folder with the commands the Makefile runs; nothing
here needs the network (the pages' CDN links are never fetched: the browser is cut off)."""
import json
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from labdriver import NOTEBOOKS, ROOT


def nbconvert(to, output_dir):
    """``jupyter nbconvert --to <to>`` of every notebook into output_dir (as ``make slides``
    and ``make html`` do)."""
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", to, "--output-dir",
                    str(output_dir), *(str(ROOT / "notebooks" / n) for n in NOTEBOOKS)],
                   check=True, capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def slides(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    nbconvert("slides", out)
    return out


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    nbconvert("html", out)
    return out


def slide_types(name):
    """The slide_type of each cell of the notebook that is shown ('skip' and notes dropped)."""
    cells = json.loads((ROOT / "notebooks" / name).read_text())["cells"]
    types = [c["metadata"].get("slideshow", {}).get("slide_type", "-") for c in cells]
    return [t for t in types if t not in ("skip", "notes")]


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
def test_slides_one_section_per_slide(name, slides):
    types = slide_types(name)
    # A deck starts a slide at its first shown cell whatever that cell's type.
    expected_slides = types.count("slide") + (types[0] != "slide")
    expected_leaves = expected_slides + types.count("subslide") - (types[0] == "subslide")
    deck = Sections()
    deck.feed((slides / name.replace(".ipynb", ".slides.html")).read_text())
    assert deck.has_child == [], "unbalanced <section> tags"
    assert (deck.top, deck.leaves) == (expected_slides, expected_leaves)
    assert deck.fragments == types.count("fragment")


@pytest.mark.browser
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_html_animation_plays_without_kernel(name, pages, context):
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
               else route.abort())                 # offline: CDN scripts and fonts fail fast
    page.goto((pages / name.replace(".ipynb", ".html")).as_uri(), wait_until="load")
    animations = page.locator(".animation:has(img[id^='_anim_img'])")
    assert animations.count() >= 1, f"{name}: no animation in the exported page"
    animation = animations.first
    frame = animation.locator("img[id^='_anim_img']")
    slider = animation.locator("input.anim-slider")
    first = frame.get_attribute("src")
    assert first.startswith("data:image/png") and int(slider.get_attribute("max")) >= 1

    animation.locator("button[title='Next frame']").click()
    assert slider.input_value() == "1"
    assert frame.get_attribute("src") != first, "Next frame did not change the picture"

    animation.locator("button[title='First frame']").click()
    assert frame.get_attribute("src") == first
    animation.locator("button[title='Play']").click()
    page.wait_for_function("s => Number(s.value) >= 2", arg=slider.element_handle(), timeout=10_000)
    animation.locator("button[title='Pause']").click()
    assert frame.get_attribute("src") != first, "Play did not advance the animation"
    page.close()
