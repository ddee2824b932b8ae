"""Checks of scalar arguments (and one of arrays), shared by the modules of rmsnotes.

Private: the public functions of each module call these on their arguments.

Each function takes the parameter's name (for the message) and its value, and
returns the value converted to a plain Python ``float``, ``int`` or ``bool``, or
raises:

- ``TypeError`` when the value has the wrong type. ``bool`` (and ``numpy.bool_``)
  is never a number here, so ``lr=True`` is an error rather than ``lr=1.0``;
  complex numbers, strings, ``None`` and arrays (even 0-d ones) are not real
  numbers either.
- ``ValueError`` when the type is right but the value is out of range; the message
  names the parameter and its allowed range, e.g. ``lr must be > 0 and finite,
  got 0.0``.

Example:
    >>> positive("lr", 0.1)
    0.1
    >>> count("steps", 3, 0)
    3
    >>> unit_interval("beta", 1.0)
    Traceback (most recent call last):
        ...
    ValueError: beta must satisfy 0 <= beta < 1, got 1.0
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = [
    "real",
    "finite",
    "positive",
    "nonnegative",
    "unit_interval",
    "integer",
    "count",
    "seed",
    "flag",
    "all_finite",
    "real_array",
    "learning_rates",
]


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def real(name: str, value: Any) -> float:
    """``value`` as a float; any real number, including nan and +-inf.

    Raises:
        TypeError: if ``value`` is not a real number (bool, complex, str, None,
            an array, ...).

    Example:
        >>> real("a", np.float32(0.5)), real("a", 2)
        (0.5, 2.0)
        >>> real("a", True)
        Traceback (most recent call last):
            ...
        TypeError: a must be a real number, got True of type bool
    """
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number, got {value!r} of type {type(value).__name__}"
        )
    return float(value)


def finite(name: str, value: Any) -> float:
    """``value`` as a float; a real number other than nan and +-inf.

    Raises:
        TypeError: as :func:`real`.
        ValueError: ``{name} must be finite, got ...``.
    """
    value = real(name, value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def positive(name: str, value: Any) -> float:
    """``value`` as a float; a real number > 0 and finite (a learning rate, a scale).

    Raises:
        TypeError: as :func:`real`.
        ValueError: ``{name} must be > 0 and finite, got ...``.

    Example:
        >>> positive("lr", 0)
        Traceback (most recent call last):
            ...
        ValueError: lr must be > 0 and finite, got 0.0
    """
    value = real(name, value)
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be > 0 and finite, got {value!r}")
    return value


def nonnegative(name: str, value: Any) -> float:
    """``value`` as a float; a real number >= 0 and finite (eps, a noise level).

    Raises:
        TypeError: as :func:`real`.
        ValueError: ``{name} must be >= 0 and finite, got ...``.
    """
    value = real(name, value)
    if not (value >= 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be >= 0 and finite, got {value!r}")
    return value


def unit_interval(name: str, value: Any) -> float:
    """``value`` as a float; 0 <= value < 1 (a decay rate such as beta, a momentum).

    Raises:
        TypeError: as :func:`real`.
        ValueError: ``{name} must satisfy 0 <= {name} < 1, got ...`` (nan included).
    """
    value = real(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must satisfy 0 <= {name} < 1, got {value!r}")
    return value


def integer(name: str, value: Any) -> int:
    """``value`` as an int; any Python or NumPy integer, but not a bool.

    Floats are refused even when whole (``2.0``): a count is never rounded.

    Raises:
        TypeError: ``{name} must be an int, got ...``.
    """
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r} of type {type(value).__name__}")
    return int(value)


def count(name: str, value: Any, minimum: int) -> int:
    """``value`` as an int >= ``minimum`` (a number of steps, points, frames).

    Raises:
        TypeError: as :func:`integer`.
        ValueError: ``{name} must be >= {minimum}, got ...``.

    Example:
        >>> count("n", 1, 2)
        Traceback (most recent call last):
            ...
        ValueError: n must be >= 2, got 1
    """
    value = integer(name, value)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return value


def seed(name: str, value: Any) -> int | None:
    """``value`` as a seed for ``numpy.random.default_rng``: an int >= 0, or None.

    Raises:
        TypeError or ValueError: ``{name} must be an int >= 0 (or None), got ...``.
    """
    if value is None:
        return None
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= 0 (or None), got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be an int >= 0 (or None), got {int(value)!r}")
    return int(value)


def flag(name: str, value: Any) -> bool:
    """``value`` as a bool; only True or False (or a ``numpy.bool_``), not 0 or 1.

    Raises:
        TypeError: ``{name} must be True or False, got ...``.
    """
    if not _is_bool(value):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def all_finite(arr: np.ndarray) -> bool:
    """Whether every element of a float array is finite (no nan, no +-inf).

    One cheap read pass (a sum) first; only if the sum is not finite are the elements
    looked at one by one, since a huge but finite array can overflow its sum.

    Example:
        >>> all_finite(np.array([1e308, 1e308])), all_finite(np.array([1.0, np.nan]))
        (True, False)
    """
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(np.sum(arr))
    return math.isfinite(total) or bool(np.isfinite(arr).all())


def real_array(name: str, value: Any, *, finite: bool = False) -> np.ndarray:
    """``value`` as a floating-point array, without truncating anything.

    Integers and booleans become float64 (``[1, 2]`` -> ``[1.0, 2.0]``); float32
    and float64 arrays keep their precision (and are not copied). nan and inf pass
    unless ``finite=True``.

    Raises:
        TypeError: ``{name} must be a real-valued array, got ...`` for complex,
            string, object and ragged input.
        ValueError: with ``finite=True``, ``{name} contains a non-finite value (nan
            or inf)``.

    Example:
        >>> real_array("x0", [1, 2])
        array([1., 2.])
        >>> real_array("x0", np.zeros(2, dtype=np.float32)).dtype
        dtype('float32')
        >>> real_array("values", [1.0, np.inf], finite=True)
        Traceback (most recent call last):
            ...
        ValueError: values contains a non-finite value (nan or inf)
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a real-valued array, got {value!r}") from exc
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind != "f":
        raise TypeError(f"{name} must be a real-valued array, got dtype {arr.dtype} from {value!r}")
    if finite and not all_finite(arr):
        raise ValueError(f"{name} contains a non-finite value (nan or inf)")
    return arr


def learning_rates(name: str, value: Any) -> np.ndarray:
    """``value`` as a 1-D float array of learning rates, each > 0 and finite.

    Raises:
        TypeError: as :func:`real_array`.
        ValueError: ``{name} must be a non-empty 1-D sequence of learning rates, got
            shape ...``, or ``every lr must be > 0 and finite, got ...`` (the first
            bad one).

    Example:
        >>> learning_rates("lrs", [1, 0.1])
        array([1. , 0.1])
        >>> learning_rates("lrs", [0.1, -1.0])
        Traceback (most recent call last):
            ...
        ValueError: every lr must be > 0 and finite, got -1.0
    """
    arr = real_array(name, value).astype(np.float64)
    if np.asarray(value).dtype.kind == "b":
        raise TypeError(f"{name} must be learning rates (real numbers), got booleans {value!r}")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 1-D sequence of learning rates, got shape {arr.shape}"
        )
    bad = arr[~(np.isfinite(arr) & (arr > 0))]
    if bad.size:
        raise ValueError(f"every lr must be > 0 and finite, got {float(bad[0])!r}")
    return arr
