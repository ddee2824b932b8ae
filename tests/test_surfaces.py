"""Tests of rmsnotes.surfaces: gradients by finite differences, minima, the contract."""

import dataclasses
import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmsnotes import surfaces as S

SQRT2 = math.sqrt(2.0)

# Every factory at its defaults and with other parameters, so the maths is checked
# for the whole family, not one instance.
VARIANTS = {
    "quadratic": S.quadratic(),
    "quadratic(a=0.5, b=3)": S.quadratic(a=0.5, b=3.0),
    "rosenbrock": S.rosenbrock(),
    "rosenbrock(a=-0.5, b=10)": S.rosenbrock(a=-0.5, b=10.0),
    "valley_plateau": S.valley_plateau(),
    "narrow_dip": S.narrow_dip(),
    "narrow_dip(wide, deep, 0.5)": S.narrow_dip(width=0.3, depth=0.4, center=0.5),
    "valley_plateau(aligned)": S.valley_plateau(aligned=True),
    "narrow_dip(aligned)": S.narrow_dip(aligned=True),
    "two_wells": S.two_wells(),
    "two_wells(3, 4, 0.3, 1)": S.two_wells(left_depth=3.0, right_depth=4.0, width=0.3, y_scale=1.0),
}
IDS = list(VARIANTS)


def fd_grad(f, p, h=1e-6):
    """Central differences, vectorized over points of shape (..., 2)."""
    p = np.asarray(p, dtype=float)
    g = np.empty_like(p)
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        g[..., i] = (f(p + e) - f(p - e)) / (2 * h)
    return g


def fd_hessian(grad, p, h=1e-5):
    """Hessian at one point by central differences of the analytic gradient."""
    H = np.empty((2, 2))
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        H[:, j] = (grad(p + e) - grad(p - e)) / (2 * h)
    return 0.5 * (H + H.T)


def random_points(surface, n, seed):
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = surface.bounds
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def assert_grad_close(surface, pts):
    g = surface.grad(pts)
    g_fd = fd_grad(surface.f, pts)
    scale = 1.0 + np.abs(g)
    np.testing.assert_array_less(np.abs(g - g_fd) / scale, 1e-5)


# ------------------------------------------------------------------ gradients


@pytest.mark.parametrize("key", IDS)
def test_gradient_matches_finite_differences_on_many_points(key):
    surface = VARIANTS[key]
    assert_grad_close(surface, random_points(surface, 2000, seed=1))


@pytest.mark.parametrize("key", IDS)
@settings(max_examples=40, deadline=None)
@given(fx=st.floats(0, 1), fy=st.floats(0, 1))
def test_gradient_matches_finite_differences_hypothesis(key, fx, fy):
    surface = VARIANTS[key]
    (x0, x1), (y0, y1) = surface.bounds
    p = np.array([x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)])
    assert_grad_close(surface, p)


@pytest.mark.parametrize("key", IDS)
def test_gradient_near_minima_and_start(key):
    surface = VARIANTS[key]
    pts = np.vstack([surface.minima + 0.01, surface.minima - 0.003, surface.start])
    assert_grad_close(surface, pts)


# -------------------------------------------------------------------- minima


@pytest.mark.parametrize("key", IDS)
def test_minima_are_stationary_and_precise(key):
    surface = VARIANTS[key]
    for m in surface.minima:
        g = surface.grad(m)
        assert np.abs(g).max() < 1e-10
        # One Newton step would move the stored minimum by less than 1e-10.
        step = np.linalg.solve(fd_hessian(surface.grad, m), g)
        assert np.abs(step).max() < 1e-10


@pytest.mark.parametrize("key", IDS)
def test_minima_are_local_minima(key):
    surface = VARIANTS[key]
    for m in surface.minima:
        eig = np.linalg.eigvalsh(fd_hessian(surface.grad, m))
        assert eig.min() > 1e-6, (m, eig)
        # and f is higher on a small ring around it
        t = np.linspace(0, 2 * np.pi, 16, endpoint=False)
        ring = m + 1e-3 * np.column_stack([np.cos(t), np.sin(t)])
        assert (surface.f(ring) > surface.f(m)).all()


@pytest.mark.parametrize("key", IDS)
def test_global_minimum_first_and_lowest_on_a_fine_grid(key):
    surface = VARIANTS[key]
    values = surface.f(surface.minima)
    assert values[0] == values.min()
    X, Y, Z = surface.grid(n=400)
    assert Z.min() >= values[0] - 1e-12
    i = np.unravel_index(np.argmin(Z), Z.shape)
    best = np.array([X[i], Y[i]])
    assert np.linalg.norm(best - surface.minima[0]) < 0.05


