"""What a stepper step costs the kernel, and where it goes; then blitting against replotting.

Part 1, per view (a 2-D GMM, a Poisson mixture, the two coins, the Poisson ELBO view, binary
images): the CPU milliseconds (``time.process_time``: on a shared machine the wall time
follows the load, the CPU time much less) of a whole stepper step, ``Stepper.show`` (the view
moved, rendered, encoded as PNG, the words for the live region and the alt text, the widget
traits set; no browser attached, so no message is sent), and of its parts:

    update   the artists moved in place (``view.update``)
    render   the figure drawn into the canvas by blitting (``view.render``)
    png      the canvas encoded (``rendering.png_bytes``)

and the bytes per PNG.  The half-steps are visited in turn, forwards, as a lecturer steps.

Part 2, the 2-D GMM (K = 3): a step (update + render) against clearing and replotting the same
figure (clear every axes, create all artists again with ``view.draw``, draw it all with Agg),
and against a step that draws the whole figure (no background reuse).  All run in this one
process, interleaved, on the same figure; the ratios are what counts.  Then what an explorer
pays to show a rerun of EM (another History on the same data): ``view.set_history`` (the
artists move in place) and a render, against a new view (a new figure) and a render.

    python benchmarks/bench_widgets.py [--repeats N]
"""
import sys
import time

import numpy as np

import emlab
from emlab import bernoulli, coins, gaussian, poisson
from emlab.widgets import ElboView, EllipseView, stepper
from emlab.widgets.rendering import png_bytes

N, K, ITERATIONS, SEED = 1_000, 3, 10, 0
GOAL_RATIO = 3.0


def history(seed=SEED):
    """EM on 1,000 points from three 2-D Gaussians, from a random start."""
    rng = np.random.default_rng(SEED)
    truth = gaussian.Params(np.full(K, 1 / K), [[0.0, 0.0], [4.0, 0.0], [1.0, 4.0]],
                            [np.eye(2), [[1.0, 0.6], [0.6, 1.0]], [[2.0, 0.0], [0.0, 0.5]]])
    x, _ = gaussian.sample(truth, N, rng)
    start = gaussian.init_random(x, K, np.random.default_rng(seed))
    return emlab.run_em(gaussian, x, start, max_iter=ITERATIONS, tol=0)


def poisson_history():
    rng = np.random.default_rng(SEED)
    x, _ = poisson.sample(poisson.Params([0.3, 0.7], [2.0, 7.0]), 500, rng)
    return emlab.run_em(poisson, x, poisson.Params([0.5, 0.5], [1.0, 4.0]), max_iter=ITERATIONS, tol=0)


def coins_history():
    heads = np.array([5, 9, 8, 4, 7])                 # Do & Batzoglou's five sets of ten tosses
    x = np.column_stack([heads, 10 - heads])
    return emlab.run_em(coins, x, coins.Params([0.5, 0.5], [0.6, 0.5]), max_iter=ITERATIONS, tol=0,
                        learn_weights=False)


def images_history():
    rng = np.random.default_rng(SEED)
    truth = bernoulli.Params(np.full(5, 0.2), rng.uniform(0.05, 0.95, size=(5, 64)))
    x, z = bernoulli.sample(truth, 500, rng)
    return emlab.run_em(bernoulli, x, bernoulli.init_random(x, 5, rng), max_iter=ITERATIONS, tol=0), z


def steppers():
    """``{name: Stepper}``, one per kind of view, at the stepper's default resolution."""
    images, classes = images_history()
    return {"2-D GMM (EllipseView)": stepper(history()),
            "Poisson (PoissonView)": stepper(poisson_history()),
            "two coins (CoinsView)": stepper(coins_history()),
            "Poisson + ELBO (ElboView)": stepper(poisson_history(), view=ElboView),
            "binary images (MeanImagesView)": stepper(images, classes=classes)}


def forwards(last, count):
    """``count`` half-steps, forwards from 1, starting again after ``last``."""
    return [1 + i % last for i in range(count)]


def cpu_ms(action, steps):
    """Median CPU milliseconds of ``action(step)`` over ``steps``."""
    times = []
    for step in steps:
        start = time.process_time()
        action(step)
        times.append(time.process_time() - start)
    return 1e3 * np.median(times)


