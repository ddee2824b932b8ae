"""make binder-check: what Binder would build from this repository, checked without Docker.

Binder builds the course with repo2docker. `repo2docker --no-build --no-run --debug .`
prints the Dockerfile it would build and needs no Docker engine, so this script runs it,
keeps the Dockerfile in build/binder/Dockerfile, and checks that

1. the image installs environment.yml: after the repository is copied into the image's
   working folder, a RUN step runs `env update ... --file "environment.yml"` (mamba or
   conda) into the environment that the notebooks' kernel uses;
2. repo2docker read the Python version that environment.yml pins (it names the one it
   chose on stderr: "Building conda environment for python=3.11");
3. environment.yml still matches the lock (requirements.txt): tools/sync_environment.py
   --check, the same comparison tests/test_repository.py makes.

Conda's solve itself is not checked here: that needs the network and an engine.

    python tools/binder_check.py
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SAVED_DOCKERFILE = ROOT / "build" / "binder" / "Dockerfile"
# It only writes a Dockerfile (seconds); a minute-long run is stuck, not slow.
REPO2DOCKER_TIMEOUT = 300

# `${MAMBA_EXE} env update -p ${NB_PYTHON_PREFIX} --file "environment.yml"` (repo2docker
# 2026.4.0); conda or mamba by name, `env create`, `-f` and `-n` are accepted too, so the
# check does not depend on how one release spells the same step.
ENV_STEP = re.compile(
    r"""(?:\$\{?(?:MAMBA|CONDA)_EXE\}?|\bmamba|\bmicromamba|\bconda)\s+env\s+(?:update|create)\b
        (?P<args>[^&;|]*?)
        (?:--file|-f)[\s=]+["']?environment\.yml["']?""",
    re.VERBOSE,
)
PREFIX_ARG = re.compile(r"(?:-p|--prefix)[\s=]+[\"']?(?P<prefix>\S+?)[\"']?(?:\s|$)")
CHOSEN_PYTHON = re.compile(r"Building conda environment for python=(?P<version>[\d.]+)")


class BinderCheckError(AssertionError):
    """The Dockerfile or environment.yml is not what Binder needs."""


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined.

    Comment lines are dropped, also inside a continued instruction (as Docker does).
    """
    result: list[tuple[str, str]] = []
    pending = ""
    for raw in dockerfile.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        text = (pending + line).strip()
        pending = ""
        keyword, _, args = text.partition(" ")
        result.append((keyword.upper(), args.strip()))
    if pending.strip():
        keyword, _, args = pending.strip().partition(" ")
        result.append((keyword.upper(), args.strip()))
    return result


def env_variables(steps: list[tuple[str, str]]) -> dict[str, str]:
    """NAME -> value of every `ENV NAME=value` (last one wins), values unexpanded."""
    found: dict[str, str] = {}
    for keyword, args in steps:
        if keyword == "ENV":
            for name, value in re.findall(r"(\w+)=(\S+)", args):
                found[name] = value
    return found


def check_dockerfile(dockerfile: str) -> str:
    """Raise BinderCheckError unless the Dockerfile installs environment.yml into the
    kernel's environment after copying the repository in; return the matching step."""
    steps = instructions(dockerfile)
    env_steps = [
        i for i, (keyword, args) in enumerate(steps) if keyword == "RUN" and ENV_STEP.search(args)
    ]
    if not env_steps:
        raise BinderCheckError("no RUN step installs environment.yml (conda/mamba env update)")
    if len(env_steps) > 1:
        raise BinderCheckError(f"{len(env_steps)} RUN steps install environment.yml, not one")
    step_index = env_steps[0]
    run_args = steps[step_index][1]

    # The step reads "environment.yml" relative to the working folder: the repository
    # must be copied there before it runs.
    workdirs = [args for keyword, args in steps[:step_index] if keyword == "WORKDIR"]
    if not workdirs:
        raise BinderCheckError("no WORKDIR before the environment.yml step")
    workdir = workdirs[-1]
    copies = [
        args
        for keyword, args in steps[:step_index]
        if keyword == "COPY" and args.split()[-1].rstrip("/") == workdir.rstrip("/")
    ]
    if not copies:
        raise BinderCheckError(
            f"the repository is not copied into {workdir} before the environment.yml step"
        )

    # Installed into the environment the notebooks' kernel runs in, not some other one.
    variables = env_variables(steps[:step_index])
    prefix = PREFIX_ARG.search(ENV_STEP.search(run_args).group("args"))
    if prefix is None:
        raise BinderCheckError(f"the environment.yml step names no prefix (-p): {run_args}")
    kernel = variables.get("KERNEL_PYTHON_PREFIX")
    if kernel is None:
        raise BinderCheckError("the Dockerfile sets no KERNEL_PYTHON_PREFIX")
    if prefix.group("prefix") not in (kernel, "${KERNEL_PYTHON_PREFIX}"):
        raise BinderCheckError(
            f"environment.yml goes into {prefix.group('prefix')}, the kernel uses {kernel}"
        )
    return run_args


