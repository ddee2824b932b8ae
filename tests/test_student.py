"""tools/make_student.py: the student copies, built from every notebook and then run.

The first tests feed :func:`student_notebook` small notebooks made here, so each rule
(solutions out, other folds kept, notes cells out, outputs cleared, the "Show solution"
sentence rewritten, non-notebooks refused) is shown to act; so are the Makefile's cut
(the learners' part before the maintainers' marker line, refused when it is missing or
names what the copy lacks) and the refusal of ``make X`` for a target the copy has not
got. The rest build the whole student tree from the repository as it is, run make in it
(help lists exactly help, setup, lab and clean; an unknown target fails clearly), check
that its README and notebooks name no removed target, check every notebook against its
source and then execute every student notebook the way a learner would: a python3 kernel of this
environment importing the copy's own ``rmsnotes`` (PYTHONPATH), the working folder the
copy's notebooks/, MPLBACKEND unset (the inline backend), figures written to a scratch
folder. Each notebook runs in its own Python process, two at a time (about half the
time of one at a time on two cores: 38 s against 74 s here); a hung run is cut off
after NOTEBOOK_TIMEOUT and fails with its log. Every check cell must print ``not yet:``
and none ``correct:``: the copy holds no worked solutions.
"""

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
JOBS = 2  # kernels at once

_spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
make_student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_student)

EXERCISE_HEADING = re.compile(r"^#{2,6}\s+Exercise\b.*$", re.MULTILINE)
DETAILS_BLOCK = re.compile(r"<details\b.*?</details\s*>", re.DOTALL | re.IGNORECASE)
SOLUTION_FOLD = re.compile(r"<details>\s*<summary>[^<]*solution", re.IGNORECASE)


