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
    step, state = opt.update(g, optim.RMSpropState(v=v))  # plain RMSprop keeps v alone
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


def _first_step_with_start_sum() -> float:
    # AdaGrad, lr 0.1, eps 1e-8, s_0 = 0.1 (Keras 3, optax): |first step| for g_1 = 1e-3
    opt = optim.adagrad(lr=0.1, eps=1e-8, initial_accumulator=0.1)
    step, _ = opt.update([1e-3], opt.init([0.0]))
    return float(abs(step[0]))


# ----------------------------------------------------------- notebook 02 answers


def _steps_to_travel_4() -> float:
    # AdaGrad, lr 0.05, eps 0, constant gradient 1: first step t with |x_t - x_0| >= 4
    hist = optim.run(optim.adagrad(lr=0.05, eps=0.0), np.ones_like, [0.0], 3000)
    return float(np.argmax(np.abs(hist.xs[:, 0]) >= 4.0))


def _centred_intercept_data() -> tuple[np.ndarray, np.ndarray]:
    # notebook 02's intercept data with the x column centred (the ones column kept)
    from rmsnotes import data

    X, y = data.make_intercept_regression()
    return np.column_stack([X[:, 0], X[:, 1] - X[:, 1].mean()]), y


def _centred_condition() -> float:
    # condition number of the Hessian X^T X / n after centring x
    X, y = _centred_intercept_data()
    return float(np.linalg.cond(X.T @ X / len(y)))


def _smallest_converging_lr_centred() -> float:
    # AdaGrad, 300 steps from 0 on the centred data: smallest lr of logspace(-2, 2, 17)
    # that ends within 1e-3 of the least-squares weights
    from rmsnotes import sweeps

    X, y = _centred_intercept_data()
    res = sweeps.lr_sweep(optim.adagrad, np.logspace(-2, 2, 17), sweeps.regression_task(X, y), 300)
    return float(sweeps.lrs_below(res, 1e-3).min())


def _rmsprop_return_step() -> float:
    # RMSprop, lr 0.03, beta 0.9, 2000 online steps on the sparse data in notebook 02's
    # order: median |step on w_s| / lr on the steps whose example has the rare feature,
    # every appearance after the first
    from rmsnotes import data, models

    X, y = data.make_sparse_regression()
    order = np.random.default_rng(0).integers(0, len(y), size=2000)
    grad_fn = models.online_grad(models.linear_grad, X, y, order)
    hist = optim.run(optim.rmsprop(lr=0.03, beta=0.9), grad_fn, np.zeros(2), 2000)
    on = np.flatnonzero(X[order, 1] == 1)  # t - 1 for the steps t that see the feature
    return float(np.median(np.abs(hist.updates[on[1:], 1]) / 0.03))


# ----------------------------------------------------------- notebook 03 answers


def _half_life_099() -> float:
    # the age at which a gradient's weight has halved, beta 0.99 (PyTorch's alpha)
    from rmsnotes import ema

    return ema.half_life(0.99)


def _steps_until_step_near_lr() -> float:
    # RMSprop, beta 0.99, eps 0, constant gradient: first t with |step_t| <= 1.1 lr
    lr = 0.01
    hist = optim.run(optim.rmsprop(lr=lr, beta=0.99, eps=0.0), np.ones_like, [0.0], 1000)
    return float(np.argmax(np.abs(hist.updates[:, 0]) <= 1.1 * lr) + 1)


def _steps_to_forget() -> float:
    # RMSprop, beta 0.9, v_0 = 100 (|g| was 10), then g = 1: first t with v_t <= 2
    opt = optim.rmsprop(lr=0.01, beta=0.9, initial_accumulator=100.0)
    hist = optim.run(opt, np.ones_like, [0.0], 1000)
    return float(np.argmax(hist.states["v"][1:, 0] <= 2.0) + 1)


def _tf1_first_step() -> float:
    # TF1's RMSprop: v_0 = 1, eps 1e-10 inside the root, beta 0.9; |first step| / lr, g_1 = 0.01
    lr = 0.01
    opt = optim.rmsprop(lr=lr, beta=0.9, eps=1e-10, eps_in_sqrt=True, initial_accumulator=1.0)
    step, _ = opt.update([0.01], opt.init([0.0]))
    return float(abs(step[0]) / lr)


