"""Tests of rmsnotes.widgets: the explorer headless, control by control.

Every control is found by its description and set as a user's release of the slider
sets it; the assertions are on ``.result`` (the runs of the last redraw) and on the
redraws themselves, counted through ``widgets._show``, which each redraw calls once.
No timing is asserted here: benchmarks/bench_explorer.py measures the redraw.
"""

import matplotlib

matplotlib.use("Agg")

import doctest  # noqa: E402
import re  # noqa: E402

import ipywidgets  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from helpers import assert_import_changes_nothing  # noqa: E402
from ipywidgets.widgets.widget import _instances  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.contour import QuadContourSet  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from rmsnotes import optim, plotting, surfaces, widgets  # noqa: E402

STEPS = 40  # short runs: the tests look at what changes, not at where the runs end


@pytest.fixture
def shows(monkeypatch):
    """The figures the explorer showed, one per redraw."""
    shown = []
    real = widgets._show

    def counting(fig):
        shown.append(fig)
        return real(fig)

    monkeypatch.setattr(widgets, "_show", counting)
    return shown


def controls(ui):
    return {w.description: w for w in ui.children if w is not ui.out}


def explorer(**kw):
    kw.setdefault("steps", STEPS)
    return widgets.optimizer_explorer(**kw)


def built(shows, **kw):
    """An explorer, after its first view (drawn when it is built)."""
    ui = explorer(**kw)
    assert len(shows) == 1
    shows.clear()
    return ui


def same_history(a, b):
    """Bit for bit: points, gradients, updates, rates and every state array."""
    assert a.optimizer.name == b.optimizer.name
    assert dict(a.optimizer.hyperparams) == dict(b.optimizer.hyperparams)
    for key in ("xs", "grads", "updates", "rates"):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key), err_msg=key)
    assert set(a.states) == set(b.states)
    for key in a.states:
        np.testing.assert_array_equal(a.states[key], b.states[key], err_msg=key)


def path_lines(fig):
    """The path lines of the contour panel, by label."""
    ax = fig.axes[0]
    return {ln.get_label(): ln for ln in ax.lines if not ln.get_label().startswith("_")}


# ---------------------------------------------------------------------- controls


def test_controls_found_by_description():
    ui = explorer()
    assert isinstance(ui, ipywidgets.interactive)
    c = controls(ui)
    assert list(c) == ["surface", "start x", "start y", "lr", "beta", "eps", "steps"]
    kinds = {
        "surface": ipywidgets.Dropdown,
        "start x": ipywidgets.FloatSlider,
        "start y": ipywidgets.FloatSlider,
        "lr": ipywidgets.FloatLogSlider,
        "beta": ipywidgets.FloatSlider,
        "eps": ipywidgets.FloatLogSlider,
        "steps": ipywidgets.IntSlider,
    }
    for name, kind in kinds.items():
        assert type(c[name]) is kind, name
        if name != "surface":
            assert c[name].continuous_update is False, name  # a drag redraws once
    labels = [label for label, _ in c["surface"].options]
    values = [value for _, value in c["surface"].options]
    for name in ("valley_plateau", "valley_plateau aligned", "narrow_dip", "two_wells"):
        assert name in labels
    assert {"quadratic", "rosenbrock"} <= set(labels)
    assert set(surfaces.SURFACES) <= set(values)  # every name surfaces.get knows
    s = surfaces.valley_plateau()
    assert (c["start x"].min, c["start x"].max) == s.bounds[0]
    assert (c["start y"].min, c["start y"].max) == s.bounds[1]
    assert (c["start x"].value, c["start y"].value) == tuple(s.start)
    assert (c["lr"].value, c["beta"].value, c["eps"].value, c["steps"].value) == (
        0.05,
        0.9,
        1e-8,
        STEPS,
    )
    assert c["eps"].min <= -12  # an eps that behaves like 0 is reachable
    assert c["beta"].max < 1


def test_every_offered_surface_is_a_surface_get_builds():
    for name in widgets.SURFACE_NAMES:
        s = widgets._surface(name)
        assert s.name == name
        base = name.removesuffix("_aligned")
        aligned = {"aligned": True} if name.endswith("_aligned") else {}
        np.testing.assert_array_equal(s.minima, surfaces.get(base, **aligned).minima)


def test_a_value_outside_a_sliders_range_widens_it():
    c = controls(explorer(lr=20.0, eps=1e-14, steps=5, beta=0.9995))
    assert (c["lr"].value, c["eps"].value, c["steps"].value) == (20.0, 1e-14, 5)
    assert c["beta"].value == 0.9995
    assert c["lr"].max >= np.log10(20.0) and c["eps"].min <= -14 and c["steps"].min <= 5


