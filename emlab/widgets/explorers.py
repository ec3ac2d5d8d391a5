"""Explore, not only replay: a stepper over a run that the student chooses (ipywidgets).

    explorer(model, x, **options)                   controls K, init, seed; reg_covar for the
                                                    Gaussian; the number boxes of a manual start
    semi_supervised_explorer(x, truth, **options)   controls n_labelled, seed (the labelled draw)
    Explorer                                        the widget both return

Each control's description is its parameter's name ("K", "init", "seed", "reg_covar",
"theta_A", "mu_0 x1", "start_variance", "n_labelled"): a student, a screen reader (it is the
control's accessible name) and a test find it by that word.  The controls are native ones that
a screen reader names and the keyboard reaches: number boxes (ipywidgets 8's sliders have no
accessible name), radio buttons (they say which is checked), a drop-down.  What a setting runs
is written without widgets in ``emlab.widgets.runs``.
"""
import html
import inspect
import threading

import ipywidgets as widgets
import numpy as np

from .. import checks

from ..em import run_em
from ..errors import CollapseError
from ..model import check_model, model_name
from . import runs
from .interactive import Stepper
from .landscape import CoinsLandscapeView
from .registry import default_view, make_view

# The covariance floors the Gaussian's reg_covar control offers.
REG_COVARS = (0.0, 1e-6, 1e-4, 1e-2, 1e-1)
STYLE = {"description_width": "initial"}


class Explorer(widgets.VBox):
    """Controls above a Stepper: changing one reruns EM, and the stepper steps through the new
    run from its start (its half-steps and log-likelihood panel follow).

    Attributes: ``controls`` (name -> widget), ``caption`` (HTML: the run's name and what it
    did), ``stepper``, ``history`` (the run shown, None while a message is shown).  A setting
    that cannot run (a ValueError, e.g. ``CollapseError``) shows its message in place of the
    figure, and the controls keep working.  A rerun that takes longer than ``busy_after``
    seconds disables the controls and says "running EM" until it is done.

    A subclass sets ``self.controls`` and calls ``__init__`` with the rows of controls; it gives
    ``settings()`` (the controls' values, as keywords), ``run(settings) -> (History, summary)``
    and, if it needs to, ``on_change(name)`` (called before the rerun that a change of control
    ``name`` starts).  ``views``: View classes to prefer, when they can show the run; otherwise
    ``default_view``.
    """
    busy_after = 0.3
    _observing = False          # set once __init__ watches the controls

    def __init__(self, rows, *, views=(), view_options=None, interval=1000):
        self.views, self.view_options = tuple(views), dict(view_options or {})
        self.caption = widgets.HTML()
        self._lock, self._running, self._disabled_before = threading.Lock(), False, None
        settings = self.settings()
        try:
            history, summary = self.run(settings)
        except CollapseError as exc:             # the first setting collapses: its steps until then
            history, summary = exc.history, exc
        self.stepper = Stepper(make_view(history, self.view_for(history), **self.view_options),
                               interval=interval)
        super().__init__([*rows, self.caption, self.stepper])
        self.add_class("emlab-explorer")
        self.add_class("emlab-widget")
        self.show(settings, history if isinstance(summary, str) else None, summary)
        for control in self.controls.values():
            self.watch(control)
        self._observing = True

    def settings(self):
        raise NotImplementedError(f"{type(self).__name__} must implement settings()")

    def run(self, settings):
        raise NotImplementedError(f"{type(self).__name__} must implement run(settings)")

    def on_change(self, name):
        """Before the rerun that a change of control ``name`` starts (nothing here)."""

    def view_for(self, history):
        """The first of ``views`` that can show ``history``, else its default view."""
        return next((v for v in self.views if v.cannot_show(history) is None), None) or default_view(history)

    def rerun(self):
        """Run the controls' setting and show it (or why it cannot run)."""
        settings = self.settings()
        with self._lock:
            self._running = True
        timer = threading.Timer(self.busy_after, self._show_busy, [runs.run_name(settings)])
        timer.daemon = True
        timer.start()
        try:
            history, summary = self.run(settings)
        except ValueError as exc:                # CollapseError is one
            history, summary = None, exc
        finally:
            timer.cancel()
            with self._lock:
                self._running = False
                disabled, self._disabled_before = self._disabled_before, None
            for control, was in (disabled or {}).items():
                control.disabled = was
        self.show(settings, history, summary)

    def show(self, settings, history, summary):
        """Step through ``history`` from its start, or show why there is none (``summary``: the error)."""
        name = html.escape(runs.run_name(settings))
        if history is not None:
            view = self.view_for(history)
            try:
                if type(self.stepper.view) is view:
                    self.stepper.set_history(history, step=0)
                else:
                    self.stepper.set_history(history, view, step=0, **self.view_options)
            except ValueError as exc:            # e.g. view options that do not fit this run
                history, summary = None, exc
        self.history = history
        if history is None:
            self.stepper.show_message(error_message(summary))
            self.caption.value = f"<b>{name}</b>: no run to show"
        else:
            self.caption.value = f"<b>{name}</b>: {html.escape(summary)}"

    def _show_busy(self, name):
        with self._lock:
            if not self._running:
                return
            self._disabled_before = {c: c.disabled for c in self.controls.values()}
            for control in self.controls.values():
                control.disabled = True
            self.caption.value = f"running EM: <b>{html.escape(name)}</b> …"

    def watch(self, control):
        """Rerun when ``control`` changes (for controls added after ``__init__``)."""
        control.observe(self._on_change, names="value")

    def _on_change(self, change):
        self.on_change(change["owner"].description)
        self.rerun()


