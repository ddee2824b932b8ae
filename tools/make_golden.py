"""Record golden optimizer trajectories from the real libraries, in float64.

``tests/test_golden.py`` replays every trajectory written here with ``rmsnotes.optim``
and needs only NumPy; this script is the only place the frameworks are used. It runs
``torch.optim`` (RMSprop, Adagrad, Adadelta, and Adam, with and without AMSGrad, and
SGD, with and without Nesterov, as extra checks), Keras 3 (``keras.optimizers.RMSprop``
/ ``Adagrad`` on the JAX backend), optax (``optax.rmsprop`` / ``optax.adagrad``), TF1
(``tf.compat.v1.train.RMSPropOptimizer`` / ``AdagradOptimizer``) and timm's
``RMSpropTF`` (PyTorch's RMSprop "modified to behave like Tensorflow") on three small
problems, and each library's *default* RMSprop (only lr given) on a fourth whose
gradients are tiny, where the conventions visibly diverge (``TINY`` below: eps inside
or outside the root, TF1's and timm's accumulator starting at 1). It writes one JSON
file per library, ``tests/data/golden_<library>.json`` (``timm`` included).

How to run it (the frameworks go in a throw-away venv, never in the course's .venv)::

    python3 -m venv /tmp/golden-venv
    /tmp/golden-venv/bin/pip install torch==2.13.0 jax==0.10.2 jaxlib==0.10.2 \
        optax==0.2.8 keras==3.15.1 numpy tensorflow-cpu==2.21.0
    /tmp/golden-venv/bin/pip install --no-deps timm==1.0.31
    /tmp/golden-venv/bin/python tools/make_golden.py            # from the repo root

``--libs torch,optax`` limits the run to some libraries; a library that is not
installed is skipped with a message (its old JSON file is left alone). timm goes in
without its dependencies: ``import timm`` needs torchvision, so only its optimizer file
``timm/optim/rmsprop_tf.py`` is loaded, on its own (``_timm_rmsprop_tf``). The files in
``tests/data`` were made with torch 2.13.0+cpu, jax/jaxlib 0.10.2, optax 0.2.8,
keras 3.15.1, tensorflow-cpu 2.21.0 and timm 1.0.31 (Python 3.11, NumPy 2.4.6, Linux
x86-64); each case records the version that produced it. Regenerating with these
versions reproduces every file byte for byte (checked when the SGD-Nesterov, tiny-gradient,
timm and Adam-AMSGrad cases were added: the diffs held only the new cases).

What makes the trajectories exact enough to compare at rtol=1e-12:

* Everything is float64: torch tensors and its default dtype, ``jax_enable_x64``,
  Keras variables *and* ``keras.config.set_floatx("float64")`` (otherwise the
  optimizer's learning-rate variable is float32 and ``lr=0.1`` becomes
  0.10000000149...), and TF1 hyperparameters passed as float64 tensors (TF1 turns a
  Python float into a float32 tensor before casting it to the variable's dtype, the
  same leak). The script checks the dtypes it relies on and stops if one is wrong.
* The gradient is computed by ``rmsnotes.frameworks.gradient_function`` (imported
  from this checkout) and handed to every library (no autodiff), so all libraries and
  the test, which replays with the same function, see bit-identical gradients for
  bit-identical points. It uses plain Python floats and ``math.fsum``, which round
  the same on every platform and NumPy version.
* optax runs eagerly (no ``jax.jit``), so XLA does not fuse operations.
* Trajectories that would amplify last-bit differences are refused (see
  "conditioning" below): every case records its ``sensitivity``, which must stay
  below 1e-13. RMSprop's effective rate lr / sqrt(v) grows as v decays, and once it
  passes the stability limit rounding differences grow about 5x a step; the learning
  rates and step counts below were chosen to stay clear of that.

Each case holds: ``id`` (e.g. ``torch-RMSprop-centered-quadratic``, or
``keras-RMSprop-defaults-tiny_gradient`` for the defaults case), ``library`` and
``version`` (the package and its version: ``tensorflow`` for tf1, which
``rmsnotes.frameworks.ALIASES`` maps back), ``call`` (the exact library call, as a string), ``rmsnotes`` (the
equivalent ``{"optimizer": ..., "kwargs": {...}}``; the kwargs come from the settings
the library object reports, so library defaults are checked too), ``problem`` (kind
and parameters, including the data for least squares), ``x0``, ``steps`` and ``xs``
(``steps + 1`` rows, ``xs[0] == x0``). The file header says how the library was set
up (``setup``).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "tests" / "data"

# ------------------------------------------------------------------------- problems


def _least_squares_data(seed: int = 20240611, n: int = 20) -> tuple[list, list]:
    """The course's intercept regression, small: X = [1, x], y = 4 + 2.5 x + N(0, 1)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 10.0, size=n)
    y = 4.0 + 2.5 * x + rng.normal(0.0, 1.0, size=n)
    return [[1.0, float(xi)] for xi in x], [float(yi) for yi in y]


