"""Time notebook 05's MLP training: the stacked grad_fn against a loop over the networks.

Run from the repository root (any Python with NumPy)::

    python benchmarks/bench_mlp.py             # about 10 s
    python benchmarks/bench_mlp.py --repeat 5  # best of 5 instead of 3

The script always imports the ``rmsnotes`` of the checkout it lives in.

What is timed: notebook 05's MLP cell without its reports, AdaGrad and RMSprop x 4
learning rates x 3 seeds (24 networks 2-16-1, 400 steps, 200 moons), each optimizer
one ``success.run_over_lrs`` of a (4, 3, 65) stack, with two gradients:

loop over rows
    what ``models.mlp_problem``'s grad_fn did before: the single-network gradient
    (``models.mlp_grad`` of one flat vector) for each of the 12 rows, stacked back.
stacked (now)
    ``models.mlp_problem``'s grad_fn: the whole stack in one forward and backward
    pass (one BLAS call per network and product, no Python loop).

Both are checked to give bit-identical trained networks before they are timed.

Each is timed twice: in this fresh process, and again after one large array (8 MB)
has been freed. That matters more than it should: the stacked pass makes arrays of
about 300 kB (12 x 200 x 16), and until glibc's malloc has freed a large block it
hands such arrays back to the system after each call (its trim threshold), so every
call pays page faults for new memory, which are slow on this machine. Freeing one
large block raises the thresholds for the rest of the process, as drawing a figure
does early in every notebook; so the second line is the notebook's case.
The times are best-of-N wall clock on a shared machine: read the ratio, not the
absolute numbers, and no test asserts them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rmsnotes import data, models, optim, success  # noqa: E402

GRIDS = {optim.adagrad: [0.01, 2.0, 4.0, 8.0], optim.rmsprop: [0.01, 0.05, 0.1, 0.2]}


def loop_grad_fn(X, y):
    """The old grad_fn: one single-network gradient per row of the stack."""

    def grad_fn(params):
        rows = params.reshape(-1, params.shape[-1])
        return np.array([models.mlp_grad(row, X, y) for row in rows]).reshape(params.shape)

    return grad_fn


def train(grad_fn, inits):
    return [
        success.run_over_lrs(make, lrs, grad_fn, inits, steps=400, every=10)
        for make, lrs in GRIDS.items()
    ]


def best_time(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args(argv)

    moons = data.make_moons(n=200, noise=0.2, seed=0)
    _, stacked = models.mlp_problem(moons.X, moons.y, hidden=16)
    looped = loop_grad_fn(moons.X, moons.y)
    inits = np.stack([models.mlp_init(hidden=16, seed=seed) for seed in range(3)])

    for a, b in zip(train(looped, inits), train(stacked, inits), strict=True):
        np.testing.assert_array_equal(a, b)  # the same networks, bit for bit

    print(f"notebook 05's MLP training, 24 networks x 400 steps (best of {args.repeat}):")
    for when in ("fresh process", "after freeing 8 MB (as in a notebook)"):
        if when != "fresh process":
            big = np.ones(1_000_000)
            del big  # glibc raises its mmap and trim thresholds
        t_loop = best_time(lambda: train(looped, inits), args.repeat)
        t_stacked = best_time(lambda: train(stacked, inits), args.repeat)
        print(f"  {when}:")
        print(f"    loop over rows   {t_loop:7.3f} s   1.00x")
        print(f"    stacked (now)    {t_stacked:7.3f} s   {t_loop / t_stacked:.2f}x as fast")


if __name__ == "__main__":
    main()
