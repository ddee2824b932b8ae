"""The set-up check the index notebook runs: is this the environment the course expects?

    >>> from rmsnotes import envcheck
    >>> envcheck.check_environment()   # doctest: +SKIP
    Python 3.11 or newer: OK
    numpy 2.4.6 as pinned: OK
    ...

The output has no paths or patch versions in it, so it is the same on every machine
that has the pinned environment (the index notebook's stored output is compared).
"""

from __future__ import annotations

import os
import sys
from importlib import metadata
from pathlib import Path

__all__ = [
    "REPOSITORY",
    "KEY_PACKAGES",
    "SWITCH_KERNEL",
    "REINSTALL",
    "pinned_versions",
    "check_environment",
]

# The folder that holds notebooks/, figures/ and requirements.txt (rmsnotes is
# installed editable from it, so the package sits inside the repository).
REPOSITORY = Path(__file__).resolve().parents[1]

# What to do when this kernel is not the course's Python: the usual cause.
SWITCH_KERNEL = (
    "this kernel runs another Python than the course's; start JupyterLab with "
    "`make lab` and pick Kernel > Change Kernel > Python 3 (ipykernel), or run "
    "`make clean setup` if .venv is broken"
)

# What to do when a package is missing or at another version although this kernel is
# the course's own .venv: the install is incomplete or stale, and `make setup` alone
# would say "Nothing to be done" (its stamp file is there), so rebuild it.
REINSTALL = (
    "this kernel is the course's .venv, so the install is incomplete or out of date: "
    "stop JupyterLab, run `make clean setup`, then `make lab`"
)

# The packages whose versions change stored outputs or the way notebooks look.
KEY_PACKAGES = ("numpy", "matplotlib", "ipykernel", "ipywidgets", "jupyterlab", "nbval")


def pinned_versions(requirements: Path | None = None) -> dict[str, str]:
    """Map lower-case package names to the exact versions pinned in requirements.txt."""
    path = Path(requirements) if requirements else REPOSITORY / "requirements.txt"
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def check_environment(requirements: Path | None = None) -> bool:
    """Print one line per check and return True when everything is as pinned.

    A package that is missing or not as pinned is reported with :data:`REINSTALL` when
    this Python is the repository's ``.venv``, and with :data:`SWITCH_KERNEL` otherwise.
    """
    ok = True
    in_course_venv = Path(sys.prefix).resolve() == (REPOSITORY / ".venv").resolve()
    package_fix = REINSTALL if in_course_venv else SWITCH_KERNEL

    def report(passed: bool, text: str, fix: str = "") -> None:
        nonlocal ok
        ok = ok and passed
        print(f"{text}: {'OK' if passed else 'PROBLEM - ' + fix}")

    report(
        sys.version_info >= (3, 11),
        "Python 3.11 or newer",
        f"this is {sys.version.split()[0]}; see the README's troubleshooting",
    )
    try:
        pins = pinned_versions(requirements)
    except FileNotFoundError:
        report(False, "requirements.txt found", "run the notebooks from the course repository")
        return False
    for name in KEY_PACKAGES:
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            report(False, f"{name} installed", package_fix)
            continue
        want = pins.get(name)
        report(have == want, f"{name} {want} as pinned", f"found {have}; {package_fix}")
    inside = (
        Path(__file__).resolve().is_relative_to(REPOSITORY) and (REPOSITORY / "notebooks").is_dir()
    )
    report(inside, "rmsnotes imported from this repository", SWITCH_KERNEL)
    figures = REPOSITORY / "figures"
    report(
        figures.is_dir() and os.access(figures, os.W_OK),
        "figures/ is writable",
        f"create {figures} or fix its permissions",
    )
    return ok