def _problems() -> dict[str, dict]:
    X, y = _least_squares_data()
    return {
        # Ill-conditioned quadratic (curvatures 0.2 and 4): f = 0.5 * sum(a_i x_i^2).
        "quadratic": {"kind": "quadratic", "a": [0.2, 4.0], "x0": [-5.0, -2.0]},
        # Rosenbrock, f = (a - x)^2 + b (y - x^2)^2, from the far side of the valley.
        "rosenbrock": {"kind": "rosenbrock", "a": 1.0, "b": 100.0, "x0": [-1.5, 2.0]},
        # Least squares f = |X w - y|^2 / (2 n) with an intercept column, from w = 0.
        "least_squares": {"kind": "least_squares", "X": X, "y": y, "x0": [0.0, 0.0]},
    }


STEPS = {"quadratic": 50, "rosenbrock": 60, "least_squares": 40}


# ------------------------------------------------------------------- optimizer cases
#
# Each variant: (optimizer name in the library, variant label, library kwargs other
# than the learning rate, learning rate per problem). Learning rates are chosen so the
# steps are not tiny: the adaptive methods move about lr per coordinate per step.

LR_ADAPTIVE = {"quadratic": 0.3, "rosenbrock": 0.05, "least_squares": 0.2}
LR_SMALL = {"quadratic": 0.1, "rosenbrock": 0.01, "least_squares": 0.1}
# Centered + momentum and Adam(0.5, 0.9) sit at the edge of stability across
# Rosenbrock's valley at larger rates (see "conditioning" below).
LR_CAUTIOUS = {"quadratic": 0.3, "rosenbrock": 0.005, "least_squares": 0.2}
# With beta = 0.5, v forgets the large early gradients of the least-squares problem
# within a few steps, and at larger rates the effective rate then overshoots.
LR_FORGETFUL = {"quadratic": 0.3, "rosenbrock": 0.05, "least_squares": 0.05}
LR_ADAGRAD = {"quadratic": 1.0, "rosenbrock": 0.2, "least_squares": 2.0}
LR_SGD = {"quadratic": 0.1, "rosenbrock": 1e-4, "least_squares": 0.01}
# AdaDelta's own scale: lr = 1 is Zeiler's rule (PyTorch's default); its steps start
# at about lr * sqrt(eps) and grow as the average of squared steps builds up.
LR_ADADELTA = {"quadratic": 1.0, "rosenbrock": 1.0, "least_squares": 1.0}
LR_ADADELTA_HALF = {"quadratic": 0.5, "rosenbrock": 0.5, "least_squares": 0.5}

CENTERED_MOMENTUM = {"centered": True, "momentum": 0.5}

