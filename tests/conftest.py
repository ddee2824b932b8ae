"""pytest configuration: make tests/helpers.py importable from every test file.

The project runs pytest with ``--import-mode=importlib`` (see pyproject.toml), which
does not put tests/ on sys.path, so the shared helpers module is added here.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