def error_message(error):
    """What went wrong, in one line: a collapse names its iteration."""
    text = str(error)
    if isinstance(error, CollapseError) and error.iteration is not None:
        prefix = f"EM iteration {error.iteration}: "
        text = f"EM stopped at iteration {error.iteration}: " + text.removeprefix(prefix)
    return text


class ModelExplorer(Explorer):
    """The explorer of ``explorer(model, x, ...)``: K, init, seed, reg_covar, a manual start."""

    def __init__(self, model, x, *, K, init, seed, reg_covar, theta, means, start_variance,
                 em_options, views, view_options, interval):
        self.model, self.x, self.em_options = model, x, em_options
        self.inits = runs.inits(model, x)
        self.manual_keyword = runs.manual_keyword(model, x)        # "theta", "means" or None
        self.controls = {"K": widgets.IntText(K, description="K", style=STYLE, layout={"width": "7em"})}
        if len(self.inits) > 1:
            self.controls["init"] = widgets.RadioButtons(
                options=self.inits, value=init, description="init", orientation="horizontal", style=STYLE,
                layout={"display": "flex", "align_items": "center", "width": "auto", "margin": "2px 1em 2px 2px"})
        self.controls["seed"] = widgets.IntText(seed, description="seed", style=STYLE,
                                                layout={"width": "8em"})
        if reg_covar is not None:
            choices = [(f"{v:g}", v) for v in sorted({*REG_COVARS, reg_covar})]
            self.controls["reg_covar"] = widgets.Dropdown(options=choices, value=reg_covar,
                                                          description="reg_covar", style=STYLE,
                                                          layout={"width": "11em"})
        main = widgets.HBox(list(self.controls.values()), layout={"flex_flow": "row wrap"})
        self.manual = widgets.VBox()
        self.manual_controls = {}
        self.set_manual(theta if self.manual_keyword == "theta" else means, start_variance)
        self.show_manual(init)
        super().__init__([main, self.manual], views=views, view_options=view_options, interval=interval)

    def init_value(self):
        return self.controls["init"].value if "init" in self.controls else self.inits[0]

    def settings(self):
        settings = {name: control.value for name, control in self.controls.items()
                    if name in ("K", "seed", "reg_covar")}
        settings["init"] = self.init_value()
        if settings["init"] == "manual":
            settings.update(self.manual_start())
        return settings

    def run(self, settings):
        history = runs.explorer_run(self.model, self.x, **settings, **self.em_options)
        return history, runs.run_summary(history)

    # ---- the manual start the model declares (see runs.MANUAL_STARTS): one number box per coin
    #      bias p_j, or per coordinate of each mean and one for the covariance start_variance * I

    def manual_start(self):
        """The manual start's keywords for ``explorer_run``: theta, or means and start_variance."""
        values = [c.value for name, c in self.manual_controls.items() if name != "start_variance"]
        if self.manual_keyword == "theta":
            return {"theta": tuple(values)}
        d = self.x.shape[1]
        return {"means": np.reshape(values, (-1, d)),
                "start_variance": self.manual_controls["start_variance"].value}

    def set_manual(self, values, start_variance=None):
        """Number boxes for a manual start of K components (at most ``runs.MANUAL_MAX_K`` and n)
        at ``values`` (theta (K,) or means (K, d)); missing values come from the random start at
        ``seed``, to three significant digits (what a box shows).  The start_variance box
        (Gaussian) is made once and kept."""
        if "manual" not in self.inits:
            return
        k = self.manual_k()
        given = [] if values is None else list(np.asarray(values, float))[:k]
        if len(given) < k:
            seed = max(self.controls["seed"].value, 0)
            fill = runs.random_start(self.model)(self.x, k, np.random.default_rng(seed))
            drawn = fill.p if self.manual_keyword == "theta" else fill.means
            given += list(np.vectorize(lambda v: float(f"{v:.3g}"))(drawn))[len(given):]
        if self.manual_keyword == "theta":
            boxes = [number_box(f"theta_{coin_name(j)}", p, 0, 1, 0.01) for j, p in enumerate(given)]
        else:
            boxes = [s for j, mean in enumerate(given) for s in self.mean_boxes(j, mean)]
            boxes.append(self.manual_controls.get("start_variance") or self.variance_box(start_variance))
        # one wrapping row, as many boxes to a line as fit: the fewest lines on a slide
        rows = [widgets.HBox(boxes, layout={"flex_flow": "row wrap"})]
        old = self.manual_controls
        for name in old:
            del self.controls[name]
        self.manual_controls = {s.description: s for s in boxes}
        self.controls.update(self.manual_controls)
        self.manual.children = rows
        if self._observing:
            for box in boxes:
                if box not in old.values():
                    self.watch(box)

    def manual_k(self):
        """How many components the manual boxes cover: K, at most ``runs.MANUAL_MAX_K`` and n
        (the random start that fills new boxes needs K <= n; a larger K runs into its message)."""
        return min(max(self.controls["K"].value, 0), runs.MANUAL_MAX_K, len(self.x))

    def mean_boxes(self, j, mean):
        """Boxes "mu_j" (d = 1) or "mu_j x1", "mu_j x2" over the range of the data."""
        low, high = self.x.min(axis=0), self.x.max(axis=0)
        pad = 0.05 * (high - low)
        names = [""] if self.x.shape[1] == 1 else [" x1", " x2"]
        return [number_box(f"mu_{j}{name}", m, lo - p, hi + p, (hi - lo) / 200)
                for m, lo, hi, p, name in zip(mean, low, high, pad, names)]

    def variance_box(self, start_variance):
        """The manual start's covariance ``start_variance * I``, from 10^-4 to 10 times the data's
        variance (its default, to three significant digits), in steps of a hundredth of it."""
        variance = float(f"{runs.data_variance(self.x):.3g}")
        return number_box("start_variance", variance if start_variance is None else start_variance,
                          1e-4 * variance, 10 * variance, variance / 100)

    def show_manual(self, init):
        """The manual start's boxes only for init = "manual"; the seed only for the others."""
        self.manual.layout.display = None if init == "manual" else "none"
        self.controls["seed"].disabled = init == "manual"

    def on_change(self, name):
        """A manual start gets a box (or a pair) per component, keeping the values it had."""
        if name == "init":
            self.show_manual(self.init_value())
        if name in ("K", "init") and self.init_value() == "manual":
            values = next(iter(self.manual_start().values()))
            if len(values) != self.manual_k():
                self.set_manual(values)


