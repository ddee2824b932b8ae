"""Tests of rmsnotes.sweeps: final errors, divergence as data, best lr."""

import functools
import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from rmsnotes import data, models, optim, sweeps  # noqa: E402


def bowl_task(x0=(1.0,)):
    """f = x^2 (gradient 2x) from x0, scored by the distance to 0."""
    x0 = np.asarray(x0, dtype=float)
    return sweeps.Task(lambda x: 2 * x, x0, sweeps.distance_to(np.zeros_like(x0)))


@pytest.fixture(scope="module")
def intercept():
    X, y = data.make_intercept_regression()
    return X, y, data.least_squares(X, y)


# --------------------------------------------------------------------- final_point


@pytest.mark.parametrize(
    "opt",
    [optim.sgd(0.02), optim.adagrad(0.5), optim.rmsprop(0.05), optim.rmsprop(0.05, momentum=0.9)],
    ids=repr,
)
def test_final_point_is_exactly_the_last_point_of_run(opt, intercept):
    X, y, _ = intercept
    _, grad_fn = models.linear_problem(X, y)
    hist = optim.run(opt, grad_fn, np.zeros(2), 120)
    np.testing.assert_array_equal(sweeps.final_point(opt, grad_fn, np.zeros(2), 120), hist.final)


def test_final_point_converts_integers_and_leaves_x0_alone():
    x0 = np.array([3, -2])
    out = sweeps.final_point(optim.sgd(0.25), lambda x: 2 * x, x0, 1)
    np.testing.assert_array_equal(out, [1.5, -1.0])
    np.testing.assert_array_equal(x0, [3, -2])


def test_final_point_names_the_step_of_a_non_finite_gradient():
    with pytest.raises(ValueError, match=r"step 1 of 5 .*non-finite"):
        sweeps.final_point(optim.sgd(0.1), lambda x: x * np.inf, [1.0], 5)


# --------------------------------------------------------------------------- tasks


def test_distance_to_is_euclidean_and_copies_its_target():
    target = np.array([3.0, 4.0])
    err = sweeps.distance_to(target)
    target[:] = 0.0  # changing the caller's array must not move the target
    assert err(np.zeros(2)) == 5.0
    assert err(np.array([3.0, 4.0])) == 0.0
    assert err([3, 4]) == 0.0  # integers are converted, not truncated
    with pytest.raises(TypeError, match="x_star must be a real-valued array"):
        sweeps.distance_to("3")
    with pytest.raises(ValueError, match="x_star contains a non-finite value"):
        sweeps.distance_to([np.nan])
    with pytest.raises(TypeError, match="x0 must be a real-valued array"):
        sweeps.regression_task([[1.0], [2.0]], [1.0, 2.0], x0="1")


def test_regression_task_matches_models_and_least_squares(intercept):
    X, y, w_star = intercept
    task = sweeps.regression_task(X, y)
    np.testing.assert_array_equal(task.x0, [0.0, 0.0])
    for w in (np.array([1.0, -2.0]), w_star, np.array([30.0, 1e3])):
        np.testing.assert_allclose(
            task.grad_fn(w), models.linear_grad(w, X, y), rtol=1e-10, atol=1e-10
        )
    assert task.error_fn(w_star) < 1e-12
    assert task.error_fn(np.zeros(2)) == pytest.approx(np.linalg.norm(w_star))


def test_regression_task_takes_a_start_and_checks_its_shape(intercept):
    X, y, _ = intercept
    start = [1.0, 1.0]
    assert sweeps.regression_task(X, y, x0=start).x0.tolist() == start
    with pytest.raises(ValueError, match="x0 must have shape"):
        sweeps.regression_task(X, y, x0=[1.0, 2.0, 3.0])


# --------------------------------------------------------------------------- sweep


