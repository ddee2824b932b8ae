"""Step-size diagnostics for RMSprop near a minimum (notebook 04).

With a fixed learning rate RMSprop does not settle at a minimum: once the gradient's
size is steady, its moving average v tracks g^2 and the step is about
``-lr * g / |g| = -lr * sign(g)``. Its length stays near lr however small the gradient
is, so the iterate ends up hopping across the minimum. This module measures that:

    step_ratio(hist)          |step| / lr of every step (about 1 in the sign-like regime)
    oscillation(xs, last)     centre and half-width of the last points, per coordinate
    cycle_half_width(lr, h)   the analytic half-width of the 2-cycle on (h/2) x^2

The 2-cycle, derived (one coordinate, f = (h/2) x^2, so g = h x)::

    suppose x alternates a, -a, a, ...   then g^2 = h^2 a^2 at every step,
    so v -> h^2 a^2 (the average of a constant), and the step from a is
        -lr h a / (sqrt(v) + eps) = -lr h a / (h a + eps).
    Landing on -a needs that step to be -2a:
        eps outside the root:  a = lr/2 - eps/h
        eps inside the root:   a = sqrt(lr^2/4 - eps/h^2)
    With eps = 0: a = lr/2 for every curvature h and every beta.

When the expression under the root (or a itself) is not positive there is no such
cycle: eps then dominates near the minimum, the step there is about -lr g / eps
(gradient descent with rate lr/eps, stable since lr h / eps < 2) and the iterate
converges.

Reference: G. Hinton, N. Srivastava, K. Swersky, Neural Networks for Machine
Learning, Lecture 6e (Coursera, 2012); A. Zhang et al., *Dive into Deep Learning*,
section 12.8 "RMSProp".
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from rmsnotes import _validate
from rmsnotes.optim import History

__all__ = ["Oscillation", "step_ratio", "oscillation", "cycle_half_width"]


class Oscillation(NamedTuple):
    """Where the last points sit, per coordinate.

    Attributes:
        center: midpoint of the range, (max + min) / 2.
        half_width: half the range, (max - min) / 2; for a 2-cycle +-a it is a.
    """

    center: np.ndarray
    half_width: np.ndarray


def step_ratio(hist: History, lr: Any = None) -> np.ndarray:
    """|step| / lr for every step and coordinate, shape ``hist.updates.shape``.

    About 1 when RMSprop is in its sign-like regime (v tracks g^2); far below 1
    when v still remembers larger gradients (AdaGrad: falls like 1/sqrt(t)).

    Args:
        hist: a History from :func:`rmsnotes.optim.run`.
        lr: the learning rate to divide by: a number, or one value per step (e.g.
            ``lr * schedule(t)``, shape ``(steps,)``). Default: the optimizer's lr.

    Example:
        >>> from rmsnotes import optim
        >>> hist = optim.run(optim.rmsprop(lr=0.1, beta=0.5, eps=0.0), np.ones_like, [0.0], 3)
        >>> step_ratio(hist)[:, 0]   # 1 / sqrt(1 - 0.5^t): v starts at 0
        array([1.41421356, 1.15470054, 1.06904497])
    """
    if not isinstance(hist, History):
        raise TypeError(f"hist must be a History from optim.run, got {type(hist).__name__}")
    if hist.updates is None:
        raise ValueError("this History kept no updates: run it with record='all' (the default)")
    if lr is None:
        if hist.optimizer is None or "lr" not in hist.optimizer.hyperparams:
            raise ValueError("this History has no optimizer with an lr: pass lr=...")
        lr = hist.optimizer.hyperparams["lr"]
    if isinstance(lr, bool):
        raise TypeError(f"lr must be a number or one value per step, got {lr!r}")
    lr = _validate.real_array("lr", lr)
    kept = len(hist.updates)  # one per step (one per kept step with every > 1)
    if lr.ndim == 1:
        if lr.shape != (kept,):
            raise ValueError(f"lr per step must have shape ({kept},), got {lr.shape}")
        lr = lr.reshape((kept,) + (1,) * (hist.updates.ndim - 1))
    elif lr.ndim != 0:
        raise ValueError(f"lr must be a number or one value per step, got shape {lr.shape}")
    if not (np.all(lr > 0) and np.all(np.isfinite(lr))):
        raise ValueError("lr must be > 0 and finite")
    return np.abs(hist.updates) / lr


def oscillation(xs: Any, last: int = 50) -> Oscillation:
    """Centre and half-width of the last ``last`` points, per coordinate.

    Args:
        xs: points, shape ``(n, ...)`` (e.g. ``hist.xs``), or a History.
        last: how many of the final points to look at, 1 <= last <= n.

    Returns:
        :class:`Oscillation` with ``center`` and ``half_width``, each shaped like
        one point.

    Example:
        >>> oscillation([[0.9], [1.1], [0.9], [1.1]], last=4)
        Oscillation(center=array([1.]), half_width=array([0.1]))
    """
    if isinstance(xs, History):
        xs = xs.xs
    xs = _validate.real_array("xs", xs)
    if xs.ndim < 1 or len(xs) == 0:
        raise ValueError(f"xs must hold at least one point, got shape {xs.shape}")
    last = _validate.integer("last", last)
    if not 1 <= last <= len(xs):
        raise ValueError(f"last must satisfy 1 <= last <= {len(xs)}, got {last}")
    tail = xs[-last:]
    hi, lo = tail.max(axis=0), tail.min(axis=0)
    return Oscillation(center=(hi + lo) / 2, half_width=(hi - lo) / 2)


def cycle_half_width(
    lr: float, curvature: float, eps: float = 0.0, *, eps_in_sqrt: bool = False
) -> float:
    """Half-width a of RMSprop's symmetric 2-cycle x = +-a on f = (h/2) x^2.

    Math (h = curvature, the second derivative; derivation in the module docstring)::

        eps outside the root:  a = lr/2 - eps/h
        eps inside the root:   a = sqrt(lr^2/4 - eps/h^2)

    The result does not depend on beta (in the cycle v is the average of a constant).
    Returns 0.0 when no such cycle exists (eps too large: the iterate converges).

    Args:
        lr: learning rate, > 0.
        curvature: h > 0; for f = c x^2 it is 2c.
        eps: >= 0, the optimizer's eps.
        eps_in_sqrt: the optimizer's eps convention.

    Example:
        >>> cycle_half_width(0.1, curvature=2.0)        # f = x^2, eps = 0: lr / 2
        0.05
        >>> round(cycle_half_width(0.4, 4.0, 1e-6, eps_in_sqrt=True), 8)  # d2l's y
        0.19999984
    """
    lr = _validate.positive("lr", lr)
    h = _validate.positive("curvature", curvature)
    eps = _validate.nonnegative("eps", eps)
    eps_in_sqrt = _validate.flag("eps_in_sqrt", eps_in_sqrt)
    if eps_in_sqrt:
        a2 = lr * lr / 4 - eps / (h * h)
        return math.sqrt(a2) if a2 > 0 else 0.0
    return max(lr / 2 - eps / h, 0.0)
