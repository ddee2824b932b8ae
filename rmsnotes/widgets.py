r"""A live explorer of AdaGrad and RMSprop: sliders over ``optim.run`` and the plotting
functions (no maths here).

:func:`explorer_figure` draws one view: the contours of a surface with both paths
(left), the squared-gradient statistics s (AdaGrad) and v (RMSprop) per coordinate
(top right) and the effective rates lr / d (bottom right), both on log axes.
:func:`optimizer_explorer` puts sliders on it with ``ipywidgets.interactive``::

    from rmsnotes import widgets
    widgets.optimizer_explorer()            # in a notebook cell: the controls and the view
    fig, runs = widgets.explorer_figure("narrow_dip", lr=0.2)   # the same view, static

Each run is ``optim.run(opt, surface.grad, start, steps)`` with ``optim.adagrad(lr,
eps)`` and ``optim.rmsprop(lr, beta, eps)``: the same lr and eps for both, beta for
RMSprop alone (AdaGrad has none). ``runs`` maps "AdaGrad" and "RMSprop" to their
:class:`rmsnotes.optim.History`; the explorer's ``.result`` is the ``runs`` of its
last redraw.

The controls, found by their ``description``::

    surface   one of SURFACE_NAMES          start x, start y   the surface's bounds
    lr        1e-4 .. 10 (log)              beta               0 .. 0.999
    eps       1e-12 .. 10 (log)             steps              10 .. 3000

A slider redraws when it is released (``continuous_update=False``), not at every
pixel of a drag. Changing the surface resets the start to that surface's own start,
in one redraw. The log sliders cannot reach 0, but eps = 1e-12 acts as 0: from each
surface's start, at lr 1e-4, 0.05 and 10, over 3000 steps, sqrt(s) and sqrt(v) stay
above 5e-4 (tests/test_widgets.py checks it), so eps changes no divisor by more than
2e-9 of itself (a chaotic run at a large lr still amplifies that, as it amplifies any
rounding). At the other end, an eps much larger than sqrt(v) makes RMSprop gradient
descent with rate lr / eps.

Speed: what does not change when a slider moves is kept. The surfaces are built once
per name, each surface's contour grid is computed once (a bounded cache, see
:func:`clear_caches`), and the explorer keeps one figure whose contours stay drawn
while only the surface stays the same: a redraw replaces the paths and the curves and
renders the figure to a PNG (150 dpi, shown at the width it would have at 100 dpi,
as ``export.save_and_show`` shows the course's figures). ``benchmarks/bench_explorer.py``
times a redraw.

A run that meets a non-finite gradient (on a surface of your own; AdaGrad's and
RMSprop's steps stay near lr in size, so the course's surfaces keep them finite) is
drawn up to its last finite point and labelled "diverged at step t"; its History then
holds the steps before t.

Nothing happens at import: no rcParams, no backend, no figure, no widget.
"""

from __future__ import annotations

import functools
import io
import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from types import MappingProxyType, SimpleNamespace
from typing import Any

import ipywidgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from rmsnotes import _validate, optim, plotting, surfaces
from rmsnotes.export import DPI

__all__ = ["SURFACE_NAMES", "explorer_figure", "optimizer_explorer", "clear_caches"]

# name -> (surfaces.get name, its parameters)
_BUILDS: Mapping[str, tuple[str, Mapping[str, Any]]] = MappingProxyType(
    {
        "valley_plateau": ("valley_plateau", {}),
        "valley_plateau_aligned": ("valley_plateau", {"aligned": True}),
        "narrow_dip": ("narrow_dip", {}),
        "narrow_dip_aligned": ("narrow_dip", {"aligned": True}),
        "two_wells": ("two_wells", {}),
        "quadratic": ("quadratic", {}),
        "rosenbrock": ("rosenbrock", {}),
    }
)
#: The surfaces the explorer offers, by name (each is ``surfaces.get`` of a name, the
#: ``_aligned`` ones with ``aligned=True``); the names are the surfaces' own names.
SURFACE_NAMES: tuple[str, ...] = tuple(_BUILDS)

_LABELS = MappingProxyType({"adagrad": "AdaGrad", "rmsprop": "RMSprop"})
_COORDS = ("$x$", "$y$")  # the coordinates as the contour axes name them

