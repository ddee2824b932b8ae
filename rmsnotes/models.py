"""Losses and gradients of the course's two models: linear regression and a tiny MLP.

Both models take their parameters as *one flat vector*, so any optimizer in
``rmsnotes.optim`` sees a single array, and the ``*_problem`` helpers return the
``(loss_fn, grad_fn)`` pair that ``optim.run`` wants::

    loss_fn, grad_fn = linear_problem(X, y)
    hist = optim.run(optim.rmsprop(lr=0.05), grad_fn, np.zeros(2), 300, loss_fn=loss_fn)

Linear regression (n samples, d features)::

    r = X w - y,   L(w) = ||r||^2 / (2 n),   grad L = X^T r / n

MLP 2-H-1 (tanh hidden layer, sigmoid output, mean binary cross-entropy)::

    a = X W1 + b1,  h = tanh(a),  z = h w2 + b2,  p = sigmoid(z)
    L = mean(log(1 + e^z) - y z)       (= mean of -y log p - (1 - y) log(1 - p))

Example:
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0]]); y = np.array([1.0, 3.0])
    >>> float(linear_loss(np.zeros(2), X, y))     # (1 + 9) / (2 * 2)
    2.5
    >>> linear_grad(np.zeros(2), X, y)            # X^T (0 - y) / 2
    array([-2. , -1.5])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from rmsnotes import _validate

__all__ = [
    "linear_loss",
    "linear_grad",
    "linear_problem",
    "mlp_size",
    "mlp_init",
    "mlp_unpack",
    "mlp_forward",
    "mlp_loss",
    "mlp_grad",
    "mlp_accuracy",
    "mlp_problem",
]

Problem = tuple[Callable[[np.ndarray], float], Callable[[np.ndarray], np.ndarray]]


# ---------------------------------------------------------------------- validation


def _float_array(name: str, value: Any) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real-valued array, got dtype {arr.dtype}")
    return arr.astype(float, copy=False)


def _check_data(X: Any, y: Any, n_features: int | None = None) -> tuple[np.ndarray, ...]:
    X = _float_array("X", X)
    y = _float_array("y", y)
    if X.ndim != 2 or X.shape[0] < 1:
        raise ValueError(f"X must have shape (n, d) with n >= 1, got shape {X.shape}")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"X must have shape (n, {n_features}), got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X {X.shape}, got {y.shape}")
    return X, y


def _check_vector(name: str, value: Any, size: int) -> np.ndarray:
    arr = _float_array(name, value)
    if arr.shape != (size,):
        raise ValueError(f"{name} must have shape ({size},), got shape {arr.shape}")
    return arr


def _check_labels(y: np.ndarray) -> None:
    if not np.all((y >= 0) & (y <= 1)):
        raise ValueError("y must hold labels (or probabilities) in [0, 1]")


# ------------------------------------------------------------------ linear regression


def linear_loss(w: Any, X: Any, y: Any) -> float:
    """Half the mean squared error: L(w) = ||X w - y||^2 / (2 n).

    The convention: *mean* (divide by n) so the loss and its gradient do not grow with
    the data set, which keeps a learning rate meaningful across sizes; *half* so the
    gradient is X^T r / n without a stray factor 2. (AdaGrad and RMSprop hardly care:
    scaling the loss by c scales g and sqrt(s) alike, so only eps notices.)

    Args:
        w: weights, shape (d,).
        X: design matrix, shape (n, d).
        y: targets, shape (n,).

    Example:
        >>> float(linear_loss([1.0], [[2.0]], [5.0]))     # (2 - 5)^2 / 2
        4.5
    """
    X, y = _check_data(X, y)
    w = _check_vector("w", w, X.shape[1])
    r = X @ w - y
    return float(r @ r) / (2 * len(y))


def linear_grad(w: Any, X: Any, y: Any) -> np.ndarray:
    """Gradient of :func:`linear_loss`: X^T (X w - y) / n, shape (d,).

    Example:
        >>> linear_grad([1.0], [[2.0]], [5.0])          # 2 * (2 - 5) / 1
        array([-6.])
    """
    X, y = _check_data(X, y)
    w = _check_vector("w", w, X.shape[1])
    return X.T @ (X @ w - y) / len(y)


def linear_problem(X: Any, y: Any) -> Problem:
    """Close over (X, y): ``loss_fn(w)`` and ``grad_fn(w)`` for ``optim.run``.

    The data are validated and copied once; the closures check only w's shape.

    Example:
        >>> loss_fn, grad_fn = linear_problem([[1.0, 0.0], [1.0, 1.0]], [1.0, 3.0])
        >>> loss_fn(np.array([1.0, 2.0])), grad_fn(np.array([1.0, 2.0]))
        (0.0, array([0., 0.]))
    """
    X, y = _check_data(X, y)
    X, y = X.copy(), y.copy()
    n, d = X.shape

    def loss_fn(w: np.ndarray) -> float:
        """||X w - y||^2 / (2 n)."""
        r = X @ _check_vector("w", w, d) - y
        return float(r @ r) / (2 * n)

    def grad_fn(w: np.ndarray) -> np.ndarray:
        """X^T (X w - y) / n."""
        return X.T @ (X @ _check_vector("w", w, d) - y) / n

    return loss_fn, grad_fn


# ---------------------------------------------------------------------------- MLP


def mlp_size(hidden: int = 16, n_inputs: int = 2) -> int:
    """Number of parameters of an n_inputs-hidden-1 MLP: (n_inputs + 2) hidden + 1.

    Layout of the flat vector: ``[W1 (n_inputs x hidden, row-major), b1 (hidden),
    w2 (hidden), b2 (1)]``.

    Example:
        >>> mlp_size(16)        # 2*16 + 16 + 16 + 1
        65
    """
    hidden = _validate.count("hidden", hidden, 1)
    n_inputs = _validate.count("n_inputs", n_inputs, 1)
    return (n_inputs + 2) * hidden + 1


def mlp_init(hidden: int = 16, seed: int | None = 0, n_inputs: int = 2) -> np.ndarray:
    """Random initial parameters, as one flat vector (see :func:`mlp_size`).

    Every weight and bias is drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), the
    default of ``torch.nn.Linear``: fan_in is n_inputs for the hidden layer and
    ``hidden`` for the output.

    Example:
        >>> params = mlp_init(hidden=4, seed=0)
        >>> params.shape
        (17,)
        >>> bool(np.all(np.abs(params[:8]) <= 1 / np.sqrt(2)))
        True
    """
    size = mlp_size(hidden, n_inputs)
    rng = np.random.default_rng(_validate.seed("seed", seed))
    k1 = 1.0 / math.sqrt(n_inputs)
    k2 = 1.0 / math.sqrt(hidden)
    n1 = (n_inputs + 1) * hidden  # W1 and b1
    return np.concatenate([rng.uniform(-k1, k1, size=n1), rng.uniform(-k2, k2, size=size - n1)])


def mlp_unpack(params: Any, n_inputs: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Split the flat vector into ``(W1 (n_inputs, H), b1 (H,), w2 (H,), b2)``.

    H is inferred from the size, (n_inputs + 2) H + 1. The arrays are views of
    ``params`` (no copies).

    Example:
        >>> W1, b1, w2, b2 = mlp_unpack(np.arange(9.0))     # H = 2
        >>> W1, b1, w2, b2
        (array([[0., 1.],
               [2., 3.]]), array([4., 5.]), array([6., 7.]), 8.0)
    """
    params = _float_array("params", params)
    per_unit = n_inputs + 2
    if params.ndim != 1 or params.size < per_unit + 1 or (params.size - 1) % per_unit:
        raise ValueError(
            f"params must be a flat vector of size ({n_inputs} + 2) * hidden + 1 "
            f"(e.g. {mlp_size(16, n_inputs)} for hidden=16), got shape {params.shape}"
        )
    H = (params.size - 1) // per_unit
    W1 = params[: n_inputs * H].reshape(n_inputs, H)
    b1 = params[n_inputs * H : (n_inputs + 1) * H]
    w2 = params[(n_inputs + 1) * H : (n_inputs + 2) * H]
    return W1, b1, w2, float(params[-1])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z), written as (1 + tanh(z/2)) / 2: no overflow for any z."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _forward(params: Any, X: np.ndarray) -> tuple[np.ndarray, ...]:
    W1, b1, w2, b2 = mlp_unpack(params, X.shape[1])
    h = np.tanh(X @ W1 + b1)
    z = h @ w2 + b2
    return W1, w2, h, z


