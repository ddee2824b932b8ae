"""Tests of rmsnotes.plotting: artists returned, labels, colours, PNG export."""

import matplotlib

matplotlib.use("Agg")

import doctest  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from helpers import four_histories  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.contour import QuadContourSet  # noqa: E402
from matplotlib.layout_engine import ConstrainedLayoutEngine  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from rmsnotes import optim, plotting, sweeps  # noqa: E402

OKABE_ITO = {
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
}


# ----------------------------------------------------------------------- helpers


def _bowl():
    """A Surface-like ellipse f = x^2 + 4 y^2 on [-2, 2] x [-1, 1], plus a local dip."""

    def f(p):
        p = np.asarray(p, dtype=float)
        return p[..., 0] ** 2 + 4 * p[..., 1] ** 2

    def grad(p):
        p = np.asarray(p, dtype=float)
        return np.stack([2 * p[..., 0], 8 * p[..., 1]], axis=-1)

    def grid(n=200):
        X, Y = np.meshgrid(np.linspace(-2, 2, n), np.linspace(-1, 1, n))
        return X, Y, f(np.stack([X, Y], axis=-1))

    return SimpleNamespace(
        name="bowl",
        f=f,
        grad=grad,
        minima=np.array([[0.0, 0.0], [1.0, 0.5]]),  # the second is only for markers
        bounds=((-2.0, 2.0), (-1.0, 1.0)),
        start=np.array([-1.5, 0.8]),
        description="x^2 + 4 y^2",
        grid=grid,
    )


def _histories(steps=40):
    return four_histories(_bowl(), steps)


def positive(values):
    """What a log-axis plot draws: the positive values, nan in place of the rest."""
    return np.where(values > 0, values, np.nan)


def _hex(color):
    return to_hex(color).upper()


def _raw_rcparams():
    # dict.items reads the stored values without resolving the backend sentinel.
    return dict(dict.items(matplotlib.rcParams))


# ----------------------------------------------------------------------- colours


def test_palette_is_okabe_ito():
    assert set(plotting.PALETTE.values()) == OKABE_ITO
    assert len(plotting.PALETTE) == 8


@pytest.mark.parametrize(
    ("name", "expected"),
    [("adagrad", "#D55E00"), ("rmsprop", "#0072B2"), ("adam", "#009E73"), ("sgd", "#000000")],
)
def test_color_for_known_names(name, expected):
    assert plotting.color_for(name) == expected
    assert plotting.color_for(name.upper()) == expected
    assert plotting.color_for(f"  {name} ") == expected


def test_color_for_is_distinct_and_accepts_optimizers_and_histories():
    names = ["sgd", "adagrad", "rmsprop", "adam"]
    colors = [plotting.color_for(n) for n in names]
    assert len(set(colors)) == 4 and set(colors) <= OKABE_ITO
    assert plotting.color_for(optim.rmsprop()) == plotting.color_for("rmsprop")
    hist = optim.run(optim.adagrad(0.1), lambda x: 2 * x, [1.0, 1.0], 2)
    assert plotting.color_for(hist) == plotting.color_for("adagrad")


def test_color_for_unknown_name_raises():
    with pytest.raises(ValueError, match="no colour for optimizer 'lion'"):
        plotting.color_for("lion")


def test_color_for_default_is_the_one_fallback():
    assert plotting.color_for("lion", default=None) is None
    assert plotting.color_for("lion", default="C3") == "C3"
    assert plotting.color_for("adam", default=None) == plotting.color_for("adam")
    unnamed = optim.History(np.zeros((1, 2)), np.zeros((0, 2)), np.zeros((0, 2)), {}, None)
    assert plotting.color_for(unnamed, default=None) is None


def test_no_module_spells_out_the_history_name_rule():
    """hist.name is the one rule; the package keeps no copy of it."""
    import inspect

    source = inspect.getsource(plotting)
    assert "optimizer.name" not in source
    assert "except ValueError" not in source  # no try/except around color_for


