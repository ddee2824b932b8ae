"""rmsnotes.animation: the race of optimizers (its GIF export is tested in test_export).

Every GIF goes to a pytest tmp folder (never the repository's figures/).
"""

import dataclasses

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from helpers import assert_import_changes_nothing  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402
from PIL import Image  # noqa: E402

from rmsnotes import animation, export, optim, plotting, surfaces  # noqa: E402


@pytest.fixture(scope="module")
def valley_runs():
    s = surfaces.valley_plateau()
    runs = {
        "AdaGrad": optim.run(optim.adagrad(0.05), s.grad, s.start, 300),
        "RMSprop": optim.run(optim.rmsprop(0.05), s.grad, s.start, 300),
    }
    return s, runs


@pytest.fixture(scope="module")
def short_runs():
    s = surfaces.two_wells()
    runs = {
        "AdaGrad": optim.run(optim.adagrad(0.1), s.grad, s.start, 40),
        "RMSprop": optim.run(optim.rmsprop(0.1, beta=0.99), s.grad, s.start, 40),
    }
    return s, runs


# ------------------------------------------------------------------ accumulator_size


def test_accumulator_size_by_hand():
    hist = optim.run(optim.rmsprop(0.1, beta=0.5), lambda x: np.array([3.0, 4.0]), [0.0, 0.0], 2)
    # v_1 = 0.5 * (9, 16), v_2 = 0.75 * (9, 16): sizes sqrt(0.5 * 25), sqrt(0.75 * 25)
    np.testing.assert_allclose(animation.accumulator_size(hist), [0.0, 12.5**0.5, 18.75**0.5])


def test_accumulator_size_adagrad_never_shrinks_rmsprop_does(valley_runs):
    _, runs = valley_runs
    ada = animation.accumulator_size(runs["AdaGrad"])
    rms = animation.accumulator_size(runs["RMSprop"])
    assert ada.shape == rms.shape == (301,)
    assert np.all(np.diff(ada) >= 0)
    assert rms.max() > 10 * rms[100]  # forgets the wall


def test_accumulator_size_flattens_any_parameter_shape():
    hist = optim.run(optim.adagrad(0.1), lambda x: np.ones_like(x), np.zeros((2, 3)), 4)
    np.testing.assert_allclose(animation.accumulator_size(hist), np.sqrt(6 * np.arange(5)))


def test_accumulator_size_needs_a_statistic():
    hist = optim.run(optim.sgd(0.1), lambda x: x, [1.0], 2)
    with pytest.raises(AttributeError):
        animation.accumulator_size(hist)
    with pytest.raises(TypeError):
        animation.accumulator_size(np.zeros(3))


# ----------------------------------------------------------------------- race_frames


def test_race_frames_even_spacing_ends_and_pause():
    shown = animation.race_frames(300)
    assert shown[0] == 0 and shown[-1] == 300
    distinct = np.unique(shown)
    assert 60 <= len(distinct) <= 100
    assert np.all(np.diff(shown) >= 0)
    assert np.sum(shown == 300) == 10  # the final step, then 9 held copies
    np.testing.assert_array_equal(animation.race_frames(4, frames=10, hold=0), [0, 1, 2, 3, 4])


@pytest.mark.parametrize(
    "args, error",
    [((0,), ValueError), ((10, 1), ValueError), ((10, 5, -1), ValueError), ((10.0,), TypeError)],
)
def test_race_frames_rejects_bad_input(args, error):
    with pytest.raises(error):
        animation.race_frames(*args)


# ----------------------------------------------------------------------- race_figure


