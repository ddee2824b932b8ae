"""Tests of rmsnotes.limits: Reddi et al.'s problem, the drift, the phase diagram."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import assert_import_changes_nothing

from rmsnotes import limits, optim


def rmsprop(beta, lr=limits.LR):
    return optim.rmsprop(lr=lr, beta=beta, eps=0.0)


def amsgrad(beta2, lr=limits.LR):
    return optim.adam(lr, beta1=0.0, beta2=beta2, eps=0.0, bias_correction=False, amsgrad=True)


# ------------------------------------------------------------------------ the problem


def test_gradients_are_C_at_t_1_4_7_and_minus_one_otherwise():
    g = limits.reddi_gradients(3.0, 9)
    np.testing.assert_array_equal(g, [3, -1, -1, 3, -1, -1, 3, -1, -1])
    t = np.arange(1, 10)
    np.testing.assert_array_equal(g == 3.0, t % 3 == 1)  # t counted from 1
    assert limits.reddi_gradients([3.0, 10.0], 5).shape == (5, 2)
    assert limits.reddi_gradients(np.ones((2, 3)), 4).shape == (4, 2, 3)
    assert limits.reddi_gradients(3.0, 0).shape == (0,)


def test_the_average_loss_is_smallest_at_minus_one_for_C_above_2():
    for C in (2.5, 3.0, 10.0):
        g = limits.reddi_gradients(C, 3)
        assert g.sum() == C - 2 > 0  # f over a period is (C - 2) x: minimised at x = -1


def test_projection_and_schedule():
    np.testing.assert_array_equal(
        limits.reddi_project([-3.0, -1.0, 0.2, 1.0, 7.0]), [-1, -1, 0.2, 1, 1]
    )
    assert limits.reddi_schedule(1) == 1.0 and limits.reddi_schedule(9) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="t must be >= 1"):
        limits.reddi_schedule(0)


def test_run_is_optim_run_with_the_schedule_and_projection():
    opt = rmsprop(0.1)
    hist = limits.reddi_run(opt, C=3.0, steps=30, x0=0.2)
    ref = optim.run(
        opt,
        optim.replay(limits.reddi_gradients(3.0, 30)),
        0.2,
        30,
        schedule=lambda t: 1 / math.sqrt(t),
        project=lambda x: np.clip(x, -1, 1),
    )
    np.testing.assert_array_equal(hist.xs, ref.xs)
    np.testing.assert_array_equal(hist.grads, limits.reddi_gradients(3.0, 30))
    # lr_t = lr / sqrt(t): the recorded rate is lr_t / sqrt(v_t)
    t = np.arange(1, 31)
    np.testing.assert_allclose(hist.rates, 0.5 / np.sqrt(t) / np.sqrt(hist.states["v"][1:]))
    assert np.all(np.abs(hist.xs) <= 1)


def test_a_stack_of_C_is_one_run_per_C():
    Cs = np.array([3.0, 5.0, 10.0])
    stacked = limits.reddi_run(rmsprop(0.5), Cs, 300)
    for j, C in enumerate(Cs):
        alone = limits.reddi_run(rmsprop(0.5), C, 300)
        np.testing.assert_array_equal(stacked.xs[:, j], alone.xs)


# --------------------------------------------------- PLAN's reference values (C 3, 10)

# PLAN.md's facts: projected, lr_t = 0.5 / sqrt(t), no eps, 3000 steps, x0 = 0.5. They
# are quoted to two decimals, so each end point must lie within 0.005 of its value.
PLAN = {
    3.0: {0.0: 1.0, 0.1: 1.0, 0.5: -0.59, 0.9: -0.99, 0.99: -0.99},
    10.0: {0.0: 1.0, 0.1: -0.01, 0.5: -1.0, 0.9: -1.0, 0.99: -1.0},
}


@pytest.mark.parametrize("C", list(PLAN))
def test_plans_phase_diagram_values(C):
    for beta, expected in PLAN[C].items():
        end = float(limits.reddi_run(rmsprop(beta), C, 3000).final)
        assert abs(end - expected) < 0.005, (C, beta, end)


def test_rmsprop_small_beta_ends_exactly_at_the_worst_point():
    for beta in (0.0, 0.1):
        hist = limits.reddi_run(rmsprop(beta), 3.0, 3000)
        assert hist.final == 1.0  # projected onto +1, the worst point of [-1, 1]
        # the average regret stays away from 0 (Reddi et al.'s Theorem 1)
        regret = limits.reddi_regret(hist, 3.0)
        assert regret[-1] > 0.5 and regret[-1] > 0.9 * regret[len(regret) // 2]


def test_the_minus_099_is_minus_one_plus_the_last_two_steps():
    """Where RMSprop converges, the step on C lands on -1 (projected) and the last two
    steps, on g = -1, climb back by lr_t / sqrt(v_t) each: the -0.99 of PLAN."""
    hist = limits.reddi_run(rmsprop(0.9), 3.0, 3000)
    assert hist.xs[2998] == -1.0  # t = 2998 is a step on C (2998 mod 3 == 1)
    v = hist.states["v"]
    climb = 0.5 / math.sqrt(2999) / math.sqrt(v[2999]) + 0.5 / math.sqrt(3000) / math.sqrt(v[3000])
    assert float(hist.final) == pytest.approx(-1.0 + climb, rel=1e-12)


# ------------------------------------------------------------- the fixes: AMSGrad, AdaGrad


@pytest.mark.parametrize("C", [2.5, 3.0, 10.0, 30.0])
@pytest.mark.parametrize("beta2", [0.0, 0.1, 0.5, 0.9, 0.99])
def test_amsgrad_reaches_minus_one(C, beta2):
    """beta1 = 0, no bias correction (Reddi et al.'s AMSGrad): it touches -1 every period
    at the end, for C and beta2 where RMSprop fails too; between touches it climbs at
    most two steps of lr_t / sqrt(vmax) (vmax >= the g^2 of the -1 steps' v, >= 1 - beta2)."""
    hist = limits.reddi_run(amsgrad(beta2), C, 3000)
    assert hist.xs[-3:].min() == -1.0
    bound = 2 * 0.5 / math.sqrt(2999) / math.sqrt(float(hist.states["vmax"][-1]))
    assert -1.0 <= float(hist.final) <= -1.0 + bound
    regret = limits.reddi_regret(hist, C)
    # the average regret falls towards 0, about like 1 / sqrt(T): ten times the steps,
    # a third of the regret
    assert regret[-1] < 0.5 * regret[299]


def test_torch_style_amsgrad_reaches_minus_one_too():
    hist = limits.reddi_run(optim.adam(0.5, beta1=0.9, beta2=0.99, eps=0.0, amsgrad=True), 3.0)
    assert hist.xs[-3:].min() == -1.0


@pytest.mark.parametrize("C", [3.0, 10.0])
def test_adagrad_reaches_minus_one_at_a_constant_lr(C):
    """AdaGrad in Reddi et al.'s framework (alpha / sqrt(t) over the root of the mean
    of g^2) is AdaGrad at a constant lr."""
    hist = limits.reddi_run(optim.adagrad(lr=0.5, eps=0.0), C, 3000, lr_decay=False)
    assert hist.xs[-3:].min() == -1.0 and float(hist.final) < -0.98


def test_adagrad_with_the_schedule_on_top_only_crawls():
    """With lr_t = 0.5 / sqrt(t) as well, AdaGrad's steps shrink like 1 / t: at C = 3 it
    has not got below -0.5 after 3000 steps (PLAN's "AdaGrad reaches -1" needs the
    constant lr of Reddi et al.'s framework), though it heads there."""
    hist = limits.reddi_run(optim.adagrad(lr=0.5, eps=0.0), 3.0, 3000)
    assert -0.5 < float(hist.final) < 0.0
    assert hist.xs[-1] < hist.xs[1500] < hist.xs[300]


# ------------------------------------------------------------------------ the drift


def test_drift_is_the_periodic_state_of_the_recursion():
    for beta in (0.0, 0.3, 0.8):
        for C in (3.0, 7.0):
            v = 0.0
            for _ in range(3000):  # many periods: v becomes periodic
                v = beta * v + (1 - beta) * C**2
                v1 = v
                v = beta * v + (1 - beta)
                v2 = v
                v = beta * v + (1 - beta)
                v3 = v
            by_hand = 1 / math.sqrt(v2) + 1 / math.sqrt(v3) - C / math.sqrt(v1)
            assert float(limits.reddi_drift(beta, C)) == pytest.approx(by_hand, rel=1e-12)


def test_drift_limits():
    Cs = np.array([2.5, 3.0, 10.0, 100.0])
    np.testing.assert_allclose(limits.reddi_drift(0.0, Cs), 1.0)  # sign descent, any C
    far = (2 - Cs) / np.sqrt((Cs**2 + 2) / 3)  # beta -> 1: v -> the mean of g^2
    np.testing.assert_allclose(limits.reddi_drift(1 - 1e-9, Cs), far, rtol=1e-6)
    assert np.all(far < 0)
    # for each C some beta converges: the large-beta fix, beta chosen after C
    betas = np.linspace(0, 0.999, 200)[:, None]
    assert np.all((limits.reddi_drift(betas, Cs) < 0).any(axis=0))
    # Reddi et al.'s Theorem 1 setting, beta2 = 1 / (1 + C^2), fails (drift > 0)
    assert np.all(limits.reddi_drift(1 / (1 + Cs**2), Cs) > 0)


# ------------------------------------------------------------------- the phase diagram


def test_phase_diagram_is_reddi_run_float_for_float():
    betas, Cs = [0.0, 0.1, 0.5, 0.93], [2.5, 3.0, 10.0]
    diagram = limits.phase_diagram(betas, Cs, 900, lr=0.7, x0=-0.3)
    assert diagram.end.shape == (4, 3) and (diagram.steps, diagram.lr, diagram.x0) == (
        900,
        0.7,
        -0.3,
    )
    for i, beta in enumerate(betas):
        runs = limits.reddi_run(rmsprop(beta, lr=0.7), Cs, 900, x0=-0.3)
        np.testing.assert_array_equal(diagram.end[i], runs.final)


@pytest.mark.parametrize(
    ("lr", "x0", "steps"),
    [(0.5, 0.5, 3000), (0.1, 0.5, 3000), (1.0, -0.5, 3000), (2.0, 0.9, 600), (0.5, -1.0, 1200)],
)
def test_the_drift_predicts_the_end_on_other_settings(lr, x0, steps):
    """Over T steps the periods move x by about drift * 2 lr sqrt(T) / 3. Where that is
    at least 4 (twice the width of [-1, 1]), x ends on the drift's side: exactly +1 for
    a positive drift; for a negative one within the last two steps on g = -1 of -1
    (each at most lr_t, since v, an average of C^2 and 1s, is >= 1 once periodic)."""
    betas = np.concatenate([[0.0, 0.01, 0.05], np.linspace(0.1, 0.999, 20)])
    Cs = np.linspace(2.2, 40.0, 15)
    end = limits.phase_diagram(betas, Cs, steps, lr=lr, x0=x0).end
    drift = limits.reddi_drift(betas[:, None], Cs[None, :])
    sure = np.abs(drift) * 2 * lr * math.sqrt(steps) / 3 >= 4
    assert sure.sum() > 0.3 * sure.size
    up, down = sure & (drift > 0), sure & (drift < 0)
    assert np.all(end[up] == 1.0)
    assert np.all(end[down] <= -1.0 + 2 * lr / math.sqrt(steps - 1))
    # the robust reading: beta 0 fails for every C; a large beta heads for -1 for every C
    assert np.all(end[0] == 1.0)
    assert np.all(end[-1] < min(x0 + 0.1, 0.0))  # from x0 = -1: back near -1


# --------------------------------------------------------------------------- regret


def test_regret_by_hand():
    # at +1 every f_t(1) - f_t(-1) = 2 g_t: 6, -2, -2, ...
    np.testing.assert_allclose(
        limits.reddi_regret([1.0, 1.0, 1.0, 1.0], 3.0), [6.0, 4.0 / 2, 2.0 / 3]
    )
    # sitting at the optimum -1 costs nothing
    np.testing.assert_array_equal(limits.reddi_regret(-np.ones((7, 2)), [3.0, 5.0]), 0.0)
    with pytest.raises(ValueError, match="broadcast"):
        limits.reddi_regret(np.zeros((4, 2)), [3.0, 4.0, 5.0])


# ------------------------------------------------------------------ the boundary


@pytest.mark.parametrize("C", [2.5, 3.0, 10.0, 20.0])
def test_boundary_is_the_sign_change_of_the_drift(C):
    b = limits.reddi_boundary(C)
    assert 0.0 < b < 0.99
    assert limits.reddi_drift(b - 1e-9, C) > 0 > limits.reddi_drift(b + 1e-9, C)


def test_boundary_near_one_over_C_and_reddis_choice_inside_the_failure():
    for C in (2.5, 3.0, 5.0, 10.0, 20.0):  # the module docstring's beta C in [0.8, 1.6]
        assert 0.8 < limits.reddi_boundary(C) * C < 1.6, C
        # Reddi et al.'s beta2 = 1 / (1 + C^2): well below the boundary, drift about 0.7
        assert 0.65 < limits.reddi_drift(1 / (1 + C**2), C) < 0.75, C


def test_boundary_bad_input():
    with pytest.raises(ValueError, match="C must be > 2"):
        limits.reddi_boundary(2.0)
    with pytest.raises(ValueError, match="C must be > 0"):
        limits.reddi_boundary(-1.0)
    with pytest.raises(ValueError, match="iterations must be >= 1"):
        limits.reddi_boundary(3.0, iterations=0)


# ------------------------------------------------------------- rate-clipped RMSprop


def test_rate_clipped_by_hand():
    opt = limits.rate_clipped_rmsprop(lr=0.1, beta=0.5, eps=0.0, lo=0.05, hi=0.08)
    state = opt.init(np.zeros(3))
    g = np.array([4.0, 0.2, 0.1])
    step, state = opt.update(g, state)
    v = 0.5 * g**2
    np.testing.assert_allclose(state.v, v)
    rate = np.clip(0.1 / np.sqrt(v), 0.05, 0.08)  # 0.035 -> 0.05; 0.71, 1.41 -> 0.08
    np.testing.assert_allclose(step, -rate * g)
    np.testing.assert_allclose(opt.rate(state), [0.05, 0.08, 0.08])


def test_rate_clipped_without_bounds_is_rmsprop_and_a_point_band_is_gd():
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(200, 4)) * [1.0, 10.0, 0.1, 3.0]
    x0 = rng.normal(size=4)
    free = optim.run(limits.rate_clipped_rmsprop(0.01, 0.9), optim.replay(grads), x0, 200)
    plain = optim.run(optim.rmsprop(0.01, 0.9), optim.replay(grads), x0, 200)
    np.testing.assert_allclose(free.xs, plain.xs, rtol=1e-12, atol=1e-15)  # (lr/d) g vs g/d
    band = optim.run(
        limits.rate_clipped_rmsprop(0.01, 0.9, lo=0.02, hi=0.02), optim.replay(grads), x0, 200
    )
    gd = optim.run(optim.sgd(0.02), optim.replay(grads), x0, 200)
    np.testing.assert_allclose(band.xs, gd.xs, rtol=1e-12, atol=1e-14)


def test_rate_clipped_on_reddi_a_narrow_band_converges_a_wide_one_does_not():
    """beta 0.1, C = 3: the rates (per unit lr) are about 0.35 on C and 0.76, 0.97 on
    the -1s. A band that lifts the C step's rate to 0.9 lr flips the drift; a band
    [0.5, 1] lr does not (drift 0.76 + 0.97 - 1.5 > 0)."""

    def end(lo, hi):
        opt = limits.rate_clipped_rmsprop(0.5, 0.1, eps=0.0, lo=lo, hi=hi)
        return float(limits.reddi_run(opt, 3.0).final)

    assert end(0.25, 0.5) == 1.0
    assert end(0.45, 0.55) < -0.98


def test_rate_clipped_bad_input():
    with pytest.raises(ValueError, match="lo must be >= 0"):
        limits.rate_clipped_rmsprop(lo=-1.0)
    with pytest.raises(ValueError, match="hi must satisfy hi >= lo"):
        limits.rate_clipped_rmsprop(lo=0.2, hi=0.1)
    with pytest.raises(ValueError, match="beta"):
        limits.rate_clipped_rmsprop(beta=1.0)
    opt = limits.rate_clipped_rmsprop()
    assert opt.name == "rmsprop_clipped"  # labelled apart from plain RMSprop in plots
    with pytest.raises(ValueError, match="shape"):
        opt.update(np.zeros(2), opt.init(np.zeros(3)))


# ----------------------------------------------------------------------- bad input


@pytest.mark.parametrize("C", [0.0, -3.0, np.inf, np.nan, []])
def test_bad_C(C):
    with pytest.raises(ValueError, match="C must be > 0"):
        limits.reddi_gradients(C, 3)


@pytest.mark.parametrize("C", [True, "3", None])
def test_non_number_C(C):
    with pytest.raises(TypeError, match="C"):
        limits.reddi_gradients(C, 3)


def test_bad_arguments():
    with pytest.raises(TypeError, match="opt must be an Optimizer"):
        limits.reddi_run(optim.rmsprop, 3.0)
    with pytest.raises(ValueError, match=r"x0 must lie in the feasible set \[-1, 1\]"):
        limits.reddi_run(rmsprop(0.5), 3.0, 10, x0=1.5)
    with pytest.raises(TypeError, match="lr_decay"):
        limits.reddi_run(rmsprop(0.5), 3.0, 10, lr_decay=1)
    with pytest.raises(ValueError, match="0 <= beta < 1"):
        limits.phase_diagram([0.5, 1.0], [3.0])
    with pytest.raises(ValueError, match="0 <= beta < 1"):
        limits.reddi_drift(-0.1, 3.0)
    with pytest.raises(ValueError, match="Cs must be a non-empty 1-D"):
        limits.phase_diagram([0.5], [[3.0]])
    with pytest.raises(ValueError, match="lr must be > 0"):
        limits.phase_diagram([0.5], [3.0], lr=0.0)
    with pytest.raises(ValueError, match="x0 must lie"):
        limits.phase_diagram([0.5], [3.0], x0=-2.0)
    with pytest.raises(ValueError, match="steps must be >= 0"):
        limits.reddi_gradients(3.0, -1)


def test_import_does_nothing():
    assert_import_changes_nothing("rmsnotes.limits")