def test_logy_defaults_agree():
    """History plots default to a log y axis; plot_curve (any values) to linear."""
    import inspect

    def default(fn):
        return inspect.signature(fn).parameters["logy"].default

    assert {
        default(f) for f in (plotting.plot_losses, plotting.plot_accumulators, plotting.plot_rates)
    } == {True}
    assert default(plotting.plot_curve) is False
    hists = _histories()
    for fn in (plotting.plot_losses, plotting.plot_accumulators, plotting.plot_rates):
        fig, ax = plotting.new_figure()
        fn(hists["AdaGrad"], ax=ax)
        assert ax.get_yscale() == "log", fn.__name__


def test_axis_labels_are_mathtext_and_render():
    hists = _histories()
    fig, axes = plotting.new_figure(3, 2)
    plotting.plot_paths(_bowl(), hists, ax=axes[0, 0])
    plotting.plot_losses(hists, ax=axes[0, 1])
    plotting.plot_accumulators(hists["AdaGrad"], ax=axes[0, 2])
    plotting.plot_accumulators(hists["RMSprop"], ax=axes[1, 0])
    plotting.plot_rates(hists["RMSprop"], ax=axes[1, 1])
    res = sweeps.SweepResult(
        np.array([0.1, 1.0]), np.array([0.5, 0.1]), np.zeros(2, bool), None, "rmsprop"
    )
    plotting.plot_sweep(res, ax=axes[1, 2])
    fig.canvas.draw()  # every mathtext label parses
    for ax in axes.flat:
        for text in (ax.get_xlabel(), ax.get_ylabel()):
            plain = re.sub(r"\$[^$]*\$", "", text)  # what is left outside mathtext
            assert not re.search(r"[_^*]|\blr\b", plain), text
    assert axes[1, 1].get_ylabel() == r"effective rate $\eta / d_t$"


def test_curves_of_a_history_that_kept_every_kth_step():
    s = _bowl()
    hist = optim.run(
        optim.adagrad(0.3), s.grad, s.start, 40, every=10, loss_fn=lambda x: float(s.f(x))
    )
    fig, ax = plotting.new_figure()
    (loss,) = plotting.plot_losses(hist, ax=ax)
    np.testing.assert_array_equal(loss.get_xdata(), [0, 10, 20, 30, 40])
    rates = plotting.plot_rates(hist, ax=ax)
    np.testing.assert_array_equal(rates[0].get_xdata(), [10, 20, 30, 40])
    accs = plotting.plot_accumulators(hist, ax=ax)
    np.testing.assert_array_equal(accs[0].get_xdata(), [0, 10, 20, 30, 40])
    with pytest.raises(ValueError, match="t must have the shape"):
        plotting.plot_curve([1.0, 2.0], t=[0, 1, 2])


# ------------------------------------------------------------------------ figure


def test_new_figure_size_and_layout():
    rc = _raw_rcparams()
    fig, ax = plotting.new_figure()
    assert isinstance(ax, matplotlib.axes.Axes)
    assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    w1, h1 = fig.get_size_inches()
    fig2, axes = plotting.new_figure(2)
    assert axes.shape == (2,)
    assert tuple(fig2.get_size_inches()) == pytest.approx((2 * w1, h1))
    fig3, axes3 = plotting.new_figure(3, 2, width=9, height=5)
    assert axes3.shape == (2, 3)
    assert tuple(fig3.get_size_inches()) == pytest.approx((9, 5))
    assert _raw_rcparams() == rc


def test_import_does_not_touch_rcparams():
    code = """if True:
        import json, sys, matplotlib
        raw = lambda: dict(dict.items(matplotlib.rcParams))
        before = raw()
        import rmsnotes.plotting
        after = raw()
        changed = sorted(k for k in before if before[k] != after.get(k))
        changed += sorted(set(after) - set(before))
        print(json.dumps(changed))
    """
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        check=True,
    )
    assert json.loads(out.stdout) == []
    assert "Warning" not in out.stderr


# ---------------------------------------------------------------------- contours


