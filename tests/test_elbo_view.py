"""ElboView: what its two bars show at every half-step, against an independent computation
(scipy's densities, the closed forms of the ELBO and the KL, and log p(x) − ELBO = KL)."""
import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from scipy.stats import poisson as poisson_dist

import emlab
from emlab import coins, gaussian, poisson
from emlab.widgets import ElboView, animate, stepper
from emlab.widgets.views import DensityView, EllipseView, PoissonView
from figures import png_of


def number(v):
    """As the figure writes a number: two decimals, one from 100 on, two significant digits below 0.005."""
    text = f"{v:.2g}" if 0 < abs(v) < 0.005 else f"{v:.2f}" if abs(v) < 100 else f"{v:.1f}"
    return text.replace("-", "−")


def poisson_log_joint(x, params):
    """log pi_j + log Poisson(x_i | lambda_j), (n, k), from scipy."""
    return np.log(params.weights) + poisson_dist.logpmf(x[:, None], params.rates)


def gaussian_log_joint(x, params):
    return np.column_stack([np.log(w) + multivariate_normal.logpdf(x, m, c)
                            for w, m, c in zip(params.weights, params.means, params.covariances)])


def expected(log_joint, x, params, q, labels=None):
    """(ELBO, KL, objective) by the closed forms: ELBO = sum q (log p(x, z) − log q); the
    posterior of an unlabelled point is p(x, z) / p(x), of a labelled one its label; the
    objective sums log p(x_i) over unlabelled and log p(x_i, y_i) over labelled points."""
    a = log_joint(x, params)
    log_px = logsumexp(a, axis=1)
    posterior = np.exp(a - log_px[:, None])
    objective_terms = log_px.copy()
    if labels is not None:
        known = labels >= 0
        posterior[known] = np.eye(a.shape[1])[labels[known]]
        objective_terms[known] = a[known, labels[known]]
    support = q > 0
    bound = np.sum(q[support] * (a[support] - np.log(q[support])))
    gap = np.sum(q[support] * (np.log(q[support]) - np.log(posterior[support])))
    return bound, gap, objective_terms.sum()


def assert_bars_in_panel(view):
    """The panel is zoomed to its bars: each shown bar's ELBO part rises from the panel's
    bottom (where it is cut) and its KL part ends below the panel's top, KL text included."""
    panel = view.ax_elbo.bbox
    for elbo_bar, kl_bar, (_, kl_text) in zip(view.elbo_bars, view.kl_bars, view.term_texts):
        if not elbo_bar.get_visible():
            continue
        low, high = elbo_bar.get_window_extent(), kl_bar.get_window_extent()
        assert low.y0 == pytest.approx(panel.y0, abs=1e-6) and low.y1 > panel.y0
        assert high.y1 < panel.y1
        assert panel.y0 < kl_text.get_transform().transform(kl_text.get_position())[1] < panel.y1


@pytest.fixture(scope="module")
def poisson_run():
    x = poisson.sample(poisson.Params(weights=[0.3, 0.7], rates=[2.0, 7.0]), 200, rng=1)[0]
    return emlab.run_em(poisson, x, poisson.Params(weights=[0.5, 0.5], rates=[1.0, 9.0]), max_iter=6, tol=0)


def bars(view, i):
    """What bar i (0 before, 1 now) shows: (ELBO at the top of the grey bar, KL as the hatched
    bar's height, the total), or None when hidden."""
    elbo_bar, kl_bar = view.elbo_bars[i], view.kl_bars[i]
    elbo_text, kl_text = view.term_texts[i]
    if not elbo_bar.get_visible():
        assert not kl_bar.get_visible() and not elbo_text.get_visible() and not kl_text.get_visible()
        return None
    top = elbo_bar.get_y() + elbo_bar.get_height()
    assert kl_bar.get_y() == pytest.approx(top, abs=1e-9)
    # Written where they are: the ELBO in its grey bar, the KL on top of the hatched one.
    assert elbo_text.get_text() == f"ELBO\n{number(top)}" and kl_text.get_text() == f"KL {number(kl_bar.get_height())}"
    assert elbo_text.get_position()[1] < top <= top + kl_bar.get_height() < kl_text.get_position()[1]
    return top, kl_bar.get_height(), top + kl_bar.get_height()


