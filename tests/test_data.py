"""Tests of rmsnotes.data: determinism, shapes, dtypes, truth recovery, bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmsnotes import data

MAKERS = [data.make_intercept_regression, data.make_sparse_regression, data.make_moons]


@pytest.mark.parametrize("make", MAKERS)
def test_same_seed_same_data(make):
    a, b = make(seed=7), make(seed=7)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)


@pytest.mark.parametrize("make", MAKERS)
def test_different_seeds_differ(make):
    a, b = make(seed=0), make(seed=1)
    assert not np.array_equal(a.X, b.X)


@pytest.mark.parametrize("make", MAKERS)
def test_default_seed_is_zero_and_global_state_untouched(make):
    # the legacy global generator, on purpose: make_* must not draw from it
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    np.testing.assert_array_equal(make().X, make(seed=0).X)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


@pytest.mark.parametrize("make", MAKERS)
def test_returns_named_tuple_that_unpacks(make):
    ds = make(n=10)
    X, y = ds
    assert X is ds.X and y is ds.y


def test_intercept_regression_shapes_and_columns():
    X, y = data.make_intercept_regression(n=50, x_max=3.0)
    assert X.shape == (50, 2) and y.shape == (50,)
    assert X.dtype == y.dtype == np.float64
    np.testing.assert_array_equal(X[:, 0], 1.0)
    assert X[:, 1].min() >= 0.0 and X[:, 1].max() < 3.0


def test_intercept_regression_without_noise_is_exact():
    X, y = data.make_intercept_regression(n=20, intercept=-1.0, slope=0.5, noise=0.0)
    np.testing.assert_allclose(y, -1.0 + 0.5 * X[:, 1])
    np.testing.assert_allclose(data.least_squares(X, y), [-1.0, 0.5])


def test_intercept_regression_recovers_truth_for_large_n():
    X, y = data.make_intercept_regression(n=20_000, seed=3)
    np.testing.assert_allclose(data.least_squares(X, y), [4.0, 2.5], atol=0.05)
    residual = y - X @ np.array([4.0, 2.5])
    assert residual.std() == pytest.approx(1.0, abs=0.03)


def test_sparse_regression_shapes_and_columns():
    X, y = data.make_sparse_regression(n=4000, p_sparse=0.1, seed=2)
    assert X.shape == (4000, 2) and y.shape == (4000,)
    assert X.dtype == y.dtype == np.float64
    assert set(np.unique(X[:, 1]).tolist()) == {0.0, 1.0}
    assert X[:, 1].mean() == pytest.approx(0.1, abs=0.015)
    assert X[:, 0].std() == pytest.approx(10.0, rel=0.05)
    assert abs(X[:, 0].mean()) < 0.5


def test_sparse_regression_p_one_is_a_constant_column():
    X, _ = data.make_sparse_regression(n=30, p_sparse=1.0)
    np.testing.assert_array_equal(X[:, 1], 1.0)


def test_sparse_regression_recovers_truth_for_large_n():
    X, y = data.make_sparse_regression(n=100_000, seed=4)
    np.testing.assert_allclose(data.least_squares(X, y), [0.5, 5.0], atol=0.03)


def test_sparse_regression_default_truth_is_close():
    # The course's data set: its least-squares sparse weight is near 5.
    X, y = data.make_sparse_regression()
    assert data.least_squares(X, y)[1] == pytest.approx(5.0, abs=0.1)


def test_moons_shapes_labels_balance():
    X, y = data.make_moons()
    assert X.shape == (200, 2) and y.shape == (200,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [100, 100]
    X, y = data.make_moons(n=101)
    assert sorted(np.bincount(y).tolist()) == [50, 51]


def test_moons_without_noise_lie_on_the_half_circles():
    X, y = data.make_moons(n=50, noise=0.0)
    outer, inner = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0)
    assert (outer[:, 1] >= -1e-12).all() and (inner[:, 1] <= 0.5 + 1e-12).all()


def test_moons_are_shuffled_and_noise_scales():
    _, y = data.make_moons()
    assert 0 < np.flatnonzero(np.diff(y)).size  # not sorted by class
    X0, _ = data.make_moons(noise=0.0, seed=5)
    X1, _ = data.make_moons(noise=0.1, seed=5)
    assert np.std(X1 - X0) == pytest.approx(0.1, rel=0.15)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 60), seed=st.integers(0, 2**32 - 1))
def test_regression_shapes_property(n, seed):
    for make in (data.make_intercept_regression, data.make_sparse_regression):
        X, y = make(n=n, seed=seed)
        assert X.shape == (n, 2) and y.shape == (n,)
        assert np.isfinite(X).all() and np.isfinite(y).all()


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 60), seed=st.integers(0, 2**32 - 1))
def test_moons_property(n, seed):
    X, y = data.make_moons(n=n, seed=seed)
    assert X.shape == (n, 2)
    counts = np.bincount(y, minlength=2)
    assert counts.sum() == n and abs(counts[0] - counts[1]) <= 1


def test_least_squares_matches_normal_equations():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = rng.normal(size=40)
    np.testing.assert_allclose(data.least_squares(X, y), np.linalg.solve(X.T @ X, X.T @ y))
    assert data.least_squares(X.tolist(), y.tolist()).shape == (3,)


def test_least_squares_bad_shapes():
    with pytest.raises(ValueError, match="X must have shape"):
        data.least_squares(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match=r"y must have shape \(3,\)"):
        data.least_squares(np.ones((3, 2)), np.ones(4))


@pytest.mark.parametrize(
    "make, kwargs, err, msg",
    [
        (data.make_intercept_regression, {"n": 0}, ValueError, "n must be >= 1"),
        (data.make_intercept_regression, {"n": 10.0}, TypeError, "n must be an int"),
        (data.make_intercept_regression, {"n": True}, TypeError, "n must be an int"),
        (data.make_intercept_regression, {"noise": -1.0}, ValueError, "noise must be >= 0"),
        (data.make_intercept_regression, {"x_max": 0.0}, ValueError, "x_max must be > 0"),
        (data.make_intercept_regression, {"slope": math.nan}, ValueError, "slope"),
        (data.make_intercept_regression, {"intercept": "4"}, TypeError, "intercept"),
        (data.make_intercept_regression, {"seed": -1}, ValueError, "seed must be"),
        (data.make_intercept_regression, {"seed": 1.5}, TypeError, "seed must be"),
        (data.make_sparse_regression, {"p_sparse": 0.0}, ValueError, "0 < p_sparse <= 1"),
        (data.make_sparse_regression, {"p_sparse": 1.5}, ValueError, "0 < p_sparse <= 1"),
        (data.make_sparse_regression, {"dense_scale": 0}, ValueError, "dense_scale"),
        (data.make_sparse_regression, {"noise": math.inf}, ValueError, "noise"),
        (data.make_sparse_regression, {"w_sparse": None}, TypeError, "w_sparse"),
        (data.make_sparse_regression, {"n": -5}, ValueError, "n must be"),
        (data.make_moons, {"n": 1}, ValueError, "n must be >= 2"),
        (data.make_moons, {"noise": -0.1}, ValueError, "noise must be >= 0"),
        (data.make_moons, {"seed": "0"}, TypeError, "seed must be"),
    ],
)
def test_bad_arguments(make, kwargs, err, msg):
    with pytest.raises(err, match=msg):
        make(**kwargs)


def test_least_squares_refuses_complex_and_text():
    with pytest.raises(TypeError, match="X must be a real-valued array"):
        data.least_squares([[1j, 0.0]], [1.0])
    with pytest.raises(TypeError, match="y must be a real-valued array"):
        data.least_squares([[1.0, 0.0]], ["a"])
    np.testing.assert_allclose(data.least_squares([[1, 0], [1, 1]], [1, 3]), [1.0, 2.0])


# ------------------------------------------------------------ Wilson et al. (2017)


def test_wilson_layout_by_hand():
    split = data.make_wilson_separable(n=20, p=0.6, n_test=15, seed=3)
    X = np.vstack([split.X, split.X_test])
    y = np.concatenate([split.y, split.y_test])
    assert split.X.shape == (20, 3 + 5 * 35) and split.X_test.shape == (15, 3 + 5 * 35)
    assert set(y.tolist()) <= {-1.0, 1.0}
    np.testing.assert_array_equal(X[:, 0], y)
    np.testing.assert_array_equal(X[:, 1:3], 1.0)
    for i, row in enumerate(X):  # own columns 4 + 5 i .. (1-based): one or five
        own = np.flatnonzero(row[3:]) + 3
        expected = 3 + 5 * i + np.arange(1 if y[i] > 0 else 5)
        np.testing.assert_array_equal(own, expected)
    # same seed, same data; p is the chance of a positive label
    again = data.make_wilson_separable(n=20, p=0.6, n_test=15, seed=3)
    np.testing.assert_array_equal(again.X, split.X)
    big = data.make_wilson_separable(n=400, p=0.6, n_test=1, seed=0)
    assert abs(np.mean(big.y > 0) - 0.6) < 0.06  # 2.5 standard errors of 400 draws


def test_wilson_sign_solution_interpolates():
    """The lemma behind the result: X sign(X^T y) = 4 y, so w = sign(X^T y) / 4 fits the
    training data exactly, and it calls every new example positive."""
    split = data.make_wilson_separable(seed=0)
    assert split.y.sum() > 0  # more positives than negatives: sign(sum y) = +1
    w = np.sign(split.X.T @ split.y) / 4
    np.testing.assert_array_equal(split.X @ w, split.y)
    assert np.all(split.X_test @ w > 0)


def _test_error(w, split):
    return float(np.mean(np.sign(split.X_test @ w) != split.y_test))


@pytest.mark.parametrize(("seed", "p"), [(0, 0.7), (1, 0.55), (3, 0.9), (5, 0.55)])
def test_wilson_gradient_descent_generalizes_adaptive_methods_do_not(seed, p):
    """Wilson et al.'s qualitative result, small (n = 30 training examples, 100 test),
    on several draws and p:
    every method fits the training set; GD and SGD (from 0: the minimum-norm
    interpolant) classify every test point right; AdaGrad, RMSprop and Adam call every
    test point positive, so their test error is the fraction of negatives (~1 - p)."""
    from rmsnotes import models, optim

    split = data.make_wilson_separable(n=30, p=p, n_test=100, seed=seed)
    assert split.y.sum() > 0  # the construction's premise (see its docstring)
    loss_fn, grad_fn = models.linear_problem(split.X, split.y)
    w0 = np.zeros(split.X.shape[1])
    min_norm = np.linalg.pinv(split.X) @ split.y
    assert _test_error(min_norm, split) == 0.0
    rng = np.random.default_rng(1)
    order = rng.integers(0, len(split.y), 3000)
    sgd_grad = models.online_grad(models.linear_grad, split.X, split.y, order)
    runs = {
        "GD": optim.run(optim.sgd(lr=0.25), grad_fn, w0, 1000, record="final").final,
        "SGD": optim.run(optim.sgd(lr=0.1), sgd_grad, w0, 3000, record="final").final,
        "AdaGrad": optim.run(optim.adagrad(lr=0.1), grad_fn, w0, 1000, record="final").final,
        "RMSprop": optim.run(optim.rmsprop(lr=0.01), grad_fn, w0, 2000, record="final").final,
        "Adam": optim.run(optim.adam(lr=0.01), grad_fn, w0, 2000, record="final").final,
    }
    negatives = float(np.mean(split.y_test < 0))
    assert negatives > 0.0
    for name, w in runs.items():
        assert np.all(np.sign(split.X @ w) == split.y), name  # the training set is fitted
        if name in ("GD", "SGD"):
            assert _test_error(w, split) == 0.0, name
            np.testing.assert_allclose(w, min_norm, atol=1e-4)  # heading for the min-norm w
        else:
            assert np.all(split.X_test @ w > 0), name  # every test point called positive
            assert _test_error(w, split) == negatives, name
            # near the sign solution: columns 1-3 weigh about 1/4 each
            np.testing.assert_allclose(w[:3], 0.25, atol=0.02)


@pytest.mark.parametrize(
    ("kwargs", "exc", "fragment"),
    [
        ({"n": 0}, ValueError, "n must be >= 1"),
        ({"n_test": 0}, ValueError, "n_test must be >= 1"),
        ({"p": 1.0}, ValueError, "0 < p < 1"),
        ({"p": 0.0}, ValueError, "0 < p < 1"),
        ({"p": "0.5"}, TypeError, "p must be a real number"),
        ({"seed": -1}, ValueError, "seed"),
    ],
)
def test_wilson_bad_input(kwargs, exc, fragment):
    with pytest.raises(exc, match=fragment):
        data.make_wilson_separable(**kwargs)