_GRID_N = 200  # contour grid points per side (plot_contours' default)
_LEVELS = 30  # contour levels, geometric above the minimum (log=True)
_GRID_CACHE_SIZE = 8  # contour grids kept: every named surface and one more

_FIGSIZE = (10.0, 5.2)  # inches: 1500 x 780 pixels at 150 dpi, shown 1000 px wide
_SHOWN_DPI = 100  # the PNG is shown at the width it would have at this dpi
_PNG_COMPRESSION = 1  # zlib level of the shown PNG: 1 encodes several times faster than 6

# Slider ranges: exponents of 10 for the log sliders; a value given outside widens them.
_LR_EXP = (-4.0, 1.0, 0.05)  # min, max, step
_EPS_EXP = (-12.0, 1.0, 0.5)
_BETA = (0.0, 0.999, 0.001)
_STEPS = (10, 3000, 10)
_START_STEPS = 200  # a start slider moves in 1/200 of the surface's width
_SLIDER = {"continuous_update": False, "layout": {"width": "440px"}}


# ------------------------------------------------------------------------ caches


@functools.lru_cache(maxsize=len(_BUILDS))
def _named_surface(name: str) -> surfaces.Surface:
    """The named surface, built once (a Surface is immutable, so sharing it is safe)."""
    base, params = _BUILDS[name]
    return surfaces.get(base, **params)


_GRIDS: OrderedDict = OrderedDict()  # (surface, n) -> (X, Y, Z), least recently used first


def _contour_grid(surface: surfaces.Surface, n: int) -> tuple[np.ndarray, ...]:
    """``surface.grid(n)``, computed once per surface and kept (read-only) in a cache
    of at most ``_GRID_CACHE_SIZE`` grids; the least recently used goes first."""
    key = (surface, n)  # a Surface hashes by identity
    if key in _GRIDS:
        _GRIDS.move_to_end(key)
        return _GRIDS[key]
    grid = tuple(np.asarray(a) for a in surface.grid(n))
    for a in grid:
        a.setflags(write=False)
    _GRIDS[key] = grid
    while len(_GRIDS) > _GRID_CACHE_SIZE:
        _GRIDS.popitem(last=False)
    return grid


def _with_cached_grid(surface: surfaces.Surface) -> SimpleNamespace:
    """What plot_contours reads of a surface, with ``grid`` served from the cache."""
    return SimpleNamespace(
        f=surface.f,
        minima=surface.minima,
        bounds=surface.bounds,
        grid=lambda n: _contour_grid(surface, n),
    )


def clear_caches() -> None:
    """Forget the built surfaces and the contour grids (the next view recomputes them).

    Example:
        >>> clear_caches()
        >>> len(_GRIDS)
        0
    """
    _named_surface.cache_clear()
    _GRIDS.clear()


# -------------------------------------------------------------------- arguments


def _surface(surface: Any) -> surfaces.Surface:
    if isinstance(surface, surfaces.Surface):
        return surface
    if not isinstance(surface, str):
        raise TypeError(
            f"surface must be a name or a rmsnotes.surfaces.Surface, got {type(surface).__name__}"
        )
    if surface not in _BUILDS:
        raise ValueError(
            f"unknown surface {surface!r}; choose one of {list(SURFACE_NAMES)} "
            "or pass a rmsnotes.surfaces.Surface"
        )
    return _named_surface(surface)


def _start(surface: surfaces.Surface, start: Any) -> np.ndarray:
    if start is None:
        return np.array(surface.start, dtype=float)
    x0 = _validate.real_array("start", start, finite=True)
    if x0.shape != (2,):
        raise ValueError(f"start must be a point (x, y), shape (2,), got shape {x0.shape}")
    return np.array(x0, dtype=float)


def _names(optimizers: Any) -> tuple[str, ...]:
    if isinstance(optimizers, str) or not isinstance(optimizers, Sequence):
        raise TypeError(
            f"optimizers must be a sequence of names such as ('adagrad', 'rmsprop'), "
            f"got {optimizers!r}"
        )
    names = tuple(optimizers)
    bad = [n for n in names if n not in _LABELS]
    if not names or bad or len(set(names)) != len(names):
        raise ValueError(
            f"optimizers must be distinct names from {list(_LABELS)}, at least one; "
            f"got {optimizers!r}"
        )
    return names


