"""rmsnotes.success: many starts and learning rates in one run, and where runs end."""

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmsnotes import optim, success, surfaces

FACTORIES = {
    "sgd": optim.sgd,
    "sgd-momentum": functools.partial(optim.sgd, momentum=0.9),
    "adagrad": optim.adagrad,
    "adagrad-keras": functools.partial(
        optim.adagrad, eps=1e-7, eps_in_sqrt=True, initial_accumulator=0.1
    ),
    "rmsprop": optim.rmsprop,
    "rmsprop-0.99": functools.partial(optim.rmsprop, beta=0.99),
    "rmsprop-centered-momentum": functools.partial(optim.rmsprop, centered=True, momentum=0.5),
    "adam": optim.adam,
    "adadelta": optim.adadelta,
}


# --------------------------------------------------------------------- grid_starts


def test_grid_starts_covers_the_rectangle_x_fastest():
    starts = success.grid_starts(((-1.0, 1.0), (0.0, 3.0)), n=(3, 4))
    assert starts.shape == (12, 2)
    np.testing.assert_array_equal(starts[:3, 0], [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(starts[::3, 1], [0.0, 1.0, 2.0, 3.0])
    assert starts.min(axis=0).tolist() == [-1.0, 0.0]
    assert starts.max(axis=0).tolist() == [1.0, 3.0]


def test_grid_starts_square_and_surface_bounds():
    s = surfaces.two_wells()
    starts = success.grid_starts(s.bounds, n=5)
    assert starts.shape == (25, 2)


@pytest.mark.parametrize(
    "bounds, n, error",
    [
        (((0, 1),), 3, ValueError),
        (((1, 0), (0, 1)), 3, ValueError),
        (((0, np.inf), (0, 1)), 3, ValueError),
        (((0, 1), (0, 1)), 1, ValueError),
        (((0, 1), (0, 1)), 2.5, TypeError),
        (((0, 1), (0, 1)), True, TypeError),
        ((("a", "b"), (0, 1)), 3, TypeError),
    ],
)
def test_grid_starts_rejects_bad_input(bounds, n, error):
    with pytest.raises(error):
        success.grid_starts(bounds, n)


# -------------------------------------------------------------------- run_over_lrs


@pytest.mark.parametrize("name", FACTORIES)
def test_run_over_lrs_is_exactly_separate_runs(name):
    """One stacked run equals optim.run for every lr, from many starts. With the same
    batch shape the gradients are the same floats, and every optimizer's step is
    -lr * q with q free of lr, so they agree bit for bit."""
    s = surfaces.narrow_dip()
    starts = success.grid_starts(((-3.5, -1.5), (-1.5, 0.5)), n=3)
    lrs = [0.01, 0.05, 0.3]
    finals = success.run_over_lrs(FACTORIES[name], lrs, s.grad, starts, steps=60)
    assert finals.shape == (3, 9, 2)
    for k, lr in enumerate(lrs):
        hist = optim.run(FACTORIES[name](lr), s.grad, starts, 60)
        np.testing.assert_array_equal(finals[k], hist.final)


def test_each_start_in_a_batch_is_an_independent_run():
    s = surfaces.valley_plateau()
    starts = np.array([s.start, [0.0, 0.5], [-1.0, 2.0]])
    finals = success.run_over_lrs(optim.adagrad, [0.1], s.grad, starts, steps=50)[0]
    for i, x0 in enumerate(starts):
        alone = optim.run(optim.adagrad(0.1), s.grad, x0, 50).final
        np.testing.assert_array_equal(finals[i], alone)


def test_run_over_lrs_keeps_every_kth_point():
    s = surfaces.quadratic()
    kept = success.run_over_lrs(optim.rmsprop, [0.05, 0.2], s.grad, s.start, steps=30, every=10)
    assert kept.shape == (4, 2, 2)
    for k, lr in enumerate([0.05, 0.2]):
        hist = optim.run(optim.rmsprop(lr), s.grad, s.start, 30)
        np.testing.assert_array_equal(kept[:, k], hist.xs[::10])


def test_run_over_lrs_zero_steps_returns_the_starts_and_integers_become_floats():
    finals = success.run_over_lrs(optim.sgd, [0.1, 0.2], lambda x: 2 * x, [1, 2], steps=0)
    assert finals.dtype == np.float64
    np.testing.assert_array_equal(finals, [[1.0, 2.0], [1.0, 2.0]])


def test_run_over_lrs_does_not_touch_its_inputs():
    x0 = np.array([[1.0, -2.0]])
    lrs = np.array([0.1, 0.2])
    success.run_over_lrs(optim.rmsprop, lrs, lambda x: 2 * x, x0, steps=5)
    np.testing.assert_array_equal(x0, [[1.0, -2.0]])
    np.testing.assert_array_equal(lrs, [0.1, 0.2])


def test_run_over_lrs_works_on_parameter_vectors():
    """Any shape of x0: here 3 'networks' of 4 parameters, with a stacked gradient."""
    rng = np.random.default_rng(0)
    A = rng.normal(size=(4, 4))
    A = A @ A.T + np.eye(4)
    x0 = rng.normal(size=(3, 4))
    finals = success.run_over_lrs(optim.adam, [0.01, 0.1], lambda x: x @ A, x0, steps=40)
    assert finals.shape == (2, 3, 4)
    for k, lr in enumerate([0.01, 0.1]):
        for i in range(3):
            hist = optim.run(optim.adam(lr), lambda x: x @ A, x0[i], 40)
            np.testing.assert_allclose(finals[k, i], hist.final, rtol=1e-12, atol=1e-15)


def test_a_diverging_entry_becomes_nan_and_the_others_carry_on():
    # f = x^4 / 4 per coordinate: gradient x^3. Plain GD at lr 1 from x = 3 blows up,
    # from x = 0.5 it converges.
    def grad(x):
        return x**3

    finals = success.run_over_lrs(optim.sgd, [1.0], grad, [3.0, 0.5], steps=30)[0]
    assert np.isnan(finals[0])
    expected = optim.run(optim.sgd(1.0), grad, [0.5], 30).final[0]
    assert finals[1] == expected


def test_run_over_lrs_checks_that_lr_is_a_pure_multiplier():
    # A factory that changes beta along with lr cannot share one run.
    def sneaky(lr):
        return optim.rmsprop(lr, beta=0.9 if lr < 0.5 else 0.5)

    with pytest.raises(ValueError, match="only lr"):
        success.run_over_lrs(sneaky, [0.1, 0.9], lambda x: 2 * x, [1.0], steps=3)


def test_run_over_lrs_rejects_an_optimizer_whose_step_is_not_linear_in_lr():
    base = optim.sgd(1.0)

    def factory(lr):
        def update(g, state):
            step, state = base.update(g, state)
            return step * lr**2, state  # lr squared: not a pure multiplier

        return optim.Optimizer(base.init, update, base.rate, "sgd", {"lr": lr, "momentum": 0.0})

    with pytest.raises(ValueError, match="not lr times"):
        success.run_over_lrs(factory, [0.1, 0.5], lambda x: 2 * x, [1.0], steps=3)


def test_run_over_lrs_rejects_a_factory_that_ignores_lr():
    with pytest.raises(ValueError, match="pass lr through"):
        success.run_over_lrs(lambda lr: optim.sgd(0.1), [0.5], lambda x: x, [1.0], steps=1)


def test_run_over_lrs_rejects_a_factory_that_returns_no_optimizer():
    with pytest.raises(TypeError, match="Optimizer"):
        success.run_over_lrs(lambda lr: lr, [0.5], lambda x: x, [1.0], steps=1)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"lrs": []}, ValueError, "non-empty"),
        ({"lrs": [[0.1]]}, ValueError, "1-D"),
        ({"lrs": [0.1, -0.1]}, ValueError, "> 0"),
        ({"lrs": [np.nan]}, ValueError, "> 0"),
        ({"lrs": ["a"]}, TypeError, "real"),
        ({"steps": -1}, ValueError, "steps"),
        ({"steps": 2.0}, TypeError, "steps"),
        ({"steps": True}, TypeError, "steps"),
        ({"every": 3}, ValueError, "multiple"),
        ({"every": 0}, ValueError, "every"),
        ({"factory": "rmsprop"}, TypeError, "factory"),
        ({"grad_fn": None}, TypeError, "grad_fn"),
        ({"x0": "start"}, TypeError, "x0"),
        ({"grad_fn": lambda x: x[..., :1]}, ValueError, "shape"),
    ],
)
def test_run_over_lrs_rejects_bad_input(kwargs, error, match):
    args = {
        "factory": optim.rmsprop,
        "grad_fn": lambda x: 2 * x,
        "x0": [1.0, 2.0],
        "lrs": [0.1],
        "steps": 10,
    }
    args.update(kwargs)
    with pytest.raises(error, match=match):
        success.run_over_lrs(**args)


