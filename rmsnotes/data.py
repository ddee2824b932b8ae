"""Small seeded data sets for the experiments, and their least-squares solutions.

Every ``make_*`` function draws from its own ``np.random.default_rng(seed)``, so the
same arguments give the same arrays on every machine, and nothing global is touched.

    make_intercept_regression   y = intercept + slope x + noise, X = [1, x]
    make_sparse_regression      a dense feature and a rarely-nonzero sparse one
    make_moons                  two interleaved half circles, labels 0 and 1
    make_wilson_separable       Wilson et al.'s (2017) problem where adaptive methods
                                generalize worse than gradient descent
    least_squares               the exact minimiser of ||X w - y||^2

Example:
    >>> X, y = make_intercept_regression(n=5, seed=1)
    >>> X.shape, y.shape
    ((5, 2), (5,))
    >>> X[:, 0]                      # the column of ones that carries the intercept
    array([1., 1., 1., 1., 1.])
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from rmsnotes import _validate

__all__ = [
    "Regression",
    "Classification",
    "make_intercept_regression",
    "make_sparse_regression",
    "make_moons",
    "WilsonSplit",
    "make_wilson_separable",
    "least_squares",
]


class Regression(NamedTuple):
    """A regression data set: design matrix ``X`` (n, d) and targets ``y`` (n,)."""

    X: np.ndarray
    y: np.ndarray


class Classification(NamedTuple):
    """A classification data set: inputs ``X`` (n, d) and labels ``y`` (n,) in {0, 1}."""

    X: np.ndarray
    y: np.ndarray


# ------------------------------------------------------------------------ data sets


def make_intercept_regression(
    n: int = 100,
    intercept: float = 4.0,
    slope: float = 2.5,
    noise: float = 1.0,
    x_max: float = 10.0,
    seed: int | None = 0,
) -> Regression:
    """Straight-line data with an intercept column: the "sparse-data" example, fixed.

    Model::

        x ~ U(0, x_max),   y = intercept + slope * x + noise * N(0, 1)
        X = [1, x]  (shape (n, 2)),   true weights w = (intercept, slope)

    The first column of X is all ones: it carries the intercept. It is *not* a
    sparse feature (it is never zero). AdaGrad stalls on this data at a small fixed lr
    because the early, large gradients fill s, its running sum, so the remaining
    steps are too short to cover the distance the intercept still has to travel
    (notebook 02 measures this).

    Args:
        n: number of samples, int >= 1.
        intercept, slope: the true weights (finite).
        noise: standard deviation of the Gaussian noise, >= 0.
        x_max: x is drawn uniformly from [0, x_max), > 0.
        seed: seed for ``np.random.default_rng``.

    Example:
        >>> X, y = make_intercept_regression(n=3, noise=0.0)
        >>> np.allclose(y, 4.0 + 2.5 * X[:, 1])
        True
    """
    n = _validate.count("n", n, 1)
    intercept = _validate.finite("intercept", intercept)
    slope = _validate.finite("slope", slope)
    noise = _validate.nonnegative("noise", noise)
    x_max = _validate.positive("x_max", x_max)
    rng = np.random.default_rng(_validate.seed("seed", seed))
    x = rng.uniform(0.0, x_max, size=n)
    y = intercept + slope * x + noise * rng.standard_normal(n)
    X = np.column_stack([np.ones(n), x])
    return Regression(X, y)


def make_sparse_regression(
    n: int = 1000,
    dense_scale: float = 10.0,
    p_sparse: float = 0.03,
    w_dense: float = 0.5,
    w_sparse: float = 5.0,
    noise: float = 0.5,
    seed: int | None = 0,
) -> Regression:
    """A dense, large feature and a rarely active 0/1 feature: where AdaGrad shines.

    Model::

        x_d = dense_scale * N(0, 1)            (dense, large gradients)
        x_s = 1[U(0, 1) < p_sparse]            (sparse: nonzero in ~p_sparse of rows)
        y   = w_dense x_d + w_sparse x_s + noise * N(0, 1)
        X   = [x_d, x_s]   (no intercept column)

    Args:
        n: number of samples, int >= 1.
        dense_scale: standard deviation of x_d, > 0.
        p_sparse: probability that x_s is 1, 0 < p_sparse <= 1.
        w_dense, w_sparse: the true weights (finite).
        noise: standard deviation of the noise, >= 0.
        seed: seed for ``np.random.default_rng``.

    Example:
        >>> X, y = make_sparse_regression(n=2000, seed=3)
        >>> sorted(set(X[:, 1].tolist()))          # the sparse column is 0 or 1
        [0.0, 1.0]
        >>> bool(0.02 < X[:, 1].mean() < 0.04)
        True
    """
    n = _validate.count("n", n, 1)
    dense_scale = _validate.positive("dense_scale", dense_scale)
    p_sparse = _validate.finite("p_sparse", p_sparse)
    if not 0.0 < p_sparse <= 1.0:
        raise ValueError(f"p_sparse must satisfy 0 < p_sparse <= 1, got {p_sparse!r}")
    w_dense = _validate.finite("w_dense", w_dense)
    w_sparse = _validate.finite("w_sparse", w_sparse)
    noise = _validate.nonnegative("noise", noise)
    rng = np.random.default_rng(_validate.seed("seed", seed))
    x_d = dense_scale * rng.standard_normal(n)
    x_s = (rng.uniform(size=n) < p_sparse).astype(float)
    y = w_dense * x_d + w_sparse * x_s + noise * rng.standard_normal(n)
    return Regression(np.column_stack([x_d, x_s]), y)


def make_moons(n: int = 200, noise: float = 0.2, seed: int | None = 0) -> Classification:
    """Two interleaving half circles with Gaussian jitter (scikit-learn's layout).

    Construction (t evenly spaced on [0, pi])::

        class 0 (outer, n - n//2 points):  (cos t, sin t)
        class 1 (inner, n//2 points):      (1 - cos t, 0.5 - sin t)
        X += noise * N(0, I),  then the rows are shuffled

    Args:
        n: number of points, int >= 2 (at least one per class).
        noise: standard deviation of the jitter, >= 0.
        seed: seed for ``np.random.default_rng``.

    Returns:
        ``Classification(X, y)``: X float64 (n, 2), y int64 (n,) with values 0 and 1;
        the classes differ in size by at most one.

    Example:
        >>> X, y = make_moons(n=6, noise=0.0)
        >>> X.shape, np.bincount(y).tolist()
        ((6, 2), [3, 3])

    Reference: ``sklearn.datasets.make_moons`` (same shapes, a different random
    stream).
    """
    n = _validate.count("n", n, 2)
    noise = _validate.nonnegative("noise", noise)
    rng = np.random.default_rng(_validate.seed("seed", seed))
    n_inner = n // 2
    n_outer = n - n_inner
    t_out = np.linspace(0.0, np.pi, n_outer)
    t_in = np.linspace(0.0, np.pi, n_inner)
    X = np.concatenate(
        [
            np.column_stack([np.cos(t_out), np.sin(t_out)]),
            np.column_stack([1.0 - np.cos(t_in), 0.5 - np.sin(t_in)]),
        ]
    )
    y = np.concatenate([np.zeros(n_outer, dtype=np.int64), np.ones(n_inner, dtype=np.int64)])
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(n)
    return Classification(X[order], y[order])


class WilsonSplit(NamedTuple):
    """Training and test data of :func:`make_wilson_separable`; labels y in {-1, +1}."""

    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def make_wilson_separable(
    n: int = 30, p: float = 0.7, n_test: int = 100, seed: int | None = 0
) -> WilsonSplit:
    """Wilson et al.'s linearly separable problem on which adaptive methods overfit.

    Construction (section 3.3 of the paper; rows i = 1 .. N for the N = n + n_test
    examples, columns j = 1 .. 3 + 5 N)::

        y_i  = +1 with probability p, else -1
        x_ij = y_i    for j = 1              (the label itself: all a model needs)
             = 1      for j = 2, 3           (constant: a bias, twice)
             = 1      for j = 4 + 5 (i - 1), ..., 4 + 5 (i - 1) + 2 (1 - y_i)
                                             (the example's own features: one for a
                                              positive example, five for a negative)
             = 0      otherwise

    Fitted by least squares, ||X w - y||^2, from w = 0 on the first n rows (the
    training set; d > n, so many w interpolate). Gradient descent stays in the row
    space and converges to the minimum-norm interpolant, which leans on column 1 and
    classifies new examples right: test error 0. AdaGrad, RMSprop and Adam move each
    coordinate by about the same amount, in the direction sign(X^T y), and here
    X sign(X^T y) = 4 y, so they stay on that ray and converge to w = sign(X^T y) / 4:
    columns 1, 2 and 3 get 1/4 each, and a new example, whose own features the
    training never saw (their weights stay 0), scores (y + 2) / 4 > 0: every test
    point is called positive, the test error is the fraction of negatives, about
    1 - p (close to 1/2 for p near 1/2). The test rows come from the same
    distribution, with their own unseen feature columns. The argument needs more
    positive than negative training labels (sum y > 0, so that columns 2 and 3 get
    sign +1); p > 1/2 makes that likely, not certain (n = 30, p = 0.55, seed 0 has
    more negatives): check ``y.sum() > 0``.

    The construction matches an independent reproduction of section 3.3,
    ``src/data/wrssr.py`` of the GitHub repository mikeizbicki/random-initialization
    (the same columns, plus 3 + 5 N columns that are 0 for every example and that no
    method moves); the paper's own text was not available to check it against.

    Args:
        n: training examples, int >= 1.
        p: the probability of a positive label, 0 < p < 1 (the paper takes p > 1/2).
        n_test: test examples, int >= 1.
        seed: seed for ``np.random.default_rng``.

    Returns:
        ``WilsonSplit(X, y, X_test, y_test)``: X (n, 3 + 5 (n + n_test)), y (n,),
        X_test (n_test, same columns), y_test (n_test,); float64, labels -1.0 / +1.0.

    Example:
        >>> split = make_wilson_separable(n=2, n_test=1, seed=7)
        >>> split.y, split.y_test
        (array([ 1., -1.]), array([-1.]))
        >>> split.X[:, :13]     # y, 1, 1, then one own column (+1) or five (-1)
        array([[ 1.,  1.,  1.,  1.,  0.,  0.,  0.,  0.,  0.,  0.,  0.,  0.,  0.],
               [-1.,  1.,  1.,  0.,  0.,  0.,  0.,  0.,  1.,  1.,  1.,  1.,  1.]])
        >>> split.X_test[:, :3], float(split.X_test[:, 3:13].sum()), float(split.X_test[:, 13:].sum())
        (array([[-1.,  1.,  1.]]), 0.0, 5.0)

    Reference: A. C. Wilson, R. Roelofs, M. Stern, N. Srebro, B. Recht, "The
    marginal value of adaptive gradient methods in machine learning", NeurIPS 2017
    (section 3.3; its abstract: "GD and SGD achieve zero test error, and AdaGrad,
    Adam, and RMSProp attain test errors arbitrarily close to half").
    """
    n = _validate.count("n", n, 1)
    n_test = _validate.count("n_test", n_test, 1)
    p = _validate.finite("p", p)
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must satisfy 0 < p < 1, got {p!r}")
    rng = np.random.default_rng(_validate.seed("seed", seed))
    total = n + n_test
    y = np.where(rng.uniform(size=total) < p, 1.0, -1.0)
    X = np.zeros((total, 3 + 5 * total))
    X[:, 0] = y
    X[:, 1:3] = 1.0
    for i in range(total):  # example i's own columns: 1 if positive, 5 if negative
        own = 1 if y[i] > 0 else 5
        X[i, 3 + 5 * i : 3 + 5 * i + own] = 1.0
    return WilsonSplit(X[:n], y[:n], X[n:], y[n:])


def least_squares(X: Any, y: Any) -> np.ndarray:
    """The least-squares weights: argmin_w ||X w - y||^2, via ``np.linalg.lstsq``.

    When X has full column rank this is the unique minimiser
    w* = (X^T X)^{-1} X^T y; otherwise it is the minimum-norm one.

    Args:
        X: design matrix, shape (n, d).
        y: targets, shape (n,).

    Example:
        >>> least_squares([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]], [1.0, 3.0, 5.0])
        array([1., 2.])
    """
    X = _validate.real_array("X", X)
    y = _validate.real_array("y", y)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d), got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X {X.shape}, got {y.shape}")
    w, *_ = np.linalg.lstsq(X, y, rcond=None)
    return w