def test_race_figure_puts_each_racer_at_step_t(short_runs):
    s, runs = short_runs
    fig, draw = animation.race_figure(s, runs, power=0.5, scale=0.1)
    w, h = fig.get_size_inches() * fig.dpi
    assert (round(w), round(h)) == (750, 600)
    for t in (0, 7, 40):
        counter, *artists = draw(t)
        assert counter.get_text() == f"step {t} of 40"
        groups = [artists[4 * i : 4 * i + 4] for i in range(len(runs))]
        for hist, (trail, square, ball, number) in zip(runs.values(), groups, strict=True):
            np.testing.assert_array_equal(trail.get_xydata(), hist.xs[: t + 1])
            np.testing.assert_array_equal(ball.get_xydata()[0], hist.xs[t])
            size = animation.accumulator_size(hist)[t]
            side = 0.1 * size**0.5
            assert square.get_width() == pytest.approx(side)
            assert square.get_height() == pytest.approx(side)
            cx = square.get_x() + side / 2
            cy = square.get_y() + side / 2
            np.testing.assert_allclose([cx, cy], hist.xs[t])  # centred on the ball
            assert number.get_text() == f"{size:.2f}"
            assert square.get_facecolor()[:3] == pytest.approx(
                matplotlib.colors.to_rgb(plotting.color_for(hist))
            )


def test_race_figure_power_one_makes_the_side_proportional(short_runs):
    s, runs = short_runs
    _, draw = animation.race_figure(s, runs, power=1.0, scale=0.01)
    square = draw(20)[2]
    size = animation.accumulator_size(runs["AdaGrad"])[20]
    assert square.get_width() == pytest.approx(0.01 * size)


def test_race_figure_default_scale_fits_the_largest_square(valley_runs):
    s, runs = valley_runs
    _, draw = animation.race_figure(s, runs)
    (x0, x1), (y0, y1) = s.bounds
    square = draw(300)[2]  # AdaGrad's, at its largest
    assert square.get_width() == pytest.approx(min(x1 - x0, y1 - y0) / 6)


def test_race_figure_is_not_managed_by_pyplot(short_runs):
    s, runs = short_runs
    before = plt.get_fignums()
    animation.race_figure(s, runs)
    assert plt.get_fignums() == before


@pytest.mark.parametrize(
    "histories, kwargs, error",
    [
        ({}, {}, TypeError),
        ({"a": np.zeros((3, 2))}, {}, TypeError),
        ("history", {}, TypeError),
        (None, {"power": 0.0}, ValueError),
        (None, {"scale": -1.0}, ValueError),
        (None, {"dpi": 0}, ValueError),
        (None, {"power": "half"}, TypeError),
    ],
)
def test_race_figure_rejects_bad_input(short_runs, histories, kwargs, error):
    s, runs = short_runs
    with pytest.raises(error):
        animation.race_figure(s, runs if histories is None else histories, **kwargs)


def test_race_figure_rejects_runs_of_other_lengths_or_shapes(short_runs):
    s, runs = short_runs
    longer = optim.run(optim.adagrad(0.1), s.grad, s.start, 41)
    with pytest.raises(ValueError, match="same number of steps"):
        animation.race_figure(s, {"a": runs["AdaGrad"], "b": longer})
    flat = optim.run(optim.adagrad(0.1), lambda x: 2 * x, [1.0, 2.0, 3.0], 40)
    with pytest.raises(ValueError, match="2-D path"):
        animation.race_figure(s, {"a": flat})


def test_race_figure_draw_rejects_steps_outside_the_run(short_runs):
    s, runs = short_runs
    _, draw = animation.race_figure(s, runs)
    with pytest.raises(ValueError):
        draw(41)
    with pytest.raises(ValueError):
        draw(-1)


# ---------------------------------------------------------------- animate and save


def test_animate_race_returns_a_func_animation_and_saves_a_gif(short_runs, tmp_path):
    s, runs = short_runs
    anim = animation.animate_race(s, runs, frames=6, hold=2, fps=10)
    assert isinstance(anim, FuncAnimation)
    # the GIF format itself (loop, duration, no transparency) is test_export's
    path = export.save_gif(anim, "race", folder=tmp_path, fps=10)
    with Image.open(path) as im:
        assert im.size == (750, 600)  # 5 x 4 inches at 150 dpi
        assert im.n_frames == 6  # the held copies merge into the last frame