@settings(max_examples=25, deadline=None)
@given(
    lrs=st.lists(st.floats(1e-3, 2.0), min_size=1, max_size=4),
    x0=st.lists(st.floats(-3.0, 3.0), min_size=2, max_size=2),
    beta=st.floats(0.0, 0.999),
    surface=st.sampled_from([surfaces.quadratic, surfaces.rosenbrock]),
)
def test_run_over_lrs_matches_separate_runs_float_for_float(lrs, x0, beta, surface):
    # Polynomial gradients round the same for a stack as for one point, so the stacked
    # run must be the separate runs exactly, over every step (the module's promise).
    s = surface()
    finals = success.run_over_lrs(functools.partial(optim.rmsprop, beta=beta), lrs, s.grad, x0, 25)
    for k, lr in enumerate(lrs):
        hist = optim.run(optim.rmsprop(lr, beta=beta), s.grad, x0, 25)
        np.testing.assert_array_equal(finals[k], hist.final)


@settings(max_examples=25, deadline=None)
@given(
    lrs=st.lists(st.floats(1e-3, 2.0), min_size=1, max_size=4),
    x0=st.lists(st.floats(-3.0, 3.0), min_size=2, max_size=2),
    beta=st.floats(0.0, 0.999),
)
def test_run_over_lrs_on_an_exp_surface_differs_by_the_gradients_last_bits(lrs, x0, beta):
    # NumPy's exp may round the last bit differently for a stack than for one point.
    # One step carries that difference unamplified; over many steps RMSprop at a large
    # lr is chaotic and can grow it without bound (seen: 4e-6 after 25 steps from
    # (1.99, 1.0) at lr 1/3), so the many-step claim is tested above, on polynomials.
    s = surfaces.two_wells()
    finals = success.run_over_lrs(functools.partial(optim.rmsprop, beta=beta), lrs, s.grad, x0, 1)
    for k, lr in enumerate(lrs):
        hist = optim.run(optim.rmsprop(lr, beta=beta), s.grad, x0, 1)
        np.testing.assert_allclose(finals[k], hist.final, rtol=1e-13, atol=1e-15)