def text(cell):
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def notebook(*cells):
    """A minimal nbformat-4 notebook; cells are (type, source) or (type, source, tags)."""
    out = []
    for i, (kind, source, *tags) in enumerate(cells):
        cell = {"cell_type": kind, "id": f"c{i}", "metadata": {}, "source": source}
        if tags:
            cell["metadata"]["tags"] = tags[0]
        if kind == "code":
            cell |= {"execution_count": i + 1, "outputs": [{"output_type": "stream", "text": "x"}]}
        out.append(cell)
    return {"cells": out, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


SOLUTION = "<details><summary>Show solution</summary>\n\n```python\nanswer = 1\n```\n</details>"
ASIDE = "<details><summary>If the gradients can grow</summary>\n\nA proof.\n</details>"


# ----------------------------------------------------------------- the rules


def test_a_cell_holding_only_a_solution_is_dropped():
    nb = notebook(("markdown", "### Exercise 1"), ("code", "answer = None"), ("markdown", SOLUTION))
    cells = make_student.student_notebook(nb)["cells"]
    assert [text(c) for c in cells] == ["### Exercise 1", "answer = None"]


def test_a_solution_inside_a_cell_goes_and_the_rest_stays():
    nb = notebook(("markdown", f"Before.\n\n{SOLUTION}\n\nAfter."))
    (cell,) = make_student.student_notebook(nb)["cells"]
    assert text(cell) == "Before.\n\nAfter."


def test_a_fold_that_is_not_a_solution_stays_verbatim():
    nb = notebook(("markdown", f"Text.\n\n{ASIDE}"), ("markdown", SOLUTION))
    cells = make_student.student_notebook(nb)["cells"]
    assert [text(c) for c in cells] == [f"Text.\n\n{ASIDE}"]


def test_a_solution_with_a_fold_inside_goes_whole():
    nested = SOLUTION.replace("</details>", f"{ASIDE}\n</details>")
    nb = notebook(("markdown", f"Keep.\n\n{nested}"))
    assert [text(c) for c in make_student.student_notebook(nb)["cells"]] == ["Keep."]


def test_the_rules_shared_with_the_slides_and_reading_times():
    """tools/conventions.py: is_solution_only (the slides' fragments) is true exactly for
    the cells whose whole text without_solutions (the student copy) removes; the
    docstring examples hold. tests/test_slides.py checks the stored notebooks' fragments."""
    import doctest

    import conventions

    def cell(source):
        return {"cell_type": "markdown", "metadata": {}, "source": [source]}

    assert conventions.is_solution_only(cell(SOLUTION))
    assert conventions.is_solution_only(cell(f"{SOLUTION}\n\n{SOLUTION}"))
    assert not conventions.is_solution_only(cell(ASIDE)), "an aside is part of the lesson"
    assert not conventions.is_solution_only(cell(f"Before.\n\n{SOLUTION}"))
    assert not conventions.is_solution_only(cell("No fold at all."))
    examples = doctest.testmod(conventions)
    assert examples.attempted >= 2 and examples.failed == 0


@pytest.mark.parametrize("bad", ["<details><summary>Show solution</summary> open", "x </details>"])
def test_unbalanced_folds_are_refused_with_the_cell_named(bad):
    with pytest.raises(ValueError, match=r"demo\.ipynb, cell 0 \(id c0\).*details"):
        make_student.student_notebook(notebook(("markdown", bad)), "demo.ipynb")


def test_instructor_notes_cells_are_dropped_and_other_tags_kept():
    nb = notebook(
        ("markdown", "## 1. A section"),
        ("markdown", "**Time:** 5 min. Say: ...", ["instructor-notes"]),
        ("code", "x = 1", ["keep-me"]),
    )
    cells = make_student.student_notebook(nb)["cells"]
    assert [text(c) for c in cells] == ["## 1. A section", "x = 1"]
    assert cells[1]["metadata"]["tags"] == ["keep-me"]


def test_outputs_and_counts_are_cleared_and_the_input_is_not_changed():
    nb = notebook(("code", "print(1)"))
    nb["metadata"]["widgets"] = {"state": {}}
    before = json.dumps(nb)
    out = make_student.student_notebook(nb)
    assert out["cells"][0]["outputs"] == [] and out["cells"][0]["execution_count"] is None
    assert "widgets" not in out["metadata"]
    assert json.dumps(nb) == before


def test_the_show_solution_sentence_is_rewritten_across_line_breaks():
    nb = notebook(
        ("markdown", "Run it.\nSolutions are\nfolded under **Show solution**; try first.")
    )
    (cell,) = make_student.student_notebook(nb)["cells"]
    assert "Show solution" not in text(cell) and "student copy" in text(cell)
    assert text(cell).startswith("Run it.\n")


def test_an_unknown_mention_of_folded_solutions_stops_the_build():
    nb = notebook(("markdown", "The folded solutions are at the end."))
    with pytest.raises(ValueError, match="folded solution.*REWRITES"):
        make_student.student_notebook(nb, "demo.ipynb")


def test_links_to_files_left_out_point_to_the_public_repository(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("x")
    relink = make_student.relinker(
        PurePosixPath("notebooks"),
        {"notebooks/01.ipynb", "figures/a.png"}.__contains__,
        lambda rel: (tmp_path / rel).exists(),
        "https://example.org/r",
    )
    md = (
        "[guide](../docs/guide.md#top) [next](01.ipynb) ![f](../figures/a.png) "
        "[web](https://x.y) $[g^2](1-\\beta^t)$"
    )
    assert relink(md) == (
        "[guide](https://example.org/r/blob/HEAD/docs/guide.md#top) [next](01.ipynb) "
        "![f](../figures/a.png) [web](https://x.y) $[g^2](1-\\beta^t)$"
    )


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("notes.txt", "{}", "does not end in .ipynb"),
        ("broken.ipynb", "{not json", "is not a notebook"),
        ("list.ipynb", "[1, 2]", "no list of cells"),
        ("old.ipynb", '{"cells": [], "nbformat": 3}', "nbformat 3"),
        ("odd.ipynb", '{"cells": [{"cell_type": "image"}], "nbformat": 4}', "cell 0"),
    ],
)
def test_anything_but_a_notebook_is_refused_clearly(tmp_path, name, content, why):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(make_student.NotANotebook, match=re.escape(why)):
        make_student.load_notebook(path)
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "make_student.py"),
            "--notebook",
            path,
            tmp_path / "o",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and why in run.stderr and not (tmp_path / "o").exists()