def test_plot_contours_returns_contour_set_and_sets_view():
    fig, ax = plotting.new_figure()
    cs = plotting.plot_contours(_bowl(), ax=ax, levels=12, n=60)
    assert isinstance(cs, QuadContourSet) and cs.filled
    # Bands and, on the same levels, dark lines (the 01 review: too faint without them).
    (lines,) = [c for c in ax.collections if isinstance(c, QuadContourSet) and not c.filled]
    np.testing.assert_array_equal(lines.levels, cs.levels)
    assert max(matplotlib.colors.to_rgb(lines.get_edgecolor()[0])) <= 0.4
    assert lines.get_zorder() > cs.get_zorder()
    assert len(cs.levels) == 12
    assert cs.levels[0] == pytest.approx(0.0)  # starts at f(global minimum)
    assert tuple(ax.get_xlim()) == (-2.0, 2.0) and tuple(ax.get_ylim()) == (-1.0, 1.0)
    assert ax.get_xlabel() == "$x$" and ax.get_ylabel() == "$y$"
    stars = [ln for ln in ax.get_lines() if ln.get_marker() == "*"]
    assert len(stars) == 2  # global and local minima
    glob = [ln for ln in stars if ln.get_label() == "_global minimum"]
    assert len(glob) == 1 and tuple(glob[0].get_xydata()[0]) == (0.0, 0.0)
    assert ax.get_legend_handles_labels() == ([], [])  # markers stay out of legends


def test_plot_contours_log_levels_are_geometric_above_minimum():
    fig, ax = plotting.new_figure()
    cs = plotting.plot_contours(_bowl(), ax=ax, levels=20, n=60, log=True)
    gaps = np.diff(cs.levels[1:] - cs.levels[0])
    assert np.all(gaps > 0)
    ratios = (cs.levels[2:] - cs.levels[0]) / (cs.levels[1:-1] - cs.levels[0])
    np.testing.assert_allclose(ratios, ratios[0])


def test_plot_contours_log_handles_negative_surfaces():
    s = _bowl()
    neg = SimpleNamespace(**{**vars(s), "f": lambda p: s.f(p) - 5})
    neg.grid = lambda n=200: (*s.grid(n)[:2], s.grid(n)[2] - 5)
    fig, ax = plotting.new_figure()
    cs = plotting.plot_contours(neg, ax=ax, levels=10, n=40, log=True)
    assert cs.levels[0] == pytest.approx(-5.0)


def test_plot_contours_lines_and_current_axes():
    fig, ax = plotting.new_figure()
    cs = plotting.plot_contours(_bowl(), levels=[0.5, 1, 2], n=40, filled=False)
    assert isinstance(cs, QuadContourSet) and not cs.filled
    assert cs.axes is ax
    np.testing.assert_array_equal(cs.levels, [0.5, 1, 2])


def test_plot_contours_constant_surface_raises():
    s = _bowl()
    flat = SimpleNamespace(**{**vars(s), "f": lambda p: np.zeros(np.shape(p)[:-1])})
    flat.grid = lambda n=200: (*s.grid(n)[:2], np.zeros((n, n)))
    with pytest.raises(ValueError, match="constant"):
        plotting.plot_contours(flat)


def test_real_surfaces_render():
    surfaces = pytest.importorskip("rmsnotes.surfaces")
    for name in surfaces.SURFACES:
        s = surfaces.get(name)
        hist = optim.run(optim.rmsprop(0.02), s.grad, s.start, 20)
        fig, ax = plotting.new_figure()
        (line,) = plotting.plot_paths(s, {name: hist}, ax=ax, log=True)
        assert isinstance(line, Line2D)
        fig.canvas.draw()
        plt.close(fig)


# ------------------------------------------------------------------------- paths


def test_plot_path_line_and_markers():
    fig, ax = plotting.new_figure()
    xs = np.array([[0.0, 0.0], [1.0, 0.5], [1.5, 1.0]])
    line = plotting.plot_path(xs, ax=ax, label="mine", color="#123456", lw=3)
    assert isinstance(line, Line2D)
    assert line.get_label() == "mine" and line.get_linewidth() == 3
    np.testing.assert_array_equal(line.get_xydata(), xs)
    start = [ln for ln in ax.get_lines() if ln.get_label() == "_start"]
    end = [ln for ln in ax.get_lines() if ln.get_label() == "_end"]
    assert tuple(start[0].get_xydata()[0]) == (0.0, 0.0)
    assert tuple(end[0].get_xydata()[0]) == (1.5, 1.0)
    assert _hex(end[0].get_color()) == "#123456"


