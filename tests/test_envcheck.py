"""The index notebook's set-up check."""

from importlib import metadata

from rmsnotes import envcheck


def test_pinned_versions_reads_the_lock(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text("# comment\nNumPy==1.2.3\njupyter_core==5.0  # trailing\n\n")
    assert envcheck.pinned_versions(req) == {"numpy": "1.2.3", "jupyter-core": "5.0"}


def test_check_passes_in_the_pinned_environment(capsys):
    assert envcheck.check_environment()
    out = capsys.readouterr().out
    assert "PROBLEM" not in out and out.count(": OK") == len(envcheck.KEY_PACKAGES) + 3


def test_check_reports_a_version_mismatch(tmp_path, capsys):
    pins = envcheck.pinned_versions()
    pins["numpy"] = "0.0.1"
    req = tmp_path / "requirements.txt"
    req.write_text("".join(f"{k}=={v}\n" for k, v in pins.items()))
    assert not envcheck.check_environment(req)
    out = capsys.readouterr().out
    assert f"numpy 0.0.1 as pinned: PROBLEM - found {metadata.version('numpy')}" in out
    assert "Change Kernel" in out


def test_check_reports_a_missing_lock(tmp_path, capsys):
    assert not envcheck.check_environment(tmp_path / "nope.txt")
    assert "requirements.txt found: PROBLEM" in capsys.readouterr().out
