"""Unit tests of rmsnotes.optim: hand-worked steps, identities, invariants, bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rmsnotes import optim

# Every option combination of the two optimizers the course is about.
RMSPROP_OPTIONS = [
    dict(eps_in_sqrt=e, centered=c, momentum=m, initial_accumulator=a)
    for e in (False, True)
    for c in (False, True)
    for m in (0.0, 0.5)
    for a in (0.0, 0.1)
]
ADAGRAD_OPTIONS = [
    dict(eps_in_sqrt=e, initial_accumulator=a) for e in (False, True) for a in (0.0, 0.1)
]


def all_optimizers():
    yield optim.sgd(lr=0.1)
    yield optim.sgd(lr=0.1, momentum=0.9)
    yield optim.sgd(lr=0.1, momentum=0.9, nesterov=True)
    for kw in ADAGRAD_OPTIONS:
        yield optim.adagrad(lr=0.1, eps=1e-6, **kw)
    for kw in RMSPROP_OPTIONS:
        yield optim.rmsprop(lr=0.01, beta=0.9, eps=1e-6, **kw)
    yield optim.adam(lr=0.01)
    yield optim.adam(lr=0.01, bias_correction=False)
    yield optim.adam(lr=0.01, amsgrad=True)
    yield optim.adam(lr=0.01, beta1=0.0, bias_correction=False, amsgrad=True)
    yield optim.adadelta()
    yield optim.adadelta(lr=0.5, beta=0.95, eps=1e-3)


OPTIMIZERS = list(all_optimizers())
IDS = [repr(o) for o in OPTIMIZERS]


def quadratic_grad(x):
    """Gradient of 0.1 x^2 + 2 y^2 (d2l's example)."""
    return np.array([0.2 * x[0], 4.0 * x[1]])


# ------------------------------------------------------------------- hand-worked steps


def test_adagrad_two_steps_by_hand():
    opt = optim.adagrad(lr=1.0, eps=0.0)
    state = opt.init([0.0, 0.0])
    step, state = opt.update([3.0, 4.0], state)
    # s = [9, 16]; step = -g / sqrt(s) = -[1, 1]
    np.testing.assert_array_equal(state.s, [9.0, 16.0])
    np.testing.assert_array_equal(step, [-1.0, -1.0])
    step, state = opt.update([4.0, 0.0], state)
    # s = [25, 16]; step = -[4/5, 0]
    np.testing.assert_array_equal(state.s, [25.0, 16.0])
    np.testing.assert_allclose(step, [-0.8, 0.0], rtol=1e-15)


def test_adagrad_eps_placement_and_initial_accumulator():
    g = np.array([2.0])
    out = optim.adagrad(lr=0.5, eps=0.25).update(g, optim.adagrad().init([0.0]))[0]
    np.testing.assert_allclose(out, -0.5 * 2.0 / (2.0 + 0.25), rtol=1e-15)
    opt = optim.adagrad(lr=0.5, eps=0.25, eps_in_sqrt=True, initial_accumulator=0.1)
    state = opt.init([0.0])
    np.testing.assert_array_equal(state.s, [0.1])
    out = opt.update(g, state)[0]
    np.testing.assert_allclose(out, -0.5 * 2.0 / math.sqrt(0.1 + 4.0 + 0.25), rtol=1e-15)


def test_rmsprop_two_steps_by_hand():
    opt = optim.rmsprop(lr=0.1, beta=0.9, eps=0.0)
    state = opt.init([1.0])
    step, state = opt.update([2.0], state)
    # v1 = 0.1 * 4 = 0.4; step = -0.1 * 2 / sqrt(0.4)
    np.testing.assert_allclose(state.v, [0.4], rtol=1e-15)
    np.testing.assert_allclose(step, [-0.2 / math.sqrt(0.4)], rtol=1e-15)
    step, state = opt.update([-1.0], state)
    # v2 = 0.9 * 0.4 + 0.1 * 1 = 0.46
    np.testing.assert_allclose(state.v, [0.46], rtol=1e-15)
    np.testing.assert_allclose(step, [0.1 / math.sqrt(0.46)], rtol=1e-15)


def test_rmsprop_centered_and_momentum_by_hand():
    opt = optim.rmsprop(lr=0.1, beta=0.5, eps=0.0, centered=True, momentum=0.5)
    state = opt.init([0.0])
    step, state = opt.update([2.0], state)
    # v = 2, m = 1, v - m^2 = 1, b = 2 / 1 = 2, step = -0.2
    np.testing.assert_allclose([state.v[0], state.m[0], state.b[0]], [2.0, 1.0, 2.0])
    np.testing.assert_allclose(step, [-0.2], rtol=1e-15)
    step, state = opt.update([2.0], state)
    # v = 3, m = 1.5, v - m^2 = 0.75, b = 0.5 * 2 + 2 / sqrt(0.75)
    b = 1.0 + 2.0 / math.sqrt(0.75)
    np.testing.assert_allclose(state.b, [b], rtol=1e-15)
    np.testing.assert_allclose(step, [-0.1 * b], rtol=1e-15)


def test_rmsprop_tf1_style_start_at_one():
    opt = optim.rmsprop(lr=0.1, beta=0.9, eps=1e-10, eps_in_sqrt=True, initial_accumulator=1.0)
    step, state = opt.update([3.0], opt.init([0.0]))
    np.testing.assert_allclose(state.v, [0.9 + 0.1 * 9.0], rtol=1e-15)
    np.testing.assert_allclose(step, [-0.3 / math.sqrt(1.8 + 1e-10)], rtol=1e-15)


def test_sgd_momentum_by_hand():
    opt = optim.sgd(lr=0.1, momentum=0.9)
    state = opt.init([0.0])
    step, state = opt.update([1.0], state)
    np.testing.assert_allclose(step, [-0.1])
    step, state = opt.update([1.0], state)
    np.testing.assert_allclose(step, [-0.19], rtol=1e-15)


def test_sgd_nesterov_by_hand():
    # torch.optim.SGD(lr=0.1, momentum=0.5, nesterov=True): b = mu b + g, step = -lr (g + mu b)
    opt = optim.sgd(lr=0.1, momentum=0.5, nesterov=True)
    state = opt.init([0.0, 0.0])
    step, state = opt.update([2.0, -4.0], state)
    np.testing.assert_array_equal(state.b, [2.0, -4.0])
    np.testing.assert_allclose(step, [-0.1 * (2 + 0.5 * 2), 0.1 * (4 + 0.5 * 4)], rtol=1e-15)
    step, state = opt.update([1.0, 0.0], state)
    # b = 0.5 * 2 + 1 = 2, step = -0.1 * (1 + 0.5 * 2) = -0.2; the second coordinate
    # gets no gradient: b = 0.5 * -4 = -2, step = -0.1 * (0 + 0.5 * -2) = 0.1
    np.testing.assert_allclose(state.b, [2.0, -2.0], rtol=1e-15)
    np.testing.assert_allclose(step, [-0.2, 0.1], rtol=1e-15)
    # heavy ball from the same state steps by -lr b only
    heavy = optim.sgd(lr=0.1, momentum=0.5)
    step_h, _ = heavy.update([1.0, 0.0], optim.SGDState(b=np.array([2.0, -4.0]), shape=(2,)))
    np.testing.assert_allclose(step_h, [-0.2, 0.2], rtol=1e-15)
    assert opt.hyperparams["nesterov"] is True and heavy.hyperparams["nesterov"] is False


def test_sgd_nesterov_is_heavy_ball_looking_ahead():
    """Sutskever et al. (2013): Nesterov = momentum with the gradient taken at the
    looked-ahead point y = x + mu * v. Run that form (x, v) on a quadratic; the points
    torch's form stores are the looked-ahead points y."""
    a, lr, mu = np.array([0.2, 4.0]), 0.05, 0.9
    x, v = np.array([1.0, 1.0]), np.zeros(2)
    looked_ahead = [x + mu * v]
    for _ in range(30):
        v = mu * v - lr * a * (x + mu * v)
        x = x + v
        looked_ahead.append(x + mu * v)
    hist = optim.run(optim.sgd(lr=lr, momentum=mu, nesterov=True), lambda y: a * y, [1.0, 1.0], 30)
    np.testing.assert_allclose(hist.xs, np.array(looked_ahead), rtol=1e-12, atol=1e-15)


def test_sgd_nesterov_needs_momentum_and_is_a_flag():
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0") as info:
        optim.sgd(lr=0.1, nesterov=True)
    assert "momentum" in str(info.value) and "nesterov" in str(info.value)
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0"):
        optim.sgd(lr=0.1, momentum=0, nesterov=True)
    for bad in (1, 0, "yes", None, 1.0):
        with pytest.raises(TypeError, match="nesterov must be True or False"):
            optim.sgd(lr=0.1, momentum=0.9, nesterov=bad)
    assert optim.sgd(lr=0.1, momentum=0.5, nesterov=np.bool_(True)).hyperparams["nesterov"] is True


def test_adadelta_two_steps_by_hand():
    opt = optim.adadelta(lr=0.5, beta=0.5, eps=0.25)
    state = opt.init([0.0])
    np.testing.assert_array_equal([state.v[0], state.u[0], state.d[0]], [0.0, 0.0, 1.0])
    step, state = opt.update([2.0], state)
    # v = 0.5 * 4 = 2; delta = sqrt(0 + 0.25) / sqrt(2 + 0.25) * 2 = 2 / 3
    # u = 0.5 * (2/3)^2 = 2/9; step = -0.5 * 2/3; d = 1.5 / 0.5 = 3, rate = lr / 3
    np.testing.assert_allclose(state.v, [2.0], rtol=1e-15)
    np.testing.assert_allclose(state.u, [2.0 / 9.0], rtol=1e-15)
    np.testing.assert_allclose(step, [-1.0 / 3.0], rtol=1e-15)
    np.testing.assert_allclose(opt.rate(state), [0.5 / 3.0], rtol=1e-15)
    step, state = opt.update([-1.0], state)
    # v = 0.5 * 2 + 0.5 * 1 = 1.5; delta = sqrt(2/9 + 1/4) / sqrt(1.5 + 0.25) * (-1)
    delta = -math.sqrt(2 / 9 + 0.25) / math.sqrt(1.75)
    np.testing.assert_allclose(state.v, [1.5], rtol=1e-15)
    np.testing.assert_allclose(step, [-0.5 * delta], rtol=1e-15)
    np.testing.assert_allclose(state.u, [0.5 * 2 / 9 + 0.5 * delta**2], rtol=1e-15)
    np.testing.assert_allclose(state.d, [math.sqrt(1.75) / math.sqrt(2 / 9 + 0.25)])


def test_adadelta_keeps_rmsprops_average_and_its_first_step_is_sqrt_eps_sized():
    # The first line of AdaDelta is RMSprop's: the same g's give the same v.
    rng = np.random.default_rng(3)
    grads = rng.normal(size=(8, 3)) * [1e-3, 1.0, 1e3]
    a = optim.run(optim.adadelta(beta=0.8), optim.replay(grads), np.zeros(3), 8)
    r = optim.run(optim.rmsprop(beta=0.8), optim.replay(grads), np.zeros(3), 8)
    np.testing.assert_array_equal(a.states["v"], r.states["v"])
    # u_0 = 0: the first step is lr sqrt(eps) g / sqrt((1 - beta) g^2 + eps), about
    # lr sqrt(eps / (1 - beta)) sign(g) whatever the gradient's scale
    first = a.updates[0]
    np.testing.assert_allclose(
        first, -np.sqrt(1e-6) * grads[0] / np.sqrt(0.2 * grads[0] ** 2 + 1e-6), rtol=1e-15
    )
    np.testing.assert_allclose(np.abs(first[1:]), math.sqrt(1e-6 / 0.2), rtol=1e-5)


def test_adadelta_with_zero_eps_never_moves_and_makes_no_nan():
    # u starts at 0 and the step is proportional to sqrt(u): eps is what starts it
    hist = optim.run(optim.adadelta(eps=0.0), quadratic_grad, [-5.0, -2.0], 5)
    np.testing.assert_array_equal(hist.xs, np.tile([-5.0, -2.0], (6, 1)))
    assert np.all(hist.rates == 0) and np.all(hist.states["d"][1:] == np.inf)
    step, _ = optim.adadelta(eps=0.0).update([0.0, 1.0], optim.adadelta(eps=0.0).init([0.0, 0.0]))
    np.testing.assert_array_equal(step, [0.0, 0.0])


def test_adam_first_step_is_lr_times_sign():
    opt = optim.adam(lr=0.01, eps=0.0)
    step, _ = opt.update([5.0, -0.003], opt.init([0.0, 0.0]))
    np.testing.assert_allclose(step, [-0.01, 0.01], rtol=1e-12)


def test_amsgrad_two_steps_by_hand_as_torch():
    # torch.optim.Adam(amsgrad=True): vmax = max(vmax, v) of the raw v, then
    # denom = sqrt(vmax) / sqrt(1 - beta2^t) + eps, step = -lr / (1 - beta1^t) * m / denom
    opt = optim.adam(lr=0.1, beta1=0.5, beta2=0.75, eps=0.0, amsgrad=True)
    step1, s1 = opt.update([2.0], opt.init([0.0]))
    # m = 0.5 * 2 = 1, v = 0.25 * 4 = 1 = vmax; m_hat = 1 / 0.5 = 2, v_hat = 1 / 0.25 = 4
    np.testing.assert_allclose(s1.vmax, [1.0], rtol=0)
    np.testing.assert_allclose(step1, [-0.1 * 2 / 2], rtol=1e-15)
    step2, s2 = opt.update([0.0], s1)
    # m = 0.5, v = 0.75, vmax stays 1; m_hat = 0.5 / 0.75, v_hat = 1 / (1 - 0.5625)
    np.testing.assert_allclose((s2.v, s2.vmax), ([0.75], [1.0]), rtol=1e-15)
    expected = -0.1 * (0.5 / 0.75) / math.sqrt(1 / 0.4375)
    np.testing.assert_allclose(step2, [expected], rtol=1e-14)
    # Adam itself divides by the smaller v there: a longer step
    plain = optim.adam(lr=0.1, beta1=0.5, beta2=0.75, eps=0.0)
    step2_plain = plain.update([0.0], plain.update([2.0], plain.init([0.0]))[1])[0]
    np.testing.assert_allclose(step2_plain, [-0.1 * (0.5 / 0.75) / math.sqrt(0.75 / 0.4375)])
    assert abs(step2_plain[0]) > abs(step2[0])
    # and the rate reports the divisor that update applied
    np.testing.assert_allclose(opt.rate(s2), [0.1 / math.sqrt(1 / 0.4375)], rtol=1e-14)


def test_amsgrad_vmax_never_decreases_and_bounds_v():
    rng = np.random.default_rng(3)
    grads = rng.normal(size=(200, 3)) * np.exp(rng.normal(size=(200, 1)) * 2)
    for bias_correction in (True, False):
        opt = optim.adam(lr=0.01, beta2=0.9, amsgrad=True, bias_correction=bias_correction)
        hist = optim.run(opt, optim.replay(grads), np.zeros(3), len(grads))
        vmax, v = hist.states["vmax"], hist.states["v"]
        assert np.all(np.diff(vmax, axis=0) >= 0)
        assert np.all(vmax >= v)
        np.testing.assert_array_equal(vmax, np.maximum.accumulate(v, axis=0))
        if not bias_correction:  # Reddi et al.'s form: the rate never grows
            assert np.all(np.diff(hist.rates, axis=0) <= 0)
    assert set(hist.states) == {"m", "v", "vmax"}


def test_amsgrad_false_is_adam_as_before_bit_for_bit():
    """amsgrad=False is the Adam of before AMSGrad existed: the same expressions, the
    same bits, and no vmax in the state or the record."""
    rng = np.random.default_rng(4)
    grads = rng.normal(size=(60, 4)) * rng.uniform(0.01, 100, size=4)
    for bias_correction in (True, False):
        opt = optim.adam(lr=0.05, beta1=0.8, beta2=0.95, eps=1e-6, bias_correction=bias_correction)
        hist = optim.run(opt, optim.replay(grads), np.zeros(4), len(grads))
        assert set(hist.states) == {"m", "v"} and opt.init(np.zeros(4)).vmax is None
        x, m, v = np.zeros(4), np.zeros(4), np.zeros(4)
        for t, g in enumerate(grads, start=1):
            m = 0.8 * m + (1 - 0.8) * g
            v = 0.95 * v + (1 - 0.95) * g**2
            m_hat = m / (1 - 0.8**t) if bias_correction else m
            v_hat = v / (1 - 0.95**t) if bias_correction else v
            x = x + -0.05 * (m_hat / (np.sqrt(v_hat) + 1e-6))
            np.testing.assert_array_equal(hist.xs[t], x)


def test_amsgrad_equals_adam_while_v_only_grows():
    # gradients of growing size: v_t >= v_{t-1}, so the maximum is v itself
    grads = np.outer(np.arange(1.0, 31.0), [1.0, -2.0])
    runs = [
        optim.run(optim.adam(lr=0.1, amsgrad=a), optim.replay(grads), np.zeros(2), 30)
        for a in (False, True)
    ]
    np.testing.assert_array_equal(runs[0].xs, runs[1].xs)
    np.testing.assert_array_equal(runs[1].states["vmax"], runs[1].states["v"])


def test_run_records_history():
    opt = optim.rmsprop(lr=0.1)
    hist = optim.run(opt, quadratic_grad, [-5, -2], 7, loss_fn=lambda x: x @ x)
    assert hist.xs.shape == (8, 2) and hist.xs.dtype == np.float64
    assert hist.grads.shape == hist.updates.shape == hist.rates.shape == (7, 2)
    assert set(hist.states) == {"v"} and hist.states["v"].shape == (8, 2)  # plain: v alone
    np.testing.assert_array_equal(hist.xs[0], [-5.0, -2.0])
    np.testing.assert_array_equal(hist.xs[1:], hist.xs[:-1] + hist.updates)
    np.testing.assert_array_equal(hist.grads[3], quadratic_grad(hist.xs[3]))
    np.testing.assert_array_equal(hist.losses, [x @ x for x in hist.xs])
    assert hist.steps == 7 and hist.final is hist.xs[-1] or np.array_equal(hist.final, hist.xs[-1])
    np.testing.assert_array_equal(hist.accumulator, hist.states["v"])
    np.testing.assert_allclose(hist.distances([0, 0]), np.linalg.norm(hist.xs, axis=1))
    # the recorded rate is the one that produced each step: step = -rate * g
    np.testing.assert_allclose(hist.updates, -hist.rates * hist.grads, rtol=1e-14)


def test_run_reproduces_manual_loop():
    opt = optim.adagrad(lr=0.3)
    x = np.array([-5.0, -2.0])
    state = opt.init(x)
    for _ in range(20):
        step, state = opt.update(quadratic_grad(x), state)
        x = x + step
    np.testing.assert_array_equal(optim.run(opt, quadratic_grad, [-5.0, -2.0], 20).final, x)


def test_run_zero_steps_and_scalar_and_matrix_shapes():
    hist = optim.run(optim.sgd(0.1), lambda x: 2 * x, 3, 0)
    assert hist.xs.shape == (1,) and hist.xs[0] == 3.0
    hist = optim.run(optim.rmsprop(0.1), lambda x: 2 * x, np.ones((2, 3)), 4)
    assert hist.xs.shape == (5, 2, 3) and hist.rates.shape == (4, 2, 3)


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=IDS)
def test_scalar_parameters_work_like_one_element_arrays(opt):
    step0, state0 = opt.update(np.float64(0.7), opt.init(0.0))
    step1, state1 = opt.update(np.array([0.7]), opt.init(np.zeros(1)))
    assert isinstance(step0, np.ndarray) and step0.shape == ()
    np.testing.assert_array_equal(step0.reshape(1), step1)
    for a, b in zip(state0, state1, strict=True):
        if isinstance(a, tuple):  # SGDState.shape: x's shape, () and (1,)
            assert (a, b) == ((), (1,))
            continue
        np.testing.assert_array_equal(np.reshape(a, -1)[:1], np.reshape(b, -1)[:1])
    hist = optim.run(opt, lambda x: 2 * x, 1.5, 3)
    assert hist.xs.shape == (4,) and hist.rates.shape == (3,)


