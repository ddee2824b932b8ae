"""Estimate each notebook's time: to read and run it, and for its exercises.

    .venv/bin/python tools/reading_time.py                 # every notebook
    .venv/bin/python tools/reading_time.py notebooks/02_sparse_stall.ipynb

The rule, calibrated on what reviewers who worked through the notebooks needed (50-60
minutes for 02 and over an hour for 05, where the first versions said 35 and 40):

    prose    100 words a minute (technical text with maths is read slowly; the words
             of folded solutions and of fenced code blocks are not counted)
    code      15 lines a minute (read it, run it, look at what it printed)
    exercise   5 minutes each (a heading "Exercise <number> ...")

Cells tagged ``instructor-notes`` (the workshop's speaker notes, written by
tools/slides.py) are not counted: a self-study reader skips them.

Both totals are rounded up to the next 5 minutes. Each notebook states them in its
first cells as ``**Time:** about N min to read and run, plus M min for the exercises.``
(or ``...; no exercises.``) and tests/test_repository.py checks that the stated numbers are within 5 minutes of
this estimate, so the times stay honest as the lessons change.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

from conventions import is_notes, without_solutions

ROOT = Path(__file__).resolve().parents[1]
WORDS_PER_MINUTE = 100
CODE_LINES_PER_MINUTE = 15
MINUTES_PER_EXERCISE = 5
STATED = re.compile(
    r"\*\*Time:\*\* about (\d+) min to read and run"
    r"(?:, plus (\d+) min for the exercises|; no exercises)\."
)
_FENCED = re.compile(r"```.*?```", re.DOTALL)
_EXERCISE = re.compile(r"^#+\s*Exercise\s+\d", re.IGNORECASE | re.MULTILINE)


def _round_up(minutes: float) -> int:
    return 5 * math.ceil(minutes / 5) if minutes > 0 else 0


def estimate(path: str | Path) -> tuple[int, int]:
    """(minutes to read and run, minutes for the exercises) of one notebook."""
    cells = json.loads(Path(path).read_text())["cells"]
    words = code_lines = exercises = 0
    for i, cell in enumerate(cells):
        if is_notes(cell):
            continue
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            exercises += len(_EXERCISE.findall(text))
            words += len(
                _FENCED.sub(" ", without_solutions(text, f"{Path(path).name}, cell {i}")).split()
            )
        elif cell["cell_type"] == "code":
            code_lines += sum(1 for line in text.splitlines() if line.strip())
    read = words / WORDS_PER_MINUTE + code_lines / CODE_LINES_PER_MINUTE
    return _round_up(read), _round_up(exercises * MINUTES_PER_EXERCISE)


def stated(path: str | Path) -> tuple[int, int] | None:
    """The times a notebook states in its first three cells, or None."""
    cells = json.loads(Path(path).read_text())["cells"][:3]
    for cell in cells:
        match = STATED.search("".join(cell["source"]))
        if match:
            return int(match.group(1)), int(match.group(2) or 0)
    return None


def main(argv: list[str]) -> int:
    paths = argv or sorted(str(p) for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
    for path in paths:
        read, exercises = estimate(path)
        says = stated(path)
        said = f"states {says[0]} + {says[1]}" if says else "states no time line"
        print(
            f"{Path(path).name:28s} about {read:3d} min to read and run, "
            f"plus {exercises:2d} min for the exercises   ({said})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
