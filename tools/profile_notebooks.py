"""Execute every notebook in a fresh kernel and report its time and peak memory.

    .venv/bin/python tools/profile_notebooks.py            # all notebooks
    .venv/bin/python tools/profile_notebooks.py --json out.json notebooks/02_*.ipynb
    .venv/bin/python tools/profile_notebooks.py --runs 3     # median of 3 runs each (steadier)

Each notebook runs in its own new kernel, as `make execute` and nbval do. The time is
wall-clock from starting the kernel to the end of the last cell; the peak memory is the
kernel process's high-water mark of resident memory (VmHWM in /proc, so Linux only).

The yardstick is an *empty* notebook measured in the same run: a fresh kernel that only
imports what every notebook imports (NumPy, matplotlib, rmsnotes). Machines differ and
are noisy, so the report gives each notebook's time as a multiple of that baseline
(the course aims for at most 4x, and under 500 MB: Binder gives 2 GB), and the whole
course's time as a multiple too. Nothing is written back: outputs stay as committed and
figures go to a temporary folder (RMSNOTES_FIGURES).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
EMPTY_SOURCE = """\
import matplotlib.pyplot as plt
import numpy as np

from rmsnotes import optim, plotting, surfaces
"""


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident memory in MB (Linux), or None where unknown."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB -> MB
    return None


def execute(nb: nbformat.NotebookNode, workdir: Path) -> tuple[float, float | None]:
    """Run ``nb`` top to bottom in a new kernel; return (seconds, peak MB)."""
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        # quiet the kernel's start-up log line about TCP transport; cell output is unaffected
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        resources={"metadata": {"path": str(workdir)}},
    )
    start = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
        peak = peak_rss_mb(pid)
    return seconds, peak


def empty_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(EMPTY_SOURCE)]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--baseline-runs", type=int, default=3, help="empty-notebook runs")
    parser.add_argument(
        "--runs", type=int, default=1, help="runs of each notebook; the median time is reported"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))

    with tempfile.TemporaryDirectory() as figures:
        os.environ["RMSNOTES_FIGURES"] = figures  # the kernels inherit it
        # The baseline runs first and is repeated: its median is the yardstick.
        baseline = [
            execute(empty_notebook(), ROOT / "notebooks") for _ in range(args.baseline_runs)
        ]
        base_time = statistics.median(t for t, _ in baseline)
        base_peak = max((p for _, p in baseline if p is not None), default=None)
        rows = []
        for path in paths:
            runs = [
                execute(nbformat.read(path, as_version=4), path.parent)
                for _ in range(max(args.runs, 1))
            ]
            seconds = statistics.median(t for t, _ in runs)
            peak = max((p for _, p in runs if p is not None), default=None)
            rows.append({"notebook": path.name, "seconds": seconds, "peak_mb": peak})

    def mb(value):
        return "n/a" if value is None else f"{value:6.0f}"

    runs = f"median of {args.runs} runs each, " if args.runs > 1 else ""
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {runs}empty: median of {args.baseline_runs}"
    )
    print(f"{'notebook':28s} {'time (s)':>9s} {'x empty':>8s} {'peak MB':>8s}")
    print(f"{'(empty: kernel + imports)':28s} {base_time:9.2f} {1:8.2f} {mb(base_peak):>8s}")
    for row in rows:
        ratio = row["seconds"] / base_time
        flag = "" if ratio <= 4 and (row["peak_mb"] or 0) <= 500 else "  <- over the aim"
        print(
            f"{row['notebook']:28s} {row['seconds']:9.2f} {ratio:8.2f} {mb(row['peak_mb']):>8s}{flag}"
        )
    total = sum(row["seconds"] for row in rows)
    print(
        f"{'whole course':28s} {total:9.2f} {total / base_time:8.2f}"
        f"   ({len(rows)} notebooks; aim: each within 4x, each under 500 MB)"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"baseline_seconds": base_time, "baseline_peak_mb": base_peak, "notebooks": rows},
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