def number_box(name, value, low, high, step):
    """A number box named ``name`` for ``value`` (clipped to [low, high]); the arrow keys change
    it by ``step``."""
    value = float(np.clip(checks.real(value, name), low, high))
    return widgets.BoundedFloatText(value, min=float(low), max=float(high), step=float(step), description=name,
                                    style=STYLE, layout={"width": "13em"})


def coin_name(j):
    """Coin j's name, as the coins views name it: A, B, ..."""
    return chr(65 + j) if j < 26 else str(j)


class SemiSupervisedExplorer(Explorer):
    """The explorer of ``semi_supervised_explorer``: the labelled draw (n_labelled, seed)."""

    def __init__(self, x, truth, *, n_labelled, seed, run_options, view_options, interval):
        self.x, self.truth, self.run_options = x, truth, run_options
        self.unsupervised = {}                   # seed -> unsupervised EM from init_random(x, k, seed)
        widths = {"n_labelled": (n_labelled, "10em"), "seed": (seed, "8em")}
        self.controls = {name: widgets.IntText(value, description=name, style=STYLE, layout={"width": width})
                         for name, (value, width) in widths.items()}
        super().__init__([widgets.HBox(list(self.controls.values()))], view_options=view_options,
                         interval=interval)

    def settings(self):
        return {name: control.value for name, control in self.controls.items()}

    def run(self, settings):
        done = runs.semi_supervised_run(self.x, self.truth, **settings, **self.run_options,
                                        unsupervised=self.unsupervised.get(settings["seed"]))
        self.unsupervised[settings["seed"]] = done.unsupervised
        h = done.history
        return h, (f"semi-supervised EM, {h.n_iter} iterations: {done.accuracy:.1%} of the other "
                   f"{done.n_scored} points right; unsupervised EM: {done.unsupervised_accuracy:.1%}")


