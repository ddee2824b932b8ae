"""rmsnotes.stepsize: step ratios, oscillation, and the analytic 2-cycle of RMSprop;
and notebook 04's exercise answers."""

import numpy as np
import pytest

from rmsnotes import checks, data, models, optim, stepsize, surfaces

# ------------------------------------------------------------------ step_ratio


def test_step_ratio_constant_gradient_is_one_over_sqrt_of_bias():
    """v_t = (1 - beta^t) g^2 from v_0 = 0, so |step| / lr = 1 / sqrt(1 - beta^t)."""
    beta = 0.9
    hist = optim.run(
        optim.rmsprop(lr=0.3, beta=beta, eps=0.0), lambda x: np.full_like(x, -7.0), [0.0, 1.0], 40
    )
    t = np.arange(1, 41)[:, None]
    np.testing.assert_allclose(
        stepsize.step_ratio(hist), np.broadcast_to(1 / np.sqrt(1 - beta**t), (40, 2)), rtol=1e-12
    )


def test_step_ratio_adagrad_constant_gradient_falls_like_one_over_sqrt_t():
    hist = optim.run(optim.adagrad(lr=0.5, eps=0.0), np.ones_like, [0.0], 100)
    np.testing.assert_allclose(
        stepsize.step_ratio(hist)[:, 0], 1 / np.sqrt(np.arange(1, 101)), rtol=1e-12
    )


def test_step_ratio_with_a_schedule_per_step_lr():
    lr = 0.05
    sched = lambda t: 1 / np.sqrt(t)  # noqa: E731
    hist = optim.run(
        optim.rmsprop(lr=lr, beta=0.0, eps=0.0), lambda x: 2 * x + 1, [3.0], 30, schedule=sched
    )
    lr_t = lr * sched(np.arange(1, 31))
    # beta = 0 and eps = 0: every step is exactly lr_t * sign(g)
    np.testing.assert_allclose(stepsize.step_ratio(hist, lr_t), 1.0, rtol=1e-12)
    # against the base lr the ratio is the schedule itself
    np.testing.assert_allclose(stepsize.step_ratio(hist)[:, 0], sched(np.arange(1, 31)), rtol=1e-12)


def test_step_ratio_bad_input():
    hist = optim.run(optim.rmsprop(lr=0.1), np.ones_like, [0.0], 5)
    with pytest.raises(TypeError, match="History"):
        stepsize.step_ratio(hist.xs)
    with pytest.raises(ValueError, match=r"shape \(5,\)"):
        stepsize.step_ratio(hist, np.ones(4))
    with pytest.raises(ValueError, match="> 0"):
        stepsize.step_ratio(hist, 0.0)
    with pytest.raises(ValueError, match="one value per step"):
        stepsize.step_ratio(hist, np.ones((5, 1)))


# ----------------------------------------------------------------- oscillation


def test_oscillation_of_a_two_cycle():
    xs = np.array([[5.0, 0.0]] * 10 + [[1.3, -2.0], [0.7, -1.0]] * 20)
    osc = stepsize.oscillation(xs, last=40)
    np.testing.assert_allclose(osc.center, [1.0, -1.5])
    np.testing.assert_allclose(osc.half_width, [0.3, 0.5])
    # the early points fall outside the window; with all of them they count
    assert stepsize.oscillation(xs, last=len(xs)).half_width[0] == pytest.approx(2.15)


def test_oscillation_accepts_a_history():
    hist = optim.run(optim.sgd(lr=1.0), lambda x: 2 * x, [0.5], 10)  # x -> -x
    osc = stepsize.oscillation(hist, last=4)
    assert osc.center[0] == pytest.approx(0.0) and osc.half_width[0] == pytest.approx(0.5)


@pytest.mark.parametrize("last,exc", [(0, ValueError), (11, ValueError), (2.0, TypeError)])
def test_oscillation_bad_window(last, exc):
    with pytest.raises(exc, match="last"):
        stepsize.oscillation(np.zeros((10, 2)), last=last)


# ------------------------------------------------------------ cycle_half_width


@pytest.mark.parametrize("h", [0.2, 2.0, 50.0])
@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_cycle_is_lr_over_two_for_every_curvature_and_beta(h, beta):
    lr = 0.1
    assert stepsize.cycle_half_width(lr, h) == lr / 2
    hist = optim.run(optim.rmsprop(lr=lr, beta=beta, eps=0.0), lambda x: h * x, [1.0], 3000)
    osc = stepsize.oscillation(hist, last=20)
    assert abs(osc.center[0]) < 1e-6
    assert osc.half_width[0] == pytest.approx(lr / 2, rel=1e-5)
    assert stepsize.step_ratio(hist)[-20:] == pytest.approx(1.0, rel=1e-4)


