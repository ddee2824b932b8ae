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

The MLP functions also take a *stack* of networks, params of shape (..., size): one
network per row, e.g. (lrs, seeds, size) to train many at once with ``optim.run``.
Each row's result is bit-identical to the call on that row alone: the whole stack
goes through the same code at once, one BLAS call per network for each matrix product
and the same order of summation (``_forward`` and ``_grad`` say how)::

    loss_fn(params)   (size,) -> float      (..., size) -> (...)
    grad_fn(params)   (size,) -> (size,)    (..., size) -> (..., size)

``linear_problem``'s loss_fn and grad_fn (and ``linear_grad``) take a stack of
weight vectors, w of shape (..., d), the same way, also bit-identical per row.

Stochastic gradients: ``online_grad(linear_grad, X, y, order)`` is a grad_fn whose
step t sees only the examples ``order[t - 1]`` (one example, or a mini-batch).

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
    "mlp_layers",
    "mlp_units",
    "mlp_forward",
    "mlp_loss",
    "mlp_grad",
    "mlp_accuracy",
    "mlp_problem",
    "online_grad",
]

Problem = tuple[Callable[[np.ndarray], float], Callable[[np.ndarray], np.ndarray]]


# ---------------------------------------------------------------------- validation


def _check_data(X: Any, y: Any, n_features: int | None = None) -> tuple[np.ndarray, ...]:
    X = _validate.real_array("X", X)
    y = _validate.real_array("y", y)
    if X.ndim != 2 or X.shape[0] < 1:
        raise ValueError(f"X must have shape (n, d) with n >= 1, got shape {X.shape}")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"X must have shape (n, {n_features}), got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X {X.shape}, got {y.shape}")
    return X, y


def _check_vector(name: str, value: Any, size: int) -> np.ndarray:
    arr = _validate.real_array(name, value)
    if arr.shape != (size,):
        raise ValueError(f"{name} must have shape ({size},), got shape {arr.shape}")
    return arr


def _check_labels(y: np.ndarray) -> None:
    if not np.all((y >= 0) & (y <= 1)):
        raise ValueError("y must hold labels (or probabilities) in [0, 1]")


