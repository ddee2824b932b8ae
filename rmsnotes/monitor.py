"""What to watch while training, read from an ``optim.History``, and three detectors.

``optim.run`` already records everything a practitioner's monitor logs each step:
the points, gradients, updates, the optimizer's state (``v``, ``s``, ...), the
effective per-coordinate rates ``lr / d`` and, with a ``loss_fn``, the losses. A
mini-batch loop is a run too: ``models.online_grad`` hands ``run`` one batch per
step. So the monitors here are pure functions of a History (recorded with
``record="all"`` and ``every=1``, the defaults), summarised per *group* of
coordinates: a name for a set of entries of the flat parameter vector, e.g. the
layers of the MLP (``models.mlp_layers(16)``), its hidden units
(``models.mlp_units(16)``), or ``{"intercept": 0, "slope": 1}``. Without groups,
each coordinate is its own group, ``"x[0]"``, ``"x[1]"``, ...

    effective_rates(hist, groups)   median lr / d of each group, per step
    update_ratios(hist, groups)     ||update|| / ||x|| of each group, per step
    grad_norms(hist, groups)        the RMS of the gradient of each group, per step
    accumulators(hist, groups)      the median of s or v of each group, per step
    summary(hist, groups)           first and last values of those, per group
    find_stall(hist, groups)        the rate fell by orders of magnitude, the gradient did not
    find_blowup(hist)               non-finite values, or the loss far above its best
    find_dead(hist, groups)         coordinates whose gradient stayed (nearly) 0

Definitions (t = 1 .. T the steps, x_{t-1} the point step t started from):

- effective rate: ``hist.rates[t - 1]``, the optimizer's ``rate(state)``: lr / d_t
  per coordinate (AdaGrad d = sqrt(s) + eps, RMSprop sqrt(v) + eps, SGD 1); its
  median over a group.
- update ratio: ||updates[t - 1][group]|| / ||x_{t-1}[group]|| (Euclidean norms),
  how much of a layer one step changes. A rule of thumb for networks (Karpathy's
  CS231n notes) puts a healthy value near 1e-3 per step; far below, the layer is
  not learning; near 1 or above, it is being thrown around. inf where
  x_{t-1}[group] = 0 and the update is not, 0 where both are 0. Read it for
  layers: a single coordinate that passes near 0 (an output bias) makes its own
  ratio huge without anything going wrong.
- stall: the group's effective rate has fallen by ``drop`` (10x by default) from
  its peak so far, while its gradient has not fallen by as much (nor grown): the
  steps shrink although the gradient says there is still a long way to go. AdaGrad's signature
  (its s only grows); with ``loss_target`` the loss must also still be above it.
- blow-up: a non-finite point, gradient or loss, or the loss ``growth`` times (10x)
  above the best loss so far (the gradient norm above its smallest, without losses).
- dead coordinate: its gradient is at most ``tol`` times the largest gradient of the
  run (1e-10 by default; 0 finds only exact zeros) at every step from some step to
  the end, for at least ``min_steps`` steps (half the run by default). Its
  accumulator then stays where it was (v0 from the start: a feature that never
  fires), so its effective rate sits at lr / (sqrt(v0) + eps), lr / eps for v0 = 0:
  harmless while g = 0 (the step is lr g / d = 0). The rate a monitor shows is then
  no measure of the step: the first time g is not 0 the optimizer adds it to its
  accumulator before dividing, so that step is lr g / sqrt((1 - beta) g^2) = about
  3.2 lr for RMSprop at beta = 0.9 (lr for AdaGrad), not lr g / eps. A coordinate whose
  gradient is tiny but never 0 (a feature on a 1e-12 scale) is the case where eps
  really decides: sqrt(v) stays below eps and every step is lr g / eps, far below lr.

Example:
    >>> import numpy as np
    >>> from rmsnotes import optim
    >>> grads = np.array([[4.0, 0.0]] * 50)          # x[1] never sees a gradient
    >>> hist = optim.run(optim.adagrad(lr=0.1, eps=0.0), optim.replay(grads), [1.0, 1.0], 50)
    >>> [(f.kind, f.step, f.coordinates) for f in find_dead(hist)]
    [('dead', 1, (1,))]
    >>> find_stall(hist)          # x[0]'s rate, 0.1 / (4 sqrt(t)), is not 10x down by step 50
    []
    >>> [(f.kind, f.step, f.group) for f in find_stall(hist, drop=5.0)]
    [('stall', 25, 'x[0]')]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from rmsnotes import _validate
from rmsnotes.optim import History

__all__ = [
    "Finding",
    "GroupSummary",
    "groups_of",
    "effective_rates",
    "update_ratios",
    "grad_norms",
    "accumulators",
    "summary",
    "find_stall",
    "find_blowup",
    "find_dead",
]


class Finding(NamedTuple):
    """One thing a detector found.

    Attributes:
        kind: ``"stall"``, ``"blowup"`` or ``"dead"``.
        step: the step t (1 .. T) where it starts.
        group: the group's name ("" for the whole run, a blow-up).
        coordinates: the entries of the parameter vector concerned.
        message: a sentence a learner can read: what was seen, at which values.
    """

    kind: str
    step: int
    group: str
    coordinates: tuple[int, ...]
    message: str


class GroupSummary(NamedTuple):
    """First and last per-step values of one group's monitors (see the module docstring).

    ``rate_*`` is the median effective rate, ``ratio_*`` the update ratio, ``grad_*``
    the RMS gradient, at step 1 and at the last step; ``accumulator_last`` the median
    of the state's squared-gradient statistic (s or v) at the end, nan if it keeps none.
    """

    size: int
    rate_first: float
    rate_last: float
    ratio_first: float
    ratio_last: float
    grad_first: float
    grad_last: float
    accumulator_last: float


# ---------------------------------------------------------------------------- groups


def _check_history(hist: Any) -> History:
    if not isinstance(hist, History):
        raise TypeError(f"hist must be a History from optim.run, got {type(hist).__name__}")
    if hist.grads is None or hist.updates is None or hist.rates is None:
        raise ValueError("this History kept no gradients: run it with record='all' (the default)")
    if hist.every != 1:
        raise ValueError(
            f"the monitors need every step (every=1), this History kept one in {hist.every}"
        )
    if hist.xs.ndim > 2:
        raise ValueError(
            f"the monitors read one flat parameter vector per step, got points of shape "
            f"{hist.xs.shape[1:]} (a stack of runs: monitor one row at a time)"
        )
    return hist


def _flat(values: np.ndarray) -> np.ndarray:
    """Per-step values as (T, n): a 0-d point is one coordinate."""
    return values.reshape(len(values), -1)


def groups_of(hist: History, groups: Mapping[str, Any] | None = None) -> dict[str, np.ndarray]:
    """The groups as name -> sorted coordinate indices, checked against the History.

    ``groups`` maps a name to an int, a slice or a sequence of ints (indices
    0 .. n - 1 into the flat parameter vector of n coordinates; negative indices are
    rejected rather than wrapped, a slice follows Python's rules); None makes each
    coordinate its own group, ``"x[i]"``. A non-mapping is a TypeError, an empty
    dict a ValueError.

    Example:
        >>> from rmsnotes import optim
        >>> hist = optim.run(optim.sgd(), lambda x: x, [1.0, 2.0, 3.0], 1)
        >>> groups_of(hist, {"first": 0, "rest": slice(1, None)})
        {'first': array([0]), 'rest': array([1, 2])}
    """
    n = _flat(hist.xs).shape[1]
    if groups is None:
        return {f"x[{i}]": np.array([i]) for i in range(n)}
    if not isinstance(groups, Mapping):
        raise TypeError(f"groups must be a non-empty dict name -> indices, got {groups!r}")
    if not groups:
        raise ValueError("groups must be a non-empty dict name -> indices, got {}")
    index = np.arange(n)
    out = {}
    for name, where in groups.items():
        if not isinstance(name, str):
            raise TypeError(f"group names must be strings, got {name!r}")
        try:
            if isinstance(where, slice):
                idx = index[where]
            else:
                raw = np.atleast_1d(np.asarray(where))
                if raw.dtype.kind not in "iu" or raw.ndim != 1:
                    raise TypeError
                if (raw < 0).any():
                    raise IndexError
                idx = index[raw]
        except IndexError:
            raise ValueError(
                f"group {name!r} = {where!r} reaches outside the {n} coordinates "
                f"(indices 0 .. {n - 1})"
            ) from None
        except TypeError:
            raise TypeError(
                f"group {name!r} must be an int, a slice or a sequence of ints, got {where!r}"
            ) from None
        if idx.size == 0:
            raise ValueError(f"group {name!r} = {where!r} holds no coordinate")
        out[name] = np.unique(idx)
    return out


def _per_group(values: np.ndarray, groups: dict[str, np.ndarray], reduce) -> dict[str, np.ndarray]:
    flat = _flat(values)
    return {name: reduce(flat[:, idx]) for name, idx in groups.items()}


def _rms(a: np.ndarray) -> np.ndarray:
    """The RMS of each row, sqrt(mean of a^2): the module's one "gradient size"."""
    return np.sqrt((a * a).mean(axis=1))


def _norm(a: np.ndarray) -> np.ndarray:
    return np.sqrt((a * a).sum(axis=1))


# -------------------------------------------------------------------------- monitors


def effective_rates(
    hist: History, groups: Mapping[str, Any] | None = None
) -> dict[str, np.ndarray]:
    """The median effective rate lr / d of each group at every step, shape (T,) each.

    Example:
        >>> from rmsnotes import optim
        >>> hist = optim.run(optim.adagrad(lr=1.0, eps=0.0), optim.replay([[2.0]] * 4), [0.0], 4)
        >>> effective_rates(hist)["x[0]"]        # 1 / sqrt(4 t)
        array([0.5       , 0.35355339, 0.28867513, 0.25      ])
    """
    hist = _check_history(hist)
    rates = np.broadcast_to(hist.rates, hist.grads.shape)
    return _per_group(rates, groups_of(hist, groups), lambda a: np.median(a, axis=1))


def update_ratios(hist: History, groups: Mapping[str, Any] | None = None) -> dict[str, np.ndarray]:
    """||update_t|| / ||x_{t-1}|| of each group at every step, shape (T,) each.

    inf where the group's point is 0 and its update is not; 0 where both are 0.

    Example:
        >>> from rmsnotes import optim
        >>> hist = optim.run(optim.sgd(lr=0.1), lambda x: x, [3.0, 4.0], 2)
        >>> update_ratios(hist, {"all": slice(None)})["all"]    # GD on x^2/2: 0.1 each step
        array([0.1, 0.1])
    """
    hist = _check_history(hist)
    groups = groups_of(hist, groups)
    before, updates = _flat(hist.xs[:-1]), _flat(hist.updates)
    out = {}
    for name, idx in groups.items():
        num, den = _norm(updates[:, idx]), _norm(before[:, idx])
        with np.errstate(divide="ignore", invalid="ignore"):
            out[name] = np.where(den > 0, num / den, np.where(num > 0, np.inf, 0.0))
    return out


def grad_norms(hist: History, groups: Mapping[str, Any] | None = None) -> dict[str, np.ndarray]:
    """The RMS of each group's gradient, sqrt(mean of g^2), at every step: shape (T,) each.

    Example:
        >>> from rmsnotes import optim
        >>> hist = optim.run(optim.sgd(lr=0.1), optim.replay([[3.0, 4.0]]), [0.0, 0.0], 1)
        >>> grad_norms(hist, {"all": [0, 1]})["all"]      # sqrt((9 + 16) / 2)
        array([3.53553391])
    """
    hist = _check_history(hist)
    return _per_group(hist.grads, groups_of(hist, groups), _rms)


def accumulators(hist: History, groups: Mapping[str, Any] | None = None) -> dict[str, np.ndarray]:
    """The median of each group's squared-gradient statistic (s or v) after every step.

    Shape (T,) each: entry t - 1 is the state after step t (``hist.accumulator[t]``).
    Raises ValueError for an optimizer that keeps no such statistic (SGD).

    Example:
        >>> from rmsnotes import optim
        >>> hist = optim.run(optim.rmsprop(lr=0.1, beta=0.5), optim.replay([[2.0]] * 3), [0.0], 3)
        >>> accumulators(hist)["x[0]"]          # 4 (1 - 0.5^t)
        array([2. , 3. , 3.5])
    """
    hist = _check_history(hist)
    try:
        acc = hist.accumulator[1:]
    except AttributeError:
        raise ValueError(
            f"accumulators: {hist.name!r} keeps no squared-gradient statistic (s or v)"
        ) from None
    return _per_group(acc, groups_of(hist, groups), lambda a: np.median(a, axis=1))


def summary(hist: History, groups: Mapping[str, Any] | None = None) -> dict[str, GroupSummary]:
    """Each group's monitors at step 1 and at the last step (a table to print).

    Example:
        >>> from rmsnotes import optim
        >>> hist = optim.run(optim.adagrad(lr=1.0, eps=0.0), optim.replay([[2.0]] * 4), [1.0], 4)
        >>> s = summary(hist)["x[0]"]
        >>> s.rate_first, s.rate_last, s.accumulator_last      # s = 4 t
        (0.5, 0.25, 16.0)
    """
    hist = _check_history(hist)
    if len(hist.grads) == 0:
        raise ValueError("this History has no steps to summarise")
    groups = groups_of(hist, groups)
    rates = effective_rates(hist, groups)
    ratios = update_ratios(hist, groups)
    grads = grad_norms(hist, groups)
    try:
        acc = _flat(hist.accumulator)
    except AttributeError:
        acc = None
    out = {}
    for name, idx in groups.items():
        last_acc = float(np.median(acc[-1, idx])) if acc is not None else float("nan")
        out[name] = GroupSummary(
            int(idx.size),
            float(rates[name][0]),
            float(rates[name][-1]),
            float(ratios[name][0]),
            float(ratios[name][-1]),
            float(grads[name][0]),
            float(grads[name][-1]),
            last_acc,
        )
    return out


# ------------------------------------------------------------------------- detectors


def _factor(name: str, value: Any) -> float:
    value = _validate.positive(name, value)
    if value <= 1:
        raise ValueError(f"{name} must be > 1 (a factor), got {value!r}")
    return value


def find_stall(
    hist: History,
    groups: Mapping[str, Any] | None = None,
    *,
    drop: float = 10.0,
    loss_target: float | None = None,
    warmup: int | None = None,
) -> list[Finding]:
    """Groups whose steps shrank by ``drop`` while their gradient did not: a stall.

    For each group, the first step t where the median effective rate is at most its
    peak so far (over steps 1 .. t) divided by ``drop``, while the group's RMS
    gradient is still more than its value at that peak divided by ``drop`` (so the
    step, rate times gradient, fell faster than the gradient: not convergence) but
    not above it (a rate that falls because the gradient grew, as in a blow-up,
    leaves the step as large as before: not a stall), and, if ``loss_target`` is
    given, the loss at t is still above it. One finding per stalled group.

    The first ``warmup`` steps are ignored (neither a peak nor a stall): an average
    that starts from v_0 = 0, as RMSprop's does, is biased low for about its window
    1 / (1 - beta) steps, so a coordinate whose first gradients are small (a bias
    at a random start) has an inflated rate there, a peak no later step matches.
    The default is that window, round(1 / (1 - beta)), for an optimizer with a
    ``beta`` (RMSprop, AdaDelta: 10 at beta 0.9), and 0 otherwise (AdaGrad's sum
    s_t has no such bias: its step-1 rate is a real peak).

    AdaGrad on the intercept regression at lr 0.05 stalls so (its rate falls like
    1 / sqrt(t) while the gradient stays large); RMSprop's rate *rises* as its
    gradient shrinks, and plain SGD's never changes, so neither is flagged.

    Args:
        hist: a History from ``optim.run`` (record="all", every=1).
        groups: see :func:`groups_of`.
        drop: the factor, > 1.
        loss_target: optional; a loss below which a run counts as done (e.g. a
            little above the least-squares loss). Needs ``hist.losses``.
        warmup: an int >= 0, or None for the default above.

    Example:
        >>> from rmsnotes import optim
        >>> grads = np.ones((400, 1))
        >>> hist = optim.run(optim.adagrad(lr=1.0, eps=0.0), optim.replay(grads), [0.0], 400)
        >>> find_stall(hist)[0].step        # the rate 1 / sqrt(t) is 1/10 of its start at t = 100
        100
    """
    hist = _check_history(hist)
    drop = _factor("drop", drop)
    if loss_target is not None:
        loss_target = _validate.finite("loss_target", loss_target)
        if hist.losses is None:
            raise ValueError("loss_target needs the losses: run with loss_fn=...")
    if warmup is None:
        beta = hist.optimizer.hyperparams.get("beta") if hist.optimizer is not None else None
        warmup = round(1 / (1 - beta)) if beta is not None else 0
    else:
        warmup = _validate.count("warmup", warmup, 0)
    groups = groups_of(hist, groups)
    rates = effective_rates(hist, groups)
    grads = grad_norms(hist, groups)
    findings = []
    for name, idx in groups.items():
        rate, grad = rates[name], grads[name]
        if rate.size <= warmup:
            continue
        # the peak over steps warmup + 1 .. t: the first warmup steps never count
        peak_at = _running_argmax(np.where(np.arange(rate.size) < warmup, -np.inf, rate))
        peak_at = np.maximum(peak_at, warmup)
        fell = (rate * drop <= rate[peak_at]) & (np.arange(rate.size) >= warmup)
        # the gradient is still more than 1/drop of what it was at the peak (not
        # converged), and not larger (a growing gradient lowers the rate, not the step)
        still = (grad * drop > grad[peak_at]) & (grad <= grad[peak_at])
        hit = fell & still
        if loss_target is not None:
            hit &= hist.losses[1:] > loss_target
        if hit.any():
            t = int(np.argmax(hit))
            findings.append(
                Finding(
                    "stall",
                    t + 1,
                    name,
                    tuple(int(i) for i in idx),
                    f"{name}: the effective rate fell from {rate[peak_at[t]]:.3g} (step "
                    f"{peak_at[t] + 1}) to {rate[t]:.3g} at step {t + 1}, {rate[peak_at[t]] / rate[t]:.3g}x, "
                    f"while the RMS gradient only went from {grad[peak_at[t]]:.3g} to {grad[t]:.3g}",
                )
            )
    return findings


def _running_argmax(values: np.ndarray) -> np.ndarray:
    """For each t, the index of the largest of values[0 .. t] (the first if tied)."""
    running = np.maximum.accumulate(values)
    is_new = np.concatenate([[True], values[1:] > running[:-1]])
    return np.maximum.accumulate(np.where(is_new, np.arange(len(values)), 0))


def find_blowup(hist: History, *, growth: float = 10.0) -> list[Finding]:
    """The first step where the run blows up, as a list of at most one finding.

    A blow-up at step t: x_t, the gradient of step t or the loss at x_t is not
    finite, or the loss at x_t is more than ``growth`` times the smallest loss so far
    (without losses: the RMS gradient of step t, as :func:`grad_norms` measures it
    over all coordinates, more than ``growth`` times its smallest so far). Losses are compared as given, so they should be >= 0 (a mean
    squared error, a cross-entropy).

    Args:
        hist: a History from ``optim.run``, e.g. with ``nonfinite="freeze"`` so that
            a diverging run still returns.
        growth: the factor, > 1.

    Example:
        >>> from rmsnotes import optim
        >>> hist = optim.run(optim.sgd(lr=1.5), lambda x: 2 * x, [1.0], 5, loss_fn=lambda x: x[0]**2)
        >>> hist.losses[:4]     # GD on x^2 with lr 1.5: x -> -2x each step
        array([ 1.,  4., 16., 64.])
        >>> find_blowup(hist)[0].step       # the loss 16 at x_2 is 16x the best, 1
        2
    """
    hist = _check_history(hist)
    growth = _factor("growth", growth)
    T = len(hist.grads)
    if T == 0:
        return []
    xs, grads = _flat(hist.xs), _flat(hist.grads)
    bad = ~np.isfinite(xs[1:]).all(axis=1) | ~np.isfinite(grads).all(axis=1)
    if hist.losses is not None:
        what = "the loss"
        series = hist.losses
        bad |= ~np.isfinite(series[1:])
        values = series[1:]
        with np.errstate(invalid="ignore"):
            best = np.fmin.accumulate(series)[:-1]  # best up to x_{t-1}
    else:
        what = "the RMS gradient"
        values = _rms(grads)
        with np.errstate(invalid="ignore"):
            best = np.fmin.accumulate(values)
            best = np.concatenate([[np.inf], best[:-1]])
    with np.errstate(invalid="ignore", over="ignore"):
        grew = values > growth * best
    hits = bad | grew
    if not hits.any():
        return []
    t = int(np.argmax(hits))
    if bad[t]:
        message = f"step {t + 1}: a non-finite value (point, gradient or loss); the run diverged"
    else:
        message = (
            f"step {t + 1}: {what} {values[t]:.3g} is {values[t] / best[t]:.3g}x its best so far "
            f"({best[t]:.3g}): the steps overshoot (too large an lr?)"
        )
    coords = tuple(range(xs.shape[1]))
    return [Finding("blowup", t + 1, "", coords, message)]


def find_dead(
    hist: History,
    groups: Mapping[str, Any] | None = None,
    *,
    tol: float = 1e-10,
    min_steps: int | None = None,
) -> list[Finding]:
    """Coordinates whose gradient stayed at (nearly) 0 from some step to the end.

    A coordinate is dead from step t when |g| <= tol * (the largest |g| of the whole
    run, any coordinate) at every step from t to the last, and that stretch holds at
    least ``min_steps`` steps (half the run by default). One finding per group with
    dead coordinates, at the earliest such t among them.

    Args:
        hist: a History from ``optim.run``.
        groups: see :func:`groups_of`.
        tol: >= 0, relative to the run's largest gradient; 0 finds exact zeros only.
        min_steps: an int >= 1; default ``max(1, T // 2)``.

    Example:
        >>> from rmsnotes import optim
        >>> grads = np.array([[1.0, 1.0]] * 3 + [[1.0, 0.0]] * 7)   # x[1] dies at step 4
        >>> hist = optim.run(optim.rmsprop(lr=0.1), optim.replay(grads), [0.0, 0.0], 10)
        >>> f = find_dead(hist)[0]
        >>> f.step, f.coordinates
        (4, (1,))
    """
    hist = _check_history(hist)
    tol = _validate.nonnegative("tol", tol)
    T = len(hist.grads)
    min_steps = max(1, T // 2) if min_steps is None else _validate.count("min_steps", min_steps, 1)
    groups = groups_of(hist, groups)
    if T == 0:
        return []
    g = np.abs(_flat(hist.grads))
    scale = float(np.nanmax(g)) if np.isfinite(g).any() else 0.0
    quiet = g <= tol * scale
    # the first step of the final all-quiet stretch: after the last loud step
    loud = ~quiet
    last_loud = np.where(loud.any(axis=0), T - 1 - np.argmax(loud[::-1], axis=0), -1)
    start = last_loud + 1  # 0-based index of the first quiet step of the stretch
    dead = (T - start) >= min_steps
    rates = np.broadcast_to(hist.rates, hist.grads.shape)
    rates = _flat(rates)
    findings = []
    for name, idx in groups.items():
        mine = idx[dead[idx]]
        if mine.size == 0:
            continue
        t = int(start[mine].min())
        rate = float(np.median(rates[-1, mine]))
        findings.append(
            Finding(
                "dead",
                t + 1,
                name,
                tuple(int(i) for i in mine),
                f"{name}: {mine.size} of {idx.size} coordinates had a gradient of at most "
                f"{tol:.1g} x the largest from step {t + 1} to the end ({T - t} steps); "
                f"their accumulator is frozen and their effective rate sits at {rate:.3g}",
            )
        )
    return findings
