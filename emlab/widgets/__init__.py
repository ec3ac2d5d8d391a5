"""Step through EM one half-step at a time: a ``View`` draws a ``History``; ``stepper``
(ipywidgets, needs a kernel) and ``animate`` (plays without one) drive it.

One module per role, each name importable from ``emlab.widgets`` (loaded on first use, so
that a part loads without what it does not need):

    halfsteps    what each half-step shows, in time order (the start, then each iteration's
                 E-step and M-step); no matplotlib
                 (HalfSteps, caption, animation_steps, HALVES, MAX_FRAMES)
    rendering    an off-screen figure redrawn fast by blitting, as palette PNGs
                 (BlitFigure, PaletteCanvas, palette_image)
    view         View, the base of every view: caption, log-likelihood panel, set_history
    views        one view per kind of model: CoinsView, PoissonView, DensityView (1-D),
                 EllipseView (2-D Gaussian); HistogramView
    images       MeanImagesView: each component's mean as an image (Bernoulli pixels)
    registry     register_view, default_view, make_view: which view draws a History
    animation    animate: a matplotlib animation; no ipywidgets
    interactive  Stepper, stepper: the ipywidgets layer
    landscape    CoinsLandscapeView: EM's path on the coins' log-likelihood landscape
    runs         explorer_run, semi_supervised_run: what an explorer runs; no widgets
    explorers    Explorer, explorer, semi_supervised_explorer: controls that rerun EM
    collapse_view  CollapseView: the 1-D view plus one component's variance (log scale)
    elbo_view    ElboView: a mixture's view plus log p(x | θ) = ELBO + KL at each half-step
"""
import importlib

_HOMES = {
    "halfsteps": ("HalfSteps", "caption", "animation_steps", "HALVES", "MAX_FRAMES"),
    "rendering": ("BlitFigure", "PaletteCanvas", "palette_image"),
    "view": ("View",),
    "views": ("CoinsView", "HistogramView", "PoissonView", "DensityView", "EllipseView"),
    "images": ("MeanImagesView",),
    "registry": ("register_view", "default_view", "make_view"),
    "animation": ("animate",),
    "interactive": ("Stepper", "stepper"),
    "landscape": ("CoinsLandscapeView",),
    "runs": ("explorer_run", "semi_supervised_run"),
    "explorers": ("Explorer", "explorer", "semi_supervised_explorer"),
    "collapse_view": ("CollapseView",),
    "elbo_view": ("ElboView",),
    "missing_data_views": ("LinkageView", "MissingNormalView"),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
