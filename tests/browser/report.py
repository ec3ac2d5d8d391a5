"""The browser tests' report in the terminal summary: stepper latencies and slide heights.

Collected from the tests' ``record_property`` in ``pytest_runtest_logreport``, which also runs in
the main process of pytest-xdist (its workers send their reports there); the root conftest.py
loads these hooks, since that process loads no conftest below the root.
"""
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from stepper_ui import LATENCY_GOAL_MS  # noqa: E402

# kind -> notebook -> value
REPORTED = {"latencies": {}, "live_slides": {}, "deck_slides": {}}


def pytest_runtest_logreport(report):
    for kind, value in report.user_properties:
        if kind in REPORTED:
            name, measure = value
            REPORTED[kind][name] = measure


def pytest_terminal_summary(terminalreporter):
    write = terminalreporter.write_line
    latencies, live, decks = (REPORTED[k] for k in ("latencies", "live_slides", "deck_slides"))
    if latencies:
        terminalreporter.section("stepper latency in Chromium: slider step -> updated figure")
        for name, times in sorted(latencies.items()):
            write(f"{name}: median {statistics.median(times):.0f} ms over {len(times)} steps "
                  f"(min {min(times):.0f}, max {max(times):.0f})")
        every = [t for times in latencies.values() for t in times]
        write(f"all: median {statistics.median(every):.0f} ms over {len(every)} steps "
              f"(goal <= {LATENCY_GOAL_MS} ms; measured, not asserted)")
    if live or decks:
        terminalreporter.section("slides: count and tallest (a slide fits when tallest <= screen)")
        for name in sorted(set(live) | set(decks)):
            parts = []
            if name in live:
                slides, seen = live[name]["slides"], live[name]["readability"]
                heights = [h for _, h, _ in slides if h is not None]
                window = slides[0][2]
                width, room, _ = seen["widest_line"] or (0, 1, "")
                parts.append(f"live {len(slides)} slides, tallest {max(heights, default=0)} px of "
                             f"{window}, {sum(h > window for h in heights)} too tall; keys only "
                             f"{live[name]['presses']} presses, {live[name]['dead']} dead; smallest "
                             f"text {seen['prose_px']} px, code {seen['code_px']} px, figure "
                             f"{seen['figure_px']} px; widest code line {width}/{room} px")
            if name in decks:
                deck = decks[name]
                heights = [s["height"] for s in deck["slides"]]
                seen = deck["readability"]
                width, room, _ = seen["widest_line"] or (0, 1, "")
                parts.append(f"deck {len(heights)} slides, tallest {max(heights)} px of "
                             f"{deck['height']}, {sum(h > deck['height'] for h in heights)} too tall; "
                             f"smallest text {seen['prose_px']:.1f} px, code {seen['code_px']:.1f} px, "
                             f"figure {seen['figure_px']} px; widest code line {width}/{room} px")
            write(f"{name}: " + "; ".join(parts))