def step_costs(w, repeats):
    """CPU ms per step of a whole ``Stepper.show`` and of its parts, and the PNG's bytes."""
    view, steps = w.view, forwards(w.view.steps.last, repeats)
    for step in steps[:3]:                              # warm-up: fonts, caches
        w.show(step)
    costs = {"show": cpu_ms(w.show, steps), "update": cpu_ms(view.update, steps)}

    def render(step):
        view.update(step)
        view.render()
    costs["render"] = cpu_ms(render, steps) - costs["update"]
    buffer = view.render()
    costs["png"] = cpu_ms(lambda _: png_bytes(buffer), steps)
    return costs, len(png_bytes(buffer))


def report_steps(repeats):
    print(f"CPU ms per stepper step (medians of {repeats} steps, time.process_time):")
    print(f"  {'view':32} {'show':>6} {'update':>7} {'render':>7} {'png':>6}  bytes per PNG")
    for name, w in steppers().items():
        costs, size = step_costs(w, repeats)
        print(f"  {name:32} {costs['show']:6.1f} {costs['update']:7.1f} {costs['render']:7.1f} "
              f"{costs['png']:6.1f}  {size / 1024:5.1f} KiB")


# ---- part 2: blitting against replotting (2-D GMM)

def step(view, s):
    view.update(s)
    view.render()


def step_full_draw(view, s):
    view.update(s)
    view.fig.stale = True           # render then draws the whole figure, as without blitting
    view.render()


def replot(view, s):
    for ax in view.fig.axes:
        ax.clear()
    view.draw(s)
    view.render()                   # the figure is stale: a whole-figure draw


def timed(action, view, s):
    start = time.process_time()
    action(view, s)
    return time.process_time() - start


def swap_history(view, other):
    view.set_history(other)
    view.render()


def new_view(_view, other):
    EllipseView(other).render()


def rerun_costs(view, repeats):
    """Median CPU ms to show another History: swapped into the view, or in a new view."""
    others = [history(seed) for seed in range(1, 4)]
    times = {swap_history.__name__: [], new_view.__name__: []}
    for i in range(repeats):
        for action in (swap_history, new_view):
            start = time.process_time()
            action(view, others[i % len(others)])
            times[action.__name__].append(time.process_time() - start)
    return {name: 1e3 * np.median(values) for name, values in times.items()}


def report_blitting(repeats):
    h = history()
    view = EllipseView(h)
    actions = (step, step_full_draw, replot)
    for action in actions:          # warm-up: fonts, caches
        action(view, 1)
    times = {action.__name__: [] for action in actions}
    for s in forwards(view.steps.last, repeats):
        for action in actions:      # interleaved, so load changes hit all alike
            times[action.__name__].append(timed(action, view, s))
    ms = {name: 1e3 * np.median(values) for name, values in times.items()}
    ratio = ms["replot"] / ms["step"]
    width, height = view.fig.get_size_inches()
    print(f"2-D GMM view, n = {N}, K = {K}, {repeats} steps each, Agg at {view.fig.dpi:.0f} dpi, "
          f"{width:.1f} x {height:.1f} in; CPU ms, medians:")
    print(f"  step: update + render (blit)          {ms['step']:7.1f} ms")
    print(f"  clear and replot + whole draw         {ms['replot']:7.1f} ms")
    print(f"  ratio replot / step                   {ratio:7.1f} x    goal >= {GOAL_RATIO:.0f} x: "
          f"{'met' if ratio >= GOAL_RATIO else 'MISSED'}")
    print(f"  update + whole draw (no blit)         {ms['step_full_draw']:7.1f} ms   "
          f"(replot / this: {ms['replot'] / ms['step_full_draw']:.1f} x)")
    rerun = rerun_costs(view, max(3, repeats // 4))
    print("another History of the same data (a rerun of EM):")
    print(f"  view.set_history + render             {rerun['swap_history']:7.1f} ms")
    print(f"  a new view + render                   {rerun['new_view']:7.1f} ms")


def main(repeats):
    report_steps(repeats)
    report_blitting(repeats)


if __name__ == "__main__":
    main(int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 40)
