"""An animated race of optimizers on a surface (write it as a GIF with rmsnotes.export).

Each optimizer is a ball rolling along its recorded path. The ball carries a square
whose size follows the optimizer's squared-gradient statistic (AdaGrad's sum s,
RMSprop's average v), the picture popularised by L. Jiang's gradient-descent
animations: a big square means a big divisor, so short steps.

The mapping from statistic to square (see :func:`accumulator_size`)::

    size_t = sqrt(sum over coordinates of acc_t)      acc = s (AdaGrad) or v (RMSprop)
    side_t = scale * size_t ** power                  power = 0.5 by default

With ``power = 0.5`` the square's *area* is proportional to ``size_t``, which is
(up to eps) the length of the divisor vector ``d_t = sqrt(acc_t) + eps``: every
coordinate's effective rate is ``lr / d_t``, so the larger the square, the harder
the brake. The square's side is a monotone function of the statistic, so a square that
grows means the statistic grew.

Nothing runs at import time: no backend, no rcParams. The figure is a plain
:class:`matplotlib.figure.Figure` (not managed by pyplot), so creating an animation
in a notebook does not also display a static picture, and nothing needs closing.

    anim = animate_race(surface, {"AdaGrad": hist_a, "RMSprop": hist_r})
    path = export.save_gif(anim, "05_race")   # figures/05_race.gif, byte-identical on re-runs

Reference for the picture: L. Jiang, "A Visual Explanation of Gradient Descent
Methods (Momentum, AdaGrad, RMSProp, Adam)", Towards Data Science (2020), and
github.com/lilipads/gradient_descent_viz.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import ScaledTranslation

from rmsnotes import plotting
from rmsnotes._validate import count as _count
from rmsnotes._validate import positive as _positive
from rmsnotes.export import FPS
from rmsnotes.optim import History

__all__ = [
    "accumulator_size",
    "race_frames",
    "race_figure",
    "animate_race",
]

DPI = 150  #: default resolution of the race: a 5 x 4 inch figure is 750 x 600 pixels
_BACKGROUND = "white"


# ---------------------------------------------------------------------- validation


def _check_histories(histories: Any) -> dict[str, History]:
    if isinstance(histories, History):
        histories = {histories.name: histories}
    if not isinstance(histories, Mapping) or not histories:
        raise TypeError(
            f"histories must be a non-empty dict of label -> History, got {type(histories).__name__}"
        )
    out = {}
    for label, hist in histories.items():
        if not isinstance(hist, History):
            raise TypeError(f"histories[{label!r}] must be a History, got {type(hist).__name__}")
        if hist.xs.ndim != 2 or hist.xs.shape[1] != 2:
            raise ValueError(
                f"histories[{label!r}] must be a 2-D path, xs of shape (steps + 1, 2), "
                f"got {hist.xs.shape}"
            )
        if not np.isfinite(hist.xs).all():
            raise ValueError(f"histories[{label!r}] has a non-finite point: nothing to draw")
        out[str(label)] = hist
    steps = {h.steps for h in out.values()}
    if len(steps) != 1:
        raise ValueError(f"every history needs the same number of steps, got {sorted(steps)}")
    return out


# ------------------------------------------------------------------------- pieces


def accumulator_size(hist: History) -> np.ndarray:
    """The size of the squared-gradient statistic at every step: sqrt(sum of acc).

    Math::

        size_t = sqrt(acc_t[0] + acc_t[1] + ...)       acc = hist.accumulator

    i.e. the Euclidean length of the vector ``sqrt(acc_t)``, whose entries are the
    divisors of the update (up to eps). AdaGrad's ``s_t`` never decreases, so its
    size never decreases either; RMSprop's ``v_t`` forgets, so its size can fall.

    Args:
        hist: a :class:`rmsnotes.optim.History` of AdaGrad, RMSprop or Adam (any
            parameter shape).

    Returns:
        Array of shape ``(steps + 1,)``; entry 0 is the initial statistic (0 by default).

    Example:
        >>> from rmsnotes import optim
        >>> hist = optim.run(optim.adagrad(0.1), lambda x: np.array([3.0, 4.0]), [0.0, 0.0], 2)
        >>> accumulator_size(hist)          # sqrt(9 + 16) = 5 per step, summed: 5 sqrt(t)
        array([0.        , 5.        , 7.07106781])
    """
    if not isinstance(hist, History):
        raise TypeError(f"hist must be a History from optim.run, got {type(hist).__name__}")
    acc = hist.accumulator  # raises AttributeError for SGD, which keeps no statistic
    return np.sqrt(acc.reshape(len(acc), -1).sum(axis=1))


def race_frames(steps: int, frames: int = 61, hold: int = 9) -> np.ndarray:
    """The step shown in each frame: ``frames`` evenly spaced steps, then a pause.

    Steps 0 and ``steps`` are always shown; the last one is repeated ``hold`` more
    times, so a looping GIF rests on the finish before it starts over.

    Args:
        steps: number of steps of the runs, an int >= 1.
        frames: number of distinct frames wanted, an int >= 2 (fewer when
            ``steps + 1 < frames``: a step is never shown twice in the run).
        hold: extra copies of the final frame, an int >= 0.

    Example:
        >>> race_frames(300, frames=5, hold=2)
        array([  0,  75, 150, 225, 300, 300, 300])
    """
    steps = _count("steps", steps, 1)
    frames = _count("frames", frames, 2)
    hold = _count("hold", hold, 0)
    shown = np.unique(np.linspace(0, steps, frames).round().astype(int))
    return np.concatenate([shown, np.full(hold, steps)])


# ---------------------------------------------------------------------- animation


# Where the race's axes sit in the figure (fixed: no layout engine, so every frame
# has exactly the same geometry), and the readout box in axes fractions.
_AXES_BOX = (0.11, 0.1, 0.86, 0.82)
_BOX_LEFT, _BOX_TOP, _LINE = 0.03, 0.97, 0.075
_NUMBER_RIGHT = 0.45
_SYMBOLS = {"adagrad": "s", "rmsprop": "v", "adam": "v"}
_MARKER_X, _TEXT_LEFT = _BOX_LEFT + 0.02, _BOX_LEFT + 0.05  # in the readout box

# The balls, by racer: (marker, size in points, filled). The first is a filled disc;
# the others are rings, larger each time and drawn on top, so racers that share a
# point (they all start at the same one) stay visible: a disc inside rings.
_BALLS = (("o", 9.0, True), ("o", 16.0, False), ("s", 21.0, False), ("D", 26.0, False))


def _ball_style(k: int, color: str) -> dict[str, Any]:
    """Line2D marker keywords of racer k's ball."""
    marker, size, filled = _BALLS[k % len(_BALLS)]
    if filled:
        return dict(marker=marker, ms=size, mfc=color, mec="white", mew=1.0)
    return dict(marker=marker, ms=size, mfc="none", mec=color, mew=2.2)