def test_known_minima():
    assert S.quadratic().minima.tolist() == [[0.0, 0.0]]
    np.testing.assert_allclose(S.rosenbrock(a=2.0).minima, [[2.0, 4.0]])
    m = S.valley_plateau().minima
    np.testing.assert_allclose(m, [[3 / SQRT2, 3 / SQRT2]], rtol=1e-14)
    assert S.valley_plateau().f(m[0]) == pytest.approx(-1.0, abs=1e-14)
    # PLAN: the valley's minimum is near (2.12, 2.12)
    np.testing.assert_allclose(m[0], [2.12, 2.12], atol=0.01)


def test_narrow_dip_minima():
    s = S.narrow_dip()
    assert s.minima.shape == (2, 2)
    uv = S.valley_coords(s.minima)
    np.testing.assert_allclose(uv[:, 1], 0.0, atol=1e-14)
    assert uv[0, 0] == pytest.approx(3.0, abs=1e-12)  # the dip does not move the well
    assert uv[1, 0] == pytest.approx(-1.0, abs=0.02)  # the dip's own minimum
    assert s.f(s.minima[1]) > s.f(s.minima[0])


def test_narrow_dip_too_shallow_has_no_minimum_and_deep_dip_is_global():
    # h'(u) on the floor is 0.02 (u - 3) plus the dip's slope, at most
    # depth * sqrt(2 / width) * exp(-1/2); below 0.08 near u = -1 no minimum forms.
    assert S.narrow_dip(depth=0.005).minima.shape == (1, 2)
    deep = S.narrow_dip(depth=3.0)
    assert deep.minima.shape == (2, 2)
    assert S.valley_coords(deep.minima[0])[0] == pytest.approx(-1.0, abs=0.01)
    assert S.valley_coords(deep.minima[1])[0] == pytest.approx(3.0, abs=1e-9)


def test_two_wells_minima():
    s = S.two_wells()
    assert s.minima.shape == (2, 2)
    np.testing.assert_array_equal(s.minima[:, 1], 0.0)
    assert s.minima[0, 0] == pytest.approx(-0.9676, abs=1e-4)  # global, left
    assert s.minima[1, 0] == pytest.approx(0.905, abs=1e-3)  # local, PLAN's (0.905, 0)
    assert s.f(s.minima[0]) < s.f(s.minima[1])


def test_two_wells_has_no_minimum_off_the_axis():
    s = S.two_wells()
    X, Y, Z = s.grid(n=301)
    inner = Z[1:-1, 1:-1]
    is_min = np.ones_like(inner, dtype=bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                is_min &= inner < Z[1 + di : Z.shape[0] - 1 + di, 1 + dj : Z.shape[1] - 1 + dj]
    pts = np.column_stack([X[1:-1, 1:-1][is_min], Y[1:-1, 1:-1][is_min]])
    assert len(pts) == 2
    for p in pts:
        assert np.linalg.norm(s.minima - p, axis=1).min() < 0.03


# ---------------------------------------------------------------- start, bounds


def test_starts():
    np.testing.assert_array_equal(S.quadratic().start, [-5.0, -2.0])
    np.testing.assert_array_equal(S.rosenbrock().start, [-1.2, 1.0])
    np.testing.assert_allclose(S.valley_coords(S.valley_plateau().start), [-3.0, 2.0])
    np.testing.assert_allclose(S.narrow_dip().start, S.valley_plateau().start)
    np.testing.assert_array_equal(S.two_wells().start, [1.5, 1.5])


@pytest.mark.parametrize("key", IDS)
def test_bounds_contain_start_and_minima(key):
    surface = VARIANTS[key]
    (x0, x1), (y0, y1) = surface.bounds
    for p in np.vstack([surface.minima, surface.start]):
        assert x0 < p[0] < x1 and y0 < p[1] < y1


def test_bounds_grow_to_show_a_moved_dip():
    s = S.narrow_dip(center=-6.0)
    (x0, _), (y0, _) = s.bounds
    assert x0 < s.minima[1, 0] and y0 < s.minima[1, 1]


# ------------------------------------------------------------------- contract


@pytest.mark.parametrize("key", IDS)
def test_shapes_and_vectorisation(key):
    s = VARIANTS[key]
    p = np.array([0.3, -0.2])
    assert np.shape(s.f(p)) == ()
    assert s.grad(p).shape == (2,)
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-1, 1, 3)), axis=-1)
    assert s.f(grid).shape == (3, 4)
    assert s.grad(grid).shape == (3, 4, 2)
    # the vectorised call agrees with point-by-point calls
    for i, j in [(0, 0), (2, 3), (1, 2)]:
        assert s.f(grid)[i, j] == s.f(grid[i, j])
        np.testing.assert_array_equal(s.grad(grid)[i, j], s.grad(grid[i, j]))


