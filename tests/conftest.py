"""pytest configuration shared by every test file.

- Makes tests/helpers.py and the scripts in tools/ importable: the project runs pytest
  with ``--import-mode=importlib`` (pyproject.toml), which does not put tests/ on
  sys.path, and the tools import each other (tools/conventions.py) as scripts do.
- Closes every matplotlib figure after each test, and runs each test without
  ``RMSNOTES_FIGURES`` (a test that wants a folder passes ``folder=`` or sets it).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.append(str(ROOT / "tools"))  # last: a script name must not hide a package


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(autouse=True)
def _no_figures_env(monkeypatch):
    monkeypatch.delenv("RMSNOTES_FIGURES", raising=False)
