r"""Small plotting helpers: contours, trajectories, per-step curves, sweeps.

Every ``plot_*`` function draws on ``ax`` (the current axes when ``ax`` is None) and
returns what it drew, so a notebook can restyle or test it. Colours follow the
Okabe-Ito colour-blind-safe palette, and each optimizer always gets the same one::

    sgd      black          adagrad  vermillion
    rmsprop  blue           adam     bluish green
    amsgrad  reddish purple

An optimizer without a course colour (or a label that names none) gets the axes'
own colour cycle: :func:`color_for` with ``default=None`` is the one fallback rule.

Conventions shared by every function:

- log axes: the functions that draw a History's per-step statistics
  (:func:`plot_losses`, :func:`plot_accumulators`, :func:`plot_rates`) default to a
  logarithmic y axis, ``logy=True``: losses, sums of squares and rates span
  decades. :func:`plot_curve` draws any values, possibly negative, so it is linear
  unless asked (``logy=False``). :func:`plot_sweep` is always log-log.
- labels: symbols in mathtext, as the notebooks write them: ``step $t$``,
  ``loss $f(x_t)$``, ``$s_t$``, ``$v_t$``, ``effective rate $\eta / d_t$``,
  coordinates ``$x_0$, $x_1$``.
- contours: light grey bands with darker grey lines on every level, under the paths.

Nothing happens at import: no rcParams, no style, no backend. This module only
draws; :mod:`rmsnotes.export` writes the figures (``export.save_and_show(fig,
"05_valley")`` saves a deterministic 150-dpi PNG into ``figures/`` and shows it).

Reference for the palette: M. Okabe, K. Ito, "Color Universal Design (CUD): how to
make figures and presentations that are friendly to colorblind people" (2008).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.ticker import FuncFormatter, NullLocator

from rmsnotes.optim import History, Optimizer

__all__ = [
    "PALETTE",
    "color_for",
    "new_figure",
    "plot_contours",
    "plot_path",
    "plot_trajectories",
    "plot_paths",
    "plot_curve",
    "plot_losses",
    "plot_accumulators",
    "plot_rates",
    "plot_sweep",
    "plot_monitor",
    "plot_findings",
    "plot_phase_diagram",
    "plain_log_ticks",
]

#: The eight Okabe-Ito colours, by name.
PALETTE: Mapping[str, str] = MappingProxyType(
    {
        "black": "#000000",
        "orange": "#E69F00",
        "sky blue": "#56B4E9",
        "bluish green": "#009E73",
        "yellow": "#F0E442",
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "reddish purple": "#CC79A7",
    }
)

_OPTIMIZER_COLORS = MappingProxyType(
    {
        "sgd": PALETTE["black"],
        "gd": PALETTE["black"],
        "adagrad": PALETTE["vermillion"],
        "rmsprop": PALETTE["blue"],
        "adam": PALETTE["bluish green"],
        "amsgrad": PALETTE["reddish purple"],
    }
)

_LINESTYLES = ("-", "--", ":", "-.")
_PANEL = (4.0, 3.2)  # inches per subplot: 400 x 320 pixels at dpi 100

# Light greys for filled contours, so coloured paths stay the strongest thing drawn,
# and darker lines on the levels, so the shape of the surface reads at a glance.
_CONTOUR_CMAP = ListedColormap(matplotlib.colormaps["Greys"](np.linspace(0.0, 0.35, 256)))
_CONTOUR_LINE = "0.35"
_CONTOUR_LW = 0.5
_RAISE = object()  # color_for's "no default given"


def color_for(name: str | Optimizer | History, default: Any = _RAISE) -> str | None:
    """The course's colour (a hex string) for an optimizer.

    Args:
        name: ``"sgd"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"`` or ``"amsgrad"``
            (any case, surrounding spaces ignored), or an Optimizer or History,
            whose name is used.
        default: what to return for a name without a colour. Without it such a
            name raises; every plot_* function passes ``default=None``, which
            lets matplotlib take the axes' next colour.

    Raises:
        ValueError: for a name without a colour, when no default is given.

    Example:
        >>> color_for("RMSprop")
        '#0072B2'
        >>> color_for("adagrad") == PALETTE["vermillion"]
        True
        >>> color_for("lion", default=None) is None
        True
    """
    if isinstance(name, (History, Optimizer)):
        name = name.name
    key = str(name).strip().lower()
    if key in _OPTIMIZER_COLORS:
        return _OPTIMIZER_COLORS[key]
    if default is not _RAISE:
        return default
    known = ", ".join(sorted(_OPTIMIZER_COLORS))
    raise ValueError(f"no colour for optimizer {name!r}; known names: {known}")


def new_figure(
    ncols: int = 1,
    nrows: int = 1,
    *,
    width: float | None = None,
    height: float | None = None,
    **kw: Any,
):
    """A new figure of ``nrows x ncols`` axes, in the course's small size.

    Each panel is 4.0 x 3.2 inches (400 x 320 pixels at dpi 100) unless ``width`` or
    ``height`` (the whole figure, in inches) is given. Uses the constrained layout;
    ``kw`` goes to :func:`matplotlib.pyplot.subplots`. Global rcParams are untouched.

    Returns:
        ``(fig, axes)``: one Axes for a single panel, else an array as plt.subplots.

    Example:
        >>> fig, (ax1, ax2) = new_figure(2)
        >>> [float(v) for v in fig.get_size_inches()]
        [8.0, 3.2]
        >>> plt.close(fig)
    """
    figsize = (
        _PANEL[0] * ncols if width is None else width,
        _PANEL[1] * nrows if height is None else height,
    )
    return plt.subplots(nrows, ncols, figsize=figsize, layout="constrained", **kw)


def _axes(ax):
    return plt.gca() if ax is None else ax


def _histories(histories: History | Mapping[str, History]) -> dict[str, History]:
    """A single History becomes {optimizer name: History}; a mapping is kept."""
    if isinstance(histories, History):
        return {histories.name: histories}
    if isinstance(histories, Mapping) and all(isinstance(h, History) for h in histories.values()):
        return dict(histories)
    raise TypeError(
        f"expected a History or a dict of label -> History, got {type(histories).__name__}"
    )


def _styles(hists: dict[str, History]) -> list[tuple[str | None, str]]:
    """(colour, linestyle) per history: the optimizer's colour, and a line style by
    position (solid, dashed, dotted, dash-dot), so two runs of one optimizer differ
    and a path drawn over another lets the one below show through its gaps."""
    return [
        (color_for(hist, default=None), _LINESTYLES[k % len(_LINESTYLES)])
        for k, hist in enumerate(hists.values())
    ]


def _legend(ax) -> None:
    handles, _ = ax.get_legend_handles_labels()
    if len(handles) > 1:
        ax.legend(fontsize="small")


# --------------------------------------------------------------------- surfaces


def plot_contours(
    surface,
    ax=None,
    levels: int | Sequence[float] = 30,
    n: int = 200,
    log: bool = False,
    *,
    filled: bool = True,
):
    """Contours of ``surface.f`` over ``surface.bounds``, with its minima marked.

    The global minimum (``surface.minima[0]``) is a yellow star, other minima are
    white stars. The axes limits are set to the bounds, so paths drawn afterwards do
    not rescale the view. Add a colour bar with ``fig.colorbar(cs, ax=ax)``.

    Args:
        surface: a :class:`rmsnotes.surfaces.Surface` (needs ``grid``, ``f``,
            ``minima`` and ``bounds``).
        ax: axes to draw on; the current axes when None.
        levels: number of levels, or the level values themselves.
        n: grid points per side.
        log: space the levels geometrically above the minimum value, to resolve
            flat valleys and plateaus (the levels stay in units of f).
        filled: light grey bands with dark grey lines on the levels (True), or the
            lines alone (False).

    Returns:
        The :class:`matplotlib.contour.QuadContourSet` of the bands (filled) or of
        the lines.

    Example:
        >>> from types import SimpleNamespace
        >>> f = lambda p: np.asarray(p)[..., 0] ** 2 + 4 * np.asarray(p)[..., 1] ** 2
        >>> def grid(n=200):
        ...     X, Y = np.meshgrid(np.linspace(-2, 2, n), np.linspace(-1, 1, n))
        ...     return X, Y, f(np.stack([X, Y], axis=-1))
        >>> bowl = SimpleNamespace(f=f, grid=grid, minima=np.zeros((1, 2)),
        ...                        bounds=((-2, 2), (-1, 1)))
        >>> fig, ax = new_figure()
        >>> cs = plot_contours(bowl, ax=ax, levels=10, log=True)
        >>> len(cs.levels), [float(v) for v in ax.get_xlim()]
        (10, [-2.0, 2.0])
        >>> plt.close(fig)
    """
    ax = _axes(ax)
    X, Y, Z = surface.grid(n)
    Z = np.ma.masked_invalid(Z)
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    if np.isscalar(levels) or np.ndim(levels) == 0:
        levels = int(levels)
        if levels < 2:
            raise ValueError(f"levels must be >= 2, got {levels}")
        zmax = float(Z.max())
        zmin = float(Z.min())
        if len(minima):
            zmin = min(zmin, float(np.min(surface.f(minima))))
        span = zmax - zmin
        if span <= 0:
            raise ValueError(f"surface is constant over its bounds (f = {zmin})")
        if log:
            dz = (Z - zmin).compressed()
            low = max(float(np.quantile(dz[dz > 0], 0.005)), span * 1e-6)
            lv = zmin + np.concatenate([[0.0], np.geomspace(low, span, levels - 1)])
        else:
            lv = np.linspace(zmin, zmax, levels)
    else:
        lv = np.asarray(levels, dtype=float)
    lines = ax.contour(
        X, Y, Z, levels=lv, colors=_CONTOUR_LINE, linewidths=_CONTOUR_LW, linestyles="solid"
    )  # solid: one colour means matplotlib would dash the negative levels
    cs = lines
    if filled:
        norm = BoundaryNorm(lv, _CONTOUR_CMAP.N)
        cs = ax.contourf(X, Y, Z, levels=lv, cmap=_CONTOUR_CMAP, norm=norm, zorder=0.5)
    if len(minima):
        ax.plot(
            *minima[1:].T,
            ls="none",
            marker="*",
            ms=9,
            mfc="white",
            mec="black",
            mew=0.8,
            label="_local minima",
        )
        ax.plot(
            *minima[0],
            ls="none",
            marker="*",
            ms=13,
            mfc=PALETTE["yellow"],
            mec="black",
            mew=0.8,
            label="_global minimum",
        )
    (x0, x1), (y0, y1) = surface.bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    return cs


def plot_path(xs, ax=None, label: str | None = None, color: str | None = None, **kw):
    """A 2-D trajectory: a line through the points, an open circle at the start and
    a filled square at the end.

    Args:
        xs: points, shape ``(steps + 1, 2)`` (e.g. ``hist.xs``), or a History.
        ax: axes to draw on; the current axes when None.
        label: legend label of the line.
        color: line colour; the optimizer's colour when ``xs`` is a History of a
            known optimizer, else the axes' colour cycle.
        kw: passed to :meth:`matplotlib.axes.Axes.plot` (``lw``, ``ls``, ``alpha``...).

    Returns:
        The path's :class:`matplotlib.lines.Line2D`.

    Example:
        >>> fig, ax = new_figure()
        >>> line = plot_path([[0, 0], [1, 0.5], [1.5, 1]], ax=ax, label="sgd",
        ...                  color=color_for("sgd"))
        >>> line.get_label(), line.get_color()
        ('sgd', '#000000')
        >>> plt.close(fig)
    """
    ax = _axes(ax)
    if isinstance(xs, History):
        if color is None:
            color = color_for(xs, default=None)
        xs = xs.xs
    xs = np.asarray(xs, dtype=float)
    if xs.ndim != 2 or xs.shape[1] != 2 or len(xs) == 0:
        raise ValueError(f"xs must have shape (steps + 1, 2), got {xs.shape}")
    kw.setdefault("lw", 1.5)
    (line,) = ax.plot(xs[:, 0], xs[:, 1], label=label, color=color, **kw)
    color = line.get_color()
    z = line.get_zorder()
    ax.plot(
        *xs[0],
        marker="o",
        ms=6,
        mfc="white",
        mec=color,
        mew=1.5,
        ls="none",
        zorder=z,
        label="_start",
    )
    finite = xs[np.isfinite(xs).all(axis=1)]
    if len(finite):
        ax.plot(*finite[-1], marker="s", ms=5, color=color, ls="none", zorder=z, label="_end")
    return line


def plot_trajectories(histories: History | Mapping[str, History], ax=None):
    """Every trajectory in ``histories`` on ``ax``, with a legend; no contours.

    Each path takes its optimizer's colour and a line style by position: solid,
    dashed, dotted, dash-dot (where two paths coincide, both stay visible). Draw the
    surface first (:func:`plot_contours`), or use :func:`plot_paths`, which does
    both. A figure that redraws paths over contours it keeps (the explorer of
    :mod:`rmsnotes.widgets`) calls this alone.

    Args:
        histories: ``{label: History}`` of 2-D runs, or one History (labelled by
            its optimizer).
        ax: axes to draw on; the current axes when None.

    Returns:
        The list of path lines (:class:`matplotlib.lines.Line2D`), in dict order.

    Example:
        >>> from rmsnotes import optim
        >>> grad = lambda x: np.array([2 * x[0], 8 * x[1]])
        >>> hists = {name: optim.run(opt, grad, [-1.5, 1.5], 20) for name, opt in
        ...          [("AdaGrad", optim.adagrad(0.3)), ("RMSprop", optim.rmsprop(0.1))]}
        >>> fig, ax = new_figure()
        >>> lines = plot_trajectories(hists, ax=ax)
        >>> [(line.get_label(), line.get_color(), line.get_linestyle()) for line in lines]
        [('AdaGrad', '#D55E00', '-'), ('RMSprop', '#0072B2', '--')]
        >>> plt.close(fig)
    """
    ax = _axes(ax)
    hists = _histories(histories)
    lines = []
    for (label, hist), (color, ls) in zip(hists.items(), _styles(hists), strict=True):
        lines.append(plot_path(hist.xs, ax=ax, label=label, color=color, ls=ls))
    ax.legend(fontsize="small")
    return lines


def plot_paths(
    surface,
    histories: History | Mapping[str, History],
    ax=None,
    *,
    levels: int | Sequence[float] = 30,
    log: bool = False,
):
    """Contours of ``surface`` with every trajectory on top, and a legend:
    :func:`plot_contours`, then :func:`plot_trajectories`.

    Each path takes its optimizer's colour and a line style by position: solid,
    dashed, dotted, dash-dot (where two paths coincide, both stay visible).

    Args:
        surface: a :class:`rmsnotes.surfaces.Surface`.
        histories: ``{label: History}``, or one History (labelled by its optimizer).
        ax: axes to draw on; the current axes when None.
        levels, log: as in :func:`plot_contours`.

    Returns:
        The list of path lines (:class:`matplotlib.lines.Line2D`), in dict order.

    Example:
        >>> from types import SimpleNamespace
        >>> from rmsnotes import optim
        >>> f = lambda p: np.asarray(p)[..., 0] ** 2 + 4 * np.asarray(p)[..., 1] ** 2
        >>> def grid(n=200):
        ...     X, Y = np.meshgrid(np.linspace(-2, 2, n), np.linspace(-2, 2, n))
        ...     return X, Y, f(np.stack([X, Y], axis=-1))
        >>> bowl = SimpleNamespace(f=f, grid=grid, minima=np.zeros((1, 2)),
        ...                        bounds=((-2, 2), (-2, 2)))
        >>> grad = lambda x: np.array([2 * x[0], 8 * x[1]])
        >>> hists = {name: optim.run(opt, grad, [-1.5, 1.5], 50) for name, opt in
        ...          [("AdaGrad", optim.adagrad(0.3)), ("RMSprop", optim.rmsprop(0.1))]}
        >>> fig, ax = new_figure()
        >>> lines = plot_paths(bowl, hists, ax=ax)
        >>> [line.get_label() for line in lines]
        ['AdaGrad', 'RMSprop']
        >>> plt.close(fig)
    """
    ax = _axes(ax)
    hists = _histories(histories)  # checked before anything is drawn
    plot_contours(surface, ax=ax, levels=levels, log=log)
    return plot_trajectories(hists, ax=ax)


# ------------------------------------------------------------------ step curves


def plot_curve(
    values,
    ax=None,
    label: str | None = None,
    logy: bool = False,
    *,
    start: int = 0,
    t=None,
    color: str | None = None,
    xlabel: str = "step $t$",
    ylabel: str | None = None,
    **kw,
):
    """One quantity per step, against the step number.

    Args:
        values: 1-D array, ``values[i]`` belongs to step ``start + i``.
        ax: axes to draw on; the current axes when None.
        label: legend label.
        logy: logarithmic y axis (non-positive values are then not drawn). False by
            default: the values may be anything (the History plots default to True).
        start: step number of ``values[0]``: 0 for points and losses (``xs[0]`` is
            x0), 1 for gradients, updates and rates (``rates[0]`` is used at step 1).
        t: the step number of every value instead (e.g. ``hist.ts`` of a run that
            kept every 10th step); overrides ``start``.
        color: line colour; the axes' colour cycle when None.
        xlabel, ylabel: axis labels (ylabel None leaves the y label as it is).
        kw: passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns:
        The :class:`matplotlib.lines.Line2D`.

    Example:
        >>> fig, ax = new_figure()
        >>> line = plot_curve(0.5 ** np.arange(10), ax=ax, logy=True, ylabel="$|x_t|$")
        >>> ax.get_yscale(), ax.get_xlabel(), ax.get_ylabel()
        ('log', 'step $t$', '$|x_t|$')
        >>> plt.close(fig)
    """
    ax = _axes(ax)
    values = np.asarray(values, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"values must be 1-D, got shape {values.shape}")
    values = np.where(np.isfinite(values), values, np.nan)
    if logy and not np.any(values > 0):
        raise ValueError(
            f"logy=True needs positive values{f' (curve {label!r})' if label else ''}; "
            "use logy=False, or plot a gap such as loss - f* instead"
        )
    if t is None:
        steps = np.arange(start, start + len(values))
    else:
        steps = np.asarray(t)
        if steps.shape != values.shape:
            raise ValueError(f"t must have the shape of values {values.shape}, got {steps.shape}")
    if logy:
        # A log axis has no place for values <= 0 (AdaGrad's s_0 = 0, say): leave them
        # out, rather than let matplotlib draw a drop to the bottom edge.
        values = np.where(values > 0, values, np.nan)
    (line,) = ax.plot(steps, values, label=label, color=color, **kw)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    return line


def plot_losses(
    histories: History | Mapping[str, History],
    ax=None,
    logy: bool = True,
    *,
    f_star: float | None = None,
):
    """Loss against step for one or several runs, in the optimizers' colours and
    line styles by position (as in :func:`plot_paths`).

    The histories need losses: ``optim.run(..., loss_fn=f)``.

    Args:
        histories: ``{label: History}``, or one History.
        ax: axes to draw on; the current axes when None.
        logy: logarithmic y axis (the default of every History plot).
        f_star: if given, plot the gap ``f(x_t) - f*`` (needed for a log axis when
            the loss can be negative).

    Returns:
        The list of :class:`matplotlib.lines.Line2D`, in dict order.

    Example:
        >>> from rmsnotes import optim
        >>> f, grad = lambda x: float(x @ x), lambda x: 2 * x
        >>> hist = optim.run(optim.rmsprop(0.1), grad, [1.0, -2.0], 30, loss_fn=f)
        >>> fig, ax = new_figure()
        >>> (line,) = plot_losses(hist, ax=ax)
        >>> line.get_label(), ax.get_ylabel(), ax.get_yscale()
        ('rmsprop', 'loss $f(x_t)$', 'log')
        >>> plt.close(fig)
    """
    ax = _axes(ax)
    hists = _histories(histories)
    lines = []
    for (label, hist), (color, ls) in zip(hists.items(), _styles(hists), strict=True):
        if hist.losses is None:
            raise ValueError(
                f"history {label!r} has no losses: run it with optim.run(..., loss_fn=f)"
            )
        values = hist.losses if f_star is None else hist.losses - f_star
        lines.append(
            plot_curve(values, ax=ax, label=label, logy=logy, t=hist.ts, color=color, ls=ls)
        )
    ax.set_ylabel("loss $f(x_t)$" if f_star is None else "gap $f(x_t) - f^*$")
    _legend(ax)
    return lines


def _coordinate_label(i: int) -> str:
    return f"$x_{{{i}}}$"


def _per_coordinate(histories, key: str, ax, coords, labels, logy: bool, ylabel: str):
    """Shared body of plot_accumulators and plot_rates."""
    ax = _axes(ax)
    single = isinstance(histories, History)
    hists = _histories(histories)
    lines = []
    for name, hist in hists.items():
        data = getattr(hist, key)
        if data is None:
            raise ValueError(f"history {name!r} did not record {key}: run it with record='all'")
        data = data.reshape(len(data), -1)
        # States have a row for step 0; rates start at the first step.
        t = hist.ts if len(data) == len(hist.ts) else hist.ts[1:]
        idx = list(range(data.shape[1])) if coords is None else list(np.atleast_1d(coords))
        names = [_coordinate_label(i) for i in idx] if labels is None else list(labels)
        if len(names) != len(idx):
            raise ValueError(f"got {len(names)} labels for {len(idx)} coordinates")
        color = color_for(hist, default=None)
        for k, (i, coord) in enumerate(zip(idx, names, strict=True)):
            label = coord if single else f"{name}: {coord}"
            ls = _LINESTYLES[k % len(_LINESTYLES)]
            lines.append(
                plot_curve(
                    data[:, i],
                    ax=ax,
                    label=label,
                    logy=logy,
                    t=t,
                    color=color,
                    ls=ls,
                    ylabel=ylabel,
                )
            )
    _legend(ax)
    return lines


def plot_accumulators(
    hist: History | Mapping[str, History],
    ax=None,
    coords=None,
    labels: Sequence[str] | None = None,
    logy: bool = True,
):
    """The squared-gradient statistic per coordinate over steps (``hist.accumulator``:
    AdaGrad's sum s_t, RMSprop's or Adam's average v_t), from step 0 (the start value).

    Colour is the optimizer's; the line style tells the coordinates apart.

    Args:
        hist: a History, or ``{label: History}``.
        ax: axes to draw on; the current axes when None.
        coords: index or indices into the flattened parameters; all when None.
        labels: one name per coordinate (default ``$x_0$``, ``$x_1$``, ...).
        logy: logarithmic y axis (the default of every History plot; the start
            value 0 is then not drawn).

    Returns:
        The list of :class:`matplotlib.lines.Line2D`.

    Example:
        >>> from rmsnotes import optim
        >>> hist = optim.run(optim.adagrad(0.1), lambda x: 2 * x, [1.0, -2.0], 20)
        >>> fig, ax = new_figure()
        >>> lines = plot_accumulators(hist, ax=ax, labels=["$w$", "$b$"])
        >>> [line.get_label() for line in lines], ax.get_ylabel()
        (['$w$', '$b$'], '$s_t$, sum of $g^2$')
        >>> plt.close(fig)
    """
    names = {h.name for h in _histories(hist).values()}
    if names == {"adagrad"}:
        ylabel = "$s_t$, sum of $g^2$"
    elif names <= {"rmsprop", "adam"}:
        ylabel = r"$v_t$, average of $g^2$"
    else:
        ylabel = "accumulator $s_t$ or $v_t$"
    return _per_coordinate(hist, "accumulator", ax, coords, labels, logy, ylabel)


def plot_rates(
    hist: History | Mapping[str, History],
    ax=None,
    coords=None,
    labels: Sequence[str] | None = None,
    logy: bool = True,
):
    r"""The effective per-coordinate learning rate ``lr / d_t`` (``hist.rates``) of
    each step, from step 1.

    Colour is the optimizer's; the line style tells the coordinates apart.

    Args:
        hist: a History, or ``{label: History}``.
        ax: axes to draw on; the current axes when None.
        coords: index or indices into the flattened parameters; all when None.
        labels: one name per coordinate (default ``$x_0$``, ``$x_1$``, ...).
        logy: logarithmic y axis (the default of every History plot).

    Returns:
        The list of :class:`matplotlib.lines.Line2D`.

    Example:
        >>> from rmsnotes import optim
        >>> hist = optim.run(optim.adagrad(0.1), lambda x: 2 * x, [1.0, -2.0], 20)
        >>> fig, ax = new_figure()
        >>> (line,) = plot_rates({"AdaGrad": hist}, ax=ax, coords=0)
        >>> line.get_label(), ax.get_ylabel(), ax.get_yscale()
        ('AdaGrad: $x_{0}$', 'effective rate $\\eta / d_t$', 'log')
        >>> plt.close(fig)
    """
    return _per_coordinate(hist, "rates", ax, coords, labels, logy, r"effective rate $\eta / d_t$")


# ----------------------------------------------------------------------- sweeps


def plot_sweep(
    result,
    ax=None,
    *,
    label: str | None = None,
    color: str | None = None,
    reduce: str = "max",
    **kw: Any,
):
    """Final error against lr on log-log axes; diverged lrs as crosses along the top.

    Both axes get major ticks only (errors often span many decades).

    With seeds, the line is the errors combined by ``reduce`` (the worst seed by
    default), as in :func:`rmsnotes.sweeps.best_lr`. The colour is the optimizer's
    course colour when the result's name is a known optimizer.

    Args:
        result: a :class:`rmsnotes.sweeps.SweepResult` from ``sweeps.lr_sweep``.
        ax: axes to draw on; the current axes when None.
        label: legend label; the result's name by default.
        color: line colour; by default the optimizer's (see :func:`color_for`).
        reduce: ``"max"``, ``"mean"`` or ``"median"`` over seeds.
        kw: passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns:
        The :class:`matplotlib.lines.Line2D` of the finite errors.

    Example:
        >>> from rmsnotes.sweeps import SweepResult
        >>> res = SweepResult(np.array([0.1, 1.0, 10.0]), np.array([0.5, 0.01, np.inf]),
        ...                   np.array([False, False, True]), None, "adagrad")
        >>> fig, ax = new_figure()
        >>> line = plot_sweep(res, ax=ax)
        >>> line.get_label(), line.get_color(), ax.get_xscale(), ax.get_yscale()
        ('adagrad', '#D55E00', 'log', 'log')
        >>> plt.close(fig)
    """
    from rmsnotes import sweeps  # sweeps computes; plotting only draws

    result = sweeps._check_result(result)
    ax = _axes(ax)
    per_lr = sweeps._per_lr(result, reduce)
    if color is None:
        color = color_for(result.name, default=None)
    finite = np.isfinite(per_lr)
    kw.setdefault("marker", "o")
    kw.setdefault("ms", 4)
    (line,) = ax.plot(
        result.lrs[finite],
        per_lr[finite],
        label=result.name if label is None else label,
        color=color,
        **kw,
    )
    if (~finite).any():
        ax.plot(
            result.lrs[~finite],
            np.full((~finite).sum(), 0.95),  # near the top, in axes coordinates
            transform=ax.get_xaxis_transform(),
            ls="none",
            marker="x",
            ms=6,
            color=line.get_color(),
            label="_diverged",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    # Major ticks only: errors can span 15 decades, and the unlabelled minor ticks of
    # both log axes cost more drawing time than they help reading.
    ax.xaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xlabel(r"learning rate $\eta$")
    ax.set_ylabel("final error")
    return line


# ------------------------------------------------------------------ monitors, limits

_MONITOR = MappingProxyType(
    {
        "update_ratio": ("update_ratios", r"update ratio $\|\Delta x\| / \|x\|$"),
        "rate": ("effective_rates", r"effective rate $\eta / d_t$ (median)"),
        "grad": ("grad_norms", "RMS gradient"),
        "accumulator": ("accumulators", r"accumulator $s_t$ or $v_t$ (median)"),
    }
)
# Colours for groups of coordinates (layers, units): Okabe-Ito in this order, yellow
# left out (too pale on white); with the four line styles, 28 groups stay distinct.
_GROUP_COLORS = tuple(
    PALETTE[name]
    for name in (
        "blue",
        "vermillion",
        "bluish green",
        "orange",
        "reddish purple",
        "sky blue",
        "black",
    )
)
_FINDING_COLORS = MappingProxyType(
    {"stall": PALETTE["orange"], "blowup": PALETTE["vermillion"], "dead": PALETTE["sky blue"]}
)


def plot_monitor(
    hist: History,
    groups: Mapping[str, Any] | None = None,
    ax=None,
    *,
    quantity: str = "update_ratio",
    logy: bool = True,
):
    r"""One monitor of :mod:`rmsnotes.monitor` per group of coordinates, against the step.

    ``quantity`` picks it: ``"update_ratio"`` (``monitor.update_ratios``, the
    default), ``"rate"`` (``monitor.effective_rates``), ``"grad"``
    (``monitor.grad_norms``) or ``"accumulator"`` (``monitor.accumulators``). One line per group, its colour (Okabe-Ito: blue,
    vermillion, bluish green, orange, reddish purple, sky blue, black) and line style
    (solid, dashed, dotted, dash-dot) by position; infinite values (a ratio from
    x = 0) are left out.

    Args:
        hist: a History from ``optim.run`` (record="all", every=1).
        groups: name -> coordinates (see ``monitor.groups_of``), e.g.
            ``models.mlp_layers(16)``; one per coordinate when None.
        ax: axes to draw on; the current axes when None.
        quantity: ``"update_ratio"``, ``"rate"``, ``"grad"`` or ``"accumulator"``.
        logy: logarithmic y axis (the default of every History plot).

    Returns:
        The list of :class:`matplotlib.lines.Line2D`, one per group.

    Example:
        >>> from rmsnotes import optim
        >>> hist = optim.run(optim.rmsprop(0.01), lambda x: 2 * x, [1.0, -2.0, 3.0], 50)
        >>> fig, ax = new_figure()
        >>> lines = plot_monitor(hist, {"a": 0, "rest": [1, 2]}, ax=ax)
        >>> [line.get_label() for line in lines], ax.get_ylabel()
        (['a', 'rest'], 'update ratio $\\|\\Delta x\\| / \\|x\\|$')
        >>> plt.close(fig)
    """
    from rmsnotes import monitor  # monitor computes; plotting only draws

    if quantity not in _MONITOR:
        raise ValueError(
            f"quantity must be one of {', '.join(map(repr, _MONITOR))}; got {quantity!r}"
        )
    function, ylabel = _MONITOR[quantity]
    series = getattr(monitor, function)(hist, groups)
    ax = _axes(ax)
    lines = [
        plot_curve(
            values,
            ax=ax,
            label=name,
            logy=logy,
            start=1,
            color=_GROUP_COLORS[k % len(_GROUP_COLORS)],
            ls=_LINESTYLES[k % len(_LINESTYLES)],
        )
        for k, (name, values) in enumerate(series.items())
    ]
    ax.set_ylabel(ylabel)
    _legend(ax)
    return lines


def plot_findings(findings, ax=None):
    """A vertical dotted line at the step of each finding of a ``monitor.find_*``.

    Coloured by kind (stall orange, blow-up vermillion, dead sky blue) and labelled
    ``"<kind>: <group>"`` for the legend.

    Args:
        findings: a list of ``monitor.Finding`` (what ``monitor.find_*`` return).
        ax: axes to draw on; the current axes when None.

    Raises:
        TypeError: for an item that is not a ``monitor.Finding``.

    Returns:
        The list of :class:`matplotlib.lines.Line2D`, one per finding.

    Example:
        >>> from rmsnotes.monitor import Finding
        >>> fig, ax = new_figure()
        >>> (line,) = plot_findings([Finding("stall", 40, "b1", (34,), "...")], ax=ax)
        >>> line.get_label(), float(line.get_xdata()[0])
        ('stall: b1', 40.0)
        >>> plt.close(fig)
    """
    from rmsnotes.monitor import Finding

    ax = _axes(ax)
    lines = []
    for f in findings:
        if not isinstance(f, Finding):
            raise TypeError(f"findings must be monitor.Finding objects, got {f!r}")
        label = f"{f.kind}: {f.group}" if f.group else f.kind
        color = _FINDING_COLORS.get(f.kind, PALETTE["black"])
        lines.append(ax.axvline(f.step, color=color, ls=":", lw=1.2, label=label))
    _legend(ax)
    return lines


def plot_phase_diagram(diagram, ax=None, *, boundary: bool = True):
    r"""RMSprop's end points on Reddi et al.'s problem as a heat map over (C, beta).

    ``diagram`` is a ``limits.PhaseDiagram``; each cell is its ``end[i, j]`` on a
    diverging scale from -1 (the optimum, blue) to +1 (the worst point, red),
    centred on the given betas and Cs (any spacing). With ``boundary`` the curve
    where ``limits.reddi_drift`` is 0 is drawn over it (black): below it (small beta)
    the steady state climbs to +1, above it x descends to -1.

    Args:
        diagram: a ``limits.PhaseDiagram`` (from ``limits.phase_diagram``).
        ax: axes to draw on; the current axes when None.
        boundary: draw the zero-drift curve (where the grid spans it).

    Raises:
        TypeError: if ``diagram`` is not a ``limits.PhaseDiagram``.

    Returns:
        The :class:`matplotlib.collections.QuadMesh` (for a colour bar).

    Example:
        >>> from rmsnotes import limits
        >>> d = limits.phase_diagram([0.0, 0.5, 0.9], [3.0, 10.0], 300)
        >>> fig, ax = new_figure()
        >>> mesh = plot_phase_diagram(d, ax=ax)
        >>> mesh.get_array().shape, ax.get_xlabel(), ax.get_ylabel()
        ((3, 2), '$C$', '$\\beta$')
        >>> plt.close(fig)
    """
    from rmsnotes import limits

    if not isinstance(diagram, limits.PhaseDiagram):
        raise TypeError(f"diagram must be a limits.PhaseDiagram, got {type(diagram).__name__}")
    ax = _axes(ax)
    mesh = ax.pcolormesh(
        diagram.Cs,
        diagram.betas,
        diagram.end,
        cmap="RdBu_r",
        vmin=-1.0,
        vmax=1.0,
        shading="nearest",
    )
    if boundary and len(diagram.Cs) > 1 and len(diagram.betas) > 1:
        Cs = np.linspace(diagram.Cs.min(), diagram.Cs.max(), 200)
        betas = np.linspace(diagram.betas.min(), diagram.betas.max(), 200)
        drift = limits.reddi_drift(betas[:, None], Cs[None, :])
        if drift.min() < 0 < drift.max():
            ax.contour(Cs, betas, drift, levels=[0.0], colors="black", linewidths=1.0)
    ax.set_xlabel("$C$")
    ax.set_ylabel(r"$\beta$")
    return mesh


def _plain_number(value: float, _pos: Any = None) -> str:
    """0.01 .. 100 as plain numbers ("0.5", "20"), beyond as powers of ten ("1e-6")."""
    if 1e-2 <= value <= 1e2:
        return f"{value:g}"
    return f"1e{np.log10(value):.0f}"


def plain_log_ticks(ax, *, minor: bool = False):
    """Label a log y axis with plain numbers (0.01, 1e-6) instead of mathtext 10^-2.

    Mathtext tick labels are what makes a log panel slow to draw (each is parsed and
    laid out as a formula), so the course's many-panel figures use plain ones. Minor
    ticks are removed, unless ``minor=True``: an axis that spans less than a decade has
    only minor ticks to label, and then they are labelled the same way.

    Returns:
        ``ax``, for chaining.

    Example:
        >>> fig, ax = new_figure()
        >>> ax.set_yscale("log")
        >>> _ = ax.plot([1, 2], [1e-6, 1e2])
        >>> _ = plain_log_ticks(ax)
        >>> ax.yaxis.get_major_formatter()(1e-6, 0), ax.yaxis.get_major_formatter()(0.5, 0)
        ('1e-6', '0.5')
        >>> plt.close(fig)
    """
    ax = _axes(ax)
    plain = FuncFormatter(_plain_number)
    ax.yaxis.set_major_formatter(plain)
    if minor:
        ax.yaxis.set_minor_formatter(plain)
    else:
        ax.yaxis.set_minor_locator(NullLocator())
    return ax