def test_sweep_records_final_errors_by_hand():
    # GD on x^2: x_t = (1 - 2 lr)^t x_0
    lrs = [0.1, 0.25, 0.4]
    res = sweeps.lr_sweep(optim.sgd, lrs, bowl_task(), steps=4)
    np.testing.assert_allclose(res.errors, [0.8**4, 0.5**4, 0.2**4])
    assert not res.diverged.any()
    assert res.name == "sgd" and res.seeds is None
    np.testing.assert_array_equal(res.lrs, lrs)


def test_sweep_error_matches_a_full_run(intercept):
    X, y, w_star = intercept
    res = sweeps.lr_sweep(optim.adagrad, [0.05, 3.0], sweeps.regression_task(X, y), 300)
    for lr, err in zip(res.lrs, res.errors, strict=True):
        hist = optim.run(optim.adagrad(lr=lr), models.linear_problem(X, y)[1], np.zeros(2), 300)
        assert err == pytest.approx(hist.distances(w_star)[-1], rel=1e-8)


def test_non_finite_gradient_is_recorded_as_diverged_without_warnings():
    # lr 100 on x^2 multiplies x by -199 per step: overflow to inf, then run() raises.
    with np.errstate(all="raise"):  # a leaked floating-point warning would raise here
        res = sweeps.lr_sweep(optim.sgd, [0.1, 100.0], bowl_task(), steps=500)
    assert res.diverged.tolist() == [False, True]
    assert math.isinf(res.errors[1])


def test_an_exploding_but_finite_error_counts_as_diverged():
    # lr 1.1: x is multiplied by -1.2 per step, 1.2^50 ~ 9100: finite, but > 1e3 x start.
    res = sweeps.lr_sweep(optim.sgd, [1.1], bowl_task(), steps=50)
    assert res.diverged.tolist() == [True]
    loose = sweeps.lr_sweep(optim.sgd, [1.1], bowl_task(), steps=50, blowup=1e5)
    assert loose.errors[0] == pytest.approx(1.2**50)


def test_a_start_at_the_optimum_uses_blowup_as_an_absolute_limit():
    # gradient -1 everywhere: GD with lr 1 walks away from 0 by one per step
    away = sweeps.Task(lambda x: -np.ones_like(x), np.zeros(1), sweeps.distance_to([0.0]))
    assert sweeps.lr_sweep(optim.sgd, [1.0], away, steps=5).errors.tolist() == [5.0]
    assert sweeps.lr_sweep(optim.sgd, [1.0], away, steps=1001).diverged.tolist() == [True]
    assert sweeps.lr_sweep(optim.sgd, [0.1], bowl_task(x0=(0.0,)), steps=5).errors[0] == 0.0


def test_other_errors_of_a_run_are_raised_not_recorded():
    bad = sweeps.Task(lambda x: np.zeros(3), np.zeros(2), sweeps.distance_to(np.zeros(2)))
    with pytest.raises(ValueError, match="shape"):
        sweeps.lr_sweep(optim.sgd, [0.1], bad, steps=2)


def test_seeds_give_one_row_per_task():
    def task(seed):
        return bowl_task(x0=(float(seed + 1),))

    res = sweeps.lr_sweep(optim.sgd, [0.25, 100.0], task, steps=2, seeds=[0, 1, 2])
    assert res.errors.shape == res.diverged.shape == (3, 2)
    np.testing.assert_allclose(res.errors[:, 0], [0.25, 0.5, 0.75])
    assert res.diverged[:, 1].all()
    assert res.seeds == (0, 1, 2)


def test_partial_factories_and_custom_names():
    make = functools.partial(optim.rmsprop, beta=0.5)
    res = sweeps.lr_sweep(make, [0.1], bowl_task(), steps=3, name="RMSprop b=0.5")
    assert res.name == "RMSprop b=0.5"
    hist = optim.run(optim.rmsprop(lr=0.1, beta=0.5), lambda x: 2 * x, [1.0], 3)
    assert res.errors[0] == pytest.approx(abs(hist.final[0]))


