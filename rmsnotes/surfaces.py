"""Two-dimensional test surfaces for watching optimizers move.

A :class:`Surface` bundles a function, its analytic gradient, the known minima and a
plotting window. Points are arrays whose last axis has length 2, so the same
function evaluates one point ``f([x, y])`` or a whole grid
``f(np.stack([X, Y], axis=-1))``::

    f:    (..., 2) -> (...)          grad: (..., 2) -> (..., 2)

Every surface is made by a factory with keyword parameters, so a learner can vary
it (``quadratic(a=0.5)``); :data:`SURFACES` maps names to factories and
:func:`get` builds one by name. ``surface.grad`` can be passed straight to
``rmsnotes.optim.run``.

The surfaces:

    quadratic       a x^2 + b y^2: an ill-conditioned bowl (d2l's RMSProp example)
    rosenbrock      (a - x)^2 + b (y - x^2)^2: a curved, flat-bottomed valley
    valley_plateau  a steep valley whose floor is a plateau before a well (rotated
                    45 degrees; ``aligned=True``: the same valley along the x axis)
    narrow_dip      valley_plateau with an extra small dip on the path
    two_wells       a shallow well next to a deep one (the animation of Jiang 2020)
    linear_loss_surface  the loss of a two-weight linear regression (built from data)

Minima that have no closed form are found numerically when the surface is built
(every critical point lies on a known line segment; a fine sign scan of the
derivative along it, then bisection to machine precision), so they stay exact
when the parameters change.

Example:
    >>> s = quadratic()
    >>> float(s.f(np.array([1.0, 1.0])))          # 0.1 * 1 + 2 * 1
    2.1
    >>> s.grad(np.array([1.0, 1.0]))              # (0.2 x, 4 y)
    array([0.2, 4. ])
    >>> X, Y, Z = s.grid(n=50)
    >>> Z.shape
    (50, 50)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from rmsnotes import _validate, data

__all__ = [
    "Surface",
    "quadratic",
    "rosenbrock",
    "valley_plateau",
    "narrow_dip",
    "two_wells",
    "linear_loss_surface",
    "valley_coords",
    "from_valley_coords",
    "SURFACES",
    "get",
]

_SQRT2 = math.sqrt(2.0)


# ---------------------------------------------------------------------- validation


def _points(p: Any) -> np.ndarray:
    """Convert to a float array of points, shape (..., 2); raise on anything else."""
    arr = _validate.real_array("points", p)
    if arr.ndim == 0 or arr.shape[-1] != 2:
        raise ValueError(
            f"points must have shape (..., 2) (last axis holds x and y), got shape {arr.shape}"
        )
    return arr


def _readonly(arr: np.ndarray) -> np.ndarray:
    arr = np.array(arr, dtype=float)  # a private copy
    arr.setflags(write=False)
    return arr


# ------------------------------------------------------------------------- Surface


@dataclass(frozen=True, eq=False, repr=False)
class Surface:
    """A 2-D test function with its gradient, minima and a plotting window.

    Attributes:
        name: short identifier, e.g. ``"two_wells"``.
        f: ``f(p) -> value``; p has shape (..., 2), the result shape (...).
        grad: ``grad(p) -> gradient``; p has shape (..., 2), so has the result.
        minima: known local minima, shape (k, 2); ``minima[0]`` is the global one.
        bounds: ``((xmin, xmax), (ymin, ymax))``, a window for contour plots.
        start: the suggested start, shape (2,), from the experiment it comes from.
        description: one line for legends and titles.

    The arrays are stored as read-only copies, so a surface cannot be changed
    after it is made (make a new one instead).

    Example:
        >>> s = Surface("bowl", lambda p: (np.asarray(p) ** 2).sum(-1),
        ...             lambda p: 2 * np.asarray(p), minima=[[0, 0]],
        ...             bounds=((-1, 1), (-1, 1)), start=[1, 1],
        ...             description="x^2 + y^2")
        >>> s.minima
        array([[0., 0.]])
        >>> s
        Surface('bowl', minima=[[0.0, 0.0]], start=[1.0, 1.0])
    """

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    minima: np.ndarray
    bounds: tuple[tuple[float, float], tuple[float, float]]
    start: np.ndarray
    description: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty str, got {self.name!r}")
        if not isinstance(self.description, str):
            raise TypeError(f"description must be a str, got {self.description!r}")
        for attr in ("f", "grad"):
            if not callable(getattr(self, attr)):
                raise TypeError(f"{attr} must be callable, got {getattr(self, attr)!r}")
        minima = np.asarray(self.minima, dtype=float)
        if minima.ndim != 2 or minima.shape[0] < 1 or minima.shape[1] != 2:
            raise ValueError(f"minima must have shape (k, 2) with k >= 1, got {minima.shape}")
        start = np.asarray(self.start, dtype=float)
        if start.shape != (2,):
            raise ValueError(f"start must have shape (2,), got {start.shape}")
        try:
            (x0, x1), (y0, y1) = self.bounds
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"bounds must be ((xmin, xmax), (ymin, ymax)), got {self.bounds!r}"
            ) from exc
        bounds = tuple(
            (_validate.finite(f"bounds {axis}min", lo), _validate.finite(f"bounds {axis}max", hi))
            for axis, (lo, hi) in zip("xy", ((x0, x1), (y0, y1)), strict=True)
        )
        for axis, (lo, hi) in zip("xy", bounds, strict=True):
            if not lo < hi:
                raise ValueError(f"bounds need {axis}min < {axis}max, got ({lo}, {hi})")
        object.__setattr__(self, "minima", _readonly(minima))
        object.__setattr__(self, "start", _readonly(start))
        object.__setattr__(self, "bounds", bounds)

    def __repr__(self) -> str:
        return f"Surface({self.name!r}, minima={self.minima.tolist()}, start={self.start.tolist()})"

    def grid(self, n: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sample f on an n x n grid over :attr:`bounds`, ready for ``ax.contour``.

        Returns ``(X, Y, Z)``, each of shape (n, n), with ``X, Y = np.meshgrid(xs,
        ys)`` (rows follow y) and ``Z = f(np.stack([X, Y], axis=-1))``.

        Example:
            >>> X, Y, Z = quadratic().grid(n=3)
            >>> X[0], Y[:, 0]
            (array([-5.5 , -2.25,  1.  ]), array([-3., -1.,  1.]))
        """
        n = _validate.count("n", n, 2)
        (x0, x1), (y0, y1) = self.bounds
        X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
        return X, Y, np.asarray(self.f(np.stack([X, Y], axis=-1)))