def test_plot_path_accepts_history_and_uses_current_axes():
    fig, ax = plotting.new_figure()
    hist = _histories()["AdaGrad"]
    line = plotting.plot_path(hist)
    assert line.axes is ax
    assert _hex(line.get_color()) == plotting.color_for("adagrad")
    np.testing.assert_array_equal(line.get_xydata(), hist.xs)


@pytest.mark.parametrize("xs", [np.zeros((5, 3)), np.zeros(5), np.zeros((0, 2))])
def test_plot_path_bad_shape(xs):
    with pytest.raises(ValueError, match=r"shape \(steps \+ 1, 2\)"):
        plotting.plot_path(xs)


def test_plot_paths_colours_labels_legend():
    hists = _histories()
    hists["RMSprop lr=0.01"] = optim.run(optim.rmsprop(0.01), _bowl().grad, [-1.5, 0.8], 40)
    fig, ax = plotting.new_figure()
    lines = plotting.plot_paths(_bowl(), hists, ax=ax)
    assert [ln.get_label() for ln in lines] == list(hists)
    for line, hist in zip(lines, hists.values(), strict=True):
        assert _hex(line.get_color()) == plotting.color_for(hist)
    styles = [ln.get_linestyle() for ln in lines]
    assert styles == ["-", "--", ":", "-.", "-"]  # by position: overlapping paths both show
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == list(hists)
    assert any(isinstance(c, QuadContourSet) for c in ax.collections)


def test_plot_paths_single_history_and_bad_input():
    hist = _histories()["RMSprop"]
    fig, ax = plotting.new_figure()
    (line,) = plotting.plot_paths(_bowl(), hist, ax=ax)
    assert line.get_label() == "rmsprop"
    with pytest.raises(TypeError, match="History"):
        plotting.plot_paths(_bowl(), [hist], ax=ax)


def test_plot_trajectories_draws_paths_without_contours():
    hists = _histories()
    fig, ax = plotting.new_figure()
    lines = plotting.plot_trajectories(hists, ax=ax)
    assert not ax.collections  # no contours: the caller keeps its own
    assert [ln.get_label() for ln in lines] == list(hists)
    for line, hist in zip(lines, hists.values(), strict=True):
        assert _hex(line.get_color()) == plotting.color_for(hist)
        np.testing.assert_array_equal(np.asarray(line.get_xydata()), hist.xs)
    assert [ln.get_linestyle() for ln in lines] == ["-", "--", ":", "-."][: len(lines)]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(hists)


def test_plot_paths_is_contours_then_trajectories():
    hists = _histories()
    fig, (ax1, ax2) = plotting.new_figure(2)
    lines1 = plotting.plot_paths(_bowl(), hists, ax=ax1, levels=12, log=True)
    plotting.plot_contours(_bowl(), ax=ax2, levels=12, log=True)
    lines2 = plotting.plot_trajectories(hists, ax=ax2)
    assert len(ax1.lines) == len(ax2.lines)
    for a, b in zip(ax1.lines, ax2.lines, strict=True):
        np.testing.assert_array_equal(a.get_xydata(), b.get_xydata())
        assert (a.get_color(), a.get_linestyle(), a.get_marker()) == (
            b.get_color(),
            b.get_linestyle(),
            b.get_marker(),
        )
    assert [ln.get_label() for ln in lines1] == [ln.get_label() for ln in lines2]


def test_plot_trajectories_bad_input():
    fig, ax = plotting.new_figure()
    with pytest.raises(TypeError, match="History"):
        plotting.plot_trajectories([_histories()["RMSprop"]], ax=ax)
    assert not ax.lines


# ------------------------------------------------------------------------ curves


def test_plot_curve():
    fig, ax = plotting.new_figure()
    line = plotting.plot_curve([4, 2, 1], ax=ax, label="c", start=1, ylabel="size")
    assert isinstance(line, Line2D) and line.get_label() == "c"
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
    assert ax.get_xlabel() == "step $t$" and ax.get_ylabel() == "size"
    assert ax.get_yscale() == "linear"
    plotting.plot_curve([1.0, np.inf, 0.5], ax=ax, logy=True)
    assert ax.get_yscale() == "log"


