"""tools/binder_check.py's parsing, on a Dockerfile and log repo2docker printed.

tests/data/binder/ holds what `repo2docker --no-build --no-run --debug .` (2026.4.0,
requirements-binder.txt) printed for this repository; each test that expects a failure
breaks one thing in that sample, so the check is shown to notice it.
"""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "binder"
SAMPLE = (DATA / "repo2docker-2026.4.0.Dockerfile").read_text()
LOG = (DATA / "repo2docker-2026.4.0.stderr").read_text()
ENV_STEP = 'env update -p ${NB_PYTHON_PREFIX} --file "environment.yml"'

_spec = importlib.util.spec_from_file_location("binder_check", ROOT / "tools" / "binder_check.py")
binder_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(binder_check)


def test_continuation_lines_are_joined_and_comments_dropped():
    steps = binder_check.instructions(
        "# a comment\nFROM base\nRUN echo a && \\\n# inside\n    echo b\nENV A=1 B=2\n"
    )
    assert steps == [("FROM", "base"), ("RUN", "echo a && echo b"), ("ENV", "A=1 B=2")]
    assert binder_check.env_variables(steps) == {"A": "1", "B": "2"}


def test_the_sample_installs_environment_yml_into_the_kernel_environment():
    assert ENV_STEP in SAMPLE, "the sample no longer has the step this test edits"
    step = binder_check.check_dockerfile(SAMPLE)
    assert "environment.yml" in step and "${MAMBA_EXE}" in step


def test_a_dockerfile_without_the_environment_step_fails():
    broken = SAMPLE.replace(ENV_STEP, "install -r requirements.txt")
    with pytest.raises(binder_check.BinderCheckError, match="no RUN step installs"):
        binder_check.check_dockerfile(broken)


def test_environment_yml_into_another_prefix_fails():
    broken = SAMPLE.replace(ENV_STEP, ENV_STEP.replace("${NB_PYTHON_PREFIX}", "/opt/other"))
    with pytest.raises(binder_check.BinderCheckError, match="the kernel uses"):
        binder_check.check_dockerfile(broken)


def test_the_step_must_come_after_the_repository_is_copied_in():
    copy = "COPY --chown=0:0 src/ ${REPO_DIR}/"
    assert copy in SAMPLE
    broken = SAMPLE.replace(copy, "COPY --chown=0:0 src/ /elsewhere/")
    with pytest.raises(binder_check.BinderCheckError, match="not copied into"):
        binder_check.check_dockerfile(broken)


def test_the_chosen_python_is_the_pinned_one():
    environment = "dependencies:\n  - python=3.11\n  - pip\n"
    assert binder_check.check_chosen_python(LOG, environment) == "3.11"
    with pytest.raises(binder_check.BinderCheckError, match="pins 3.12"):
        binder_check.check_chosen_python(LOG, environment.replace("3.11", "3.12"))
    with pytest.raises(binder_check.BinderCheckError, match="did not say"):
        binder_check.check_chosen_python("Using local repo .\n", environment)


def test_the_repository_environment_pins_one_python():
    environment = (ROOT / "environment.yml").read_text()
    assert binder_check.pinned_python(environment).startswith("3.")
