"""rmsnotes.frameworks: the stored trajectories replayed, the conventions table checked."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import assert_import_changes_nothing

from rmsnotes import frameworks, optim

CASES = frameworks.golden_cases()
RMSPROP_CASES = [c for c in CASES if c["rmsnotes"]["optimizer"] == "rmsprop"]


def _params(cases):
    return [pytest.param(c, id=c["id"]) for c in cases]


# --------------------------------------------------------------------- replay


@pytest.mark.parametrize("case", _params(CASES))
def test_replay_matches_every_stored_case(case):
    golden = np.array(case["xs"], dtype=np.float64)
    hist = frameworks.replay_case(case)
    assert isinstance(hist, optim.History)
    assert hist.optimizer.name == case["rmsnotes"]["optimizer"]
    np.testing.assert_allclose(
        hist.xs, golden, rtol=1e-12, atol=1e-14 * np.abs(golden).max(), err_msg=case["call"]
    )
    assert frameworks.relative_difference(case, hist.xs) <= 1e-12


def test_every_library_with_data_is_read():
    libraries = {c["id"].split("-", 1)[0] for c in CASES}
    assert {"torch", "keras", "optax", "tf1", "timm"} <= libraries
    for library in libraries:
        cases = frameworks.golden_cases(library)
        assert cases and all(c["id"].startswith(library + "-") for c in cases)
    assert sum(len(frameworks.golden_cases(lib)) for lib in libraries) == len(CASES)


def test_a_changed_convention_is_far_from_the_library():
    case = next(c for c in CASES if c["id"] == "torch-RMSprop-alpha0.5-eps1e-3-quadratic")
    assert frameworks.relative_difference(case, frameworks.replay_case(case).xs) <= 1e-12
    flipped = frameworks.replay_case(case, eps_in_sqrt=True)
    assert frameworks.relative_difference(case, flipped.xs) > 1e-6


def test_gradient_function_kinds():
    quad = frameworks.gradient_function({"kind": "quadratic", "a": [0.2, 4.0]})
    np.testing.assert_array_equal(quad([1.0, -0.5]), [0.2, -2.0])
    rosen = frameworks.gradient_function({"kind": "rosenbrock", "a": 1.0, "b": 100.0})
    np.testing.assert_array_equal(rosen([1.0, 1.0]), [0.0, 0.0])  # the minimum
    X, y = [[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]], [1.0, 3.0, 5.0]
    lsq = frameworks.gradient_function({"kind": "least_squares", "X": X, "y": y})
    np.testing.assert_allclose(lsq([1.0, 2.0]), [0.0, 0.0], atol=0)  # the exact fit
    np.testing.assert_allclose(lsq([0.0, 0.0]), -np.array(X).T @ np.array(y) / 3, rtol=1e-15)


# ---------------------------------------------------------------- conventions


def _passed(call: str, name: str) -> bool:
    return re.search(rf"\b{name}=", call) is not None


@pytest.mark.parametrize("case", _params(RMSPROP_CASES))
def test_conventions_agree_with_the_golden_kwargs(case):
    """What the glossary says of each library is what its recorded calls were."""
    library = case["id"].split("-", 1)[0]
    conv = frameworks.convention(library)
    call, kwargs = case["call"], case["rmsnotes"]["kwargs"]
    assert call.startswith(conv.call + "(")
    if not _passed(call, conv.beta_name):
        assert kwargs["beta"] == conv.beta
    if not _passed(call, conv.eps_name):
        assert kwargs["eps"] == conv.eps
    if not _passed(call, "eps_in_sqrt"):
        assert kwargs["eps_in_sqrt"] == conv.eps_in_sqrt
    if not _passed(call, "initial_scale"):
        assert kwargs["initial_accumulator"] == conv.initial_accumulator
    # the passed values, spelled in the library's names, rebuild the recorded kwargs
    passed = {"lr": kwargs["lr"], "centered": kwargs["centered"], "momentum": kwargs["momentum"]}
    for ours, theirs in (("beta", conv.beta_name), ("eps", conv.eps_name)):
        if _passed(call, theirs):
            passed[ours] = kwargs[ours]
    for ours, theirs in (("eps_in_sqrt", "eps_in_sqrt"), ("initial_accumulator", "initial_scale")):
        if _passed(call, theirs):
            passed[ours] = kwargs[ours]
    assert conv.optimizer(**passed).hyperparams == optim.rmsprop(**kwargs).hyperparams


def test_tf1_defaults_are_the_values_passed():
    # make_golden passes TF1's defaults explicitly (as float64 tensors): they must be them
    conv = frameworks.convention("tf1")
    for case in (c for c in RMSPROP_CASES if c["id"].startswith("tf1-")):
        if "decay0.5" not in case["id"]:
            assert case["rmsnotes"]["kwargs"]["beta"] == conv.beta
            assert case["rmsnotes"]["kwargs"]["eps"] == conv.eps


def test_every_library_with_rmsprop_data_has_a_convention():
    libraries = {c["id"].split("-", 1)[0] for c in RMSPROP_CASES}
    assert libraries <= set(frameworks.CONVENTIONS)
    assert set(frameworks.CONVENTIONS) <= set(frameworks.LIBRARIES)


def test_convention_optimizer_defaults_and_changes():
    torch = frameworks.convention("torch").optimizer()
    assert torch.hyperparams["lr"] == 0.01 and torch.hyperparams["beta"] == 0.99
    tf1 = frameworks.convention("tf1").optimizer(0.1, centered=True)
    assert tf1.hyperparams["initial_accumulator"] == 1.0 and tf1.hyperparams["centered"]
    with pytest.raises(ValueError, match="no default learning rate"):
        frameworks.convention("optax").optimizer()
    with pytest.raises(ValueError, match="beta"):
        frameworks.convention("keras").optimizer(0.1, beta=1.5)


# ----------------------------------------------------------- PyTorch, centered


def test_torch_centered_failure_replayed():
    """PyTorch's centered RMSprop on a constant gradient: steps explode, then NaN.
    rmsnotes follows it while v - m^2 is well above rounding, and fails the same way."""
    record = json.loads((frameworks.DATA_DIR / "torch_centered_failure.json").read_text())
    s = record["settings"]
    assert (s["alpha"], s["eps"], s["centered"]) == (0.99, 1e-8, True)
    xs = np.array(record["xs"])
    opt = optim.rmsprop(lr=s["lr"], beta=s["alpha"], eps=s["eps"], centered=True)
    with np.errstate(invalid="ignore"):
        hist = optim.run(opt, lambda x: np.full_like(x, record["gradient"]), [0.0], 3400)
    mine = hist.xs[:, 0]
    np.testing.assert_allclose(mine[:501], xs[:501], rtol=1e-12)
    torch_steps = np.abs(np.diff(xs)) / s["lr"]
    assert torch_steps.max() > 1e6  # a step a million times lr
    first_nan = int(np.argmax(np.isnan(mine)))
    assert first_nan > 0 and abs(first_nan - record["first_nan_step"]) <= 5
    assert np.min(record["v_minus_m2"]) < 1e-16  # what torch took the root of, at the end


# ------------------------------------------------------------------ bad input


def test_bad_input():
    with pytest.raises(ValueError, match="library must be one of"):
        frameworks.golden_cases("jax")
    with pytest.raises(ValueError, match="library must be one of"):
        frameworks.convention("pytorch")
    with pytest.raises(TypeError, match="golden case"):
        frameworks.replay_case("torch-RMSprop-plain-quadratic")
    with pytest.raises(ValueError, match="lacks"):
        frameworks.replay_case({"id": "x", "rmsnotes": {}})
    case = dict(CASES[0], rmsnotes={"optimizer": "lion", "kwargs": {}})
    with pytest.raises(ValueError, match="optimizer 'lion'"):
        frameworks.replay_case(case)
    with pytest.raises(ValueError, match="unknown problem kind"):
        frameworks.gradient_function({"kind": "rastrigin"})
    with pytest.raises(TypeError, match="kind"):
        frameworks.gradient_function([1.0])
    with pytest.raises(ValueError, match="shape"):
        frameworks.relative_difference(CASES[0], np.zeros((3, 2)))


def test_a_library_that_is_not_a_string_is_a_type_error():
    for bad in (3, 1.0, b"torch", ("torch",)):
        with pytest.raises(TypeError, match=rf"library must be a str, got {type(bad).__name__}"):
            frameworks.convention(bad)
        with pytest.raises(TypeError, match=r"library must be a str or None, got"):
            frameworks.golden_cases(bad)


def test_a_case_names_its_package_and_convention_reads_it():
    """A case's "library" is the package it ran (TF1's is "tensorflow"): an alias."""
    assert {c["library"] for c in CASES} - set(frameworks.LIBRARIES) == {"tensorflow"}
    for case in RMSPROP_CASES:
        short = case["id"].split("-", 1)[0]
        assert frameworks.ALIASES.get(case["library"], case["library"]) == short
        assert frameworks.convention(case["library"]) is frameworks.convention(short)
    assert frameworks.golden_cases("tensorflow") == frameworks.golden_cases("tf1")
    assert set(frameworks.ALIASES.values()) <= set(frameworks.CONVENTIONS)
    assert not set(frameworks.ALIASES) & set(frameworks.LIBRARIES)
    with pytest.raises(ValueError, match="'tensorflow' for 'tf1'"):
        frameworks.convention("tf")


def test_the_generator_keeps_no_copy_of_the_library_list():
    """tools/make_golden.py reads LIBRARIES from here, runs each, and names the packages
    the way ALIASES reads them back."""
    path = Path(__file__).resolve().parents[1] / "tools" / "make_golden.py"
    source = path.read_text()
    assert "from rmsnotes.frameworks import LIBRARIES" in source
    assert re.search(r"^LIBRARIES\s*=", source, re.MULTILINE) is None
    spec = importlib.util.spec_from_file_location("make_golden", path)
    make_golden = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_golden)
    assert set(make_golden.RUNNERS) == set(frameworks.LIBRARIES)
    renamed = {pkg: lib for lib, pkg in make_golden.IMPORT_NAMES.items() if pkg != lib}
    assert renamed == dict(frameworks.ALIASES)


def test_missing_data_folder_says_why(monkeypatch, tmp_path):
    monkeypatch.setattr(frameworks, "DATA_DIR", tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="editable"):
        frameworks.golden_cases()
    monkeypatch.setattr(frameworks, "DATA_DIR", tmp_path)
    assert frameworks.golden_cases() == []
    with pytest.raises(FileNotFoundError, match="no golden data for 'torch'"):
        frameworks.golden_cases("torch")


def test_import_changes_nothing():
    assert_import_changes_nothing("rmsnotes.frameworks")