def test_plot_curve_leaves_non_positive_values_out_on_a_log_axis():
    # AdaGrad's s_0 = 0 must not be drawn as a drop to the bottom edge
    fig, ax = plt.subplots()
    line = plotting.plot_curve([0.0, 2.0, -1.0, 4.0], ax=ax, logy=True)
    np.testing.assert_array_equal(line.get_ydata(), [np.nan, 2.0, np.nan, 4.0])
    line = plotting.plot_curve([0.0, 2.0], ax=ax, logy=False)
    np.testing.assert_array_equal(line.get_ydata(), [0.0, 2.0])
    plt.close(fig)


def test_plot_curve_bad_values():
    with pytest.raises(ValueError, match="1-D"):
        plotting.plot_curve(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="logy=True needs positive values"):
        plotting.plot_curve([-1.0, 0.0], logy=True)


def test_plot_losses():
    hists = _histories()
    fig, ax = plotting.new_figure()
    lines = plotting.plot_losses(hists, ax=ax)
    assert all(isinstance(ln, Line2D) for ln in lines)
    assert [ln.get_label() for ln in lines] == list(hists)
    assert [_hex(ln.get_color()) for ln in lines] == [plotting.color_for(h) for h in hists.values()]
    np.testing.assert_array_equal(lines[0].get_xdata(), np.arange(41))
    np.testing.assert_allclose(lines[0].get_ydata(), hists["AdaGrad"].losses)
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "step $t$" and ax.get_ylabel() == "loss $f(x_t)$"
    assert ax.get_legend() is not None


def test_plot_losses_gap_and_missing_losses():
    hist = _histories()["Adam"]
    fig, ax = plotting.new_figure()
    (line,) = plotting.plot_losses({"a": hist}, ax=ax, logy=False, f_star=-1.0)
    np.testing.assert_allclose(line.get_ydata(), hist.losses + 1.0)
    assert ax.get_ylabel() == "gap $f(x_t) - f^*$" and ax.get_yscale() == "linear"
    bare = optim.run(optim.sgd(0.1), lambda x: 2 * x, [1.0, 1.0], 3)
    with pytest.raises(ValueError, match="loss_fn"):
        plotting.plot_losses(bare)


def test_plot_accumulators():
    hist = _histories()["AdaGrad"]
    fig, ax = plotting.new_figure()
    lines = plotting.plot_accumulators(hist, ax=ax, labels=["w", "b"])
    assert [ln.get_label() for ln in lines] == ["w", "b"]
    for i, line in enumerate(lines):
        np.testing.assert_array_equal(line.get_xdata(), np.arange(41))
        np.testing.assert_array_equal(line.get_ydata(), positive(hist.accumulator[:, i]))
        assert _hex(line.get_color()) == plotting.color_for("adagrad")
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    assert ax.get_xlabel() == "step $t$" and ax.get_ylabel() == "$s_t$, sum of $g^2$"


def test_plot_accumulators_dict_and_coords():
    hists = _histories()
    fig, ax = plotting.new_figure()
    sub = {k: hists[k] for k in ("AdaGrad", "RMSprop")}
    lines = plotting.plot_accumulators(sub, ax=ax, coords=1)
    assert [ln.get_label() for ln in lines] == ["AdaGrad: $x_{1}$", "RMSprop: $x_{1}$"]
    np.testing.assert_array_equal(
        lines[1].get_ydata(), positive(hists["RMSprop"].accumulator[:, 1])
    )
    assert ax.get_ylabel() == "accumulator $s_t$ or $v_t$"
    fig, ax = plotting.new_figure()
    plotting.plot_accumulators(hists["RMSprop"], ax=ax)
    assert ax.get_ylabel() == "$v_t$, average of $g^2$"
    with pytest.raises(ValueError, match="2 labels for 1 coordinates"):
        plotting.plot_accumulators(hists["RMSprop"], coords=[0], labels=["a", "b"])
    with pytest.raises(AttributeError, match="no squared-gradient"):
        plotting.plot_accumulators(hists["SGD"])


