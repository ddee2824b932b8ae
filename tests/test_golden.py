"""rmsnotes.optim against golden trajectories recorded from the real libraries.

``tests/data/golden_<library>.json`` hold float64 trajectories of ``torch.optim``
(RMSprop, Adagrad, Adadelta, Adam with and without AMSGrad, SGD with and without
Nesterov), Keras 3 (RMSprop, Adagrad), optax (rmsprop, adagrad) and TF1 (``tf.compat.v1.train.RMSPropOptimizer``,
``AdagradOptimizer``) and timm (``RMSpropTF``), made by ``tools/make_golden.py`` (see its
docstring for the venv and the command), and each library's default RMSprop on a problem
with tiny gradients, where their conventions diverge
(``test_tiny_gradient_conventions_visibly_diverge``). Each case
records the library call and the ``rmsnotes`` call claimed to be equivalent; this test
replays the latter with NumPy only and demands agreement to rtol=1e-12 at every step.

Tolerance. The libraries and rmsnotes evaluate the same formulas in different
operation orders (torch's lerp for the centered mean, TF1's ``ms += (g^2 - ms)(1 -
rho)``, optax's ``rsqrt`` and learning rate inside the momentum trace, Keras's
``lr * g / sqrt``), so the points differ in the last bits: 40 of the 131 trajectories
are bit-identical, the largest relative difference is 1.2e-14 on coordinates above
1% of the trajectory's scale and 1e-13 on smaller ones (except values of order
1e-16 left by cancellation, covered by atol below), and no point uses more than 1%
of its tolerance.
``tools/make_golden.py`` refuses trajectories that amplify such last-bit differences
(RMSprop near the edge of stability can multiply them by 5 a step); its recorded
``sensitivity``, the deviation that 4-ulp errors per step would cause, is below
1e-13 for every case. So rtol = 1e-12 leaves a tenfold margin and still catches any
difference of convention: eps on the other side of the root, or another starting
accumulator, shifts the points far more (``test_wrong_convention_is_rejected``).
The absolute part is there only for coordinates that pass near 0 (the quadratic's
minimum is at 0; a coordinate reaches 1e-20 there while the other is of order 1, and
SGD with momentum lands one on 1e-16 by cancellation): such a value is the
difference of terms as large as the trajectory, so its error is some ulps of
max|xs|, not of itself. atol = 1e-14 * max|xs| of the case is 45 ulps of that scale;
the largest need seen is 2.2e-17 * max|xs| (one coordinate in two cases).
"""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pytest

from rmsnotes import frameworks, optim

DATA = Path(__file__).resolve().parent / "data"
LIBRARIES = frameworks.LIBRARIES  # golden_<library>.json must exist for each
RTOL = 1e-12
ATOL_PER_SCALE = 1e-14
MAX_SENSITIVITY = 1e-13  # the limit tools/make_golden.py enforces

# Loaded and replayed with rmsnotes.frameworks, as notebook 07 does: its gradient_function
# is the very function tools/make_golden.py handed every library.
CASES = frameworks.golden_cases()
ADAPTIVE = [c for c in CASES if c["rmsnotes"]["optimizer"] in ("rmsprop", "adagrad")]


def _replay(case: dict, **override) -> np.ndarray:
    return frameworks.replay_case(case, **override).xs


def test_the_generator_hands_the_libraries_the_package_gradients():
    """tools/make_golden.py keeps no copy of the gradients: it imports the function the
    replays use, so replaying with it replays what the libraries saw."""
    source = (Path(__file__).resolve().parents[1] / "tools" / "make_golden.py").read_text()
    assert "from rmsnotes.frameworks import gradient_function" in source
    assert "def gradient_function" not in source


def _tolerance(golden: np.ndarray) -> dict:
    return {"rtol": RTOL, "atol": ATOL_PER_SCALE * np.abs(golden).max()}


def _params(cases):
    return [pytest.param(c, id=c["id"]) for c in cases]


# ------------------------------------------------------------------- the trajectories