def test_adagrad_effective_rate_only_shrinks():
    hist = optim.run(optim.adagrad(lr=0.5), quadratic_grad, [-5.0, -2.0], 200)
    assert np.all(np.diff(hist.rates, axis=0) <= 0)
    assert np.all(np.diff(hist.accumulator, axis=0) >= 0)


def test_zero_gradient_with_zero_eps_gives_zero_step_not_nan():
    # RMSprop's first step is -lr * g / sqrt((1 - beta) g^2) = -lr / sqrt(1 - beta)
    cases = [
        (optim.adagrad(lr=0.1, eps=0.0), -0.1),
        (optim.rmsprop(lr=0.1, eps=0.0), -0.1 / 0.1**0.5),
    ]
    for opt, expected in cases:
        step, _ = opt.update([0.0, 1.0], opt.init([0.0, 0.0]))
        np.testing.assert_allclose(step, [0.0, expected], rtol=1e-15)


def test_dtype_kept_for_float32_and_ints_become_float64():
    opt = optim.rmsprop(lr=0.1)
    state = opt.init(np.zeros(3, dtype=np.float32))
    step, state = opt.update(np.ones(3), state)
    assert step.dtype == np.float32 and state.v.dtype == np.float32
    assert opt.init([1, 2]).v.dtype == np.float64


