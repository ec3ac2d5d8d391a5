"""One stepper step against clearing and replotting the same figure (2-D GMM, K = 3).

A step moves the existing artists (``view.update``) and renders with Agg
(``view.render``: it restores the static background drawn once and draws only the
moving artists on it).  Clear-and-replot clears every axes, creates all artists again
(``view.draw``, the same drawing code) and draws the whole figure with Agg.  Also timed:
a step that draws the whole figure (update + full Agg draw, no background reuse) and what
the stepper really does per step (update + render + PNG encoding).  All run in this one
process, interleaved, on the same figure; the ratios are what counts (absolute times on a
shared machine are noise).

Then what an explorer pays to show a rerun of EM (another History on the same data):
``view.set_history`` (the artists move in place) and a render, against a new view (a new
figure, its artists and layout) and a render.

    python benchmarks/bench_widgets.py [--repeats N]
"""
import sys
import time

import numpy as np

import emlab
from emlab import gaussian
from emlab.widgets import EllipseView

N, K, ITERATIONS, SEED = 1_000, 3, 10, 0
GOAL_MS, GOAL_RATIO = 50.0, 3.0


def history(seed=SEED):
    rng = np.random.default_rng(SEED)
    truth = gaussian.Params(np.full(K, 1 / K), [[0.0, 0.0], [4.0, 0.0], [1.0, 4.0]],
                            [np.eye(2), [[1.0, 0.6], [0.6, 1.0]], [[2.0, 0.0], [0.0, 0.5]]])
    x, _ = gaussian.sample(truth, N, rng)
    start = gaussian.init_random(x, K, np.random.default_rng(seed))
    return emlab.run_em(gaussian, x, start, max_iter=ITERATIONS, tol=0)


def steps(n_iter, repeats):
    """Half-steps visited in turn: (0, M), (0, E), (1, M), ... cycling."""
    cycle = [(t, half) for t in range(n_iter + 1) for half in ("M", "E")]
    return [cycle[(i + 1) % len(cycle)] for i in range(repeats)]


def step(view, t, half):
    view.update(t, half)
    view.render()


def step_full_draw(view, t, half):
    view.update(t, half)
    view.fig.stale = True           # render then draws the whole figure, as without blitting
    view.render()


def replot(view, t, half):
    for ax in view.fig.axes:
        ax.clear()
    view.draw(t, half)
    view.render()                   # the figure is stale: a whole-figure draw


def step_png(view, t, half):
    view.update(t, half)
    view.png()                      # render + PNG encoding, as the stepper does


def timed(action, view, t, half):
    start = time.perf_counter()
    action(view, t, half)
    return time.perf_counter() - start


def swap_history(view, other):
    view.set_history(other)
    view.render()


def new_view(_view, other):
    EllipseView(other).render()


def rerun_costs(view, repeats):
    """Median seconds to show another History: swapped into the view, or in a new view."""
    others = [history(seed) for seed in range(1, 4)]
    times = {swap_history.__name__: [], new_view.__name__: []}
    for i in range(repeats):
        for action in (swap_history, new_view):
            start = time.perf_counter()
            action(view, others[i % len(others)])
            times[action.__name__].append(time.perf_counter() - start)
    return {name: 1e3 * np.median(values) for name, values in times.items()}


def main(repeats):
    h = history()
    view = EllipseView(h)
    actions = (step, step_full_draw, replot, step_png)
    for action in actions:          # warm-up: fonts, caches
        action(view, 0, "E")
    times = {action.__name__: [] for action in actions}
    for t, half in steps(h.n_iter, repeats):
        for action in actions:      # interleaved, so load changes hit all alike
            times[action.__name__].append(timed(action, view, t, half))
    ms = {name: 1e3 * np.median(values) for name, values in times.items()}
    ratio = ms["replot"] / ms["step"]
    width, height = view.fig.get_size_inches()
    print(f"2-D GMM view, n = {N}, K = {K}, {repeats} steps each, Agg at {view.fig.dpi:.0f} dpi, "
          f"{width:.1f} x {height:.1f} in; medians:")
    print(f"  step: update + render (blit)          {ms['step']:7.1f} ms   goal <= {GOAL_MS:.0f} ms: "
          f"{'met' if ms['step'] <= GOAL_MS else 'MISSED'}")
    print(f"  clear and replot + whole draw         {ms['replot']:7.1f} ms")
    print(f"  ratio replot / step                   {ratio:7.1f} x    goal >= {GOAL_RATIO:.0f} x: "
          f"{'met' if ratio >= GOAL_RATIO else 'MISSED'}")
    print(f"  update + whole draw (no blit)         {ms['step_full_draw']:7.1f} ms   "
          f"(replot / this: {ms['replot'] / ms['step_full_draw']:.1f} x)")
    print(f"  stepper step: update + render + PNG   {ms['step_png']:7.1f} ms, "
          f"{len(view.png()) / 1024:.0f} KiB per PNG")
    rerun = rerun_costs(view, max(3, repeats // 4))
    print("another History of the same data (a rerun of EM):")
    print(f"  view.set_history + render             {rerun['swap_history']:7.1f} ms")
    print(f"  a new view + render                   {rerun['new_view']:7.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 40)