def test_a_folder_the_script_did_not_make_is_not_touched(tmp_path):
    (tmp_path / "mine.txt").write_text("keep")
    with pytest.raises(ValueError, match="not made by this script"):
        make_student.build_tree(ROOT, tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "keep"
    with pytest.raises(ValueError, match="over the repository"):
        make_student.build_tree(ROOT, ROOT)


def test_the_docstring_examples_of_make_student():
    import doctest

    examples = doctest.testmod(make_student)
    assert examples.attempted >= 3 and examples.failed == 0


# ------------------------------------------------- the Makefile and make targets

KEPT = ["help", "setup", "lab", "clean"]
LEARNERS = """\
STAMP := .venv/.installed
.PHONY: help setup clean
help:  ## list the targets
\t@grep x $(MAKEFILE_LIST)
$(STAMP): requirements.txt
\ttouch $(STAMP)
setup: $(STAMP)  ## set up, from tools/ notes in the help text only
clean:  ## remove
\trm -rf .venv
"""
MAINTAINERS = """\
.PHONY: test execute
test: setup  ## the tests
\tpython tools/t.py tests/x.cfg
execute:  ## re-run
\tpython tools/n.py
"""


def cut_makefile(learners=LEARNERS):
    return f"{learners}\n{make_student.MAKEFILE_CUT}\n{MAINTAINERS}"


def in_small_copy(path):
    return path in {"requirements.txt", "notebooks", "tests/data", "tests"}


def in_small_repository(path):
    return path.split("/")[0] in {"requirements.txt", "notebooks", "tests", "tools"}


def test_the_makefile_is_cut_at_the_marker_line():
    kept, targets = make_student.student_makefile(
        cut_makefile(), in_small_copy, in_small_repository
    )
    assert kept == LEARNERS
    assert targets == make_student.MakeTargets(("help", "setup", "clean"), ("test", "execute"))


@pytest.mark.parametrize(
    "text",
    [LEARNERS + MAINTAINERS, cut_makefile() + make_student.MAKEFILE_CUT + "\n"],
    ids=["missing", "twice"],
)
def test_a_makefile_without_the_marker_line_once_is_refused(text):
    with pytest.raises(ValueError, match=r"maintainers' targets.*student copy's Makefile"):
        make_student.student_makefile(text, in_small_copy, in_small_repository)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (("\ttouch $(STAMP)", "\tpython tools/check.py\n\ttouch $(STAMP)"), "names tools/check.py"),
        (("\ttouch $(STAMP)", "\tcp tests/nbval_sanitize.cfg .venv"), "names tests/nbval_sanitize"),
        (("\ttouch $(STAMP)", "\tpython benchmarks/b.py"), "names benchmarks/b.py"),
        (("setup: $(STAMP)", "setup: $(STAMP) test"), "needs test"),
        (("$(STAMP): requirements.txt", "$(STAMP): requirements-browser.txt"), "needs requir"),
        ((".PHONY: help setup clean", ".PHONY: help setup clean test"), "PHONY lists"),
        ((".PHONY: help setup clean", ".PHONY: help setup"), "PHONY lists"),
        (("clean:  ## remove", "clean:  ## remove; see make execute"), "run `make execute`"),
        (("STAMP :=", "# then `make test`\nSTAMP :="), "run `make test`"),
    ],
    ids=["tools", "tests", "benchmarks", "target", "file", "phony+", "phony-", "help", "note"],
)
def test_a_learners_part_that_needs_what_the_copy_lacks_is_refused(change, why):
    learners = LEARNERS.replace(*change)
    assert learners != LEARNERS
    with pytest.raises(ValueError, match=re.escape(why)):
        make_student.student_makefile(cut_makefile(learners), in_small_copy, in_small_repository)


