"""Unit tests of rmsnotes.ema: hand-worked values, the identities of notebook 03 as
property tests, the tie to the optimizers' state, and every bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rmsnotes import ema, optim, surfaces

betas = st.floats(0.0, 0.999, allow_nan=False)
counts = st.integers(0, 300)
squares = hnp.arrays(
    np.float64,
    st.integers(1, 60),
    elements=st.floats(0.0, 1e6, allow_nan=False, allow_infinity=False),
)
gradients = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 40), st.integers(1, 3)),
    elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
)


# ------------------------------------------------------------------ worked values


def test_first_three_averages_by_hand():
    # G_1 = (1-b) x1, G_2 = b(1-b) x1 + (1-b) x2, G_3 = b^2(1-b) x1 + b(1-b) x2 + (1-b) x3
    b, (x1, x2, x3) = 0.9, (4.0, 1.0, 9.0)
    want = [
        (1 - b) * x1,
        b * (1 - b) * x1 + (1 - b) * x2,
        b**2 * (1 - b) * x1 + b * (1 - b) * x2 + (1 - b) * x3,
    ]
    np.testing.assert_allclose(ema.moving_average([x1, x2, x3], b), want, rtol=1e-15)


def test_weights_of_three_values_are_the_seed_table():
    b = 0.9
    np.testing.assert_allclose(ema.weights(b, 3), [b**2 * (1 - b), b * (1 - b), 1 - b])


def test_named_numbers():
    assert ema.effective_window(0.9) == pytest.approx(10.0, rel=1e-12)
    assert ema.mean_age(0.9) == pytest.approx(9.0, rel=1e-12)
    assert ema.half_life(0.9) == pytest.approx(6.5788, abs=1e-4)  # PLAN: 6.6 steps
    assert ema.half_life(0.99) == pytest.approx(68.9676, abs=1e-4)
    assert ema.weights_sum(0.9, 10) == pytest.approx(1 - 0.9**10, rel=1e-15)


def test_beta_zero_keeps_only_the_newest_value():
    x = np.array([3.0, -1.0, 7.0])
    np.testing.assert_array_equal(ema.moving_average(x, 0.0, initial=5.0), x)
    np.testing.assert_array_equal(ema.weights(0.0, 3), [0.0, 0.0, 1.0])
    assert ema.half_life(0.0) == 0.0
    assert ema.effective_window(0.0) == 1.0


def test_empty_and_scalar_like_inputs():
    assert ema.moving_average(np.empty((0, 2)), 0.5).shape == (0, 2)
    assert ema.weights(0.5, 0).shape == (0,)
    assert ema.weights_sum(0.5, 0) == 0.0
    assert isinstance(ema.bias_correction(0.19, 0.9, 2), float)
    assert ema.bias_correction(0.19, 0.9, np.int64(2)) == pytest.approx(1.0)


def test_integer_values_are_converted_not_truncated():
    out = ema.moving_average([1, 2], 0.5)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, [0.5, 1.25])


def test_inputs_are_not_mutated():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    a0 = np.array([0.5, 0.5])
    ema.moving_average(x, 0.9, initial=a0)
    np.testing.assert_array_equal(x, [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(a0, [0.5, 0.5])


def test_float32_values_stay_float32():
    out = ema.moving_average(np.ones(3, dtype=np.float32), 0.9)
    assert out.dtype == np.float32


# --------------------------------------------------------- identities (properties)


@settings(max_examples=60, deadline=None)
@given(beta=betas, t=counts)
def test_weights_are_non_negative_and_sum_to_one_minus_beta_to_the_t(beta, t):
    w = ema.weights(beta, t)
    assert w.shape == (t,)
    assert np.all(w >= 0)
    assert np.all(np.diff(w) >= 0), "an older value weighs more than a newer one"
    assert math.isclose(w.sum(), ema.weights_sum(beta, t), rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(ema.weights_sum(beta, t), 1 - beta**t, rel_tol=1e-15, abs_tol=0)


@settings(max_examples=60, deadline=None)
@given(x=squares, beta=betas, a0=st.floats(0.0, 1e3))
def test_recursion_equals_the_weighted_sum(x, beta, a0):
    t = len(x)
    recursion = ema.moving_average(x, beta, initial=a0)
    for n in {1, (t + 1) // 2, t}:
        closed = beta**n * a0 + ema.weights(beta, n) @ x[:n]
        assert math.isclose(recursion[n - 1], closed, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=60, deadline=None)
@given(x=squares, beta=betas, a0=st.floats(0.0, 1e3))
def test_average_stays_between_the_smallest_and_largest_value_seen(x, beta, a0):
    # a_t is a convex combination of a_0, x_1, ..., x_t: it cannot grow without bound
    a = ema.moving_average(x, beta, initial=a0)
    lo = np.minimum.accumulate(np.minimum(x, a0))
    hi = np.maximum.accumulate(np.maximum(x, a0))
    slack = 1e-12 * np.maximum(hi, 1.0)
    assert np.all(a >= lo - slack) and np.all(a <= hi + slack)


@settings(max_examples=60, deadline=None)
@given(
    c=st.floats(1e-6, 1e6),
    beta=st.floats(0.0, 0.999),
    t=st.integers(1, 200),
    extra=st.integers(0, 5),
)
def test_zero_start_bias_and_its_correction_on_a_constant(c, beta, t, extra):
    a = ema.moving_average(np.full(t + extra, c), beta)
    assert math.isclose(a[t - 1], c * (1 - beta**t), rel_tol=1e-9)
    corrected = ema.bias_correction(a, beta, np.arange(1, t + extra + 1))
    np.testing.assert_allclose(corrected, c, rtol=1e-9)


@settings(max_examples=60, deadline=None)
@given(beta=st.floats(1e-3, 0.9999))
def test_the_weight_halves_at_the_half_life(beta):
    h = ema.half_life(beta)
    assert math.isclose(beta**h, 0.5, rel_tol=1e-12)
    # the values younger than h carry half of the long-run weight
    assert math.isclose(1 - beta**h, 0.5, rel_tol=1e-12)


@settings(max_examples=40, deadline=None)
@given(beta=st.floats(0.0, 0.99))
def test_effective_window_is_total_over_newest_weight_and_mean_age_plus_one(beta):
    t = 20_000  # beta^t < 1e-87: the limit, to float precision
    w = ema.weights(beta, t)
    newest = w[-1]
    assert math.isclose(w.sum() / newest, ema.effective_window(beta), rel_tol=1e-9)
    ages = np.arange(t - 1, -1, -1)
    mean_age = (ages * w).sum() / w.sum()
    assert math.isclose(mean_age + 1, ema.effective_window(beta), rel_tol=1e-9)
    assert math.isclose(mean_age, ema.mean_age(beta), rel_tol=1e-9, abs_tol=1e-12)


def test_effective_window_after_finitely_many_steps():
    b, t = 0.9, 5
    w = ema.weights(b, t)
    assert w.sum() / w[-1] == pytest.approx((1 - b**t) / (1 - b), rel=1e-14)


# --------------------------------------------------------- tie to the optimizers


def feed(sequence):
    """A grad_fn that ignores x and returns the next row of ``sequence``."""
    rows = iter(np.asarray(sequence, dtype=float))
    return lambda x: next(rows)


@settings(max_examples=40, deadline=None)
@given(g=gradients, beta=betas, a0=st.sampled_from([0.0, 0.1, 1.0]))
def test_rmsprop_state_v_is_the_ema_of_squared_gradients(g, beta, a0):
    opt = optim.rmsprop(lr=0.01, beta=beta, initial_accumulator=a0)
    hist = optim.run(opt, feed(g), np.zeros(g.shape[1]), steps=len(g))
    np.testing.assert_allclose(hist.states["v"][0], a0)
    np.testing.assert_allclose(
        hist.states["v"][1:], ema.moving_average(g**2, beta, initial=a0), rtol=1e-12, atol=1e-300
    )


def test_centered_rmsprop_m_is_the_ema_of_gradients():
    # Random gradients: with a constant one, v - m^2 = g^2 beta^t (1 - beta^t) rounds
    # below zero after a few dozen steps and the root warns (as in PyTorch).
    g = np.random.default_rng(1).normal(size=(60, 3))
    for beta in (0.0, 0.5, 0.9):
        hist = optim.run(optim.rmsprop(lr=0.01, beta=beta, centered=True), feed(g), np.zeros(3), 60)
        np.testing.assert_allclose(hist.states["m"][1:], ema.moving_average(g, beta), rtol=1e-12)


def test_rmsprop_state_on_a_real_run_is_the_ema_of_its_own_gradients():
    quad = surfaces.quadratic()
    for beta in (0.5, 0.9, 0.99):
        hist = optim.run(optim.rmsprop(lr=0.1, beta=beta), quad.grad, quad.start, 100)
        np.testing.assert_allclose(
            hist.states["v"][1:], ema.moving_average(hist.grads**2, beta), rtol=1e-12
        )


@settings(max_examples=40, deadline=None)
@given(g=gradients, b1=st.floats(0.0, 0.99), b2=st.floats(0.0, 0.999))
def test_adam_moments_are_emas_and_its_step_uses_the_bias_correction(g, b1, b2):
    lr, eps = 0.01, 1e-8
    hist = optim.run(
        optim.adam(lr=lr, beta1=b1, beta2=b2, eps=eps), feed(g), np.zeros(g.shape[1]), len(g)
    )
    m, v = ema.moving_average(g, b1), ema.moving_average(g**2, b2)
    np.testing.assert_allclose(hist.states["m"][1:], m, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(hist.states["v"][1:], v, rtol=1e-9, atol=1e-12)
    t = np.arange(1, len(g) + 1)[:, None]
    m_hat = ema.bias_correction(m, b1, t)
    v_hat = ema.bias_correction(v, b2, t)
    np.testing.assert_allclose(
        hist.updates, -lr * m_hat / (np.sqrt(v_hat) + eps), rtol=1e-9, atol=1e-12
    )


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99, 0.999])
def test_rmsprop_first_step_is_inflated_by_one_over_sqrt_one_minus_beta(beta):
    # v_1 = (1 - beta) g_1^2, so with eps = 0 the first step is -lr sign(g) / sqrt(1 - beta)
    lr, g = 0.01, np.array([3.0, -0.2])
    step, _ = optim.rmsprop(lr=lr, beta=beta, eps=0.0).update(g, optim.rmsprop().init(g))
    np.testing.assert_allclose(step, -lr * np.sign(g) / math.sqrt(1 - beta), rtol=1e-12)
    adam = optim.adam(lr=lr, beta1=0.0, beta2=beta, eps=0.0)
    fixed, _ = adam.update(g, adam.init(g))
    np.testing.assert_allclose(fixed, -lr * np.sign(g), rtol=1e-12)


def test_adagrad_weights_every_gradient_by_one():
    g = np.random.default_rng(0).normal(size=(50, 2))
    hist = optim.run(optim.adagrad(lr=0.1), feed(g), np.zeros(2), 50)
    np.testing.assert_allclose(hist.states["s"][1:], np.cumsum(g**2, axis=0), rtol=1e-12)


# -------------------------------------------------------------------- bad input


@pytest.mark.parametrize("beta", [1.0, -0.1, 1.5, math.nan, math.inf])
def test_beta_out_of_range_raises_value_error_naming_it(beta):
    for call in (
        lambda: ema.moving_average([1.0], beta),
        lambda: ema.weights(beta, 3),
        lambda: ema.weights_sum(beta, 3),
        lambda: ema.mean_age(beta),
        lambda: ema.effective_window(beta),
        lambda: ema.half_life(beta),
        lambda: ema.bias_correction(1.0, beta, 1),
    ):
        with pytest.raises(ValueError, match=r"beta must satisfy 0 <= beta < 1"):
            call()


@pytest.mark.parametrize("beta", ["0.9", None, True, [0.9], 0.5 + 0j])
def test_beta_not_a_number_raises_type_error(beta):
    with pytest.raises(TypeError, match="beta must be a real number"):
        ema.half_life(beta)
    with pytest.raises(TypeError, match="beta must be a real number"):
        ema.moving_average([1.0], beta)


@pytest.mark.parametrize("t", [-1, 2.0, True, "3"])
def test_bad_counts_for_weights(t):
    with pytest.raises((TypeError, ValueError), match="t must be"):
        ema.weights(0.9, t)
    with pytest.raises((TypeError, ValueError), match="t must be"):
        ema.weights_sum(0.9, t)


@pytest.mark.parametrize("t", [0, -2, 1.5, np.array([1, 0]), np.array([1.0, 2.0]), "1"])
def test_bias_correction_needs_steps_from_one(t):
    with pytest.raises((TypeError, ValueError), match="t must be"):
        ema.bias_correction(1.0, 0.9, t)


def test_bad_values_raise_clear_errors():
    with pytest.raises(ValueError, match="time axis"):
        ema.moving_average(3.0, 0.9)
    with pytest.raises(ValueError, match="non-finite"):
        ema.moving_average([1.0, math.nan], 0.9)
    with pytest.raises(ValueError, match="non-finite"):
        ema.moving_average([1.0], 0.9, initial=math.inf)
    with pytest.raises(TypeError, match="real-valued"):
        ema.moving_average(["a", "b"], 0.9)
    with pytest.raises(TypeError, match="real-valued"):
        ema.moving_average([1 + 1j], 0.9)
    with pytest.raises(TypeError, match="real-valued"):
        ema.moving_average([[1.0], [1.0, 2.0]], 0.9)
    with pytest.raises(ValueError, match="broadcast"):
        ema.moving_average(np.ones((3, 2)), 0.9, initial=[0.0, 0.0, 0.0])