def _check_stack(value: Any, size: int | None = None) -> np.ndarray:
    """params as a float array of shape (..., size): one network or a stack of them."""
    params = _validate.real_array("params", value)
    if params.ndim == 0 or (size is not None and params.shape[-1] != size):
        want = "(size,)" if size is None else f"({size},)"
        raise ValueError(
            f"params must have shape {want} for one network or (..., {size or 'size'}) "
            f"for a stack of them, got shape {params.shape}"
        )
    return params


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

    ``w`` may also be a stack of weight vectors, shape (..., d): then the result has
    shape (..., d), one gradient per row, each bit-identical to the call on that row
    alone (see :func:`linear_problem`).

    Example:
        >>> linear_grad([1.0], [[2.0]], [5.0])          # 2 * (2 - 5) / 1
        array([-6.])
        >>> linear_grad([[1.0], [2.5]], [[2.0]], [5.0])  # two points: 2 (2 - 5), 2 (5 - 5)
        array([[-6.],
               [ 0.]])
    """
    X, y = _check_data(X, y)
    return _linear_grad(_check_points(w, X.shape[1]), X, y)


def _check_points(value: Any, d: int) -> np.ndarray:
    """w as a float array of shape (d,), or a stack of points (..., d)."""
    w = _validate.real_array("w", value)
    if w.ndim == 0 or w.shape[-1] != d:
        raise ValueError(
            f"w must have shape ({d},) for one point or (..., {d}) for a stack of them, "
            f"got shape {w.shape}"
        )
    return w


def _residuals(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """X w - y for w of shape (d,) or (..., d) -> (n,) or (..., n).

    ``X @ w[..., None]`` makes NumPy's matmul do one matrix-vector product per row
    (the same BLAS call a single w gets), so each row is bit-identical to the single
    call; ``w @ X.T`` would be one matrix-matrix product, which may round differently.
    """
    return (X @ w[..., None])[..., 0] - y


def _linear_grad(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """X^T (X w - y) / n, row by row for a stack (validated input)."""
    return (X.T @ _residuals(w, X, y)[..., None])[..., 0] / len(y)


def linear_problem(X: Any, y: Any) -> Problem:
    """Close over (X, y): ``loss_fn(w)`` and ``grad_fn(w)`` for ``optim.run``.

    The data are validated and copied once; the closures check only w's shape.
    Like :func:`mlp_problem`'s, both also take a stack of points, w of shape
    (..., d): ``loss_fn`` -> shape (...), ``grad_fn`` -> shape (..., d), each row
    bit-identical to the call on that row alone (NumPy's matmul makes the same
    matrix-vector product for every row). So one ``optim.run`` on a stack of starts
    is many runs (``sweeps.lr_sweep`` runs every lr of a sweep so).

    Example:
        >>> loss_fn, grad_fn = linear_problem([[1.0, 0.0], [1.0, 1.0]], [1.0, 3.0])
        >>> loss_fn(np.array([1.0, 2.0])), grad_fn(np.array([1.0, 2.0]))
        (0.0, array([0., 0.]))
        >>> loss_fn(np.array([[1.0, 2.0], [0.0, 0.0]]))     # a stack of two points
        array([0. , 2.5])
    """
    X, y = _check_data(X, y)
    X, y = X.copy(), y.copy()
    n, d = X.shape

    def loss_fn(w: np.ndarray) -> float | np.ndarray:
        """||X w - y||^2 / (2 n): a float for one point, shape (...) for a stack."""
        w = _check_points(w, d)
        r = _residuals(w, X, y)
        if w.ndim == 1:
            return float(r @ r) / (2 * n)
        return (r[..., None, :] @ r[..., :, None])[..., 0, 0] / (2 * n)  # r @ r per row

    def grad_fn(w: np.ndarray) -> np.ndarray:
        """X^T (X w - y) / n: shape (d,), or (..., d) for a stack."""
        return _linear_grad(_check_points(w, d), X, y)

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
    params = _validate.real_array("params", params)
    if params.ndim != 1:
        raise ValueError(
            f"params must be a flat vector of size ({n_inputs} + 2) * hidden + 1 "
            f"(e.g. {mlp_size(16, n_inputs)} for hidden=16), got shape {params.shape}"
        )
    W1, b1, w2, b2 = _unpack(params, n_inputs)
    return W1, b1, w2, float(b2)


def mlp_layers(hidden: int = 16, n_inputs: int = 2) -> dict[str, slice]:
    """Where each weight array sits in the flat vector: name -> slice, in layout order.

    The layout of :func:`mlp_size`: ``W1`` (n_inputs x hidden, row-major), ``b1``
    (hidden), ``w2`` (hidden), ``b2`` (1). ``params[layers["w2"]]`` is the output
    weights; the slices can group the coordinates of a History, e.g. for
    ``monitor.update_ratios(hist, mlp_layers(16))``.

    Example:
        >>> mlp_layers(hidden=3)
        {'W1': slice(0, 6, None), 'b1': slice(6, 9, None), 'w2': slice(9, 12, None), 'b2': slice(12, 13, None)}
    """
    mlp_size(hidden, n_inputs)  # checks hidden and n_inputs
    return _layout(hidden, n_inputs)


def _layout(hidden: int, n_inputs: int) -> dict[str, slice]:
    """The flat vector's layout, unchecked: the one place it is written down
    (:func:`mlp_layers` and :func:`mlp_unpack` both read it)."""
    n1 = n_inputs * hidden
    return {
        "W1": slice(0, n1),
        "b1": slice(n1, n1 + hidden),
        "w2": slice(n1 + hidden, n1 + 2 * hidden),
        "b2": slice(n1 + 2 * hidden, n1 + 2 * hidden + 1),
    }


def mlp_units(hidden: int = 16, n_inputs: int = 2) -> dict[str, np.ndarray]:
    """The coordinates of each hidden unit: name ``"h<j>"`` -> indices into the flat vector.

    Unit j owns its incoming weights ``W1[:, j]``, its bias ``b1[j]`` and its outgoing
    weight ``w2[j]`` (n_inputs + 2 coordinates; not contiguous, since W1 is stored
    row-major). A saturated tanh unit (|a| large on every example, so 1 - h^2 ~ 0)
    has gradients ~ 0 on its incoming weights and bias: group by unit to see it.

    Example:
        >>> mlp_units(hidden=3)["h1"]       # W1[0, 1], W1[1, 1], b1[1], w2[1]
        array([ 1,  4,  7, 10])
    """
    size = mlp_size(hidden, n_inputs)
    layers = mlp_layers(hidden, n_inputs)
    index = np.arange(size)
    W1 = index[layers["W1"]].reshape(n_inputs, hidden)
    b1, w2 = index[layers["b1"]], index[layers["w2"]]
    return {f"h{j}": np.concatenate([W1[:, j], [b1[j], w2[j]]]) for j in range(hidden)}


def _unpack(params: np.ndarray, n_inputs: int) -> tuple[np.ndarray, ...]:
    """:func:`mlp_unpack` for one network or a stack, params (..., size): views
    W1 (..., n_inputs, H), b1 (..., H), w2 (..., H) and b2 (...)."""
    per_unit = n_inputs + 2
    size = params.shape[-1]
    if size < per_unit + 1 or (size - 1) % per_unit:
        raise ValueError(
            f"params must be a flat vector of size ({n_inputs} + 2) * hidden + 1 "
            f"(e.g. {mlp_size(16, n_inputs)} for hidden=16), got shape {params.shape}"
        )
    H = (size - 1) // per_unit
    at = _layout(H, n_inputs)
    W1 = params[..., at["W1"]].reshape(params.shape[:-1] + (n_inputs, H))
    return W1, params[..., at["b1"]], params[..., at["w2"]], params[..., -1]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z), written as (1 + tanh(z/2)) / 2: no overflow for any z."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _matvec(A: np.ndarray, v: np.ndarray) -> np.ndarray:
    """A @ v for one matrix and vector, or row by row for stacks A (..., m, n), v (..., n).

    ``A @ v[..., None]`` makes NumPy's matmul do one matrix-vector product per row,
    the same BLAS call a single network gets (see :func:`_residuals`).
    """
    return (A @ v[..., None])[..., 0]


def _forward(params: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, ...]:
    """The forward pass for params (size,) or a stack (..., size): W1, w2, the hidden
    layer h (..., n, H) and the logits z (..., n).

    Every matrix product is the same BLAS call for each network of a stack (matmul
    makes one per 2-D slice) and the rest is elementwise, so each row of a stack is
    bit-identical to the network alone.
    """
    W1, b1, w2, b2 = _unpack(params, X.shape[1])
    h = X @ W1  # (..., n, H); then in place (a stack's arrays are big): h = tanh(h + b1)
    h += b1[..., None, :]
    np.tanh(h, out=h)
    z = _matvec(h, w2) + b2[..., None]
    return W1, w2, h, z


def mlp_forward(params: Any, X: Any) -> np.ndarray:
    """P(y = 1 | x) for each row of X: sigmoid(tanh(X W1 + b1) w2 + b2), shape (n,).

    For a stack of networks, params of shape (..., size), the result has shape
    (..., n).

    Example:
        >>> p = mlp_forward(mlp_init(hidden=8), np.zeros((3, 2)))
        >>> p.shape, bool(np.all((0 < p) & (p < 1)))
        ((3,), True)
    """
    X = _validate.real_array("X", X)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d), got shape {X.shape}")
    *_, z = _forward(_check_stack(params), X)
    return _sigmoid(z)


def _float_if_one(params: np.ndarray, value: np.ndarray) -> float | np.ndarray:
    """A float for one network (params 1-D), the array (...) for a stack."""
    return float(value) if params.ndim == 1 else value


def mlp_loss(params: Any, X: Any, y: Any) -> float:
    """Mean binary cross-entropy of the MLP, computed stably from the logits z.

    Math::

        -[y log p + (1 - y) log(1 - p)] = log(1 + e^z) - y z = logaddexp(0, z) - y z

    so no log(0) and no overflow, however confident the network is.

    ``params`` may be a stack of networks, shape (..., size): the result then has
    shape (...), one loss per network.

    Example:
        >>> params = np.zeros(mlp_size(4))                   # p = 1/2 everywhere
        >>> round(mlp_loss(params, np.ones((2, 2)), np.array([0, 1])), 6)   # log 2
        0.693147
        >>> mlp_loss(np.zeros((3, mlp_size(4))), np.ones((2, 2)), np.array([0, 1])).shape
        (3,)
    """
    X, y = _check_data(X, y)
    _check_labels(y)
    return _loss(_check_stack(params), X, y)


def _loss(params: np.ndarray, X: np.ndarray, y: np.ndarray) -> float | np.ndarray:
    *_, z = _forward(params, X)
    return _float_if_one(params, np.mean(np.logaddexp(0.0, z) - y * z, axis=-1))


def mlp_grad(params: Any, X: Any, y: Any) -> np.ndarray:
    """Gradient of :func:`mlp_loss` by backpropagation, as a flat vector.

    Math (n samples, row-wise)::

        dz  = (sigmoid(z) - y) / n                       dL/dz
        dw2 = h^T dz,   db2 = sum(dz)
        da  = (dz w2^T) * (1 - h^2)                      tanh' = 1 - tanh^2
        dW1 = X^T da,   db1 = sum over rows of da

    ``params`` may be a stack of networks, shape (..., size): so is the result.

    Example:
        >>> g = mlp_grad(mlp_init(hidden=3), np.ones((4, 2)), np.array([0, 1, 1, 0]))
        >>> g.shape
        (13,)

    Reference: I. Goodfellow, Y. Bengio, A. Courville, *Deep Learning* (MIT Press,
    2016), section 6.5 "Back-propagation".
    """
    X, y = _check_data(X, y)
    _check_labels(y)
    return _grad(_check_stack(params), X, y)


def _grad(params: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Backpropagation for params (size,) or a stack (..., size), all networks at once.

    Each row of a stack is bit-identical to the network alone: the products are the
    same BLAS call per network (matmul makes one per 2-D slice), and the two sums
    over the examples run along the same axis, in the same order, as for one network.
    """
    W1, w2, h, z = _forward(params, X)
    dz = (_sigmoid(z) - y) / len(y)  # (..., n)
    # da = outer(dz, w2) * (1 - h^2), (..., n, H), in place where it can be: a stack's
    # arrays are big, and each new one costs fresh memory
    da = dz[..., :, None] * w2[..., None, :]
    tanh_prime = h * h
    np.subtract(1.0, tanh_prime, out=tanh_prime)
    da *= tanh_prime
    dW1 = X.T @ da  # (..., d, H)
    db1 = da.sum(axis=-2)
    dw2 = _matvec(np.swapaxes(h, -1, -2), dz)  # h^T dz
    db2 = dz.sum(axis=-1, keepdims=True)
    parts = [dW1.reshape(dW1.shape[:-2] + (-1,)), db1, dw2, db2]
    return np.concatenate(parts, axis=-1)