def test_the_gif_keeps_the_racers_colours_exactly(valley_runs, tmp_path):
    s, runs = valley_runs
    anim = animation.animate_race(s, runs, frames=12, hold=0)
    path = export.save_gif(anim, "colours", folder=tmp_path)
    with Image.open(path) as im:
        im.seek(im.n_frames - 1)
        last = np.asarray(im.convert("RGB")).reshape(-1, 3)
    pixels = {tuple(p) for p in np.unique(last, axis=0).tolist()}
    for name in ("adagrad", "rmsprop"):
        rgb = tuple(round(255 * c) for c in matplotlib.colors.to_rgb(plotting.color_for(name)))
        assert rgb in pixels, f"{name}'s colour {rgb} is not in the last frame"


@pytest.mark.parametrize("frames, hold, fps", [(31, 5, 8), (61, 9, 12)])
def test_the_notebook_race_is_large_and_small(valley_runs, tmp_path, frames, hold, fps):
    """Notebook 05's race (31 frames) and the defaults (61): at least 640 pixels
    wide, and under 1 MB."""
    s, runs = valley_runs
    anim = animation.animate_race(
        s, runs, frames=frames, hold=hold, fps=fps, title="valley-plateau, lr = 0.05"
    )
    path = export.save_gif(anim, "05_race", folder=tmp_path, fps=fps)
    assert path.stat().st_size < 1_000_000
    with Image.open(path) as im:
        assert im.n_frames == frames
        assert im.size[0] >= 640


def _pixel(fig, point):
    """Row and column of a data point in the figure's pixels (row 0 at the top)."""
    x, y = fig.axes[0].transData.transform(point)
    return round(fig.bbox.height - y), round(x)


def test_both_balls_are_visible_at_the_start(valley_runs, tmp_path):
    """Every race starts with the balls on one point: both must show in frame 0."""
    s, runs = valley_runs
    anim = animation.animate_race(s, runs, frames=2, hold=0)
    path = export.save_gif(anim, "start", folder=tmp_path)
    with Image.open(path) as im:
        first = np.asarray(im.convert("RGB"))
    row, col = _pixel(anim._fig, s.start)
    patch = first[row - 20 : row + 21, col - 20 : col + 21].reshape(-1, 3)
    for name in ("adagrad", "rmsprop"):
        rgb = [round(255 * c) for c in matplotlib.colors.to_rgb(plotting.color_for(name))]
        shown = int(np.all(patch == rgb, axis=1).sum())
        assert shown >= 30, f"{name}'s ball shows {shown} pixels at the start"


def test_the_balls_differ_in_shape_and_the_later_one_is_on_top(short_runs):
    s, runs = short_runs
    _, draw = animation.race_figure(s, runs)
    _, _, _, ball_a, _, _, _, ball_r, _ = draw(0)
    assert ball_a.get_markerfacecolor() != "none"  # a filled disc
    assert ball_r.get_markerfacecolor() == "none"  # a ring around it
    assert ball_r.get_markersize() > ball_a.get_markersize()
    assert ball_r.get_zorder() > ball_a.get_zorder()


def test_unknown_optimizers_take_the_colour_cycle(short_runs):
    s, runs = short_runs
    fake = dataclasses.replace(runs["AdaGrad"], optimizer=None)
    _, draw = animation.race_figure(s, {"mine": fake, "RMSprop": runs["RMSprop"]})
    square = draw(5)[2]
    assert square.get_facecolor()[:3] == pytest.approx(matplotlib.colors.to_rgb("C0"))


def test_frames_redraw_only_what_moves(short_runs):
    """Speed (notebook 05's budget): the still is copied, not resampled as a
    FigureImage, and the moving axes hold no title to lay out on every frame."""
    s, runs = short_runs
    fig, draw = animation.race_figure(s, runs)
    counter = draw(3)[0]
    (ax,) = fig.axes
    assert fig.images == []
    assert counter.get_text() == "step 3 of 40" and counter is not ax.title
    assert [ax.title.get_text(), ax._left_title.get_text(), ax._right_title.get_text()] == [""] * 3


def test_the_module_uses_hist_name_and_the_one_colour_fallback():
    import inspect

    source = inspect.getsource(animation)
    assert "optimizer.name" not in source
    assert "except ValueError" not in source  # color_for(..., default=...) instead


def test_importing_the_module_changes_nothing():
    assert_import_changes_nothing("rmsnotes.animation")