def _optimizers(names: tuple[str, ...], lr: Any, beta: Any, eps: Any) -> dict[str, optim.Optimizer]:
    """label -> Optimizer; the optimizers check lr and eps, beta is checked here too
    (AdaGrad alone would not look at it)."""
    _validate.unit_interval("beta", beta)
    build = {
        "adagrad": lambda: optim.adagrad(lr, eps),
        "rmsprop": lambda: optim.rmsprop(lr, beta, eps),
    }
    return {_LABELS[name]: build[name]() for name in names}


def _settings(surface, start, lr, beta, eps, steps, optimizers):
    """The checked settings of a view, (Surface, start, names, steps), shared by
    :func:`explorer_figure` and :func:`optimizer_explorer`: bad input fails here,
    before anything is drawn or built (the optimizers' own errors for lr, beta, eps)."""
    surface = _surface(surface)
    x0 = _start(surface, start)
    names = _names(optimizers)
    _optimizers(names, lr, beta, eps)
    return surface, x0, names, _validate.count("steps", steps, 1)


def _run(opt: optim.Optimizer, surface: surfaces.Surface, x0: np.ndarray, steps: int):
    """``optim.run(opt, surface.grad, x0, steps)``, and None; or, if the run meets a
    non-finite gradient, the run of the steps before it and the first step t whose
    point is not finite (found by ``nonfinite="freeze"``, which goes on with nan)."""
    # Overflow on the way to a divergence is reported in the figure, not as a warning.
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            return optim.run(opt, surface.grad, x0, steps), None
        except ValueError:
            frozen = optim.run(opt, surface.grad, x0, steps, nonfinite="freeze")
            finite = np.isfinite(frozen.xs).all(axis=1)
            if finite.all():  # not a divergence: let the run say what went wrong
                raise
            t = int(np.argmin(finite))  # the first point that is not finite
            return optim.run(opt, surface.grad, x0, t - 1), t


# ------------------------------------------------------------------------ drawing


def _positive_columns(data: np.ndarray) -> list[int]:
    """Coordinates with something to draw on a log axis (AdaGrad's s stays 0 where the
    gradient is always 0, as along y = 0 on the quadratic)."""
    data = data.reshape(len(data), -1)
    ok = (np.isfinite(data) & (data > 0)).any(axis=0)
    return [i for i in range(data.shape[1]) if ok[i]]


def _thin_log_ticks(ax) -> None:
    """Minor ticks only on a log axis that spans two decades or less (else they crowd)."""
    lo, hi = ax.get_ylim()
    if lo > 0 and hi / lo > 100:
        ax.yaxis.set_minor_locator(NullLocator())