# ---------------------------------------------------------------- ending_fractions


def test_ending_fractions_sorts_runs_by_the_nearest_point_within_tol():
    points = [[0.0, 0.0], [1.0, 0.0]]
    finals = np.array(
        [
            [[0.1, 0.0], [0.9, 0.0], [0.45, 0.0], [3.0, 3.0]],  # 0.45 is nearer to 0
            [[np.nan, np.nan], [1.0, 0.0], [1.0, 0.1], [0.0, 0.0]],
        ]
    )
    fr = success.ending_fractions(finals, points, tol=0.6)
    np.testing.assert_array_equal(fr, [[0.5, 0.25, 0.25], [0.25, 0.5, 0.25]])
    np.testing.assert_allclose(fr.sum(axis=1), 1.0)


def test_ending_fractions_per_point_tolerance_and_single_lr():
    points = [[0.0, 0.0], [1.0, 0.0]]
    finals = np.array([[0.3, 0.0], [0.95, 0.0], [1.3, 0.0]])
    np.testing.assert_array_equal(
        success.ending_fractions(finals, points, tol=[0.5, 0.1]), [1 / 3, 1 / 3, 1 / 3]
    )


@pytest.mark.parametrize(
    "finals, points, tol, error",
    [
        (np.zeros((2, 3, 2)), np.zeros((2, 3)), 0.5, ValueError),  # d mismatch
        (np.zeros((2, 3, 2)), np.zeros(2), 0.5, ValueError),  # points not (k, d)
        (np.zeros(2), np.zeros((1, 2)), 0.5, ValueError),  # finals 1-D
        (np.zeros((2, 3, 2)), np.zeros((1, 2)), 0.0, ValueError),
        (np.zeros((2, 3, 2)), np.zeros((1, 2)), np.inf, ValueError),
        (np.zeros((2, 3, 2)), np.zeros((1, 2)), "0.5", TypeError),
        (np.zeros((2, 3, 2)), np.zeros((2, 2)), [0.5], ValueError),  # one tol per point
        (np.zeros((2, 3, 2)), np.zeros((2, 2)), [0.5, -1.0], ValueError),
    ],
)
def test_ending_fractions_rejects_bad_input(finals, points, tol, error):
    with pytest.raises(error):
        success.ending_fractions(finals, points, tol)