def test_the_smallest_eps_acts_as_0():
    """The module's claim: from each surface's start, lr 1e-4, 0.05, 10, 3000 steps,
    sqrt(s) and sqrt(v) stay above 5e-4, so eps = 1e-12 moves no divisor by 2e-9."""
    eps = 10 ** widgets._EPS_EXP[0]
    smallest = np.inf
    for name in widgets.SURFACE_NAMES:
        s = widgets._surface(name)
        for lr in (10 ** widgets._LR_EXP[0], 0.05, 10 ** widgets._LR_EXP[1]):
            for opt in (optim.adagrad(lr, eps), optim.rmsprop(lr, 0.9, eps)):
                hist = optim.run(opt, s.grad, s.start, widgets._STEPS[1])
                smallest = min(smallest, float(np.sqrt(hist.accumulator[1:]).min()))
    assert smallest > 5e-4
    assert eps / smallest < 2e-9


# ---------------------------------------------------------------- what it draws


def test_first_redraw_equals_explorer_figure_and_direct_runs():
    ui = explorer()
    fig, runs = widgets.explorer_figure(steps=STEPS)
    s = surfaces.valley_plateau()
    direct = {
        "AdaGrad": optim.run(optim.adagrad(0.05, 1e-8), s.grad, s.start, STEPS),
        "RMSprop": optim.run(optim.rmsprop(0.05, 0.9, 1e-8), s.grad, s.start, STEPS),
    }
    assert list(runs) == list(ui.result) == ["AdaGrad", "RMSprop"]
    for name in direct:
        same_history(runs[name], direct[name])
        same_history(ui.result[name], direct[name])


def test_explorer_figure_with_every_argument_equals_optim_run():
    s = surfaces.two_wells()
    fig, runs = widgets.explorer_figure(s, (1.0, -0.5), 0.2, 0.5, 1e-3, 25)
    same_history(runs["AdaGrad"], optim.run(optim.adagrad(0.2, 1e-3), s.grad, [1.0, -0.5], 25))
    same_history(runs["RMSprop"], optim.run(optim.rmsprop(0.2, 0.5, 1e-3), s.grad, [1.0, -0.5], 25))
    fig, runs = widgets.explorer_figure("quadratic", steps=10, optimizers=("rmsprop",))
    assert list(runs) == ["RMSprop"]


def test_figure_is_legible():
    fig, runs = widgets.explorer_figure("narrow_dip", steps=STEPS)
    assert isinstance(fig, Figure) and fig.dpi >= 150
    ax_path, ax_acc, ax_rate = fig.axes
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()
    assert (ax_path.get_xlabel(), ax_path.get_ylabel()) == ("$x$", "$y$")
    assert ax_acc.get_yscale() == ax_rate.get_yscale() == "log"
    assert any(isinstance(c, QuadContourSet) for c in ax_path.collections)
    lines = path_lines(fig)
    assert list(lines) == ["AdaGrad", "RMSprop"]
    for name, line in lines.items():
        assert to_hex(line.get_color()).upper() == plotting.color_for(name)
        np.testing.assert_array_equal(line.get_xydata(), runs[name].xs)
    for ax in (ax_acc, ax_rate):  # the curves in the optimizers' colours too
        assert {to_hex(ln.get_color()).upper() for ln in ax.lines} == {
            plotting.color_for("adagrad"),
            plotting.color_for("rmsprop"),
        }
    labels = [t.get_text() for t in ax_acc.get_legend().get_texts()]
    assert labels == ["AdaGrad: $x$", "AdaGrad: $y$", "RMSprop: $x$", "RMSprop: $y$"]
    png = widgets._png(fig)
    assert png[:4] == b"\x89PNG"
    width, height = (int.from_bytes(png[k : k + 4], "big") for k in (16, 20))
    assert (width, height) == tuple(round(v * fig.dpi) for v in fig.get_size_inches())


def test_the_static_view_saves_as_the_courses_figures_do(tmp_path):
    from PIL import Image

    from rmsnotes import export

    fig, _ = widgets.explorer_figure("two_wells", steps=STEPS)
    path = export.save_figure(fig, "explorer", folder=tmp_path)
    with Image.open(path) as img:
        assert img.size == (1500, 780)
        assert min(img.info["dpi"]) >= 149.9  # 150 dpi, as the repository's PNGs
    assert path.read_bytes() == export.save_figure(fig, "again", folder=tmp_path).read_bytes()