def test_the_plan_facts_seen_through_a_sweep(intercept):
    """Notebook 02's story: AdaGrad stalls at lr 0.05 and converges at lr ~3."""
    X, y, _ = intercept
    res = sweeps.lr_sweep(optim.adagrad, [0.05, 3.0], sweeps.regression_task(X, y), 300)
    assert res.errors[0] > 2.5 and res.errors[1] < 1e-3


@settings(max_examples=25, deadline=None)
@given(
    lrs=st.lists(
        st.floats(min_value=1e-4, max_value=10.0, allow_nan=False), min_size=1, max_size=5
    ),
    steps=st.integers(min_value=0, max_value=20),
)
def test_sweep_invariants(lrs, steps):
    res = sweeps.lr_sweep(optim.sgd, lrs, bowl_task(), steps=steps)
    assert res.errors.shape == res.diverged.shape == (len(lrs),)
    np.testing.assert_array_equal(res.diverged, np.isinf(res.errors))
    assert (res.errors[~res.diverged] >= 0).all()
    for lr, err in zip(lrs, res.errors, strict=True):
        factor = abs(1 - 2 * lr) ** steps  # the exact error of GD on x^2
        if factor <= 1e3:
            assert err == pytest.approx(factor, rel=1e-9, abs=1e-300)
        else:
            assert math.isinf(err)


# ------------------------------------------------------------------ bad arguments


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"factory": "sgd"}, TypeError, "factory must be callable"),
        ({"lrs": []}, ValueError, "non-empty 1-D"),
        ({"lrs": [[0.1, 0.2]]}, ValueError, "non-empty 1-D"),
        ({"lrs": [0.1, -1.0]}, ValueError, r"every lr must be > 0 and finite, got -1\.0"),
        ({"lrs": [0.1, np.inf]}, ValueError, "every lr must be > 0 and finite"),
        ({"lrs": ["a"]}, TypeError, "lrs must be a real-valued array"),
        ({"steps": 2.5}, TypeError, "steps must be an int"),
        ({"steps": -1}, ValueError, "steps must be >= 0"),
        ({"blowup": 1.0}, ValueError, "blowup must be > 1"),
        ({"blowup": "big"}, TypeError, "blowup must be a real number"),
        ({"task": (lambda x: x, [0.0], abs)}, TypeError, "task must be a sweeps.Task"),
        ({"seeds": [0], "task": bowl_task()}, TypeError, "task must be a function seed"),
        ({"seeds": [], "task": lambda s: bowl_task()}, ValueError, "seeds must not be empty"),
        ({"seeds": [0.5], "task": lambda s: bowl_task()}, TypeError, "every seed must be an int"),
        ({"seeds": 3, "task": lambda s: bowl_task()}, TypeError, "seeds must be an iterable"),
        ({"seeds": [0], "task": lambda s: None}, TypeError, r"task\(0\) must be a sweeps.Task"),
        ({"factory": lambda lr: lr}, TypeError, "must return an Optimizer"),
        ({"name": 3}, TypeError, "name must be a str"),
        ({"schedule": 0.5}, TypeError, "schedule must be callable"),
    ],
)
def test_bad_arguments_are_named(kwargs, exc, match):
    args = {"factory": optim.sgd, "lrs": [0.1], "task": bowl_task(), "steps": 3} | kwargs
    with pytest.raises(exc, match=match):
        sweeps.lr_sweep(**args)


def test_an_invalid_lr_for_the_optimizer_is_reported_by_the_optimizer():
    with pytest.raises(ValueError, match="lr must be > 0"):
        sweeps.lr_sweep(optim.sgd, [0.0], bowl_task(), steps=1)


# ------------------------------------------------------------- best_lr, lrs_below


def result(errors, lrs=(0.01, 0.1, 1.0), seeds=None):
    errors = np.asarray(errors, dtype=float)
    return sweeps.SweepResult(np.asarray(lrs, float), errors, np.isinf(errors), seeds, "demo")


def test_best_lr_picks_the_smallest_error_and_the_first_of_ties():
    assert sweeps.best_lr(result([0.3, 0.1, np.inf])) == (0.1, 0.1)
    assert sweeps.best_lr(result([0.2, 0.2, 0.5])) == (0.01, 0.2)


