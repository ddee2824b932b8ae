"""Learning-rate sweeps: run an optimizer over a grid of learning rates, fairly.

Comparing optimizers at one shared learning rate compares the rate more than the
method: ``lr`` means a gradient multiplier to gradient descent and roughly a step
*length* to AdaGrad and RMSprop. The fair comparison runs each optimizer over a grid
of rates and compares each at its best. This module does that, and records a run
that blows up as *diverged* instead of crashing::

    task = regression_task(X, y)                       # start 0, error = ||w - w*||
    res = lr_sweep(optim.adagrad, np.geomspace(1e-3, 30, 19), task, steps=300)
    lr, err = best_lr(res)

    Task                 grad_fn (taking stacks of points), x0, an error for the end
    regression_task      the Task of least-squares linear regression
    distance_to          error_fn = Euclidean distance to a point
    final_point          the end point of optim.run, without recording the history
    lr_sweep             final error for every lr (and every seed) -> SweepResult
    best_lr              the lr with the smallest (worst-case over seeds) error
    lrs_below            every lr whose error is below a tolerance

Draw a sweep with ``plotting.plot_sweep(res)``; the 2-parameter regression loss as a
surface is ``surfaces.linear_loss_surface(X, y)``.

One run for the whole sweep. ``lr_sweep`` runs every lr at once, as a single
``optim.run(factory(lr=1.0), task.grad_fn, x0 stacked once per lr, steps,
lr_scale=lrs[:, None], record="final", nonfinite="freeze")`` (one per seed): the
optimizers keep lr outside their state, so row k is the run at ``lrs[k]``, float
for float (the reason is in :mod:`rmsnotes.success`; the factory is checked for it
first, as there). So a Task's
``grad_fn`` must take a stack of points, shape ``(len(lrs), *x0.shape)``, row by
row; :func:`regression_task`'s does, as do ``models.linear_problem``'s and
``models.mlp_problem``'s grad_fn and the surfaces' ``grad``.

A run counts as diverged when its gradient stops being finite (``run`` then freezes
its row at nan), or when its final error is not finite or exceeds ``blowup`` times
its starting error. The error of a diverged run is recorded as ``inf`` (and flagged
in ``diverged``), so minima, plots and tolerances treat it as "worse than anything"
without special cases.

Everything here is pure: nothing is drawn at random (seeds only go to the task
factory you pass), and no global state or input array is changed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import numpy as np

from rmsnotes import _validate, data, models, optim

__all__ = [
    "Task",
    "SweepResult",
    "distance_to",
    "regression_task",
    "final_point",
    "lr_sweep",
    "best_lr",
    "lrs_below",
]


class Task(NamedTuple):
    """What a sweep runs on: a gradient, a start, and how to score the end point.

    Attributes:
        grad_fn: maps a point to its gradient, as ``optim.run`` wants, and a stack
            of points, shape (k, *x0.shape), to their gradients row by row
            (:func:`lr_sweep` runs all its lrs on one stack).
        x0: the start (any float array shape).
        error_fn: maps a point to a float >= 0; the sweep reports it at the end.
    """

    grad_fn: Callable[[np.ndarray], Any]
    x0: Any
    error_fn: Callable[[np.ndarray], float]


class SweepResult(NamedTuple):
    """The outcome of :func:`lr_sweep`.

    Attributes:
        lrs: the learning rates, shape (k,), in the order given.
        errors: final error of each run: shape (k,) without seeds, (m, k) with m
            seeds (one row per seed); ``inf`` where the run diverged.
        diverged: boolean, same shape as ``errors``.
        seeds: the seeds (one per row of ``errors``), or None.
        name: a label, by default the optimizer's name (e.g. ``"adagrad"``).
    """

    lrs: np.ndarray
    errors: np.ndarray
    diverged: np.ndarray
    seeds: tuple[int, ...] | None
    name: str


# ---------------------------------------------------------------------- validation


def _check_seeds(seeds: Any) -> tuple[int, ...]:
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise TypeError(f"seeds must be an iterable of ints, got {seeds!r}")
    out = tuple(_validate.integer("every seed", s) for s in seeds)
    if not out:
        raise ValueError("seeds must not be empty (use seeds=None for one task)")
    return out


def _check_task(task: Any, where: str) -> Task:
    if not isinstance(task, Task):
        raise TypeError(f"{where} must be a sweeps.Task, got {type(task).__name__}")
    if not callable(task.grad_fn) or not callable(task.error_fn):
        raise TypeError(f"{where}: grad_fn and error_fn must be callable")
    return task


# --------------------------------------------------------------------------- tasks


def distance_to(x_star: Any) -> Callable[[np.ndarray], float]:
    """An ``error_fn``: the Euclidean distance of a point to ``x_star``.

    Example:
        >>> distance_to([3.0, 4.0])(np.zeros(2))
        5.0
    """
    target = _validate.real_array("x_star", x_star, finite=True).copy()

    def error_fn(x: np.ndarray) -> float:
        return float(np.sqrt(np.sum((_validate.real_array("x", x) - target) ** 2)))

    return error_fn


def regression_task(X: Any, y: Any, x0: Any = None) -> Task:
    """The least-squares regression task: loss ``||X w - y||^2 / (2 n)``, start
    ``x0`` (zeros by default), error = distance to the least-squares weights.

    The gradient is the model's own, ``models.linear_problem(X, y)``'s grad_fn,
    ``X^T (X w - y) / n``; it takes a stack of points (..., d), so :func:`lr_sweep`
    runs every lr at once. (It is not computed as ``A w - b`` with ``A = X^T X / n``
    formed once, though that is cheaper per step: near the least-squares weights
    ``A w - b`` can round to exactly 0 where the model's gradient leaves a
    rounding-level residue, and a normalising optimizer such as RMSprop then stops
    dead instead of jittering as it does on the model, by an accident of the CPU's
    rounding.)

    Args:
        X: design matrix, shape (n, d).
        y: targets, shape (n,).
        x0: start, shape (d,); zeros when None.

    Example:
        >>> X, y = [[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]], [1.0, 3.0, 5.0]
        >>> task = regression_task(X, y)
        >>> task.x0, round(task.error_fn(np.zeros(2)), 6)     # sqrt(1^2 + 2^2)
        (array([0., 0.]), 2.236068)
    """
    _, grad_fn = models.linear_problem(X, y)  # validates X and y, with the model's messages
    w_star = data.least_squares(X, y)
    if x0 is None:
        x0 = np.zeros_like(w_star)
    else:
        x0 = _validate.real_array("x0", x0).astype(np.float64)  # a copy of our own
        if x0.shape != w_star.shape:
            raise ValueError(f"x0 must have shape {w_star.shape}, got {x0.shape}")
    return Task(grad_fn, x0, distance_to(w_star))


# --------------------------------------------------------------------------- sweep


def final_point(
    opt: optim.Optimizer,
    grad_fn: Callable,
    x0: Any,
    steps: int,
    *,
    schedule: Callable[[int], float] | None = None,
) -> np.ndarray:
    """The last point of ``optim.run(opt, grad_fn, x0, steps)``, without the History.

    It is ``optim.run(..., record="final")``: the same loop and arithmetic, but
    nothing is recorded along the way, so a sweep of many runs costs less. A
    non-finite gradient raises ValueError naming the step, as in run().
    ``schedule`` is passed on to run (``lr_t = lr * schedule(t)``).

    Example:
        >>> final_point(optim.sgd(lr=0.25), lambda x: 2 * x, [4.0], steps=2)
        array([1.])
    """
    return optim.run(opt, grad_fn, x0, steps, schedule=schedule, record="final").final


def _check_stackable(grad_fn: Callable, x0: np.ndarray, k: int, where: str) -> None:
    """grad_fn must map a stack of k copies of x0 to k copies of grad_fn(x0) (to rounding)."""
    with np.errstate(all="ignore"):
        one = np.asarray(grad_fn(x0.copy()), dtype=float)
    if one.shape != x0.shape:
        raise ValueError(f"{where}.grad_fn(x0) has shape {one.shape}, but x0 has shape {x0.shape}")
    stack = np.broadcast_to(x0, (k, *x0.shape)).copy()
    try:
        with np.errstate(all="ignore"):
            many = np.asarray(grad_fn(stack), dtype=float)
    except (ValueError, TypeError, IndexError) as exc:
        problem = f"raised {type(exc).__name__}: {exc}"
    else:
        scale = float(np.nan_to_num(np.abs(one)).max(initial=0.0))
        if many.shape != stack.shape:
            problem = f"returned shape {many.shape}"
        elif not np.allclose(many, one, rtol=1e-9, atol=1e-12 * scale, equal_nan=True):
            problem = "returned rows that differ from grad_fn(x0)"
        else:
            return
    raise ValueError(
        f"{where}.grad_fn must take a stack of points: lr_sweep runs all {k} lrs as one "
        f"optim.run on x0 stacked to shape {stack.shape}, so grad_fn must return each "
        f"row's gradient; on {k} copies of x0 it {problem}. models.linear_problem's and "
        "mlp_problem's grad_fn, a surface's grad and elementwise formulas such as "
        "lambda x: 2 * x take stacks"
    )


def _final_errors(
    unit: optim.Optimizer,
    lrs: np.ndarray,
    task: Task,
    steps: int,
    blowup: float,
    schedule,
    where: str,
) -> np.ndarray:
    """One run of ``unit`` (lr 1) on x0 stacked once per lr, row k scaled by lrs[k]:
    each row's final error, or inf where the run diverged."""
    x0 = _validate.real_array("x0", task.x0)
    _check_stackable(task.grad_fn, x0, len(lrs), where)
    finals = optim.run(
        unit,
        task.grad_fn,
        np.broadcast_to(x0, (len(lrs), *x0.shape)),
        steps,
        schedule=schedule,
        lr_scale=lrs.reshape(-1, *([1] * x0.ndim)),  # row k runs at lrs[k]
        record="final",
        nonfinite="freeze",  # a diverging row turns nan; the others carry on
    ).final
    # Overflow on the way to divergence is expected here: keep it off stderr.
    with np.errstate(over="ignore", invalid="ignore"):
        start = float(task.error_fn(x0.copy()))
        ends = np.array([float(task.error_fn(row)) for row in finals])
    limit = blowup * start if start > 0 else blowup
    return np.where(np.isfinite(ends) & (ends <= limit), ends, np.inf)