@pytest.mark.parametrize("key", IDS)
def test_inputs_are_converted_not_truncated_or_mutated(key):
    s = VARIANTS[key]
    assert s.f([1, 2]) == s.f(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(s.grad((1, 2)), s.grad(np.array([1.0, 2.0])))
    p = np.array([0.5, 0.25])
    s.f(p), s.grad(p)
    np.testing.assert_array_equal(p, [0.5, 0.25])


@pytest.mark.parametrize("key", IDS)
@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((4, 3)), 1.0, np.zeros((2, 1))])
def test_wrong_last_axis_raises(key, bad):
    s = VARIANTS[key]
    shape = np.shape(bad)
    for fn in (s.f, s.grad):
        with pytest.raises(ValueError, match=r"\(\.\.\., 2\).*" + re_shape(shape)):
            fn(bad)


def re_shape(shape):
    return str(shape).replace("(", r"\(").replace(")", r"\)")


def test_non_numeric_points_raise_type_error():
    with pytest.raises(TypeError, match="points"):
        S.quadratic().f(["a", "b"])
    with pytest.raises(TypeError, match="points"):
        S.quadratic().grad(np.array([1 + 1j, 0]))


def test_grid():
    s = S.two_wells()
    X, Y, Z = s.grid(n=7)
    assert X.shape == Y.shape == Z.shape == (7, 7)
    (x0, x1), (y0, y1) = s.bounds
    assert (X[0, 0], X[0, -1], Y[0, 0], Y[-1, 0]) == (x0, x1, y0, y1)
    assert np.all(X[1:] == X[0]) and np.all(Y[:, 1:] == Y[:, :1])
    assert Z[3, 5] == s.f([X[3, 5], Y[3, 5]])
    assert s.grid()[2].shape == (200, 200)
    with pytest.raises(ValueError, match="n must be >= 2"):
        s.grid(n=1)
    with pytest.raises(TypeError, match="n must be an int"):
        s.grid(n=10.0)


