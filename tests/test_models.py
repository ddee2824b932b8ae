"""Tests of rmsnotes.models: gradients by finite differences, training, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmsnotes import data, models, optim


def fd_grad(loss, w, h=1e-6):
    """Central finite differences of a scalar function of a flat vector."""
    w = np.asarray(w, dtype=float)
    g = np.empty_like(w)
    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = h
        g[i] = (loss(w + e) - loss(w - e)) / (2 * h)
    return g


# --------------------------------------------------------------- linear regression


@pytest.mark.parametrize("n, d, seed", [(1, 1, 0), (5, 2, 1), (40, 3, 2), (200, 6, 3)])
def test_linear_grad_matches_finite_differences(n, d, seed):
    rng = np.random.default_rng(seed)
    X, y, w = rng.normal(size=(n, d)), rng.normal(size=n), rng.normal(size=d)
    g = models.linear_grad(w, X, y)
    np.testing.assert_allclose(g, fd_grad(lambda v: models.linear_loss(v, X, y), w), atol=1e-7)


def test_linear_loss_convention_half_mean_squared_error():
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    y = np.array([1.0, -1.0, 2.0])
    w = np.array([0.5, -0.25])
    r = X @ w - y
    assert models.linear_loss(w, X, y) == pytest.approx(np.sum(r**2) / (2 * 3))
    np.testing.assert_allclose(models.linear_grad(w, X, y), X.T @ r / 3)


def test_linear_gradient_vanishes_at_least_squares():
    X, y = data.make_intercept_regression()
    w = data.least_squares(X, y)
    np.testing.assert_allclose(models.linear_grad(w, X, y), 0.0, atol=1e-10)


def test_linear_problem_closures_match_and_run():
    X, y = data.make_intercept_regression(n=30)
    loss_fn, grad_fn = models.linear_problem(X, y)
    w = np.array([1.0, 2.0])
    assert loss_fn(w) == models.linear_loss(w, X, y)
    np.testing.assert_array_equal(grad_fn(w), models.linear_grad(w, X, y))
    hist = optim.run(optim.sgd(lr=0.01), grad_fn, np.zeros(2), 50, loss_fn=loss_fn)
    assert np.all(np.diff(hist.losses) < 0)


@pytest.mark.parametrize("shape", [(1,), (7,), (3, 4)])
@pytest.mark.parametrize("which", ["sparse", "intercept"])
def test_linear_problem_takes_stacks_each_row_bit_identical(shape, which):
    X, y = data.make_sparse_regression() if which == "sparse" else data.make_intercept_regression()
    loss_fn, grad_fn = models.linear_problem(X, y)
    W = np.random.default_rng(3).normal(size=(*shape, 2)) * 5
    grads, losses = grad_fn(W), loss_fn(W)
    assert grads.shape == W.shape and losses.shape == shape
    for i in np.ndindex(shape):
        w = W[i].copy()
        np.testing.assert_array_equal(grads[i], grad_fn(w))
        np.testing.assert_array_equal(grads[i], models.linear_grad(w, X, y))
        assert losses[i] == loss_fn(w) == models.linear_loss(w, X, y)
    # the single call is the formula, and the stack of linear_grad is grad_fn's
    np.testing.assert_allclose(
        grad_fn(W[(0,) * len(shape)]), X.T @ (X @ W[(0,) * len(shape)] - y) / len(y), rtol=1e-13
    )
    np.testing.assert_array_equal(models.linear_grad(W, X, y), grads)


def test_linear_problem_copies_its_data():
    X, y = data.make_intercept_regression(n=10)
    loss_fn, _ = models.linear_problem(X, y)
    before = loss_fn(np.zeros(2))
    y[:] = 0.0
    assert loss_fn(np.zeros(2)) == before


def test_linear_bad_shapes():
    X, y = np.ones((4, 2)), np.ones(4)
    with pytest.raises(ValueError, match=r"w must have shape \(2,\)"):
        models.linear_loss(np.ones(3), X, y)
    with pytest.raises(ValueError, match=r"y must have shape \(4,\)"):
        models.linear_grad(np.ones(2), X, np.ones(5))
    with pytest.raises(ValueError, match="X must have shape"):
        models.linear_loss(np.ones(2), np.ones(4), y)
    _, grad_fn = models.linear_problem(X, y)
    with pytest.raises(ValueError, match=r"w must have shape \(2,\) .*got shape \(2, 1\)"):
        grad_fn(np.ones((2, 1)))
    with pytest.raises(ValueError, match=r"w must have shape \(2,\) .*got shape \(\)"):
        grad_fn(np.float64(1.0))
    with pytest.raises(TypeError, match="X must be a real-valued array"):
        models.linear_problem(np.array([["a", "b"]]), np.ones(1))


# ---------------------------------------------------------------------------- MLP


def test_mlp_size_and_unpack_layout():
    assert models.mlp_size(16) == 65
    assert models.mlp_size(3, n_inputs=5) == 22
    p = np.arange(models.mlp_size(3), dtype=float)
    W1, b1, w2, b2 = models.mlp_unpack(p)
    assert W1.shape == (2, 3) and b1.shape == (3,) and w2.shape == (3,)
    np.testing.assert_array_equal(np.concatenate([W1.ravel(), b1, w2, [b2]]), p)
    W1, *_ = models.mlp_unpack(np.arange(models.mlp_size(3, 5), dtype=float), n_inputs=5)
    assert W1.shape == (5, 3)


def test_mlp_init_deterministic_and_ranged():
    a, b, c = models.mlp_init(16, seed=0), models.mlp_init(16, seed=0), models.mlp_init(16, 1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.shape == (65,) and a.dtype == np.float64
    W1, b1, w2, b2 = models.mlp_unpack(a)
    assert np.abs(np.concatenate([W1.ravel(), b1])).max() <= 1 / np.sqrt(2)
    assert np.abs(np.append(w2, b2)).max() <= 1 / np.sqrt(16)


@pytest.mark.parametrize("hidden, n, seed", [(1, 3, 0), (3, 10, 1), (16, 50, 2), (8, 200, 3)])
def test_mlp_grad_matches_finite_differences(hidden, n, seed):
    X, y = data.make_moons(n=n, seed=seed)
    params = models.mlp_init(hidden, seed=seed)
    g = models.mlp_grad(params, X, y)
    g_fd = fd_grad(lambda p: models.mlp_loss(p, X, y), params)
    np.testing.assert_allclose(g, g_fd, atol=1e-8, rtol=1e-5)


@settings(max_examples=20, deadline=None)
@given(
    hidden=st.integers(1, 6),
    n_inputs=st.integers(1, 3),
    seed=st.integers(0, 2**31),
    scale=st.floats(0.1, 3.0),
)
def test_mlp_grad_property(hidden, n_inputs, seed, scale):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(7, n_inputs))
    y = rng.uniform(size=7)  # soft labels are allowed
    params = scale * models.mlp_init(hidden, seed=seed, n_inputs=n_inputs)
    g = models.mlp_grad(params, X, y)
    g_fd = fd_grad(lambda p: models.mlp_loss(p, X, y), params)
    np.testing.assert_allclose(g, g_fd, atol=1e-7, rtol=1e-5)


def test_mlp_loss_is_binary_cross_entropy():
    X, y = data.make_moons(n=20)
    params = models.mlp_init(4, seed=3)
    p = models.mlp_forward(params, X)
    naive = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert models.mlp_loss(params, X, y) == pytest.approx(naive, rel=1e-12)


def test_mlp_loss_is_stable_for_huge_logits():
    X = np.array([[1.0, 1.0], [-1.0, -1.0]])
    y = np.array([0, 1])
    params = 1e4 * models.mlp_init(4, seed=0)  # logits of order 1e4, wrong signs too
    loss = models.mlp_loss(params, X, y)  # filterwarnings=error: no overflow warning
    g = models.mlp_grad(params, X, y)
    assert np.isfinite(loss) and np.isfinite(g).all()
    z = 1e3
    # log(1 + e^z) - y z for z = 1000, y = 0 is 1000 (up to e^-1000)
    assert np.logaddexp(0, z) == z


def test_mlp_accuracy_and_forward():
    X, y = data.make_moons(n=40)
    params = models.mlp_init(8)
    p = models.mlp_forward(params, X)
    assert p.shape == (40,) and ((0 < p) & (p < 1)).all()
    assert models.mlp_accuracy(params, X, y) == np.mean((p > 0.5) == y)
    flipped = 1 - y
    assert models.mlp_accuracy(params, X, flipped) == pytest.approx(
        1 - models.mlp_accuracy(params, X, y)
    )


def test_mlp_loss_decreases_under_gradient_descent():
    X, y = data.make_moons()
    loss_fn, grad_fn = models.mlp_problem(X, y, hidden=16)
    hist = optim.run(optim.sgd(lr=0.5), grad_fn, models.mlp_init(16), 30, loss_fn=loss_fn)
    assert np.all(np.diff(hist.losses) < 0)
    assert hist.losses[-1] < 0.8 * hist.losses[0]


def test_linear_loss_decreases_under_gradient_descent():
    X, y = data.make_sparse_regression()
    loss_fn, grad_fn = models.linear_problem(X, y)
    hist = optim.run(optim.sgd(lr=0.005), grad_fn, np.zeros(2), 20, loss_fn=loss_fn)
    assert np.all(np.diff(hist.losses) < 0)


def test_mlp_problem_closures():
    X, y = data.make_moons(n=30)
    loss_fn, grad_fn = models.mlp_problem(X, y, hidden=5)
    params = models.mlp_init(5, seed=2)
    assert loss_fn(params) == models.mlp_loss(params, X, y)
    np.testing.assert_array_equal(grad_fn(params), models.mlp_grad(params, X, y))
    with pytest.raises(ValueError, match=r"params must have shape \(21,\) .*got shape \(65,\)"):
        grad_fn(models.mlp_init(16))
    with pytest.raises(ValueError, match=r"\(\.\.\., 21\) for a stack .*got shape \(2, 65\)"):
        loss_fn(np.zeros((2, 65)))


def test_mlp_bad_input():
    X, y = data.make_moons(n=10)
    params = models.mlp_init(4)
    with pytest.raises(ValueError, match="params must be a flat vector"):
        models.mlp_loss(params[:-1], X, y)
    with pytest.raises(ValueError, match="params must be a flat vector"):
        models.mlp_grad(params.reshape(1, -1)[:, :-1], X, y)  # a stack of wrong sizes
    with pytest.raises(ValueError, match=r"y must have shape \(10,\)"):
        models.mlp_loss(params, X, y[:5])
    with pytest.raises(ValueError, match="X must have shape"):
        models.mlp_forward(params, X[0])
    with pytest.raises(ValueError, match=r"y must hold labels .* \[0, 1\]"):
        models.mlp_loss(params, X, 2 * y)
    with pytest.raises(ValueError, match=r"size \(3 \+ 2\) \* hidden \+ 1"):
        models.mlp_loss(params, np.ones((10, 3)), y)  # X with 3 columns, params for 2
    with pytest.raises(ValueError, match="hidden must be >= 1"):
        models.mlp_init(0)
    with pytest.raises(TypeError, match="hidden must be an int"):
        models.mlp_problem(X, y, hidden=2.5)
    with pytest.raises(TypeError, match="seed must be"):
        models.mlp_init(4, seed=0.5)
    with pytest.raises(ValueError, match="seed must be an int >= 0"):
        models.mlp_init(4, seed=-1)


# ------------------------------------------------------------ stacks of networks


@pytest.fixture(scope="module")
def moons_problem():
    X, y = data.make_moons(n=60, seed=3)
    stack = np.stack([[models.mlp_init(6, seed=3 * i + j) for j in range(3)] for i in range(2)])
    return X, y, stack  # stack: (2, 3, 25)


def test_a_stack_of_networks_gives_each_row_bit_for_bit(moons_problem):
    X, y, stack = moons_problem
    loss_fn, grad_fn = models.mlp_problem(X, y, hidden=6)
    losses, grads = loss_fn(stack), grad_fn(stack)
    assert losses.shape == (2, 3) and grads.shape == (2, 3, 25)
    acc = models.mlp_accuracy(stack, X, y)
    probs = models.mlp_forward(stack, X)
    assert acc.shape == (2, 3) and probs.shape == (2, 3, 60)
    for i in range(2):
        for j in range(3):
            one = stack[i, j].copy()  # a fresh array, as a single call would get
            assert losses[i, j] == loss_fn(one)
            np.testing.assert_array_equal(grads[i, j], grad_fn(one))
            assert acc[i, j] == models.mlp_accuracy(one, X, y)
            np.testing.assert_array_equal(probs[i, j], models.mlp_forward(one, X))
            assert models.mlp_loss(stack, X, y)[i, j] == models.mlp_loss(one, X, y)
            np.testing.assert_array_equal(models.mlp_grad(stack, X, y)[i, j], grad_fn(one))


def test_training_a_stack_is_training_each_network(moons_problem):
    X, y, stack = moons_problem
    _, grad_fn = models.mlp_problem(X, y, hidden=6)
    inits = stack[0]  # (3, 25)
    together = optim.run(optim.rmsprop(lr=0.01), grad_fn, inits, 25)
    for k in range(3):
        alone = optim.run(optim.rmsprop(lr=0.01), grad_fn, inits[k].copy(), 25)
        np.testing.assert_array_equal(together.xs[:, k], alone.xs)


@pytest.mark.parametrize(
    "n, hidden, n_inputs, shape",
    [(200, 16, 2, (2, 4, 3)), (13, 3, 2, (5,)), (7, 5, 3, (3, 2)), (1, 1, 1, (2, 1))],
)
def test_stacks_of_any_shape_and_size_give_each_row_bit_for_bit(n, hidden, n_inputs, shape):
    # odd n * hidden too: SIMD loops end in a tail, which must round like the body
    rng = np.random.default_rng(n)
    X, y = rng.normal(size=(n, n_inputs)), (rng.random(n) > 0.5).astype(float)
    seeds = np.arange(np.prod(shape)).reshape(shape)
    stack = np.stack([models.mlp_init(hidden, int(s), n_inputs) for s in seeds.ravel()])
    stack = 3.0 * stack.reshape(shape + (-1,))  # large weights: saturated units too
    grads, losses = models.mlp_grad(stack, X, y), models.mlp_loss(stack, X, y)
    probs, acc = models.mlp_forward(stack, X), models.mlp_accuracy(stack, X, y)
    assert grads.shape == stack.shape and losses.shape == acc.shape == shape
    for idx in np.ndindex(*shape):
        one = stack[idx].copy()
        np.testing.assert_array_equal(grads[idx], models.mlp_grad(one, X, y))
        assert losses[idx] == models.mlp_loss(one, X, y)
        np.testing.assert_array_equal(probs[idx], models.mlp_forward(one, X))
        assert acc[idx] == models.mlp_accuracy(one, X, y)


@pytest.mark.parametrize("make, lr", [(optim.adagrad, 2.0), (optim.rmsprop, 0.1)])
def test_training_a_stack_at_the_notebooks_size_is_training_each_network(make, lr):
    X, y = data.make_moons(n=200, noise=0.2, seed=0)  # as in notebook 05, fewer steps
    _, grad_fn = models.mlp_problem(X, y, hidden=16)
    inits = np.stack([[models.mlp_init(16, seed=s) for s in range(3)]] * 2)  # (2, 3, 65)
    inits[1] *= 2.0
    together = optim.run(make(lr=lr), grad_fn, inits, 60)
    for i, j in np.ndindex(2, 3):
        alone = optim.run(make(lr=lr), grad_fn, inits[i, j].copy(), 60)
        np.testing.assert_array_equal(together.xs[:, i, j], alone.xs)


def test_a_single_network_still_gives_a_float(moons_problem):
    X, y, stack = moons_problem
    loss_fn, _ = models.mlp_problem(X, y, hidden=6)
    assert isinstance(loss_fn(stack[0, 0]), float)
    assert isinstance(models.mlp_accuracy(stack[0, 0], X, y), float)


# ---------------------------------------------------------------- online_grad


def test_online_grad_hands_out_one_example_per_step():
    X, y = data.make_sparse_regression(n=50, seed=1)
    order = np.random.default_rng(0).integers(0, 50, size=30)
    w0 = np.zeros(X.shape[1])
    hist = optim.run(
        optim.adagrad(0.5), models.online_grad(models.linear_grad, X, y, order), w0, 30
    )
    w = w0.copy()  # by hand: step t uses example order[t - 1] as a batch of one
    opt = optim.adagrad(0.5)
    state = opt.init(w)
    for t, i in enumerate(order, start=1):
        g = models.linear_grad(w, X[[i]], y[[i]])
        np.testing.assert_array_equal(hist.grads[t - 1], g)
        step, state = opt.update(g, state)
        w = w + step
    np.testing.assert_array_equal(hist.final, w)


def test_online_grad_mini_batches_and_mlps():
    X, y = data.make_moons(n=40, seed=2)
    batches = np.arange(40).reshape(4, 10)  # a 2-D order: one batch per row
    g = models.online_grad(models.mlp_grad, X, y, batches)
    params = models.mlp_init(4)
    for rows in batches:
        np.testing.assert_array_equal(g(params), models.mlp_grad(params, X[rows], y[rows]))
    ragged = models.online_grad(models.linear_grad, X, y, [3, [0, 1, 2], np.array([5, 6])])
    w = np.array([0.5, -0.5])
    np.testing.assert_array_equal(ragged(w), models.linear_grad(w, X[[3]], y[[3]]))
    np.testing.assert_array_equal(ragged(w), models.linear_grad(w, X[:3], y[:3]))
    np.testing.assert_array_equal(ragged(w), models.linear_grad(w, X[5:7], y[5:7]))


def test_online_grad_says_when_the_order_runs_out():
    X, y = data.make_intercept_regression(n=5)
    stream = models.online_grad(models.linear_grad, X, y, [0, 1])
    with pytest.raises(
        ValueError, match="step 3 of 3.*online_grad ran out of examples: order holds 2"
    ):
        optim.run(optim.sgd(0.1), stream, np.zeros(2), 3)


def test_online_grad_copies_its_inputs_and_starts_afresh():
    X, y = data.make_intercept_regression(n=5)
    order = np.array([4, 4])
    X2, y2 = X.copy(), y.copy()
    stream = models.online_grad(models.linear_grad, X2, y2, order)
    order[:] = 0
    X2[:] = 0.0
    y2[:] = 0.0
    np.testing.assert_array_equal(
        stream(np.zeros(2)), models.linear_grad(np.zeros(2), X[[4]], y[[4]])
    )
    fresh = models.online_grad(models.linear_grad, X, y, [1])
    np.testing.assert_array_equal(
        fresh(np.zeros(2)), models.linear_grad(np.zeros(2), X[[1]], y[[1]])
    )


@pytest.mark.parametrize(
    "order, error, match",
    [
        ([5], ValueError, r"outside 0 \.\. 4"),
        ([-1], ValueError, r"outside 0 \.\. 4"),
        ([[]], ValueError, "empty batch"),
        ([0.5], TypeError, r"order\[0\] \(step 1\) must be an int"),
        ([True], TypeError, "must be an int"),
        ([np.zeros((2, 2), int)], TypeError, "1-D array of ints"),
        (3, TypeError, "order must be a sequence"),
        ("01", TypeError, "order must be a sequence"),
    ],
)
def test_online_grad_bad_orders(order, error, match):
    X, y = data.make_intercept_regression(n=5)
    with pytest.raises(error, match=match):
        models.online_grad(models.linear_grad, X, y, order)


def test_online_grad_bad_grad_and_data():
    X, y = data.make_intercept_regression(n=5)
    with pytest.raises(TypeError, match="grad must be a function"):
        models.online_grad(None, X, y, [0])
    with pytest.raises(ValueError, match="y must have shape"):
        models.online_grad(models.linear_grad, X, y[:3], [0])


@pytest.mark.parametrize(("hidden", "n_inputs"), [(1, 1), (3, 2), (16, 2), (5, 4)])
def test_mlp_layers_and_units_name_the_unpacked_arrays(hidden, n_inputs):
    params = np.arange(float(models.mlp_size(hidden, n_inputs)))
    W1, b1, w2, b2 = models.mlp_unpack(params, n_inputs)
    layers = models.mlp_layers(hidden, n_inputs)
    assert list(layers) == ["W1", "b1", "w2", "b2"]
    np.testing.assert_array_equal(params[layers["W1"]].reshape(n_inputs, hidden), W1)
    np.testing.assert_array_equal(params[layers["b1"]], b1)
    np.testing.assert_array_equal(params[layers["w2"]], w2)
    assert params[layers["b2"]].tolist() == [b2]
    # the slices tile the vector
    covered = np.concatenate([np.arange(params.size)[s] for s in layers.values()])
    np.testing.assert_array_equal(covered, np.arange(params.size))
    units = models.mlp_units(hidden, n_inputs)
    assert list(units) == [f"h{j}" for j in range(hidden)]
    for j, idx in enumerate(units.values()):
        np.testing.assert_array_equal(params[idx], [*W1[:, j], b1[j], w2[j]])
    owned = np.sort(np.concatenate(list(units.values())))
    np.testing.assert_array_equal(owned, np.arange(params.size - 1))  # all but b2