# ----------------------------------------------------------- notebook 04 answers


def _first_step_ratio() -> float:
    # RMSprop, beta 0.99 (PyTorch's default), eps 0, v_0 = 0: |first step| / lr
    lr = 0.01
    hist = optim.run(optim.rmsprop(lr=lr, beta=0.99, eps=0.0), np.ones_like, [0.0], 1)
    return float(abs(hist.updates[0, 0]) / lr)


def _cycle_half_width() -> float:
    # RMSprop, lr 0.02, beta 0.9, eps 0 on f = 3 x^2 from x = 1: |x| once it cycles
    hist = optim.run(optim.rmsprop(lr=0.02, beta=0.9, eps=0.0), lambda x: 6 * x, [1.0], 2000)
    return float(np.mean(np.abs(hist.xs[-10:, 0])))


def _hinton_no_warm_up() -> float:
    # Hinton's mini-batch gradients (+0.1 nine times, then -0.9) for 1000 steps; RMSprop
    # lr 0.01, beta 0.99, eps 0, v_0 = 0.09 (the cycle's mean square): x after 1000 steps
    grads = np.tile([0.1] * 9 + [-0.9], 100)[:, None]
    opt = optim.rmsprop(lr=0.01, beta=0.99, eps=0.0, initial_accumulator=0.09)
    return float(optim.run(opt, optim.replay(grads), [0.0], 1000).final[0])


def _sign_descent_cycle() -> float:
    # RMSprop with beta 0 (sign descent), lr 0.1, eps 0 on f = x^2 from 0.93: the
    # negative point of its 2-cycle
    hist = optim.run(optim.rmsprop(lr=0.1, beta=0.0, eps=0.0), lambda x: 2 * x, [0.93], 30)
    return float(hist.xs[-4:, 0].min())


# ----------------------------------------------------------- notebook 05 answers
def _adagrad_rate_valley() -> float:
    # AdaGrad, lr 0.05, 300 steps from the valley-plateau's start: effective rate on x
    from rmsnotes import surfaces

    s = surfaces.valley_plateau()
    hist = optim.run(optim.adagrad(lr=0.05), s.grad, s.start, 300)
    return float(hist.rates[-1, 0])


def _dip_crossing_lr() -> float:
    # smallest lr of 0.05, 0.10, ..., 0.50 at which RMSprop (beta 0.9) ends past the
    # narrow dip (u > 2) after 1000 steps from the surface's start
    from rmsnotes import surfaces

    s = surfaces.narrow_dip()
    for lr in np.round(np.arange(0.05, 0.55, 0.05), 2):
        hist = optim.run(optim.rmsprop(lr=float(lr)), s.grad, s.start, 1000)
        if surfaces.valley_coords(hist.final)[0] > 2:
            return float(lr)
    return math.nan


def _wide_dip_end() -> float:
    # RMSprop, lr 0.3, 1000 steps on the dip of width 0.1: where it ends along the valley
    from rmsnotes import surfaces

    s = surfaces.narrow_dip(width=0.1)
    hist = optim.run(optim.rmsprop(lr=0.3), s.grad, s.start, 1000)
    return float(surfaces.valley_coords(hist.final)[0])


def _race_size_ratio() -> float:
    # two wells, lr 0.2, 1000 steps (RMSprop beta 0.99): AdaGrad's final
    # accumulator_size over RMSprop's, the squares of the race at its end
    from rmsnotes import animation, surfaces

    s = surfaces.two_wells()
    ada = optim.run(optim.adagrad(lr=0.2), s.grad, s.start, 1000)
    rms = optim.run(optim.rmsprop(lr=0.2, beta=0.99), s.grad, s.start, 1000)
    return float(animation.accumulator_size(ada)[-1] / animation.accumulator_size(rms)[-1])


def _default_steps() -> float:
    # the intercept regression (seed 0) from 0 with RMSprop's notes' defaults (lr 0.001,
    # beta 0.9, eps 1e-8): the first step at which the distance to w* is below 0.01
    from rmsnotes import data, models

    X, y = data.make_intercept_regression(seed=0)
    w_star = data.least_squares(X, y)
    _, grad_fn = models.linear_problem(X, y)
    hist = optim.run(optim.rmsprop(lr=0.001), grad_fn, np.zeros(2), 8000, record="points")
    return float(np.argmax(hist.distances(w_star) < 0.01))