def test_the_title_and_readouts_say_the_values_drawn(shows):
    """eps moves by half decades: 10^-4.5 = 3.16e-5 must not read as 3e-05."""
    ui = built(shows)
    c = controls(ui)
    assert c["lr"].readout_format == ".3" and c["eps"].readout_format == ".2"
    c["eps"].value = 10**-4.5
    title = ui._view.ax_path.get_title(loc="left")
    assert "eps = 3.2e-05" in title and "lr = 0.05" in title and "beta = 0.9," in title
    fig, _ = widgets.explorer_figure(steps=5)
    assert "eps = 1e-08, 5 steps" in fig.axes[0].get_title(loc="left")


def test_a_coordinate_without_gradient_is_left_out_of_the_log_panels():
    # On the quadratic, y = 0 stays 0: AdaGrad's s_y is 0 at every step.
    fig, runs = widgets.explorer_figure("quadratic", start=(-5.0, 0.0), steps=STEPS)
    assert not runs["AdaGrad"].accumulator[:, 1].any()
    acc_labels = [ln.get_label() for ln in fig.axes[1].lines]
    assert acc_labels == ["AdaGrad: $x$", "RMSprop: $x$"]
    assert len(fig.axes[2].lines) == 4  # the rates are lr / eps there: drawn


def test_a_run_that_diverges_is_drawn_to_its_last_finite_point():
    # A hill whose gradient turns to nan beyond |x| = 3: descent runs off the edge.
    def grad(p):
        p = np.asarray(p, dtype=float)
        return np.where(np.abs(p).max(axis=-1, keepdims=True) > 3, np.nan, -2 * p)

    cliff = surfaces.Surface(
        "cliff",
        lambda p: -(np.asarray(p) ** 2).sum(-1),
        grad,
        minima=[[0.0, 0.0]],
        bounds=((-4, 4), (-4, 4)),
        start=[-0.5, 0.5],
        description="a hill that ends in a cliff",
    )
    with pytest.raises(ValueError, match="non-finite"):
        optim.run(optim.rmsprop(0.5), cliff.grad, cliff.start, 30)
    fig, runs = widgets.explorer_figure(cliff, lr=0.5, steps=30)
    frozen = optim.run(optim.rmsprop(0.5), cliff.grad, cliff.start, 30, nonfinite="freeze")
    t = int(np.argmin(np.isfinite(frozen.xs).all(axis=1)))
    assert 1 < t < 30
    same_history(runs["RMSprop"], optim.run(optim.rmsprop(0.5), cliff.grad, cliff.start, t - 1))
    assert f"RMSprop, diverged at step {t}" in path_lines(fig)
    assert np.isfinite(runs["RMSprop"].xs).all()


# ---------------------------------------------------------------- each control


def test_lr_changes_both_runs_and_redraws(shows):
    ui = built(shows)
    c = controls(ui)
    before = ui.result
    c["lr"].value = 0.2
    assert len(shows) == 1
    for name in ("AdaGrad", "RMSprop"):
        assert ui.result[name].optimizer.hyperparams["lr"] == 0.2
        assert not np.array_equal(ui.result[name].xs, before[name].xs)
    lines = path_lines(shows[-1])
    np.testing.assert_array_equal(lines["RMSprop"].get_xydata(), ui.result["RMSprop"].xs)


def test_steps_changes_the_length_of_the_runs(shows):
    ui = built(shows)
    controls(ui)["steps"].value = 70
    assert len(shows) == 1
    assert [h.xs.shape for h in ui.result.values()] == [(71, 2), (71, 2)]
    assert [len(h.rates) for h in ui.result.values()] == [70, 70]


def test_start_sliders_move_the_start(shows):
    ui = built(shows)
    c = controls(ui)
    c["start x"].value = -2.0
    c["start y"].value = 1.0
    assert len(shows) == 2
    for hist in ui.result.values():
        np.testing.assert_array_equal(hist.xs[0], [-2.0, 1.0])


def test_beta_changes_rmsprop_only(shows):
    ui = built(shows)
    before = ui.result
    controls(ui)["beta"].value = 0.5
    assert len(shows) == 1
    same_history(ui.result["AdaGrad"], before["AdaGrad"])
    assert ui.result["RMSprop"].optimizer.hyperparams["beta"] == 0.5
    assert not np.array_equal(ui.result["RMSprop"].xs, before["RMSprop"].xs)