# ------------------------------------------------------------------------ identities


@pytest.mark.parametrize("eps", [0.0, 1e-8, 0.1])
def test_adam_without_momentum_or_correction_is_rmsprop(eps):
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(50, 4)) * rng.uniform(0.01, 100, size=4)
    a = optim.adam(lr=0.01, beta1=0.0, beta2=0.95, eps=eps, bias_correction=False)
    r = optim.rmsprop(lr=0.01, beta=0.95, eps=eps)
    sa, sr = a.init(np.zeros(4)), r.init(np.zeros(4))
    for g in grads:
        step_a, sa = a.update(g, sa)
        step_r, sr = r.update(g, sr)
        np.testing.assert_allclose(step_a, step_r, rtol=1e-15, atol=0)
        np.testing.assert_allclose(sa.v, sr.v, rtol=1e-15, atol=0)


def test_rmsprop_with_beta_zero_is_sign_descent():
    opt = optim.rmsprop(lr=0.05, beta=0.0, eps=0.0)
    rng = np.random.default_rng(1)
    state = opt.init(np.zeros(6))
    for _ in range(10):
        g = rng.normal(size=6) * 10.0 ** rng.integers(-3, 4, size=6)
        step, state = opt.update(g, state)
        np.testing.assert_allclose(step, -0.05 * np.sign(g), rtol=1e-15)


def test_rmsprop_with_beta_near_one_early_steps_look_like_adagrad_times_root():
    # v_t ~ (1 - beta) * s_t while beta^t ~ 1: rmsprop's step ~ adagrad's / sqrt(1 - beta)
    beta = 1 - 1e-9
    r = optim.run(
        optim.rmsprop(0.01 * math.sqrt(1 - beta), beta, 0.0),
        quadratic_grad,
        [-5.0, -2.0],
        5,
    )
    a = optim.run(optim.adagrad(0.01, 0.0), quadratic_grad, [-5.0, -2.0], 5)
    np.testing.assert_allclose(r.xs, a.xs, rtol=1e-7)