class _Picture(Artist):
    """A picture of the figure's own size, copied onto the canvas pixel for pixel.

    ``fig.figimage`` would resample the picture on every frame (about half the time
    of a frame at 750 x 600 pixels) to arrive at the same pixels.
    """

    zorder = -1

    def __init__(self, rgba: np.ndarray):
        super().__init__()
        self._rgba = np.ascontiguousarray(rgba[::-1])  # the renderer counts rows from the bottom

    def draw(self, renderer) -> None:
        if not self.get_visible():
            return
        gc = renderer.new_gc()
        renderer.draw_image(gc, 0, 0, self._rgba)
        gc.restore()
        self.stale = False


def _still_and_axes(surface, legend: list[tuple[str, str]], head: str, figsize, dpi, levels, log):
    """The figure of the race: a still background picture, and empty axes on top.

    Everything that does not move (contours, minima, ticks, labels, title, the
    readout box and its labels) is drawn once, on a separate figure, into a picture;
    the race's figure shows that picture pixel for pixel and, on top, invisible axes
    with exactly the same position and limits, where only the moving artists live.
    Redrawing tick labels and contours for every frame would make the GIF several
    times slower to write, for the same pixels.

    ``legend`` holds one (text, colour) pair per racer, for the readout box, where
    each racer's row starts with a small copy of its ball.
    """
    still = Figure(figsize=figsize, dpi=dpi, facecolor=_BACKGROUND)
    sax = still.add_axes(_AXES_BOX)
    plotting.plot_contours(surface, ax=sax, levels=levels, n=120, log=log)
    sax.set_aspect("equal")
    sax.set_title(head, loc="left", fontsize=10)
    n = len(legend)
    sax.add_patch(
        Rectangle(
            (_BOX_LEFT - 0.015, _BOX_TOP - _LINE * (n + 1) - 0.01),
            _NUMBER_RIGHT - _BOX_LEFT + 0.03,
            _LINE * (n + 1) + 0.025,
            transform=sax.transAxes,
            fc="white",
            ec="0.6",
            lw=0.6,
            alpha=0.9,
            zorder=6,
        )
    )
    sax.text(
        _BOX_LEFT, _BOX_TOP, "square size", transform=sax.transAxes, fontsize=8, va="top", zorder=7
    )
    for k, (text, color) in enumerate(legend):
        style = _ball_style(k, color)
        style["ms"] = min(style["ms"], 10.0) * 0.7  # rings shrink to fit the row
        style["mew"] = min(style["mew"], 1.5)
        sax.plot(
            [_MARKER_X],
            [_BOX_TOP - _LINE * (k + 1.5) + 0.01],
            transform=sax.transAxes,
            ls="none",
            zorder=7,
            clip_on=False,
            **style,
        )
        sax.text(
            _TEXT_LEFT,
            _BOX_TOP - _LINE * (k + 1),
            text,
            transform=sax.transAxes,
            color=color,
            fontsize=8,
            fontweight="bold",
            va="top",
            zorder=7,
        )
    canvas = FigureCanvasAgg(still)
    canvas.draw()
    picture = np.asarray(canvas.buffer_rgba()).copy()

    fig = Figure(figsize=figsize, dpi=dpi, facecolor=_BACKGROUND)
    fig.add_artist(_Picture(picture))  # pixel for pixel, under the axes
    ax = fig.add_axes(_AXES_BOX)
    ax.set_xlim(sax.get_xlim())
    ax.set_ylim(sax.get_ylim())
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig, ax


