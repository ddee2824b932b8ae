"""Exponential moving averages (EMAs) as pure functions: the statistic RMSprop keeps.

RMSprop replaces AdaGrad's running sum ``s_t = s_{t-1} + g_t^2`` by the recursion::

    a_t = beta * a_{t-1} + (1 - beta) * x_t,        a_0 = initial,  0 <= beta < 1

applied to ``x_t = g_t^2`` (``rmsnotes.optim.rmsprop`` keeps it as ``state.v``; Adam
keeps it for g and for g^2). Unrolled, the recursion is a weighted sum::

    a_t = beta^t * a_0 + sum_{i=1..t} (1 - beta) * beta^(t - i) * x_i

so the value of *age* k = t - i carries the weight (1 - beta) * beta^k, and all t
weights together sum to 1 - beta^t. This module computes those quantities:

    moving_average(values, beta, initial)  the recursion, one average per step
    weights(beta, t)                       the weight of each of x_1 .. x_t in a_t
    weights_sum(beta, t)                   1 - beta^t
    mean_age(beta)                         beta / (1 - beta), the weights' centre of mass
    effective_window(beta)                 1 / (1 - beta)
    half_life(beta)                        ln 2 / ln(1 / beta)
    bias_correction(avg, beta, t)          avg / (1 - beta^t), Adam's fix of the zero start

Symbols: ``beta`` is the decay (PyTorch's RMSprop ``alpha``, Keras's ``rho``, optax's
``decay``, Adam's ``beta2`` for the squared gradients); ``t`` counts the values
averaged so far (t = 1 after the first one).

References: G. Hinton, N. Srivastava, K. Swersky, Neural Networks for Machine Learning,
Lecture 6e (Coursera, 2012); D. P. Kingma, J. Ba, "Adam: a method for stochastic
optimization", ICLR 2015, arXiv:1412.6980, section 3 (initialization bias correction).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rmsnotes import _validate

__all__ = [
    "moving_average",
    "weights",
    "weights_sum",
    "mean_age",
    "effective_window",
    "half_life",
    "bias_correction",
]


# ---------------------------------------------------------------------- validation


def _check_steps(t: Any) -> int | np.ndarray:
    """t >= 1: an int, or an integer array (for a whole sequence of averages)."""
    if isinstance(t, (list, tuple)):
        t = np.asarray(t)
    if isinstance(t, np.ndarray) and t.ndim == 0 and t.dtype.kind in "iu":
        t = int(t)
    if isinstance(t, np.ndarray) and t.ndim > 0:
        if t.dtype.kind not in "iu":
            raise TypeError(f"t must be an int or an integer array, got dtype {t.dtype}")
        if t.size and t.min() < 1:
            raise ValueError(f"t must be >= 1 (the number of values averaged), got {int(t.min())}")
        return t
    return _validate.count("t", t, 1)


# ------------------------------------------------------------------------ averages


def moving_average(values: Any, beta: float, initial: Any = 0.0) -> np.ndarray:
    """Run the EMA recursion over ``values`` and return every average.

    ``out[t - 1] = a_t`` where::

        a_t = beta * a_{t-1} + (1 - beta) * values[t - 1],    a_0 = initial

    The first axis of ``values`` is time; any further axes (coordinates) are averaged
    independently, as RMSprop does per coordinate. ``initial`` broadcasts against one
    time slice. beta = 0 keeps only the newest value; beta close to 1 remembers long.

    Args:
        values: array of shape ``(T, ...)``, real and finite; T may be 0.
        beta: decay, 0 <= beta < 1.
        initial: a_0 (0 for RMSprop and Adam; TF1's RMSprop starts at 1).

    Returns:
        float array shaped like ``values``: the averages a_1 .. a_T (a_0 is not included).

    Example:
        >>> moving_average([4.0, 4.0, 4.0], beta=0.5)   # 4 * (1 - 0.5^t)
        array([2. , 3. , 3.5])
        >>> moving_average([4.0, 4.0], beta=0.5, initial=4.0)
        array([4., 4.])
    """
    beta = _validate.unit_interval("beta", beta)
    values = _validate.real_array("values", values, finite=True)
    if values.ndim == 0:
        raise ValueError("values must have a time axis (at least 1-D), got a scalar")
    a = np.broadcast_to(
        _validate.real_array("initial", initial, finite=True), values.shape[1:]
    ).astype(values.dtype)
    out = np.empty_like(values)
    for t in range(len(values)):
        a = beta * a + (1.0 - beta) * values[t]
        out[t] = a
    return out


def weights(beta: float, t: int) -> np.ndarray:
    """The weight each of x_1 .. x_t carries in a_t, oldest first.

    ``weights(beta, t)[i - 1] = (1 - beta) * beta^(t - i)``, so the value of age
    k = t - i has weight (1 - beta) * beta^k: the newest (1 - beta), each older one
    beta times the next newer. With a_0 = 0, ``a_t = weights(beta, t) @ x[:t]``;
    otherwise add ``beta^t * a_0``. (AdaGrad's sum gives every value weight 1.)

    Args:
        beta: decay, 0 <= beta < 1.
        t: number of values averaged, an int >= 0.

    Returns:
        float64 array of length t, non-negative and increasing (for beta > 0).

    Example:
        >>> weights(0.5, 3)   # (1 - b) b^2, (1 - b) b, (1 - b)
        array([0.125, 0.25 , 0.5  ])
    """
    beta = _validate.unit_interval("beta", beta)
    t = _validate.count("t", t, 0)
    ages = np.arange(t - 1, -1, -1, dtype=np.float64)
    return (1.0 - beta) * beta**ages


def weights_sum(beta: float, t: int) -> float:
    """The total weight of x_1 .. x_t in a_t: the geometric sum 1 - beta^t.

    ``sum_{k=0..t-1} (1 - beta) * beta^k = 1 - beta^t``. The missing beta^t is the
    weight of a_0; when a_0 = 0 it is lost, which is the zero-start bias that
    :func:`bias_correction` removes.

    Args:
        beta: decay, 0 <= beta < 1.
        t: number of values averaged, an int >= 0.

    Example:
        >>> round(weights_sum(0.9, 10), 6)   # 1 - 0.9**10
        0.651322
    """
    beta = _validate.unit_interval("beta", beta)
    t = _validate.count("t", t, 0)
    return 1.0 - beta**t


def mean_age(beta: float) -> float:
    """The average age of the averaged values, weighted by their weights: beta / (1 - beta).

    For an infinitely long history, ``sum_k k (1 - beta) beta^k = beta / (1 - beta)``
    (the centre of mass; pandas calls it ``com``). Age 0 is the newest value.

    Example:
        >>> round(mean_age(0.9), 12)
        9.0
    """
    beta = _validate.unit_interval("beta", beta)
    return beta / (1.0 - beta)


def effective_window(beta: float) -> float:
    """How many values the EMA averages "in effect": 1 / (1 - beta).

    Definition used here: the total weight of an infinitely long history divided by
    the weight of the newest value, ``sum_k (1 - beta) beta^k / (1 - beta) = 1 / (1 -
    beta)``. It is the length N of the plain average whose weights 1/N equal the EMA's
    newest weight, and it equals :func:`mean_age` + 1. After t steps the ratio is
    (1 - beta^t) / (1 - beta), which tends to this limit. The window does not hold all
    the weight: its newest N values carry 1 - beta^N, about 1 - 1/e = 63% for beta near 1.

    Example:
        >>> round(effective_window(0.9), 12)
        10.0
    """
    beta = _validate.unit_interval("beta", beta)
    return 1.0 / (1.0 - beta)


def half_life(beta: float) -> float:
    """The age at which a value's weight has halved: ln 2 / ln(1 / beta).

    Solves ``beta^h = 1/2``. Because the weights beyond age h sum to beta^h (in the
    long run), the values younger than h carry half the total weight and the older
    ones the other half. For beta near 1, h is about ln 2 / (1 - beta) = 0.69 windows.
    beta = 0 gives 0: only the newest value counts.

    Example:
        >>> round(half_life(0.9), 4)
        6.5788
        >>> round(0.9 ** half_life(0.9), 12)
        0.5
    """
    beta = _validate.unit_interval("beta", beta)
    if beta == 0.0:
        return 0.0
    return math.log(2.0) / math.log(1.0 / beta)


def bias_correction(avg: Any, beta: float, t: Any) -> np.ndarray | float:
    """Adam's correction of an EMA started at zero: avg / (1 - beta^t).

    From a_0 = 0 the weights of x_1 .. x_t sum to only 1 - beta^t, so a_t is biased
    towards zero: for a constant input c, a_t = c (1 - beta^t). Dividing by
    1 - beta^t makes the weights sum to 1, and a constant is then returned exactly.
    (Kingma & Ba 2015, section 3.) Only meaningful for averages started at zero.

    Args:
        avg: the average(s) a_t, any real array or number.
        beta: decay, 0 <= beta < 1.
        t: the step of ``avg``, an int >= 1, or an integer array that broadcasts
            against ``avg`` (e.g. ``np.arange(1, T + 1)`` for a 1-D sequence).

    Returns:
        a float for scalar input, else an array.

    Example:
        >>> a = moving_average([3.0, 3.0, 3.0], beta=0.9)
        >>> bias_correction(a, 0.9, np.arange(1, 4))
        array([3., 3., 3.])
    """
    beta = _validate.unit_interval("beta", beta)
    t = _check_steps(t)
    avg_arr = _validate.real_array("avg", avg, finite=True)
    out = avg_arr / (1.0 - np.power(beta, t))
    if np.ndim(out) == 0:
        return float(out)
    return out