# --------------------------------------------------------------- success_fractions


def test_success_fractions_counts_runs_that_end_near_the_global_minimum():
    s = surfaces.two_wells()
    starts = success.grid_starts(s.bounds, n=4)
    lrs = [0.05, 0.2]
    got = success.success_fractions(optim.adagrad, lrs, s, starts, 200, tol=0.3)
    for k, lr in enumerate(lrs):
        hist = optim.run(optim.adagrad(lr), s.grad, starts, 200)
        ok = np.linalg.norm(hist.final - s.minima[0], axis=1) <= 0.3
        assert got[k] == ok.mean()


def test_success_fractions_with_another_target():
    s = surfaces.two_wells()
    local = s.minima[1]
    got = success.success_fractions(
        optim.adagrad, [0.05], s, s.start[None, :], 1000, tol=0.1, target=local
    )
    np.testing.assert_array_equal(got, [1.0])


@pytest.mark.parametrize(
    "starts, target",
    [(np.zeros((3, 3)), None), (np.zeros(2), None), (np.zeros((3, 2)), [0.0, 0.0, 0.0])],
)
def test_success_fractions_rejects_bad_shapes(starts, target):
    with pytest.raises(ValueError):
        success.success_fractions(
            optim.sgd, [0.1], surfaces.quadratic(), starts, 5, tol=0.1, target=target
        )


# ------------------------------------------------------- the course's narrow-dip facts


def test_narrow_dip_window_of_learning_rates():
    """The notebook's story: at lr 0.05 the narrow dip stops RMSprop, at 0.15 .. 0.3 it
    crosses; AdaGrad never gets past it from the surface's start."""
    s = surfaces.narrow_dip()
    start = s.start[None, :]
    lrs = [0.05, 0.15, 0.3]
    rms = success.success_fractions(optim.rmsprop, lrs, s, start, 1000, tol=0.5)
    ada = success.success_fractions(optim.adagrad, lrs, s, start, 1000, tol=0.5)
    np.testing.assert_array_equal(rms, [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(ada, [0.0, 0.0, 0.0])


def test_factories_are_called_with_keyword_lr_and_partial_fixes_the_rest():
    calls = []

    def factory(*args, **kwargs):
        calls.append((args, kwargs))
        return optim.rmsprop(**kwargs, beta=0.99)

    s = surfaces.quadratic()
    finals = success.run_over_lrs(factory, [0.05, 0.1], s.grad, s.start, steps=20)
    assert all(args == () and set(kwargs) == {"lr"} for args, kwargs in calls)
    partial = functools.partial(optim.rmsprop, beta=0.99)
    np.testing.assert_array_equal(
        finals, success.run_over_lrs(partial, [0.05, 0.1], s.grad, s.start, steps=20)
    )