def test_surface_is_frozen_and_its_arrays_read_only():
    s = S.quadratic()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.name = "other"
    with pytest.raises(ValueError, match="read-only"):
        s.minima[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        s.start[0] = 1.0


def test_surface_fields():
    names = [f.name for f in dataclasses.fields(S.Surface)]
    assert names == ["name", "f", "grad", "minima", "bounds", "start", "description"]
    for key, factory in S.SURFACES.items():
        s = factory()
        assert s.name == key
        assert isinstance(s.description, str) and s.description
        assert "\n" not in s.description
        assert all(isinstance(v, float) for pair in s.bounds for v in pair)
        assert repr(s).startswith(f"Surface({key!r}")


def test_surface_validates_its_fields():
    good = dict(
        name="bowl",
        f=lambda p: (np.asarray(p) ** 2).sum(-1),
        grad=lambda p: 2 * np.asarray(p),
        minima=[[0.0, 0.0]],
        bounds=((-1, 1), (-1, 1)),
        start=[1.0, 1.0],
        description="x^2 + y^2",
    )
    S.Surface(**good)
    for change, err, msg in [
        ({"minima": [0.0, 0.0]}, ValueError, "minima must have shape"),
        ({"minima": np.zeros((0, 2))}, ValueError, "minima must have shape"),
        ({"start": [1.0, 2.0, 3.0]}, ValueError, "start must have shape"),
        ({"bounds": ((1, -1), (-1, 1))}, ValueError, "xmin < xmax"),
        ({"bounds": (-1, 1)}, ValueError, "bounds must be"),
        ({"bounds": ((-1, np.inf), (-1, 1))}, ValueError, "finite"),
        ({"f": 3}, TypeError, "f must be callable"),
        ({"name": ""}, TypeError, "name"),
    ]:
        with pytest.raises(err, match=msg):
            S.Surface(**{**good, **change})


@pytest.mark.parametrize(
    "factory, kwargs, err, msg",
    [
        (S.quadratic, {"a": 0.0}, ValueError, "a must be > 0"),
        (S.quadratic, {"b": -1.0}, ValueError, "b must be > 0"),
        (S.quadratic, {"a": "1"}, TypeError, "a must be a real number"),
        (S.quadratic, {"a": True}, TypeError, "a must be a real number"),
        (S.rosenbrock, {"b": 0}, ValueError, "b must be > 0"),
        (S.rosenbrock, {"a": math.nan}, ValueError, "a must be finite"),
        (S.narrow_dip, {"width": 0.0}, ValueError, "width must be > 0"),
        (S.narrow_dip, {"depth": -0.1}, ValueError, "depth must be > 0"),
        (S.narrow_dip, {"center": math.inf}, ValueError, "center must be finite"),
        (S.two_wells, {"width": -1}, ValueError, "width must be > 0"),
        (S.two_wells, {"left_depth": 0}, ValueError, "left_depth must be > 0"),
        (S.two_wells, {"y_scale": None}, TypeError, "y_scale must be a real number"),
    ],
)
def test_bad_parameters(factory, kwargs, err, msg):
    with pytest.raises(err, match=msg):
        factory(**kwargs)


def test_registry():
    assert sorted(S.SURFACES) == [
        "narrow_dip",
        "quadratic",
        "rosenbrock",
        "two_wells",
        "valley_plateau",
    ]
    for name in S.SURFACES:
        assert S.get(name).name == name
    assert S.get("quadratic", a=1.0).f([1.0, 0.0]) == 1.0
    with pytest.raises(ValueError, match="unknown surface 'nope'.*quadratic"):
        S.get("nope")
    with pytest.raises(TypeError):
        S.get(3)
    with pytest.raises(TypeError):
        S.SURFACES["mine"] = S.quadratic


def test_valley_coords_round_trip():
    rng = np.random.default_rng(0)
    p = rng.normal(size=(10, 2))
    uq = S.valley_coords(p)
    back = np.column_stack([(uq[:, 0] - uq[:, 1]) / SQRT2, (uq[:, 0] + uq[:, 1]) / SQRT2])
    np.testing.assert_allclose(back, p, atol=1e-15)
    np.testing.assert_allclose(np.linalg.norm(uq, axis=1), np.linalg.norm(p, axis=1))


def test_from_valley_coords_is_the_inverse():
    rng = np.random.default_rng(1)
    uq = rng.normal(size=(3, 4, 2))
    p = S.from_valley_coords(uq)
    assert p.shape == (3, 4, 2)
    np.testing.assert_allclose(S.valley_coords(p), uq, atol=1e-15)
    np.testing.assert_allclose(S.from_valley_coords(S.valley_coords(p)), p, atol=1e-15)
    np.testing.assert_allclose(S.from_valley_coords([-3, 2]), S.valley_plateau().start)
    np.testing.assert_allclose(S.from_valley_coords([3.0, 0.0]), S.valley_plateau().minima[0])
    with pytest.raises(ValueError, match=r"\(\.\.\., 2\)"):
        S.from_valley_coords([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="points"):
        S.from_valley_coords(["u", "q"])


def test_the_aligned_valley_is_the_rotated_one_in_valley_coordinates():
    rot, aligned = S.valley_plateau(), S.valley_plateau(aligned=True)
    p = np.random.default_rng(2).uniform(-4, 4, size=(500, 2))
    uq = S.valley_coords(p)
    np.testing.assert_allclose(aligned.f(uq), rot.f(p), rtol=1e-12, atol=1e-12)
    # The gradient rotates with the point: grad_rot(p) = R^T grad_aligned(R p).
    np.testing.assert_allclose(
        S.from_valley_coords(aligned.grad(uq)), rot.grad(p), rtol=1e-12, atol=1e-12
    )
    # By hand: f = 2 q^2 + 0.01 (u - 3)^2 - exp(-(u - 3)^2 / 0.18), u = x, q = y.
    x, y = 0.5, -0.7
    want = 2 * y**2 + 0.01 * (x - 3) ** 2 - math.exp(-((x - 3) ** 2) / 0.18)
    assert float(aligned.f([x, y])) == pytest.approx(want, rel=1e-15)
    np.testing.assert_allclose(aligned.minima, [[3.0, 0.0]], atol=1e-12)
    np.testing.assert_array_equal(aligned.start, [-3.0, 2.0])
    assert aligned.name == "valley_plateau_aligned"
    assert S.get("valley_plateau", aligned=True).name == "valley_plateau_aligned"
    dip = S.narrow_dip(aligned=True)
    np.testing.assert_allclose(dip.minima, S.valley_coords(S.narrow_dip().minima), atol=1e-12)
    with pytest.raises(TypeError, match="aligned must be True or False"):
        S.valley_plateau(aligned=1)


def test_rotation_not_accumulation_alone_makes_adagrad_crawl():
    """PLAN facts: lr 0.05, 300 steps, distance moved along the valley. AdaGrad moves
    1.57 on the aligned valley against 0.019 rotated; RMSprop 5.98 vs 6.04."""
    from rmsnotes import optim

    moved = {}
    for aligned in (False, True):
        s = S.valley_plateau(aligned=aligned)
        for name, make in (("adagrad", optim.adagrad), ("rmsprop", optim.rmsprop)):
            hist = optim.run(make(lr=0.05), s.grad, s.start, 300)
            u = hist.xs[:, 0] if aligned else S.valley_coords(hist.xs)[:, 0]
            moved[name, aligned] = u[-1] - u[0]
    assert moved["adagrad", True] == pytest.approx(1.57, abs=0.005)
    assert moved["adagrad", False] == pytest.approx(0.019, abs=0.0005)
    assert moved["rmsprop", True] == pytest.approx(5.98, abs=0.005)
    assert moved["rmsprop", False] == pytest.approx(6.04, abs=0.005)


def test_surfaces_give_the_same_bits_on_cpus_with_and_without_avx512():
    # NumPy's AVX-512 exp can differ in the last bit from the C library's; chaotic runs
    # would turn that into different stored notebook outputs on another CPU.
    import subprocess
    import sys

    code = (
        "import hashlib, numpy as np\n"
        "from rmsnotes import surfaces\n"
        "p = np.random.default_rng(0).uniform(-4, 4, size=(5000, 2))\n"
        "h = hashlib.sha256()\n"
        "for name in sorted(surfaces.SURFACES):\n"
        "    s = surfaces.get(name)\n"
        "    h.update(s.f(p).tobytes()); h.update(s.grad(p).tobytes())\n"
        "print(h.hexdigest())\n"
    )
    digests = set()
    for disabled in ("", "X86_V4"):  # X86_V4: NumPy's AVX-512 kernels (ignored elsewhere)
        env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": disabled}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


# ------------------------------------------------------------------ loss surface


@pytest.fixture(scope="module")
def intercept():
    from rmsnotes import data

    X, y = data.make_intercept_regression()
    return X, y, data.least_squares(X, y)


def test_linear_loss_surface_matches_the_model_everywhere(intercept):
    from rmsnotes import models

    X, y, w_star = intercept
    s = S.linear_loss_surface(X, y)
    assert isinstance(s, S.Surface)
    rng = np.random.default_rng(0)
    points = rng.normal(size=(7, 2)) * 3
    want = [models.linear_loss(p, X, y) for p in points]
    np.testing.assert_allclose(s.f(points), want, rtol=1e-10)
    np.testing.assert_allclose(s.grad(points), [models.linear_grad(p, X, y) for p in points])
    np.testing.assert_allclose(s.minima[0], w_star)
    X_grid, Y_grid, Z = s.grid(n=5)
    assert Z.shape == (5, 5)
    assert Z[2, 2] == pytest.approx(models.linear_loss([X_grid[2, 2], Y_grid[2, 2]], X, y))


def test_linear_loss_surface_gradient_by_finite_differences(intercept):
    X, y, _ = intercept
    s = S.linear_loss_surface(X, y)
    p = np.array([0.7, -1.3])
    np.testing.assert_allclose(s.grad(p), fd_grad(s.f, p), rtol=1e-6)


def test_linear_loss_surface_bounds_and_bad_input(intercept):
    X, y, w_star = intercept
    (x0, x1), (y0, y1) = S.linear_loss_surface(X, y).bounds
    assert x0 < 0 < w_star[0] < x1 and y0 < 0 < w_star[1] < y1
    given_bounds = ((-1.0, 5.0), (-2.0, 3.0))
    assert S.linear_loss_surface(X, y, bounds=given_bounds).bounds == given_bounds
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\)"):
        S.linear_loss_surface(np.ones((4, 3)), np.ones(4))
    with pytest.raises(ValueError, match="y must have shape"):
        S.linear_loss_surface(X, y[:-1])
    with pytest.raises(TypeError, match="X must be a real-valued array"):
        S.linear_loss_surface([["a", "b"]], [1.0])
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        S.linear_loss_surface(X, y).f(np.zeros(3))


def test_linear_loss_surface_copies_its_data(intercept):
    X, y, _ = intercept
    X2, y2 = X.copy(), y.copy()
    s = S.linear_loss_surface(X2, y2)
    before = float(s.f(np.zeros(2)))
    X2[:] = 0.0
    y2[:] = 0.0
    assert float(s.f(np.zeros(2))) == before