VARIANTS = {
    "torch": [
        ("RMSprop", "plain", {}, LR_ADAPTIVE),
        ("RMSprop", "centered", {"centered": True}, LR_ADAPTIVE),
        ("RMSprop", "momentum", {"momentum": 0.9}, LR_SMALL),
        ("RMSprop", "centered-momentum", CENTERED_MOMENTUM, LR_CAUTIOUS),
        ("RMSprop", "alpha0.5-eps1e-3", {"alpha": 0.5, "eps": 1e-3}, LR_FORGETFUL),
        ("Adagrad", "default", {}, LR_ADAGRAD),
        ("Adagrad", "init0.5-eps1e-3", {"initial_accumulator_value": 0.5, "eps": 1e-3}, LR_ADAGRAD),
        ("Adam", "default", {}, LR_ADAPTIVE),
        ("Adam", "betas0.5-0.9-eps1e-3", {"betas": (0.5, 0.9), "eps": 1e-3}, LR_CAUTIOUS),
        # AMSGrad: the running max of the uncorrected exp_avg_sq under the root
        ("Adam", "amsgrad", {"amsgrad": True}, LR_ADAPTIVE),
        (
            "Adam",
            "amsgrad-betas0.5-0.9-eps1e-3",
            {"betas": (0.5, 0.9), "eps": 1e-3, "amsgrad": True},
            LR_CAUTIOUS,
        ),
        ("SGD", "momentum", {"momentum": 0.9}, LR_SGD),
        ("SGD", "nesterov", {"momentum": 0.9, "nesterov": True}, LR_SGD),
        ("Adadelta", "default", {}, LR_ADADELTA),
        ("Adadelta", "rho0.95", {"rho": 0.95}, LR_ADADELTA_HALF),
        ("Adadelta", "eps1e-3", {"eps": 1e-3}, LR_ADADELTA),
    ],
    "keras": [
        ("RMSprop", "plain", {}, LR_ADAPTIVE),
        ("RMSprop", "centered", {"centered": True}, LR_ADAPTIVE),
        ("RMSprop", "momentum", {"momentum": 0.9}, LR_SMALL),
        ("RMSprop", "centered-momentum", CENTERED_MOMENTUM, LR_CAUTIOUS),
        ("RMSprop", "rho0.5-eps1e-3", {"rho": 0.5, "epsilon": 1e-3}, LR_FORGETFUL),
        ("Adagrad", "default", {}, LR_ADAGRAD),
    ],
    "optax": [
        ("rmsprop", "plain", {}, LR_ADAPTIVE),
        ("rmsprop", "centered", {"centered": True}, LR_ADAPTIVE),
        ("rmsprop", "momentum", {"momentum": 0.9}, LR_SMALL),
        ("rmsprop", "centered-momentum", CENTERED_MOMENTUM, LR_CAUTIOUS),
        ("rmsprop", "initial_scale1", {"initial_scale": 1.0}, LR_ADAPTIVE),
        ("rmsprop", "eps-outside-eps1e-3", {"eps_in_sqrt": False, "eps": 1e-3}, LR_ADAPTIVE),
        ("rmsprop", "decay0.5-eps1e-3", {"decay": 0.5, "eps": 1e-3}, LR_FORGETFUL),
        ("adagrad", "default", {}, LR_ADAGRAD),
        ("adagrad", "init0-eps1e-3", {"initial_accumulator_value": 0.0, "eps": 1e-3}, LR_ADAGRAD),
    ],
    "tf1": [
        ("RMSPropOptimizer", "plain", {}, LR_ADAPTIVE),
        ("RMSPropOptimizer", "centered", {"centered": True}, LR_ADAPTIVE),
        ("RMSPropOptimizer", "momentum", {"momentum": 0.9}, LR_SMALL),
        ("RMSPropOptimizer", "centered-momentum", CENTERED_MOMENTUM, LR_CAUTIOUS),
        ("RMSPropOptimizer", "decay0.5-eps1e-3", {"decay": 0.5, "epsilon": 1e-3}, LR_FORGETFUL),
        ("AdagradOptimizer", "default", {}, LR_ADAGRAD),
        ("AdagradOptimizer", "init0.5", {"initial_accumulator_value": 0.5}, LR_ADAGRAD),
    ],
    # timm's RMSpropTF, "RMSprop modified to behave like Tensorflow": alpha 0.9, eps 1e-10
    # inside the root, square_avg starting at 1, and lr inside the momentum buffer by
    # default (lr_in_momentum=True, TF1's b = mu b + lr g / d, x -= b). With a constant
    # lr, lr_in_momentum=False (PyTorch's b = mu b + g / d, x -= lr b) is the same
    # trajectory up to rounding, so both map to the same rmsnotes call; they differ only
    # when lr changes between steps (a schedule). Source read: timm/optim/rmsprop_tf.py
    # of huggingface/pytorch-image-models (commit 0d4c04f3) and of the 1.0.31 wheel run
    # here: ``state['square_avg'] = torch.ones_like(p)``, ``square_avg.add(eps).sqrt_()``.
    "timm": [
        ("RMSpropTF", "default", {}, LR_ADAPTIVE),
        ("RMSpropTF", "centered", {"centered": True}, LR_ADAPTIVE),
        (
            "RMSpropTF",
            "momentum-lr_in_momentum",
            {"momentum": 0.9, "lr_in_momentum": True},
            LR_SMALL,
        ),
        ("RMSpropTF", "momentum-lr_outside", {"momentum": 0.9, "lr_in_momentum": False}, LR_SMALL),
    ],
}

# Where the conventions diverge: each library's *default* RMSprop, only lr given, on a
# quadratic f = 0.5 (1e-6 x^2 + 1e-2 y^2) from (1, 1), so the gradients are about
# 1e-6 in x (tiny) and 1e-2 in y (small, as in many networks). With eps outside the
# root (torch, 1e-8) the divisor follows |g| down, and x takes steps of about lr, as
# large as y's (RMSprop's scale invariance); with eps inside (Keras 1e-7, optax 1e-8)
# the divisor cannot fall below sqrt(eps) = 3.2e-4 or 1e-4, so x's steps are about
# lr * 1e-6 / sqrt(eps), 0.003 lr (Keras) or 0.01 lr (optax); TF1 (and timm's
# RMSpropTF) start v at 1, so their first steps are about lr * g in both coordinates
# (1e-8 and 1e-4) until v has decayed to g^2 (ln(1 / g^2) / ln(1 / 0.9) steps: 87 for
# y, 262 for x). 100 steps: long enough to show all three, short enough that y has not
# converged to where v falls towards eps and the effective rate passes the stability
# limit: at 200 steps TF1's sensitivity is 9e-14, at 300 it is 6e-13 (refused), and
# optax's y reaches 1e-307 (y's factor per step, 1 - lr a / sqrt(v + eps), tends to 0
# for optax: lr a = sqrt(1e-8)). The case ids end in "-defaults-tiny_gradient".
TINY = {"kind": "quadratic", "a": [1e-6, 1e-2], "x0": [1.0, 1.0], "steps": 100, "lr": 0.01}
DEFAULT_RMSPROP = {
    "torch": "RMSprop",
    "keras": "RMSprop",
    "optax": "rmsprop",
    "tf1": "RMSPropOptimizer",
    "timm": "RMSpropTF",
}