def _steps_to_half_lr() -> float:
    # 50 gradients of 8, then gradients of 0.1, into RMSprop (lr 0.01, beta 0.99): how many
    # of the small gradients until a step is at least lr / 2 long
    grads = np.r_[np.full(50, 8.0), np.full(2000, 0.1)][:, None]
    hist = optim.run(optim.rmsprop(lr=0.01, beta=0.99), optim.replay(grads), [0.0], len(grads))
    ratio = np.abs(hist.updates[50:, 0]) / 0.01
    return float(np.argmax(ratio >= 0.5) + 1)


def _keras_floor_ratio() -> float:
    # a constant gradient 1e-5, eps 1e-7 inside the root (Keras 3's default), 500 steps:
    # the settled |step| / lr
    opt = optim.rmsprop(lr=0.001, eps=1e-7, eps_in_sqrt=True)
    hist = optim.run(opt, lambda x: np.full_like(x, 1e-5), [0.0], 500)
    return float(abs(hist.updates[-1, 0]) / 0.001)


# ----------------------------------------------------------- notebook 07 answers


def _centered_step_100() -> float:
    # centered RMSprop, lr 0.01, beta 0.9, eps 1e-8 outside, constant gradient 1:
    # |step_100| / lr (v - m^2 = beta^t (1 - beta^t) shrinks, the step grows)
    opt = optim.rmsprop(lr=0.01, beta=0.9, eps=1e-8, centered=True)
    hist = optim.run(opt, np.ones_like, [0.0], 100)
    return float(abs(hist.updates[-1, 0]) / 0.01)


def _adam_uncorrected_first_step() -> float:
    # Adam, beta1 0.9, beta2 0.999, eps 0, no bias correction: |first step| / lr
    opt = optim.adam(lr=0.01, beta1=0.9, beta2=0.999, eps=0.0, bias_correction=False)
    step, _ = opt.update([3.0], opt.init([0.0]))
    return float(abs(step[0]) / 0.01)


def _adadelta_first_step() -> float:
    # AdaDelta, lr 1, beta 0.9, eps 1e-4, g_1 = 0.02: |first step| (with 0.1 g^2 below eps,
    # far from the large-gradient value sqrt(eps / (1 - beta)))
    opt = optim.adadelta(lr=1.0, beta=0.9, eps=1e-4)
    step, _ = opt.update([0.02], opt.init([0.0]))
    return float(abs(step[0]))


