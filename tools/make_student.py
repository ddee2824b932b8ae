"""make student: the learners' copy of the course, in build/student/ and a zip of it.

A student copy is the course a learner can use on its own, with the answers taken out:

    build/student/               the tree (unzipped, to look at or to push to a branch)
    build/rmsnotes-student.zip   the same tree under one folder, rmsnotes-student/

Every notebook goes through :func:`student_notebook`, one pure function:

1. cells tagged ``instructor-notes`` (the speaker notes tools/slides.py renders) are
   dropped;
2. folded solutions are removed: every ``<details>`` block of a markdown cell whose
   ``<summary>`` says "solution"; a cell that held only a solution is dropped. Other
   folds (an aside such as 02's "If the gradients can grow") are course text and stay;
3. the sentences that tell learners the solutions are folded under *Show solution* are
   rewritten (:data:`REWRITES`) to what is true of the copy; if a notebook still
   mentions them, the build stops and names the cell, so a new wording cannot ship a
   false sentence;
4. every output, execution count and saved widget state is cleared;
5. relative links to files the copy leaves out (tools/, docs/, ...) point to the same
   file in the public repository (pyproject.toml's ``[project.urls] Repository``).

Code cells, exercises and their check cells included, are kept exactly as they are, so a
check cell prints ``not yet:`` until the learner answers. The transformation is
idempotent: a student notebook comes out unchanged.

The tree holds what ``make setup`` / ``make lab`` need there (README.md, the Makefile's
learners' part, pyproject.toml, requirements.txt, environment.yml for Binder, .gitignore), the
``rmsnotes`` package, ``notebooks/rise.css`` (the slides' styles: the cells keep their
RISE slide metadata, and jupyterlab-rise is pinned), ``figures/`` (the README and
notebook 05 show them; the notebooks write them) and ``tests/data/*.json``
(``rmsnotes.frameworks`` reads the recorded library trajectories from there, notebook
07 replays them). The README gets a short note on top saying what the copy is and
which make targets work in it, and loses the sections about the full repository only
(:data:`FULL_REPOSITORY_SECTIONS`). The zip is deterministic: the same sources give the
same bytes.

The copy's Makefile is the repository's up to the line :data:`MAKEFILE_CUT` (help, setup,
lab, clean): one Makefile, no second one to keep in step. The build stops if that line is
missing, if the kept part names a file the copy lacks, a target it does not keep or a
``.PHONY`` list other than its own targets, and if the copy's README, notebooks or
Makefile still tell the learner to run a target the copy has not got (``make test``,
``make execute``, ...): :data:`REWRITES` must say what the copy says instead.

    python tools/make_student.py                         # build/student/ and the zip
    python tools/make_student.py --out DIR --zip FILE    # elsewhere
    python tools/make_student.py --notebook IN.ipynb OUT.ipynb   # one notebook

Standard library only, so an instructor can run it without the course's .venv.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Callable, Collection
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from conventions import is_notes, level2_sections, without_solutions
from normalize_notebooks import dump as notebook_text  # the repository's one notebook layout

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "build" / "student"
DEFAULT_ZIP = ROOT / "build" / "rmsnotes-student.zip"
ZIP_FOLDER = "rmsnotes-student"  # what unzipping creates

# What the copy needs besides the notebooks, as paths relative to the repository.
FILES = (
    "README.md",  # pyproject.toml's readme: pip install -e . reads it
    "Makefile",  # its learners' part only: student_makefile
    "pyproject.toml",
    "requirements.txt",
    "environment.yml",  # Binder and conda users
    ".gitignore",  # for a copy pushed to a branch: keeps .venv out
)
TREES = (  # (folder, glob): whole folders, one level deep; notebooks are transformed
    ("notebooks", "*"),  # what sits beside them: rise.css, RISE's slide styles
    ("rmsnotes", "*.py"),
    ("figures", "*"),
    ("tests/data", "*.json"),  # rmsnotes.frameworks.DATA_DIR; not the subfolders
)
# Marks a folder this script wrote, so that it only ever deletes its own output.
MARKER = ".student-copy"

# The repository Makefile's line after the learners' part: the copy's Makefile is what
# comes before it.
MAKEFILE_CUT = (
    "# ---- maintainers' targets: tools/make_student.py cuts the student copy's Makefile here ----"
)
# Folders a student copy never has (but for what TREES copies): the learners' part of the
# Makefile must not name a path in them.
MAINTAINER_FOLDERS = ("tools", "tests", "benchmarks", "docs", ".ci")
# README sections about the full repository only (its tools, benchmarks, tests and how to
# work on them): the copy leaves them out; the note on top points to the repository.
FULL_REPOSITORY_SECTIONS = ("Performance", "Repository layout", "For contributors")

# The sentences that say where the solutions are or name make targets the copy has not
# got, and what the copy says instead. A space in a pattern matches any run of
# whitespace (the notebooks wrap their lines); "" drops the sentence.
REWRITES = (
    (
        r"Solutions are folded under \*\*Show solution\*\*; try first\.",
        "This student copy has no solutions: when the check cell prints `correct:`, you have it.",
    ),
    (
        r"solutions are folded under \*Show solution\*\.",
        "this student copy leaves the solutions out.",
    ),
    (r"with self-checks and folded solutions,", "with self-checks,"),  # index, workshop
    (r"`not yet:`, and folded solutions,", "`not yet:`,"),  # README, workshop
    # README, The two commands: the copy has no tests; its second command is setup
    (r"in a clone of this repository:", "in this folder:"),
    (
        r"make test    # set up \.venv, then lint, unit tests and strict nbval over every"
        r" notebook\n",
        "make setup   # only set up .venv (WHEELHOUSE=path/to/wheelhouse: offline)\n",
    ),
    (
        r"`make help` lists the other targets\.",
        "`make help` lists this copy's other targets.",
    ),
    # README, In a workshop; A room without network (the wheelhouse is made in the full
    # repository, which the note on top links to)
    (r"handing out student copies \(`make student`\)", "handing out student copies"),
    (
        # the whole paragraph, whatever its wording and wheel counts: up to a blank line
        r"\*\*A room without network:\*\* `make wheelhouse`[^\n]*(?:\n[^\n]+)*",
        "**A room without network:** copy a `wheelhouse/` folder of the pinned wheels\n"
        "   (the full repository makes one for a given Python and platform) into this folder,\n"
        "   for instance from a USB stick. On each machine, `make setup WHEELHOUSE=wheelhouse`\n"
        "   installs from it with no network (`pip install --no-index --find-links`).",
    ),
    # README, Troubleshooting: about editing the course's stored outputs
    (
        r"- \*\*`make test` fails in nbval after you edited a notebook\*\*: stored outputs"
        r" must match a fresh run; re-execute with `make execute` and commit the result\.\n",
        "",
    ),
    # 00_index, On your machine
    (r"`make`\. In the repository:", "`make`. In the course's folder:"),
    (r"make test    # optional: the same checks CI runs \(unit tests \+ every notebook\)\n", ""),
    # 06: why the printed losses are rounded
    (r" \(`make test-portable`\)\.", "."),
)
# What must not be left in a student notebook after the rewrites (README: the first
# only, since it also describes the full repository's browser test of folded solutions).
STALE_NOTEBOOK = re.compile(r"Show solution|folded solution", re.IGNORECASE)
STALE_README = re.compile(r"Show solution", re.IGNORECASE)

# [text](target) and ![alt](target); the target up to whitespace or ')'.
LINK = re.compile(r"(!?\[[^\]]*\]\()([^)\s]+)(\))")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", re.IGNORECASE)  # http:, mailto:, #x
# A rule line of a Makefile: "targets: prerequisites", not "VAR := value"; the help text
# after "## " and other comments are not prerequisites.
RULE = re.compile(r"^([^\s#=:][^#=:\n]*?)[ \t]*::?(?!=)([^#=\n]*)", re.MULTILINE)
# A path in a Makefile's text: a/b, not the tail of /x/a/b or $(VAR)/b.
MAKE_PATH = re.compile(r"(?<![\w/$.)-])((?:[\w.-]+/)+[\w.-]*)")
# Where a make command starts: the word make before whitespace (not $(MAKE), remake).
MAKE_WORD = re.compile(r"(?<![\w$(.-])make(?=\s)")


class MakeTargets(NamedTuple):
    """The repository Makefile's targets: the copy's (in order) and the others."""

    kept: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


NO_TARGETS = MakeTargets()  # no make target checked


class NotANotebook(ValueError):
    """The input is not a Jupyter notebook (nbformat 4) this script can transform."""


# ------------------------------------------------------------------ one notebook


def load_notebook(path: Path) -> dict:
    """Read an .ipynb file, refusing anything that is not an nbformat-4 notebook."""
    path = Path(path)
    if path.suffix != ".ipynb":
        raise NotANotebook(f"{path} is not a notebook: the name does not end in .ipynb")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise NotANotebook(f"{path} is not a notebook: {err}") from err
    if not (isinstance(nb, dict) and isinstance(nb.get("cells"), list)):
        raise NotANotebook(f"{path} is not a notebook: no list of cells")
    if nb.get("nbformat") != 4:
        raise NotANotebook(f"{path}: nbformat {nb.get('nbformat')!r}, this script reads 4")
    for i, cell in enumerate(nb["cells"]):
        if not (isinstance(cell, dict) and cell.get("cell_type") in ("markdown", "code", "raw")):
            raise NotANotebook(f"{path}: cell {i} is not a markdown, code or raw cell")
    return nb


def write_notebook(nb: dict, path: Path) -> None:
    """Write in the layout of the repository's notebooks (tools/normalize_notebooks.py's),
    so a student notebook reads like its source in a diff."""
    path.write_text(notebook_text(nb), encoding="utf-8")


def student_notebook(
    nb: dict,
    name: str = "notebook",
    *,
    relink: Callable[[str], str] | None = None,
    targets: MakeTargets = NO_TARGETS,
) -> dict:
    """The student version of a notebook: no notes, no solutions, no outputs.

    ``nb`` (a notebook as json.load reads it) is not changed; a new dict is returned.
    ``name`` only appears in error messages. ``relink``, if given, maps a markdown
    cell's text to the text with its links fixed (see :func:`relinker`).
    ``targets`` are the make targets the copy keeps and those it has not got (see
    :func:`split_makefile`): no cell may still tell the learner to run one of the latter.

    Raises ValueError, naming the notebook and cell, for an unbalanced ``<details>``,
    a sentence that still says solutions are folded or a removed target's ``make X``.
    """
    out = copy.deepcopy(nb)
    out["metadata"].pop("widgets", None)  # saved widget state is output too
    cells = []
    for i, cell in enumerate(out["cells"]):
        where = f"{name}, cell {i} (id {cell.get('id', '?')})"
        if is_notes(cell):
            continue
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
            cell.get("metadata", {}).pop("execution", None)  # timing, if any was saved
            _refuse_removed_targets(_source(cell), targets, where)
        elif cell["cell_type"] == "markdown":
            text = without_solutions(_source(cell), where)
            if not text.strip():
                continue  # the cell was a solution and nothing else
            text = rewrite_sentences(text)
            stale = STALE_NOTEBOOK.search(text)
            if stale:
                raise ValueError(
                    f"{where} still mentions folded solutions ({stale.group(0)!r} in "
                    f"{_line_of(text, stale.start())!r}): add a rewrite for it to "
                    "REWRITES in tools/make_student.py"
                )
            _refuse_removed_targets(text, targets, where)
            cell["source"] = _as_source(relink(text) if relink else text)
        cells.append(cell)
    out["cells"] = cells
    return out


def make_targets_named(
    text: str, targets: Collection[str], others: Collection[str] = ()
) -> list[tuple[str, str]]:
    """Every ``make X`` of ``text`` whose X is one of ``targets``: (X, its line).

    After ``make`` come its options and variables (``-n``, ``PYTHON=...``), which are
    skipped, and targets (``targets`` or ``others``), up to any other word or a closing
    backtick or punctuation, so prose ("make the test pass") names nothing.

    >>> make_targets_named("`make clean test PYTHON=python3.12`; `make bench`", {"test"})
    []
    >>> make_targets_named("`make clean test PYTHON=python3.12`", {"test"}, {"clean"})
    [('test', '`make clean test PYTHON=python3.12`')]
    >>> make_targets_named("make the test pass; make -n lab", {"lab", "test"})
    [('lab', 'make the test pass; make -n lab')]
    """
    found = []
    for match in MAKE_WORD.finditer(text):
        for word in text[match.end() :].split(maxsplit=8)[:8]:
            bare = word.rstrip("`'\".,;:)")
            if bare.startswith("-") or re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", bare):
                continue
            if bare in targets:
                found.append((bare, _line_of(text, match.start())))
            if bare != word or bare not in {*targets, *others}:
                break  # punctuation ends the command, and so does any other word
    return found


def _refuse_removed_targets(text: str, targets: MakeTargets, where: str) -> None:
    named = make_targets_named(text, targets.removed, targets.kept)
    if named:
        target, line = named[0]
        raise ValueError(
            f"{where} still tells the learner to run `make {target}` ({line!r}), which the"
            " student copy has not got: add a rewrite for it to REWRITES in"
            " tools/make_student.py"
        )


def rewrite_sentences(text: str) -> str:
    """Apply :data:`REWRITES` (whitespace in the patterns matches any line wrapping)."""
    for pattern, replacement in REWRITES:
        flexible = pattern.replace(" ", r"\s+")
        text = re.sub(flexible, lambda _m, r=replacement: r, text)
    return text


def relinker(
    source_dir: PurePosixPath,
    in_copy: Callable[[str], bool],
    in_repository: Callable[[str], bool],
    base_url: str,
) -> Callable[[str], str]:
    """A function fixing the relative links of markdown that lives in ``source_dir``.

    A link to a file of the repository that the copy leaves out (``in_repository`` but
    not ``in_copy``, for its repository-relative path) becomes
    ``base_url/blob/HEAD/path``, the same file in the public repository. Everything else
    stays: links the copy can follow, external ones, anchors, and bracket pairs that only
    look like links (``$[g^2](1-\\beta^t)$`` in notebook 03's maths).
    """

    def fix(match: re.Match) -> str:
        head, target, tail = match.groups()
        if EXTERNAL.match(target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = _normalise(source_dir / path)
        if resolved is None or in_copy(resolved) or not in_repository(resolved):
            return match.group(0)
        url = f"{base_url.rstrip('/')}/blob/HEAD/{resolved}" + (f"#{anchor}" if anchor else "")
        return head + url + tail

    return lambda text: LINK.sub(fix, text)


def _normalise(path: PurePosixPath) -> str | None:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None  # outside the repository: not ours to judge
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return src if isinstance(src, str) else "".join(src)


def _as_source(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _line_of(text: str, index: int) -> str:
    begin = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return text[begin : end if end >= 0 else len(text)].strip()


# --------------------------------------------------------------------- the tree


def student_readme(
    text: str,
    note: str,
    relink: Callable[[str], str],
    targets: MakeTargets = NO_TARGETS,
) -> str:
    """The README with ``note`` after its title, without the
    :data:`FULL_REPOSITORY_SECTIONS`, with the sentence rewrites and fixed links.

    Raises ValueError if one of those sections is missing, or if the result still
    mentions *Show solution* or tells the learner to run one of ``targets.removed``.
    """
    title, sep, rest = text.partition("\n")
    body = relink(rewrite_sentences(without_sections(rest, FULL_REPOSITORY_SECTIONS)))
    stale = STALE_README.search(body)
    if stale:
        raise ValueError(
            f"README.md still mentions {stale.group(0)!r} ({_line_of(body, stale.start())!r}):"
            " add a rewrite for it to REWRITES in tools/make_student.py"
        )
    _refuse_removed_targets(body, targets, "README.md")
    return f"{title}{sep}\n{note}{body}"


def without_sections(text: str, titles: Collection[str]) -> str:
    """``text`` (markdown) without its ``## title`` sections, each up to the next ``## ``
    heading (``###`` and deeper belong to the section; fenced code is not a heading).

    >>> without_sections("## A\\na\\n### A.1\\nx\\n## B\\nb\\n", ["A"])
    '## B\\nb\\n'
    """
    sections = level2_sections(text)
    missing = [t for t in titles if t not in {title for title, _ in sections}]
    if missing:
        raise ValueError(
            f"README.md has no section {', '.join(f'## {t}' for t in missing)}: update"
            " FULL_REPOSITORY_SECTIONS in tools/make_student.py"
        )
    return "".join(body for title, body in sections if title not in titles)


def student_makefile(
    text: str,
    in_copy: Callable[[str], bool],
    in_repository: Callable[[str], bool],
) -> tuple[str, MakeTargets]:
    """The copy's Makefile: the repository's ``text`` up to the line :data:`MAKEFILE_CUT`.

    Returns that text and :func:`split_makefile`'s targets. Raises
    ValueError if the line is missing (or there twice), or if the kept part names a path
    the copy lacks (``in_copy`` and ``in_repository`` take a repository-relative path),
    depends on a target it leaves out or a file the copy lacks, declares ``.PHONY``
    other than its own targets, or tells the reader to run a target it leaves out.
    """
    kept, targets = split_makefile(text)
    where = "Makefile, before the maintainers' marker line,"

    def copied(path: str) -> bool:
        return in_copy(path.rstrip("/"))

    for number, line in enumerate(kept.splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        for path in MAKE_PATH.findall(line.partition("## ")[0]):  # not the help text
            if not copied(path) and (
                path.split("/")[0] in MAINTAINER_FOLDERS or in_repository(path.rstrip("/"))
            ):
                raise ValueError(
                    f"{where} line {number} names {path}, which the student copy lacks:"
                    " move what uses it below the marker"
                )
    phony = set()
    for names, prerequisites in _rules(kept):
        for prerequisite in prerequisites:
            if names == [".PHONY"]:
                phony.add(prerequisite)
            elif not (prerequisite.startswith("$") or prerequisite in targets.kept):
                if not copied(prerequisite):
                    raise ValueError(
                        f"{where} rule {' '.join(names)} needs {prerequisite}, which the"
                        " student copy has neither as a file nor as a target"
                    )
    if phony != set(targets.kept):
        raise ValueError(
            f"{where} .PHONY lists {' '.join(sorted(phony))}; its targets are"
            f" {' '.join(targets.kept)}: keep the maintainers' targets in the .PHONY below it"
        )
    _refuse_removed_targets(kept, targets, where)
    return kept, targets


def split_makefile(text: str) -> tuple[str, MakeTargets]:
    """The learners' part of the Makefile ``text`` and the targets: the part's, in order,
    and the rest's. Raises ValueError unless :data:`MAKEFILE_CUT` is a line of it once."""
    lines = text.splitlines(keepends=True)
    cuts = [i for i, line in enumerate(lines) if line.rstrip("\n") == MAKEFILE_CUT]
    if len(cuts) != 1:
        found = f"{len(cuts)} times" if cuts else "not at all"
        raise ValueError(
            f"the Makefile has the line {MAKEFILE_CUT!r} {found}: the student copy's"
            " Makefile is what comes before it (the learners' variables and rules), so it"
            " must be there once"
        )
    kept = "".join(lines[: cuts[0]]).rstrip() + "\n"
    rest = "".join(lines[cuts[0] :])
    targets = _targets(kept)
    removed = [t for t in _targets(rest) if t not in targets]
    return kept, MakeTargets(tuple(targets), tuple(removed))


def _rules(text: str) -> list[tuple[list[str], list[str]]]:
    return [(m.group(1).split(), m.group(2).split()) for m in RULE.finditer(text)]


def _targets(text: str) -> list[str]:
    names = [n for names, _ in _rules(text) for n in names if not n.startswith((".", "$"))]
    return list(dict.fromkeys(names))


def readme_note(base_url: str, commit: str | None, targets: Collection[str]) -> str:
    """The note on top of the copy's README; ``targets`` are the copy's make targets."""
    made_from = f"the course repository at commit `{commit}`" if commit else "the course repository"
    named = [f"`{t}`" for t in targets]
    listed = ", ".join(named[:-1]) + f" and {named[-1]}" if len(named) > 1 else "".join(named)
    return (
        "> **This is the student copy** of the course, made from\n"
        f"> {made_from}: the same notebooks without their solutions and\n"
        "> without outputs (run them, Restart and Run All, to see every number and figure).\n"
        "> Start with `make lab` (the first run sets up `.venv`; in a room without network,\n"
        "> `make setup WHEELHOUSE=path/to/wheelhouse` first). The Makefile here has\n"
        f"> {listed}; the tests, tools, benchmarks and instructor material,\n"
        "> and the README sections about them, are in the full repository,\n"
        f"> {base_url}.\n"
    )


def source_files(root: Path) -> list[str]:
    """Every repository-relative path the copy holds besides the notebooks, sorted."""
    paths = [f for f in FILES if (root / f).is_file()]
    missing = sorted(set(FILES) - set(paths))
    if missing:
        raise FileNotFoundError(f"{root} lacks {', '.join(missing)}: is it the course repository?")
    for folder, pattern in TREES:
        paths += [
            p.relative_to(root).as_posix()
            for p in sorted((root / folder).glob(pattern))
            if p.is_file() and not p.name.startswith(".") and p.suffix != ".ipynb"
        ]
    return sorted(paths)


def build_tree(root: Path, out: Path) -> list[str]:
    """Write the student copy of the repository at ``root`` into ``out``.

    ``out`` is replaced if this script made it before (it holds :data:`MARKER`); any
    other existing, non-empty folder is refused. Returns the relative paths written.
    """
    root, out = Path(root).resolve(), Path(out).resolve()
    if root == out or root.is_relative_to(out):
        raise ValueError(f"refusing to write the student copy over the repository ({out})")
    if out.exists():
        if not (out / MARKER).is_file() and any(out.iterdir()):
            raise ValueError(f"{out} exists and was not made by this script: not touching it")

    notebooks = sorted((root / "notebooks").glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks in {root / 'notebooks'}")
    others = source_files(root)
    written = sorted(others + [f"notebooks/{nb.name}" for nb in notebooks])
    in_copy = set(written) | {str(PurePosixPath(p).parent) for p in written}
    base_url = repository_url(root)

    def in_repository(rel: str) -> bool:
        return (root / rel).exists()

    # everything is checked before anything is written
    makefile, targets = student_makefile(
        (root / "Makefile").read_text(encoding="utf-8"), in_copy.__contains__, in_repository
    )
    text = (root / "README.md").read_text(encoding="utf-8")
    note = readme_note(base_url, git_commit(root), targets.kept)
    relink = relinker(PurePosixPath("."), in_copy.__contains__, in_repository, base_url)
    readme = student_readme(text, note, relink, targets)
    relink = relinker(PurePosixPath("notebooks"), in_copy.__contains__, in_repository, base_url)
    student = {
        path.name: student_notebook(load_notebook(path), path.name, relink=relink, targets=targets)
        for path in notebooks
    }

    if out.exists():
        shutil.rmtree(out)
    for rel in others:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        if rel == "README.md":
            (out / rel).write_text(readme, encoding="utf-8")
        elif rel == "Makefile":
            (out / rel).write_text(makefile, encoding="utf-8")
        else:
            shutil.copyfile(root / rel, out / rel)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    for name, nb in student.items():
        write_notebook(nb, out / "notebooks" / name)
    (out / MARKER).write_text("written by tools/make_student.py; rerun it to refresh\n")
    return written


def write_zip(tree: Path, zip_path: Path, folder: str = ZIP_FOLDER) -> int:
    """Zip ``tree`` under ``folder``/, deterministically: sorted names, fixed dates and
    modes, so the same tree gives the same bytes. Returns the number of files."""
    files = sorted(p for p in Path(tree).rglob("*") if p.is_file() and p.name != MARKER)
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = zip_path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            info = zipfile.ZipInfo(f"{folder}/{path.relative_to(tree).as_posix()}")
            info.date_time = (1980, 1, 1, 0, 0, 0)
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    tmp.replace(zip_path)
    return len(files)


def repository_url(root: Path) -> str:
    with open(root / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["urls"]["Repository"]


def git_commit(root: Path) -> str | None:
    """The short commit the copy is made from, marked when the copied files differ."""
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "notebooks", *FILES]
            + [folder for folder, _ in TREES],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None  # not a git checkout (an unpacked archive): say nothing
    return f"{head}, with uncommitted changes" if dirty else head


# ------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the tree (build/student)")
    parser.add_argument(
        "--zip", type=Path, default=DEFAULT_ZIP, help="the zip (build/rmsnotes-student.zip)"
    )
    parser.add_argument(
        "--notebook",
        nargs=2,
        type=Path,
        metavar=("IN", "OUT"),
        help="transform one notebook into OUT instead of building the tree",
    )
    args = parser.parse_args(argv)
    try:
        if args.notebook:
            src, dst = args.notebook
            _, targets = split_makefile((ROOT / "Makefile").read_text(encoding="utf-8"))
            nb = student_notebook(load_notebook(src), src.name, targets=targets)
            write_notebook(nb, dst)
            print(f"{dst}: student copy of {src}")
            return 0
        written = build_tree(ROOT, args.out)
        n = write_zip(args.out, args.zip)
    except (ValueError, FileNotFoundError) as err:  # NotANotebook is a ValueError
        print(f"make_student.py: {err}", file=sys.stderr)
        return 2
    notebooks = sum(p.endswith(".ipynb") for p in written)
    print(f"{args.out}: {notebooks} student notebooks, {len(written)} files")
    print(f"{args.zip}: {n} files under {ZIP_FOLDER}/, {args.zip.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