def test_best_lr_with_seeds_uses_the_worst_seed_by_default():
    errors = [[0.1, 0.05, 0.01], [0.1, 0.05, np.inf]]  # lr 1 diverges on one seed
    res = result(errors, seeds=(0, 1))
    assert sweeps.best_lr(res) == (0.1, 0.05)
    assert sweeps.best_lr(res, reduce="median") == (0.1, 0.05)  # median of (0.01, inf) is inf
    spread = result([[0.0, 0.3, 0.5], [0.5, 0.3, 0.0]], seeds=(0, 1))
    assert sweeps.best_lr(spread) == (0.1, 0.3)  # worst seeds: 0.5, 0.3, 0.5
    assert sweeps.best_lr(spread, reduce="mean") == (0.01, 0.25)  # means: 0.25, 0.3, 0.25


def test_best_lr_atol_treats_near_ties_as_ties():
    res = result([3e-15, 1e-15, 2e-15])
    assert sweeps.best_lr(res) == (0.1, 1e-15)
    assert sweeps.best_lr(res, atol=1e-12) == (0.01, 3e-15)
    assert sweeps.best_lr(result([0.5, 1e-15, np.inf]), atol=1e-12) == (0.1, 1e-15)
    with pytest.raises(ValueError, match="atol must be >= 0"):
        sweeps.best_lr(res, atol=-1.0)


def test_best_lr_when_everything_diverged():
    with pytest.raises(ValueError, match="every lr diverged"):
        sweeps.best_lr(result([np.inf, np.inf, np.inf]))


def test_lrs_below():
    res = result([[0.5, 1e-4, 1e-6], [0.5, 1e-2, 1e-7]], seeds=(0, 1))
    np.testing.assert_array_equal(sweeps.lrs_below(res, 1e-3), [1.0])
    np.testing.assert_array_equal(sweeps.lrs_below(res, 1e-3, reduce="mean"), [1.0])
    np.testing.assert_array_equal(sweeps.lrs_below(res, 1.0), [0.01, 0.1, 1.0])
    with pytest.raises(ValueError, match="tol must be > 0"):
        sweeps.lrs_below(res, 0.0)


@pytest.mark.parametrize("fn", [sweeps.best_lr, functools.partial(sweeps.lrs_below, tol=1.0)])
def test_result_helpers_check_their_input(fn):
    with pytest.raises(TypeError, match="SweepResult"):
        fn({"errors": [1.0]})
    with pytest.raises(ValueError, match="reduce must be one of"):
        fn(result([[1.0, 2.0, 3.0]], seeds=(0,)), reduce="min")


def test_lr_sweep_with_a_schedule_runs_each_lr_with_that_schedule():
    def schedule(t):
        return 1.0 / np.sqrt(t)

    task = bowl_task((1.0, -2.0))
    lrs = [0.05, 0.3]
    res = sweeps.lr_sweep(optim.sgd, lrs, task, 20, schedule=schedule)
    for lr, err in zip(lrs, res.errors, strict=True):
        hist = optim.run(optim.sgd(lr), task.grad_fn, task.x0, 20, schedule=schedule)
        assert err == task.error_fn(hist.final)
    plain = sweeps.lr_sweep(optim.sgd, lrs, task, 20)
    assert np.all(plain.errors < res.errors)  # a decaying lr travels less far here
    point = sweeps.final_point(optim.sgd(0.3), task.grad_fn, task.x0, 20, schedule=schedule)
    np.testing.assert_array_equal(point, hist.final)


# ------------------------------------------------- one stacked run = separate runs


