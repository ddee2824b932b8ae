"""Time notebook 02's learning-rate sweep: one stacked run against a loop of runs.

Run from the repository root (any Python with NumPy)::

    python benchmarks/bench_sweep.py             # about 10 s
    python benchmarks/bench_sweep.py --repeat 5  # best of 5 instead of 3

The script always imports the ``rmsnotes`` of the checkout it lives in.

What is timed: notebook 02's fair sweep, 5 methods (GD, GD with lr0 / sqrt(t),
AdaGrad, RMSprop, RMSprop with lr0 / sqrt(t)) x 19 learning rates, on the intercept
data (3 seeds x 300 steps, n = 100) and the sparse data (500 steps, n = 1000), and
N02's headline case, AdaGrad x 19 lrs x 300 steps on the intercept data, in four
ways:

loop, A w - b
    what ``sweeps.lr_sweep`` did before: one ``optim.run(factory(lr=lr), ...,
    record="final")`` per lr, with the old ``regression_task`` gradient ``A w - b``
    (A = X^T X / n, b = X^T y / n formed once) on the intercept data.
loop, model
    the same loop with the model's gradient ``X^T (X w - y) / n``.
stacked, A w - b
    one run per seed on x0 stacked once per lr (``lr_scale``), with ``W @ A - b``.
stacked, model (now)
    ``sweeps.lr_sweep`` today: the stacked run with ``models.linear_problem``'s
    grad_fn, which ``sweeps.regression_task`` now uses.

The sparse task uses the model's gradient in every variant (notebook 02 builds it
so). Every variant is checked to give the same errors as the loop with the same gradient
(to 1e-9) before it is timed.
The times are best-of-N wall clock on a shared machine: read the ratios, not the
absolute numbers, and no test asserts them.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rmsnotes import data, optim, sweeps  # noqa: E402


def decay(t):
    return 1 / np.sqrt(t)


METHODS = {
    "GD": (optim.sgd, None),
    "GD, decaying": (optim.sgd, decay),
    "AdaGrad": (optim.adagrad, None),
    "RMSprop": (optim.rmsprop, None),
    "RMSprop, decaying": (optim.rmsprop, decay),
}
LRS = np.logspace(-3, 1.5, 19)
BLOWUP = 100.0


def shortcut_task(X, y):
    """regression_task as it was: the gradient A w - b (A symmetric, so W @ A - b for stacks)."""
    A, b = X.T @ X / len(y), X.T @ y / len(y)
    task = sweeps.regression_task(X, y)
    return task._replace(grad_fn=lambda w: w @ A - b)


def model_task(X, y):
    return sweeps.regression_task(X, y)


def loop_errors(factory, lrs, task, steps, schedule):
    """The old lr_sweep: one run per lr, the same divergence rule."""
    start = task.error_fn(task.x0)
    out = []
    for lr in lrs:
        with np.errstate(over="ignore", invalid="ignore"):
            try:
                end = task.error_fn(
                    sweeps.final_point(
                        factory(lr=lr), task.grad_fn, task.x0, steps, schedule=schedule
                    )
                )
            except ValueError as exc:
                if "non-finite" not in str(exc):
                    raise
                end = math.inf
        out.append(end if math.isfinite(end) and end <= BLOWUP * start else math.inf)
    return np.array(out)


def stacked_errors(factory, lrs, task, steps, schedule):
    return sweeps.lr_sweep(factory, lrs, task, steps, schedule=schedule, blowup=BLOWUP).errors


def notebook_sweep(sweep, make_task):
    """All of notebook 02's sweep cell with one sweep function and one intercept task kind."""
    intercepts = [make_task(*data.make_intercept_regression(seed=s)) for s in range(3)]
    X_sp, y_sp = data.make_sparse_regression(n=1000, seed=0)
    sparse = model_task(X_sp, y_sp)
    out = []
    for factory, schedule in METHODS.values():
        out += [sweep(factory, LRS, t, 300, schedule) for t in intercepts]
        out.append(sweep(factory, LRS, sparse, 500, schedule))
    return np.array(out)


def headline(sweep, make_task):
    task = make_task(*data.make_intercept_regression(seed=0))
    return sweep(optim.adagrad, LRS, task, 300, None)


VARIANTS = {
    "loop, A w - b (before)": (loop_errors, shortcut_task),
    "loop, model": (loop_errors, model_task),
    "stacked, A w - b": (stacked_errors, shortcut_task),
    "stacked, model (now)": (stacked_errors, model_task),
}


def best_time(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args(argv)

    for title, case in (("AdaGrad, 19 lrs x 300 steps", headline), ("notebook 02", notebook_sweep)):
        references = {}  # the loop's errors for each gradient
        rows = []
        for label, (sweep, make_task) in VARIANTS.items():
            errors = case(sweep, make_task)
            reference = references.setdefault(make_task, errors)
            # the same sweep, loop or stacked, to rounding (here float for float). The
            # two gradients differ by rounding, which RMSprop's jitter and GD at the edge
            # of stability amplify: their sweeps are not compared digit for digit.
            np.testing.assert_array_equal(np.isinf(errors), np.isinf(reference))
            np.testing.assert_allclose(errors, reference, rtol=1e-9, atol=1e-15)
            rows.append(
                (label, best_time(lambda c=case, s=sweep, m=make_task: c(s, m), args.repeat))
            )
        before = rows[0][1]
        print(f"{title} (best of {args.repeat}):")
        for label, seconds in rows:
            print(f"  {label:24s} {seconds:8.4f} s   {before / seconds:6.1f}x faster than before")


if __name__ == "__main__":
    main()