def _split_options(model, options):
    """``options`` -> (run_em's and the model's M-step keywords, the view's keywords)."""
    parameters = [*list(inspect.signature(run_em).parameters.values())[3:],        # after (model, x, params)
                  *list(inspect.signature(model.m_step).parameters.values())[2:]]  # after (x, stats)
    em_names = {p.name for p in parameters if p.kind is not inspect.Parameter.VAR_KEYWORD} - {"labels"}
    return ({k: v for k, v in options.items() if k in em_names},
            {k: v for k, v in options.items() if k not in em_names})


def explorer(model, x, *, K=2, init=None, seed=0, theta=None, means=None, start_variance=None,
             view=None, interval=1000, **options):
    """A stepper over EM runs that the student chooses with controls above it (see ``Explorer``).

    Controls, each described by its name:
        K               the number of components (a whole number; K > n is refused in words);
                        for a model that is not a mixture, what its ``init_random`` counts
                        (e.g. hidden states)
        init            the start: "random" (the model's ``init_random``), "k-means" (its
                        ``init_kmeans``), "manual" (the number boxes of the ``manual_start`` the
                        model declares: "theta" as coins, "means" with d <= 2 as the Gaussian;
                        see ``emlab.widgets.runs.MANUAL_STARTS``)
        seed            the seed of a random or k-means start
        reg_covar       the Gaussian's covariance floor (0, 1e-6, 1e-4, 1e-2, 1e-1)
        theta_A, ...    a manual start of coins: each coin's bias
        mu_0 x1, ...    a manual Gaussian start: each coordinate of each mean (mu_0 for d = 1),
        start_variance  and the covariance start_variance * I of every component
    ``K``, ``init``, ``seed``, ``theta``, ``means``, ``start_variance``, ``reg_covar`` give the
    first setting (``init`` defaults to "manual" when ``theta`` or ``means`` is given, else
    "k-means" where offered, else "random"); the manual number boxes start at ``theta`` or ``means``
    (else at the random start of ``seed``), even when the first start is not manual.  Other
    ``options`` go to ``run_em`` (``max_iter`` (default 100), ``tol``, ``learn_weights``, the
    model's M-step options) or else to the view (``dpi``, ``colors``, ``mass``, ...).
    ``view``: a View class to prefer when it can show a run; by default two coins with fixed
    weights get ``CoinsLandscapeView`` (EM's path on the log-likelihood landscape), every other
    run its default view.  -> Explorer.
    """
    model = check_model(model)
    x = model.check_x(x)
    em_options, view_options = _split_options(model, options)
    has_floor = "reg_covar" in inspect.signature(model.m_step).parameters
    reg_covar = em_options.pop("reg_covar", 0.0) if has_floor else None
    offered = runs.inits(model, x)
    if not offered:
        raise TypeError(f"explorer needs a start to offer, but {model_name(model)} has no init_random, "
                        "init_kmeans or manual_start that fits x (see emlab.model)")
    if init is None:
        init = ("manual" if theta is not None or means is not None
                else "k-means" if "k-means" in offered else offered[0])
    return ModelExplorer(model, x, K=K, init=init, seed=seed, reg_covar=reg_covar, theta=theta, means=means,
                         start_variance=start_variance, em_options=em_options,
                         views=(CoinsLandscapeView,) if view is None else (view,),
                         view_options=view_options, interval=interval)


def semi_supervised_explorer(x, truth, *, n_labelled=8, seed=0, interval=1000, start_reg_covar=0.1,
                             max_iter=100, tol=1e-6, reg_covar=0.0, **view_options):
    """A stepper over semi-supervised EM (``emlab.semi_supervised.fit_semi_supervised``) on a
    random labelled draw of the rows of x, chosen with the controls ``n_labelled`` (how many
    rows are labelled) and ``seed`` (which: ``draw_labelled(truth, n_labelled, seed)``).

    The caption scores the fit on the other rows, next to unsupervised EM from
    ``init_random(x, k, seed)``, as ``labelled_count_sweep`` does (the same numbers for the same
    options).  x (n, d), truth (n,) ints 0..k-1; ``start_reg_covar``, ``max_iter``, ``tol``,
    ``reg_covar``: as for the sweep; ``view_options`` go to the view.  -> Explorer.
    """
    run_options = {"start_reg_covar": start_reg_covar, "max_iter": max_iter, "tol": tol,
                   "reg_covar": reg_covar}
    return SemiSupervisedExplorer(x, truth, n_labelled=n_labelled, seed=seed, run_options=run_options,
                                  view_options=view_options, interval=interval)
