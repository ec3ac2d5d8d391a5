"""The stepper widget (emlab.widgets.Stepper: Play, Repeat, ◀ half-step, half-step ▶, the
half-step box, the image, the live region) on a page that ``labdriver`` opened: its controls,
its image, and the time from an input to the updated image.  Used by the browser tests and
benchmarks/bench_browser.py, bench_explorer.py."""
import re

from labdriver import KERNEL_READY_JS, light, wait_kernel_ready

# Median half-step -> updated figure in Chromium on this 2-core machine while the whole suite runs
# (issue 21): reported by the tests and the benchmark, never asserted.
LATENCY_GOAL_MS = 80

STEPPER = ".emlab-widget:has(> .emlab-frames)"            # its pictures are a child
STEPPERS = light(f".jp-Notebook {STEPPER}")


# SHA-256 of an <img>'s decoded bitmap (RGBA), as hex.
PIXELS_JS = """async img => {
    await img.decode();
    const canvas = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
    const context = canvas.getContext('2d');
    context.drawImage(img, 0, 0);
    const bitmap = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bitmap));
    return [...digest].map(b => b.toString(16).padStart(2, '0')).join('');
}"""


# The stepper's picture shown if it is the one of the half-step in its box (the image's DOM
# class emlab-half-step-N), else null.
SHOWN_JS = """root => {
    const box = root.querySelector('input[type=number]');
    const img = root.querySelector('.emlab-frames img.widget-image');
    return img && img.classList.contains(`emlab-half-step-${box.value}`) ? img : null;
}"""


class StepperUI:
    """One stepper widget on the page: its controls and its image."""

    def __init__(self, page, root):
        self.page, self.root = page, root
        self.frames = root.locator(".emlab-frames")
        self.image = self.frames.locator("img.widget-image")                # the one shown
        self.box = root.locator("input[type=number]")                        # the half-step box
        self.play_button = root.locator("button", has_text=re.compile("^(Play|Pause)$"))
        self.buttons = {1: root.locator("button", has_text="half-step ▶"),
                        -1: root.locator("button", has_text="◀ half-step")}

    @property
    def value(self):
        """The half-step shown: 0 the start, 2t + 1 iteration t's E-step, 2t + 2 its M-step."""
        return int(self.box.input_value())

    @property
    def maximum(self):
        return int(self.box.get_attribute("max"))

    def said(self):
        """What the live region says (the half-step shown, in words)."""
        return self.root.locator("[role=status]").text_content()

    def wait_said(self, start, timeout=30_000):
        """Wait until the live region's words begin with ``start``; returns them.  (The region
        and the image are two widgets: the page may paint one before the other.)"""
        self.page.wait_for_function(
            "([root, start]) => (root.querySelector('[role=status]')?.textContent ?? '').startsWith(start)",
            arg=[self.root.element_handle(), start], timeout=timeout)
        return self.said()

    def pixels(self):
        """The image as the browser decoded it: a digest of its bitmap (drawn on a canvas; the
        same picture gives the same digest, without a screenshot's cost)."""
        return self.image.evaluate(PIXELS_JS)

    def wait_drawn(self):
        """Wait until the picture shown is the half-step's in the box, loaded."""
        self.page.wait_for_function(f"root => ({SHOWN_JS})(root)?.complete", arg=self.root.element_handle(),
                                    timeout=30_000)

    def arm(self):
        """Start watching for the next picture: timed from the next keydown or click anywhere
        on the page to the picture of another half-step than the one shown, of the half-step
        in the box, decoded and painted (read with ``latency``)."""
        self.root.evaluate(f"""root => {{
            const shown = {SHOWN_JS};
            const before = shown(root), beforeSrc = before?.src;
            let painted;
            window.__emlab = {{t0: null, painted: new Promise(resolve => {{ painted = resolve; }})}};
            const start = () => {{ if (window.__emlab.t0 === null) window.__emlab.t0 = performance.now(); }};
            document.addEventListener('keydown', start, {{capture: true, once: true}});
            document.addEventListener('mousedown', start, {{capture: true, once: true}});
            const observer = new MutationObserver(() => {{
                const img = shown(root);
                if (!img || (img === before && img.src === beforeSrc)) return;
                observer.disconnect();
                img.decode().catch(() => {{}}).then(() => requestAnimationFrame(() => {{
                    painted(performance.now() - (window.__emlab.t0 ?? performance.now()));
                }}));
            }});
            observer.observe(root, {{subtree: true, childList: true, attributes: true,
                                    attributeFilter: ['src', 'class']}});
        }}""")

    def latency(self, timeout=30_000):
        """Milliseconds from the armed input to the updated image: waits for it without
        polling (which would add its own work to the page while it is timed).  Then, untimed,
        waits until the kernel is idle, so that the half-step's last messages (the half-step
        box's new value comes after the picture) have reached the page before the next input:
        a number typed in the box right after "◀ half-step" once got no new image in 30 s."""
        try:
            ms = self.page.evaluate("""timeout => new Promise((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error(`no new image in ${timeout} ms`)), timeout);
                window.__emlab.painted.then(ms => { clearTimeout(timer); resolve(ms); });
            })""", timeout)
        except Exception as error:    # noqa: BLE001 -- playwright's Error: say what the page shows
            raise AssertionError(f"{str(error).splitlines()[0]}; the half-step box shows "
                                 f"{self.box.input_value()!r}, the live region says {self.said()!r}, "
                                 f"the kernel is ready: {self.page.evaluate(KERNEL_READY_JS)}") from None
        wait_kernel_ready(self.page, timeout=timeout)
        return ms

    def key(self, key):
        """Press ``key`` in the half-step box (ArrowUp, ArrowDown); ms until the new image."""
        self.arm()
        self.box.press(key)
        return self.latency()

    def step(self, direction):
        """Enter on "half-step ▶" (direction 1) or "◀ half-step" (-1); ms until the new image."""
        self.arm()
        self.buttons[direction].press("Enter")
        return self.latency()

    def go_to(self, step):
        """Type ``step`` into the half-step box (then Enter); ms until the new image."""
        self.arm()
        self.box.fill(str(step))
        self.box.press("Enter")
        return self.latency()

    def play_a_step(self, click_timeout=None):
        """Press Play, wait until the half-step has advanced and the figure followed, pause.
        Returns the ms until the first new image.
        ``click_timeout`` (ms): how long the Play button may stay covered or disabled."""
        self.arm()
        start = self.value
        self.play_button.click(timeout=click_timeout)
        ms = self.latency()
        self.page.wait_for_function(f"box => Number(box.value) > {start}",
                                    arg=self.box.element_handle(), timeout=10_000)
        self.play_button.click()
        return ms

    def step_latencies(self, steps=10):
        """One half-step at a time with the arrow keys in the half-step box, ``steps`` times (on
        to the end, then back), timing each to its updated image."""
        times, direction = [], "ArrowUp"
        for _ in range(steps):
            if direction == "ArrowUp" and self.value >= self.maximum:
                direction = "ArrowDown"
            elif direction == "ArrowDown" and self.value <= 0:
                direction = "ArrowUp"
            times.append(self.key(direction))
        return times


def steppers(page, within=None):
    root = within if within is not None else page
    selector = STEPPER if within is not None else STEPPERS
    found = root.locator(selector)
    return [StepperUI(page, found.nth(i)) for i in range(found.count())]
