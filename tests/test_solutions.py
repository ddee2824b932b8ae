"""The folded solutions in the notebooks must pass the notebooks' own self-checks."""

import contextlib
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from conventions import without_solutions  # tools/, on sys.path by tests/conftest.py

from rmsnotes import checks, optim

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def solution_blocks():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        for i, cell in enumerate(nb["cells"]):
            text = "".join(cell["source"])
            if cell["cell_type"] != "markdown":
                continue
            # The code of the folded solutions: the blocks that the student copy removes.
            kept = BLOCK.findall(without_solutions(text))
            removed = [block for block in BLOCK.findall(text) if block not in kept]
            for j, block in enumerate(removed):
                yield pytest.param(block, id=f"{path.stem}-cell{i}-block{j}")


SOLUTIONS = list(solution_blocks())


def test_notebook_01_has_folded_solutions():
    assert sum("01_adagrad" in s.id for s in SOLUTIONS) >= 3


@pytest.mark.parametrize("source", SOLUTIONS)
def test_solution_runs_and_passes_its_check(source):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<solution>", "exec"), {"np": np, "checks": checks, "optim": optim})
    printed = out.getvalue()
    assert "not yet" not in printed, printed
    if "checks.check_" in source:
        assert printed.count("correct:") == source.count("checks.check_"), printed
