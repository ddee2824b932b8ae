"""Time one ``rmsprop`` update against a memory-traffic floor and PyTorch.

Run from the repository root (any Python with NumPy; PyTorch is optional)::

    python benchmarks/bench_rmsprop.py               # n = 10^3 .. 10^7, ~1 minute
    python benchmarks/bench_rmsprop.py --quick       # n = 10^3 .. 10^6, fewer rounds
    python benchmarks/bench_rmsprop.py --json out.json

The script always imports the ``rmsnotes`` of the checkout it lives in.

What is timed, for n float64 parameters (the optimizer's default settings,
``rmsprop()``: lr 0.01, beta 0.9, eps 1e-8 outside the root, no centering, no
momentum):

floor
    ``a = np.multiply(g, v); b = np.add(g, a)``: NumPy streaming the memory a *pure*
    update must touch. Purity means the new v and the step are two freshly allocated
    n-arrays (so the floor pays for two allocations and their first-touch page
    faults, as ``rmsprop`` must), and each depends element-wise on the old v and on
    g (the step on g's sign too). A NumPy ufunc call writes one array, so a pure
    NumPy update needs at least two calls writing fresh arrays; with exactly two,
    one must read g and v to make the new v, the other must read g and one of v or
    the new v to make the step: 4 array reads and 2 writes, which is what the floor
    does. Every further call (the real update makes 8 for the default settings,
    each rounded on its own: ``beta * v``, ``g**2``, ``(1 - beta) * ...``, ``+``,
    ``sqrt``, ``+ eps``, ``g / d``, ``-lr * ...``) reads and writes at least one
    more n-array, so no NumPy implementation of the pure update moves less memory.
    It is a floor on memory traffic only: it leaves out the arithmetic (sqrt and
    divide are much slower per element than a multiply, and where the arrays fit in
    cache they alone can cost as much as the floor) and the validation ``rmsprop``
    does (one read pass of g for finiteness, the 0/0 guard when eps is 0). A fused
    compiled kernel could move less (read g and v, write the new v and the step).

    ``rmsprop`` writes its update as plain expressions (``v = beta * v + (1 - beta)
    * g**2``, ``step = -lr * g / d``), and NumPy reuses a temporary operand in place
    where it can, so one call allocates three n-arrays: the new v, the step, and
    one temporary (``g**2``, freed before the divisor is made). The floor allocates
    two; for arrays too large for the C allocator to keep (10^7 doubles with glibc)
    the temporary costs one more array of first-touch page faults per call.
rmsnotes
    ``opt.update(g, state)``, the result discarded, so freeing the returned arrays
    is timed too (as for the floor).
np in-place
    The same arithmetic, checked to be bit-identical to ``rmsnotes`` on the first
    call, but mutating v and writing the step into a preallocated buffer, without
    validation: the update without the cost of purity and checks.
torch
    ``torch.optim.RMSprop(lr=0.01, alpha=0.9, eps=1e-8)`` on one float64 tensor,
    timing only ``opt.step()`` with ``.grad`` preset (in-place; it also adds the
    step to the parameter, and allocates one temporary). Checked to give the same
    update (to 1e-12) first. Twice: ``foreach=False``, and the default
    (``foreach=None``, which picks the same single-tensor path for CPU tensors).
    One thread by default, like NumPy; ``--torch-threads 0`` keeps PyTorch's own
    choice (on a busy two-CPU machine that made small steps erratically slow).

Method: for each n, every candidate is warmed up, then a loop count is chosen so a
sample lasts at least ~20 ms (one call for the big sizes). Then ``rounds`` rounds
run one sample of each candidate, interleaved in a rotated order, with the garbage
collector off; a sample is a ``time.perf_counter`` difference divided by the loop
count. A time in the table is the median over rounds; a ratio is the median of the
per-round ratios (taken in the same round, so a slow phase of a noisy machine hits
both sides). ``--json PATH`` saves every sample, the medians and the minimums.

Page faults: whether a fresh array costs first-touch page faults is up to the C
allocator. With glibc, 10^7 doubles (80 MB) are always a new mmap, so every call
faults; 10^6 (8 MB) may be reused heap or trimmed and re-faulted, depending on the
process's allocation history. The last column gives minor faults per call (from
``resource.getrusage``) for the floor and for rmsnotes, so each row says which
regime it was measured in.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

try:
    import resource
except ImportError:  # not on Windows: no page-fault counts
    resource = None

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rmsnotes import optim  # noqa: E402

try:
    import torch
except ImportError:  # PyTorch is optional
    torch = None

LR, BETA, EPS = 0.01, 0.9, 1e-8  # rmsprop()'s defaults
FULL = {"sizes": [10**k for k in range(3, 8)], "rounds": 25, "sample": 0.02}
QUICK = {"sizes": [10**k for k in range(3, 7)], "rounds": 9, "sample": 0.01}


# ------------------------------------------------------------------ the candidates


def make_candidates(n: int, rng: np.random.Generator) -> dict[str, Callable[[], object]]:
    """One zero-argument callable per candidate, all on the same g and v."""
    g = rng.standard_normal(n)
    opt = optim.rmsprop(LR, BETA, EPS)
    assert opt.hyperparams == optim.rmsprop().hyperparams  # the default settings
    _, state = opt.update(rng.standard_normal(n), opt.init(np.zeros(n)))
    v = state.v

    def floor():
        a = np.multiply(g, v)
        b = np.add(g, a)
        return a, b

    def rmsnotes():
        return opt.update(g, state)

    v_mut = v.copy()
    step_buf = np.empty_like(g)

    def np_inplace(v=v_mut, out=step_buf):
        np.multiply(g, g, out=out)
        out *= 1.0 - BETA
        v *= BETA
        v += out
        np.sqrt(v, out=out)
        out += EPS
        np.divide(g, out, out=out)
        out *= -LR
        return out

    step, new_state = rmsnotes()
    np_inplace()
    if not (np.array_equal(step_buf, step) and np.array_equal(v_mut, new_state.v)):
        raise AssertionError("np in-place does not reproduce rmsnotes bit for bit")

    cands = {"floor": floor, "rmsnotes": rmsnotes, "np in-place": np_inplace}
    if torch is not None:
        for label, foreach in [("torch", False), ("torch default", None)]:
            cands[label] = _torch_step(g, v, foreach, step)
    return cands


def _torch_step(g, v, foreach, expected_step):
    param = torch.zeros(len(g), dtype=torch.float64, requires_grad=True)
    param.grad = torch.from_numpy(g.copy())
    opt = torch.optim.RMSprop([param], lr=LR, alpha=BETA, eps=EPS, foreach=foreach)
    opt.state[param]["step"] = torch.tensor(1.0)
    opt.state[param]["square_avg"] = torch.from_numpy(v.copy())
    opt.step()  # the same update from the same state: check it, then time it
    if not np.allclose(param.detach().numpy(), expected_step, rtol=1e-12, atol=0):
        raise AssertionError("torch.optim.RMSprop does not compute the same update")
    return opt.step


# ------------------------------------------------------------------------- timing


def _faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt if resource else 0


def _sample(fn: Callable[[], object], loops: int) -> tuple[float, float]:
    """Seconds per call, and minor page faults per call."""
    faults = _faults()
    start = time.perf_counter()
    for _ in range(loops):
        fn()
    elapsed = time.perf_counter() - start
    return elapsed / loops, (_faults() - faults) / loops


def bench_size(n: int, rounds: int, sample: float, seed: int = 0) -> dict:
    cands = make_candidates(n, np.random.default_rng(seed))
    names = list(cands)
    loops = {}
    for name, fn in cands.items():
        once = min(_sample(fn, 1)[0], _sample(fn, 1)[0])  # warm-up and calibration
        loops[name] = max(1, math.ceil(sample / max(once, 1e-9)))
    samples: dict[str, list[float]] = {name: [] for name in names}
    faults: dict[str, list[float]] = {name: [] for name in names}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(rounds):
            k = r % len(names)
            for name in names[k:] + names[:k]:
                seconds, per_call = _sample(cands[name], loops[name])
                samples[name].append(seconds)
                faults[name].append(per_call)
    finally:
        if gc_was_enabled:
            gc.enable()
    del cands
    gc.collect()

    def ratio(num: str, den: str) -> float | None:
        if num not in samples or den not in samples:
            return None
        return statistics.median(a / b for a, b in zip(samples[num], samples[den], strict=True))

    return {
        "n": n,
        "loops": loops,
        "median_s": {k: statistics.median(s) for k, s in samples.items()},
        "min_s": {k: min(s) for k, s in samples.items()},
        "rmsnotes/floor": ratio("rmsnotes", "floor"),
        "rmsnotes/np in-place": ratio("rmsnotes", "np in-place"),
        "rmsnotes/torch": ratio("rmsnotes", "torch"),
        "page_faults_per_call": {k: statistics.median(f) for k, f in faults.items()},
        "samples_s": samples,
    }


# ------------------------------------------------------------------------- output


def machine() -> dict:
    info = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__ if torch is not None else None,
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "rmsnotes": str(Path(optim.__file__).parent),
        "loadavg_at_start": _loadavg(),
    }
    return info


def _loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


LEGEND = """
floor: a = g * v; b = g + a (fresh outputs), the memory traffic of a pure update
in-place: rmsnotes' arithmetic, bit-identical, mutating buffers, no validation
torch: torch.optim.RMSprop.step(), foreach=False; torch dflt: foreach=None
faults f/r: minor page faults per call, floor / rmsnotes"""


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale or unit == "us":
            return f"{seconds / scale:.3g} {unit}"
    raise AssertionError


def _fmt_ratio(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}x"


def table(results: list[dict]) -> str:
    cols = [
        ("n", 5),
        ("floor", 9),
        ("rmsnotes", 9),
        ("/floor", 7),
        ("in-place", 9),
        ("/in-place", 9),
        ("torch", 9),
        ("torch dflt", 10),
        ("/torch", 7),
        ("faults f/r", 11),
    ]
    lines = ["  ".join(f"{name:>{width}}" for name, width in cols)]
    for res in results:
        med, flt = res["median_s"], res["page_faults_per_call"]
        row = [
            f"1e{round(math.log10(res['n']))}",
            _fmt(med["floor"]),
            _fmt(med["rmsnotes"]),
            _fmt_ratio(res["rmsnotes/floor"]),
            _fmt(med["np in-place"]),
            _fmt_ratio(res["rmsnotes/np in-place"]),
            _fmt(med.get("torch")),
            _fmt(med.get("torch default")),
            _fmt_ratio(res["rmsnotes/torch"]),
            f"{flt['floor']:.0f}/{flt['rmsnotes']:.0f}",
        ]
        lines.append("  ".join(f"{v:>{width}}" for v, (_, width) in zip(row, cols, strict=True)))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n up to 10^6, fewer rounds")
    parser.add_argument("--json", metavar="PATH", help="also save all results here")
    parser.add_argument(
        "--torch-threads",
        type=int,
        default=1,
        metavar="K",
        help="threads for PyTorch (default 1, like NumPy; 0 keeps PyTorch's default)",
    )
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    if torch is not None and args.torch_threads > 0:
        torch.set_num_threads(args.torch_threads)

    info = machine()
    threads = f" ({info['torch_threads']} threads)" if torch is not None else ""
    print(f"numpy {info['numpy']}, torch {info['torch']}{threads}, python {info['python']}")
    print(
        f"{info['cpu_count']} CPUs ({info['cpus_usable']} usable), {info['processor']}, "
        f"{info['platform']}; load average {_loadavg()}"
    )
    print(
        f"one rmsprop() update on n float64 parameters: median of {settings['rounds']} "
        f"interleaved rounds, samples >= {settings['sample'] * 1e3:.0f} ms; ratios are "
        "medians of per-round ratios\n"
    )
    results = []
    start = time.perf_counter()
    for n in settings["sizes"]:
        results.append(bench_size(n, settings["rounds"], settings["sample"]))
        lines = table(results).splitlines()
        print("\n".join(lines if len(results) == 1 else lines[-1:]), flush=True)
    print(LEGEND)
    print(f"({time.perf_counter() - start:.0f} s; load average {_loadavg()})")

    if args.json:
        out = {"machine": info, "settings": settings, "results": results}
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n")
        print(f"saved {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
