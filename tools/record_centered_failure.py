"""Record PyTorch's centered RMSprop on a constant gradient, until it breaks down.

Centered RMSprop divides by sqrt(v - m^2), v the moving average of g^2 and m that of
g. With a constant gradient c (a straight slope, or the same mini-batch gradient over
and over), v - m^2 = beta^t (1 - beta^t) c^2 falls to 0, so the step grows like
beta^(-t/2) until the divisor reaches eps; once v and m have converged, v - m^2 is a
rounding residue that can be negative, and sqrt gives NaN. Notebook 07 shows this
with rmsnotes and replays what this script records from ``torch.optim.RMSprop``::

    /tmp/golden-venv/bin/python tools/record_centered_failure.py   # from the repo root

(any venv with torch and NumPy; the course's .venv needs neither). It writes
``tests/data/torch_centered_failure.json``: the call, the gradient, torch's version,
the points x_t up to the last finite one, v_t - m_t^2 as torch computes it (its
``square_avg - grad_avg**2``, the value it takes the root of) for those steps, and
the first step whose x is NaN. Everything is float64 and the gradient is the same
Python float every step, so the record is exact.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "torch_centered_failure.json"
LR, GRAD, STEPS = 0.01, 0.1, 5000  # PyTorch's default alpha 0.99 and eps 1e-8


def record() -> dict:
    import math

    import torch

    torch.set_default_dtype(torch.float64)
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.RMSprop([x], lr=LR, centered=True)
    group = opt.param_groups[0]
    xs, under_root, first_nan = [0.0], [], None
    for t in range(1, STEPS + 1):
        x.grad = torch.full((1,), GRAD, dtype=torch.float64)
        opt.step()
        value = x.item()
        if math.isnan(value):
            first_nan = t
            break
        state = opt.state[x]
        # the quantity torch takes the root of: square_avg.addcmul(grad_avg, grad_avg, value=-1)
        under_root.append(
            state["square_avg"].addcmul(state["grad_avg"], state["grad_avg"], value=-1).item()
        )
        xs.append(value)
    assert x.dtype == torch.float64
    return {
        "library": "torch",
        "version": torch.__version__,
        "generated_by": "tools/record_centered_failure.py",
        "call": f"torch.optim.RMSprop([x], lr={LR}, centered=True)",
        "settings": {k: group[k] for k in ("lr", "alpha", "eps", "centered", "momentum")},
        "gradient": GRAD,
        "x0": 0.0,
        "steps_run": len(xs) - 1 + (first_nan is not None),
        "first_nan_step": first_nan,
        "xs": xs,
        "v_minus_m2": under_root,
    }


def main() -> None:
    result = record()
    OUT.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {OUT}: first NaN at step {result['first_nan_step']}")


if __name__ == "__main__":
    main()