# ------------------------------------------------------------------------- helpers


def _window(
    default: tuple[tuple[float, float], tuple[float, float]],
    points: np.ndarray,
    pad: float = 0.5,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """``default`` grown (never shrunk) so every point is at least ``pad`` inside."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    return tuple(
        (min(lo, float(pts[:, i].min()) - pad), max(hi, float(pts[:, i].max()) + pad))
        for i, (lo, hi) in enumerate(default)
    )


def _minima_1d(
    dh: Callable[[np.ndarray], np.ndarray],
    h: Callable[[np.ndarray], np.ndarray],
    lo: float,
    hi: float,
    spacing: float,
) -> np.ndarray:
    """All local minima of a smooth 1-D function h on [lo, hi], lowest h first.

    Scans the derivative dh on a grid of the given spacing for sign changes from
    - to + (a minimum), then bisects each bracket down to adjacent floats. Two
    critical points closer than ``spacing`` can be missed; callers choose the
    spacing from the narrowest feature of their function.
    """
    n = int(min(max(math.ceil((hi - lo) / spacing), 200), 2_000_000)) + 1
    t = np.linspace(lo, hi, n)
    d = dh(t)
    found = []
    for i in np.flatnonzero((d[:-1] < 0) & (d[1:] >= 0)):
        a, b = float(t[i]), float(t[i + 1])  # invariant: dh(a) < 0 <= dh(b)
        while True:
            m = 0.5 * (a + b)
            if m in (a, b):
                break
            if dh(np.array(m)) < 0:
                a = m
            else:
                b = m
        found.append(b if abs(float(dh(np.array(b)))) <= abs(float(dh(np.array(a)))) else a)
    found = np.array(found, dtype=float)
    return found[np.argsort(h(found), kind="stable")]


def valley_coords(p: Any) -> np.ndarray:
    """Rotate points into the valley frame of :func:`valley_plateau`: (x, y) -> (u, q).

    ``u = (x + y) / sqrt2`` runs along the valley floor and ``q = (y - x) / sqrt2``
    across it (q, not v: v is RMSprop's average). A rotation by 45 degrees, so
    lengths are kept. Input and output have shape (..., 2); the inverse is
    :func:`from_valley_coords`.

    Example:
        >>> valley_coords([1.0, 1.0]).round(6)   # on the floor, sqrt(2) along it
        array([1.414214, 0.      ])
    """
    p = _points(p)
    x, y = p[..., 0], p[..., 1]
    return np.stack([(x + y) / _SQRT2, (y - x) / _SQRT2], axis=-1)


def from_valley_coords(uq: Any) -> np.ndarray:
    """The inverse of :func:`valley_coords`: (u, q) -> (x, y), shape (..., 2).

    ``x = (u - q) / sqrt2``, ``y = (u + q) / sqrt2``: a point u along the valley of
    :func:`valley_plateau` and q across it, in the plane's coordinates. Use it to
    build starts on the valley's wall or floor.

    Example:
        >>> from_valley_coords([3.0, 0.0]).round(4)     # the well, on the floor
        array([2.1213, 2.1213])
        >>> bool(np.allclose(valley_coords(from_valley_coords([[-3.0, 2.0]])), [[-3.0, 2.0]]))
        True
    """
    uq = _points(uq)
    u, q = uq[..., 0], uq[..., 1]
    return np.stack([(u - q) / _SQRT2, (u + q) / _SQRT2], axis=-1)


# ------------------------------------------------------------------------ surfaces


def quadratic(a: float = 0.1, b: float = 2.0) -> Surface:
    """The ill-conditioned bowl f = a x^2 + b y^2 (d2l's RMSProp example).

    Math::

        f = a x^2 + b y^2,    grad f = (2 a x, 2 b y),    minimum (0, 0), f = 0

    With the defaults the curvatures differ 20-fold, so one global learning rate is
    either too slow along x or unstable along y. Start (-5, -2), as in d2l.

    Args:
        a: curvature along x, > 0.
        b: curvature along y, > 0.

    Example:
        >>> s = quadratic()
        >>> s.start, float(s.f(s.start))
        (array([-5., -2.]), 10.5)

    Reference: A. Zhang, Z. C. Lipton, M. Li, A. J. Smola, *Dive into Deep Learning*,
    section 12.8 "RMSProp" (d2l.ai).
    """
    a = _validate.positive("a", a)
    b = _validate.positive("b", b)

    def f(p: Any) -> np.ndarray:
        """a x^2 + b y^2."""
        p = _points(p)
        x, y = p[..., 0], p[..., 1]
        return a * x**2 + b * y**2

    def grad(p: Any) -> np.ndarray:
        """(2 a x, 2 b y)."""
        p = _points(p)
        return np.stack([2 * a * p[..., 0], 2 * b * p[..., 1]], axis=-1)

    start = np.array([-5.0, -2.0])
    return Surface(
        name="quadratic",
        f=f,
        grad=grad,
        minima=np.zeros((1, 2)),
        bounds=((-5.5, 1.0), (-3.0, 1.0)),
        start=start,
        description=f"quadratic bowl {a:g} x^2 + {b:g} y^2",
    )


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    """Rosenbrock's banana valley f = (a - x)^2 + b (y - x^2)^2.

    Math::

        f      = (a - x)^2 + b (y - x^2)^2
        df/dx  = -2 (a - x) - 4 b x (y - x^2)
        df/dy  = 2 b (y - x^2)
        minimum (a, a^2), f = 0 (the only critical point for b > 0)

    The floor of the curved valley y = x^2 is nearly flat, so every method reaches
    the valley fast and then crawls along it. Start (-1.2, 1), Rosenbrock's own.

    Args:
        a: position of the minimum, any finite number.
        b: steepness of the valley walls, > 0.

    Example:
        >>> s = rosenbrock()
        >>> s.minima, float(s.f(s.minima[0]))
        (array([[1., 1.]]), 0.0)

    Reference: H. H. Rosenbrock, "An automatic method for finding the greatest or
    least value of a function", The Computer Journal 3 (1960) 175-184.
    """
    a = _validate.finite("a", a)
    b = _validate.positive("b", b)

    def f(p: Any) -> np.ndarray:
        """(a - x)^2 + b (y - x^2)^2."""
        p = _points(p)
        x, y = p[..., 0], p[..., 1]
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def grad(p: Any) -> np.ndarray:
        """(-2 (a - x) - 4 b x (y - x^2), 2 b (y - x^2))."""
        p = _points(p)
        x, y = p[..., 0], p[..., 1]
        r = y - x**2
        return np.stack([-2 * (a - x) - 4 * b * x * r, 2 * b * r], axis=-1)

    minima = np.array([[a, a * a]])
    start = np.array([-1.2, 1.0])
    return Surface(
        name="rosenbrock",
        f=f,
        grad=grad,
        minima=minima,
        bounds=_window(((-2.0, 2.0), (-1.0, 3.0)), np.vstack([minima, start])),
        start=start,
        description=f"Rosenbrock valley (a={a:g}, b={b:g}), minimum at ({a:g}, {a * a:g})",
    )


# The valley-plateau family: f = 2 q^2 + h(u), with u along the valley, q across it,
#   h(u) = 0.01 (u - 3)^2 - sum_k depth_k exp(-(u - c_k)^2 / width_k).
_VALLEY_WALL = 2.0  # f grows as 2 q^2 across the valley
_VALLEY_TILT = 0.01  # the faint slope of the floor, 0.01 (u - 3)^2
_VALLEY_WELL = (1.0, 3.0, 0.18)  # (depth, centre, width) of the well at the end
_VALLEY_START_UQ = (-3.0, 2.0)


def _exp(x: np.ndarray) -> np.ndarray:
    """e**x, rounded the same on every x86-64 CPU.

    NumPy's float64 exp has an AVX-512 kernel whose last bit sometimes differs from
    the C library's, which CPUs without AVX-512 use. RMSprop at a large lr is chaotic
    enough to turn that bit into a different end point, so a notebook's stored
    numbers would depend on the CPU. The long-double exp always goes through the C
    library; rounding it back to float64 gives the same answer everywhere.
    """
    return np.exp(np.asarray(x, dtype=np.longdouble)).astype(np.float64)


def _valley_surface(
    name: str, dips: Sequence[tuple[float, float, float]], description: str, aligned: bool
) -> Surface:
    """Build a valley-plateau surface from its Gaussian dips (depth, centre, width).

    Rotated (the default): u = (x + y)/sqrt2, q = (y - x)/sqrt2. Aligned: u = x, q = y.
    """
    wells = [_VALLEY_WELL, *dips]
    c0 = _VALLEY_WELL[1]

    def h(u: np.ndarray) -> np.ndarray:
        out = _VALLEY_TILT * (u - c0) ** 2
        for depth, c, w in wells:
            out = out - depth * _exp(-((u - c) ** 2) / w)
        return out

    def dh(u: np.ndarray) -> np.ndarray:
        out = 2 * _VALLEY_TILT * (u - c0)
        for depth, c, w in wells:
            out = out + depth * 2 * (u - c) / w * _exp(-((u - c) ** 2) / w)
        return out

    if aligned:

        def f(p: Any) -> np.ndarray:
            """2 q^2 + h(u), with u = x, q = y."""
            p = _points(p)
            return _VALLEY_WALL * p[..., 1] ** 2 + h(p[..., 0])

        def grad(p: Any) -> np.ndarray:
            """(h'(u), 4 q)."""
            p = _points(p)
            return np.stack([dh(p[..., 0]), 2 * _VALLEY_WALL * p[..., 1]], axis=-1)

        to_plane = np.asarray
        window = ((-4.5, 4.0), (-2.5, 2.5))
    else:

        def f(p: Any) -> np.ndarray:
            """2 q^2 + h(u), with u = (x + y)/sqrt2, q = (y - x)/sqrt2."""
            p = _points(p)
            u = (p[..., 0] + p[..., 1]) / _SQRT2
            q = (p[..., 1] - p[..., 0]) / _SQRT2
            return _VALLEY_WALL * q**2 + h(u)

        def grad(p: Any) -> np.ndarray:
            """Chain rule: df/dx = (h'(u) - 4 q)/sqrt2, df/dy = (h'(u) + 4 q)/sqrt2."""
            p = _points(p)
            u = (p[..., 0] + p[..., 1]) / _SQRT2
            q = (p[..., 1] - p[..., 0]) / _SQRT2
            du, dq = dh(u), 2 * _VALLEY_WALL * q
            return np.stack([(du - dq) / _SQRT2, (du + dq) / _SQRT2], axis=-1)

        to_plane = from_valley_coords
        window = ((-4.5, 3.5), (-2.5, 3.5))

    # Every critical point of h lies between the leftmost and rightmost centre
    # (outside, all terms of h' share the sign of u - centre), and q = 0 at a minimum.
    centres = [c for _, c, _ in wells]
    narrowest = min(w for _, _, w in wells)
    u_min = _minima_1d(
        dh, h, min(centres) - 0.5, max(centres) + 0.5, spacing=math.sqrt(narrowest) / 50
    )
    minima = to_plane(np.stack([u_min, np.zeros_like(u_min)], axis=-1))
    start = to_plane(np.array(_VALLEY_START_UQ))
    return Surface(
        name=name,
        f=f,
        grad=grad,
        minima=minima,
        bounds=_window(window, np.vstack([minima, start])),
        start=start,
        description=description,
    )


def valley_plateau(aligned: bool = False) -> Surface:
    """A steep valley whose almost flat floor leads to a well: RMSprop crosses it.

    Math (u along the valley, q across it)::

        u = (x + y) / sqrt2,   q = (y - x) / sqrt2       (aligned=True: u = x, q = y)
        f = 2 q^2 + 0.01 (u - 3)^2 - exp(-(u - 3)^2 / 0.18)
        minimum u = 3, q = 0, i.e. (x, y) = (3/sqrt2, 3/sqrt2) ~ (2.1213, 2.1213), f = -1
                                                           (aligned: (3, 0))

    Along the floor the slope is only 0.02 |u - 3| until the well; across it the
    walls are 200 times steeper. Start (u, q) = (-3, 2), i.e. (x, y) = (-5/sqrt2,
    -1/sqrt2) (aligned: (-3, 2)).

    The valley runs at 45 degrees to the axes, so the wall's large gradient lands in
    *both* coordinates: AdaGrad's sums for x and y both grow big, and its steps along
    the floor shrink to nothing; RMSprop forgets the walls and keeps a step of about
    lr. ``aligned=True`` is the same valley along the x axis, the control that
    separates the two causes: the wall's gradient then fills only the y sum, and
    AdaGrad's x rate is spent only on the floor's own faint slope. Per-coordinate
    methods are not rotation-invariant. Measured at lr 0.05 (default eps, beta 0.9),
    300 steps, distance moved along the valley (``tests/test_surfaces.py`` checks
    these)::

                     rotated   aligned
        AdaGrad        0.019      1.57
        RMSprop        6.04       5.98     (0.035 from the minimum in both)

    Args:
        aligned: False (default) for the rotated valley, True for the valley along
            the x axis (u = x, q = y).

    Example:
        >>> s = valley_plateau()
        >>> s.minima.round(4), float(s.f(s.minima[0]))
        (array([[2.1213, 2.1213]]), -1.0)
        >>> valley_coords(s.start)
        array([-3.,  2.])
        >>> a = valley_plateau(aligned=True)
        >>> a.name, a.minima, a.start
        ('valley_plateau_aligned', array([[3., 0.]]), array([-3.,  2.]))
    """
    aligned = _validate.flag("aligned", aligned)
    if aligned:
        return _valley_surface(
            "valley_plateau_aligned",
            [],
            "valley along x with a flat floor, a well at x = 3 (minimum f = -1)",
            aligned,
        )
    return _valley_surface(
        "valley_plateau",
        [],
        "valley with a flat floor, a well at u = 3 (minimum f = -1)",
        aligned,
    )


def narrow_dip(
    width: float = 0.02, depth: float = 0.1, center: float = -1.0, *, aligned: bool = False
) -> Surface:
    """:func:`valley_plateau` with a small Gaussian dip on the path: a trap.

    Math::

        f = valley_plateau f - depth * exp(-(u - center)^2 / width)

    The default dip is narrow (about 0.14 wide in u) and shallow. Measured with the
    default eps, from :attr:`Surface.start`, for lr between 0.15 and 1: AdaGrad
    reaches it with its rate already decayed and stays; RMSprop (beta 0.9) arrives
    with sqrt(v) still sized for the plateau's faint slope, so its step on the dip's
    steep side is several times lr and lands beyond the dip, and it goes on to the
    global minimum. At lr = 0.1 or less the dip stops RMSprop too, and AdaGrad has
    not even reached it after 2000 steps. Make it wider (``width=0.1`` or more) and
    it traps both at every lr from 0.05 to 1 from this start (``tests/test_facts.py``
    checks these); from some starts on the valley floor RMSprop gets past a wide dip
    at lr 0.2 to 0.3 (notebook 05 maps starts and learning rates).

    ``minima`` holds the global minimum first, then the dip's local minimum (and
    any other local minimum the parameters create), found numerically on the
    valley floor q = 0. Very shallow dips make no minimum of their own.

    Args:
        width: the dip's width parameter (a variance-like scale in u^2), > 0.
        depth: the dip's depth, > 0.
        center: the dip's position along the valley, u = center (finite).
        aligned: the valley along the x axis (u = x, q = y), as in
            :func:`valley_plateau`.

    Example:
        >>> s = narrow_dip()
        >>> s.minima.round(4)
        array([[ 2.1213,  2.1213],
               [-0.7014, -0.7014]])
        >>> valley_coords(s.minima).round(4)[1]     # the dip minimum is at u ~ -0.992
        array([-0.992,  0.   ])
    """
    width = _validate.positive("width", width)
    depth = _validate.positive("depth", depth)
    center = _validate.finite("center", center)
    aligned = _validate.flag("aligned", aligned)
    return _valley_surface(
        "narrow_dip_aligned" if aligned else "narrow_dip",
        [(depth, center, width)],
        f"valley-plateau{' along x' if aligned else ''} with a dip "
        f"(depth {depth:g}, width {width:g}) at u = {center:g}",
        aligned,
    )


def two_wells(
    left_depth: float = 6.0,
    right_depth: float = 2.0,
    width: float = 0.2,
    y_scale: float = 1.4,
) -> Surface:
    """A shallow well next to a deep one: the surface of the well-known animation.

    Math (with z = y_scale * y)::

        f = -right_depth exp(-((x - 1)^2 + z^2) / width)
            - left_depth exp(-((x + 1)^2 + z^2) / width) + x^2 + z^2

    With the defaults, the global minimum is near (-0.968, 0) (f ~ -5.03) and a
    local one near (0.905, 0) (f ~ -1.09). Both lie on y = 0 (for fixed x, f is
    minimal at z = 0), and every critical point on that line lies in [-1, 1], where
    the minima are found numerically. Start (1.5, 1.5), the animation's default.

    Args:
        left_depth: depth of the well at x = -1, > 0.
        right_depth: depth of the well at x = +1, > 0.
        width: the wells' width parameter, > 0.
        y_scale: how much steeper f is along y, > 0.

    Example:
        >>> s = two_wells()
        >>> s.minima.round(4)
        array([[-0.9676,  0.    ],
               [ 0.9053,  0.    ]])

    Reference: the "local minimum" surface of L. Jiang, gradient_descent_viz (2020),
    github.com/lilipads/gradient_descent_viz, shown in "A Visual Explanation of
    Gradient Descent Methods", Towards Data Science (2020).
    """
    left_depth = _validate.positive("left_depth", left_depth)
    right_depth = _validate.positive("right_depth", right_depth)
    width = _validate.positive("width", width)
    y_scale = _validate.positive("y_scale", y_scale)

    def parts(x: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        er = right_depth * _exp(-((x - 1) ** 2 + z**2) / width)
        el = left_depth * _exp(-((x + 1) ** 2 + z**2) / width)
        return er, el

    def f(p: Any) -> np.ndarray:
        """-R exp(-((x-1)^2+z^2)/w) - L exp(-((x+1)^2+z^2)/w) + x^2 + z^2, z = s y."""
        p = _points(p)
        x, z = p[..., 0], y_scale * p[..., 1]
        er, el = parts(x, z)
        return -er - el + x**2 + z**2

    def grad(p: Any) -> np.ndarray:
        """df/dx = 2(x-1)/w er + 2(x+1)/w el + 2x;  df/dy = s (2z/w (er + el) + 2z)."""
        p = _points(p)
        x, z = p[..., 0], y_scale * p[..., 1]
        er, el = parts(x, z)
        gx = 2 * (x - 1) / width * er + 2 * (x + 1) / width * el + 2 * x
        gz = 2 * z / width * (er + el) + 2 * z
        return np.stack([gx, y_scale * gz], axis=-1)

    def h(x: np.ndarray) -> np.ndarray:
        return f(np.stack([x, np.zeros_like(x)], axis=-1))

    def dh(x: np.ndarray) -> np.ndarray:
        return grad(np.stack([x, np.zeros_like(x)], axis=-1))[..., 0]

    x_min = _minima_1d(dh, h, -1.5, 1.5, spacing=math.sqrt(width) / 50)
    minima = np.stack([x_min, np.zeros_like(x_min)], axis=-1)
    start = np.array([1.5, 1.5])
    return Surface(
        name="two_wells",
        f=f,
        grad=grad,
        minima=minima,
        bounds=_window(((-2.0, 2.0), (-2.0, 2.0)), np.vstack([minima, start])),
        start=start,
        description="two wells: deep (global) at x ~ -1, shallow (local) at x ~ +1",
    )


def linear_loss_surface(
    X: Any,
    y: Any,
    *,
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None,
    start: Any = (0.0, 0.0),
    name: str = "linear_regression",
) -> Surface:
    """The loss of a two-weight linear regression as a :class:`Surface`.

    ``f(w) = ||X w - y||^2 / (2 n)`` (as :func:`rmsnotes.models.linear_loss`),
    evaluated through the quadratic form ``w^T A w / 2 - b^T w + c`` with
    ``A = X^T X / n``, ``b = X^T y / n``, ``c = y^T y / (2 n)``, so a 200 x 200 grid
    costs the same for 100 samples as for a million. Its only minimum is the
    least-squares solution, so ``plotting.plot_paths`` can draw trajectories on it.

    Args:
        X: design matrix, shape (n, 2).
        y: targets, shape (n,).
        bounds: ``((w0min, w0max), (w1min, w1max))``; by default the box spanned by
            ``start`` and the minimum, widened by 25% on every side.
        start: the suggested start, shape (2,).
        name: the surface's name.

    Example:
        >>> X, y = [[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]], [1.0, 3.0, 5.0]
        >>> s = linear_loss_surface(X, y)
        >>> s.minima, float(s.f(np.zeros(2)))   # (1 + 9 + 25) / 6
        (array([[1., 2.]]), 5.833333333333333)
        >>> np.round(s.bounds, 6).tolist()
        [[-0.25, 1.25], [-0.5, 2.5]]
    """
    X = _validate.real_array("X", X).astype(float, copy=True)
    y = _validate.real_array("y", y).astype(float, copy=True)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2), got shape {X.shape}")
    w_star = data.least_squares(X, y)  # also checks y's shape
    n = len(y)
    A = X.T @ X / n
    b = X.T @ y / n
    c = float(y @ y) / (2 * n)

    def f(p: Any) -> np.ndarray:
        """w^T A w / 2 - b^T w + c."""
        p = _points(p)
        return 0.5 * np.einsum("...i,ij,...j->...", p, A, p) - p @ b + c

    def grad(p: Any) -> np.ndarray:
        """A w - b (A is symmetric)."""
        return _points(p) @ A - b

    start = _points(start)
    if bounds is None:
        lo = np.minimum(start, w_star)
        hi = np.maximum(start, w_star)
        pad = 0.25 * np.maximum(hi - lo, 1e-3)
        bounds = tuple((float(a), float(z)) for a, z in zip(lo - pad, hi + pad, strict=True))
    return Surface(
        name,
        f,
        grad,
        minima=w_star[None, :],
        bounds=bounds,
        start=start,
        description="least-squares loss ||X w - y||^2 / (2n)",
    )


# ------------------------------------------------------------------------ registry

SURFACES: MappingProxyType[str, Callable[..., Surface]] = MappingProxyType(
    {
        "quadratic": quadratic,
        "rosenbrock": rosenbrock,
        "valley_plateau": valley_plateau,
        "narrow_dip": narrow_dip,
        "two_wells": two_wells,
    }
)
"""Name -> factory, read-only. ``SURFACES["quadratic"](a=0.5)`` builds a surface."""


def get(name: str, **params: Any) -> Surface:
    """Build the surface called ``name``, passing ``params`` to its factory.

    Example:
        >>> get("quadratic", b=1.0).description
        'quadratic bowl 0.1 x^2 + 1 y^2'
        >>> sorted(SURFACES)
        ['narrow_dip', 'quadratic', 'rosenbrock', 'two_wells', 'valley_plateau']
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {name!r}")
    if name not in SURFACES:
        raise ValueError(f"unknown surface {name!r}; choose one of {sorted(SURFACES)}")
    return SURFACES[name](**params)