def mlp_forward(params: Any, X: Any) -> np.ndarray:
    """P(y = 1 | x) for each row of X: sigmoid(tanh(X W1 + b1) w2 + b2), shape (n,).

    Example:
        >>> p = mlp_forward(mlp_init(hidden=8), np.zeros((3, 2)))
        >>> p.shape, bool(np.all((0 < p) & (p < 1)))
        ((3,), True)
    """
    X = _float_array("X", X)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d), got shape {X.shape}")
    *_, z = _forward(params, X)
    return _sigmoid(z)


def mlp_loss(params: Any, X: Any, y: Any) -> float:
    """Mean binary cross-entropy of the MLP, computed stably from the logits z.

    Math::

        -[y log p + (1 - y) log(1 - p)] = log(1 + e^z) - y z = logaddexp(0, z) - y z

    so no log(0) and no overflow, however confident the network is.

    Example:
        >>> params = np.zeros(mlp_size(4))                   # p = 1/2 everywhere
        >>> round(mlp_loss(params, np.ones((2, 2)), np.array([0, 1])), 6)   # log 2
        0.693147
    """
    X, y = _check_data(X, y)
    _check_labels(y)
    *_, z = _forward(params, X)
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def mlp_grad(params: Any, X: Any, y: Any) -> np.ndarray:
    """Gradient of :func:`mlp_loss` by backpropagation, as a flat vector.

    Math (n samples, row-wise)::

        dz  = (sigmoid(z) - y) / n                       dL/dz
        dw2 = h^T dz,   db2 = sum(dz)
        da  = (dz w2^T) * (1 - h^2)                      tanh' = 1 - tanh^2
        dW1 = X^T da,   db1 = sum over rows of da

    Example:
        >>> g = mlp_grad(mlp_init(hidden=3), np.ones((4, 2)), np.array([0, 1, 1, 0]))
        >>> g.shape
        (13,)

    Reference: I. Goodfellow, Y. Bengio, A. Courville, *Deep Learning* (MIT Press,
    2016), section 6.5 "Back-propagation".
    """
    X, y = _check_data(X, y)
    _check_labels(y)
    W1, w2, h, z = _forward(params, X)
    dz = (_sigmoid(z) - y) / len(y)
    da = np.outer(dz, w2) * (1.0 - h**2)
    return np.concatenate([(X.T @ da).ravel(), da.sum(axis=0), h.T @ dz, [dz.sum()]])