def test_the_bars_show_elbo_and_kl_at_every_half_step(poisson_run):
    h = poisson_run
    view = ElboView(h)
    assert isinstance(view, PoissonView) and isinstance(view, ElboView)
    shown = {}
    for step in range(view.steps.last + 1):
        view.update(step)
        t, source = view.steps.indices(step)
        # q: the start's prior pi^(0), or the E-step's posterior at theta^(source), computed here
        if source is None:
            q = np.tile(h.params[0].weights, (len(h.x), 1))
        else:
            a = poisson_log_joint(h.x, h.params[source])
            q = np.exp(a - logsumexp(a, axis=1, keepdims=True))
        bound, gap, log_p = expected(poisson_log_joint, h.x, h.params[t], q)
        assert log_p == pytest.approx(h.log_likelihood[t], rel=1e-12)
        assert gap == pytest.approx(log_p - bound, abs=1e-8)          # log p(x) − ELBO = KL
        top, height, total = bars(view, 1)
        assert top == pytest.approx(bound, rel=1e-10) and height == pytest.approx(gap, abs=1e-8)
        assert total == pytest.approx(log_p, rel=1e-10)
        assert bound <= log_p + 1e-9 and height >= 0                  # ELBO <= l
        if source == t:                                               # an E-step closes the KL
            assert height == 0 and top == pytest.approx(log_p, rel=1e-12)
        if step >= 2 and source != t:                                 # an M-step raises the ELBO
            assert bound >= shown[step - 1][0] - 1e-9
        before = bars(view, 0)
        if step == 0:
            assert before is None
        else:
            assert before == pytest.approx(shown[step - 1], rel=1e-10, abs=1e-8)
        assert_bars_in_panel(view)
        assert view.terms(step) == pytest.approx((bound, gap, log_p), rel=1e-10, abs=1e-8)
        shown[step] = (bound, gap, log_p)
    assert shown[0][1] > 0                       # the start: q = pi^(0) is not the posterior


def test_semi_supervised_objective_is_elbo_plus_kl():
    params = gaussian.Params(weights=[0.4, 0.6], means=[[0.0, 0.0], [2.5, 1.0]],
                             covariances=[np.eye(2), [[1.0, 0.3], [0.3, 0.8]]])
    x, z = gaussian.sample(params, 60, rng=2)
    labels = np.full(len(x), -1)
    labels[:6] = z[:6]
    start = gaussian.init_random(x, 2, rng=0)
    h = emlab.run_em(gaussian, x, start, labels=labels, max_iter=4, tol=0)
    view = ElboView(h, axis_labels=["a", "b"])
    assert isinstance(view, EllipseView)
    for step in range(1, view.steps.last + 1):
        view.update(step)
        t, source = view.steps.indices(step)
        a = gaussian_log_joint(x, h.params[source])
        q = np.exp(a - logsumexp(a, axis=1, keepdims=True))
        q[:6] = np.eye(2)[labels[:6]]
        bound, gap, objective = expected(gaussian_log_joint, x, h.params[t], q, labels)
        assert objective == pytest.approx(h.log_likelihood[t], rel=1e-10)
        assert view.terms(step) == pytest.approx((bound, gap, objective), rel=1e-9, abs=1e-8)
        top, height, total = bars(view, 1)
        assert total == pytest.approx(objective, rel=1e-10)
        if source == t:
            assert height == 0


def test_words_and_widgets(poisson_run):
    view = ElboView(poisson_run, model_view=PoissonView, dpi=50)
    bound, gap, _ = view.terms(3)
    assert view.announcement(3).endswith(f"ELBO = {emlab.widgets.halfsteps.number(bound)}, KL = 0.00")
    assert "the ELBO (grey, bottom) and the KL (hatched, top)" in view.alt_text(3)
    widget = stepper(poisson_run, view=ElboView, dpi=50)
    widget.show(2)
    assert "KL = " in widget.status.value and png_of(widget.image.value).startswith(b"\x89PNG")
    widget.set_history(emlab.run_em(poisson, poisson_run.x, poisson_run.params[1], max_iter=2, tol=0))
    assert isinstance(widget.view, ElboView) and widget.view.steps.last == 5
    anim = animate(poisson_run, view=ElboView, frames=[0, 1], dpi=50)
    assert "ELBO" in anim.to_jshtml()


def test_what_it_cannot_show():
    x = np.array([[5, 5], [9, 1], [8, 2], [4, 6]])
    h = emlab.run_em(coins, x, coins.Params(weights=[0.5, 0.5], p=[0.6, 0.5]), max_iter=2, tol=0)
    with pytest.raises(TypeError, match="layout of its own"):
        ElboView(h)
    with pytest.raises(TypeError, match="model_view"):
        ElboView(h, model_view=int)
    one_d = emlab.run_em(gaussian, np.array([[0.0], [0.1], [2.0], [2.2]]),
                         gaussian.Params(weights=[0.5, 0.5], means=[[0.0], [2.0]],
                                         covariances=[[[1.0]], [[1.0]]]), max_iter=1, tol=0)
    assert isinstance(ElboView(one_d, model_view=DensityView, dpi=40), DensityView)