def test_centered_rmsprop_constant_gradient_divides_by_small_variance():
    # For a constant gradient the variance estimate is beta^t (1-beta^t) g^2 ... so
    # centered steps are larger than plain ones: it divides by a std, not an RMS.
    plain = optim.rmsprop(lr=0.01, beta=0.9, eps=0.0)
    cent = optim.rmsprop(lr=0.01, beta=0.9, eps=0.0, centered=True)
    sp, sc = plain.init([0.0]), cent.init([0.0])
    for _ in range(5):
        step_p, sp = plain.update([1.0], sp)
        step_c, sc = cent.update([1.0], sc)
        assert abs(step_c[0]) > abs(step_p[0])
        var = sc.v - sc.m**2
        np.testing.assert_allclose(step_c, -0.01 / np.sqrt(var), rtol=1e-12)


# --------------------------------------------------------------- property-based tests

finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)
grad_arrays = hnp.arrays(np.float64, st.integers(1, 5), elements=finite)


@settings(max_examples=40, deadline=None)
@given(
    grads=st.lists(grad_arrays, min_size=1, max_size=6),
    idx=st.integers(0, len(OPTIMIZERS) - 1),
)
def test_accumulators_never_negative_and_inputs_never_mutated(grads, idx):
    opt = OPTIMIZERS[idx]
    n = grads[0].shape[0]
    x0 = np.linspace(-1, 1, n)
    x0_copy = x0.copy()
    state = opt.init(x0)
    np.testing.assert_array_equal(x0, x0_copy)
    for g in grads:
        g = np.resize(g, n)
        g_copy = g.copy()
        before = [np.array(a, copy=True) for a in state]
        step, new_state = opt.update(g, state)
        np.testing.assert_array_equal(g, g_copy)
        for a, b in zip(state, before, strict=True):
            np.testing.assert_array_equal(a, b)
        assert step.shape == x0.shape and np.all(np.isfinite(step))
        for key in ("s", "v", "u"):
            if hasattr(new_state, key):
                assert np.all(getattr(new_state, key) >= 0)
        state = new_state


@settings(max_examples=40, deadline=None)
@given(
    grads=st.lists(
        hnp.arrays(np.float64, 3, elements=st.floats(0.01, 100) | st.floats(-100, -0.01)),
        min_size=1,
        max_size=8,
    ),
    scale=st.floats(1e-3, 1e3),
    which=st.sampled_from(["adagrad", "rmsprop", "rmsprop-centered", "adam"]),
)
def test_steps_are_invariant_to_gradient_scale_when_eps_is_zero(grads, scale, which):
    make = {
        "adagrad": lambda: optim.adagrad(lr=0.1, eps=0.0),
        "rmsprop": lambda: optim.rmsprop(lr=0.1, beta=0.8, eps=0.0, momentum=0.3),
        "rmsprop-centered": lambda: optim.rmsprop(lr=0.1, beta=0.8, eps=0.0, centered=True),
        "adam": lambda: optim.adam(lr=0.1, eps=0.0),
    }[which]
    opt = make()
    s1, s2 = opt.init(np.zeros(3)), opt.init(np.zeros(3))
    for g in grads:
        step1, s1 = opt.update(g, s1)
        step2, s2 = opt.update(scale * g, s2)
        np.testing.assert_allclose(step1, step2, rtol=1e-6, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(grads=st.lists(hnp.arrays(np.float64, 2, elements=finite), min_size=1, max_size=10))
def test_rmsprop_average_is_a_convex_combination(grads):
    # v_t is a weighted mean of 0 and the g^2 seen so far, so it never exceeds their max
    opt = optim.rmsprop(lr=0.1, beta=0.7)
    state = opt.init(np.zeros(2))
    for g in grads:
        _, state = opt.update(g, state)
    gmax = np.max(np.square(grads), axis=0)
    assert np.all(state.v <= gmax * (1 + 1e-12))


@settings(max_examples=40, deadline=None)
@given(
    # no values so small that their squares underflow (subnormals do not scale exactly)
    grads=st.lists(
        hnp.arrays(np.float64, 3, elements=finite.map(lambda x: x if abs(x) > 1e-100 else 0.0)),
        min_size=1,
        max_size=8,
    ),
    k=st.integers(-12, 12),
    beta=st.sampled_from([0.0, 0.5, 0.9, 0.95]),
)
def test_adadelta_scales_with_the_gradient_and_the_root_of_eps(grads, k, beta):
    # Gradients times c and eps times c^2 scale v, u by c^2 and every step by c (c a
    # power of 2, so exactly): the numerator's eps is in x's units squared, the
    # denominator's in g's; both are one eps, so only such a pair scales cleanly.
    c = 2.0**k
    one = optim.adadelta(lr=1.0, beta=beta, eps=1e-4)
    two = optim.adadelta(lr=1.0, beta=beta, eps=1e-4 * c * c)
    s1, s2 = one.init(np.zeros(3)), two.init(np.zeros(3))
    for g in grads:
        step1, s1 = one.update(g, s1)
        step2, s2 = two.update(c * g, s2)
        np.testing.assert_array_equal(step2, c * step1)
        np.testing.assert_array_equal(s2.u, c * c * s1.u)


@settings(max_examples=40, deadline=None)
@given(
    grads=st.lists(hnp.arrays(np.float64, 2, elements=finite), min_size=1, max_size=10),
    beta=st.sampled_from([0.0, 0.5, 0.9, 0.99]),
)
def test_adadelta_step_is_bounded_by_the_rms_of_earlier_steps(grads, beta):
    # v_t >= (1 - beta) g_t^2, so |delta_t| <= sqrt(u_{t-1} + eps) / sqrt(1 - beta):
    # the step is set by the earlier steps' size, not by the gradient's
    opt = optim.adadelta(lr=0.7, beta=beta, eps=1e-6)
    state = opt.init(np.zeros(2))
    for g in grads:
        bound = 0.7 * np.sqrt(state.u + 1e-6) / math.sqrt(1 - beta)
        step, new = opt.update(g, state)
        assert np.all(np.abs(step) <= bound * (1 + 1e-12))
        # u is a weighted mean of 0 and the squared steps at lr = 1
        assert np.all(new.u <= np.maximum(state.u, (step / 0.7) ** 2) * (1 + 1e-12))
        state = new


# ------------------------------------------------------------------------- bad input

FACTORIES = {
    "sgd": optim.sgd,
    "adagrad": optim.adagrad,
    "rmsprop": optim.rmsprop,
    "adam": optim.adam,
    "adadelta": optim.adadelta,
}

BAD_VALUES = [
    # (factory, parameter, bad value, message fragment)
    ("sgd", "lr", 0.0, "lr must be > 0"),
    ("sgd", "lr", -0.1, "lr must be > 0"),
    ("sgd", "lr", math.inf, "finite"),
    ("sgd", "lr", math.nan, "lr must be > 0"),
    ("sgd", "momentum", 1.0, "0 <= momentum < 1"),
    ("sgd", "momentum", -0.1, "0 <= momentum < 1"),
    ("adagrad", "lr", 0.0, "lr must be > 0"),
    ("adagrad", "lr", math.inf, "finite"),
    ("adagrad", "eps", -1e-8, "eps must be >= 0"),
    ("adagrad", "eps", math.nan, "eps must be >= 0"),
    ("adagrad", "initial_accumulator", -0.1, "initial_accumulator must be >= 0"),
    ("adagrad", "initial_accumulator", math.inf, "initial_accumulator must be >= 0"),
    ("rmsprop", "lr", -1.0, "lr must be > 0"),
    ("rmsprop", "lr", math.nan, "lr must be > 0"),
    ("rmsprop", "beta", 1.0, "0 <= beta < 1"),
    ("rmsprop", "beta", -0.5, "0 <= beta < 1"),
    ("rmsprop", "beta", math.nan, "0 <= beta < 1"),
    ("rmsprop", "eps", -1.0, "eps must be >= 0"),
    ("rmsprop", "momentum", 1.0, "0 <= momentum < 1"),
    ("rmsprop", "momentum", -0.2, "0 <= momentum < 1"),
    ("rmsprop", "initial_accumulator", -1.0, "initial_accumulator must be >= 0"),
    ("adam", "lr", 0.0, "lr must be > 0"),
    ("adam", "beta1", 1.0, "0 <= beta1 < 1"),
    ("adam", "beta2", -0.1, "0 <= beta2 < 1"),
    ("adam", "eps", -1.0, "eps must be >= 0"),
    ("adadelta", "lr", 0.0, "lr must be > 0"),
    ("adadelta", "lr", -1.0, "lr must be > 0"),
    ("adadelta", "lr", math.inf, "finite"),
    ("adadelta", "lr", math.nan, "lr must be > 0"),
    ("adadelta", "beta", 1.0, "0 <= beta < 1"),
    ("adadelta", "beta", -0.1, "0 <= beta < 1"),
    ("adadelta", "beta", math.nan, "0 <= beta < 1"),
    ("adadelta", "eps", -1e-6, "eps must be >= 0"),
    ("adadelta", "eps", math.inf, "eps must be >= 0"),
    ("adadelta", "eps", math.nan, "eps must be >= 0"),
]


@pytest.mark.parametrize("factory,param,value,fragment", BAD_VALUES)
def test_bad_hyperparameter_raises_value_error_naming_it(factory, param, value, fragment):
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(")) as info:
        FACTORIES[factory](**{param: value})
    assert param in str(info.value)


@pytest.mark.parametrize("factory", FACTORIES)
@pytest.mark.parametrize("value", ["0.1", None, [0.1], True, 1 + 2j, np.array([0.1])])
def test_non_number_lr_raises_type_error(factory, value):
    with pytest.raises(TypeError, match="lr"):
        FACTORIES[factory](lr=value)


@pytest.mark.parametrize("param", ["beta", "eps", "momentum", "initial_accumulator"])
def test_non_number_rmsprop_settings_raise_type_error(param):
    with pytest.raises(TypeError, match=param):
        optim.rmsprop(**{param: "0.5"})


@pytest.mark.parametrize("param", ["beta", "eps"])
@pytest.mark.parametrize("value", ["0.5", None, True, [0.5]])
def test_non_number_adadelta_settings_raise_type_error(param, value):
    with pytest.raises(TypeError, match=param):
        optim.adadelta(**{param: value})


@pytest.mark.parametrize("flag", ["eps_in_sqrt", "centered"])
def test_flags_must_be_bool(flag):
    with pytest.raises(TypeError, match=flag):
        optim.rmsprop(**{flag: "yes"})


@pytest.mark.parametrize("flag", ["bias_correction", "amsgrad"])
@pytest.mark.parametrize("value", ["yes", 1, None])
def test_adam_flags_must_be_bool(flag, value):
    with pytest.raises(TypeError, match=flag):
        optim.adam(**{flag: value})


def test_amsgrad_state_without_vmax_is_rejected():
    with pytest.raises(TypeError, match=r"needs state\.vmax"):
        optim.adam(amsgrad=True).update([1.0], optim.adam().init([0.0]))


def test_numpy_scalars_and_ints_are_accepted():
    opt = optim.rmsprop(lr=np.float32(0.5), beta=np.float64(0.9), eps=0, momentum=0)
    assert opt.hyperparams["lr"] == 0.5 and isinstance(opt.hyperparams["eps"], float)
    assert optim.adagrad(lr=1).hyperparams["lr"] == 1.0


def test_hyperparams_are_read_only_and_repr_is_readable():
    opt = optim.rmsprop(lr=0.01, beta=0.9)
    with pytest.raises(TypeError):
        opt.hyperparams["lr"] = 1.0
    assert repr(opt).startswith("rmsprop(lr=0.01, beta=0.9")


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=IDS)
def test_gradient_shape_mismatch_names_both_shapes(opt):
    state = opt.init(np.zeros(3))
    if opt.name == "sgd" and not opt.hyperparams["momentum"]:
        # plain SGD keeps no array, so its update has no shape to check against: run does
        for bad in (np.zeros(2), np.zeros((3, 1))):
            with pytest.raises(ValueError, match=r"step 1 of 1 .*gradient shape .* x's shape"):
                optim.run(opt, lambda x, bad=bad: bad, np.zeros(3), 1)
        return
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        opt.update(np.zeros(2), state)
    with pytest.raises(ValueError, match=r"\(3, 1\).*\(3,\)"):
        opt.update(np.zeros((3, 1)), state)


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=IDS)
def test_run_checks_the_gradient_shape_against_x_for_every_optimizer(opt):
    with pytest.raises(ValueError, match=r"step 1 of 2 .*\(1,\) does not match x's shape \(2,\)"):
        optim.run(opt, lambda x: np.ones(1), np.zeros(2), 2)  # would broadcast silently


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=IDS)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_gradient_raises(opt, bad):
    with pytest.raises(ValueError, match="non-finite"):
        opt.update(np.array([1.0, bad]), opt.init(np.zeros(2)))


