"""Measure the optimizer state PyTorch keeps per parameter, and compare with rmsnotes.

    /tmp/golden-venv/bin/python tools/measure_state_memory.py     # from the repo root

needs PyTorch (the course's .venv does not have it: use the throw-away venv that
``tools/make_golden.py`` describes, or any Python with torch; rmsnotes, which needs
only NumPy, is imported from this checkout if it is not installed). For each optimizer configuration in ``CONFIGS`` it
builds the ``torch.optim`` optimizer on one float32 parameter of ``N`` elements, takes
one step (gradient 1 everywhere) and records what ``optimizer.state[p]`` then holds:
each entry's name, dtype, numel and bytes (``step``, where torch keeps one, is a
1-element tensor per parameter tensor, not per element). It writes
``tests/data/state_memory_torch.json`` (sorted keys, no timestamps: the same torch
gives the same file) and prints a table beside rmsnotes' own count,
``optim.state_nbytes(opt.init(np.zeros(N, np.float32))) / N``.

``tests/test_state_memory.py`` reads the JSON with NumPy only and checks that each
rmsnotes configuration holds as many arrays as torch holds tensors per parameter
(``step`` aside). The one difference: rmsnotes' AdaDelta state keeps a third array,
the divisor of the last update, only so that ``rate(state)`` can report it (see
``optim.AdadeltaState``); its update, like torch's, needs two.

The file in ``tests/data`` was made with torch 2.13.0+cpu (Python 3.11, Linux x86-64).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "state_memory_torch.json"
N = 1000  # elements of the one parameter tensor

# name -> (torch.optim class, its kwargs, rmsnotes.optim factory, its kwargs).
# The learning rates do not matter here (what is stored does not depend on them).
CONFIGS = {
    "sgd": ("SGD", {"lr": 0.01}, "sgd", {"lr": 0.01}),
    "sgd-momentum": ("SGD", {"lr": 0.01, "momentum": 0.9}, "sgd", {"lr": 0.01, "momentum": 0.9}),
    "sgd-nesterov": (
        "SGD",
        {"lr": 0.01, "momentum": 0.9, "nesterov": True},
        "sgd",
        {"lr": 0.01, "momentum": 0.9, "nesterov": True},
    ),
    "adagrad": ("Adagrad", {"lr": 0.01}, "adagrad", {"lr": 0.01}),
    "rmsprop": ("RMSprop", {"lr": 0.01}, "rmsprop", {"lr": 0.01}),
    "rmsprop-centered": (
        "RMSprop",
        {"lr": 0.01, "centered": True},
        "rmsprop",
        {"lr": 0.01, "centered": True},
    ),
    "rmsprop-momentum": (
        "RMSprop",
        {"lr": 0.01, "momentum": 0.9},
        "rmsprop",
        {"lr": 0.01, "momentum": 0.9},
    ),
    "rmsprop-centered-momentum": (
        "RMSprop",
        {"lr": 0.01, "centered": True, "momentum": 0.9},
        "rmsprop",
        {"lr": 0.01, "centered": True, "momentum": 0.9},
    ),
    "adam": ("Adam", {"lr": 0.001}, "adam", {"lr": 0.001}),
    "adam-amsgrad": (
        "Adam",
        {"lr": 0.001, "amsgrad": True},
        "adam",
        {"lr": 0.001, "amsgrad": True},
    ),
    "adadelta": ("Adadelta", {"lr": 1.0}, "adadelta", {"lr": 1.0}),
}


def _call(cls: str, kwargs: dict) -> str:
    return f"torch.optim.{cls}([p], {', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def measure_torch(n: int = N) -> dict:
    """What torch.optim keeps for one float32 parameter of n elements, after one step."""
    import torch

    configs = {}
    for name, (cls, kwargs, _, _) in CONFIGS.items():
        p = torch.zeros(n, dtype=torch.float32, requires_grad=True)
        opt = getattr(torch.optim, cls)([p], **kwargs)
        p.grad = torch.ones(n, dtype=torch.float32)
        opt.step()
        entries = {}
        for key, value in opt.state[p].items():
            if torch.is_tensor(value):
                entries[key] = {
                    "dtype": str(value.dtype).removeprefix("torch."),
                    "numel": value.numel(),
                    "shape": list(value.shape),
                    "bytes": value.numel() * value.element_size(),
                }
            else:  # e.g. a momentum buffer of None: recorded, holds no tensor
                entries[key] = {"type": type(value).__name__, "bytes": 0}
        step = entries.get("step")
        if step is not None and step.get("numel") != 1:
            sys.exit(f"measure_state_memory: {name}: torch's step is not one number: {step}")
        per_element = [k for k, e in entries.items() if k != "step" and e.get("numel") == n]
        others = [k for k, e in entries.items() if k != "step" and e.get("numel") not in (n, None)]
        if others:
            sys.exit(f"measure_state_memory: {name}: unexpected state {others}: {entries}")
        array_bytes = sum(entries[k]["bytes"] for k in per_element)
        configs[name] = {
            "call": _call(cls, kwargs),
            "state": entries,
            "per_parameter_tensors": sorted(per_element),
            "bytes_per_parameter": array_bytes / n,
            "bytes_total": sum(e["bytes"] for e in entries.values()),
        }
    return {
        "generated_by": "tools/measure_state_memory.py",
        "torch": torch.__version__,
        "parameter": {"dtype": "float32", "numel": n},
        "setup": "p = torch.zeros(n, dtype=torch.float32, requires_grad=True); opt = "
        "<call>; p.grad = torch.ones(n); opt.step(); then read opt.state[p]",
        "note": "bytes_per_parameter counts the tensors with one entry per element of p; "
        "'step' (where kept) is one float32 number per parameter tensor, in bytes_total",
        "configs": configs,
    }


def rmsnotes_bytes_per_parameter(name: str, n: int = N) -> tuple[float, list[str]]:
    """rmsnotes' ``state_nbytes`` of the configuration's fresh float32 state, per element."""
    try:
        from rmsnotes import optim
    except ImportError:  # a framework venv without the course installed: this checkout
        sys.path.insert(0, str(ROOT))
        from rmsnotes import optim

    _, _, factory, kwargs = CONFIGS[name]
    state = getattr(optim, factory)(**kwargs).init(np.zeros(n, dtype=np.float32))
    arrays = [k for k, v in state._asdict().items() if isinstance(v, np.ndarray)]
    return optim.state_nbytes(state) / n, arrays


def table(data: dict) -> str:
    """Both counts side by side, bytes per float32 parameter element."""
    rows = [
        f"{'configuration':27s} {'torch tensors (besides step)':40s} {'B/param':>7s}   "
        f"{'rmsnotes arrays':17s} {'B/param':>7s}",
    ]
    for name, entry in data["configs"].items():
        mine, arrays = rmsnotes_bytes_per_parameter(name, data["parameter"]["numel"])
        tensors = ", ".join(entry["per_parameter_tensors"]) or "-"
        rows.append(
            f"{name:27s} {tensors:40s} {entry['bytes_per_parameter']:7.0f}   "
            f"{', '.join(arrays) or '-':17s} {mine:7.0f}"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("-n", type=int, default=N, help="elements of the parameter")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error(f"-n must be a whole number >= 1 (elements of the parameter), got {args.n}")
    try:
        import torch  # noqa: F401
    except ImportError as exc:
        sys.exit(
            f"measure_state_memory needs PyTorch, which is not installed here ({exc}).\n"
            "Run it with a Python that has torch, e.g. the throw-away venv of "
            "tools/make_golden.py:\n"
            "    python3 -m venv /tmp/golden-venv && /tmp/golden-venv/bin/pip install torch\n"
            "    /tmp/golden-venv/bin/python tools/measure_state_memory.py"
        )
    data = measure_torch(args.n)
    args.out.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(f"torch {data['torch']}, one float32 parameter of {args.n} elements, after one step")
    print(table(data))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