def test_plot_rates():
    hists = _histories()
    fig, ax = plotting.new_figure()
    lines = plotting.plot_rates({"A": hists["AdaGrad"], "R": hists["RMSprop"]}, ax=ax)
    assert len(lines) == 4
    assert [ln.get_label() for ln in lines] == [
        "A: $x_{0}$",
        "A: $x_{1}$",
        "R: $x_{0}$",
        "R: $x_{1}$",
    ]
    np.testing.assert_array_equal(lines[0].get_xdata(), np.arange(1, 41))  # rates[0]: t=1
    np.testing.assert_array_equal(lines[3].get_ydata(), hists["RMSprop"].rates[:, 1])
    assert _hex(lines[2].get_color()) == plotting.color_for("rmsprop")
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "step $t$" and ax.get_ylabel() == r"effective rate $\eta / d_t$"
    # AdaGrad's rate only shrinks: the plotted data says so too.
    assert np.all(np.diff(lines[0].get_ydata()) <= 0)


# ------------------------------------------------------------------------ sweeps


def test_plot_sweep_draws_finite_points_and_marks_divergence():
    res = sweeps.SweepResult(
        np.array([0.01, 0.1, 1.0]),
        np.array([[0.5, 0.01, np.inf], [0.4, 0.02, 3.0]]),
        np.array([[False, False, True], [False, False, False]]),
        (0, 1),
        "rmsprop",
    )
    fig, ax = plotting.new_figure()
    line = plotting.plot_sweep(res, ax=ax, label="RMSprop")
    np.testing.assert_array_equal(line.get_xdata(), [0.01, 0.1])
    np.testing.assert_array_equal(line.get_ydata(), [0.5, 0.02])  # the worst seed
    assert line.get_color() == plotting.color_for("rmsprop")
    crosses = [ln for ln in ax.get_lines() if ln.get_label() == "_diverged"]
    assert len(crosses) == 1 and crosses[0].get_xdata().tolist() == [1.0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert ax.get_xlabel() == r"learning rate $\eta$" and ax.get_ylabel() == "final error"


def test_plot_sweep_unknown_name_uses_the_colour_cycle():
    res = sweeps.SweepResult(
        np.array([0.01, 0.1, 1.0]), np.array([0.3, 0.1, 0.2]), np.zeros(3, bool), None, "demo"
    )
    fig, ax = plotting.new_figure()
    line = plotting.plot_sweep(res, ax=ax)
    assert line.get_label() == "demo"
    assert not [ln for ln in ax.get_lines() if ln.get_label() == "_diverged"]


def test_plot_sweep_rejects_other_input():
    with pytest.raises(TypeError, match="SweepResult"):
        plotting.plot_sweep({"lrs": [0.1], "errors": [1.0]})


# ----------------------------------------------------------------- monitors, limits


def test_plot_monitor_draws_one_line_per_group_for_each_quantity():
    from rmsnotes import models, monitor

    hist = optim.run(optim.rmsprop(0.05), lambda x: 2 * x, np.arange(1.0, 6.0), 40)
    groups = models.mlp_layers(1, n_inputs=2)  # 2 + 1 + 1 + 1 coordinates
    fig, axes = plotting.new_figure(4)
    for ax, quantity in zip(axes, ("update_ratio", "rate", "grad", "accumulator"), strict=True):
        lines = plotting.plot_monitor(hist, groups, ax=ax, quantity=quantity)
        assert [ln.get_label() for ln in lines] == ["W1", "b1", "w2", "b2"]
        # Okabe-Ito colours by position (not matplotlib's default cycle), all distinct
        colors = [to_hex(ln.get_color()).upper() for ln in lines]
        assert colors == [
            plotting.PALETTE[c] for c in ("blue", "vermillion", "bluish green", "orange")
        ]
        assert ax.get_yscale() == "log" and ax.get_xlabel() == "step $t$"
        np.testing.assert_array_equal(lines[0].get_xdata(), np.arange(1, 41))
    expected = monitor.update_ratios(hist, groups)["w2"]
    np.testing.assert_allclose(axes[0].get_lines()[2].get_ydata(), expected)
    expected = monitor.accumulators(hist, groups)["W1"]
    np.testing.assert_allclose(axes[3].get_lines()[0].get_ydata(), expected)
    fig.canvas.draw()  # the mathtext labels parse
    with pytest.raises(ValueError, match="quantity must be one of"):
        plotting.plot_monitor(hist, quantity="loss")


def test_plot_monitor_leaves_an_infinite_ratio_out():
    hist = optim.run(
        optim.sgd(0.1), lambda x: x - 1, [0.0], 5
    )  # from x = 0: the first ratio is inf
    fig, ax = plotting.new_figure()
    (line,) = plotting.plot_monitor(hist, ax=ax)
    assert np.isnan(line.get_ydata()[0]) and np.all(np.isfinite(line.get_ydata()[1:]))


def test_plot_findings_marks_each_step_by_kind():
    from rmsnotes.monitor import Finding

    found = [
        Finding("stall", 10, "W1", (0,), ""),
        Finding("blowup", 20, "", (0, 1), ""),
        Finding("dead", 1, "h3", (3,), ""),
    ]
    fig, ax = plotting.new_figure()
    lines = plotting.plot_findings(found, ax=ax)
    assert [ln.get_label() for ln in lines] == ["stall: W1", "blowup", "dead: h3"]
    assert [float(ln.get_xdata()[0]) for ln in lines] == [10.0, 20.0, 1.0]
    assert len({to_hex(ln.get_color()) for ln in lines}) == 3
    assert ax.get_legend() is not None
    with pytest.raises(TypeError, match="monitor.Finding"):
        plotting.plot_findings([("stall", 10)], ax=ax)


def test_plot_phase_diagram_shows_the_end_points_and_the_zero_drift_line():
    from rmsnotes import limits

    d = limits.phase_diagram([0.0, 0.1, 0.5, 0.9, 0.99], [3.0, 5.0, 10.0], 600)
    fig, ax = plotting.new_figure()
    mesh = plotting.plot_phase_diagram(d, ax=ax)
    np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(5, 3), d.end)
    assert mesh.get_clim() == (-1.0, 1.0)
    assert len(ax.collections) == 2  # the mesh and the drift-0 contour
    fig.colorbar(mesh, ax=ax)
    fig.canvas.draw()
    fig, ax = plotting.new_figure()
    plotting.plot_phase_diagram(d, ax=ax, boundary=False)
    assert len(ax.collections) == 1
    with pytest.raises(TypeError, match="PhaseDiagram"):
        plotting.plot_phase_diagram(d.end)


