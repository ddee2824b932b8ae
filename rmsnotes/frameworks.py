"""The frameworks' RMSprop conventions, and their stored trajectories replayed.

``tests/data/golden_<library>.json`` hold trajectories recorded from the real
libraries (PyTorch, Keras 3, optax, TF1, timm; ``tools/make_golden.py`` made them). This
module reads them and replays each with :mod:`rmsnotes.optim`, so a notebook can put
every library side by side with ``rmsnotes`` with no framework installed::

    cases = golden_cases("torch")          # the recorded cases, as dicts
    hist = replay_case(cases[0])           # the same run, by rmsnotes
    relative_difference(cases[0], hist.xs) # below 1e-12 for every stored case

    golden_cases        the stored cases of one library, or of all
    gradient_function   the gradient every library was given for a case's problem
    replay_case         rerun a case with the rmsnotes optimizer it names -> History
    relative_difference how far a trajectory is from a case's recorded points
    CONVENTIONS         each library's RMSprop: names, defaults, eps, v0, momentum
    LIBRARIES, ALIASES  the libraries' short names; "tensorflow" (a case's "library") = "tf1"
    convention          one entry of CONVENTIONS, by library name (or alias)

The conventions (checked against the golden cases by ``tests/test_frameworks.py``)::

    library  class                                 beta's name  beta  eps    eps      v0  lr in the
                                                                                            momentum buffer
    torch    torch.optim.RMSprop                   alpha        0.99  1e-8   outside  0   no
    keras    keras.optimizers.RMSprop              rho          0.9   1e-7   inside   0   yes
    optax    optax.rmsprop                         decay        0.9   1e-8   inside   0   yes
    tf1      tf.compat.v1.train.RMSPropOptimizer   decay        0.9   1e-10  inside   1   yes
    timm     timm.optim.RMSpropTF                  alpha        0.9   1e-10  inside   1   yes

The course's beta is each library's name in that column (and d2l's ``gamma``).
timm's row was read from its source (``timm/optim/rmsprop_tf.py``: eps added before the
root, ``square_avg`` starting at ones, ``lr_in_momentum=True``) and is checked against
its recorded runs like the others. With a constant learning rate, lr inside or outside
the momentum buffer gives the same trajectory (``rmsnotes`` keeps it outside).

The data folder. The JSON files live in the repository's ``tests/data``, next to the
package, not inside it: they are there in a clone (and an editable install,
``pip install -e .``), not in a wheel. :func:`golden_cases` says so when the folder
is missing.

Gradients. Each library was handed the gradient computed by
:func:`gradient_function` (no autodiff), in plain Python floats and ``math.fsum``, so
every platform rounds it the same way and the replay sees bit-identical gradients
for bit-identical points.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from rmsnotes import _validate, optim

__all__ = [
    "DATA_DIR",
    "LIBRARIES",
    "ALIASES",
    "Convention",
    "CONVENTIONS",
    "convention",
    "golden_cases",
    "gradient_function",
    "replay_case",
    "relative_difference",
]

#: Where the golden files are: the repository's ``tests/data`` (see the module docstring).
DATA_DIR = Path(__file__).resolve().parent.parent / "tests" / "data"

#: The libraries with golden trajectories, in the order :func:`golden_cases` reads them.
LIBRARIES = ("torch", "keras", "optax", "tf1", "timm")

#: Other names a library goes by: a golden case's ``"library"`` is the installed
#: package whose ``"version"`` it records, ``"tensorflow"`` for the TF1 optimizer.
ALIASES: Mapping[str, str] = MappingProxyType({"tensorflow": "tf1"})

_OPTIMIZERS = ("sgd", "adagrad", "rmsprop", "adam", "adadelta")
_CASE_KEYS = ("id", "rmsnotes", "problem", "x0", "steps", "xs")


# ------------------------------------------------------------------ conventions


class Convention(NamedTuple):
    """One library's RMSprop, in the course's vocabulary.

    Attributes:
        library: the short name (``"torch"``, ``"keras"``, ...).
        call: the class or function, e.g. ``"torch.optim.RMSprop"``.
        beta_name: the library's name for the course's beta (``"alpha"``, ...).
        beta: its default beta.
        eps_name: the library's name for eps.
        eps: its default eps.
        eps_in_sqrt: True when eps is added inside the square root.
        initial_accumulator: v_0, where the average of g^2 starts.
        lr_in_momentum: True when lr multiplies g / d *inside* the momentum buffer
            (b = mu b + lr g / d, x -= b); False when it multiplies the buffer
            (b = mu b + g / d, x -= lr b), as PyTorch and rmsnotes do.
        lr: the library's default learning rate, or None when it has none.
    """

    library: str
    call: str
    beta_name: str
    beta: float
    eps_name: str
    eps: float
    eps_in_sqrt: bool
    initial_accumulator: float
    lr_in_momentum: bool
    lr: float | None

    def optimizer(self, lr: float | None = None, **changes: Any) -> optim.Optimizer:
        """The rmsnotes optimizer equal to this library's RMSprop at its defaults.

        ``lr`` defaults to the library's own (an error where it has none);
        ``changes`` overrides any other setting of :func:`rmsnotes.optim.rmsprop`
        (``centered``, ``momentum``, ``beta``, ...), in rmsnotes' names.

        Example:
            >>> convention("tf1").optimizer(lr=0.1)
            rmsprop(lr=0.1, beta=0.9, eps=1e-10, eps_in_sqrt=True, centered=False, momentum=0.0, initial_accumulator=1.0)
        """
        if lr is None:
            if self.lr is None:
                raise ValueError(f"{self.call} has no default learning rate: pass lr")
            lr = self.lr
        settings = {
            "beta": self.beta,
            "eps": self.eps,
            "eps_in_sqrt": self.eps_in_sqrt,
            "initial_accumulator": self.initial_accumulator,
        }
        return optim.rmsprop(lr, **{**settings, **changes})


CONVENTIONS: Mapping[str, Convention] = MappingProxyType(
    {
        c.library: c
        for c in (
            Convention("torch", "torch.optim.RMSprop", "alpha", 0.99, "eps", 1e-8, False, 0.0, False, 0.01),
            Convention("keras", "keras.optimizers.RMSprop", "rho", 0.9, "epsilon", 1e-7, True, 0.0, True, 0.001),
            Convention("optax", "optax.rmsprop", "decay", 0.9, "eps", 1e-8, True, 0.0, True, None),
            Convention("tf1", "tf.compat.v1.train.RMSPropOptimizer", "decay", 0.9, "epsilon", 1e-10, True, 1.0, True, None),
            Convention("timm", "timm.optim.RMSpropTF", "alpha", 0.9, "eps", 1e-10, True, 1.0, True, 0.01),
        )
    }
)  # fmt: skip


def _library(library: Any, names: Collection[str], *, or_none: bool = False) -> str:
    """The short name of a library among ``names`` (an alias resolved).

    TypeError for a non-string, ValueError naming the known names for an unknown one.
    """
    if not isinstance(library, str):
        kind = "a str or None" if or_none else "a str"
        raise TypeError(f"library must be {kind}, got {type(library).__name__}")
    name = ALIASES.get(library, library)
    if name not in names:
        known = ", ".join(map(repr, names))
        aliases = ", ".join(f"{a!r} for {n!r}" for a, n in ALIASES.items())
        raise ValueError(f"library must be one of {known} (or {aliases}); got {library!r}")
    return name


def convention(library: str) -> Convention:
    """The :class:`Convention` of one library's RMSprop.

    Args:
        library: a short name of :data:`CONVENTIONS` (``"torch"``, ``"tf1"``, ...) or
            an alias of :data:`ALIASES`, so a case's own ``case["library"]`` works too.

    Raises:
        TypeError: if library is not a str; ValueError: for an unknown name.

    Example:
        >>> c = convention("torch")
        >>> c.beta_name, c.beta, c.eps_in_sqrt
        ('alpha', 0.99, False)
        >>> convention("tensorflow") is convention("tf1")   # a TF1 case's "library"
        True
    """
    return CONVENTIONS[_library(library, CONVENTIONS)]


# ------------------------------------------------------------------- the data


def _golden_file(library: str) -> Path:
    if not DATA_DIR.is_dir():
        raise FileNotFoundError(
            f"the golden data folder {DATA_DIR} does not exist: the trajectories live in "
            "the repository's tests/data, not in the installed package. Work in a clone "
            "of the course and install it editable (pip install -e .)"
        )
    return DATA_DIR / f"golden_{library}.json"


def golden_cases(library: str | None = None) -> list[dict]:
    """The stored golden cases of one library, or of every library that has a file.

    Each case is a dict with ``id`` (it starts with the library's short name),
    ``library`` and ``version`` (the installed package and its version:
    ``"tensorflow"`` for ``"tf1"``, see :data:`ALIASES`), ``call`` (the library
    call, as a string), ``rmsnotes`` (``{"optimizer": ..., "kwargs": {...}}``, the
    equivalent rmsnotes call), ``problem``, ``x0``, ``steps`` and ``xs`` (the
    recorded points, ``steps + 1`` rows). See ``tools/make_golden.py``.

    Args:
        library: one of :data:`LIBRARIES` (or an alias of :data:`ALIASES`), or None
            for all of them (those without a file are skipped; a library named
            explicitly must have one).

    Raises:
        TypeError: if library is neither a str nor None.
        ValueError: for an unknown library name.
        FileNotFoundError: when the data folder, or the named library's file, is
            missing (the message says where it was looked for).

    Example:
        >>> cases = golden_cases("torch")
        >>> cases[0]["id"], cases[0]["call"]
        ('torch-RMSprop-plain-quadratic', 'torch.optim.RMSprop([x], lr=0.3)')
    """
    cases = []
    for name in LIBRARIES if library is None else (_library(library, LIBRARIES, or_none=True),):
        path = _golden_file(name)
        if not path.exists():
            if library is None:
                continue
            raise FileNotFoundError(f"no golden data for {name!r}: {path} does not exist")
        cases += json.loads(path.read_text())["cases"]
    return cases


# -------------------------------------------------------------------- problems


def gradient_function(problem: Mapping[str, Any]) -> Callable[[Any], np.ndarray]:
    """The gradient of a case's problem, in platform-independent float64 arithmetic.

    Kinds (the parameters are in the problem dict):

    - ``"quadratic"``: f = 0.5 * sum(a_i x_i^2), so g_i = a_i x_i;
    - ``"rosenbrock"``: f = (a - u)^2 + b (v - u^2)^2;
    - ``"least_squares"``: f = |X w - y|^2 / (2 n), g = X^T (X w - y) / n.

    Each product is a correctly rounded Python float operation and each sum a
    ``math.fsum`` (exactly rounded), so the result does not depend on the CPU or the
    BLAS: these are the gradients ``tools/make_golden.py`` gave every library.

    Example:
        >>> grad = gradient_function({"kind": "quadratic", "a": [0.2, 4.0]})
        >>> grad([1.0, -0.5])
        array([ 0.2, -2. ])
    """
    if not isinstance(problem, Mapping) or "kind" not in problem:
        raise TypeError(f"problem must be a dict with a 'kind', got {problem!r}")
    kind = problem["kind"]
    if kind == "quadratic":
        a = [float(ai) for ai in problem["a"]]

        def grad(x):
            return np.array([ai * float(xi) for ai, xi in zip(a, x, strict=True)])

    elif kind == "rosenbrock":
        a, b = float(problem["a"]), float(problem["b"])

        def grad(x):
            u, v = float(x[0]), float(x[1])
            r = v - u * u
            return np.array([-2.0 * (a - u) - 4.0 * b * u * r, 2.0 * b * r])

    elif kind == "least_squares":
        X = [[float(e) for e in row] for row in problem["X"]]
        y = [float(e) for e in problem["y"]]
        n = len(y)

        def grad(w):
            w = [float(e) for e in w]
            res = [
                math.fsum(xij * wj for xij, wj in zip(row, w, strict=True)) - yi
                for row, yi in zip(X, y, strict=True)
            ]
            return np.array(
                [
                    math.fsum(row[j] * ri for row, ri in zip(X, res, strict=True)) / n
                    for j in range(len(w))
                ]
            )

    else:
        raise ValueError(
            f"unknown problem kind {kind!r}; known: 'quadratic', 'rosenbrock', 'least_squares'"
        )
    return grad


# ---------------------------------------------------------------------- replay


def _check_case(case: Any) -> Mapping[str, Any]:
    if not isinstance(case, Mapping):
        raise TypeError(f"case must be a golden case (a dict from golden_cases), got {case!r}")
    missing = [k for k in _CASE_KEYS if k not in case]
    if missing:
        raise ValueError(f"case {case.get('id', '?')!r} lacks {', '.join(missing)}")
    return case


def replay_case(case: Mapping[str, Any], **changes: Any) -> optim.History:
    """Rerun a golden case with rmsnotes: the optimizer it names, on its problem.

    Builds ``optim.<case["rmsnotes"]["optimizer"]>(**kwargs)`` with the recorded
    kwargs (``changes`` overrides some, e.g. ``eps_in_sqrt=False``, to see what a
    different convention would have done) and runs it from ``x0`` for the case's
    ``steps`` on :func:`gradient_function` of its problem. The library's own points
    are ``case["xs"]``; compare with :func:`relative_difference`.

    Not ``optim.replay``, which turns a recorded *gradient* sequence into a
    ``grad_fn``: this reruns a whole case, problem and optimizer included.

    Raises:
        TypeError: if case is not a dict; ValueError: if it lacks a key or names an
            optimizer rmsnotes does not have.

    Example:
        >>> case = golden_cases("torch")[0]
        >>> hist = replay_case(case)
        >>> hist.xs.shape, relative_difference(case, hist.xs) < 1e-12
        ((51, 2), True)
    """
    case = _check_case(case)
    spec = case["rmsnotes"]
    name = spec.get("optimizer") if isinstance(spec, Mapping) else None
    if name not in _OPTIMIZERS:
        raise ValueError(f"case {case['id']!r} names optimizer {name!r}; known: {_OPTIMIZERS}")
    opt = getattr(optim, name)(**{**spec["kwargs"], **changes})
    return optim.run(opt, gradient_function(case["problem"]), case["x0"], case["steps"])


def relative_difference(case: Mapping[str, Any], xs: Any) -> float:
    """The largest difference between ``xs`` and the case's recorded points, relative.

    Each coordinate's difference is divided by its recorded size, or by 1% of the
    trajectory's largest coordinate if that is larger (a coordinate passing near 0
    has an error of some ulps of the trajectory's scale, not of its own tiny size)::

        max |xs - golden| / max(|golden|, 0.01 * max|golden|)

    Example:
        >>> case = {"id": "demo", "rmsnotes": {}, "problem": {}, "x0": [1.0], "steps": 1,
        ...         "xs": [[1.0], [0.5]]}
        >>> relative_difference(case, [[1.0], [0.75]])   # 0.25 / 0.5
        0.5
    """
    golden = np.asarray(_check_case(case)["xs"], dtype=np.float64)
    xs = _validate.real_array("xs", xs)
    if xs.shape != golden.shape:
        raise ValueError(f"xs has shape {xs.shape}, the case's points {golden.shape}")
    floor = 0.01 * np.abs(golden).max()
    return float((np.abs(xs - golden) / np.maximum(np.abs(golden), floor)).max())