def test_huge_but_finite_gradient_is_not_called_non_finite():
    opt = optim.sgd(lr=1e-300)
    step, _ = opt.update(np.array([1e308, 1e308]), opt.init(np.zeros(2)))
    assert np.all(np.isfinite(step))


@pytest.mark.parametrize("bad", [["a", "b"], np.array([1 + 1j]), {"x": 1}, [[1.0], [1.0, 2.0]]])
def test_non_numeric_arrays_raise_type_error(bad):
    with pytest.raises(TypeError):
        optim.rmsprop().init(bad)
    state = optim.rmsprop().init(np.zeros(1))
    with pytest.raises(TypeError):
        optim.rmsprop().update(bad, state)


def test_state_from_another_optimizer_is_rejected():
    with pytest.raises(TypeError, match="RMSpropState"):
        optim.rmsprop().update([1.0], optim.adagrad().init([0.0]))


def test_run_names_the_step_of_a_non_finite_gradient():
    # Gradient descent with too large a step on x^2 diverges until x^2 overflows
    def grad(x):
        return np.where(np.abs(x) > 1e10, np.nan, 2 * x)

    with pytest.raises(ValueError, match=r"step \d+ of 100") as info:
        optim.run(optim.sgd(lr=5.0), grad, [1.0], 100)
    assert "non-finite" in str(info.value)


def test_run_integer_start_is_converted_not_truncated():
    hist = optim.run(optim.sgd(lr=0.25), lambda x: x, [3, -1], 1)
    assert hist.xs.dtype == np.float64
    np.testing.assert_array_equal(hist.xs[1], [2.25, -0.75])


@pytest.mark.parametrize(
    "kwargs,exc,fragment",
    [
        (dict(steps=-1), ValueError, "steps must be >= 0"),
        (dict(steps=2.5), TypeError, "steps must be an int"),
        (dict(steps="3"), TypeError, "steps must be an int"),
        (dict(grad_fn=None), TypeError, "grad_fn must be callable"),
        (dict(opt="rmsprop"), TypeError, "opt must be an Optimizer"),
        (dict(grad_fn=lambda x: np.zeros(3)), ValueError, r"step 1 of 3.*shape"),
    ],
)
def test_run_bad_arguments(kwargs, exc, fragment):
    args = dict(opt=optim.rmsprop(), grad_fn=quadratic_grad, x0=[1.0, 1.0], steps=3)
    args.update(kwargs)
    with pytest.raises(exc, match=fragment):
        optim.run(args["opt"], args["grad_fn"], args["x0"], args["steps"])