def lr_sweep(
    factory: Callable[..., optim.Optimizer],
    lrs: Any,
    task: Task | Callable[[int], Task],
    steps: int,
    *,
    seeds: Iterable[int] | None = None,
    blowup: float = 1e3,
    name: str | None = None,
    schedule: Callable[[int], float] | None = None,
) -> SweepResult:
    """Run ``factory(lr=lr)`` on a task for every lr; record each final error.

    All lrs run at once, as one ``optim.run`` (one per seed): every optimizer here
    keeps lr outside its state, so ``factory(lr=1.0)`` on x0 stacked once per lr,
    row k's step scaled by ``lrs[k]`` (``run(..., lr_scale=...)``), is every run
    float for float (see :mod:`rmsnotes.success`; the factory is checked for that
    property first, by the same check). So the task's ``grad_fn`` must take a stack of points,
    shape ``(len(lrs), *x0.shape)``, and return each row's gradient: the grad_fns of
    :func:`regression_task`, ``models.linear_problem``, ``models.mlp_problem``, the
    surfaces and formulas like ``lambda x: 2 * x`` do (checked once, with a
    ValueError saying so if not). A row whose gradient stops being finite is frozen
    (``nonfinite="freeze"``) and counted as diverged; the others carry on.

    Args:
        factory: builds an optimizer from a keyword ``lr`` and passes it through, e.g.
            ``optim.adagrad``; fix other settings with ``functools.partial``, e.g.
            ``functools.partial(optim.rmsprop, beta=0.99)``; it must change only lr.
        lrs: learning rates, each > 0 and finite (a 1-D sequence).
        task: a :class:`Task`; with ``seeds``, a function ``seed -> Task`` (for
            example a data set drawn with that seed).
        steps: steps per run, an int >= 0.
        seeds: optional ints; each gives one row of the result.
        blowup: > 1; a run whose final error exceeds ``blowup`` times its starting
            error (or exceeds ``blowup`` itself, when the start error is 0) counts as
            diverged, as does one whose gradient stops being finite.
        name: label of the result; the optimizer's name by default.
        schedule: optional learning-rate schedule for every run, as in
            :func:`rmsnotes.optim.run`: run k uses ``lr_t = lrs[k] * schedule(t)``,
            e.g. ``lambda t: 1 / np.sqrt(t)`` (the swept lr is then lr_1).

    Returns:
        A :class:`SweepResult`; ``errors`` has shape (len(lrs),), or
        (len(seeds), len(lrs)) with seeds; diverged runs hold ``inf``.

    Raises:
        ValueError or TypeError for bad arguments (a grad_fn that does not take a
        stack of points, say); any error of the run other than divergence (a wrong
        gradient shape, say) is raised, not recorded.

    Example:
        >>> task = Task(lambda x: 2 * x, np.array([1.0]), distance_to([0.0]))
        >>> res = lr_sweep(optim.sgd, [0.25, 0.5, 20.0], task, steps=3)
        >>> res.errors   # x halves each step; lands on 0 in one step; grows 39x a step
        array([0.125, 0.   ,   inf])
        >>> res.diverged.tolist(), res.name
        ([False, False, True], 'sgd')
    """
    lrs = _validate.learning_rates("lrs", lrs)
    probe = optim._from_factory(factory, float(lrs[0]))
    steps = _validate.count("steps", steps, 0)
    blowup = _validate.real("blowup", blowup)
    if not (blowup > 1 and math.isfinite(blowup)):
        raise ValueError(f"blowup must be > 1 and finite, got {blowup!r}")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be callable or None, got {schedule!r}")
    if name is None:
        name = probe.name
    elif not isinstance(name, str):
        raise TypeError(f"name must be a str or None, got {name!r}")

    if seeds is None:
        tasks = {"task": _check_task(task, "task")}
    else:
        seeds = _check_seeds(seeds)
        if not callable(task) or isinstance(task, Task):
            raise TypeError("with seeds, task must be a function seed -> Task")
        tasks = {f"task({s})": _check_task(task(s), f"task({s})") for s in seeds}

    errors = []
    for where, t in tasks.items():
        unit = optim._unit_from_factory(factory, lrs, _validate.real_array("x0", t.x0))
        errors.append(_final_errors(unit, lrs, t, steps, blowup, schedule, where))
    errors = np.array(errors)
    if seeds is None:
        errors = errors[0]
    return SweepResult(lrs, errors, np.isinf(errors), seeds, name)