class _View:
    """The explorer's figure: contours and paths (left), statistics and rates (right).

    Not managed by pyplot (nothing to close, nothing shown by accident) and drawn by
    its own Agg canvas, which keeps its renderer, so text layouts are reused from one
    redraw to the next. The axes stay put between redraws (fixed positions, no layout
    engine to rerun); the contours stay drawn while the surface stays the same.
    """

    def __init__(self) -> None:
        fig = Figure(figsize=_FIGSIZE, dpi=DPI, facecolor="white")
        FigureCanvasAgg(fig)
        left = fig.add_gridspec(1, 1, left=0.07, right=0.5, bottom=0.1, top=0.9)
        right = fig.add_gridspec(2, 1, left=0.6, right=0.985, bottom=0.1, top=0.8, hspace=0.55)
        self.fig = fig
        self.ax_path = fig.add_subplot(left[0, 0])
        self.ax_acc = fig.add_subplot(right[0, 0])
        self.ax_rate = fig.add_subplot(right[1, 0])
        self.surface = None  # the surface whose contours ax_path shows
        self._contour_lines: set = set()  # the minima markers drawn with the contours

    def draw(self, surface, runs: Mapping[str, optim.History], diverged, title: str) -> Figure:
        ax = self.ax_path
        if surface is not self.surface:
            ax.cla()
            plotting.plot_contours(
                _with_cached_grid(surface), ax=ax, levels=_LEVELS, n=_GRID_N, log=True
            )
            ax.set_aspect("equal")
            self._contour_lines = set(ax.lines)
            self.surface = surface
        for line in [ln for ln in ax.lines if ln not in self._contour_lines]:
            line.remove()
        labelled = {
            label if diverged[label] is None else f"{label}, diverged at step {diverged[label]}": h
            for label, h in runs.items()
        }
        plotting.plot_trajectories(labelled, ax=ax)
        ax.set_title(title, loc="left", fontsize="medium")

        handles: dict[str, Any] = {}
        for panel, key, plot in (
            (self.ax_acc, "accumulator", plotting.plot_accumulators),
            (self.ax_rate, "rates", plotting.plot_rates),
        ):
            for artist in [*panel.lines, *panel.texts]:
                artist.remove()
            for line in self._curves(panel, runs, key, plot):
                handles.setdefault(line.get_label(), line)
        # One legend for both panels, above them, where it hides no curve.
        self.ax_acc.legend(
            list(handles.values()),
            list(handles),
            loc="lower left",
            bbox_to_anchor=(0.0, 1.02),
            ncols=2,
            fontsize="small",
            frameon=False,
            borderaxespad=0.0,
            handlelength=2.5,
            columnspacing=1.2,
        )
        return self.fig

    @staticmethod
    def _curves(panel, runs: Mapping[str, optim.History], key: str, plot) -> list:
        """``plot`` (plot_accumulators or plot_rates) of the runs and coordinates that
        have positive values; their own legend gives way to the shared one."""
        columns = {k: _positive_columns(getattr(h, key)) for k, h in runs.items() if h.steps}
        columns = {k: c for k, c in columns.items() if c}
        coords = sorted(set.intersection(*map(set, columns.values()))) if columns else []
        if not coords:
            panel.text(
                0.5,
                0.5,
                "nothing positive to draw on a log axis",
                ha="center",
                va="center",
                transform=panel.transAxes,
                fontsize="small",
            )
            return []
        drawn = {k: runs[k] for k in columns}
        lines = plot(drawn, ax=panel, coords=coords, labels=[_COORDS[i] for i in coords])
        if panel.get_legend() is not None:
            panel.get_legend().remove()
        panel.relim()
        panel.autoscale_view()
        _thin_log_ticks(panel)
        return lines


def _title(surface, lr: float, beta: float, eps: float, steps: int) -> str:
    # eps in two significant digits: the slider moves by half decades (1e-5, 3.2e-5, ...)
    return f"{surface.name}: lr = {lr:.3g}, beta = {beta:.3g}, eps = {eps:.2g}, {steps} steps"


def _view_runs(view: _View, surface, x0, lr, beta, eps, steps, names):
    """Run every optimizer from x0 and draw the runs on ``view``: (fig, runs)."""
    opts = _optimizers(names, lr, beta, eps)
    runs, diverged = {}, {}
    for label, opt in opts.items():
        runs[label], diverged[label] = _run(opt, surface, x0, steps)
    fig = view.draw(surface, runs, diverged, _title(surface, lr, beta, eps, steps))
    return fig, runs


def _png(fig: Figure) -> bytes:
    """The figure as PNG bytes, at its own dpi (150), with no software or date inside."""
    buf = io.BytesIO()
    fig.savefig(
        buf,
        format="png",
        dpi=fig.dpi,
        metadata={"Software": None},
        pil_kwargs={"compress_level": _PNG_COMPRESSION},
    )
    return buf.getvalue()


def _show(fig: Figure) -> bytes:
    """Render ``fig`` to PNG and display it (in IPython; elsewhere nothing is shown)."""
    png = _png(fig)
    from IPython import get_ipython  # IPython comes with every Jupyter kernel

    if get_ipython() is not None:
        from IPython.display import Image, clear_output, display

        width = round(float(fig.get_size_inches()[0]) * _SHOWN_DPI)
        clear_output(wait=True)  # the new picture replaces the old one when it arrives
        display(Image(data=png, format="png", width=width))
    return png


# -------------------------------------------------------------------------- API


