"""Checks of the repository itself: pinned environment, Binder config, stored notebooks."""

import importlib
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import reading_time  # from tools/, which tests/conftest.py puts on sys.path
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.\-+]+)$")


def requirement_lines(path):
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


# ------------------------------------------------------------------ environment


def test_requirements_txt_pins_every_package_exactly():
    pins = requirement_lines(ROOT / "requirements.txt")
    assert len(pins) > 20
    bad = [p for p in pins if not PIN.match(p)]
    assert not bad, f"not pinned with ==: {bad}"
    names = [canonical(PIN.match(p).group(1)) for p in pins]
    assert len(names) == len(set(names)), "a package is pinned twice"


def test_requirements_in_is_covered_by_the_lock():
    wanted = {canonical(n) for n in requirement_lines(ROOT / "requirements.in")}
    locked = {
        canonical(PIN.match(p).group(1)) for p in requirement_lines(ROOT / "requirements.txt")
    }
    assert wanted <= locked, f"in requirements.in but not locked: {wanted - locked}"


def test_environment_yml_matches_the_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    conda = [d for d in deps if isinstance(d, str)]
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict)]
    assert len(pip_sections) == 1, "environment.yml needs exactly one pip: section"
    assert "pip" in conda, "pip: entries are only installed when pip is a conda dependency"
    pythons = [d for d in conda if d.startswith("python")]
    assert len(pythons) == 1 and re.fullmatch(r"python=3\.\d+", pythons[0]), pythons
    minor = int(pythons[0].split(".")[1])
    requires = (ROOT / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.11"' in requires and minor >= 11
    pip_entries = pip_sections[0]
    assert "-e ." in pip_entries, "Binder must install rmsnotes itself"
    pinned = [e for e in pip_entries if e != "-e ."]
    assert pinned == requirement_lines(ROOT / "requirements.txt")


def test_environment_yml_is_what_the_sync_script_writes():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "sync_environment.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_no_binder_folder_hides_environment_yml():
    # repo2docker ignores the top-level config when a binder/ folder exists.
    assert not (ROOT / "binder").exists()


def test_readme_binder_badge_is_derived_from_the_public_address():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    address = project["urls"]["Repository"]
    owner_repo = re.fullmatch(r"https://github\.com/([^/]+/[^/]+)", address).group(1)
    expected = (
        f"https://mybinder.org/v2/gh/{owner_repo}/HEAD?urlpath=lab/tree/notebooks/00_index.ipynb"
    )
    readme = (ROOT / "README.md").read_text()
    assert f"]({expected})" in readme, f"README needs the badge link {expected}"
    assert (ROOT / "notebooks" / "00_index.ipynb").exists()


def test_readme_shows_the_commands_every_notebook_and_existing_figures():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    for path in NOTEBOOKS:
        assert f"(notebooks/{path.name})" in readme, f"README does not link {path.name}"
    for figure in re.findall(r"\]\((figures/[^)]+)\)", readme):
        assert (ROOT / figure).exists(), f"README shows {figure}, which does not exist"


def test_readme_and_guide_count_the_claims_of_the_ledger():
    from rmsnotes import claims

    for name in ("README.md", "docs/instructor-guide.md"):
        stated = re.findall(r"\b(\d+) claims\b", (ROOT / name).read_text())
        assert stated, f"{name} no longer states the ledger's size"
        assert set(stated) == {str(len(claims.CLAIMS))}, f"{name} says {stated} claims"


def test_ci_runs_make_test_then_the_portable_check():
    script = (ROOT / ".ci" / "run").read_text()
    lines = [line.strip() for line in script.splitlines()]
    assert "make test" in lines and "make test-portable" in lines
    assert lines.index("make test") < lines.index("make test-portable")
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111, ".ci/run must be executable"


def test_ci_then_runs_the_browser_binder_and_offline_checks():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    later = ["make test-browser", "make binder-check", "make test-offline"]
    assert all(step in lines for step in later), f".ci/run must run {later}"
    order = [lines.index(step) for step in ["make test-portable", *later]]
    assert order == sorted(order), f".ci/run runs them out of order: {later}"
    chromium = next(i for i, line in enumerate(lines) if "apt-get install" in line)
    assert "chromium" in lines[chromium] and chromium < lines.index("make test-browser")
    assert "set -euo pipefail" in lines


# -------------------------------------------------------------- stored notebooks


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request):
    return request.param, json.loads(request.param.read_text())


def test_there_are_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert names[:2] == ["00_index.ipynb", "01_adagrad.ipynb"], names


