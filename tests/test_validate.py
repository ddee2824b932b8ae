"""The shared scalar checks in rmsnotes._validate."""

import math

import numpy as np
import pytest

from rmsnotes import _validate as V

NOT_REAL = [
    "0.5",
    None,
    True,
    False,
    np.bool_(True),
    1 + 2j,
    np.complex128(1),
    [0.5],
    np.array(0.5),
]
NOT_INT = [2.0, np.float64(2.0), "2", None, True, np.bool_(False), 1 + 0j, np.array(2)]


@pytest.mark.parametrize("check", [V.real, V.finite, V.positive, V.nonnegative, V.unit_interval])
@pytest.mark.parametrize("value", NOT_REAL)
def test_real_checks_refuse_non_real_numbers_by_name(check, value):
    with pytest.raises(TypeError, match=r"^beta must be a real number, got .* of type "):
        check("beta", value)


@pytest.mark.parametrize("value", [3, np.int64(3), 0.5, np.float32(0.5), -math.inf, math.nan])
def test_real_returns_a_python_float(value):
    out = V.real("x", value)
    assert type(out) is float
    assert out == float(value) or (math.isnan(out) and math.isnan(value))


@pytest.mark.parametrize(
    "check, good, bad, message",
    [
        (V.finite, [-1e300, 0, 2.5], [math.nan, math.inf, -math.inf], "x must be finite, got "),
        (
            V.positive,
            [1e-300, 1, np.float32(0.1)],
            [0, -0.0, -1, math.nan, math.inf],
            "x must be > 0 and finite, got ",
        ),
        (
            V.nonnegative,
            [0, -0.0, 1e-8, 5],
            [-1e-300, -1, math.nan, math.inf],
            "x must be >= 0 and finite, got ",
        ),
        (
            V.unit_interval,
            [0, 0.5, 0.999],
            [1, 1.5, -0.1, math.nan, math.inf],
            "x must satisfy 0 <= x < 1, got ",
        ),
    ],
)
def test_ranges_of_the_real_checks(check, good, bad, message):
    for value in good:
        assert check("x", value) == float(value)
        assert type(check("x", value)) is float
    for value in bad:
        with pytest.raises(ValueError, match="^" + message):
            check("x", value)


@pytest.mark.parametrize("check", [V.integer, lambda name, v: V.count(name, v, 0)])
@pytest.mark.parametrize("value", NOT_INT)
def test_integer_checks_refuse_non_ints_by_name(check, value):
    with pytest.raises(TypeError, match=r"^steps must be an int, got .* of type "):
        check("steps", value)


def test_count():
    assert V.count("n", 2, 2) == 2
    assert V.count("n", np.int32(7), 0) == 7 and type(V.count("n", np.int32(7), 0)) is int
    assert V.integer("last", -3) == -3
    with pytest.raises(ValueError, match=r"^n must be >= 2, got 1$"):
        V.count("n", 1, 2)
    with pytest.raises(ValueError, match=r"^steps must be >= 0, got -1$"):
        V.count("steps", np.int64(-1), 0)


def test_seed():
    assert V.seed("seed", None) is None
    assert V.seed("seed", 0) == 0 and type(V.seed("seed", np.uint8(3))) is int
    for value in (1.5, "0", True):
        with pytest.raises(TypeError, match=r"^seed must be an int >= 0 \(or None\)"):
            V.seed("seed", value)
    with pytest.raises(ValueError, match=r"^seed must be an int >= 0 \(or None\), got -1$"):
        V.seed("seed", -1)


def test_flag():
    assert V.flag("centered", True) is True
    assert V.flag("centered", np.bool_(False)) is False
    for value in (1, 0, "yes", None, 1.0):
        with pytest.raises(TypeError, match=r"^centered must be True or False, got "):
            V.flag("centered", value)


def test_real_array_converts_without_truncating():
    out = V.real_array("x0", [1, 2])
    assert out.dtype == np.float64 and out.tolist() == [1.0, 2.0]
    assert V.real_array("x0", [True]).dtype == np.float64
    f32 = np.zeros(3, dtype=np.float32)
    assert V.real_array("x0", f32) is f32
    assert np.isnan(V.real_array("x0", [np.nan])).all()  # finiteness is the caller's call
    for value in ([1 + 1j], ["a"], [[1.0], [1.0, 2.0]], None):
        with pytest.raises(TypeError, match=r"^x0 must be a real-valued array, got "):
            V.real_array("x0", value)


def test_real_array_finite_option():
    np.testing.assert_array_equal(V.real_array("v", [1, 2], finite=True), [1.0, 2.0])
    big = np.array([1e308, 1e308])  # its sum overflows, but every element is finite
    assert V.real_array("v", big, finite=True) is big
    for value in ([np.nan], [1.0, np.inf], np.array([-np.inf], dtype=np.float32)):
        with pytest.raises(ValueError, match=r"^v contains a non-finite value \(nan or inf\)$"):
            V.real_array("v", value, finite=True)
    with pytest.raises(TypeError, match=r"^v must be a real-valued array"):
        V.real_array("v", ["a"], finite=True)


def test_all_finite():
    assert V.all_finite(np.zeros(0)) and V.all_finite(np.float64(3.0))
    assert V.all_finite(np.full(4, 1e308))
    assert not V.all_finite(np.array([0.0, np.nan])) and not V.all_finite(np.array(-np.inf))


def test_learning_rates():
    out = V.learning_rates("lrs", [1, 0.5])
    assert out.dtype == np.float64 and out.tolist() == [1.0, 0.5]
    assert V.learning_rates("lrs", np.float32([0.1])).dtype == np.float64
    for value in ([], [[0.1]], 0.1):
        with pytest.raises(ValueError, match=r"^lrs must be a non-empty 1-D sequence"):
            V.learning_rates("lrs", value)
    for value in ([0.1, 0.0], [np.nan], [-1.0], [np.inf]):
        with pytest.raises(ValueError, match=r"^every lr must be > 0 and finite, got "):
            V.learning_rates("lrs", value)
    for value in (["a"], [True, False], None, [1j]):
        with pytest.raises(TypeError, match=r"^lrs must be"):
            V.learning_rates("lrs", value)