def mlp_accuracy(params: Any, X: Any, y: Any) -> float:
    """Fraction of rows of X where the prediction 1[p > 1/2] equals the label y.

    ``params`` may be a stack of networks, shape (..., size): the result then has
    shape (...), one accuracy per network.

    Example:
        >>> mlp_accuracy(np.zeros(mlp_size(2)), np.ones((4, 2)), np.array([0, 0, 0, 1]))
        0.75
        >>> mlp_accuracy(np.zeros((2, 3, mlp_size(2))), np.ones((4, 2)), np.array([0, 0, 0, 1]))
        array([[0.75, 0.75, 0.75],
               [0.75, 0.75, 0.75]])
    """
    X, y = _check_data(X, y)
    params = _check_stack(params)
    *_, z = _forward(params, X)
    return _float_if_one(params, np.mean((_sigmoid(z) > 0.5) == (y > 0.5), axis=-1))


def mlp_problem(X: Any, y: Any, hidden: int = 16) -> Problem:
    """Close over (X, y): ``loss_fn(params)`` and ``grad_fn(params)`` for ``optim.run``.

    ``hidden`` fixes the expected size of params, (d + 2) hidden + 1 for d = X.shape[1];
    a vector of another size raises ValueError. Both functions also take a stack of
    networks, params of shape (..., size), and return one loss per network, shape
    (...), or one gradient per network, shape (..., size); each row is bit-identical
    to the call on that row alone. So ``optim.run(opt, grad_fn, inits, steps)`` with
    ``inits`` of shape (seeds, size) trains every seed's network at once.

    Example:
        >>> X = np.array([[0.0, 1.0], [1.0, 0.0]]); y = np.array([0, 1])
        >>> loss_fn, grad_fn = mlp_problem(X, y, hidden=4)
        >>> grad_fn(mlp_init(hidden=4)).shape
        (17,)
        >>> inits = np.stack([mlp_init(hidden=4, seed=k) for k in range(3)])   # (3, 17)
        >>> loss_fn(inits).shape, grad_fn(inits).shape
        ((3,), (3, 17))
        >>> bool(loss_fn(inits)[1] == loss_fn(inits[1]))
        True
    """
    X, y = _check_data(X, y)
    _check_labels(y)
    X, y = X.copy(), y.copy()
    size = mlp_size(hidden, X.shape[1])

    def loss_fn(params: np.ndarray) -> float | np.ndarray:
        """Mean binary cross-entropy at params: a float, or shape (...) for a stack."""
        return _loss(_check_stack(params, size), X, y)

    def grad_fn(params: np.ndarray) -> np.ndarray:
        """Its gradient, by backpropagation: shape (size,), or (..., size)."""
        return _grad(_check_stack(params, size), X, y)

    return loss_fn, grad_fn