def test_notebook_was_saved_after_restart_and_run_all(notebook):
    path, nb = notebook
    counts = [c["execution_count"] for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: counts {counts}"


def test_notebook_has_no_errors_warnings_or_timing(notebook):
    path, nb = notebook
    for i, cell in enumerate(code_cells(nb)):
        assert "execution" not in cell["metadata"], f"{path.name} cell {i}: timing metadata"
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"{path.name} cell {i}: stored error"
            if out["output_type"] == "stream":
                assert out["name"] == "stdout", f"{path.name} cell {i}: stderr output"
            text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            assert "Warning" not in text, f"{path.name} cell {i}: a warning was stored"


def test_notebooks_carry_no_machine_specific_metadata():
    script = ROOT / "tools" / "normalize_notebooks.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check", *map(str, NOTEBOOKS)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_notebook_uses_the_python3_kernel_and_no_widget_state(notebook):
    path, nb = notebook
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb["metadata"], f"{path.name}: saved widget state churns"


def test_notebook_figures_exist(notebook):
    path, nb = notebook
    source = "\n".join("".join(c["source"]) for c in code_cells(nb))
    for name in re.findall(r"save_(?:figure|and_show)\([^,]+,\s*\"([^\"]+)\"", source):
        file = ROOT / "figures" / (name if name.endswith(".png") else name + ".png")
        assert file.exists(), f"{path.name} saves {file.name}, which is not committed"


def test_every_figure_is_made_by_a_notebook():
    # figures/ holds only what re-execution regenerates: no stale or hand-made files
    sources = "\n".join(
        "".join(c["source"]) for p in NOTEBOOKS for c in code_cells(json.loads(p.read_text()))
    )
    for figure in sorted((ROOT / "figures").iterdir()):
        assert f'"{figure.stem}"' in sources or f'"{figure.name}"' in sources, (
            f"figures/{figure.name} is not written by any notebook: delete it or regenerate it"
        )


def public_names():
    """Every name in the __all__ of every rmsnotes module: the package's public API."""
    import rmsnotes

    names = {}
    for module_name in rmsnotes.__all__:
        module = importlib.import_module(f"rmsnotes.{module_name}")
        for name in module.__all__:
            names.setdefault(name, f"rmsnotes.{module_name}.{name}")
    return names


def test_public_names_are_found():
    names = public_names()
    assert {"adagrad", "rmsprop", "run", "History", "moving_average"} <= set(names)


def test_notebook_imports_rmsnotes_and_never_redefines_it(notebook):
    path, nb = notebook
    source = "\n".join("".join(c["source"]) for c in code_cells(nb))
    assert "import *" not in source
    defined = set(re.findall(r"^\s*(?:def|class)\s+(\w+)", source, re.MULTILINE))
    defined |= set(re.findall(r"^(\w+)\s*=\s*lambda\b", source, re.MULTILINE))
    clashes = {name: where for name, where in public_names().items() if name in defined}
    assert not clashes, f"{path.name} redefines {clashes}: import them from rmsnotes"


def test_notebook_uses_no_private_names(notebook):
    path, nb = notebook
    source = "\n".join("".join(c["source"]) for c in code_cells(nb))
    modules = "|".join(["rmsnotes", *__import__("rmsnotes").__all__])
    private = re.findall(rf"\b(?:{modules})\._\w+", source)
    private += re.findall(r"from rmsnotes[\w.]* import [^\n]*\b_\w+", source)
    assert not private, f"{path.name} uses private names {private}: make them public"


FENCE = re.compile(r"```.*?```", re.DOTALL)


def test_every_heading_is_in_its_own_cell(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        text = FENCE.sub("", "".join(cell["source"])).strip()
        headings = [line for line in text.splitlines() if re.match(r"#{1,6}\s", line)]
        if headings:
            assert text == headings[0], f"{path.name} cell {i}: a heading shares its cell"


def test_notebook_states_an_honest_time(notebook):
    # tools/reading_time.py estimates the time from prose, code and exercises
    path, nb = notebook
    if path.name == "00_index.ipynb":
        return  # the index states every notebook's time instead (next test)
    stated = reading_time.stated(path)
    assert stated is not None, f"{path.name}: no '**Time:** about N min ...' line at the top"
    estimate = reading_time.estimate(path)
    assert all(abs(s - e) <= 5 for s, e in zip(stated, estimate, strict=True)), (
        f"{path.name} states {stated} min; tools/reading_time.py estimates {estimate}"
    )


def test_index_lists_each_notebooks_stated_time():
    index = json.loads((ROOT / "notebooks" / "00_index.ipynb").read_text())
    text = "\n".join("".join(c["source"]) for c in index["cells"] if c["cell_type"] == "markdown")
    for path in NOTEBOOKS[1:]:
        read, exercises = reading_time.stated(path) or (None, None)
        rows = [line for line in text.splitlines() if path.name in line and "|" in line]
        assert rows, f"the index's map has no row linking {path.name}"
        assert f"{read} + {exercises} min" in rows[0], (
            f"the index's row for {path.name} should say '{read} + {exercises} min': {rows[0]}"
        )


def test_exported_figures_are_at_least_150_dpi():
    from PIL import Image

    for figure in sorted((ROOT / "figures").glob("*.png")):
        with Image.open(figure) as img:
            dpi = img.info.get("dpi", (0, 0))
        assert min(dpi) >= 149.5, f"figures/{figure.name} is saved at {dpi} dpi, not >= 150"