def _centered_momentum_bytes() -> float:
    # state bytes of centered RMSprop with momentum for 10 million float32 parameters,
    # counted on 1000 (the state is arrays shaped like x, so bytes scale with the count):
    # no 160 MB allocation for a number
    n, total = 1000, 10_000_000
    state = optim.rmsprop(centered=True, momentum=0.9).init(np.zeros(n, dtype=np.float32))
    return float(optim.state_nbytes(state) // n * total)


# ----------------------------------------------------------- notebook 09 answers


def _boundary_beta_c3() -> float:
    # the beta at which RMSprop's drift per period on Reddi's problem (C = 3) is 0
    from rmsnotes import limits

    return limits.reddi_boundary(3.0)


def _regret_c5() -> float:
    # RMSprop (lr 0.5/sqrt(t), beta 0.1, eps 0) on Reddi's problem with C = 5: R_T / T, T = 3000
    from rmsnotes import limits

    hist = limits.reddi_run(optim.rmsprop(lr=0.5, beta=0.1, eps=0.0), 5.0, 3000)
    return float(limits.reddi_regret(hist, 5.0)[-1])


def _readapt_steps_095() -> float:
    # RMSprop lr 0.01, beta 0.95, eps 1e-8: gradients 1 for 100 steps, then 10; the number
    # of steps on the 10s until |step| / lr is within 10 % of 1
    grads = np.r_[np.ones(100), np.full(1000, 10.0)][:, None]
    hist = optim.run(optim.rmsprop(lr=0.01, beta=0.95), optim.replay(grads), [0.0], len(grads))
    ratio = np.abs(hist.updates[100:, 0]) / 0.01
    return float(np.argmax(np.abs(ratio - 1) <= 0.1) + 1)


def _wilson_adagrad_error() -> float:
    # AdaGrad (lr 0.1, 1000 steps from 0) on make_wilson_separable(n=30, p=0.9, n_test=100,
    # seed=3): the fraction of test points it misclassifies
    from rmsnotes import data, models

    split = data.make_wilson_separable(n=30, p=0.9, n_test=100, seed=3)
    _, grad_fn = models.linear_problem(split.X, split.y)
    w = optim.run(
        optim.adagrad(lr=0.1), grad_fn, np.zeros(split.X.shape[1]), 1000, record="final"
    ).final
    return float(np.mean(np.sign(split.X_test @ w) != split.y_test))


def _moons_mlp() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from rmsnotes import data, models

    moons = data.make_moons(n=200, noise=0.2, seed=0)
    return moons.X, moons.y, models.mlp_init(hidden=16, seed=0)


def _batch_variance_b2() -> float:
    # variance of b2's mini-batch gradient (batches of 32 of 200, without replacement)
    from rmsnotes import models

    X, y, w = _moons_mlp()
    per_example = np.array([models.mlp_grad(w, X[i : i + 1], y[i : i + 1])[-1] for i in range(200)])
    return float(per_example.var() / 32 * (200 - 32) / (200 - 1))


def _adagrad_stall_step() -> float:
    # full-batch AdaGrad at lr 0.01: the step find_stall reports for W1
    from rmsnotes import models, monitor

    X, y, w = _moons_mlp()
    _, grad_fn = models.mlp_problem(X, y, hidden=16)
    hist = optim.run(optim.adagrad(lr=0.01), grad_fn, w, 1000)
    (finding,) = monitor.find_stall(hist, {"W1": models.mlp_layers(16)["W1"]})
    return float(finding.step)


def _first_live_step() -> float:
    # RMSprop (lr 0.001, beta 0.99): a coordinate dead for 50 steps, then g = 3
    grads = np.zeros((51, 1))
    grads[-1] = 3.0
    hist = optim.run(optim.rmsprop(lr=0.001, beta=0.99), optim.replay(grads), [0.0], 51)
    return float(abs(hist.updates[-1, 0]))


# Exercise answers, keyed "<notebook>-<name>", computed by rmsnotes when asked for.
ANSWERS: dict[str, Callable[[], float]] = {
    "01-rate-after-100": _rate_after_100,
    "01-distance-after-10000": _distance_after_10000,
    "01-first-step-with-start-sum": _first_step_with_start_sum,
    # notebook 02
    "02-steps-to-travel-4": _steps_to_travel_4,
    "02-centred-condition": _centred_condition,
    "02-smallest-converging-lr-centred": _smallest_converging_lr_centred,
    "02-rmsprop-return-step": _rmsprop_return_step,
    # notebook 03
    "03-half-life-0.99": _half_life_099,
    "03-steps-until-step-near-lr": _steps_until_step_near_lr,
    "03-steps-to-forget": _steps_to_forget,
    "03-tf1-first-step": _tf1_first_step,
    # notebook 04
    "04-first-step-ratio": _first_step_ratio,
    "04-cycle-half-width": _cycle_half_width,
    "04-hinton-no-warm-up": _hinton_no_warm_up,
    "04-sign-descent-cycle": _sign_descent_cycle,
    # notebook 05
    "05-adagrad-rate-valley": _adagrad_rate_valley,
    "05-dip-crossing-lr": _dip_crossing_lr,
    "05-wide-dip-end": _wide_dip_end,
    "05-race-size-ratio": _race_size_ratio,
    # notebook 06
    "06-default-steps": _default_steps,
    "06-steps-to-half-lr": _steps_to_half_lr,
    "06-keras-floor-ratio": _keras_floor_ratio,
    # notebook 07
    "07-centered-step-100": _centered_step_100,
    "07-adam-uncorrected-first-step": _adam_uncorrected_first_step,
    "07-adadelta-first-step": _adadelta_first_step,
    "07-centered-momentum-bytes": _centered_momentum_bytes,
    # notebook 08
    "08-batch-variance-b2": _batch_variance_b2,
    "08-adagrad-stall-step": _adagrad_stall_step,
    "08-first-live-step": _first_live_step,
    # notebook 09
    "09-boundary-beta-C3": _boundary_beta_c3,
    "09-regret-C5": _regret_c5,
    "09-readapt-steps-0.95": _readapt_steps_095,
    "09-wilson-adagrad-error": _wilson_adagrad_error,
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