def online_grad(
    grad: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
    X: Any,
    y: Any,
    order: Any,
) -> Callable[[np.ndarray], np.ndarray]:
    """A ``grad_fn`` that sees one example, or one mini-batch, per step.

    Call t (t = 1, 2, ...) returns ``grad(w, X[rows], y[rows])`` with ``rows =
    order[t - 1]``: an int picks one example (a batch of one row), an array of
    indices a mini-batch. So ``optim.run(opt, online_grad(linear_grad, X, y, order),
    w0, len(order))`` is online (stochastic) training in the order given. Every
    ``online_grad(...)`` starts from the first entry again; it copies X, y and order.

    Args:
        grad: a gradient ``grad(w, X, y)``, e.g. :func:`linear_grad` or :func:`mlp_grad`.
        X: inputs, shape (n, d).
        y: targets, shape (n,).
        order: one entry per step: a 1-D int array (one example per step), a 2-D int
            array (one mini-batch per row), or a list of ints and index arrays.
            Indices run from 0 to n - 1.

    Raises:
        ValueError: on the call after the last entry (``optim.run`` adds the step),
            and for indices outside 0 .. n - 1 or empty batches.

    Example:
        >>> X, y = np.array([[1.0], [2.0], [3.0]]), np.array([1.0, 2.0, 3.0])
        >>> g = online_grad(linear_grad, X, y, [2, [0, 1]])
        >>> g(np.zeros(1))            # example 2 alone: 3 * (0 - 3)
        array([-9.])
        >>> g(np.zeros(1))            # the batch {0, 1}: (1 * -1 + 2 * -2) / 2
        array([-2.5])
        >>> g(np.zeros(1))
        Traceback (most recent call last):
            ...
        ValueError: online_grad ran out of examples: order holds 2 entries, one per step, and step 3 asked for another
    """
    if not callable(grad):
        raise TypeError(f"grad must be a function grad(w, X, y), got {grad!r}")
    X, y = _check_data(X, y)
    X, y = X.copy(), y.copy()
    n = len(y)
    batches = _check_order(order, n)
    used = 0

    def grad_fn(w: np.ndarray) -> np.ndarray:
        nonlocal used
        if used == len(batches):
            raise ValueError(
                f"online_grad ran out of examples: order holds {len(batches)} entries, "
                f"one per step, and step {used + 1} asked for another"
            )
        rows = batches[used]
        used += 1
        return grad(w, X[rows], y[rows])

    return grad_fn


def _check_order(order: Any, n: int) -> list[np.ndarray]:
    """order as a list of index arrays (a 1-row batch for an int), each checked."""
    if isinstance(order, np.ndarray):
        entries = list(order)
    elif isinstance(order, (list, tuple)):
        entries = order
    else:
        raise TypeError(
            f"order must be a sequence of indices or index arrays, got {type(order).__name__}"
        )
    batches = []
    for t, entry in enumerate(entries, start=1):
        rows = np.asarray(entry)
        if rows.ndim == 1 and rows.size == 0:
            raise ValueError(f"order[{t - 1}] (step {t}) is an empty batch")
        if rows.dtype.kind not in "iu" or rows.ndim > 1:
            raise TypeError(
                f"order[{t - 1}] (step {t}) must be an int or a 1-D array of ints, got {entry!r}"
            )
        rows = np.atleast_1d(rows).astype(np.intp)
        if rows.min() < 0 or rows.max() >= n:
            raise ValueError(
                f"order[{t - 1}] (step {t}) holds an index outside 0 .. {n - 1}: {entry!r}"
            )
        batches.append(rows)
    return batches