def test_eps_changes_the_rates(shows):
    ui = built(shows)
    before = ui.result
    controls(ui)["eps"].value = 1.0
    assert len(shows) == 1
    for name in ("AdaGrad", "RMSprop"):
        assert ui.result[name].optimizer.hyperparams["eps"] == 1.0
        # d = sqrt(acc) + eps: a larger eps, a smaller rate at every step
        assert (ui.result[name].rates < before[name].rates).all()


def test_one_surface_change_is_one_redraw_from_that_surfaces_start(shows):
    ui = built(shows)
    c = controls(ui)
    c["start x"].value = 0.0  # moved by hand; the new surface resets it
    shows.clear()
    c["surface"].value = "two_wells"
    assert len(shows) == 1
    s = surfaces.two_wells()
    assert (c["start x"].min, c["start x"].max) == s.bounds[0]
    assert (c["start y"].min, c["start y"].max) == s.bounds[1]
    assert (c["start x"].value, c["start y"].value) == tuple(s.start)
    for hist in ui.result.values():
        np.testing.assert_array_equal(hist.xs[0], s.start)
    direct = optim.run(optim.rmsprop(0.05, 0.9, 1e-8), s.grad, s.start, STEPS)
    same_history(ui.result["RMSprop"], direct)
    ax = shows[-1].axes[0]
    assert [float(v) for v in ax.get_xlim()] == list(s.bounds[0])
    c["surface"].label = "valley_plateau aligned"  # by its label, as a user picks it
    assert len(shows) == 2
    np.testing.assert_array_equal(ui.result["AdaGrad"].xs[0], [-3.0, 2.0])


def test_a_surface_of_your_own_is_offered_first():
    s = surfaces.quadratic(a=0.5)
    ui = explorer(surface=s)
    c = controls(ui)
    assert c["surface"].label == "quadratic (yours)"
    assert c["surface"].options[0] == ("quadratic (yours)", "quadratic (yours)")
    np.testing.assert_array_equal(ui.result["RMSprop"].grads[0], s.grad(s.start))
    c["surface"].value = "quadratic"  # the course's own
    np.testing.assert_array_equal(
        ui.result["RMSprop"].grads[0], surfaces.quadratic().grad(surfaces.quadratic().start)
    )


def test_a_start_given_is_the_first_views_start():
    ui = explorer(surface="rosenbrock", start=(0.5, 2.0))
    for hist in ui.result.values():
        np.testing.assert_array_equal(hist.xs[0], [0.5, 2.0])


# ------------------------------------------------------------------------- caches


def test_background_is_kept_while_the_surface_stays(shows):
    ui = built(shows)
    c = controls(ui)
    contours = [a for a in ui._view.ax_path.collections if isinstance(a, QuadContourSet)]
    assert contours
    for name, value in (("lr", 0.1), ("beta", 0.8), ("eps", 1e-4), ("steps", 60)):
        c[name].value = value
        kept = [a for a in ui._view.ax_path.collections if isinstance(a, QuadContourSet)]
        assert kept == contours, name  # the very same artists: not recomputed
        assert len(path_lines(shows[-1])) == 2  # old paths replaced, not piled up
    c["surface"].value = "rosenbrock"
    new = [a for a in ui._view.ax_path.collections if isinstance(a, QuadContourSet)]
    assert new and not set(new) & set(contours)


def test_redraws_leak_no_figure_and_pile_up_no_artist(shows):
    """pyplot's figure list stays as it was, and every panel holds as many artists
    after many redraws (and a surface change and back) as after the first."""
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    ui = built(shows)
    view = ui._view

    def artists():
        return [
            (len(ax.lines), len(ax.collections), len(ax.texts), len(ax.patches))
            for ax in view.fig.axes
        ]

    first = artists()
    c = controls(ui)
    for lr in (0.1, 0.2, 0.05):
        c["lr"].value = lr
        assert artists() == first
    c["surface"].value = "two_wells"
    c["surface"].value = "valley_plateau"
    assert artists() == first and len(view.fig.axes) == 3
    widgets.explorer_figure(steps=5)
    assert plt.get_fignums() == before  # neither the explorer nor the static view


