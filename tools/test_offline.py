"""make test-offline: the offline room's install, proved in a fresh venv with no network.

Takes a wheelhouse made by `make wheelhouse` (wheelhouse/ unless a path is given),
and runs `make setup VENV=<temporary folder> WHEELHOUSE=<path>`, the recipe an
instructor runs on a laptop from the USB stick, with pip cut off from every index:

- `--no-index --find-links <path>`, which the Makefile passes when WHEELHOUSE is set;
- PIP_INDEX_URL and the http(s) proxies pointing at a closed port on 127.0.0.1, so a
  request that slipped past --no-index fails instead of quietly downloading;
- PIP_CONFIG_FILE=/dev/null and no other PIP_* variable, so no machine-wide find-links
  or extra index (this machine has both) can supply a wheel the wheelhouse lacks.

Then, in that venv: `pip check`; rmsnotes imports from this repository (the editable
install, built by setuptools from the wheelhouse); and notebooks/00_index.ipynb passes
strict nbval, whose first cell compares every installed version with requirements.txt.
Prints the wheelhouse's size and how long the install and the checks took.

    python tools/test_offline.py [WHEELHOUSE] [--python PYTHON]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Nothing listens on port 9 (discard) here: a connection there is refused at once.
UNREACHABLE = "http://127.0.0.1:9"
SMOKE_NOTEBOOK = "notebooks/00_index.ipynb"


def offline_env(scratch: Path) -> dict[str, str]:
    """This process's environment with pip's own settings removed and the network closed."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PIP_")}
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env[name] = UNREACHABLE
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_INDEX_URL"] = f"{UNREACHABLE}/simple"
    env["PIP_NO_CACHE_DIR"] = "1"  # a wheel in pip's cache must not stand in for a missing one
    env["RMSNOTES_FIGURES"] = str(scratch / "figures")
    return env


def wheelhouse_size(path: Path) -> tuple[int, int]:
    """(number of wheels, total bytes) in the wheelhouse."""
    wheels = list(path.glob("*.whl"))
    return len(wheels), sum(w.stat().st_size for w in wheels)


def run(command: list[str], env: dict[str, str]) -> float:
    """Run a command in ROOT; exit with its code if it fails; return seconds taken."""
    print("$", " ".join(command), flush=True)
    start = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(f"test-offline: failed ({result.returncode}): {' '.join(command)}")
    return time.monotonic() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheelhouse", nargs="?", default="wheelhouse")
    parser.add_argument("--python", default=sys.executable, help="the Python for the venv")
    args = parser.parse_args(argv)
    wheelhouse = (ROOT / args.wheelhouse).resolve()
    count, size = wheelhouse_size(wheelhouse)
    if count == 0:
        sys.exit(f"test-offline: no wheels in {wheelhouse}: run make wheelhouse first")
    print(f"wheelhouse {wheelhouse}: {count} wheels, {size / 1e6:.0f} MB")

    with tempfile.TemporaryDirectory(prefix="rmsnotes-offline-") as tmp:
        scratch = Path(tmp)
        venv = scratch / "venv"
        env = offline_env(scratch)
        install = run(
            ["make", "--no-print-directory", "setup", f"VENV={venv}", f"WHEELHOUSE={wheelhouse}"]
            + [f"PYTHON={args.python}"],
            env,
        )
        python = str(venv / "bin" / "python")
        start = time.monotonic()
        run([python, "-m", "pip", "check"], env)
        where = subprocess.run(
            [python, "-c", "import rmsnotes; print(rmsnotes.__file__)"],
            cwd=scratch,  # not ROOT: the import must come from the install, not the cwd
            env=env,
            capture_output=True,
            text=True,
        )
        located = Path(where.stdout.strip() or "?")
        if where.returncode != 0 or ROOT not in located.resolve().parents:
            sys.exit(f"test-offline: rmsnotes not installed from {ROOT}: {where.stderr}{located}")
        print(f"rmsnotes imports from {located}")
        run(
            [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval"]
            + ["--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]
            + [SMOKE_NOTEBOOK],
            env,
        )
        checks = time.monotonic() - start
    print(
        f"test-offline passed: {count} wheels ({size / 1e6:.0f} MB) installed with no network "
        f"in {install:.0f} s; checks (pip check, import, {SMOKE_NOTEBOOK}) {checks:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