def test_grad_fn_cannot_disturb_the_record():
    def greedy(x):
        g = 2 * x
        x[:] = 1e6  # a careless grad_fn that writes into its argument
        return g

    hist = optim.run(optim.sgd(lr=0.1), greedy, [1.0], 3)
    np.testing.assert_allclose(hist.xs[:, 0], [1.0, 0.8, 0.64, 0.512])


def test_run_schedule_is_a_learning_rate_schedule():
    # every optimizer keeps lr outside its state, so scaling the step scales lr
    def schedule(t):
        return 1.0 / np.sqrt(t)

    hist = optim.run(optim.rmsprop(lr=0.1), quadratic_grad, [-5.0, -2.0], 30, schedule=schedule)
    # the step at t is schedule(t) times the unscheduled step rule
    opt = optim.rmsprop(lr=0.1)
    state = opt.init(np.array([-5.0, -2.0]))
    x = np.array([-5.0, -2.0])
    for t in range(1, 31):
        step, state = opt.update(quadratic_grad(x), state)
        x = x + schedule(t) * step
        np.testing.assert_array_equal(hist.xs[t], x)
    np.testing.assert_allclose(hist.updates, -hist.rates * hist.grads, rtol=1e-14)
    # and it is the same as building the optimizer with lr_t at every step
    for make in (optim.rmsprop, optim.adagrad, optim.adam):
        hist = optim.run(make(lr=0.1), quadratic_grad, [-5.0, -2.0], 30, schedule=schedule)
        x, state = np.array([-5.0, -2.0]), make(lr=0.1).init(np.zeros(2))
        for t in range(1, 31):
            step, state = make(lr=0.1 * schedule(t)).update(quadratic_grad(x), state)
            x = x + step
        np.testing.assert_allclose(hist.final, x, rtol=1e-13)


def test_run_schedule_must_give_positive_numbers():
    with pytest.raises(ValueError, match=r"step 3 of 5.*schedule\(3\) must be > 0"):
        optim.run(optim.sgd(0.1), quadratic_grad, [1.0, 1.0], 5, schedule=lambda t: 3 - t)
    with pytest.raises(TypeError, match="schedule must be callable"):
        optim.run(optim.sgd(0.1), quadratic_grad, [1.0, 1.0], 5, schedule=0.5)


