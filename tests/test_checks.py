"""The exercise self-checks: right answers pass, wrong and unfinished ones do not."""

import tracemalloc

import numpy as np
import pytest

from rmsnotes import checks, optim


def adagrad_by_hand(x, s, g, lr, eps):
    s = s + g**2
    return x - lr * g / (np.sqrt(s) + eps), s


def rmsprop_by_hand(x, v, g, lr, beta, eps):
    v = beta * v + (1 - beta) * g**2
    return x - lr * g / (np.sqrt(v) + eps), v


def test_correct_update_rules_pass(capsys):
    assert checks.check_update_rule(adagrad_by_hand, "adagrad")
    assert checks.check_update_rule(rmsprop_by_hand, "rmsprop")
    assert capsys.readouterr().out.count("correct:") == 2


@pytest.mark.parametrize(
    "fn,fragment",
    [
        (lambda x, s, g, lr, eps: None, "returned None"),
        (lambda x, s, g, lr, eps: ..., "returned Ellipsis"),
        (lambda x, s, g, lr, eps: x, "should return a pair"),
        (lambda x, s, g, lr, eps: 1 / 0, "raised ZeroDivisionError"),
        # eps inside the root: the other convention, not the one asked for
        (
            lambda x, s, g, lr, eps: (x - lr * g / np.sqrt(s + g**2 + eps), s + g**2),
            "new point",
        ),
        # forgot to accumulate
        (lambda x, s, g, lr, eps: (x - lr * g / (np.sqrt(s) + eps), s), "differs"),
    ],
)
def test_wrong_or_unfinished_adagrad_rules_fail(fn, fragment, capsys):
    assert not checks.check_update_rule(fn, "adagrad")
    out = capsys.readouterr().out
    assert out.startswith("not yet:") and fragment in out


def test_rmsprop_rule_with_adagrad_sum_fails(capsys):
    def wrong(x, v, g, lr, beta, eps):
        v = v + g**2
        return x - lr * g / (np.sqrt(v) + eps), v

    assert not checks.check_update_rule(wrong, "rmsprop")


def test_learner_mutating_inputs_does_not_fool_the_check():
    def mutating(x, s, g, lr, eps):
        s += g**2  # in place, on the copy the check handed over
        x -= lr * g / (np.sqrt(s) + eps)
        return x, s

    assert checks.check_update_rule(mutating, "adagrad")


def test_unknown_optimizer_or_exercise_raises():
    with pytest.raises(ValueError, match="optimizer must be one of"):
        checks.check_update_rule(adagrad_by_hand, "adam")
    with pytest.raises(ValueError, match="unknown exercise"):
        checks.check_answer("99-nope", 1.0)


def test_answers_are_what_the_formulas_say():
    assert checks.ANSWERS["01-rate-after-100"]() == pytest.approx(0.5 / np.sqrt(100 * 4))
    # sum_{k=1}^{T} lr / sqrt(k), about 2 lr sqrt(T)
    expected = 0.01 * np.sum(1 / np.sqrt(np.arange(1, 10_001)))
    assert checks.ANSWERS["01-distance-after-10000"]() == pytest.approx(expected, rel=1e-12)
    # s_1 = 0.1 + g^2, step = lr g / (sqrt(s_1) + eps)
    first = 0.1 * 1e-3 / (np.sqrt(0.1 + 1e-6) + 1e-8)
    assert checks.ANSWERS["01-first-step-with-start-sum"]() == pytest.approx(first, rel=1e-12)
    # TF1's start v_0 = 1, eps inside the root: v_1 = 0.9 + 0.1 g^2, step = lr g / sqrt(v_1 + eps)
    tf1 = 0.01 / np.sqrt(0.9 + 0.1 * 0.01**2 + 1e-10)
    assert checks.ANSWERS["03-tf1-first-step"]() == pytest.approx(tf1, rel=1e-12)


@pytest.mark.parametrize(
    "value,ok",
    [(0.025, True), (0.02500001, True), (0.03, False), (None, False), ("x", False)],
)
def test_check_answer(value, ok, capsys):
    assert checks.check_answer("01-rate-after-100", value) is ok
    assert capsys.readouterr().out.startswith("correct:" if ok else "not yet:")