def race_figure(
    surface,
    histories: Mapping[str, History],
    *,
    power: float = 0.5,
    scale: float | None = None,
    figsize: tuple[float, float] = (5.0, 4.0),
    dpi: float = DPI,
    levels: int = 25,
    log: bool = True,
    title: str | None = None,
) -> tuple[Figure, Callable[[int], list]]:
    """The race's figure and the function that draws step t on it.

    The pieces of :func:`animate_race` without the animation: ``draw(t)`` puts every
    racer at step t, for any t from 0 to the runs' number of steps, and returns the
    artists it changed: the step counter, then for each racer its trail (Line2D),
    square (Rectangle), ball (Line2D) and number (Text). Use it to look at one frame,
    or to test.

    For each racer the square is centred on the ball, with side
    ``scale * accumulator_size(hist)[t] ** power``; the box in the top left corner
    names the racers in their colours and prints ``accumulator_size(hist)[t]``, so
    a square too small to see still has a number. Leave that corner of the window
    free of paths.

    The balls differ in shape as well as colour: the first racer is a filled disc,
    the others rings (then a square and a diamond), each larger than the one before
    and drawn above it, so balls on the same point (every race starts on one) are
    all visible; the readout box shows each racer's ball next to its name.

    Args:
        surface: a :class:`rmsnotes.surfaces.Surface` (contours, minima, bounds).
        histories: ``{label: History}`` of 2-D runs with the same number of steps,
            each of an optimizer that keeps a squared-gradient statistic.
        power: the exponent of the mapping; 0.5 (default) makes the square's area
            proportional to ``size_t``, 1 its side.
        scale: data units of side per unit of ``size_t ** power``; by default the
            largest square of the race gets a side of 1/6 of the shorter side of
            the window.
        figsize: inches; with ``dpi`` it fixes the pixel size (5 x 4 at 150 dpi:
            750 x 600).
        dpi: figure resolution.
        levels, log: contour levels, as in :func:`rmsnotes.plotting.plot_contours`.
        title: the title, on the left (default: the surface's name); the step
            counter sits on the right.

    Returns:
        ``(fig, draw)``: a :class:`matplotlib.figure.Figure` (not managed by pyplot)
        and ``draw(t) -> list of artists``.

    Example:
        >>> from rmsnotes import optim, surfaces
        >>> s = surfaces.two_wells()
        >>> hist = optim.run(optim.adagrad(0.1), s.grad, s.start, 10)
        >>> fig, draw = race_figure(s, {"AdaGrad": hist})
        >>> counter, trail, square, ball, number = draw(10)
        >>> counter.get_text(), number.get_text() == f"{accumulator_size(hist)[10]:.2f}"
        ('step 10 of 10', True)
        >>> bool(np.allclose(ball.get_xydata()[0], hist.xs[10]))
        True
    """
    hists = _check_histories(histories)
    power = _positive("power", power)
    dpi = _positive("dpi", dpi)
    if scale is not None:
        scale = _positive("scale", scale)
    steps = next(iter(hists.values())).steps

    sizes = {label: accumulator_size(h) for label, h in hists.items()}
    (x0, x1), (y0, y1) = surface.bounds
    if scale is None:
        biggest = max(float(np.max(s)) for s in sizes.values()) ** power
        scale = min(x1 - x0, y1 - y0) / 6 / biggest if biggest > 0 else 1.0
    sides = {label: scale * s**power for label, s in sizes.items()}

    colors, legend = {}, []
    for k, (label, hist) in enumerate(hists.items()):
        colors[label] = plotting.color_for(hist, default=f"C{k}")
        symbol = _SYMBOLS.get(hist.name, r"\mathrm{acc}")
        legend.append((f"{label}  $\\sqrt{{\\Sigma {symbol}}}$", colors[label]))
    head = surface.name if title is None else title
    fig, ax = _still_and_axes(surface, legend, head, figsize, dpi, levels, log)
    # The step counter where a right-hand title would sit, as plain text: a title
    # would make every frame lay out the title again.
    above = ScaledTranslation(0.0, 6.0 / 72.0, fig.dpi_scale_trans)  # 6 points up
    counter = ax.text(
        1.0, 1.0, "", transform=ax.transAxes + above, ha="right", va="baseline", fontsize=10
    )

    artists = {}
    for k, (label, color) in enumerate(colors.items()):
        # Later racers get wider trails, drawn underneath: where two paths
        # coincide, both colours stay visible.
        lw = min(1.5 + 1.3 * k, 4.0)
        (trail,) = ax.plot([], [], color=color, lw=lw, zorder=3.5 - 0.1 * k)
        square = Rectangle((0, 0), 0, 0, fc=color, ec=color, alpha=0.35, lw=1.2, zorder=4)
        ax.add_patch(square)
        (ball,) = ax.plot([], [], ls="none", zorder=5 + 0.1 * k, **_ball_style(k, color))
        number = ax.text(
            _NUMBER_RIGHT,
            _BOX_TOP - _LINE * (k + 1),
            "",
            transform=ax.transAxes,
            color=color,
            fontsize=8,
            ha="right",
            va="top",
            zorder=7,
        )
        artists[label] = (trail, square, ball, number)

    def draw(t: int) -> list:
        """Put every racer at step t; return the changed artists."""
        t = _count("t", t, 0)
        if t > steps:
            raise ValueError(f"t must be between 0 and {steps}, got {t}")
        counter.set_text(f"step {t} of {steps}")
        for label, (trail, square, ball, number) in artists.items():
            xs = hists[label].xs[: t + 1]
            trail.set_data(xs[:, 0], xs[:, 1])
            x, y = xs[-1]
            ball.set_data([x], [y])
            side = float(sides[label][t])
            square.set_bounds(x - side / 2, y - side / 2, side, side)
            number.set_text(f"{sizes[label][t]:.2f}")
        return [counter, *(a for group in artists.values() for a in group)]

    draw(0)
    return fig, draw


