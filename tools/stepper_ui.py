"""The stepper widget (emlab.widgets.Stepper: Play, slider, E/M toggle, image) on a page that
``labdriver`` opened: its controls, its image, and the time from an input to the updated
image.  Used by the browser tests and benchmarks/bench_browser.py, bench_explorer.py."""

# Median slider step -> updated figure (issue 5): reported by the tests and the benchmark, not asserted.
LATENCY_GOAL_MS = 250

STEPPER = ".widget-vbox:has(> .widget-hbox .widget-play):has(> .widget-image)"
STEPPERS = f".jp-Notebook {STEPPER}"


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


class StepperUI:
    """One stepper widget on the page: its controls and its image."""

    def __init__(self, page, root):
        self.page, self.root = page, root
        self.image = root.locator("img.widget-image")
        self.handle = root.locator(".widget-slider .noUi-handle")
        self.play_button = root.locator(".widget-play button").nth(0)     # play / pause

    @property
    def value(self):
        return int(float(self.handle.get_attribute("aria-valuenow")))

    @property
    def maximum(self):
        return int(float(self.handle.get_attribute("aria-valuemax")))

    def half(self):
        """The selected half-step button's label: "E-step" or "M-step"."""
        return self.root.locator(".widget-toggle-button.mod-active").inner_text().strip()

    def pixels(self):
        """The image as the browser decoded it: a digest of its bitmap (drawn on a canvas; the
        same picture gives the same digest, without a screenshot's cost)."""
        return self.image.evaluate(PIXELS_JS)

    def wait_drawn(self):
        self.page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                    arg=self.image.element_handle(), timeout=30_000)

    def arm(self):
        """Start watching for the next image update: timed from the next keydown or click
        anywhere on the page to the new image decoded and painted (read with ``latency``)."""
        self.image.evaluate("""img => {
            const before = img.src;
            window.__emlab = {t0: null, ms: null};
            const start = () => { if (window.__emlab.t0 === null) window.__emlab.t0 = performance.now(); };
            document.addEventListener('keydown', start, {capture: true, once: true});
            document.addEventListener('mousedown', start, {capture: true, once: true});
            const observer = new MutationObserver(() => {
                if (img.src === before) return;
                observer.disconnect();
                img.decode().catch(() => {}).then(() => requestAnimationFrame(() => {
                    window.__emlab.ms = performance.now() - (window.__emlab.t0 ?? performance.now());
                }));
            });
            observer.observe(img, {attributes: true, attributeFilter: ['src']});
        }""")

    def latency(self, timeout=30_000):
        """Milliseconds from the armed input to the updated image (waits for it)."""
        self.page.wait_for_function("() => window.__emlab && window.__emlab.ms !== null",
                                    timeout=timeout, polling="raf")
        return self.page.evaluate("() => window.__emlab.ms")

    def key(self, key):
        """Press ``key`` on the slider handle; returns the ms until the new image is shown."""
        self.arm()
        self.handle.press(key)
        return self.latency()

    def toggle(self, label):
        """Click the half-step button ``label`` ("E-step"/"M-step"); ms until the new image."""
        self.arm()
        self.root.locator(".widget-toggle-button", has_text=label).click()
        return self.latency()

    def play_a_step(self, click_timeout=None):
        """Press Play, wait until the slider has advanced and the figure followed, pause
        (stop would rewind to iteration 0).  Returns the ms until the first new image.
        ``click_timeout`` (ms): how long the Play button may stay covered or disabled."""
        self.arm()
        start = self.value
        self.play_button.click(timeout=click_timeout)
        ms = self.latency()
        self.page.wait_for_function(f"h => Number(h.getAttribute('aria-valuenow')) > {start}",
                                    arg=self.handle.element_handle(), timeout=10_000)
        self.play_button.click()
        return ms

    def step_latencies(self, steps=10):
        """Move the slider one step at a time, ``steps`` times (right to the end, then back
        left), timing each step to its updated image."""
        times, direction = [], "ArrowRight"
        for _ in range(steps):
            if direction == "ArrowRight" and self.value >= self.maximum:
                direction = "ArrowLeft"
            elif direction == "ArrowLeft" and self.value <= 0:
                direction = "ArrowRight"
            times.append(self.key(direction))
        return times


def steppers(page, within=None):
    root = within if within is not None else page
    selector = STEPPER if within is not None else STEPPERS
    found = root.locator(selector)
    return [StepperUI(page, found.nth(i)) for i in range(found.count())]