def test_notebook_02_return_step_matches_a_plain_loop():
    # RMSprop online on the sparse data, one example per step, by a plain loop
    from rmsnotes import data

    X, y = data.make_sparse_regression()
    order = np.random.default_rng(0).integers(0, len(y), size=2000)
    w, v, ratios = np.zeros(2), np.zeros(2), []
    for i in order:
        g = X[i] * (X[i] @ w - y[i])
        v = 0.9 * v + 0.1 * g * g
        step = -0.03 * g / (np.sqrt(v) + 1e-8)
        w = w + step
        if X[i, 1] == 1:
            ratios.append(abs(step[1]) / 0.03)
    expected = np.median(ratios[1:])
    assert checks.ANSWERS["02-rmsprop-return-step"]() == pytest.approx(expected, rel=1e-9)


def test_notebook_04_answers_match_plain_loops():
    # Hinton's example, v_0 = 0.09, by a plain loop
    x, v = 0.0, 0.09
    for _ in range(100):
        for g in [0.1] * 9 + [-0.9]:
            v = 0.99 * v + 0.01 * g * g
            x -= 0.01 * g / np.sqrt(v)
    assert checks.ANSWERS["04-hinton-no-warm-up"]() == pytest.approx(x, rel=1e-12)
    # sign descent on x^2 from 0.93 in steps of 0.1: down to 0.03, then 0.03 <-> -0.07
    assert checks.ANSWERS["04-sign-descent-cycle"]() == pytest.approx(-0.07, rel=1e-9)


def test_notebook_05_race_ratio_matches_plain_loops():
    # the race's square sizes, sqrt(sum_i acc_i), by plain loops on the two wells at lr 0.2
    from rmsnotes import surfaces

    wells = surfaces.two_wells()
    x_a, s = wells.start.copy(), np.zeros(2)
    x_r, v = wells.start.copy(), np.zeros(2)
    for _ in range(1000):
        g = wells.grad(x_a)
        s = s + g * g
        x_a = x_a - 0.2 * g / (np.sqrt(s) + 1e-8)
        g = wells.grad(x_r)
        v = 0.99 * v + 0.01 * g * g
        x_r = x_r - 0.2 * g / (np.sqrt(v) + 1e-8)
    ratio = np.sqrt(s.sum()) / np.sqrt(v.sum())
    # RMSprop hops in the deep well, so rounding differences between this loop and
    # optim's grow to ~1e-4; the check's own tolerance (1e-3) is what a learner gets
    assert checks.ANSWERS["05-race-size-ratio"]() == pytest.approx(ratio, rel=1e-3)


def test_notebook_06_answers_match_plain_loops():
    from rmsnotes import data

    # the defaults (lr 0.001, beta 0.9, eps 1e-8 outside) on the intercept regression
    X, y = data.make_intercept_regression(seed=0)
    w_star = data.least_squares(X, y)
    w, v, t = np.zeros(2), np.zeros(2), 0
    while np.linalg.norm(w - w_star) >= 0.01:
        g = X.T @ (X @ w - y) / len(y)
        v = 0.9 * v + 0.1 * g * g
        w = w - 0.001 * g / (np.sqrt(v) + 1e-8)
        t += 1
    assert checks.ANSWERS["06-default-steps"]() == t
    # 50 gradients of 8 fill v to v_50 = 64 (1 - 0.99^50); then v_k = 0.01 + (v_50 - 0.01) 0.99^k
    # (g = 0.1), and the step 0.01 g / (sqrt(v_k) + 1e-8) reaches lr/2 once sqrt(v_k) <= 2 g - 1e-8
    v_50, v_half = 64 * (1 - 0.99**50), (2 * 0.1 - 1e-8) ** 2
    k = np.log((v_50 - 0.01) / (v_half - 0.01)) / np.log(1 / 0.99)
    assert checks.ANSWERS["06-steps-to-half-lr"]() == int(np.ceil(k))
    # Keras's floor: |step| / lr = g / sqrt(g^2 + eps) once v = g^2
    expected = 1e-5 / np.sqrt(1e-10 + 1e-7)
    assert checks.ANSWERS["06-keras-floor-ratio"]() == pytest.approx(expected, rel=1e-6)


