"""Reddi, Kale & Kumar's (2018) convex counterexample, and RMSprop's phase diagram on it.

The online problem (one parameter x on [-1, 1], t = 1, 2, 3, ...)::

    f_t(x) = C x   if t mod 3 == 1          gradient g_t = C
           = -x    otherwise                gradient g_t = -1

so the gradients run C, -1, -1, C, -1, -1, ... For C > 2 the average loss over a
period, (C - 2) x / 3, is smallest at x = -1: the large gradient is the informative
one, and it comes once in three steps. Reddi et al. run the methods projected onto
[-1, 1] with lr_t = lr / sqrt(t) and no eps; RMSprop (Adam with beta1 = 0) with a
small beta then ends at +1, the worst point, because v forgets the rare large
gradient within a step or two: the step it takes on C is about -lr, the two steps on
-1 about +lr each, so x drifts up.

    reddi_gradients(C, steps)   the gradient sequence, t = 1 .. steps
    reddi_project(x)            the projection onto [-1, 1]
    reddi_schedule(t)           the factor 1 / sqrt(t) of lr_t = lr / sqrt(t)
    reddi_run(opt, C, ...)      optim.run on the problem (C may be an array: one run per C)
    reddi_regret(xs, C)         the average regret R_T / T of a trajectory
    reddi_drift(beta, C)        RMSprop's steady-state movement per period, per unit lr
    reddi_boundary(C)           the beta at which that drift is 0 (bisection)
    phase_diagram(betas, Cs)    RMSprop's end point over a grid of (beta, C)
    rate_clipped_rmsprop(...)   RMSprop whose per-coordinate rate is clipped to [lo, hi]

Why the phase diagram looks as it does (``reddi_drift``). With eps = 0 RMSprop's
step is -lr_t g_t / sqrt(v_t). Once v has settled into its periodic pattern
(v1 after the C step, v2 and v3 after the two -1 steps), one period moves x by
about lr_t times::

    drift(beta, C) = 1 / sqrt(v2) + 1 / sqrt(v3) - C / sqrt(v1)

positive: x climbs to +1 (the failure); negative: x descends to -1. beta = 0 gives
drift 1 for every C (sign descent: one step down, two up). As beta -> 1, v tends to
the mean of g^2, (C^2 + 2) / 3, and the drift to (2 - C) / sqrt((C^2 + 2) / 3) < 0:
a large enough beta, chosen *after* C, converges (Shi et al. 2021). The boundary
drift = 0 (``reddi_boundary``) lies near beta ~ 1 / C for moderate C (beta C between
0.8 and 1.6 for C from 2.5 to 20); Reddi et al.'s Theorem 1 takes
beta2 = 1 / (1 + C^2), far inside the failure region (drift about 0.7). Near the
boundary |drift| is small and 3000 steps do not reach either end.

AMSGrad divides by the running maximum of v, which keeps the C step's v: every step
is then lr_t g_t / sqrt(vmax), one period moves lr_t (2 - C) / sqrt(vmax) < 0, and x
reaches -1 for every beta2 (``optim.adam(lr, 0.0, beta2, 0.0,
bias_correction=False, amsgrad=True)``). AdaGrad in Reddi et al.'s framework is
alpha_t = alpha / sqrt(t) times the root of the *mean* of g^2, i.e. ordinary AdaGrad
with a constant lr: ``reddi_run(optim.adagrad(lr, eps=0.0), C, lr_decay=False)``.
(With the 1 / sqrt(t) schedule on top, AdaGrad's steps shrink like 1 / t and it
crawls: x has only reached about -0.44 from 0.5 after 3000 steps at C = 3.)

References: S. J. Reddi, S. Kale, S. Kumar, "On the convergence of Adam and beyond",
ICLR 2018 (section 3); N. Shi, D. Li, M. Hong, R. Sun, "RMSprop converges with
proper hyper-parameter", ICLR 2021.

Example:
    >>> from rmsnotes import optim
    >>> reddi_gradients(3.0, 6)
    array([ 3., -1., -1.,  3., -1., -1.])
    >>> hist = reddi_run(optim.rmsprop(lr=0.5, beta=0.1, eps=0.0), C=3.0, steps=3000)
    >>> float(hist.final)                 # the worst point of [-1, 1]
    1.0
    >>> float(reddi_drift(0.1, 3.0)) > 0 > float(reddi_drift(0.9, 3.0))
    True
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from rmsnotes import _validate, optim

__all__ = [
    "LR",
    "X0",
    "PhaseDiagram",
    "reddi_gradients",
    "reddi_project",
    "reddi_schedule",
    "reddi_run",
    "reddi_regret",
    "reddi_drift",
    "reddi_boundary",
    "phase_diagram",
    "rate_clipped_rmsprop",
]

#: Reddi et al.'s step size lr_t = LR / sqrt(t) (the course's runs; the issue's 0.5).
LR = 0.5
#: The start of the course's runs (PLAN's phase diagram): between the two ends.
X0 = 0.5


def _check_C(C: Any) -> np.ndarray:
    """C as a float array (a number or a grid), each > 0 and finite."""
    if isinstance(C, (bool, np.bool_)) or np.asarray(C).dtype.kind == "b":
        raise TypeError(f"C must be a number or an array of numbers, got {C!r}")
    arr = _validate.real_array("C", C)
    if arr.size == 0 or not (np.all(np.isfinite(arr)) and np.all(arr > 0)):
        raise ValueError(
            f"C must be > 0 and finite (Reddi et al.'s problem needs C > 2), got {C!r}"
        )
    return arr


def _check_x0(x0: Any) -> float:
    """x0 as a float, finite and in the feasible set [-1, 1]."""
    x0 = _validate.finite("x0", x0)
    if not -1.0 <= x0 <= 1.0:
        raise ValueError(f"x0 must lie in the feasible set [-1, 1], got {x0!r}")
    return x0


def _check_betas(name: str, values: Any) -> np.ndarray:
    """values as a float array, each 0 <= beta < 1 (the error names ``name``)."""
    arr = _validate.real_array(name, values)
    if arr.size == 0 or not np.all((arr >= 0) & (arr < 1)):
        raise ValueError(f"{name} must satisfy 0 <= beta < 1, got {arr.tolist()}")
    return arr


def reddi_gradients(C: Any, steps: int) -> np.ndarray:
    """The gradients g_t = C if t mod 3 == 1 else -1, for t = 1 .. steps.

    Args:
        C: the large gradient, > 0 (a number, or an array: one problem per entry).
        steps: how many, an int >= 0.

    Returns:
        shape ``(steps, *np.shape(C))``; row t - 1 is g_t.

    Example:
        >>> reddi_gradients([3.0, 10.0], 4)
        array([[ 3., 10.],
               [-1., -1.],
               [-1., -1.],
               [ 3., 10.]])
    """
    C = _check_C(C)
    steps = _validate.count("steps", steps, 0)
    t = np.arange(1, steps + 1).reshape((steps,) + (1,) * C.ndim)
    return np.where(t % 3 == 1, C, -1.0)


def reddi_project(x: Any) -> np.ndarray:
    """The projection onto the feasible set [-1, 1]: ``np.clip(x, -1, 1)``.

    Example:
        >>> reddi_project([-2.0, 0.3, 1.5])
        array([-1. ,  0.3,  1. ])
    """
    return np.clip(_validate.real_array("x", x), -1.0, 1.0)


def reddi_schedule(t: int) -> float:
    """The factor of Reddi et al.'s step size: lr_t = lr * reddi_schedule(t) = lr / sqrt(t).

    Example:
        >>> reddi_schedule(4)
        0.5
    """
    t = _validate.count("t", t, 1)
    return 1.0 / math.sqrt(t)


def reddi_run(
    opt: optim.Optimizer,
    C: Any = 3.0,
    steps: int = 3000,
    x0: float = X0,
    *,
    lr_decay: bool = True,
) -> optim.History:
    """Run ``opt`` on Reddi et al.'s problem, projected onto [-1, 1].

    ``optim.run(opt, optim.replay(reddi_gradients(C, steps)), x0, steps,
    schedule=reddi_schedule, project=reddi_project)``: the optimizer's lr is
    Reddi's lr (lr_t = lr / sqrt(t)). With ``lr_decay=False`` the lr stays constant
    (AdaGrad in Reddi et al.'s framework, see the module docstring). Their runs use no
    eps: build the optimizer with ``eps=0.0``.

    Args:
        opt: an optimizer of :mod:`rmsnotes.optim`, e.g.
            ``optim.rmsprop(lr=0.5, beta=0.1, eps=0.0)``.
        C: the large gradient, > 0 (C > 2 makes -1 the optimum); an array of C
            runs one problem per entry at once (each entry is the run at that C:
            the optimizers work coordinate by coordinate).
        steps: an int >= 0.
        x0: the start, in [-1, 1].
        lr_decay: use lr_t = lr / sqrt(t) (True) or a constant lr (False).

    Returns:
        the :class:`optim.History`; ``xs`` has shape ``(steps + 1, *np.shape(C))``.

    Example:
        >>> from rmsnotes import optim
        >>> ams = optim.adam(0.5, beta1=0.0, beta2=0.1, eps=0.0, bias_correction=False,
        ...                  amsgrad=True)
        >>> reddi_run(ams, C=[3.0, 10.0]).final.round(2)     # AMSGrad: near -1 for both C
        array([-0.99, -1.  ])
    """
    if not isinstance(opt, optim.Optimizer):
        raise TypeError(f"opt must be an Optimizer from rmsnotes.optim, got {opt!r}")
    C = _check_C(C)
    x0 = _check_x0(x0)
    lr_decay = _validate.flag("lr_decay", lr_decay)
    grads = reddi_gradients(C, steps)
    schedule = reddi_schedule if lr_decay else None
    return optim.run(
        opt,
        optim.replay(grads),
        np.full(C.shape, x0),
        steps,
        schedule=schedule,
        project=reddi_project,
    )


def reddi_regret(xs: Any, C: Any) -> np.ndarray:
    """The average regret R_t / t of a trajectory on Reddi et al.'s problem.

    Math (f_t linear, x* = -1 the best fixed point for C > 2)::

        R_T = sum_{t=1}^{T} f_t(x_{t-1}) - f_t(-1) = sum_t g_t (x_{t-1} + 1)

    with x_{t-1} the point the method held when f_t was revealed (``xs[t - 1]``).
    Reddi et al.'s Theorem 1: for RMSprop/Adam that ends at +1, R_T / T stays away
    from 0; a method with vanishing average regret (AMSGrad) drives it to 0.

    Args:
        xs: the points, shape ``(T + 1, ...)`` (``hist.xs``), or a History.
        C: the problem's C (a number, or an array shaped like one point).

    Returns:
        R_t / t for t = 1 .. T, shape ``(T, ...)``.

    Example:
        >>> reddi_regret([[1.0], [1.0], [1.0], [1.0]], 3.0)[:, 0]   # sitting at +1
        array([6.        , 2.        , 0.66666667])
    """
    if isinstance(xs, optim.History):
        xs = xs.xs
    xs = _validate.real_array("xs", xs)
    C = _check_C(C)
    if xs.ndim < 1 or len(xs) < 1:
        raise ValueError(f"xs must hold at least one point, got shape {xs.shape}")
    try:
        C = np.broadcast_to(C, xs.shape[1:])
    except ValueError:
        raise ValueError(
            f"C of shape {C.shape} must broadcast against one point of shape {xs.shape[1:]}"
        ) from None
    T = len(xs) - 1
    losses = reddi_gradients(C, T) * (xs[:-1] + 1.0)
    t = np.arange(1, T + 1).reshape((T,) + (1,) * (losses.ndim - 1))
    return np.cumsum(losses, axis=0) / t


def reddi_drift(beta: Any, C: Any) -> np.ndarray:
    """RMSprop's (eps = 0) movement of x over one period, per unit lr, once v is periodic.

    Math (v1 after the step on C, v2 and v3 after the two steps on -1; the period's
    fixed point of v = beta v + (1 - beta) g^2)::

        v1 = (1 - beta) (C^2 + beta + beta^2) / (1 - beta^3)
        v2 = beta v1 + (1 - beta),   v3 = beta v2 + (1 - beta)
        drift = 1 / sqrt(v2) + 1 / sqrt(v3) - C / sqrt(v1)

    > 0: x climbs to +1 (Reddi et al.'s failure); < 0: it descends to -1, the
    optimum. Over T steps with lr_t = lr / sqrt(t) the periods add up to about
    drift * 2 lr sqrt(T) / 3 (18 drift for lr 0.5, T = 3000), so |drift| of 0.1 or
    more carries x across [-1, 1]; smaller values leave it in between.

    Args:
        beta: 0 <= beta < 1 (numbers or arrays, broadcast against C).
        C: > 0.

    Example:
        >>> reddi_drift([0.0, 0.1, 0.9], 3.0).round(3)    # sign descent: one down, two up
        array([ 1.   ,  0.681, -0.443])
    """
    b = _check_betas("beta", beta)
    C = _check_C(C)
    v1 = (1 - b) * (C**2 + b + b**2) / (1 - b**3)
    v2 = b * v1 + (1 - b)
    v3 = b * v2 + (1 - b)
    return 1 / np.sqrt(v2) + 1 / np.sqrt(v3) - C / np.sqrt(v1)


def reddi_boundary(C: float, *, iterations: int = 60) -> float:
    """The beta at which RMSprop's drift on Reddi et al.'s problem changes sign, for one C.

    Bisection on ``reddi_drift(beta, C)`` over [0, 0.99]: drift(0) = 1 > 0, and for
    C > 2 the drift at 0.99 is negative (it tends to (2 - C) / sqrt((C^2 + 2) / 3)
    as beta -> 1). Below the returned beta RMSprop drifts to +1 (the failure), above it
    to -1. ``iterations`` halvings of the interval leave an error below 0.99 / 2^60.

    Args:
        C: the problem's large gradient, a number > 2 whose boundary lies below 0.99
            (C >= 2.01 or so; closer to 2 the boundary is above 0.99).
        iterations: the number of halvings, an int >= 1.

    Raises:
        ValueError: C <= 2 or so close to 2 that the drift at beta = 0.99 is still > 0.

    Example:
        >>> round(reddi_boundary(3.0), 4)
        0.4723
        >>> abs(float(reddi_drift(reddi_boundary(10.0), 10.0))) < 1e-9
        True
    """
    C = float(_check_C(C))
    iterations = _validate.count("iterations", iterations, 1)
    lo, hi = 0.0, 0.99
    if not reddi_drift(hi, C) < 0:
        raise ValueError(
            f"C must be > 2 with its boundary below beta = 0.99 (about C >= 2.01), got {C!r}"
        )
    for _ in range(iterations):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if reddi_drift(mid, C) > 0 else (lo, mid)
    return (lo + hi) / 2


class PhaseDiagram(NamedTuple):
    """RMSprop's end points on Reddi et al.'s problem over a grid of (beta, C).

    Attributes:
        betas: shape ``(m,)``.
        Cs: shape ``(n,)``.
        end: x after ``steps`` steps, shape ``(m, n)``: ``end[i, j]`` for
            ``betas[i]`` and ``Cs[j]``; +1 is the failure, -1 the optimum.
        steps, lr, x0: the settings of the runs.
    """

    betas: np.ndarray
    Cs: np.ndarray
    end: np.ndarray
    steps: int
    lr: float
    x0: float


def _grid(name: str, values: Any) -> np.ndarray:
    arr = _validate.real_array(name, values).astype(np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, got shape {arr.shape}")
    return arr


def phase_diagram(
    betas: Any, Cs: Any, steps: int = 3000, *, lr: float = LR, x0: float = X0
) -> PhaseDiagram:
    """RMSprop (eps = 0) on Reddi et al.'s problem for every (beta, C): the end points.

    Each entry is ``reddi_run(optim.rmsprop(lr, beta, eps=0.0), C, steps,
    x0).final``, float for float (the tests check it), computed for the whole grid
    at once: the same arithmetic as ``optim.rmsprop``'s update and ``optim.run``'s
    schedule and projection, with beta an array. (``optim.run`` takes one beta per
    run, and one run per beta costs a Python loop of ``steps`` per beta; the
    notebook's 45 x 45 grid over 3000 steps took 5.2 s run by run and 0.06 s at
    once, median of 3: ``python benchmarks/bench_phase_diagram.py`` measures both.)

    Args:
        betas: RMSprop's decay rates, 1-D, each 0 <= beta < 1.
        Cs: the problem's large gradient, 1-D, each > 0.
        steps: an int >= 0.
        lr: Reddi's lr (lr_t = lr / sqrt(t)), > 0.
        x0: the start, in [-1, 1].

    Example:
        >>> diagram = phase_diagram([0.0, 0.5, 0.99], [3.0, 10.0])
        >>> diagram.end.round(2)        # rows beta 0, 0.5, 0.99; columns C 3 and 10
        array([[ 1.  ,  1.  ],
               [-0.59, -1.  ],
               [-0.99, -1.  ]])
    """
    betas = _check_betas("betas", _grid("betas", betas))
    Cs = _check_C(_grid("Cs", Cs))
    steps = _validate.count("steps", steps, 0)
    lr = _validate.positive("lr", lr)
    x0 = _check_x0(x0)
    beta = betas[:, None]
    keep = 1 - beta  # optim.rmsprop's (1 - beta), here one per row
    large = np.broadcast_to(Cs[None, :], (len(betas), len(Cs)))
    small = np.full_like(large, -1.0)
    v = np.zeros_like(large)
    x = np.full_like(large, x0)
    for t in range(1, steps + 1):
        g = large if t % 3 == 1 else small
        v = beta * v + keep * g**2  # as optim.rmsprop: v = beta v + (1 - beta) g^2
        step = -lr * (g / np.sqrt(v))  # eps = 0; v > 0 since g != 0
        x = np.clip(x + reddi_schedule(t) * step, -1.0, 1.0)
    return PhaseDiagram(betas, Cs, x, steps, lr, x0)


def rate_clipped_rmsprop(
    lr: float = 0.01, beta: float = 0.9, eps: float = 1e-8, *, lo: float = 0.0, hi: float = math.inf
) -> optim.Optimizer:
    """RMSprop with its effective per-coordinate rate clipped to the band [lo, hi].

    Math (v as :func:`optim.rmsprop`, eps outside the root)::

        v_t    = beta v_{t-1} + (1 - beta) g_t^2
        rate_t = clip(lr / (sqrt(v_t) + eps), lo, hi)
        step   = -rate_t * g_t

    The idea of AdaBound (L. Luo, Y. Xiong, Y. Liu, X. Sun, "Adaptive gradient methods
    with dynamic bound of learning rate", ICLR 2019), with constant bounds: theirs
    close in over time on one final SGD rate, so that the method ends as SGD. With
    ``lo = 0`` and ``hi = inf`` this is ``optim.rmsprop(lr, beta, eps)`` to rounding
    ((lr / d) g against lr (g / d)); with ``lo = hi`` it is gradient descent at
    lr = lo. A schedule in
    ``optim.run`` multiplies the whole step (lr_t, lo_t and hi_t alike).

    Args:
        lr: the learning rate, > 0.
        beta: the decay rate of v, 0 <= beta < 1.
        eps: added to sqrt(v), >= 0.
        lo: the smallest rate, >= 0.
        hi: the largest rate, >= lo (may be inf).

    Returns:
        an :class:`optim.Optimizer` named ``"rmsprop_clipped"`` (so plots label it
        apart from plain RMSprop) whose state is RMSprop's
        (``optim.RMSpropState``; ``run`` records v) and whose ``rate`` is the clipped rate.

    Example:
        >>> opt = rate_clipped_rmsprop(lr=0.1, beta=0.9, eps=0.0, lo=0.05, hi=0.2)
        >>> step, state = opt.update(np.array([10.0, 0.01]), opt.init(np.zeros(2)))
        >>> step    # rates 0.1/sqrt(10) = 0.03 and 0.1/sqrt(1e-5) = 32, clipped to 0.05 and 0.2
        array([-0.5  , -0.002])
    """
    base = optim.rmsprop(lr=lr, beta=beta, eps=eps)
    lo = _validate.nonnegative("lo", lo)
    hi = _validate.real("hi", hi)
    if math.isnan(hi) or hi < lo:
        raise ValueError(f"hi must satisfy hi >= lo (= {lo!r}), got {hi!r}")

    def rate(state: optim.RMSpropState) -> np.ndarray:
        with np.errstate(divide="ignore"):  # eps = 0 and v = 0: rate inf, clipped to hi
            return np.clip(base.rate(state), lo, hi)

    def update(g: Any, state: optim.RMSpropState) -> tuple[np.ndarray, optim.RMSpropState]:
        _, new = base.update(g, state)  # RMSprop's checks and its v
        g = np.asarray(g, dtype=new.v.dtype)
        return np.asarray(-rate(new) * g), new

    hyperparams = dict(base.hyperparams)
    hyperparams.update(lo=lo, hi=hi)
    return optim.Optimizer(base.init, update, rate, "rmsprop_clipped", hyperparams)
