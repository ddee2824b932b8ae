"""rmsnotes' optimizer states against the state PyTorch keeps, as measured by
``tools/measure_state_memory.py`` (``tests/data/state_memory_torch.json``; NumPy only here).

For every configuration, an rmsnotes state holds one array per tensor that
``torch.optim`` keeps per parameter element, ``step`` aside (torch's step count is one
number per parameter tensor, as Adam's ``t`` is one int here). The exception is
AdaDelta: rmsnotes keeps a third array, the divisor of the last update, only so that
``rate(state)`` can report it; the arrays its update reads (v, u) are torch's two
(``square_avg``, ``acc_delta``).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from rmsnotes import optim

ROOT = Path(__file__).resolve().parents[1]
DATA = json.loads((ROOT / "tests" / "data" / "state_memory_torch.json").read_text())


def _load_tool():
    """tools/measure_state_memory.py by path: its CONFIGS are what torch was given."""
    path = ROOT / "tools" / "measure_state_memory.py"
    spec = importlib.util.spec_from_file_location("measure_state_memory", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # imports torch only inside its functions
    return module


TOOL = _load_tool()
# rmsnotes' arrays that torch keeps no counterpart of, and why
EXTRA = {"adadelta": {"d"}}  # the last divisor, for rate(state); the update needs v and u
# rmsnotes' array -> torch's state entry, per optimizer
TORCH_NAMES = {
    "sgd": {"b": "momentum_buffer"},
    "adagrad": {"s": "sum"},
    "rmsprop": {"v": "square_avg", "m": "grad_avg", "b": "momentum_buffer"},
    "adam": {"m": "exp_avg", "v": "exp_avg_sq", "vmax": "max_exp_avg_sq"},
    "adadelta": {"v": "square_avg", "u": "acc_delta"},
}


def _state(name: str, n: int, dtype=np.float32):
    _, _, factory, kwargs = TOOL.CONFIGS[name]
    opt = getattr(optim, factory)(**kwargs)
    return factory, opt.update(np.ones(n, dtype), opt.init(np.zeros(n, dtype)))[1]


def test_the_measurement_covers_every_configuration():
    assert set(DATA["configs"]) == set(TOOL.CONFIGS)
    assert DATA["parameter"] == {"dtype": "float32", "numel": DATA["parameter"]["numel"]}
    assert DATA["torch"].startswith("2.")
    # the file is what the tool writes: sorted keys, two-space indent
    text = (ROOT / "tests" / "data" / "state_memory_torch.json").read_text()
    assert text == json.dumps(DATA, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("name", list(TOOL.CONFIGS))
def test_rmsnotes_holds_an_array_for_each_tensor_torch_keeps(name):
    entry, n = DATA["configs"][name], DATA["parameter"]["numel"]
    factory, state = _state(name, n)
    arrays = {k for k, v in state._asdict().items() if isinstance(v, np.ndarray)}
    extra = EXTRA.get(name, set())
    assert extra <= arrays
    mapped = {TORCH_NAMES[factory][k] for k in arrays - extra}
    assert mapped == set(entry["per_parameter_tensors"]), entry["state"]
    for key in entry["per_parameter_tensors"]:
        tensor = entry["state"][key]
        assert (tensor["dtype"], tensor["numel"], tensor["bytes"]) == ("float32", n, 4 * n)
    # bytes: rmsnotes' count is torch's per-element count, plus the extra arrays
    assert optim.state_nbytes(state) == entry["bytes_per_parameter"] * n + 4 * n * len(extra)
    # torch's step is one number per parameter tensor (where kept), not one per element
    if "step" in entry["state"]:
        assert entry["state"]["step"]["numel"] == 1
        assert (
            entry["bytes_total"]
            == entry["bytes_per_parameter"] * n + entry["state"]["step"]["bytes"]
        )


def test_the_headline_numbers():
    """RMSprop keeps half of Adam's state (one float32 array against two), plain SGD none;
    centered RMSprop with momentum keeps more than Adam."""
    per = {name: c["bytes_per_parameter"] for name, c in DATA["configs"].items()}
    assert per["sgd"] == 0 and per["rmsprop"] == 4 and per["adam"] == 8
    assert per["adam-amsgrad"] == 12  # AMSGrad's running maximum: a third array
    assert per["rmsprop-centered-momentum"] == 12 > per["adam"]
    assert per["adadelta"] == 8 and optim.state_nbytes(_state("adadelta", 10)[1]) == 12 * 10
