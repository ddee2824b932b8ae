"""Time the explorer's redraw: the full callback against a bare redraw of the same figure.

Run from the repository root (the venv's Python: it needs matplotlib and ipywidgets)::

    python benchmarks/bench_explorer.py              # about 30 s
    python benchmarks/bench_explorer.py --repeat 21  # median of 21 instead of 11

The script always imports the ``rmsnotes`` of the checkout it lives in.

What is timed, on the explorer's first view (valley_plateau, lr 0.05, 300 steps):

callback
    what a slider's release costs: setting the "lr" control (to one of two values in
    turn, so every set is a change) makes ``ipywidgets.interactive`` call the
    explorer's function, which runs AdaGrad and RMSprop, redraws the explorer's
    figure and renders it to the PNG the notebook receives (150 dpi). Outside
    IPython the PNG is not sent anywhere; in a kernel, display adds its base64 and
    the message to the browser.
bare redraw
    the same figure drawn from runs already computed (the explorer's own drawing
    code) and rendered to PNG the same way: the floor of a redraw, since drawing and
    rendering are the part no cache can skip when the paths change.
callback, cold caches
    the callback after ``widgets.clear_caches()`` with the figure's contours
    dropped: the surface is rebuilt, its grid recomputed, its contours drawn again.
    The difference with ``callback`` is what the caches save on every slider move.
new figure, inline PNG
    ``explorer_figure`` (a new figure, contours and all) rendered as the inline
    backend renders a pyplot figure (``print_figure``: tight bounding box, zlib
    level 6): what a plain ``interact`` over ``explorer_figure`` would cost.

Each is the median of ``--repeat`` runs, taken in turns (one of each, then again) so
the machine's load falls on all alike; the first run of each is discarded as warm-up.
Read the ratios more than the milliseconds on a shared machine; no test asserts them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from IPython.core.pylabtools import print_figure  # noqa: E402

from rmsnotes import widgets  # noqa: E402

LRS = (0.05, 0.06)


def _at_least_one(text: str) -> int:
    """An argparse type: a whole number >= 1 (a median of no runs is no number)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {value}")
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=_at_least_one, default=11, help="runs of each (median)")
    parser.add_argument("--steps", type=_at_least_one, default=300, help="steps of each run")
    args = parser.parse_args(argv)

    ui = widgets.optimizer_explorer(steps=args.steps)
    lr = {w.description: w for w in ui.children if w is not ui.out}["lr"]
    view = ui._view
    calls = [0]

    def callback():
        calls[0] += 1
        lr.value = LRS[calls[0] % 2]

    def bare():
        runs = ui.result
        title = view.ax_path.get_title(loc="left")  # the callback's own title
        view.draw(view.surface, runs, dict.fromkeys(runs), title)
        widgets._png(view.fig)

    def cold():
        widgets.clear_caches()
        view.surface = None  # the contours are drawn again
        callback()

    def inline_style():
        fig, _ = widgets.explorer_figure(lr=LRS[calls[0] % 2], steps=args.steps)
        print_figure(fig, "png")

    cases = {
        "callback": callback,
        "bare redraw": bare,
        "callback, cold caches": cold,
        "new figure, inline PNG": inline_style,
    }
    times = {name: [] for name in cases}
    for k in range(args.repeat + 1):
        for name, fn in cases.items():
            start = time.perf_counter()
            fn()
            if k:  # the first round warms up
                times[name].append(time.perf_counter() - start)
        if any(h.steps != args.steps for h in ui.result.values()):
            raise RuntimeError("a run diverged: the benchmark's settings changed meaning")
    ms = {name: 1000 * statistics.median(ts) for name, ts in times.items()}
    floor = ms["bare redraw"]
    print(
        f"explorer redraw, valley_plateau, {args.steps} steps, 2 optimizers, "
        f"PNG {view.fig.dpi:.0f} dpi (median of {args.repeat}):"
    )
    for name, value in ms.items():
        print(f"  {name:24s} {value:7.1f} ms   {value / floor:5.2f}x the bare redraw")
    print(
        f"callback / bare redraw = {ms['callback'] / floor:.2f} (aim <= 1.5); "
        f"the caches save {ms['callback, cold caches'] - ms['callback']:.0f} ms a redraw; "
        f"the kept figure and its PNG {ms['new figure, inline PNG'] - ms['callback']:.0f} ms more"
    )


if __name__ == "__main__":
    main()
