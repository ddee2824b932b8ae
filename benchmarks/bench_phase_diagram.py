"""Time notebook 09's phase diagram: the whole grid at once against one run per beta.

Run from the repository root (any Python with NumPy)::

    python benchmarks/bench_phase_diagram.py              # about 20 s
    python benchmarks/bench_phase_diagram.py --repeat 5   # median of 5 instead of 3
    python benchmarks/bench_phase_diagram.py --size 12    # a 12 x 12 grid

The script always imports the ``rmsnotes`` of the checkout it lives in.

What is timed: RMSprop (eps = 0, lr_t = 0.5 / sqrt(t)) on Reddi et al.'s problem for
every (beta, C) of notebook 09's grid (45 betas in [0, 0.99] x 45 Cs in [2.2, 20],
3000 steps), in two ways:

run by run
    one ``limits.reddi_run(optim.rmsprop(lr, beta, eps=0.0), Cs, steps)`` per beta
    (``optim.run`` takes one beta per run; the Cs of a row run at once, as an
    array), which is what ``limits.phase_diagram`` would be without its own loop.
grid at once
    ``limits.phase_diagram(betas, Cs, steps)``: the same arithmetic with beta an array.

Both give the same end points float for float (checked before timing). The times are
medians of wall clock on a shared machine: read the printed ratio, not the absolute
numbers, and nothing here asserts them. This benchmark is why ``phase_diagram`` keeps
a second copy of RMSprop's update (tests/test_limits.py pins it to ``reddi_run``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rmsnotes import limits, optim  # noqa: E402


def run_by_run(betas, Cs, steps):
    return np.stack(
        [
            limits.reddi_run(optim.rmsprop(lr=limits.LR, beta=float(b), eps=0.0), Cs, steps).final
            for b in betas
        ]
    )


def grid_at_once(betas, Cs, steps):
    return limits.phase_diagram(betas, Cs, steps).end


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per way (median)")
    parser.add_argument("--size", type=int, default=45, help="betas and Cs per axis")
    parser.add_argument("--steps", type=int, default=3000, help="steps per run")
    args = parser.parse_args(argv)
    for name in ("repeat", "size", "steps"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be >= 1, got {getattr(args, name)}")

    betas = np.linspace(0.0, 0.99, args.size)
    Cs = np.linspace(2.2, 20.0, args.size)
    np.testing.assert_array_equal(
        run_by_run(betas, Cs, args.steps), grid_at_once(betas, Cs, args.steps)
    )
    loop = median_time(lambda: run_by_run(betas, Cs, args.steps), args.repeat)
    grid = median_time(lambda: grid_at_once(betas, Cs, args.steps), args.repeat)
    print(
        f"{args.size} betas x {args.size} Cs, {args.steps} steps, median of {args.repeat}; "
        "the same end points float for float"
    )
    print(f"  run by run (one reddi_run per beta)   {loop:8.3f} s")
    print(f"  grid at once (phase_diagram)         {grid:8.3f} s")
    print(f"  ratio                                 {loop / grid:8.1f} x")


if __name__ == "__main__":
    main()
