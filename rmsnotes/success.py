"""Where do runs end? Many starts and many learning rates in one vectorised run.

A single run answers little on a non-convex surface: a different start or learning
rate can end somewhere else. This module runs an optimizer from a whole grid of
starts at a whole list of learning rates at once, and counts where the runs end::

    starts = grid_starts(((-4, 0), (-3, 1)), n=8)                 # 64 starts, shape (64, 2)
    lrs = [0.01, 0.05, 0.1, 0.5]
    finals = run_over_lrs(optim.rmsprop, surface.grad, starts, lrs, steps=1000)
    finals.shape                                                  # (4, 64, 2)
    ending_fractions(finals, surface.minima, tol=1.0)             # (4, k + 1)
    success_fractions(optim.rmsprop, surface, starts, lrs, 1000, tol=1.0)   # (4,)

Why one run is enough. Every optimizer of :mod:`rmsnotes.optim` works coordinate
by coordinate, so a batch of starts, x0 of shape (n, 2), is n independent runs (the
surfaces' ``grad`` accepts (..., 2) arrays). And every one of them keeps ``lr``
outside its state (PyTorch's convention): the state never depends on lr, and the
step is ``lr`` times the step the same optimizer takes with ``lr = 1``::

    step(lr) = lr * step(1),   state(lr) = state(1)     for the same gradients

So one optimizer with lr = 1, fed a stack of points of shape (len(lrs), *x0.shape),
with step ``k`` scaled by ``lrs[k]``, runs every learning rate at once. The
result is what separate :func:`rmsnotes.optim.run` calls give, to rounding: for SGD,
AdaGrad and RMSprop the optimizer's arithmetic is the same float for float (their
step is ``-lr * q``, and ``lr * (-q)`` is the same number), for Adam, which folds lr
into its bias correction first, it differs in the last bit. (The gradient function
may also round the last bit differently for a stacked array than for a single
point: NumPy picks vectorised loops by array shape.) The tests check both. :func:`run_over_lrs` checks the property
for the factory it is given before it relies on it.

Unlike :func:`rmsnotes.optim.run`, which raises at the first non-finite gradient, a
batch carries on: an entry whose gradient stops being finite is frozen at nan
(counted as ending nowhere) and the others continue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rmsnotes import _validate
from rmsnotes.optim import Optimizer

__all__ = [
    "grid_starts",
    "run_over_lrs",
    "ending_fractions",
    "success_fractions",
]


# ---------------------------------------------------------------------- validation


def _float_array(name: str, value: Any) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a real-valued array, got {value!r}") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real-valued array, got dtype {arr.dtype}")
    return arr.astype(float)


def _check_lrs(lrs: Any) -> np.ndarray:
    lrs = _float_array("lrs", lrs)
    if lrs.ndim != 1 or lrs.size == 0:
        raise ValueError(
            f"lrs must be a non-empty 1-D list of learning rates, got shape {lrs.shape}"
        )
    if not np.all(np.isfinite(lrs) & (lrs > 0)):
        raise ValueError(f"every lr must be > 0 and finite, got {lrs.tolist()}")
    return lrs


def _make(factory: Callable[[float], Optimizer], lr: float) -> Optimizer:
    opt = factory(lr)
    if not isinstance(opt, Optimizer):
        raise TypeError(
            f"factory(lr) must return an Optimizer from rmsnotes.optim, got {type(opt).__name__}"
        )
    if opt.hyperparams.get("lr") != lr:
        raise ValueError(
            f"factory({lr!r}) built {opt!r}: its lr should be {lr!r}; the factory must "
            "pass lr through, e.g. lambda lr: optim.rmsprop(lr, beta=0.99)"
        )
    return opt


def _check_lr_outside(factory, unit: Optimizer, lrs: np.ndarray, x: np.ndarray, g: np.ndarray):
    """Check step(lr) == lr * step(1) on the first step, for every lr.

    Also that the factory changes nothing but lr. Raises ValueError otherwise.
    """
    others = {k: v for k, v in unit.hyperparams.items() if k != "lr"}
    step_unit, _ = unit.update(g[0], unit.init(x[0]))
    for k, lr in enumerate(lrs):
        opt = _make(factory, float(lr))
        mine = {key: v for key, v in opt.hyperparams.items() if key != "lr"}
        if opt.name != unit.name or mine != others:
            raise ValueError(
                f"factory must change only lr: factory(1.0) = {unit!r}, factory({lr!r}) = {opt!r}"
            )
        step, _ = opt.update(g[k], opt.init(x[k]))
        if not np.allclose(step, lr * step_unit, rtol=1e-12, atol=0.0):
            raise ValueError(
                f"{opt!r}: its step is not lr times the step at lr = 1, so the learning "
                "rates cannot share one run; run them one by one with optim.run"
            )


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
    b = _float_array("bounds", bounds)
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
    factory: Callable[[float], Optimizer],
    grad_fn: Callable[[np.ndarray], Any],
    x0: Any,
    lrs: Sequence[float],
    steps: int,
    *,
    every: int | None = None,
) -> np.ndarray:
    """Run ``factory(lr)`` from ``x0`` for every lr in ``lrs`` at once; the end points.

    ``x0`` may hold many starts (e.g. shape (n, 2) for n points of a surface), and
    ``grad_fn`` must map an array of shape ``(len(lrs), *x0.shape)`` to its gradient,
    elementwise over the leading axes (a surface's ``grad`` does). The result is
    what ``optim.run(factory(lr), grad_fn, x0, steps)`` gives for each lr, to
    rounding (see the module docstring for why one run suffices).

    Args:
        factory: ``factory(lr) -> Optimizer``, e.g. ``optim.adagrad`` or
            ``lambda lr: optim.rmsprop(lr, beta=0.99)``; it must change only lr.
        grad_fn: gradient, applied to the whole stack of points at once.
        x0: the start(s), any shape; integers become floats.
        lrs: learning rates, each > 0 and finite.
        steps: number of steps, an int >= 0.
        every: if given, also keep the points at t = 0, every, 2 every, ..., steps
            (steps must be a multiple of it).

    Returns:
        The end points, shape ``(len(lrs), *x0.shape)``; with ``every``, the kept
        points, shape ``(steps // every + 1, len(lrs), *x0.shape)``. An entry whose
        gradient stopped being finite is nan.

    Example:
        >>> from rmsnotes import optim
        >>> bowl = lambda x: 2 * x                         # f = |x|^2
        >>> run_over_lrs(optim.sgd, bowl, [1.0, -2.0], [0.1, 0.25], steps=2)
        array([[ 0.64, -1.28],
               [ 0.25, -0.5 ]])
    """
    if not callable(factory):
        raise TypeError(f"factory must be callable, e.g. optim.rmsprop, got {factory!r}")
    if not callable(grad_fn):
        raise TypeError(f"grad_fn must be callable, got {grad_fn!r}")
    x0 = _float_array("x0", x0)
    lrs = _check_lrs(lrs)
    steps = _validate.count("steps", steps, 0)
    if every is not None:
        every = _validate.count("every", every, 1)
        if steps % every:
            raise ValueError(f"steps ({steps}) must be a multiple of every ({every})")

    unit = _make(factory, 1.0)
    x = np.broadcast_to(x0, (lrs.size, *x0.shape)).copy()
    scale = lrs.reshape(-1, *([1] * x0.ndim))
    state = unit.init(x)
    kept = [x.copy()] if every else None
    for t in range(1, steps + 1):
        with np.errstate(all="ignore"):  # a diverging entry is handled just below
            g = np.asarray(grad_fn(x.copy()), dtype=float)
        if g.shape != x.shape:
            raise ValueError(f"grad_fn returned shape {g.shape} for points of shape {x.shape}")
        bad = ~np.isfinite(g)
        if bad.any():
            g[bad] = 0.0
        if t == 1:
            _check_lr_outside(factory, unit, lrs, x, g)
        step, state = unit.update(g, state)
        x = x + scale * step
        if bad.any():
            x[bad] = np.nan
        if every and t % every == 0:
            kept.append(x.copy())
    return np.stack(kept) if every else x


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
    finals = _float_array("finals", finals)
    points = _float_array("points", points)
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
        tols = _float_array("tol", tol)
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
    factory: Callable[[float], Optimizer],
    surface,
    starts: Any,
    lrs: Sequence[float],
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
        factory: ``factory(lr) -> Optimizer``, e.g. ``optim.adagrad``.
        surface: a :class:`rmsnotes.surfaces.Surface`.
        starts: start points, shape ``(n, 2)``, e.g. from :func:`grid_starts`.
        lrs: learning rates.
        steps: the budget of steps of every run.
        tol: the success radius, > 0.
        target: the point to reach, shape (2,); ``surface.minima[0]`` by default.

    Returns:
        Array of shape ``(len(lrs),)`` with values in [0, 1].

    Example:
        >>> from rmsnotes import optim, surfaces
        >>> s = surfaces.quadratic()
        >>> starts = grid_starts(s.bounds, n=3)
        >>> success_fractions(optim.rmsprop, s, starts, [0.001, 0.1], 200, tol=0.2)
        array([0., 1.])
    """
    starts = _float_array("starts", starts)
    if starts.ndim != 2 or starts.shape[1] != 2:
        raise ValueError(f"starts must have shape (n, 2), got {starts.shape}")
    target = surface.minima[0] if target is None else _float_array("target", target)
    if np.shape(target) != (2,):
        raise ValueError(f"target must have shape (2,), got {np.shape(target)}")
    finals = run_over_lrs(factory, surface.grad, starts, lrs, steps)
    return ending_fractions(finals, np.reshape(target, (1, 2)), tol)[:, 0]
