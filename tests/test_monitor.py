"""Tests of rmsnotes.monitor: hand-made histories with known answers, then real runs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import assert_import_changes_nothing

from rmsnotes import data, models, monitor, optim


def history(xs, grads, rates, losses=None, updates=None):
    """A hand-made History: updates default to the differences of xs."""
    xs = np.asarray(xs, dtype=float)
    grads = np.asarray(grads, dtype=float)
    updates = np.diff(xs, axis=0) if updates is None else np.asarray(updates, dtype=float)
    rates = np.asarray(rates, dtype=float)
    losses = None if losses is None else np.asarray(losses, dtype=float)
    return optim.History(xs, grads, updates, {}, rates, losses)


# ---------------------------------------------------------------------------- groups


def test_groups_default_to_one_per_coordinate_and_accept_ints_slices_sequences():
    hist = optim.run(optim.sgd(), lambda x: x, np.ones(5), 2)
    assert list(monitor.groups_of(hist)) == ["x[0]", "x[1]", "x[2]", "x[3]", "x[4]"]
    groups = monitor.groups_of(hist, {"a": 4, "b": slice(0, 2), "c": [3, 2, 3], "d": np.array([1])})
    assert {k: v.tolist() for k, v in groups.items()} == {
        "a": [4],
        "b": [0, 1],
        "c": [2, 3],
        "d": [1],
    }
    groups = monitor.groups_of(hist, models.mlp_layers(1, n_inputs=2))  # 2 + 1 + 1 + 1 = 5
    assert [v.size for v in groups.values()] == [2, 1, 1, 1]


@pytest.mark.parametrize(
    ("groups", "exc", "fragment"),
    [
        ({"a": 5}, ValueError, "reaches outside the 5 coordinates"),
        ({"a": slice(7, 9)}, ValueError, "holds no coordinate"),
        ({"a": 1.5}, TypeError, "an int, a slice or a sequence of ints"),
        ({"a": [[0, 1]]}, TypeError, "an int, a slice or a sequence of ints"),
        ({1: 0}, TypeError, "group names must be strings"),
        ({"a": -1}, ValueError, r"reaches outside the 5 coordinates \(indices 0 \.\. 4\)"),
        ({"a": [0, -2]}, ValueError, "reaches outside"),
        ({}, ValueError, "non-empty dict"),
        ([0, 1], TypeError, "non-empty dict"),
    ],
)
def test_bad_groups(groups, exc, fragment):
    hist = optim.run(optim.sgd(), lambda x: x, np.ones(5), 2)
    with pytest.raises(exc, match=fragment):
        monitor.update_ratios(hist, groups)


def test_the_monitors_need_a_full_flat_history():
    with pytest.raises(TypeError, match="History from optim.run"):
        monitor.update_ratios({"xs": np.zeros(3)})
    points = optim.run(optim.sgd(), lambda x: x, [1.0], 4, record="points")
    with pytest.raises(ValueError, match="record='all'"):
        monitor.find_stall(points)
    sparse = optim.run(optim.sgd(), lambda x: x, [1.0], 4, every=2)
    with pytest.raises(ValueError, match="every=1"):
        monitor.find_dead(sparse)
    stack = optim.run(optim.sgd(), lambda x: x, np.ones((3, 2)), 4)
    with pytest.raises(ValueError, match="one flat parameter vector"):
        monitor.effective_rates(stack)


# -------------------------------------------------------------------------- monitors


def test_update_ratios_by_hand():
    xs = [[3.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]
    hist = history(xs, np.zeros((2, 3)), np.ones((2, 3)))
    ratios = monitor.update_ratios(hist, {"a": 0, "b": 1, "c": 2, "ab": [0, 1]})
    np.testing.assert_array_equal(ratios["a"], [1.0, 0.0])  # |-3| / 3; then 0 / 0 -> 0
    np.testing.assert_array_equal(ratios["b"], [0.0, 0.0])  # never moves, sits at 0
    np.testing.assert_array_equal(ratios["c"], [np.inf, 0.0])  # from 0 to 1: inf
    # a group's norms, not the mean of its ratios
    xs = [[3.0, 4.0], [3.0 + 0.3, 4.0 - 0.4]]
    hist = history(xs, np.zeros((1, 2)), np.ones((1, 2)))
    np.testing.assert_allclose(monitor.update_ratios(hist, {"all": [0, 1]})["all"], [0.1])


def test_update_ratios_use_the_optimizers_update_not_the_projected_move():
    hist = optim.run(
        optim.sgd(lr=1.0), lambda x: -np.ones(1), [0.5], 2, project=lambda x: np.minimum(x, 1.0)
    )
    np.testing.assert_allclose(monitor.update_ratios(hist)["x[0]"], [1 / 0.5, 1 / 1.0])


def test_effective_rates_and_grad_norms_by_hand():
    rates = [[1.0, 2.0, 30.0], [0.5, 1.0, 3.0]]
    grads = [[3.0, 4.0, 0.0], [0.0, 0.0, 0.0]]
    hist = history(np.zeros((3, 3)), grads, rates)
    r = monitor.effective_rates(hist, {"all": slice(None)})
    np.testing.assert_array_equal(r["all"], [2.0, 1.0])  # the median: robust to one odd coordinate
    g = monitor.grad_norms(hist, {"two": [0, 1]})
    np.testing.assert_allclose(g["two"], [math.sqrt(12.5), 0.0])
    # SGD's rate is a 0-d array per step in the state; recorded shaped like x
    sgd = optim.run(optim.sgd(lr=0.3), lambda x: x, [1.0, 2.0], 3)
    np.testing.assert_array_equal(monitor.effective_rates(sgd)["x[1]"], [0.3, 0.3, 0.3])


def test_monitors_of_a_scalar_parameter():
    hist = optim.run(optim.rmsprop(lr=0.1), lambda x: 2 * x, 1.0, 5)
    assert list(monitor.effective_rates(hist)) == ["x[0]"]
    assert monitor.update_ratios(hist)["x[0]"].shape == (5,)


def test_summary_by_hand():
    hist = optim.run(optim.adagrad(lr=1.0, eps=0.0), optim.replay([[2.0, 1.0]] * 4), [1.0, 1.0], 4)
    s = monitor.summary(hist, {"a": 0, "both": [0, 1]})
    assert s["a"].size == 1 and s["both"].size == 2
    assert (s["a"].rate_first, s["a"].rate_last) == (0.5, 0.25)  # 1 / sqrt(4 t)
    assert s["a"].ratio_first == 1.0  # the first step is -lr sign(g): 1 from x = 1
    assert (s["a"].grad_first, s["a"].grad_last, s["a"].accumulator_last) == (2.0, 2.0, 16.0)
    assert s["both"].accumulator_last == 10.0  # the median of 16 and 4
    sgd = optim.run(optim.sgd(lr=0.1), lambda x: x, [1.0], 2)
    assert math.isnan(monitor.summary(sgd)["x[0]"].accumulator_last)  # SGD keeps none
    with pytest.raises(ValueError, match="no steps"):
        monitor.summary(optim.run(optim.sgd(), lambda x: x, [1.0], 0))


# ------------------------------------------------------------------------ find_stall


def test_stall_when_the_rate_falls_and_the_gradient_does_not():
    T = 50
    rates = np.geomspace(1.0, 1e-3, T)[:, None]  # falls 10x every 1/3 of the run
    grads = np.ones((T, 1))
    hist = history(np.zeros((T + 1, 1)), grads, rates)
    (finding,) = monitor.find_stall(hist)
    k = int(np.argmax(rates[:, 0] * 10 <= 1.0))
    assert (finding.kind, finding.step, finding.group, finding.coordinates) == (
        "stall",
        k + 1,
        "x[0]",
        (0,),
    )
    assert "fell" in finding.message
    (later,) = monitor.find_stall(hist, drop=100.0)
    assert later.step > finding.step
    # the same rates with a gradient that falls as fast: convergence, not a stall
    assert monitor.find_stall(history(np.zeros((T + 1, 1)), rates, rates)) == []
    # ... or one that grows (a blow-up lowers the rate, not the step)
    assert monitor.find_stall(history(np.zeros((T + 1, 1)), 1 / rates, rates)) == []
    # with a loss target reached, no stall
    losses = np.linspace(1.0, 0.0, T + 1)
    hist = history(np.zeros((T + 1, 1)), grads, rates, losses)
    assert monitor.find_stall(hist, loss_target=2.0) == []
    assert monitor.find_stall(hist, loss_target=-1.0)[0].step == finding.step


def test_stall_measures_from_the_peak_so_far():
    rates = np.array([1.0, 4.0, 2.0, 0.5, 0.39])[:, None]  # rises to 4, then falls 10x
    hist = history(np.zeros((6, 1)), np.ones((5, 1)), rates)
    assert monitor.find_stall(hist)[0].step == 5
    assert "step 2" in monitor.find_stall(hist)[0].message


def test_warmup_skips_rmsprop_inflated_start_but_not_adagrad_real_peak():
    # RMSprop from v_0 = 0 on a constant gradient: v_t = 1 - beta^t, so the rate
    # lr / sqrt(v_t) starts 10x high at beta 0.99 and falls 5x by step 29 (v_t >= 0.25)
    # with the gradient unchanged: a stall to the rule, an artefact of v_0 = 0
    ones = optim.replay(np.ones((300, 1)))
    hist = optim.run(optim.rmsprop(lr=0.01, beta=0.99, eps=0.0), ones, [0.0], 300)
    assert monitor.find_stall(hist, drop=5.0, warmup=0)[0].step == 29
    assert monitor.find_stall(hist, drop=5.0) == []  # default warmup: the window, 100 steps
    # AdaGrad's s_t = t has no such bias: its default warmup is 0, the stall at step 100
    # stays; a warmup of 10 moves the peak to step 11 and the 10x fall to step 1100
    grads = optim.replay(np.ones((1200, 1)))
    ada = optim.run(optim.adagrad(lr=1.0, eps=0.0), grads, [0.0], 1200)
    assert monitor.find_stall(ada)[0].step == 100
    assert monitor.find_stall(ada, warmup=10)[0].step == 1100
    assert monitor.find_stall(ada, warmup=1200) == []
    with pytest.raises(ValueError, match="warmup must be >= 0"):
        monitor.find_stall(ada, warmup=-1)


def test_stall_bad_arguments():
    hist = optim.run(optim.adagrad(), lambda x: x, [1.0], 3)
    with pytest.raises(ValueError, match="drop must be > 1"):
        monitor.find_stall(hist, drop=1.0)
    with pytest.raises(ValueError, match="loss_fn"):
        monitor.find_stall(hist, loss_target=0.1)


# ----------------------------------------------------------------------- find_blowup


def test_blowup_on_a_non_finite_value():
    grads = [[1.0], [np.inf], [1.0]]
    hist = history(
        [[0.0], [1.0], [np.nan], [np.nan]], grads, np.ones((3, 1)), updates=np.ones((3, 1))
    )
    (finding,) = monitor.find_blowup(hist)
    assert (finding.kind, finding.step) == ("blowup", 2)
    assert "non-finite" in finding.message
    # a frozen diverging run: run(nonfinite="freeze") returns, the detector names the step
    frozen = optim.run(optim.sgd(lr=1.0), lambda x: 2 * x**3, [2.0], 20, nonfinite="freeze")
    (finding,) = monitor.find_blowup(frozen)
    first_bad = int(np.argmax(~np.isfinite(frozen.xs[:, 0])))
    assert finding.step <= first_bad


def test_blowup_on_a_growing_loss_or_gradient():
    hist = optim.run(
        optim.sgd(lr=1.2), lambda x: 2 * x, [1.0], 10, loss_fn=lambda x: float(x[0] ** 2)
    )
    # x -> -1.4 x: the loss grows 1.96x a step, passing 10x its best (1) at step 4
    assert monitor.find_blowup(hist)[0].step == 4
    assert monitor.find_blowup(hist, growth=100.0)[0].step == 7
    without = optim.run(optim.sgd(lr=1.2), lambda x: 2 * x, [1.0], 10)
    # the gradient norm at x_{t-1}: 2 * 1.4^(t-1), 10x at t = 8
    assert monitor.find_blowup(without)[0].step == 8
    assert "RMS gradient" in monitor.find_blowup(without)[0].message
    # over several coordinates it is grad_norms' RMS (not the Euclidean norm)
    two = optim.run(optim.sgd(lr=1.2), lambda x: 2 * x, [1.0, 1.0], 10)
    (finding,) = monitor.find_blowup(two)
    rms = monitor.grad_norms(two, {"all": slice(None)})["all"]
    assert finding.step == 8 and f"{rms[7]:.3g}" in finding.message
    calm = optim.run(
        optim.sgd(lr=0.1), lambda x: 2 * x, [1.0], 50, loss_fn=lambda x: float(x[0] ** 2)
    )
    assert monitor.find_blowup(calm) == []
    with pytest.raises(ValueError, match="growth must be > 1"):
        monitor.find_blowup(calm, growth=0.5)


# ------------------------------------------------------------------------- find_dead


def test_dead_coordinates_by_hand():
    T = 10
    grads = np.ones((T, 4))
    grads[:, 1] = 0.0  # dead from the start
    grads[6:, 2] = 1e-13  # nearly 0 from step 7: 4 steps, under half the run
    grads[3:, 3] = 0.0  # dead from step 4: 7 steps
    hist = history(np.zeros((T + 1, 4)), grads, np.ones((T, 4)))
    found = {f.group: f for f in monitor.find_dead(hist)}
    assert set(found) == {"x[1]", "x[3]"}
    assert (found["x[1]"].step, found["x[3]"].step) == (1, 4)
    found = {f.group: f.step for f in monitor.find_dead(hist, min_steps=4)}
    assert found == {"x[1]": 1, "x[2]": 7, "x[3]": 4}
    assert {f.group for f in monitor.find_dead(hist, tol=0.0, min_steps=4)} == {"x[1]", "x[3]"}
    # grouped: one finding per group, listing its dead coordinates, at the earliest step
    (f,) = monitor.find_dead(hist, {"all": slice(None)})
    assert (f.step, f.coordinates) == (1, (1, 3))
    assert "2 of 4 coordinates" in f.message
    with pytest.raises(ValueError, match="min_steps must be >= 1"):
        monitor.find_dead(hist, min_steps=0)
    with pytest.raises(ValueError, match="tol must be >= 0"):
        monitor.find_dead(hist, tol=-1.0)


# ------------------------------------------------------------------------ real cases


def intercept_problem():
    X, y = data.make_intercept_regression()
    loss_fn, grad_fn = models.linear_problem(X, y)
    return X, y, loss_fn, grad_fn


GROUPS = {"intercept": 0, "slope": 1}


def test_adagrad_stalls_on_the_intercept_regression_rmsprop_does_not():
    X, y, loss_fn, grad_fn = intercept_problem()
    target = 1.01 * loss_fn(data.least_squares(X, y))
    runs = {
        name: optim.run(opt, grad_fn, np.zeros(2), 300, loss_fn=loss_fn)
        for name, opt in {
            "adagrad": optim.adagrad(lr=0.05),
            "rmsprop": optim.rmsprop(lr=0.05),
            "adagrad-tuned": optim.adagrad(lr=3.0),
            "sgd": optim.sgd(lr=0.01),
        }.items()
    }
    stalls = monitor.find_stall(runs["adagrad"], GROUPS, loss_target=target)
    assert {f.group for f in stalls} == {"intercept", "slope"}
    assert all(150 < f.step < 300 for f in stalls)
    rates = monitor.effective_rates(runs["adagrad"], GROUPS)["intercept"]
    assert rates[-1] < rates[0] / 10  # PLAN: the intercept's rate falls > 10x
    for name in ("rmsprop", "adagrad-tuned", "sgd"):
        assert monitor.find_stall(runs[name], GROUPS) == [], name
    # AdaGrad's steps got 20x shorter while the gradient only halved: the ratios show it
    ratios = monitor.update_ratios(runs["adagrad"], GROUPS)
    assert ratios["intercept"][-1] < ratios["intercept"][9] / 20


@pytest.fixture(scope="module")
def moons():
    X, y = data.make_moons(200, 0.2, seed=0)
    return X, y, models.mlp_problem(X, y, 16)


def test_too_large_an_lr_on_the_mlp_is_a_blowup(moons):
    X, y, (loss_fn, grad_fn) = moons
    p0 = models.mlp_init(16, seed=0)
    fine = optim.run(optim.rmsprop(lr=0.01), grad_fn, p0, 500, loss_fn=loss_fn)
    assert monitor.find_blowup(fine) == []
    for lr in (0.5, 1.0, 3.0):
        wild = optim.run(optim.rmsprop(lr=lr), grad_fn, p0, 500, loss_fn=loss_fn)
        (finding,) = monitor.find_blowup(wild)
        assert finding.step < 100 and "too large an lr" in finding.message, lr
        # the update ratios of the output layer are orders of magnitude above the calm run's
        ratio = monitor.update_ratios(wild, models.mlp_layers(16))["w2"]
        calm = monitor.update_ratios(fine, models.mlp_layers(16))["w2"]
        assert np.median(ratio) > 10 * np.median(calm)


def test_a_column_of_zeros_is_a_dead_coordinate_with_rate_lr_over_eps():
    X, y, _, _ = intercept_problem()
    Xz = np.column_stack([X, np.zeros(len(y))])
    loss_fn, grad_fn = models.linear_problem(Xz, y)
    hist = optim.run(optim.rmsprop(lr=0.05), grad_fn, np.zeros(3), 300, loss_fn=loss_fn)
    (finding,) = monitor.find_dead(hist, {"intercept": 0, "slope": 1, "zeros": 2})
    assert (finding.group, finding.step, finding.coordinates) == ("zeros", 1, (2,))
    np.testing.assert_array_equal(hist.states["v"][:, 2], 0.0)  # v stays at v0
    summary = monitor.summary(hist, {"zeros": 2})["zeros"]
    assert summary.rate_last == pytest.approx(0.05 / 1e-8)  # lr / eps
    assert "5e+06" in finding.message


def test_a_saturated_tanh_unit_is_dead_on_its_incoming_weights(moons):
    X, y, (loss_fn, grad_fn) = moons
    p0 = models.mlp_init(16, seed=0)
    b1 = models.mlp_layers(16)["b1"]
    p0[b1.start + 3] = 30.0  # unit 3: tanh(a) = 1 on every example, 1 - h^2 < 1e-20
    hist = optim.run(optim.rmsprop(lr=0.01), grad_fn, p0, 300, loss_fn=loss_fn)
    units = models.mlp_units(16)
    (finding,) = monitor.find_dead(hist, units)
    assert finding.group == "h3" and finding.step == 1
    assert finding.coordinates == tuple(units["h3"][:3])  # W1[:, 3], b1[3]: not w2[3]
    (by_layer,) = [f for f in monitor.find_dead(hist, models.mlp_layers(16)) if f.group == "b1"]
    assert by_layer.coordinates == (b1.start + 3,)


def test_monitors_read_a_mini_batch_run(moons):
    X, y, (loss_fn, _) = moons
    rng = np.random.default_rng(0)
    order = [rng.choice(len(y), 20, replace=False) for _ in range(300)]
    grad_fn = models.online_grad(models.mlp_grad, X, y, order)
    hist = optim.run(
        optim.rmsprop(lr=0.01), grad_fn, models.mlp_init(16, seed=0), 300, loss_fn=loss_fn
    )
    layers = models.mlp_layers(16)
    assert monitor.find_blowup(hist) == [] and monitor.find_dead(hist, layers) == []
    summary = monitor.summary(hist, layers)
    assert list(summary) == ["W1", "b1", "w2", "b2"]
    for name in ("W1", "b1", "w2"):  # about 1e-2 per step at lr 0.01, down from about 1e-1
        assert 1e-3 < summary[name].ratio_last < 0.1 < 10 * summary[name].ratio_first
    # a lone bias passing near 0 makes its ratio large: read ratios of layers, not scalars
    assert summary["b2"].ratio_last > 1
    assert hist.losses[-1] < 0.5 * hist.losses[0]


def test_import_does_nothing():
    assert_import_changes_nothing("rmsnotes.monitor")


def test_accumulators_are_the_median_state_per_group():
    hist = optim.run(
        optim.adagrad(lr=0.1, eps=0.0), optim.replay([[1.0, 2.0, 3.0]] * 4), [0.0, 0.0, 0.0], 4
    )
    acc = monitor.accumulators(hist, {"a": 0, "rest": [1, 2]})
    np.testing.assert_allclose(acc["a"], [1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(acc["rest"], 6.5 * np.arange(1, 5))  # median of 4t and 9t
    with pytest.raises(ValueError, match="'sgd' keeps no squared-gradient statistic"):
        monitor.accumulators(optim.run(optim.sgd(), lambda x: x, [1.0], 2))


def test_a_dead_coordinate_first_step_is_not_lr_over_eps():
    # v is updated before the division: the first non-zero gradient's step is lr / sqrt(1 - beta)
    grads = np.array([[1.0, 0.0]] * 20 + [[1.0, 5.0]])
    hist = optim.run(optim.rmsprop(lr=0.01, beta=0.9), optim.replay(grads), [0.0, 0.0], 21)
    assert hist.rates[-2, 1] == pytest.approx(0.01 / 1e-8)
    assert hist.updates[-1, 1] == pytest.approx(-0.01 / np.sqrt(0.1), rel=1e-6)