def test_a_repository_makefile_without_the_marker_stops_the_build_before_writing(tmp_path):
    root, out = tmp_path / "repo", tmp_path / "out"
    for rel in make_student.source_files(ROOT) + [f"notebooks/{p.name}" for p in NOTEBOOKS]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes((ROOT / rel).read_bytes())
    makefile = (root / "Makefile").read_text()
    (root / "Makefile").write_text(makefile.replace(make_student.MAKEFILE_CUT, "# the rest"))
    with pytest.raises(ValueError, match="the Makefile has the line .* not at all"):
        make_student.build_tree(root, out)
    assert not out.exists()
    (root / "Makefile").write_text(makefile)
    assert "Makefile" in make_student.build_tree(root, out)


def test_the_repository_makefile_has_the_marker_and_the_learners_part_first():
    text = (ROOT / "Makefile").read_text()
    assert text.splitlines().count(make_student.MAKEFILE_CUT) == 1
    _, (kept, removed) = make_student.split_makefile(text)
    assert list(kept) == KEPT
    assert {"test", "execute", "student", "wheelhouse", "profile", "bench"} <= set(removed)
    # the repository's help: the learners' targets first, then every other one
    assert [line.split()[1] for line in make_help(ROOT)] == KEPT + [
        t for t in removed if re.search(rf"^{t}:.*## ", text, re.M)
    ]


def test_a_removed_target_left_in_a_notebook_stops_the_build():
    targets = make_student.MakeTargets(("lab", "clean"), ("test", "execute"))
    for kind, source in [
        ("markdown", "Then run `make execute`."),
        ("code", "!make test"),
        ("markdown", "```bash\nmake clean test   # both\n```"),
    ]:
        nb = notebook(("markdown", "Intro."), (kind, source))
        with pytest.raises(ValueError, match=r"demo\.ipynb, cell 1 .*`make (execute|test)`"):
            make_student.student_notebook(nb, "demo.ipynb", targets=targets)
    prose = notebook(("markdown", "This can make the test pass; `make lab` opens it."))
    assert make_student.student_notebook(prose, targets=targets)["cells"]


def test_a_removed_target_left_in_the_readme_stops_the_build():
    sections = "".join(f"## {s}\n\nx\n\n" for s in make_student.FULL_REPOSITORY_SECTIONS)
    readme = f"# T\n\n## Use\n\n`make lab`, then `make bench`.\n\n{sections}"
    targets = make_student.MakeTargets(("lab",), ("bench",))
    with pytest.raises(ValueError, match=r"README\.md .*`make bench`.*REWRITES"):
        make_student.student_readme(readme, "> note\n", str, targets)
    # in a section about the full repository only, it goes with the section
    moved = readme.replace(", then `make bench`", "").replace("x\n", "`make bench`\n", 1)
    out = make_student.student_readme(moved, "> note\n", str, targets)
    assert "bench" not in out and "## Use" in out and "## Performance" not in out
    with pytest.raises(ValueError, match="no section ## Performance"):
        make_student.student_readme(moved.replace("## Performance", "## Speed"), "", str)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_transformation_is_idempotent(path):
    once = make_student.student_notebook(make_student.load_notebook(path), path.name)
    assert make_student.student_notebook(once, path.name) == once