@pytest.mark.parametrize("case", _params(CASES))
def test_matches_library(case):
    golden = np.array(case["xs"], dtype=np.float64)
    assert golden.shape == (case["steps"] + 1, len(case["x0"]))
    assert golden[0].tolist() == case["x0"]
    assert case["sensitivity"] <= MAX_SENSITIVITY, "regenerate with a better case"
    xs = _replay(case)
    np.testing.assert_allclose(xs, golden, **_tolerance(golden), err_msg=case["call"])


def _variants() -> dict[str, list[dict]]:
    """The adaptive cases grouped by library call, e.g. ``torch-RMSprop-centered``."""
    groups: dict[str, list[dict]] = {}
    for case in ADAPTIVE:
        groups.setdefault(case["id"].rsplit("-", 1)[0], []).append(case)
    return groups


def _wrong_conventions() -> list:
    """Each adaptive library call with one convention changed."""
    params = []
    for variant, cases in _variants().items():
        kw = cases[0]["rmsnotes"]["kwargs"]
        if kw["eps"] > 0:
            flip = {"eps_in_sqrt": not kw["eps_in_sqrt"]}
            params.append(pytest.param(cases, flip, id=f"{variant}-eps_in_sqrt-flipped"))
        start = {"initial_accumulator": 0.0 if kw["initial_accumulator"] else 0.1}
        params.append(pytest.param(cases, start, id=f"{variant}-initial_accumulator"))
    return params


@pytest.mark.parametrize(("cases", "change"), _wrong_conventions())
def test_wrong_convention_is_rejected(cases, change):
    """The golden data pins each convention: with eps on the wrong side of the root, or
    another starting accumulator, some problem of that library call misses by more
    than the tolerance. (Not necessarily every problem: eps = 1e-10 next to Rosenbrock's
    gradients of order 100 changes no bit.)"""
    missed = []
    for case in cases:
        golden = np.array(case["xs"], dtype=np.float64)
        xs = _replay(case, **change)
        if not np.allclose(xs, golden, **_tolerance(golden)):
            missed.append(case["id"])
    assert missed, f"{change} still reproduces every problem of this call"


# ----------------------------------------------------------- coverage and the claims


def test_every_library_has_golden_data():
    for library in LIBRARIES:
        assert (DATA / f"golden_{library}.json").exists(), library
    assert {c["problem"]["kind"] for c in CASES} == {
        "quadratic",
        "rosenbrock",
        "least_squares",
    }


@pytest.mark.parametrize("name", ["rmsprop", "adagrad", "adadelta", "sgd"])
def test_every_option_is_covered(name):
    """Every parameter of rmsprop/adagrad/adadelta/sgd takes a non-default value in some case, and
    each flag is seen both on and off, so the coverage cannot silently shrink (a new
    parameter of rmsnotes fails here until some golden case exercises it)."""
    signature = inspect.signature(getattr(optim, name))
    used = [c["rmsnotes"]["kwargs"] for c in CASES if c["rmsnotes"]["optimizer"] == name]
    for param in signature.parameters.values():
        values = {kw.get(param.name, param.default) for kw in used}
        assert values - {param.default}, f"{name}({param.name}=...) never varied"
        if isinstance(param.default, bool):
            assert values == {True, False}, f"{name}({param.name}) seen only as {values}"
    if name == "rmsprop":
        assert any(kw["centered"] and kw["momentum"] > 0 for kw in used)
        assert any(kw["eps_in_sqrt"] and kw["initial_accumulator"] > 0 for kw in used)