def _check_result(result: Any) -> SweepResult:
    if not isinstance(result, SweepResult):
        raise TypeError(f"expected a SweepResult from lr_sweep, got {type(result).__name__}")
    return result


_REDUCERS = {"max": np.max, "mean": np.mean, "median": np.median}


def _per_lr(result: SweepResult, reduce: str) -> np.ndarray:
    if reduce not in _REDUCERS:
        raise ValueError(f"reduce must be one of {sorted(_REDUCERS)}, got {reduce!r}")
    if result.errors.ndim == 1:
        return result.errors
    return _REDUCERS[reduce](result.errors, axis=0)


def best_lr(result: SweepResult, *, reduce: str = "max", atol: float = 0.0) -> tuple[float, float]:
    """The learning rate with the smallest final error, and that error.

    With seeds the errors are first combined over seeds with ``reduce``: ``"max"``
    (the default: the lr whose *worst* seed is best, so one divergence disqualifies
    it), ``"mean"`` or ``"median"``. Errors within ``atol`` of the smallest count as
    ties, and ties go to the lr listed first: with ``atol=1e-12``, runs that all
    converged to rounding error do not compete on rounding noise.

    Raises:
        ValueError: if every lr diverged.

    Example:
        >>> res = SweepResult(np.array([0.1, 1.0, 10.0]), np.array([0.5, 0.01, np.inf]),
        ...                   np.array([False, False, True]), None, "demo")
        >>> best_lr(res)
        (1.0, 0.01)
        >>> best_lr(res, atol=0.5)     # 0.5 is within 0.5 of 0.01 and listed first
        (0.1, 0.5)
    """
    result = _check_result(result)
    per_lr = _per_lr(result, reduce)
    atol = _validate.nonnegative("atol", atol)
    if not np.isfinite(per_lr).any():
        raise ValueError(f"every lr diverged in the sweep of {result.name!r}")
    i = int(np.argmax(per_lr <= np.min(per_lr) + atol))
    return float(result.lrs[i]), float(per_lr[i])


def lrs_below(result: SweepResult, tol: float, *, reduce: str = "max") -> np.ndarray:
    """Every lr whose final error (combined over seeds by ``reduce``) is below ``tol``.

    Example:
        >>> res = SweepResult(np.array([0.1, 1.0, 10.0]), np.array([0.5, 0.01, np.inf]),
        ...                   np.array([False, False, True]), None, "demo")
        >>> lrs_below(res, 0.6)
        array([0.1, 1. ])
    """
    result = _check_result(result)
    tol = _validate.real("tol", tol)
    if not tol > 0:
        raise ValueError(f"tol must be > 0, got {tol!r}")
    return result.lrs[_per_lr(result, reduce) < tol]