def separate_errors(factory, lrs, task, steps, schedule=None, blowup=1e3):
    """The sweep the slow way: one optim.run per lr, scored by the same rule."""
    start = task.error_fn(task.x0)
    out = []
    for lr in lrs:
        with np.errstate(over="ignore", invalid="ignore"):
            try:
                end = task.error_fn(
                    optim.run(factory(lr=lr), task.grad_fn, task.x0, steps, schedule=schedule).final
                )
            except ValueError as exc:
                assert "non-finite" in str(exc)
                end = math.inf
        out.append(end if math.isfinite(end) and end <= blowup * start else math.inf)
    return np.array(out)


def sparse_task():
    X, y = data.make_sparse_regression(n=300, seed=1)
    _, grad_fn = models.linear_problem(X, y)
    return sweeps.Task(grad_fn, np.zeros(2), sweeps.distance_to(data.least_squares(X, y)))


@pytest.mark.parametrize(
    "factory",
    [optim.sgd, optim.adagrad, optim.rmsprop, functools.partial(optim.rmsprop, momentum=0.5)],
    ids=["sgd", "adagrad", "rmsprop", "rmsprop-momentum"],
)
@pytest.mark.parametrize("schedule", [None, lambda t: 1 / np.sqrt(t)], ids=["const", "decay"])
def test_a_stacked_sweep_equals_separate_runs(factory, schedule):
    lrs = np.logspace(-3, 1.5, 10)  # GD diverges at the large ones
    for task in (sweeps.regression_task(*data.make_intercept_regression(seed=2)), sparse_task()):
        res = sweeps.lr_sweep(factory, lrs, task, 120, schedule=schedule)
        want = separate_errors(factory, lrs, task, 120, schedule)
        np.testing.assert_array_equal(res.diverged, np.isinf(want))
        np.testing.assert_allclose(res.errors, want, rtol=1e-9, atol=1e-15)


def test_a_stacked_sweep_with_seeds_equals_separate_runs_per_seed():
    def task(seed):
        return sweeps.regression_task(*data.make_intercept_regression(n=40, seed=seed))

    lrs = [0.01, 0.3, 3.0]
    for factory in (optim.sgd, optim.adagrad, optim.rmsprop):
        res = sweeps.lr_sweep(factory, lrs, task, 80, seeds=[4, 5], blowup=50)
        for row, seed in zip(res.errors, (4, 5), strict=True):
            want = separate_errors(factory, lrs, task(seed), 80, blowup=50)
            np.testing.assert_allclose(row, want, rtol=1e-9, atol=1e-15)


def test_a_grad_fn_that_takes_one_point_only_is_named():
    A, b = np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([1.0, -1.0])
    one_point = sweeps.Task(
        lambda w: A @ np.reshape(w, 2) - b, np.zeros(2), sweeps.distance_to(np.zeros(2))
    )
    with pytest.raises(ValueError, match=r"task.grad_fn must take a stack of points.*raised"):
        sweeps.lr_sweep(optim.sgd, [0.1, 0.2, 0.3], one_point, 5)
    # A @ w on a stack of two 2-vectors is the wrong product, of the right shape
    transposed = sweeps.Task(lambda w: A @ w - b, np.ones(2), sweeps.distance_to(np.zeros(2)))
    with pytest.raises(ValueError, match=r"stack of points.*rows that differ"):
        sweeps.lr_sweep(optim.sgd, [0.1, 0.2], transposed, 5)


def test_a_factory_that_changes_more_than_lr_is_refused():
    def sneaky(lr):
        return optim.rmsprop(lr=lr, beta=0.9 if lr < 1 else 0.5)

    with pytest.raises(ValueError, match="factory must change only lr"):
        sweeps.lr_sweep(sneaky, [0.1, 2.0], bowl_task(), 3)


def test_regression_task_uses_the_models_gradient_which_takes_stacks(intercept):
    X, y, _ = intercept
    task = sweeps.regression_task(X, y)
    W = np.array([[0.0, 0.0], [1.0, -2.0], [4.0, 2.5]])
    np.testing.assert_array_equal(task.grad_fn(W), models.linear_problem(X, y)[1](W))
    for w, g in zip(W, task.grad_fn(W), strict=True):
        np.testing.assert_array_equal(g, models.linear_grad(w, X, y))
