"""The index notebook's set-up check."""

import sys
from importlib import metadata

import pytest

from rmsnotes import envcheck


def test_pinned_versions_reads_the_lock(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text("# comment\nNumPy==1.2.3\njupyter_core==5.0  # trailing\n\n")
    assert envcheck.pinned_versions(req) == {"numpy": "1.2.3", "jupyter-core": "5.0"}


def test_check_passes_in_the_pinned_environment(capsys):
    assert envcheck.check_environment()
    out = capsys.readouterr().out
    assert "PROBLEM" not in out and out.count(": OK") == len(envcheck.KEY_PACKAGES) + 3


@pytest.mark.parametrize("in_course_venv", [True, False])
def test_check_reports_a_version_mismatch(tmp_path, capsys, monkeypatch, in_course_venv):
    prefix = envcheck.REPOSITORY / ".venv" if in_course_venv else tmp_path / "other-python"
    monkeypatch.setattr(sys, "prefix", str(prefix))
    pins = envcheck.pinned_versions()
    pins["numpy"] = "0.0.1"
    req = tmp_path / "requirements.txt"
    req.write_text("".join(f"{k}=={v}\n" for k, v in pins.items()))
    assert not envcheck.check_environment(req)
    out = capsys.readouterr().out
    assert f"numpy 0.0.1 as pinned: PROBLEM - found {metadata.version('numpy')}" in out
    # In the course's .venv a wrong version means a stale install; elsewhere, a kernel
    # from another Python is the usual cause.
    assert ("make clean setup" in out) and (("Change Kernel" in out) != in_course_venv)


@pytest.mark.parametrize("in_course_venv", [True, False])
def test_check_reports_a_missing_package(capsys, monkeypatch, in_course_venv, tmp_path):
    prefix = envcheck.REPOSITORY / ".venv" if in_course_venv else tmp_path / "other-python"
    monkeypatch.setattr(sys, "prefix", str(prefix))
    monkeypatch.setattr(envcheck, "KEY_PACKAGES", (*envcheck.KEY_PACKAGES, "no-such-package"))
    assert not envcheck.check_environment()
    line = next(x for x in capsys.readouterr().out.splitlines() if "no-such-package" in x)
    assert line.startswith("no-such-package installed: PROBLEM - ")
    want = envcheck.REINSTALL if in_course_venv else envcheck.SWITCH_KERNEL
    assert line.endswith(want)


def test_check_reports_a_missing_lock(tmp_path, capsys):
    assert not envcheck.check_environment(tmp_path / "nope.txt")
    assert "requirements.txt found: PROBLEM" in capsys.readouterr().out
