"""Strict nbval of the notebooks under other CPUs' numerical kernels.

    .venv/bin/python tools/test_portable.py                         # every notebook
    .venv/bin/python tools/test_portable.py notebooks/04_rmsprop.ipynb
    .venv/bin/python tools/test_portable.py --config zen            # one configuration

NumPy's wheels choose SIMD kernels (AVX-512, AVX2, SSE) and OpenBLAS chooses BLAS
kernels when they load, by what the CPU offers. Different kernels round sums, ``exp``
and ``tanh`` differently in the last bits, so a notebook whose stored outputs pass here
can fail on a learner's laptop if a printed digit rides on those bits. This script
re-runs strict nbval (the same command as ``make nbval``) with the kernels that other
machines would pick, forced by environment variables:

    zen       OPENBLAS_CORETYPE=Zen                  an AMD machine's BLAS kernels
    haswell   OPENBLAS_CORETYPE=Haswell, no AVX-512  an AVX2 laptop
    prescott  OPENBLAS_CORETYPE=Prescott, SSE only   an old CPU (no AVX2, no AVX-512)

The core types are x86_64 ones, so on any other machine the script says it skips and
why, and exits 0. A kernel the CPU lacks cannot be forced on; only newer ones can be
switched off, which is why each configuration turns features *off*. The notebooks'
figures go to a scratch folder (``RMSNOTES_FIGURES``), so ``figures/`` is left as
committed.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBVAL = [
    "-m",
    "pytest",
    "-q",
    "-p",
    "no:cacheprovider",
    "--nbval",
    "--nbval-current-env",
    "--nbval-sanitize-with",
    str(ROOT / "tests" / "nbval_sanitize.cfg"),
]
NO_AVX512 = "X86_V4 AVX512_ICL AVX512_SPR"
CONFIGS = {
    "zen": {"OPENBLAS_CORETYPE": "Zen"},
    "haswell": {"OPENBLAS_CORETYPE": "Haswell", "NPY_DISABLE_CPU_FEATURES": NO_AVX512},
    "prescott": {
        "OPENBLAS_CORETYPE": "Prescott",
        "NPY_DISABLE_CPU_FEATURES": "X86_V3 " + NO_AVX512,
    },
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="default: notebooks/*.ipynb")
    parser.add_argument("--config", choices=sorted(CONFIGS), action="append", help="repeatable")
    args = parser.parse_args(argv)

    machine = platform.machine().lower()
    if machine not in ("x86_64", "amd64"):
        print(
            f"test-portable: skipped on {machine}: the forced kernels (OPENBLAS_CORETYPE "
            "Zen/Haswell/Prescott, NumPy's AVX2/AVX-512 switches) exist on x86_64 only."
        )
        return 0

    notebooks = args.notebooks or sorted(str(p) for p in (ROOT / "notebooks").glob("*.ipynb"))
    failed = []
    for name in args.config or list(CONFIGS):
        # Figures go to a scratch folder: the committed ones are made with this
        # machine's own kernels, and a run under other kernels must not rewrite them.
        scratch = tempfile.mkdtemp(prefix=f"rmsnotes-figures-{name}-")
        env = {**os.environ, **CONFIGS[name], "RMSNOTES_FIGURES": scratch}
        env.pop("MPLBACKEND", None)  # the notebooks need the inline backend
        settings = " ".join(f"{k}={v!r}" for k, v in CONFIGS[name].items())
        print(f"== {name}: {settings}", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, *NBVAL, *notebooks], env=env, cwd=ROOT)
        print(
            f"== {name}: {'passed' if code == 0 else 'FAILED'} in {time.perf_counter() - start:.0f} s"
        )
        if code != 0:
            failed.append(name)
    if failed:
        print(f"test-portable: strict nbval failed under {', '.join(failed)}")
        return 1
    print(f"test-portable: strict nbval passed under {', '.join(args.config or CONFIGS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