def explorer_figure(
    surface: str | surfaces.Surface = "valley_plateau",
    start: Any = None,
    lr: float = 0.05,
    beta: float = 0.9,
    eps: float = 1e-8,
    steps: int = 300,
    *,
    optimizers: Sequence[str] = ("adagrad", "rmsprop"),
) -> tuple[Figure, dict[str, optim.History]]:
    r"""The explorer's view, static: run AdaGrad and RMSprop and draw them in one figure.

    Runs ``optim.run(opt, surface.grad, start, steps)`` for ``optim.adagrad(lr, eps)``
    and ``optim.rmsprop(lr, beta, eps)`` (the same lr and eps; beta is RMSprop's) and
    draws the contours with both paths (left), the statistics s_t and v_t per
    coordinate (top right, log y) and the effective rates lr / d_t (bottom right, log
    y). The defaults are notebook 05's valley-plateau experiment.

    Args:
        surface: a name from :data:`SURFACE_NAMES` (every name ``surfaces.get``
            knows, and ``"valley_plateau_aligned"``, ``"narrow_dip_aligned"``), or a
            :class:`rmsnotes.surfaces.Surface`.
        start: the start (x, y); None for the surface's own ``start``.
        lr: learning rate, > 0 and finite (both optimizers).
        beta: RMSprop's decay, 0 <= beta < 1.
        eps: >= 0 and finite (both optimizers, outside the root: PyTorch's place).
        steps: number of steps, an int >= 1.
        optimizers: which to run, in order: ``"adagrad"``, ``"rmsprop"`` or both.

    Returns:
        ``(fig, runs)``: a :class:`matplotlib.figure.Figure` (10 x 5.2 inches, 150
        dpi, not managed by pyplot: show it with ``export.save_and_show(fig, name)``)
        and ``{"AdaGrad": History, "RMSprop": History}``. A run that diverged keeps
        the steps before its first non-finite point and is labelled so.

    Raises:
        TypeError, ValueError: the optimizers' own errors for lr, beta and eps
            (e.g. ``lr must be > 0 and finite, got 0.0``), and for an unknown
            surface, a start that is not a finite point, steps < 1.

    Example:
        >>> fig, runs = explorer_figure("quadratic", lr=0.1, steps=20)
        >>> list(runs), runs["RMSprop"].xs.shape
        (['AdaGrad', 'RMSprop'], (21, 2))
        >>> [ax.get_yscale() for ax in fig.axes], fig.dpi
        (['linear', 'log', 'log'], 150)
    """
    surface, x0, names, steps = _settings(surface, start, lr, beta, eps, steps, optimizers)
    return _view_runs(_View(), surface, x0, lr, beta, eps, steps, names)


def _log_slider(description: str, value: float, exps: tuple[float, float, float], fmt: str):
    lo, hi, step = exps
    e = math.log10(value)
    return ipywidgets.FloatLogSlider(
        value=value,
        base=10,
        min=min(lo, math.floor(e)),
        max=max(hi, math.ceil(e)),
        step=step,
        description=description,
        readout_format=fmt,
        **_SLIDER,
    )


def _start_slider(description: str, bounds: tuple[float, float], value: float):
    lo, hi = bounds
    return ipywidgets.FloatSlider(
        value=value,
        min=lo,
        max=hi,
        step=(hi - lo) / _START_STEPS,
        description=description,
        readout_format=".2f",
        **_SLIDER,
    )


def _move_start_slider(slider, bounds: tuple[float, float], value: float) -> None:
    """New range and value; widened first, so min never exceeds max on the way."""
    lo, hi = bounds
    slider.min = min(slider.min, lo)
    slider.max = max(slider.max, hi)
    slider.value = value
    slider.min, slider.max = lo, hi
    slider.step = (hi - lo) / _START_STEPS