def test_contour_grid_is_computed_once_per_surface(monkeypatch):
    widgets.clear_caches()
    calls = []
    real = surfaces.Surface.grid

    def counted(self, n=200):
        calls.append(self.name)
        return real(self, n)

    monkeypatch.setattr(surfaces.Surface, "grid", counted)
    ui = explorer()
    c = controls(ui)
    c["surface"].value = "two_wells"
    c["surface"].value = "valley_plateau"  # back: its grid comes from the cache
    widgets.explorer_figure("two_wells", steps=5)  # a new figure: the cache still serves
    assert calls == ["valley_plateau", "two_wells"]
    s = widgets._surface("two_wells")
    assert widgets._contour_grid(s, 200) is widgets._contour_grid(s, 200)
    X, Y, Z = widgets._contour_grid(s, 200)
    assert not Z.flags.writeable  # shared, so read-only


def test_named_surfaces_are_built_once():
    widgets.clear_caches()
    a = widgets._surface("narrow_dip")
    assert widgets._surface("narrow_dip") is a
    assert widgets._named_surface.cache_info().currsize == 1


def test_the_grid_cache_is_bounded():
    widgets.clear_caches()
    made = [surfaces.quadratic(a=0.1 + k / 100) for k in range(3 * widgets._GRID_CACHE_SIZE)]
    for s in made:
        widgets._contour_grid(s, 20)
        assert len(widgets._GRIDS) <= widgets._GRID_CACHE_SIZE
    assert len(widgets._GRIDS) == widgets._GRID_CACHE_SIZE
    kept = {key[0] for key in widgets._GRIDS}
    assert kept == set(made[-widgets._GRID_CACHE_SIZE :])  # the most recent ones
    widgets.clear_caches()
    assert not widgets._GRIDS


# ---------------------------------------------------------------------- bad input


BAD = [
    (dict(lr=0.0), ValueError, "lr must be > 0 and finite, got 0.0"),
    (dict(lr=np.inf), ValueError, "lr must be > 0 and finite"),
    (dict(lr="0.1"), TypeError, "lr must be a real number"),
    (dict(beta=1.0), ValueError, "beta must satisfy 0 <= beta < 1, got 1.0"),
    (dict(beta=-0.1), ValueError, "beta must satisfy 0 <= beta < 1"),
    (dict(eps=-1e-8), ValueError, "eps must be >= 0 and finite"),
    (dict(eps=True), TypeError, "eps must be a real number"),
    (dict(steps=0), ValueError, "steps must be >= 1, got 0"),
    (dict(steps=10.0), TypeError, "steps must be an int"),
    (dict(surface="moon"), ValueError, "unknown surface 'moon'; choose one of"),
    (dict(surface=3), TypeError, "surface must be a name or a rmsnotes.surfaces.Surface"),
    (dict(start=(1.0, 2.0, 3.0)), ValueError, r"start must be a point \(x, y\)"),
    (dict(start=(np.nan, 0.0)), ValueError, "start contains a non-finite value"),
    (dict(start="ab"), TypeError, "start must be a real-valued array"),
    (dict(optimizers=("adam",)), ValueError, "optimizers must be distinct names"),
    (dict(optimizers=("rmsprop", "rmsprop")), ValueError, "optimizers must be distinct"),
    (dict(optimizers=()), ValueError, "at least one"),
    (dict(optimizers="rmsprop"), TypeError, "optimizers must be a sequence of names"),
]


@pytest.mark.parametrize("kw, error, message", BAD)
def test_bad_input_raises_the_contracts_errors(kw, error, message):
    with pytest.raises(error, match=message):
        widgets.explorer_figure(**kw)
    before = len(_instances)
    with pytest.raises(error, match=message):
        widgets.optimizer_explorer(**kw)
    assert len(_instances) == before  # checked before any widget is built


def test_the_explorer_also_needs_eps_above_0_and_a_start_inside():
    widgets.explorer_figure("quadratic", eps=0.0, steps=5)  # the optimizers accept eps = 0
    before = len(_instances)
    with pytest.raises(ValueError, match=re.escape("eps must be > 0 in the explorer")):
        widgets.optimizer_explorer(eps=0.0)
    with pytest.raises(ValueError, match=re.escape("start x must lie within the surface's")):
        widgets.optimizer_explorer("two_wells", start=(5.0, 0.0))
    assert len(_instances) == before


# ------------------------------------------------------------------------ module


def test_import_changes_nothing():
    assert_import_changes_nothing("rmsnotes.widgets")


def test_docstring_examples():
    result = doctest.testmod(widgets)
    assert result.attempted >= 5
    assert result.failed == 0


def test_every_public_function_has_an_example():
    for name in widgets.__all__:
        obj = getattr(widgets, name)
        if callable(obj):
            assert re.search(r"Example:\n\s+>>>", obj.__doc__), name
