"""Which view draws a History: a registry that any model adds to.

    register_view(model_or_params, view)   views for a model (or its Params class)
    default_view(history)                  the view class for a History
    make_view(history, view, **options)    a view of a History, as steppers and animations take it

The models of emlab are registered below; a model of your own registers its view with
``register_view(my_model, MyView)`` (or draws with an existing view that fits its data, e.g.
``register_view(my_model, DensityView)`` for one real variable).
"""
from .. import bernoulli, coins, gaussian, linkage, missing_normal, poisson
from .halfsteps import check_history
from .images import MeanImagesView
from .missing_data_views import LinkageView, MissingNormalView
from .view import View
from .views import CoinsView, DensityView, EllipseView, PoissonView

# (Params class, View class), the newest first.
_VIEWS = []


def register_view(model_or_params, view):
    """Make ``view`` (a View subclass) draw the Histories of a model.

    ``model_or_params``: the model (its ``Params`` is used) or a Params class.  Several views
    may be registered for one Params: ``default_view`` takes the newest whose
    ``cannot_show(history)`` is None, so registering again overrides an earlier view.
    """
    params = model_or_params if isinstance(model_or_params, type) else getattr(model_or_params, "Params", None)
    if not isinstance(params, type):
        raise TypeError("model_or_params must be a model (with a Params class) or a Params class, "
                        f"got {type(model_or_params).__name__} {model_or_params!r:.60}")
    if not (isinstance(view, type) and issubclass(view, View)):
        raise TypeError(f"view must be a View subclass, got {view!r:.60}")
    _VIEWS.insert(0, (params, view))


def default_view(history):
    """The View class registered for ``history``'s parameters that can show it."""
    params = check_history(history).params[0]
    reasons = []
    for params_class, view in _VIEWS:
        if isinstance(params, params_class):
            reason = view.cannot_show(history)
            if reason is None:
                return view
            reasons.append(f"{view.__name__}: {reason}")
    raise TypeError(f"no view is registered for this History ({type(params).__module__}."
                    f"{type(params).__qualname__})" + (f" that can show it ({'; '.join(reasons)})" if reasons
                                                       else "; add one with emlab.widgets.register_view"))


def make_view(history, view=None, **view_options):
    """``view`` as a View of ``history``: None -> ``default_view(history)``; a View class is
    called with ``view_options``; a View instance of this history is used as it is."""
    if view is None:
        view = default_view(history)
    if isinstance(view, type) and issubclass(view, View):
        return view(history, **view_options)
    if isinstance(view, View):
        if view_options:
            raise TypeError(f"view options {sorted(view_options)} need a View class, not an instance")
        if view.history is not history:
            raise ValueError("view draws another History than the one given")
        return view
    raise TypeError(f"view must be None, a View subclass or a View, got {type(view).__name__}")


register_view(coins, CoinsView)
register_view(poisson, PoissonView)
register_view(gaussian, DensityView)
register_view(gaussian, EllipseView)
register_view(bernoulli, MeanImagesView)
register_view(linkage, LinkageView)
register_view(missing_normal, MissingNormalView)