def pinned_python(environment: str) -> str:
    """The `python=3.x` version environment.yml pins."""
    deps = yaml.safe_load(environment)["dependencies"]
    pins = [d.split("=", 1)[1] for d in deps if isinstance(d, str) and d.startswith("python=")]
    if len(pins) != 1:
        raise BinderCheckError(f"environment.yml pins python {len(pins)} times, not once")
    return pins[0]


def check_chosen_python(log: str, environment: str) -> str:
    """Raise unless repo2docker's log names the Python that environment.yml pins."""
    chosen = CHOSEN_PYTHON.search(log)
    if chosen is None:
        raise BinderCheckError("repo2docker did not say which Python it builds (no conda build?)")
    wanted = pinned_python(environment)
    if chosen.group("version") != wanted:
        raise BinderCheckError(
            f"repo2docker builds python={chosen.group('version')}, environment.yml pins {wanted}"
        )
    return wanted


def run_repo2docker() -> tuple[str, str]:
    """(Dockerfile, log) from `repo2docker --no-build --no-run --debug .` on ROOT."""
    # Next to this Python first: make binder-check installs it into .venv.
    beside = Path(sys.executable).parent / "repo2docker"
    command = str(beside) if beside.exists() else shutil.which("repo2docker")
    if command is None:
        raise BinderCheckError(
            "repo2docker not found: pip install -r requirements-binder.txt (make binder-check)"
        )
    try:
        result = subprocess.run(
            [command, "--no-build", "--no-run", "--debug", "."],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=REPO2DOCKER_TIMEOUT,
        )
    except subprocess.TimeoutExpired as err:  # run() has killed it; say so, not a traceback
        log = err.stderr.decode(errors="replace") if err.stderr else ""  # bytes, even with text
        raise BinderCheckError(
            f"repo2docker did not finish in {REPO2DOCKER_TIMEOUT} s:\n{log}"
        ) from None
    if result.returncode != 0:
        raise BinderCheckError(f"repo2docker failed ({result.returncode}):\n{result.stderr}")
    return result.stdout, result.stderr


def main() -> int:
    try:
        dockerfile, log = run_repo2docker()
        SAVED_DOCKERFILE.parent.mkdir(parents=True, exist_ok=True)
        SAVED_DOCKERFILE.write_text(dockerfile)
        step = check_dockerfile(dockerfile)
        print(f"ok  the Dockerfile installs environment.yml: RUN {step[:100]}...")
        python = check_chosen_python(log, (ROOT / "environment.yml").read_text())
        print(f"ok  repo2docker builds python={python}, as environment.yml pins")
    except BinderCheckError as error:
        print(f"FAIL {error}")
        return 1
    # The one comparison of environment.yml with the lock, shared with the unit tests.
    sync = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "sync_environment.py"), "--check"], cwd=ROOT
    )
    if sync.returncode != 0:
        print("FAIL environment.yml does not match requirements.txt")
        return 1
    print("ok  environment.yml matches requirements.txt (tools/sync_environment.py --check)")
    print(f"Binder check passed; the Dockerfile is in {SAVED_DOCKERFILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