def optimizer_explorer(
    surface: str | surfaces.Surface = "valley_plateau",
    start: Any = None,
    lr: float = 0.05,
    beta: float = 0.9,
    eps: float = 1e-8,
    steps: int = 300,
    *,
    optimizers: Sequence[str] = ("adagrad", "rmsprop"),
):
    r"""AdaGrad against RMSprop, live: :func:`explorer_figure` under sliders.

    Returns an ``ipywidgets.interactive``; show it by ending a cell with it. Its
    controls, by ``description``: "surface" (a Dropdown of :data:`SURFACE_NAMES`,
    plus ``surface`` itself when it is a Surface of your own), "start x" and
    "start y" (sliders over the surface's bounds), "lr" and "eps" (log sliders),
    "beta", "steps". Sliders redraw when released. Choosing a surface moves the start
    sliders to its bounds and its start, in one redraw. ``.result`` is the
    ``runs`` dict of the last redraw (name -> :class:`rmsnotes.optim.History`).

    The arguments are the first view's settings and are checked before any widget
    is built, as :func:`explorer_figure` checks them; in addition eps must be > 0
    (a log slider has no 0: eps = 1e-12 behaves as 0 does here), and start must lie
    within the surface's bounds (the slider's range). A value outside a slider's
    default range widens that slider.

    Under nbval the widget's output is not compared: mark the cell
    ``# NBVAL_IGNORE_OUTPUT`` (and show :func:`explorer_figure`'s static view next
    to it, for readers without a kernel).

    Example:
        >>> ui = optimizer_explorer("two_wells", steps=20)
        >>> [w.description for w in ui.children[:-1]]
        ['surface', 'start x', 'start y', 'lr', 'beta', 'eps', 'steps']
        >>> control = {w.description: w for w in ui.children[:-1]}
        >>> control["lr"].value = 0.2               # redraws, as releasing the slider does
        >>> ui.result["RMSprop"].optimizer.hyperparams["lr"]
        0.2
    """
    first, x0, names, steps = _settings(surface, start, lr, beta, eps, steps, optimizers)
    if float(eps) == 0:
        raise ValueError(
            "eps must be > 0 in the explorer (its slider is logarithmic; eps = 1e-12 "
            "behaves as 0 does on these surfaces), got 0.0"
        )
    for axis, value, (lo, hi) in zip("xy", x0, first.bounds, strict=True):
        if not lo <= value <= hi:
            raise ValueError(
                f"start {axis} must lie within the surface's bounds [{lo:g}, {hi:g}], got {value!r}"
            )

    # option -> Surface, each named one built on first use; a Surface of the
    # caller's own is offered first, under its name.
    table: dict[str, surfaces.Surface | None] = dict.fromkeys(SURFACE_NAMES)
    if isinstance(surface, str):
        key = surface
    else:
        key = first.name if first.name not in table else f"{first.name} (yours)"
        table = {key: None, **table}
    table[key] = first

    def surface_of(name: str) -> surfaces.Surface:
        if table[name] is None:
            table[name] = _named_surface(name)
        return table[name]

    choose = ipywidgets.Dropdown(
        options=[(name.replace("_aligned", " aligned"), name) for name in table],
        value=key,
        description="surface",
    )
    start_x = _start_slider("start x", first.bounds[0], float(x0[0]))
    start_y = _start_slider("start y", first.bounds[1], float(x0[1]))
    lo, hi, step = _BETA
    controls = {
        "surface": choose,
        "start_x": start_x,
        "start_y": start_y,
        "lr": _log_slider("lr", float(lr), _LR_EXP, ".3"),  # d3: 3 digits, no trailing 0s
        "beta": ipywidgets.FloatSlider(
            value=float(beta),
            min=lo,
            max=max(hi, float(beta)),
            step=step,
            description="beta",
            readout_format=".3f",
            **_SLIDER,
        ),
        "eps": _log_slider("eps", float(eps), _EPS_EXP, ".2"),  # 2 digits: 3.2e-5, not 3e-5
        "steps": ipywidgets.IntSlider(
            value=steps,
            min=min(_STEPS[0], steps),
            max=max(_STEPS[1], steps),
            step=_STEPS[2],
            description="steps",
            **_SLIDER,
        ),
    }
    view = _View()

    def redraw(surface, start_x, start_y, lr, beta, eps, steps, optimizers):
        s = surface_of(surface)
        x0 = np.array([start_x, start_y], dtype=float)
        fig, runs = _view_runs(view, s, x0, lr, beta, eps, steps, optimizers)
        _show(fig)
        return runs

    # _show clears the output itself, in IPython only (elsewhere clear_output would print).
    ui = ipywidgets.interactive(
        redraw, clear_output=False, **controls, optimizers=ipywidgets.fixed(names)
    )
    ui._view = view  # the figure it redraws (benchmarks/bench_explorer.py, tests)

    def new_surface(change) -> None:
        s = surface_of(change["new"])
        for slider in (start_x, start_y):
            slider.unobserve(ui.update, names="value")
        try:
            _move_start_slider(start_x, s.bounds[0], float(s.start[0]))
            _move_start_slider(start_y, s.bounds[1], float(s.start[1]))
        finally:
            for slider in (start_x, start_y):
                slider.observe(ui.update, names="value")
        ui.update()  # one redraw, with the new surface and its start

    choose.unobserve(ui.update, names="value")
    choose.observe(new_surface, names="value")
    return ui
