"""How tall is each slide?  For the content writers, without pytest.

For each notebook given: exports its reveal.js deck (as ``make slides`` does, into a
temporary folder), opens it in Chromium at 1280x720 and prints, per slide, its height on
reveal.js's 960x700 canvas with every fragment shown, and whether it is too tall.  With
``--live`` it also runs the notebook in JupyterLab and walks jupyterlab-slideshow's live
slideshow, printing each slide's height against the 720 px window (slower: Run All).

    python tools/slide_report.py notebooks/03_gmm_2d.ipynb [more.ipynb ...] [--live]

The browser tests check the same (tests/browser: test_deck_slides_fit, test_live_slides_fit).
"""
import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import offline_export          # the tools next to this one (tools/ is the script's folder)
from labdriver import CHROMIUM, VIEWPORT, LabServer, launch_chromium, open_notebook, run_all
from slideshow import (KeysOnlyWalk, measure_deck, notebook_cells, readability, slide_type, start_slideshow,
                       stop_slideshow)


def first_line(cell):
    text = "".join(cell["source"]).strip().lstrip("#").strip()
    return text.splitlines()[0][:60] if text else ""


def warn_written_dashes(notebook):
    """jupyterlab-slideshow (the live slideshow) hides a cell whose slide_type is "-"
    written out; nbconvert's decks show it.  JupyterLab's own "-" writes no slide_type."""
    dashes = [i for i, cell in enumerate(notebook_cells(notebook)) if slide_type(cell) == "-"
              and "slide_type" in cell["metadata"].get("slideshow", {})]
    if dashes:
        print(f"\n{notebook.name}: WARNING cells {dashes} have slide_type \"-\" written out: the "
              "live slideshow (jupyterlab-slideshow) hides them; delete the key instead")


def print_readability(seen):
    print(f"  smallest text {seen['prose_px']} px, code and outputs {seen['code_px']} px, figure text "
          f"{seen['figure_px']} px as shown ({seen['unmeasured_figures']} figures unmeasured); widest "
          f"line {seen['widest_line']}\n  smallest: {seen['smallest_where']}")
    for kind, text, width, room in seen["too_wide"]:
        print(f"  TOO WIDE {kind} line, {width} px in {room} px: {text!r}")


def report_deck(page, notebook, tmp):
    warn_written_dashes(notebook)
    out = tmp / "slides"
    [deck] = offline_export.export("slides", out, [notebook])
    offline_export.copy_assets(out)
    measure = measure_deck(page, deck)
    limit = measure["height"]
    print(f"\n{notebook.name}: exported deck, reveal.js canvas {measure['width']}x{limit}, "
          "every fragment shown")
    for s in measure["slides"]:
        verdict = "TOO TALL" if s["height"] > limit else "ok"
        print(f"  #/{s['h']}/{s['v']:<3} {s['height']:5d} px  {verdict:8s}  {s['title']}")
    print_readability(readability([s["text"] for s in measure["slides"]]))
    return [s["height"] for s in measure["slides"]], limit


def report_live(page, notebook, tmp):
    root = tmp / "lab"
    root.mkdir(exist_ok=True)
    shutil.copy2(notebook, root / notebook.name)
    server = LabServer(root, tmp)
    try:
        open_notebook(page, server, notebook.name)
        seconds = run_all(page)
        cells = notebook_cells(root / notebook.name)
        start_slideshow(page)
        walk = KeysOnlyWalk(page, cells)
        stop_slideshow(page)
    finally:
        server.stop()
    slides = walk.slides()
    window = slides[0][2]
    print(f"\n{notebook.name}: live slideshow in JupyterLab ({VIEWPORT['width']}x{window} window, "
          f"Run All {seconds:.0f} s), walked with keys only: {walk.presses} presses, "
          f"{len(walk.dead)} changed nothing")
    for first, height, _ in slides:
        verdict = "not shown" if height is None else "TOO TALL" if height > window else "ok"
        print(f"  cell {first:<3} {height or 0:5d} px  {verdict:8s}  {first_line(cells[first])}")
    print_readability(walk.readability())
    for direction, firsts in walk.titles_not_shown().items():
        if firsts:
            print(f"  entered without the title on screen ({direction}): cells {firsts}")
    return [h for _, h, _ in slides if h is not None], window


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--live", action="store_true",
                        help="also measure the live slideshow in JupyterLab (runs the notebook)")
    parser.add_argument("--live-only", action="store_true", help="only the live slideshow")
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("slide_report: needs playwright (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        sys.exit(f"slide_report: needs {CHROMIUM} (apt-get install chromium)")
    summary = []
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
        browser = launch_chromium(playwright)
        for notebook in args.notebooks:
            work = Path(tmp) / notebook.stem
            work.mkdir()
            page = browser.new_page(viewport=VIEWPORT)
            kinds = ([] if args.live_only else [("deck", report_deck)]) + (
                [("live", report_live)] if args.live or args.live_only else [])
            for kind, report in kinds:
                heights, limit = report(page, notebook.resolve(), work)
                summary.append((notebook.name, kind, len(heights), max(heights, default=0), limit,
                                sum(h > limit for h in heights)))
            page.close()
        browser.close()
    print()
    for name, kind, count, tallest, limit, over in summary:
        print(f"{name} {kind}: {count} slides, tallest {tallest} px of {limit}, {over} too tall")


if __name__ == "__main__":
    main()
