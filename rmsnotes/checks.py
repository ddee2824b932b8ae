"""Self-checks for the notebooks' exercises.

Each check compares a learner's answer with what the tested code in :mod:`rmsnotes`
computes, prints one short verdict line and returns True or False. The expected
values are computed when the check runs, never stored, so they cannot drift from
the reference implementation.

    >>> check_answer("01-rate-after-100", 0.5)
    not yet: 01-rate-after-100 = 0.5 is off (relative error 1.9e+01)
    False
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from rmsnotes import optim

__all__ = ["check_update_rule", "check_answer", "ANSWERS"]


def _verdict(ok: bool, message: str) -> bool:
    print(("correct: " if ok else "not yet: ") + message)
    return ok


# Reference single steps, in the argument order the exercises ask for.
def _adagrad_reference(x, s, g, lr, eps):
    opt = optim.adagrad(lr=lr, eps=eps)
    step, state = opt.update(g, optim.AdagradState(s=s))
    return x + step, state.s


def _rmsprop_reference(x, v, g, lr, beta, eps):
    opt = optim.rmsprop(lr=lr, beta=beta, eps=eps)
    zeros = np.zeros_like(v)
    step, state = opt.update(g, optim.RMSpropState(v=v, m=zeros, b=zeros))
    return x + step, state.v


_RULES: dict[str, tuple[Callable, tuple[str, ...]]] = {
    "adagrad": (_adagrad_reference, ("x", "s", "g", "lr", "eps")),
    "rmsprop": (_rmsprop_reference, ("x", "v", "g", "lr", "beta", "eps")),
}


def _random_case(rng: np.random.Generator, names: tuple[str, ...]) -> dict[str, Any]:
    n = int(rng.integers(1, 5))
    case = {
        "x": rng.normal(size=n),
        "g": rng.normal(size=n) * 10.0 ** rng.integers(-2, 3, size=n),
        "s": rng.uniform(0, 5, size=n),
        "v": rng.uniform(0, 5, size=n),
        "lr": float(rng.choice([0.01, 0.1, 0.5])),
        "beta": float(rng.choice([0.5, 0.9, 0.99])),
        "eps": float(rng.choice([1e-8, 1e-3])),
    }
    return {k: case[k] for k in names}


def check_update_rule(fn: Callable, optimizer: str, *, trials: int = 20, seed: int = 0) -> bool:
    """Check a hand-written one-step update against rmsnotes on random inputs.

    The function must take NumPy arrays and floats and return the new point and the
    new statistic, eps outside the root (the course's default convention)::

        "adagrad":  fn(x, s, g, lr, eps)       -> (x_new, s_new)
        "rmsprop":  fn(x, v, g, lr, beta, eps) -> (x_new, v_new)

    Prints a verdict and returns True when every trial matches to 1e-10 (relative).
    """
    if optimizer not in _RULES:
        raise ValueError(f"optimizer must be one of {sorted(_RULES)}, got {optimizer!r}")
    reference, names = _RULES[optimizer]
    label = f"your {optimizer} step"
    rng = np.random.default_rng(seed)
    for trial in range(trials):
        case = _random_case(rng, names)
        try:  # the learner gets copies, so writing into them changes nothing here
            got = fn(**{k: np.copy(v) if isinstance(v, np.ndarray) else v for k, v in case.items()})
        except Exception as exc:  # show the learner's error as a verdict, not a traceback
            return _verdict(False, f"{label} raised {type(exc).__name__}: {exc}")
        if got is None or got is Ellipsis:
            return _verdict(False, f"{label} returned {got!r}; fill in the function body")
        if not (isinstance(got, tuple) and len(got) == 2):
            return _verdict(False, f"{label} should return a pair (new point, new statistic)")
        want = reference(**case)
        for what, mine, ref in zip(("new point", "new statistic"), got, want, strict=True):
            mine = np.asarray(mine, dtype=float)
            if mine.shape != ref.shape or not np.allclose(mine, ref, rtol=1e-10, atol=1e-300):
                args = ", ".join(f"{k}={np.round(v, 4)!r}" for k, v in case.items())
                return _verdict(
                    False,
                    f"{label}: the {what} differs on trial {trial + 1} ({args}); "
                    f"expected {np.round(ref, 6)!r}, got {np.round(mine, 6)!r}",
                )
    return _verdict(True, f"{label} matches rmsnotes on {trials} random cases")


def _rate_after_100() -> float:
    # AdaGrad, lr 0.5, eps 0, constant gradient 2 for 100 steps: lr / sqrt(sum of g^2)
    hist = optim.run(optim.adagrad(lr=0.5, eps=0.0), lambda x: np.full_like(x, 2.0), [0.0], 100)
    return float(hist.rates[-1, 0])


def _distance_after_10000() -> float:
    # AdaGrad, lr 0.01, eps 0, constant gradient 1: how far x moves in 10 000 steps
    hist = optim.run(optim.adagrad(lr=0.01, eps=0.0), np.ones_like, [0.0], 10_000)
    return float(abs(hist.final[0] - hist.xs[0, 0]))


# ----------------------------------------------------------- notebook 02 answers
# (functions for notebook 02's exercises go here)

# ----------------------------------------------------------- notebook 03 answers
# (functions for notebook 03's exercises go here)

# ----------------------------------------------------------- notebook 04 answers
# (functions for notebook 04's exercises go here)

# ----------------------------------------------------------- notebook 05 answers
# (functions for notebook 05's exercises go here)


# Exercise answers, keyed "<notebook>-<name>", computed by rmsnotes when asked for.
ANSWERS: dict[str, Callable[[], float]] = {
    "01-rate-after-100": _rate_after_100,
    "01-distance-after-10000": _distance_after_10000,
    # notebook 02
    # notebook 03
    # notebook 04
    # notebook 05
}


def check_answer(key: str, value: Any, *, rtol: float = 1e-3) -> bool:
    """Compare a numeric answer with the one rmsnotes computes for exercise ``key``.

    Prints a verdict and returns True when ``value`` is within ``rtol`` (relative).
    """
    if key not in ANSWERS:
        raise ValueError(f"unknown exercise {key!r}; known: {sorted(ANSWERS)}")
    if value is None or value is Ellipsis:
        return _verdict(False, f"{key}: replace {value!r} with your answer")
    try:
        value = float(value)
    except (TypeError, ValueError):
        return _verdict(False, f"{key}: the answer should be a number, got {value!r}")
    expected = ANSWERS[key]()
    error = abs(value - expected) / abs(expected)
    if math.isfinite(value) and error <= rtol:
        return _verdict(True, f"{key} = {value:.6g}")
    return _verdict(False, f"{key} = {value:.6g} is off (relative error {error:.1e})")