def test_notebook_07_answers_match_the_formulas():
    # centered RMSprop on g = 1: |step_t| / lr = 1 / (sqrt(beta^t (1 - beta^t)) + eps)
    b = 0.9**100
    assert checks.ANSWERS["07-centered-step-100"]() == pytest.approx(
        1 / (np.sqrt(b * (1 - b)) + 1e-8), rel=1e-9
    )
    # Adam without correction: m_1 = 0.1 g, v_1 = 0.001 g^2, step = lr 0.1 / sqrt(0.001)
    assert checks.ANSWERS["07-adam-uncorrected-first-step"]() == pytest.approx(
        0.1 / np.sqrt(0.001), rel=1e-12
    )
    # AdaDelta: sqrt(0 + eps) / sqrt(0.1 g^2 + eps) * g, at g = 0.02
    first = np.sqrt(1e-4) / np.sqrt(0.1 * 0.02**2 + 1e-4) * 0.02
    assert checks.ANSWERS["07-adadelta-first-step"]() == pytest.approx(first, rel=1e-12)
    # not the large-gradient approximation: a learner's shortcut fails the check
    assert abs(first / np.sqrt(1e-4 / 0.1) - 1) > 0.1
    # v, m and b: three float32 arrays of 10 million entries
    assert checks.ANSWERS["07-centered-momentum-bytes"]() == 3 * 4 * 10_000_000


def test_the_memory_answer_counts_without_allocating_the_parameters():
    """The key is the bytes of 10 million parameters, computed without making them."""
    opt = optim.rmsprop(centered=True, momentum=0.9)
    per = [optim.state_nbytes(opt.init(np.zeros(n, np.float32))) / n for n in (1, 1000, 4096)]
    assert per == [12.0, 12.0, 12.0]  # bytes grow with the count, nothing fixed on top
    tracemalloc.start()
    try:
        answer = checks.ANSWERS["07-centered-momentum-bytes"]()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert answer == 120_000_000.0 and isinstance(answer, float)
    assert peak < 1_000_000  # was 160 MB: x0 and the three state arrays


def test_notebook_09_answers_match_the_formulas():
    from rmsnotes import data, limits

    # the drift changes sign at the answer
    b = checks.ANSWERS["09-boundary-beta-C3"]()
    assert limits.reddi_drift(b - 1e-9, 3.0) > 0 > limits.reddi_drift(b + 1e-9, 3.0)
    # RMSprop at beta 0.1 sits at +1, where each period costs 2 (C - 2): R_T / T -> 2 (C - 2) / 3
    assert checks.ANSWERS["09-regret-C5"]() == pytest.approx(2 * (5 - 2) / 3, abs=0.02)
    # v climbs from 1 towards 100: v_k = 100 - 99 * 0.95^k; |step| / lr = 10 / sqrt(v_k)
    # is within 10 % of 1 once v_k >= 100 / 1.1^2
    k = np.log(99 / (100 - 100 / 1.1**2)) / np.log(1 / 0.95)
    assert checks.ANSWERS["09-readapt-steps-0.95"]() == int(np.ceil(k))
    # AdaGrad calls every test point positive: its error is the fraction of negatives
    split = data.make_wilson_separable(n=30, p=0.9, n_test=100, seed=3)
    negatives = float(np.mean(split.y_test < 0))
    assert negatives > 0
    assert checks.ANSWERS["09-wilson-adagrad-error"]() == negatives


def test_notebook_08_answers_match_plain_loops():
    from rmsnotes import data, models

    moons = data.make_moons(n=200, noise=0.2, seed=0)
    w = models.mlp_init(hidden=16, seed=0)
    # b2's per-example gradient is sigmoid(z) - y: the batch variance by sampling
    p = models.mlp_forward(w, moons.X)  # P(y = 1 | x)
    assert checks.ANSWERS["08-batch-variance-b2"]() == pytest.approx(
        np.var(p - moons.y) / 32 * 168 / 199, rel=1e-9
    )
    # AdaGrad's W1 rate is 10x below its peak while the gradient is not: a step of the run
    step = checks.ANSWERS["08-adagrad-stall-step"]()
    assert step == int(step) and 10 < step < 1000
    # the first live step: lr g / sqrt((1 - beta) g^2) = lr / 0.1
    assert checks.ANSWERS["08-first-live-step"]() == pytest.approx(0.01, rel=1e-6)