# ---------------------------------------------------------------------- doctests


def test_docstring_examples():
    result = doctest.testmod(plotting, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10
    assert result.failed == 0


def test_every_public_function_has_an_example():
    for name in plotting.__all__:
        obj = getattr(plotting, name)
        if callable(obj):
            assert re.search(r"Example:\n\s+>>>", obj.__doc__), name


def test_plain_log_ticks_labels_without_mathtext_and_drops_minor_ticks():
    fig, ax = plotting.new_figure()
    ax.set_yscale("log")
    ax.plot([0, 1], [1e-6, 1e2])
    assert plotting.plain_log_ticks(ax) is ax
    fmt = ax.yaxis.get_major_formatter()
    assert [fmt(v, 0) for v in (1e-6, 0.01, 0.5, 20.0, 1e3)] == ["1e-6", "0.01", "0.5", "20", "1e3"]
    fig.canvas.draw()
    assert ax.yaxis.get_minorticklocs().size == 0
    assert not any("$" in t.get_text() for t in ax.get_yticklabels())


def test_plain_log_ticks_can_label_minor_ticks_for_a_short_axis():
    fig, ax = plotting.new_figure()
    ax.set_yscale("log")
    ax.plot([0, 1], [0.2, 0.6])
    plotting.plain_log_ticks(ax, minor=True)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.yaxis.get_ticklabels(minor=True) if t.get_text()]
    assert labels and not any("$" in s for s in labels)