def _call_string(prefix: str, first: str, lr: float, kwargs: dict, lr_name: str) -> str:
    args = [first] if first else []
    args.append(f"{lr_name}={lr!r}")
    args += [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{prefix}({', '.join(args)})"


def _check_dtype(what: str, dtype, expected: str = "float64") -> None:
    if str(dtype).rsplit(".", 1)[-1] != expected:
        sys.exit(f"make_golden: {what} has dtype {dtype}, expected {expected}")


def _constant(what: str, values) -> float:
    """The single value an initial state array is filled with."""
    values = np.asarray(values)
    if not np.all(values == values.flat[0]):
        sys.exit(f"make_golden: {what} does not start constant: {values}")
    return float(values.flat[0])


# ---------------------------------------------------------------------------- torch


def _torch_trajectory(cls, what, kwargs, lr, grad, x0, steps, nudge=None):
    """Run a torch optimizer class (torch.optim's or timm's) on one float64 parameter:
    (the parameter, the optimizer, the points x_0 .. x_steps as NumPy arrays)."""
    import torch

    torch.set_default_dtype(torch.float64)
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = cls([x], lr=lr, **kwargs)
    xs = [x.detach().numpy().copy()]
    for _ in range(steps):
        x.grad = torch.from_numpy(grad(xs[-1]))
        _check_dtype(f"{what} gradient", x.grad.dtype)
        opt.step()
        if nudge:
            with torch.no_grad():
                x.copy_(torch.from_numpy(nudge(x.detach().numpy().copy())))
        xs.append(x.detach().numpy().copy())
    _check_dtype(f"{what} parameter", x.dtype)
    return x, opt, xs


def _rmsprop_call(lr, group, *, eps_in_sqrt, initial_accumulator):
    """The rmsnotes call of a torch-style RMSprop's param group (torch.optim's or timm's:
    both name beta ``alpha``); where eps goes and where v starts are the conventions."""
    return {
        "optimizer": "rmsprop",
        "kwargs": {
            "lr": lr,
            "beta": group["alpha"],
            "eps": group["eps"],
            "eps_in_sqrt": eps_in_sqrt,
            "centered": group["centered"],
            "momentum": group["momentum"],
            "initial_accumulator": initial_accumulator,
        },
    }


def _run_torch(name, kwargs, lr, grad, x0, steps, nudge=None):
    import torch

    x, opt, xs = _torch_trajectory(
        getattr(torch.optim, name), "torch", kwargs, lr, grad, x0, steps, nudge
    )
    for state in opt.state[x].values():
        if torch.is_tensor(state) and state.is_floating_point() and state.ndim:
            _check_dtype("torch optimizer state", state.dtype)
    g = opt.param_groups[0]
    if name == "RMSprop":
        assert g["weight_decay"] == 0 and not g.get("maximize")
        rms = _rmsprop_call(lr, g, eps_in_sqrt=False, initial_accumulator=0.0)
    elif name == "Adagrad":
        assert g["weight_decay"] == 0 and g["lr_decay"] == 0
        rms = {
            "optimizer": "adagrad",
            "kwargs": {
                "lr": lr,
                "eps": g["eps"],
                "eps_in_sqrt": False,
                "initial_accumulator": g["initial_accumulator_value"],
            },
        }
    elif name == "Adam":
        assert (
            g["weight_decay"] == 0 and not g.get("maximize") and not g.get("decoupled_weight_decay")
        )
        b1, b2 = g["betas"]
        rms = {
            "optimizer": "adam",
            "kwargs": {"lr": lr, "beta1": b1, "beta2": b2, "eps": g["eps"]},
        }
        if g["amsgrad"]:  # named only when set, as the older cases were written without
            rms["kwargs"]["amsgrad"] = True
    elif name == "Adadelta":
        assert g["weight_decay"] == 0 and not g.get("maximize")
        rms = {
            "optimizer": "adadelta",
            "kwargs": {"lr": lr, "beta": g["rho"], "eps": g["eps"]},
        }
    elif name == "SGD":
        assert g["dampening"] == 0 and g["weight_decay"] == 0
        rms = {"optimizer": "sgd", "kwargs": {"lr": lr, "momentum": g["momentum"]}}
        if g["nesterov"]:  # named only when set, as the older cases were written without
            rms["kwargs"]["nesterov"] = True
    else:
        raise ValueError(name)
    call = _call_string(f"torch.optim.{name}", "[x]", lr, kwargs, "lr")
    return np.array(xs), call, rms, torch.__version__


# ---------------------------------------------------------------------------- keras


def _run_keras(name, kwargs, lr, grad, x0, steps, nudge=None):
    import keras

    if keras.backend.backend() != "jax":
        sys.exit("make_golden: Keras must run on the JAX backend (KERAS_BACKEND=jax)")
    import jax

    jax.config.update("jax_enable_x64", True)
    keras.config.set_floatx("float64")
    var = keras.Variable(np.asarray(x0, dtype=np.float64), dtype="float64")
    opt = getattr(keras.optimizers, name)(learning_rate=lr, **kwargs)
    opt.build([var])
    xs = [np.array(var.numpy())]
    for _ in range(steps):
        g = jax.numpy.asarray(grad(xs[-1]))
        _check_dtype("keras gradient", g.dtype)
        opt.apply_gradients([(g, var)])
        if nudge:
            var.assign(nudge(np.array(var.numpy())))
        xs.append(np.array(var.numpy()))
    _check_dtype("keras variable", var.dtype)
    _check_dtype("keras learning rate", opt.learning_rate.dtype)
    for v in opt.variables:
        if v.name != "iteration":
            _check_dtype(f"keras optimizer variable {v.name}", v.dtype)
    assert opt.weight_decay is None
    if name == "RMSprop":
        rms = {
            "optimizer": "rmsprop",
            "kwargs": {
                "lr": lr,
                "beta": opt.rho,
                "eps": opt.epsilon,
                "eps_in_sqrt": True,
                "centered": opt.centered,
                "momentum": opt.momentum,
                "initial_accumulator": 0.0,
            },
        }
    elif name == "Adagrad":
        rms = {
            "optimizer": "adagrad",
            "kwargs": {
                "lr": lr,
                "eps": opt.epsilon,
                "eps_in_sqrt": True,
                "initial_accumulator": opt.initial_accumulator_value,
            },
        }
    else:
        raise ValueError(name)
    call = _call_string(f"keras.optimizers.{name}", "", lr, kwargs, "learning_rate")
    return np.array(xs), call, rms, keras.__version__


# ---------------------------------------------------------------------------- optax


def _run_optax(name, kwargs, lr, grad, x0, steps, nudge=None):
    import jax

    jax.config.update("jax_enable_x64", True)
    import optax

    factory = getattr(optax, name)
    settings = {
        k: p.default
        for k, p in inspect.signature(factory).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    unknown = set(kwargs) - set(settings)
    if unknown:
        raise TypeError(f"optax.{name} {optax.__version__} has no {sorted(unknown)}")
    settings.update(kwargs)
    opt = factory(lr, **kwargs)
    params = jax.numpy.asarray(np.asarray(x0, dtype=np.float64))
    state = opt.init(params)
    xs = [np.array(params)]
    for _ in range(steps):  # eagerly, op by op: no jit, no fusion
        g = jax.numpy.asarray(grad(xs[-1]))
        updates, state = opt.update(g, state, params)
        params = optax.apply_updates(params, updates)
        if nudge:
            params = jax.numpy.asarray(nudge(np.array(params)))
        _check_dtype("optax parameter", params.dtype)
        xs.append(np.array(params))
    for leaf in jax.tree_util.tree_leaves(state):
        if jax.numpy.issubdtype(leaf.dtype, jax.numpy.floating):
            _check_dtype("optax state", leaf.dtype)
    if name == "rmsprop":
        assert not settings["nesterov"] and not settings["bias_correction"]
        mom = settings["momentum"]
        rms = {
            "optimizer": "rmsprop",
            "kwargs": {
                "lr": lr,
                "beta": settings["decay"],
                "eps": settings["eps"],
                "eps_in_sqrt": settings["eps_in_sqrt"],
                "centered": settings["centered"],
                "momentum": 0.0 if mom is None else mom,
                "initial_accumulator": settings["initial_scale"],
            },
        }
    elif name == "adagrad":
        rms = {
            "optimizer": "adagrad",
            "kwargs": {
                "lr": lr,
                "eps": settings["eps"],
                "eps_in_sqrt": True,
                "initial_accumulator": settings["initial_accumulator_value"],
            },
        }
    else:
        raise ValueError(name)
    call = _call_string(f"optax.{name}", "", lr, kwargs, "learning_rate")
    return np.array(xs), call, rms, optax.__version__


# ------------------------------------------------------------------------------ TF1


def _run_tf1(name, kwargs, lr, grad, x0, steps, nudge=None):
    import tensorflow as tf

    def f64(value):
        # TF1 converts Python floats to float32 tensors and only then casts them to
        # the variable's dtype; float64 tensors keep every digit.
        return tf.constant(value, dtype=tf.float64)

    var = tf.Variable(np.asarray(x0, dtype=np.float64), dtype=tf.float64)
    cls = getattr(tf.compat.v1.train, name)
    # Every float hyperparameter, defaults included, goes in as a float64 tensor.
    floats = ("decay", "momentum", "epsilon")
    kwargs = {
        **{k: p.default for k, p in inspect.signature(cls).parameters.items() if k in floats},
        **kwargs,
    }
    tf_kwargs = {k: (f64(v) if k in floats else v) for k, v in kwargs.items()}
    opt = cls(f64(lr), **tf_kwargs)
    opt._create_slots([var])  # made early, to read their starting values
    start = {slot: opt.get_slot(var, slot).numpy().copy() for slot in opt.get_slot_names()}
    xs = [var.numpy().copy()]
    for _ in range(steps):
        g = tf.constant(grad(xs[-1]), dtype=tf.float64)
        opt.apply_gradients([(g, var)])
        if nudge:
            var.assign(nudge(var.numpy().copy()))
        xs.append(var.numpy().copy())
    _check_dtype("TF1 variable", var.dtype.name)
    for slot in opt.get_slot_names():
        _check_dtype(f"TF1 slot {slot}", opt.get_slot(var, slot).dtype.name)
    if name == "RMSPropOptimizer":
        for t in ("_learning_rate_tensor", "_decay_tensor", "_momentum_tensor"):
            _check_dtype(f"TF1 {t}", getattr(opt, t).dtype.name)
        _check_dtype("TF1 epsilon", opt._epsilon_tensor.dtype.name)

        def value(v):
            return float(v.numpy()) if tf.is_tensor(v) else float(v)

        rms = {
            "optimizer": "rmsprop",
            "kwargs": {
                "lr": lr,
                "beta": value(opt._decay),
                "eps": value(opt._epsilon),
                "eps_in_sqrt": True,
                "centered": bool(opt._centered),
                "momentum": value(opt._momentum),
                "initial_accumulator": _constant("TF1 rms slot", start["rms"]),
            },
        }
    elif name == "AdagradOptimizer":
        _check_dtype("TF1 learning rate", opt._learning_rate_tensor.dtype.name)
        rms = {
            "optimizer": "adagrad",
            "kwargs": {
                "lr": lr,
                "eps": 0.0,  # TF1's Adagrad kernel has no epsilon
                "eps_in_sqrt": False,
                "initial_accumulator": _constant("TF1 accumulator", start["accumulator"]),
            },
        }
    else:
        raise ValueError(name)
    args = [f"tf.constant({lr!r}, tf.float64)"] + [
        f"{k}=tf.constant({v!r}, tf.float64)" if k in floats else f"{k}={v!r}"
        for k, v in kwargs.items()
    ]
    call = f"tf.compat.v1.train.{name}({', '.join(args)})"
    return np.array(xs), call, rms, tf.__version__


# ----------------------------------------------------------------------------- timm

TIMM_PACKAGE = "_timm_optim_alone"


def _timm_rmsprop_tf():
    """timm's ``RMSpropTF`` class, loaded from ``timm/optim/rmsprop_tf.py`` on its own.

    ``import timm`` imports its layers, which need torchvision; the optimizer file
    needs only torch and two helper files of its folder (``_helpers``, ``_types``). So
    that folder is made a package of its own and only this file is executed.
    Raises ImportError if timm is not installed.
    """
    import importlib.util
    import types

    name = f"{TIMM_PACKAGE}.rmsprop_tf"
    if name in sys.modules:
        return sys.modules[name].RMSpropTF
    spec = importlib.util.find_spec("timm")  # finds the folder, imports nothing
    if spec is None or spec.origin is None:
        raise ImportError("No module named 'timm'")
    folder = Path(spec.origin).parent / "optim"
    package = types.ModuleType(TIMM_PACKAGE)
    package.__path__ = [str(folder)]
    sys.modules[TIMM_PACKAGE] = package
    file_spec = importlib.util.spec_from_file_location(name, folder / "rmsprop_tf.py")
    module = importlib.util.module_from_spec(file_spec)
    sys.modules[name] = module
    file_spec.loader.exec_module(module)
    return module.RMSpropTF


def _run_timm(name, kwargs, lr, grad, x0, steps, nudge=None):
    import importlib.metadata

    import torch

    if name != "RMSpropTF":
        raise ValueError(name)
    cls = _timm_rmsprop_tf()
    x, opt, xs = _torch_trajectory(cls, "timm", kwargs, lr, grad, x0, steps, nudge)
    for key in ("square_avg", "grad_avg", "momentum_buffer"):
        if key in opt.state[x]:
            _check_dtype(f"timm state {key}", opt.state[x][key].dtype)
    g = opt.param_groups[0]
    assert g["weight_decay"] == 0 and not g["caution"]
    # The starting square_avg, read from the library: a probe with alpha = 1 (no decay)
    # and a zero gradient takes one step, which leaves square_avg as it was created.
    probe_x = torch.zeros(len(x0), dtype=torch.float64, requires_grad=True)
    probe = cls([probe_x], lr=lr, **{**kwargs, "alpha": 1.0})
    probe_x.grad = torch.zeros_like(probe_x)
    probe.step()
    start = _constant("timm square_avg", probe.state[probe_x]["square_avg"].numpy())
    rms = _rmsprop_call(lr, g, eps_in_sqrt=True, initial_accumulator=start)
    call = _call_string("timm.optim.RMSpropTF", "[x]", lr, kwargs, "lr")
    return np.array(xs), call, rms, importlib.metadata.version("timm")


SETUP = {
    "torch": "torch.set_default_dtype(torch.float64); x = torch.tensor(x0, "
    "dtype=torch.float64, requires_grad=True); each step: x.grad = g; opt.step()",
    "keras": "KERAS_BACKEND=jax; jax_enable_x64; keras.config.set_floatx('float64'); "
    "var = keras.Variable(x0, dtype='float64'); each step: "
    "opt.apply_gradients([(g, var)]) (eager)",
    "optax": "jax_enable_x64; params = jnp.asarray(x0) (float64); each step, eagerly "
    "(no jit): updates, state = opt.update(g, state, params); "
    "params = optax.apply_updates(params, updates)",
    "tf1": "eager TF2 running the TF1 optimizer; var = tf.Variable(x0, dtype=tf.float64);"
    " every float hyperparameter as a float64 tensor (a Python float becomes float32);"
    " each step: opt.apply_gradients([(g, var)])",
    "timm": "timm/optim/rmsprop_tf.py loaded on its own (import timm needs torchvision);"
    " torch.set_default_dtype(torch.float64); x = torch.tensor(x0, dtype=torch.float64,"
    " requires_grad=True); each step: x.grad = g; opt.step() (on CPU: timm's"
    " single-tensor path)",
}
RUNNERS = {
    "torch": _run_torch,
    "keras": _run_keras,
    "optax": _run_optax,
    "tf1": _run_tf1,
    "timm": _run_timm,
}
# The package each library is imported from, also a case's "library" (whose "version"
# it records): "tensorflow" for tf1, which rmsnotes.frameworks.ALIASES maps back.
IMPORT_NAMES = {"torch": "torch", "keras": "keras", "optax": "optax", "tf1": "tensorflow"}


# ------------------------------------------------------------------ conditioning
#
# Two correct implementations of the same rule differ in the last bits of each step
# (operation order, rsqrt versus 1 / sqrt, lerp versus beta * m + (1 - beta) * g), so
# their points drift apart by an ulp here and there. Where a trajectory amplifies such
# differences (RMSprop's effective rate lr / sqrt(v) grows as v decays until it passes
# the stability limit; then every error grows several times per step, for a few steps)
# no one can reproduce it to 1e-12, so such cases are refused. The check runs the
# library again, a few times, with the point and the gradient multiplied after every
# step by 1 +- JITTER (random signs per coordinate, seeded), and measures
#
#   sensitivity = max |xs_jittered - xs| / (|xs| + 0.01 * max|xs|) * ULPS / JITTER,
#
# the largest over the runs: the deviation that errors of ULPS = 4 ulps (2**-50) per
# step would cause, from a linear extrapolation. JITTER = 2**-40 is small enough for
# the response to be linear and large enough not to be rounded away (a 4-ulp nudge of
# the gradient often changes no bit of x + step). Perturbing the point matters:
# RMSprop is almost blind to the scale of g (g / sqrt(v), and v holds g^2), so
# nudging only the gradient underestimates the amplification.
#
# The sensitivity is in units of the test's tolerance per unit of rtol: the test
# allows RTOL * |x| + ATOL_PER_SCALE * max|xs| = 1e-12 * |x| + 1e-14 * max|xs|.
# Cases must stay below MAX_SENSITIVITY = 1e-13, a tenth of RTOL; each case records
# its value.

RTOL = 1e-12  # the tolerances of tests/test_golden.py
ATOL_PER_SCALE = 1e-14
MAX_SENSITIVITY = 1e-13
JITTER = 2.0**-40
ULPS = 2.0**-50
JITTER_SEEDS = (1, 2, 3)


def _nudges(grad, seed: int):
    """A gradient and a point-nudge that multiply by 1 +- JITTER, reproducibly."""
    rng = np.random.default_rng(seed)

    def jitter(a):
        return a * (1.0 + JITTER * rng.choice([-1.0, 1.0], size=np.shape(a)))

    def noisy_grad(x):
        return jitter(grad(x))

    return noisy_grad, jitter


def _sensitivity(xs: np.ndarray, other: np.ndarray) -> float:
    floor = ATOL_PER_SCALE / RTOL * np.abs(xs).max()
    return float((np.abs(other - xs) / (np.abs(xs) + floor)).max()) * ULPS / JITTER


# ----------------------------------------------------------------------------- main


def _case(library, name, label, kwargs, pname, problem, x0, steps, lr):
    """Run one library call on one problem, check its conditioning; the case and its
    sensitivity."""
    from rmsnotes.frameworks import gradient_function  # the problems' gradients

    grad = gradient_function(problem)
    run = RUNNERS[library]
    xs, call, rms, version = run(name, kwargs, lr, grad, x0, steps)
    if not np.all(np.isfinite(xs)):
        raise RuntimeError(f"{library} {name} {label} {pname}: not finite")
    sens = 0.0
    for seed in JITTER_SEEDS:
        noisy_grad, nudge = _nudges(grad, seed)
        jittered = run(name, kwargs, lr, noisy_grad, x0, steps, nudge)[0]
        sens = max(sens, _sensitivity(xs, jittered))
    case = {
        "id": f"{library}-{name}-{label}-{pname}",
        "library": IMPORT_NAMES.get(library, library),  # the package (frameworks.ALIASES)
        "version": version,
        "call": call,
        "rmsnotes": rms,
        "problem": problem,
        "x0": [float(v) for v in x0],
        "steps": steps,
        "sensitivity": float(f"{sens:.2g}"),
        "xs": xs.tolist(),
    }
    print(f"  {case['id']}: x_final = {xs[-1]}, sensitivity {sens:.1e}")
    return case, sens


def make_cases(library: str) -> list[dict]:
    """Run every variant of one library on every problem, then the library's default
    RMSprop on the tiny-gradient problem; return the cases."""
    problems = _problems()
    cases, ill = [], []
    runs = []
    for name, label, kwargs, lrs in VARIANTS[library]:
        for pname, spec in problems.items():
            problem = {k: v for k, v in spec.items() if k != "x0"}
            runs.append((name, label, kwargs, pname, problem, spec["x0"], STEPS[pname], lrs[pname]))
    tiny_problem = {k: v for k, v in TINY.items() if k not in ("x0", "steps", "lr")}
    runs.append(
        (DEFAULT_RMSPROP[library], "defaults", {}, "tiny_gradient", tiny_problem)
        + (TINY["x0"], TINY["steps"], TINY["lr"])
    )
    for name, label, kwargs, pname, problem, x0, steps, lr in runs:
        case, sens = _case(library, name, label, kwargs, pname, problem, x0, steps, lr)
        if sens > MAX_SENSITIVITY:
            ill.append(f"{case['id']} ({sens:.1e})")
        cases.append(case)
    if ill:
        sys.exit(
            f"make_golden: ill-conditioned trajectories (sensitivity > "
            f"{MAX_SENSITIVITY:.0e}), take a smaller lr or fewer steps: {', '.join(ill)}"
        )
    return cases


def write_cases(path: Path, library: str, cases: list[dict]) -> None:
    """JSON with one trajectory row per line: readable diffs, floats at repr precision."""
    lines = [
        "{",
        f'"library": {json.dumps(library)},',
        '"generated_by": "tools/make_golden.py",',
        f'"setup": {json.dumps(SETUP[library])},',
        '"gradient": "computed by tools/make_golden.py, not by the library",',
        '"cases": [',
    ]
    for i, case in enumerate(cases):
        head = {k: v for k, v in case.items() if k != "xs"}
        body = json.dumps(head)[:-1]
        rows = ",\n  ".join(json.dumps(row) for row in case["xs"])
        end = "," if i < len(cases) - 1 else ""
        lines.append(f'{body}, "xs": [\n  {rows}\n]}}{end}')
    lines += ["]", "}"]
    path.write_text("\n".join(lines) + "\n")
    json.loads(path.read_text())  # refuse to leave a broken file behind


def main(argv: list[str] | None = None) -> None:
    # Set before keras (or tensorflow) is first imported, which happens lazily in the
    # per-library functions; importing this module (the tests do) changes nothing.
    os.environ["KERAS_BACKEND"] = "jax"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    sys.path.insert(0, str(ROOT))  # this checkout's rmsnotes (NumPy only), installed or not
    from rmsnotes.frameworks import LIBRARIES  # the libraries, in the order it reads them

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--libs", default=",".join(LIBRARIES), help="comma-separated")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for library in args.libs.split(","):
        if library not in RUNNERS:
            parser.error(f"unknown library {library!r}; choose from {LIBRARIES}")
        try:
            if library == "timm":
                _timm_rmsprop_tf()
            else:
                __import__(IMPORT_NAMES[library])
        except ImportError as exc:
            print(f"{library}: not installed ({exc}); skipped")
            continue
        print(f"{library}:")
        cases = make_cases(library)
        path = args.out / f"golden_{library}.json"
        write_cases(path, library, cases)
        print(f"  wrote {len(cases)} cases to {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