def animate_race(
    surface,
    histories: Mapping[str, History],
    *,
    frames: int = 61,
    hold: int = 9,
    fps: float = FPS,
    **figure_kw: Any,
) -> FuncAnimation:
    """Balls racing along their paths on the contours of ``surface``, each carrying
    a square sized by its squared-gradient statistic.

    Every frame shows, for each optimizer: the path so far (a line), the current
    point (a ball) and a translucent square centred on it, whose side is
    ``scale * accumulator_size(hist)[t] ** power`` (area proportional to
    ``accumulator_size`` with the default ``power = 0.5``), and the current
    ``accumulator_size`` printed in the top left box, which also serves as the
    legend. The colours are the course's (:func:`rmsnotes.plotting.color_for`).
    The frames show evenly spaced steps (:func:`race_frames`).

    Args:
        surface: a :class:`rmsnotes.surfaces.Surface` (contours, minima, bounds).
        histories: ``{label: History}`` of 2-D runs with the same number of steps,
            each of an optimizer that keeps a squared-gradient statistic.
        frames: number of distinct steps shown.
        hold: extra frames resting on the final step before the loop restarts.
        fps: frames per second of the live animation (give
            :func:`rmsnotes.export.save_gif` the same).
        figure_kw: ``power``, ``scale``, ``figsize``, ``dpi``, ``levels``, ``log``,
            ``title``, as in :func:`race_figure`.

    Returns:
        A :class:`matplotlib.animation.FuncAnimation`; save it with
        :func:`rmsnotes.export.save_gif` (or show it live with ``anim.to_jshtml()``).

    Example:
        >>> import tempfile
        >>> from rmsnotes import export, optim, surfaces
        >>> s = surfaces.valley_plateau()
        >>> runs = {name: optim.run(make(lr=0.05), s.grad, s.start, 20)
        ...         for name, make in [("AdaGrad", optim.adagrad), ("RMSprop", optim.rmsprop)]}
        >>> anim = animate_race(s, runs, frames=5, hold=0)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = export.save_gif(anim, "race", folder=tmp)
        ...     path.name, path.read_bytes()[:6]
        ('race.gif', b'GIF89a')
    """
    hists = _check_histories(histories)
    fps = _positive("fps", fps)
    shown = race_frames(next(iter(hists.values())).steps, frames, hold)
    fig, draw = race_figure(surface, hists, **figure_kw)
    return FuncAnimation(
        fig,
        draw,
        frames=[int(t) for t in shown],
        init_func=lambda: draw(0),
        interval=1000.0 / fps,
        repeat=True,
    )