@pytest.mark.parametrize("eps_in_sqrt", [False, True])
@pytest.mark.parametrize("h,eps", [(0.5, 1e-5), (2.0, 1e-3), (8.0, 1e-3), (8.0, 1e-2)])
def test_cycle_half_width_matches_simulation_with_eps(h, eps, eps_in_sqrt):
    lr = 0.1
    a = stepsize.cycle_half_width(lr, h, eps, eps_in_sqrt=eps_in_sqrt)
    opt = optim.rmsprop(lr=lr, beta=0.9, eps=eps, eps_in_sqrt=eps_in_sqrt)
    hist = optim.run(opt, lambda x: h * x, [1.0], 3000)
    assert 0 < a < lr / 2
    np.testing.assert_allclose(np.abs(hist.xs[-10:, 0]), a, rtol=1e-6)


@pytest.mark.parametrize("eps_in_sqrt,eps", [(False, 0.06), (True, 1e-3)])
def test_no_cycle_when_eps_dominates_and_the_iterate_converges(eps_in_sqrt, eps):
    h, lr = 0.5, 0.1  # eps outside: lr h / 2 = 0.025 < eps; inside: lr^2 h^2 / 4 < eps
    assert stepsize.cycle_half_width(lr, h, eps, eps_in_sqrt=eps_in_sqrt) == 0.0
    opt = optim.rmsprop(lr=lr, beta=0.9, eps=eps, eps_in_sqrt=eps_in_sqrt)
    hist = optim.run(opt, lambda x: h * x, [1.0], 3000)
    assert abs(hist.final[0]) < 1e-10


def test_cycle_half_width_of_d2l_quadratic():
    """d2l's RMSProp example, run past its 20 epochs: both coordinates reach +-0.2."""
    quad = surfaces.quadratic()
    opt = optim.rmsprop(lr=0.4, beta=0.9, eps=1e-6, eps_in_sqrt=True)
    hist = optim.run(opt, quad.grad, quad.start, 400)
    expected = [stepsize.cycle_half_width(0.4, h, 1e-6, eps_in_sqrt=True) for h in (0.2, 4.0)]
    np.testing.assert_allclose(stepsize.oscillation(hist, last=20).half_width, expected, rtol=1e-3)


def test_cycle_half_width_bad_input():
    with pytest.raises(ValueError, match="lr"):
        stepsize.cycle_half_width(0.0, 1.0)
    with pytest.raises(ValueError, match="curvature"):
        stepsize.cycle_half_width(0.1, -1.0)
    with pytest.raises(ValueError, match="eps"):
        stepsize.cycle_half_width(0.1, 1.0, -1e-8)
    with pytest.raises(TypeError, match="eps_in_sqrt"):
        stepsize.cycle_half_width(0.1, 1.0, 0.0, eps_in_sqrt=1)
    with pytest.raises(TypeError, match="lr"):
        stepsize.cycle_half_width("0.1", 1.0)


# -------------------------------------------------- the regression of notebook 04


def test_intercept_regression_cycles_at_lr_over_two_in_each_coordinate():
    X, y = data.make_intercept_regression()
    w_star = data.least_squares(X, y)
    _, grad_fn = models.linear_problem(X, y)
    lr = 0.05
    hist = optim.run(optim.rmsprop(lr=lr), grad_fn, np.zeros(2), 300)
    osc = stepsize.oscillation(hist, last=50)
    np.testing.assert_allclose(osc.center, w_star, atol=5e-4)
    np.testing.assert_allclose(osc.half_width, lr / 2, rtol=0.02)
    # so the distance to w* is about sqrt(2) lr / 2 = lr / sqrt(2)
    assert hist.distances(w_star)[-1] == pytest.approx(lr / np.sqrt(2), rel=0.01)


# ----------------------------------------------------------- exercise answers


def test_answers_of_notebook_04():
    assert checks.ANSWERS["04-first-step-ratio"]() == pytest.approx(10.0, rel=1e-12)
    assert checks.ANSWERS["04-cycle-half-width"]() == pytest.approx(0.01, rel=1e-9)


def test_step_ratio_and_oscillation_refuse_what_they_cannot_use():
    points_only = optim.run(optim.rmsprop(0.1), np.ones_like, [0.0], 4, record="points")
    with pytest.raises(ValueError, match="record='all'"):
        stepsize.step_ratio(points_only)
    hist = optim.run(optim.rmsprop(0.1), np.ones_like, [0.0], 4)
    with pytest.raises(TypeError, match="lr must be a real-valued array"):
        stepsize.step_ratio(hist, lr="0.1")
    with pytest.raises(TypeError, match="lr must be a number"):
        stepsize.step_ratio(hist, lr=True)
    with pytest.raises(TypeError, match="xs must be a real-valued array"):
        stepsize.oscillation("ab")
    sparse = optim.run(optim.rmsprop(0.1), np.ones_like, [0.0], 4, every=2)
    np.testing.assert_array_equal(
        stepsize.step_ratio(sparse, lr=[0.1, 0.1]), stepsize.step_ratio(hist)[1::2]
    )