def mlp_accuracy(params: Any, X: Any, y: Any) -> float:
    """Fraction of rows where the prediction 1[p > 1/2] equals the label y.

    Example:
        >>> mlp_accuracy(np.zeros(mlp_size(2)), np.ones((4, 2)), np.array([0, 0, 0, 1]))
        0.75
    """
    X, y = _check_data(X, y)
    p = mlp_forward(params, X)
    return float(np.mean((p > 0.5) == (y > 0.5)))


def mlp_problem(X: Any, y: Any, hidden: int = 16) -> Problem:
    """Close over (X, y): ``loss_fn(params)`` and ``grad_fn(params)`` for ``optim.run``.

    ``hidden`` fixes the expected size of params, (d + 2) hidden + 1 for d = X.shape[1];
    a vector of another size raises ValueError.

    Example:
        >>> X = np.array([[0.0, 1.0], [1.0, 0.0]]); y = np.array([0, 1])
        >>> loss_fn, grad_fn = mlp_problem(X, y, hidden=4)
        >>> grad_fn(mlp_init(hidden=4)).shape
        (17,)
    """
    X, y = _check_data(X, y)
    _check_labels(y)
    X, y = X.copy(), y.copy()
    size = mlp_size(hidden, X.shape[1])

    def loss_fn(params: np.ndarray) -> float:
        """Mean binary cross-entropy at params."""
        return mlp_loss(_check_vector("params", params, size), X, y)

    def grad_fn(params: np.ndarray) -> np.ndarray:
        """Its gradient, by backpropagation."""
        return mlp_grad(_check_vector("params", params, size), X, y)

    return loss_fn, grad_fn