# ------------------------------------------------------- the tree, as built


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    out = tmp_path_factory.mktemp("copy") / "student"
    make_student.build_tree(ROOT, out)
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_notebook_keeps_the_exercises_and_nothing_else_of_the_answers(tree, path):
    source = json.loads(path.read_text())
    student = make_student.load_notebook(tree / "notebooks" / path.name)
    src_md = [text(c) for c in source["cells"] if c["cell_type"] == "markdown"]
    md = "\n".join(text(c) for c in student["cells"] if c["cell_type"] == "markdown")

    # no solution left; any other fold is one of the source's, word for word
    folds = DETAILS_BLOCK.findall(md)
    asides = [b for b in DETAILS_BLOCK.findall("\n".join(src_md)) if not SOLUTION_FOLD.match(b)]
    assert folds == asides
    assert "Show solution" not in md
    assert not any("instructor-notes" in c["metadata"].get("tags", []) for c in student["cells"])
    for cell in student["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    # every exercise heading, and every code cell unchanged and in order
    assert EXERCISE_HEADING.findall(md) == EXERCISE_HEADING.findall("\n".join(src_md))
    if path.stem != "00_index":
        assert EXERCISE_HEADING.findall(md), "a lesson without exercises?"
    code = [text(c) for c in student["cells"] if c["cell_type"] == "code"]
    assert code == [text(c) for c in source["cells"] if c["cell_type"] == "code"]


def test_the_tree_holds_what_setup_and_lab_need(tree):
    for name in ("README.md", "Makefile", "pyproject.toml", "requirements.txt", "environment.yml"):
        assert (tree / name).read_bytes(), name
    assert (tree / "requirements.txt").read_bytes() == (ROOT / "requirements.txt").read_bytes()
    assert sorted(p.name for p in (tree / "rmsnotes").glob("*.py")) == sorted(
        p.name for p in (ROOT / "rmsnotes").glob("*.py")
    )
    beside = [p for p in (ROOT / "notebooks").iterdir() if p.is_file() and p.suffix != ".ipynb"]
    for path in beside:  # rise.css: the slides' styles
        if not path.name.startswith("."):
            assert (tree / "notebooks" / path.name).read_bytes() == path.read_bytes()
    readme = (tree / "README.md").read_text()
    assert readme.startswith("# ") and "This is the student copy" in readme
    assert "`help`, `setup`, `lab` and `clean`" in readme
    # make resolves the kept targets there (-n: print the recipes, run nothing)
    dry = make(tree, "-n", "setup", "lab", "clean")
    assert dry.returncode == 0, dry.stderr
    assert "pip install" in dry.stdout and "jupyter lab" in dry.stdout
    assert "rm -rf .venv" in dry.stdout
    offline = make(tree, "-n", "setup", "WHEELHOUSE=/media/stick/wheelhouse")
    assert "--no-index --find-links /media/stick/wheelhouse -r requirements.txt" in offline.stdout


def make(folder, *args):
    """make in ``folder``, as a learner's shell runs it: not as a sub-make of make test."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def make_help(folder):
    run = make(folder, "help")
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


def test_the_copys_makefile_is_the_learners_part_and_help_lists_exactly_its_targets(tree):
    repository = (ROOT / "Makefile").read_text()
    kept, _ = make_student.split_makefile(repository)
    assert (tree / "Makefile").read_text() == kept
    assert make_student.MAKEFILE_CUT not in kept and "tools/" not in kept
    lines = make_help(tree)
    assert [line.split()[1] for line in lines] == KEPT
    assert lines == make_help(ROOT)[: len(KEPT)], "the same help text as the repository's"


@pytest.mark.parametrize("target", ["test", "execute", "student", "bench"])
def test_a_target_the_copy_has_not_got_fails_clearly_there(tree, target):
    for args in (["-n", target], [target]):
        run = make(tree, *args)
        assert run.returncode != 0
        assert f"no target '{target}'" in run.stderr and "make help" in run.stderr, run.stderr
    assert make(ROOT, "-n", target).returncode == 0, "the repository still has it"


def test_a_missing_file_a_rule_needs_is_named_not_called_a_target(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").write_text("")  # requirements.txt is the missing one
    run = make(tmp_path, "-n", "setup")
    assert run.returncode != 0
    assert "requirements.txt is missing, and a rule here needs it" in run.stderr, run.stderr
    assert "no target" not in run.stderr


def test_the_copys_readme_notebooks_and_makefile_name_no_removed_target(tree):
    _, (kept, removed) = make_student.split_makefile((ROOT / "Makefile").read_text())
    readme = (tree / "README.md").read_text()
    assert make_student.make_targets_named(readme, removed, kept) == []
    assert make_student.make_targets_named((tree / "Makefile").read_text(), removed, kept) == []
    assert "make test" not in readme and "make setup   # only set up .venv" in readme
    for section in make_student.FULL_REPOSITORY_SECTIONS:
        assert f"\n## {section}\n" not in readme
    for path in sorted((tree / "notebooks").glob("*.ipynb")):
        nb = make_student.load_notebook(path)
        for cell in nb["cells"]:
            assert make_student.make_targets_named(text(cell), removed, kept) == [], path.name
    index = make_student.load_notebook(tree / "notebooks" / "00_index.ipynb")
    assert not any("make test" in text(c) for c in index["cells"])
    assert any("```bash\nmake lab " in text(c) for c in index["cells"])


def test_every_link_of_the_copy_that_names_a_repository_file_is_in_the_copy(tree):
    pages = [(tree / "README.md", PurePosixPath("."))] + [
        (p, PurePosixPath("notebooks")) for p in sorted((tree / "notebooks").glob("*.ipynb"))
    ]
    for page, folder in pages:
        body = page.read_text()
        for target in make_student.LINK.findall(body):
            rel = target[1].split("#")[0]
            if make_student.EXTERNAL.match(target[1]) or not rel:
                continue
            resolved = make_student._normalise(folder / rel)
            if resolved and (ROOT / resolved).exists():
                assert (tree / resolved).exists(), f"{page.name}: {target[1]}"


def test_the_zip_is_the_tree_and_the_same_bytes_every_time(tree, tmp_path):
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    make_student.write_zip(tree, first)
    again = tmp_path / "again"
    make_student.build_tree(ROOT, again)
    make_student.build_tree(ROOT, again)  # replacing its own earlier output
    make_student.write_zip(again, second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        names = zf.namelist()
    files = sorted(
        f"rmsnotes-student/{p.relative_to(tree).as_posix()}"
        for p in tree.rglob("*")
        if p.is_file() and p.name != make_student.MARKER
    )
    assert names == files
    assert "rmsnotes-student/notebooks/00_index.ipynb" in names


# ------------------------------------------------------- the tree, executed


def kernel_env(tree, figures):
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # inline backend
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tree), env.get("PYTHONPATH")]))
    env["RMSNOTES_FIGURES"] = str(figures)
    return env


# One notebook in its own Python (nbclient there, a python3 kernel under it): a process
# per notebook keeps the kernels' messaging apart and lets a hang be cut off by a
# timeout. jupyter_client starts the kernel in a session of its own, so killing the
# runner's process group would leave the kernel running: the runner writes the kernel's
# pid beside its output (<dst>.kernel-pid) and a timeout kills both groups.
RUNNER = """
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

src, dst = map(Path, sys.argv[1:])
nb = nbformat.read(src, as_version=4)
client = NotebookClient(
    nb,
    timeout=600,
    kernel_name="python3",
    allow_errors=True,  # record every error: the assertions name them
    record_timing=False,
    store_widget_state=False,
    resources={"metadata": {"path": str(src.parent)}},
)
# No emulation of ipywidgets' Output widget: with it, nbclient 0.11 now and then never
# returns from 06's explorer cell (seen twice here: the kernel idle, the client waiting).
# Without it the explorer's outputs arrive as plain cell outputs, as they do under nbval.
client.widget_registry = {}
client.on_notebook_start = lambda notebook: Path(f"{dst}.kernel-pid").write_text(
    str(client.km.provisioner.pid)
)
client.execute()
nbformat.write(nb, dst)
"""
NOTEBOOK_TIMEOUT = 300  # seconds; each takes under 30 here, two at a time on a busy machine


def kill_kernel(pid_file):
    """Kill the process group of the kernel whose pid the runner wrote, if it started."""
    try:
        os.killpg(int(pid_file.read_text()), signal.SIGKILL)
    except (OSError, ValueError):
        pass  # no kernel started yet, or it has already gone


def run_notebook(path, dst, env):
    """(executed notebook or None, seconds, what went wrong or None)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(path), str(dst)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        log, _ = proc.communicate(timeout=NOTEBOOK_TIMEOUT)
    except subprocess.TimeoutExpired:
        kill_kernel(Path(f"{dst}.kernel-pid"))
        os.killpg(proc.pid, signal.SIGKILL)
        log, _ = proc.communicate()
        return None, NOTEBOOK_TIMEOUT, f"did not finish in {NOTEBOOK_TIMEOUT} s:\n{log[-2000:]}"
    seconds = time.perf_counter() - start
    if proc.returncode:
        return None, seconds, f"the runner failed:\n{log[-2000:]}"
    return nbformat.read(dst, as_version=4), seconds, None


@pytest.fixture(scope="module")
def executed(tree, tmp_path_factory):
    """Every student notebook run in a fresh kernel, JOBS at a time: name -> run_notebook's."""
    env = kernel_env(tree, tmp_path_factory.mktemp("figures"))
    done = tmp_path_factory.mktemp("executed")
    paths = sorted((tree / "notebooks").glob("*.ipynb"))
    start = time.perf_counter()
    with ThreadPoolExecutor(JOBS) as pool:
        runs = {p.name: pool.submit(run_notebook, p, done / p.name, env) for p in paths}
        results = {name: run.result() for name, run in runs.items()}
    wall = time.perf_counter() - start
    times = ", ".join(f"{name[:2]} {run[1]:.1f}" for name, run in sorted(results.items()))
    print(f"\nstudent notebooks executed in {wall:.1f} s wall, {JOBS} at a time ({times} s)")
    return results


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_notebook_runs_clean_and_every_check_says_not_yet(executed, path):
    nb, _, failure = executed[path.name]
    assert failure is None, f"{path.name}: {failure}"
    checks_seen = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        where = f"{path.name}: {cell.source[:60]!r}"
        for out in cell.outputs:
            assert out.output_type != "error", f"{where}: {out.ename}: {out.evalue}"
            assert out.get("name") != "stderr", f"{where}: stderr {out.text[:300]!r}"
        printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        calls = cell.source.count("checks.check_")
        if calls:
            checks_seen += calls
            assert printed.count("not yet:") == calls, f"{where}: {printed!r}"
        assert "correct:" not in printed, f"{where}: {printed!r}"
    if path.stem != "00_index":
        assert checks_seen > 0, f"{path.name} has no check cells"


def test_the_index_setup_check_passes_in_the_copy(executed):
    nb, _, failure = executed["00_index.ipynb"]
    assert failure is None, failure
    (cell,) = [c for c in nb.cells if "check_environment()" in c.source]
    printed = "".join(o.get("text", "") for o in cell.outputs)
    assert "PROBLEM" not in printed and "Ready to go." in printed, printed


def test_the_kernels_import_the_copys_rmsnotes(tree, tmp_path):
    where = subprocess.run(
        [sys.executable, "-c", "import rmsnotes.frameworks as f; print(f.__file__, f.DATA_DIR)"],
        cwd=tree / "notebooks",
        env=kernel_env(tree, tmp_path),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert where == [str(tree / "rmsnotes" / "frameworks.py"), str(tree / "tests" / "data")]