def test_run_project_keeps_iterates_feasible():
    hist = optim.run(
        optim.sgd(lr=1.0), lambda x: -np.ones_like(x), [0.0], 5, project=lambda x: np.clip(x, -1, 1)
    )
    np.testing.assert_array_equal(hist.xs[:, 0], [0.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(hist.updates[:, 0], [1.0] * 5)


# ------------------------------------------------- states hold what they use; the rate


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_rmsprop_state_keeps_only_the_arrays_its_settings_use(centered, momentum):
    opt = optim.rmsprop(lr=0.1, centered=centered, momentum=momentum)
    kept = {"v"} | ({"m"} if centered else set()) | ({"b"} if momentum else set())
    for state in (opt.init(np.zeros(3)), opt.update(np.ones(3), opt.init(np.zeros(3)))[1]):
        arrays = {k for k, a in state._asdict().items() if isinstance(a, np.ndarray)}
        assert arrays == kept
        assert all(a is None for k, a in state._asdict().items() if k not in kept)
    hist = optim.run(opt, quadratic_grad, [1.0, 1.0], 3)
    assert set(hist.states) == kept


@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_sgd_state_keeps_only_the_momentum_buffer_and_only_with_momentum(momentum):
    opt = optim.sgd(lr=0.1, momentum=momentum)
    for state in (opt.init(np.zeros(3)), opt.update(np.ones(3), opt.init(np.zeros(3)))[1]):
        assert isinstance(state, optim.SGDState)
        assert (state.b is None) == (not momentum)  # torch.optim.SGD keeps nothing without
    hist = optim.run(opt, quadratic_grad, [1.0, 1.0], 3)
    assert set(hist.states) == ({"b"} if momentum else set())
    assert hist.rates.shape == hist.grads.shape == (3, 2)
    if not momentum:
        np.testing.assert_array_equal(hist.updates, -0.1 * hist.grads)
    with pytest.raises(TypeError, match=r"needs state\.b"):
        optim.sgd(lr=0.1, momentum=0.9).update([1.0], optim.SGDState())
    with pytest.raises(ValueError, match="non-finite"):
        optim.sgd(lr=0.1).update([np.nan], optim.SGDState())
    # no array kept, yet a gradient of the wrong shape is refused (the state keeps x's shape)
    with pytest.raises(
        ValueError, match=r"gradient shape \(2,\) does not match the state's shape \(3,\)"
    ):
        opt.update(np.ones(2), opt.init(np.zeros(3)))


def test_adadelta_state_keeps_its_two_averages_and_the_last_divisor():
    opt = optim.adadelta(lr=1.0)
    for state in (opt.init(np.zeros(3)), opt.update(np.ones(3), opt.init(np.zeros(3)))[1]):
        assert isinstance(state, optim.AdadeltaState)
        assert all(isinstance(a, np.ndarray) and a.shape == (3,) for a in state)
    hist = optim.run(opt, quadratic_grad, [1.0, 1.0], 3)
    assert set(hist.states) == {"v", "u", "d"}
    # d is the divisor of the step that produced the state: sqrt(v_t + eps) / sqrt(u_{t-1} + eps)
    v, u, d = (hist.states[k] for k in ("v", "u", "d"))
    np.testing.assert_allclose(d[1:], np.sqrt(v[1:] + 1e-6) / np.sqrt(u[:-1] + 1e-6), rtol=1e-15)
    np.testing.assert_allclose(hist.rates, 1.0 / d[1:], rtol=1e-15)
    with pytest.raises(TypeError, match=r"needs state\.d"):
        opt.update([1.0], optim.AdadeltaState(v=np.zeros(1), u=np.zeros(1), d=None))


def test_a_state_missing_an_array_the_settings_need_is_rejected():
    with pytest.raises(TypeError, match=r"needs state\.m"):
        optim.rmsprop(centered=True).update([1.0], optim.RMSpropState(v=np.zeros(1)))
    with pytest.raises(TypeError, match=r"needs state\.b"):
        optim.rmsprop(momentum=0.9).update([1.0], optim.RMSpropState(v=np.zeros(1)))
    # plain RMSprop ignores arrays it does not use
    opt = optim.rmsprop(lr=0.1)
    full = optim.RMSpropState(v=np.zeros(1), m=np.zeros(1), b=np.zeros(1))
    np.testing.assert_array_equal(opt.update([1.0], full)[0], opt.update([1.0], opt.init([0.0]))[0])


def test_adagrad_and_rmsprop_share_one_step_rule():
    # Given the same statistic, both step -lr * g / d: only the statistic differs.
    g, acc = np.array([3.0, -1.0]), np.array([4.0, 9.0])
    ada = optim.adagrad(lr=0.1, eps=0.5)
    rms = optim.rmsprop(lr=0.1, beta=0.0, eps=0.5)  # beta 0: v = g^2
    step_a, sa = ada.update(g, optim.AdagradState(s=acc - g**2))
    step_r, sr = rms.update(g, optim.RMSpropState(v=np.zeros(2)))
    np.testing.assert_array_equal(sa.s, acc)
    np.testing.assert_array_equal(step_a, -0.1 * (g / (np.sqrt(acc) + 0.5)))
    np.testing.assert_array_equal(step_r, -0.1 * (g / (np.sqrt(g**2) + 0.5)))


def test_rate_is_lr_over_the_divisor_for_every_optimizer():
    rng = np.random.default_rng(5)
    grads = rng.normal(size=(6, 3))
    for opt in OPTIMIZERS:
        state = opt.init(np.zeros(3))
        for g in grads:
            previous = state
            step, state = opt.update(g, state)
            rate = opt.rate(state)
            assert rate.shape == (() if opt.name == "sgd" else (3,)) and np.all(rate > 0)
            hp = opt.hyperparams
            if opt.name == "adam":  # the factor on m_hat
                t = state.t
                c1 = 1 - hp["beta1"] ** t if hp["bias_correction"] else 1.0
                np.testing.assert_allclose(step, -rate * state.m / c1, rtol=1e-14)
            elif hp.get("nesterov"):  # d = 1: the step is -rate * (g + mu b)
                b = hp["momentum"] * previous.b + g
                np.testing.assert_allclose(step, -rate * (g + hp["momentum"] * b), rtol=1e-14)
            elif hp.get("momentum"):  # the factor on g in the buffer
                b = hp["momentum"] * previous.b + rate / hp["lr"] * g
                np.testing.assert_allclose(step, -hp["lr"] * b, rtol=1e-14)
            else:
                np.testing.assert_allclose(step, -rate * g, rtol=1e-14)


def test_sgd_rate_is_lr_and_adam_rate_by_hand():
    rate = optim.sgd(lr=0.3).rate(optim.sgd(lr=0.3).init(np.zeros(2)))
    assert isinstance(rate, np.ndarray) and rate.shape == () and rate == 0.3  # d = 1 everywhere
    hist = optim.run(optim.sgd(lr=0.3), quadratic_grad, [1.0, 1.0], 2)
    np.testing.assert_array_equal(hist.rates, np.full((2, 2), 0.3))  # recorded shaped like x
    opt = optim.adam(lr=0.1, beta1=0.9, beta2=0.99, eps=0.0)
    _, state = opt.update([2.0], opt.init([0.0]))
    # v_hat = (0.01 * 4) / (1 - 0.99) = 4, so d = 2 and rate = lr / 2
    np.testing.assert_allclose(opt.rate(state), [0.05], rtol=1e-12)


def test_zero_dimensional_states_stay_arrays():
    for opt in OPTIMIZERS:
        step, state = opt.update(0.5, opt.init(1.0))
        assert isinstance(step, np.ndarray)
        assert all(
            isinstance(a, np.ndarray) for a in state if not isinstance(a, (int, tuple, type(None)))
        )


# ------------------------------------------------------------- History.name, replay


def test_history_name_is_the_optimizers_name():
    assert optim.run(optim.adagrad(), quadratic_grad, [1.0, 1.0], 2).name == "adagrad"
    assert optim.run(optim.adam(), quadratic_grad, [1.0, 1.0], 2).name == "adam"
    hist = optim.run(optim.sgd(), quadratic_grad, [1.0, 1.0], 2)
    bare = optim.History(hist.xs, hist.grads, hist.updates, hist.states, hist.rates)
    assert bare.name == "history"


def test_replay_hands_out_recorded_gradients_in_order():
    g = np.random.default_rng(2).normal(size=(20, 3))
    hist = optim.run(optim.rmsprop(lr=0.01), optim.replay(g), np.zeros(3), 20)
    np.testing.assert_array_equal(hist.grads, g)
    # the same as feeding them by hand
    opt, x = optim.rmsprop(lr=0.01), np.zeros(3)
    state = opt.init(x)
    for row in g:
        step, state = opt.update(row, state)
        x = x + step
    np.testing.assert_array_equal(hist.final, x)


def test_replay_copies_its_input_and_each_replay_starts_over():
    g = np.array([[1.0], [2.0]])
    fn = optim.replay(g)
    g[:] = 0.0
    first = fn(np.zeros(1))
    first[:] = 99.0  # the caller writing into a returned gradient changes nothing either
    assert fn(np.zeros(1)).tolist() == [2.0]
    assert optim.replay([[1.0], [2.0]])(None).tolist() == [1.0]


def test_replay_says_clearly_when_the_gradients_run_out():
    with pytest.raises(ValueError, match=r"step 4 of 5 .*replay ran out of gradients: it holds 3"):
        optim.run(optim.sgd(lr=0.1), optim.replay(np.ones((3, 2))), np.zeros(2), 5)
    fn = optim.replay([[1.0]])
    fn(0)
    with pytest.raises(ValueError, match="holds 1, one per step, and step 2 asked for another"):
        fn(0)


@pytest.mark.parametrize("bad, error", [(3.0, ValueError), (["a"], TypeError), (None, TypeError)])
def test_replay_rejects_bad_input(bad, error):
    with pytest.raises(error, match="grads"):
        optim.replay(bad)


def test_replay_rows_must_match_the_start():
    with pytest.raises(ValueError, match=r"step 1 of 2.*\(3,\).*\(2,\)"):
        optim.run(optim.sgd(lr=0.1), optim.replay(np.ones((2, 3))), np.zeros(2), 2)


# ------------------------------------------------------- run: what to keep, lr factors


def test_run_record_points_and_every_keep_the_same_points():
    full = optim.run(optim.rmsprop(lr=0.1), quadratic_grad, [-5.0, -2.0], 30, loss_fn=np.sum)
    for every in (1, 5, 30):
        hist = optim.run(
            optim.rmsprop(lr=0.1), quadratic_grad, [-5.0, -2.0], 30, loss_fn=np.sum,
            record="points", every=every,
        )  # fmt: skip
        np.testing.assert_array_equal(hist.xs, full.xs[::every])
        np.testing.assert_array_equal(hist.losses, full.losses[::every])
        np.testing.assert_array_equal(hist.ts, np.arange(0, 31, every))
        assert hist.steps == 30 and hist.every == every
        assert hist.grads is None and hist.updates is None and hist.rates is None
        assert dict(hist.states) == {}
        with pytest.raises(AttributeError, match="no squared-gradient statistic"):
            _ = hist.accumulator


def test_run_record_all_with_every_keeps_every_kth_row_of_everything():
    full = optim.run(optim.adagrad(lr=0.3), quadratic_grad, [-5.0, -2.0], 12)
    hist = optim.run(optim.adagrad(lr=0.3), quadratic_grad, [-5.0, -2.0], 12, every=4)
    np.testing.assert_array_equal(hist.xs, full.xs[::4])
    np.testing.assert_array_equal(hist.states["s"], full.states["s"][::4])
    for name in ("grads", "updates", "rates"):  # rows of steps 4, 8, 12
        np.testing.assert_array_equal(getattr(hist, name), getattr(full, name)[3::4])


def test_run_record_final_keeps_the_start_and_the_end():
    full = optim.run(optim.adam(lr=0.1), quadratic_grad, [-5.0, -2.0], 25)
    hist = optim.run(optim.adam(lr=0.1), quadratic_grad, [-5.0, -2.0], 25, record="final")
    np.testing.assert_array_equal(hist.xs, full.xs[[0, -1]])
    assert hist.steps == 25 and hist.ts.tolist() == [0, 25]
    zero = optim.run(optim.adam(lr=0.1), quadratic_grad, [-5.0, -2.0], 0, record="final")
    assert zero.xs.shape == (1, 2) and zero.steps == 0


def test_run_lr_scale_runs_a_stack_of_learning_rates_at_once():
    lrs = np.array([0.01, 0.1, 0.5])
    x0 = np.array([[-5.0, -2.0], [1.0, 3.0]])
    for make in (optim.sgd, optim.adagrad, optim.rmsprop, optim.adam):
        stack = np.broadcast_to(x0, (3, 2, 2))
        hist = optim.run(make(lr=1.0), quadratic_grad_rows, stack, 20, lr_scale=lrs[:, None, None])
        for k, lr in enumerate(lrs):
            alone = optim.run(make(lr=lr), quadratic_grad_rows, x0, 20)
            np.testing.assert_array_equal(hist.xs[:, k], alone.xs)  # float for float
            np.testing.assert_allclose(hist.rates[:, k], alone.rates, rtol=1e-15)


def quadratic_grad_rows(x):
    """quadratic_grad over the last axis, for stacks of points."""
    return np.stack([0.2 * x[..., 0], 4.0 * x[..., 1]], axis=-1)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_run_lr_scale_with_a_schedule_is_float_for_float_the_separate_runs(momentum):
    lrs = np.array([0.003, 0.07, 0.4])
    x0 = np.array([-5.0, -2.0])

    def schedule(t):
        return 1 / np.sqrt(t)

    makers = [optim.adagrad, optim.rmsprop, optim.adam]
    makers += [lambda lr: optim.sgd(lr=lr, momentum=momentum)]
    for make in makers:
        stack = np.broadcast_to(x0, (3, 2))
        hist = optim.run(
            make(lr=1.0), quadratic_grad_rows, stack, 30, lr_scale=lrs[:, None], schedule=schedule
        )
        for k, lr in enumerate(lrs):
            alone = optim.run(make(lr=lr), quadratic_grad_rows, x0, 30, schedule=schedule)
            np.testing.assert_array_equal(hist.xs[:, k], alone.xs)


def test_run_lr_scale_combines_with_a_schedule():
    scale = np.array([1.0, 0.5])
    hist = optim.run(
        optim.sgd(lr=0.1), lambda x: np.ones_like(x), [0.0, 0.0], 3,
        lr_scale=scale, schedule=lambda t: 1.0 / t,
    )  # fmt: skip
    np.testing.assert_allclose(hist.updates[:, 0], [-0.1, -0.05, -0.1 / 3], rtol=1e-15)
    np.testing.assert_allclose(hist.updates[:, 1], hist.updates[:, 0] / 2, rtol=1e-15)
    np.testing.assert_allclose(hist.rates, -hist.updates, rtol=1e-15)


def test_run_freeze_turns_diverging_entries_into_nan_and_the_others_carry_on():
    def grad(x):  # f = x^4 / 4 per coordinate; GD at lr 1 from 3 blows up, from 0.5 not
        return x**3

    with np.errstate(over="ignore"), pytest.raises(ValueError, match=r"step \d+ of 30 .*non-fin"):
        optim.run(optim.sgd(lr=1.0), grad, [3.0, 0.5], 30)
    hist = optim.run(optim.sgd(lr=1.0), grad, [3.0, 0.5], 30, nonfinite="freeze")
    assert np.isnan(hist.final[0])
    first_nan = int(np.argmax(np.isnan(hist.xs[:, 0])))
    assert np.all(np.isnan(hist.xs[first_nan:, 0]))  # frozen: it stays nan
    alone = optim.run(optim.sgd(lr=1.0), grad, [0.5], 30)
    np.testing.assert_array_equal(hist.xs[:, 1], alone.xs[:, 0])
    assert not np.isfinite(hist.grads[first_nan - 1, 0])  # the gradient grad_fn returned


def test_run_freeze_still_raises_on_a_wrong_gradient_shape():
    with pytest.raises(ValueError, match=r"step 1 of 3.*\(3,\).*\(2,\)"):
        optim.run(optim.sgd(lr=0.1), lambda x: np.zeros(3), [1.0, 1.0], 3, nonfinite="freeze")


@pytest.mark.parametrize(
    "kwargs, exc, fragment",
    [
        (dict(record="some"), ValueError, "record must be one of 'all', 'points', 'final'"),
        (dict(record=None), ValueError, "record must be one of"),
        (dict(nonfinite="ignore"), ValueError, "nonfinite must be one of 'raise', 'freeze'"),
        (dict(every=0), ValueError, "every must be >= 1"),
        (dict(every=1.0), TypeError, "every must be an int"),
        (dict(every=4), ValueError, r"steps \(6\) must be a multiple of every \(4\)"),
        (dict(record="final", every=2), ValueError, "every does not apply"),
        (dict(lr_scale=[0.1, 0.0]), ValueError, "lr_scale must be > 0 and finite"),
        (dict(lr_scale=np.nan), ValueError, "lr_scale must be > 0 and finite"),
        (dict(lr_scale="big"), TypeError, "lr_scale must be a real-valued array"),
        (dict(lr_scale=True), TypeError, "lr_scale must be real numbers, not booleans"),
        (dict(lr_scale=np.ones(3)), ValueError, r"lr_scale of shape \(3,\) must broadcast"),
        (dict(lr_scale=np.ones((2, 2))), ValueError, r"shape \(2, 2\) must broadcast"),
        (dict(loss_fn=3), TypeError, "loss_fn must be callable"),
        (dict(project="clip"), TypeError, "project must be callable"),
    ],
)
def test_run_bad_options(kwargs, exc, fragment):
    with pytest.raises(exc, match=fragment):
        optim.run(optim.sgd(0.1), quadratic_grad, [1.0, 1.0], 6, **kwargs)


def test_run_keeps_float32_with_a_float64_lr_scale():
    hist = optim.run(
        optim.rmsprop(0.1),
        lambda x: 2 * x,
        np.ones(2, np.float32),
        3,
        lr_scale=np.array([1.0, 2.0]),
    )
    assert hist.xs.dtype == np.float32 and hist.final.dtype == np.float32


# ------------------------------------------------------------------ state_nbytes

# (optimizer, arrays per parameter it holds): every configuration the course measures.
STATE_CONFIGS = [
    ("sgd", optim.sgd(lr=0.1), 0),
    ("sgd-momentum", optim.sgd(lr=0.1, momentum=0.9), 1),
    ("sgd-nesterov", optim.sgd(lr=0.1, momentum=0.9, nesterov=True), 1),
    ("adagrad", optim.adagrad(lr=0.1), 1),
    ("rmsprop", optim.rmsprop(lr=0.01), 1),
    ("rmsprop-centered", optim.rmsprop(lr=0.01, centered=True), 2),
    ("rmsprop-momentum", optim.rmsprop(lr=0.01, momentum=0.9), 2),
    ("rmsprop-centered-momentum", optim.rmsprop(lr=0.01, centered=True, momentum=0.9), 3),
    ("adam", optim.adam(lr=0.01), 2),
    ("adam-amsgrad", optim.adam(lr=0.01, amsgrad=True), 3),  # m, v and vmax
    ("adadelta", optim.adadelta(), 3),  # v, u and d (kept for rate; the update needs two)
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("opt", "arrays"), [pytest.param(o, k, id=n) for n, o, k in STATE_CONFIGS])
def test_state_nbytes_counts_the_arrays_a_state_holds(opt, arrays, dtype):
    x0 = np.zeros((3, 5), dtype=dtype)
    size = np.dtype(dtype).itemsize
    state = opt.init(x0)
    assert optim.state_nbytes(state) == arrays * 15 * size
    _, after = opt.update(np.full((3, 5), 0.5, dtype=dtype), state)
    assert optim.state_nbytes(after) == arrays * 15 * size  # an update keeps the same arrays
    # and it is the arrays run() records
    hist = optim.run(opt, lambda x: x + 1, x0, 2)
    assert len(hist.states) == arrays
    assert all(a.dtype == dtype for a in hist.states.values())


def test_state_nbytes_ignores_what_is_not_an_array():
    assert optim.state_nbytes(optim.SGDState()) == 0  # no buffer, no shape
    state = optim.adam().init(np.zeros(4))
    assert state.t == 0 and optim.state_nbytes(state) == 2 * 4 * 8  # t is an int, not counted
    state = optim.rmsprop().init(np.float32(1.0))  # a scalar x0: 0-d arrays of 4 bytes
    assert optim.state_nbytes(state) == 4
    ada = optim.adadelta().init(np.zeros(10))
    assert optim.state_nbytes(ada) == 3 * 80  # what it holds; the update needs v and u only
    assert optim.state_nbytes(ada._replace(d=None)) == 2 * 80


@pytest.mark.parametrize("bad", [{"v": np.zeros(3)}, np.zeros(3), None, (np.zeros(3),)])
def test_state_nbytes_rejects_what_is_not_a_state(bad):
    with pytest.raises(TypeError, match="state must be an optimizer state of rmsnotes.optim"):
        optim.state_nbytes(bad)