# What rmsnotes.optim's docstring and the course plan claim, per library optimizer:
# the rmsnotes optimizer, and the settings a call that does not pass them gets. The
# recorded kwargs were read back from the library objects (defaults included), and
# test_matches_library shows they reproduce the library.
CLAIMS = {
    "torch.optim.RMSprop": (
        "rmsprop",
        {"eps_in_sqrt": False, "initial_accumulator": 0.0, "beta": 0.99, "eps": 1e-8},
    ),
    "keras.optimizers.RMSprop": (
        "rmsprop",
        {"eps_in_sqrt": True, "initial_accumulator": 0.0, "beta": 0.9, "eps": 1e-7},
    ),
    "optax.rmsprop": (
        "rmsprop",
        {"eps_in_sqrt": True, "initial_accumulator": 0.0, "beta": 0.9, "eps": 1e-8},
    ),
    "tf.compat.v1.train.RMSPropOptimizer": (
        "rmsprop",
        {"eps_in_sqrt": True, "initial_accumulator": 1.0, "beta": 0.9, "eps": 1e-10},
    ),
    "torch.optim.Adagrad": (
        "adagrad",
        {"eps_in_sqrt": False, "initial_accumulator": 0.0, "eps": 1e-10},
    ),
    "keras.optimizers.Adagrad": (
        "adagrad",
        {"eps_in_sqrt": True, "initial_accumulator": 0.1, "eps": 1e-7},
    ),
    "optax.adagrad": ("adagrad", {"eps_in_sqrt": True, "initial_accumulator": 0.1, "eps": 1e-7}),
    "tf.compat.v1.train.AdagradOptimizer": (
        "adagrad",
        {"initial_accumulator": 0.1, "eps": 0.0},
    ),
    "torch.optim.Adam": ("adam", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
    "torch.optim.SGD": ("sgd", {}),
    "torch.optim.Adadelta": ("adadelta", {"beta": 0.9, "eps": 1e-6}),
    "timm.optim.RMSpropTF": (
        "rmsprop",
        {"eps_in_sqrt": True, "initial_accumulator": 1.0, "beta": 0.9, "eps": 1e-10},
    ),
}
# The library's name for each rmsnotes setting, to tell whether a call passed it.
LIBRARY_NAMES = {
    "eps_in_sqrt": ("eps_in_sqrt",),
    "initial_accumulator": ("initial_accumulator_value", "initial_scale"),
    "beta": ("alpha", "rho", "decay"),
    "eps": ("eps", "epsilon"),
    "beta1": ("betas",),
    "beta2": ("betas",),
}


@pytest.mark.parametrize("case", _params(CASES))
def test_mapping_claims(case):
    function, args = case["call"].split("(", 1)
    optimizer, defaults = CLAIMS[function]
    assert case["rmsnotes"]["optimizer"] == optimizer
    kwargs = case["rmsnotes"]["kwargs"]
    for setting, value in defaults.items():
        if not any(f"{name}=" in args for name in LIBRARY_NAMES[setting]):
            assert kwargs[setting] == value, f"{function} default {setting}"


# ------------------------------------------------------------------------ AMSGrad

AMSGRAD = [c for c in CASES if c["call"].startswith("torch.optim.Adam(") and "amsgrad" in c["id"]]


def test_amsgrad_cases_cover_every_problem_and_are_not_plain_adam():
    """torch's Adam(amsgrad=True) on every problem, replayed by adam(amsgrad=True); each
    call's trajectories are not plain Adam's: with amsgrad=False some problem misses
    by far more than the tolerance, so the running maximum is exercised (not only a v
    that never decreases)."""
    calls = {c["id"].rsplit("-", 1)[0] for c in AMSGRAD}
    assert calls == {"torch-Adam-amsgrad", "torch-Adam-amsgrad-betas0.5-0.9-eps1e-3"}
    assert {c["problem"]["kind"] for c in AMSGRAD} == {"quadratic", "rosenbrock", "least_squares"}
    for case in AMSGRAD:
        assert "amsgrad=True" in case["call"]
        assert case["rmsnotes"]["kwargs"]["amsgrad"] is True
    plain = [c for c in CASES if c["call"].startswith("torch.optim.Adam(") and c not in AMSGRAD]
    assert plain and all("amsgrad" not in c["rmsnotes"]["kwargs"] for c in plain)
    for call in calls:
        far = []
        for case in (c for c in AMSGRAD if c["id"].startswith(call + "-")):
            golden = np.array(case["xs"])
            xs = _replay(case, amsgrad=False)
            if not np.allclose(xs, golden, rtol=1e-6):
                far.append(case["id"])
        assert far, f"{call}: plain Adam reproduces every problem"


# ------------------------------------------------ where the library defaults diverge

TINY = {c["library"]: c for c in CASES if c["id"].endswith("-defaults-tiny_gradient")}


def test_tiny_gradient_case_runs_each_librarys_default_rmsprop():
    assert sorted(TINY) == ["keras", "optax", "tensorflow", "timm", "torch"]
    for case in TINY.values():
        assert case["problem"] == {"kind": "quadratic", "a": [1e-6, 1e-2]}
        args = case["call"].split("(", 1)[1]
        if case["library"] != "tensorflow":  # only the learning rate is passed
            assert args in ("[x], lr=0.01)", "learning_rate=0.01)"), case["call"]
        else:  # TF1's own defaults, passed as float64 tensors (see make_golden's setup)
            for value in ("decay=tf.constant(0.9,", "momentum=tf.constant(0.0,", "1e-10"):
                assert value in args


def test_tiny_gradient_conventions_visibly_diverge():
    """One problem, four defaults, three behaviours (tools/make_golden.py, TINY):
    x's gradients are about 1e-6 and y's 1e-2."""
    xs = {lib: np.array(c["xs"]) for lib, c in TINY.items()}
    lr = TINY["torch"]["rmsnotes"]["kwargs"]["lr"]
    travel = {lib: np.abs(x[-1] - x[0]) for lib, x in xs.items()}  # per coordinate
    first = {lib: np.abs(x[1] - x[0]) for lib, x in xs.items()}
    # eps outside the root (torch): x moves as far as y, with steps of about lr
    assert travel["torch"][0] > 0.9 and travel["torch"][0] > 0.9 * travel["torch"][1]
    assert np.all(first["torch"] > lr)
    # eps inside (Keras 1e-7, optax 1e-8): sqrt(eps) floors the divisor, x barely moves
    for lib in ("keras", "optax"):
        assert travel["torch"][0] > 10 * travel[lib][0], lib
        assert first[lib][0] < 0.02 * lr and first[lib][1] > lr
        assert travel[lib][1] > 0.5 * travel["torch"][1]  # y is not held back
    assert travel["optax"][0] > 2 * travel["keras"][0]  # the floor 1e-4 against 3.2e-4
    # TF1 starts v at 1: its first steps are about lr * g in both coordinates
    assert np.all(first["tensorflow"] < 0.02 * lr)
    assert travel["tensorflow"][1] < 0.5 * travel["keras"][1]
    assert travel["tensorflow"][0] < travel["keras"][0]
    # timm's RMSpropTF behaves "like Tensorflow": its defaults are TF1's
    np.testing.assert_allclose(xs["timm"], xs["tensorflow"], rtol=1e-12)
    assert not np.allclose(xs["timm"], xs["torch"], rtol=0.1)


def test_timm_lr_in_momentum_changes_nothing_at_a_constant_lr():
    """timm's RMSpropTF keeps lr inside the momentum buffer (TF1's b = mu b + lr g / d,
    x -= b) by default, and outside with lr_in_momentum=False (PyTorch's b = mu b + g / d,
    x -= lr b). With a constant lr the buffers differ by the factor lr and the points do
    not (up to rounding), so both cases replay with one rmsnotes call; only a schedule
    that changes lr between steps would tell them apart."""
    by_id = {c["id"]: c for c in CASES if c["library"] == "timm"}
    for problem in ("quadratic", "rosenbrock", "least_squares"):
        inside = by_id[f"timm-RMSpropTF-momentum-lr_in_momentum-{problem}"]
        outside = by_id[f"timm-RMSpropTF-momentum-lr_outside-{problem}"]
        assert "lr_in_momentum=True" in inside["call"]
        assert "lr_in_momentum=False" in outside["call"]
        assert inside["rmsnotes"] == outside["rmsnotes"]
        golden = np.array(inside["xs"])
        np.testing.assert_allclose(outside["xs"], golden, **_tolerance(golden))
