"""Where do runs end? Many starts and many learning rates in one vectorised run.

A single run answers little on a non-convex surface: a different start or learning
rate can end somewhere else. This module runs an optimizer from a whole grid of
starts at a whole list of learning rates at once, and counts where the runs end::

    starts = grid_starts(((-4, 0), (-3, 1)), n=8)                 # 64 starts, shape (64, 2)
    lrs = [0.01, 0.05, 0.1, 0.5]
    finals = run_over_lrs(optim.rmsprop, lrs, surface.grad, starts, steps=1000)
    finals.shape                                                  # (4, 64, 2)
    ending_fractions(finals, surface.minima, tol=1.0)             # (4, k + 1)
    success_fractions(optim.rmsprop, lrs, surface, starts, 1000, tol=1.0)   # (4,)

Why one run is enough. Every optimizer of :mod:`rmsnotes.optim` works coordinate
by coordinate, so a batch of starts, x0 of shape (n, 2), is n independent runs (the
surfaces' ``grad`` accepts (..., 2) arrays). And every one of them keeps ``lr``
outside its state (PyTorch's convention): the state never depends on lr, and the
step is ``lr`` times the step the same optimizer takes with ``lr = 1``::

    step(lr) = lr * step(1),   state(lr) = state(1)     for the same gradients

So one optimizer with lr = 1, fed a stack of points of shape (len(lrs), *x0.shape),
with row ``k`` of every step scaled by ``lrs[k]``, runs every learning rate at once:
that is ``optim.run(factory(lr=1.0), grad_fn, stack, steps, lr_scale=...)``. The
result is what separate :func:`rmsnotes.optim.run` calls give, float for float: every
optimizer's step is ``-lr * q`` with q free of lr, and ``lr * (-q)`` is the same
number. (The gradient function may round the last bit differently for a stacked
array than for a single point: NumPy picks vectorised loops by array shape.) The
tests check both. :func:`run_over_lrs` checks the property for the factory it is
given before it relies on it.

Unlike a plain :func:`rmsnotes.optim.run`, which raises at the first non-finite
gradient, a batch carries on (``run(..., nonfinite="freeze")``): an entry whose
gradient stops being finite is frozen at nan (counted as ending nowhere) and the
others continue.

Optimizer factories are called ``factory(lr=value)``, as in :mod:`rmsnotes.sweeps`:
``optim.rmsprop`` itself, or ``functools.partial(optim.rmsprop, beta=0.99)`` to fix
other settings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rmsnotes import _validate, optim
from rmsnotes.optim import Optimizer

__all__ = [
    "grid_starts",
    "run_over_lrs",
    "ending_fractions",
    "success_fractions",
]


# -------------------------------------------------------------------------- starts


def grid_starts(bounds: Sequence[Sequence[float]], n: int | tuple[int, int] = 8) -> np.ndarray:
    """Start points on a regular grid over a rectangle, corners included.

    Args:
        bounds: ``((xmin, xmax), (ymin, ymax))``, e.g. a surface's ``bounds``.
        n: points per side, an int >= 2, or ``(nx, ny)``.

    Returns:
        Array of shape ``(nx * ny, 2)``; x varies fastest.

    Example:
        >>> grid_starts(((0, 1), (0, 2)), n=(2, 3))
        array([[0., 0.],
               [1., 0.],
               [0., 1.],
               [1., 1.],
               [0., 2.],
               [1., 2.]])
    """
    b = _validate.real_array("bounds", bounds)
    if b.shape != (2, 2):
        raise ValueError(f"bounds must be ((xmin, xmax), (ymin, ymax)), got shape {b.shape}")
    if not np.all(np.isfinite(b)) or not np.all(b[:, 0] < b[:, 1]):
        raise ValueError(f"bounds need finite xmin < xmax and ymin < ymax, got {b.tolist()}")
    nx, ny = (n, n) if not isinstance(n, tuple) else n
    nx, ny = _validate.count("n", nx, 2), _validate.count("n", ny, 2)
    X, Y = np.meshgrid(np.linspace(*b[0], nx), np.linspace(*b[1], ny))
    return np.stack([X.ravel(), Y.ravel()], axis=-1)


# ---------------------------------------------------------------------------- runs


def run_over_lrs(
    factory: Callable[..., Optimizer],
    lrs: Sequence[float],
    grad_fn: Callable[[np.ndarray], Any],
    x0: Any,
    steps: int,
    *,
    every: int | None = None,
) -> np.ndarray:
    """Run ``factory(lr=lr)`` from ``x0`` for every lr in ``lrs`` at once; the end points.

    ``x0`` may hold many starts (e.g. shape (n, 2) for n points of a surface), and
    ``grad_fn`` must map an array of shape ``(len(lrs), *x0.shape)`` to its gradient,
    elementwise over the leading axes (a surface's ``grad`` does). The result is
    what ``optim.run(factory(lr=lr), grad_fn, x0, steps)`` gives for each lr (see the
    module docstring for why one run suffices). It is one call::

        optim.run(factory(lr=1.0), grad_fn, stack_of_x0, steps,
                  lr_scale=lrs[:, None, ...], nonfinite="freeze", record=...)

    Args:
        factory: ``factory(lr=value) -> Optimizer``, e.g. ``optim.adagrad`` or
            ``functools.partial(optim.rmsprop, beta=0.99)``; it must change only lr.
        lrs: learning rates, each > 0 and finite.
        grad_fn: gradient, applied to the whole stack of points at once.
        x0: the start(s), any shape; integers become floats.
        steps: number of steps, an int >= 0.
        every: if given, also keep the points at t = 0, every, 2 every, ..., steps
            (steps must be a multiple of it).

    Returns:
        The end points, shape ``(len(lrs), *x0.shape)``; with ``every``, the kept
        points, shape ``(steps // every + 1, len(lrs), *x0.shape)``. An entry whose
        gradient stopped being finite is nan.

    Example:
        >>> bowl = lambda x: 2 * x                         # f = |x|^2
        >>> run_over_lrs(optim.sgd, [0.1, 0.25], bowl, [1.0, -2.0], steps=2)
        array([[ 0.64, -1.28],
               [ 0.25, -0.5 ]])
    """
    lrs = _validate.learning_rates("lrs", lrs)
    if not callable(grad_fn):
        raise TypeError(f"grad_fn must be callable, got {grad_fn!r}")
    x0 = _validate.real_array("x0", x0)
    unit = optim._unit_from_factory(factory, lrs, x0)
    stack = np.broadcast_to(x0, (lrs.size, *x0.shape))
    per_row = lrs.reshape(-1, *([1] * x0.ndim))
    hist = optim.run(
        unit,
        grad_fn,
        stack,
        steps,
        lr_scale=per_row,
        nonfinite="freeze",
        record="final" if every is None else "points",
        every=1 if every is None else every,
    )
    return hist.final if every is None else hist.xs


# ------------------------------------------------------------------------ outcomes


def ending_fractions(finals: Any, points: Any, tol: float | Sequence[float]) -> np.ndarray:
    """For each learning rate, the fraction of runs ending near each of ``points``.

    A run ends near point j when its end is within ``tol[j]`` (Euclidean) of it; if
    several points qualify, the nearest counts. The last column is the fraction
    that ended near none of them (including runs that diverged to nan).

    Args:
        finals: end points, shape ``(n_lrs, n_starts, d)``, e.g. from
            :func:`run_over_lrs` (a single ``(n_starts, d)`` array also works).
        points: where to look, shape ``(k, d)``, e.g. a surface's ``minima``.
        tol: the radius, > 0: one for all points, or one per point (shape (k,)),
            e.g. a wide radius for a broad well and a tight one for a narrow dip.

    Returns:
        Array of shape ``(n_lrs, k + 1)`` (or ``(k + 1,)``); each row sums to 1.

    Example:
        >>> finals = np.array([[[0.0, 0.1], [2.0, 2.0], [5.0, 5.0], [np.nan, 0.0]]])
        >>> ending_fractions(finals, [[0.0, 0.0], [2.0, 2.0]], tol=0.5)
        array([[0.25, 0.25, 0.5 ]])
        >>> ending_fractions(finals, [[0.0, 0.0], [2.0, 2.0]], tol=[0.05, 0.5])
        array([[0.  , 0.25, 0.75]])
    """
    finals = _validate.real_array("finals", finals)
    points = _validate.real_array("points", points)
    if points.ndim != 2 or points.shape[0] < 1:
        raise ValueError(f"points must have shape (k, d) with k >= 1, got {points.shape}")
    k = len(points)
    if finals.ndim not in (2, 3) or finals.shape[-1] != points.shape[1]:
        raise ValueError(
            f"finals must have shape (n_lrs, n_starts, {points.shape[1]}) or "
            f"(n_starts, {points.shape[1]}), got {finals.shape}"
        )
    if np.ndim(tol) == 0:
        tols = np.full(k, _validate.positive("tol", tol))
    else:
        tols = _validate.real_array("tol", tol)
        if tols.shape != (k,):
            raise ValueError(
                f"tol must be a number or one per point, shape ({k},), got {tols.shape}"
            )
        tols = np.array([_validate.positive("tol", float(t)) for t in tols])
    with np.errstate(invalid="ignore"):
        dist = np.sqrt(((finals[..., None, :] - points) ** 2).sum(axis=-1))  # (..., n, k)
        near = dist <= tols  # nan compares False
    dist = np.where(near, dist, np.inf)
    label = np.where(near.any(axis=-1), dist.argmin(axis=-1), k)
    return np.stack([(label == j).mean(axis=-1) for j in range(k + 1)], axis=-1)


def success_fractions(
    factory: Callable[..., Optimizer],
    lrs: Sequence[float],
    surface,
    starts: Any,
    steps: int,
    *,
    tol: float,
    target: Any = None,
) -> np.ndarray:
    """For each learning rate, the fraction of starts that end within ``tol`` of the
    target (the surface's global minimum by default).

    One vectorised run (:func:`run_over_lrs`) on ``surface.grad``. A start counts as
    a success only if its *last* point is within ``tol``; a run that reached the
    minimum and was thrown out again, or that circles it wider than ``tol``, fails.

    Args:
        factory: ``factory(lr=value) -> Optimizer``, e.g. ``optim.adagrad``.
        lrs: learning rates.
        surface: a :class:`rmsnotes.surfaces.Surface`.
        starts: start points, shape ``(n, 2)``, e.g. from :func:`grid_starts`.
        steps: the budget of steps of every run.
        tol: the success radius, > 0.
        target: the point to reach, shape (2,); ``surface.minima[0]`` by default.

    Returns:
        Array of shape ``(len(lrs),)`` with values in [0, 1].

    Example:
        >>> from rmsnotes import surfaces
        >>> s = surfaces.quadratic()
        >>> starts = grid_starts(s.bounds, n=3)
        >>> success_fractions(optim.rmsprop, [0.001, 0.1], s, starts, 200, tol=0.2)
        array([0., 1.])
    """
    starts = _validate.real_array("starts", starts)
    if starts.ndim != 2 or starts.shape[1] != 2:
        raise ValueError(f"starts must have shape (n, 2), got {starts.shape}")
    target = surface.minima[0] if target is None else _validate.real_array("target", target)
    if np.shape(target) != (2,):
        raise ValueError(f"target must have shape (2,), got {np.shape(target)}")
    finals = run_over_lrs(factory, lrs, surface.grad, starts, steps)
    return ending_fractions(finals, np.reshape(target, (1, 2)), tol)[:, 0]
