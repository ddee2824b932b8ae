"""Helpers shared by several test files (pytest puts tests/ on sys.path)."""

import subprocess
import sys

from rmsnotes import optim


def assert_import_changes_nothing(module: str) -> None:
    """Importing ``module`` in a fresh Python leaves rcParams, the backend and figures alone."""
    script = f"""
import matplotlib
before = dict(matplotlib.rcParams)
backend = matplotlib.rcParams._get_backend_or_none()
import {module}
assert dict(matplotlib.rcParams) == before
assert matplotlib.rcParams._get_backend_or_none() == backend
import matplotlib.pyplot as plt
assert plt.get_fignums() == []
"""
    subprocess.run([sys.executable, "-c", script], check=True)


def four_histories(surface, steps):
    """AdaGrad, RMSprop, Adam and SGD runs on ``surface``, with losses: plotting fodder."""

    def loss(x):
        return float(surface.f(x))

    opts = {
        "AdaGrad": optim.adagrad(0.3),
        "RMSprop": optim.rmsprop(0.05),
        "Adam": optim.adam(0.05),
        "SGD": optim.sgd(0.05),
    }
    return {
        k: optim.run(o, surface.grad, surface.start, steps, loss_fn=loss) for k, o in opts.items()
    }
