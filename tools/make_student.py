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

The tree holds what ``make setup`` / ``make lab`` need there (README.md, Makefile,
pyproject.toml, requirements.txt, environment.yml for Binder, .gitignore), the
``rmsnotes`` package, ``notebooks/rise.css`` (the slides' styles: the cells keep their
RISE slide metadata, and jupyterlab-rise is pinned), ``figures/`` (the README and
notebook 05 show them; the notebooks write them) and ``tests/data/*.json``
(``rmsnotes.frameworks`` reads the recorded library trajectories from there, notebook
07 replays them). The README gets a short note on top saying what the copy is and
which make targets work in it. The zip is deterministic: the same sources give the
same bytes.

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
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from conventions import is_notes, without_solutions
from normalize_notebooks import dump as notebook_text  # the repository's one notebook layout

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "build" / "student"
DEFAULT_ZIP = ROOT / "build" / "rmsnotes-student.zip"
ZIP_FOLDER = "rmsnotes-student"  # what unzipping creates

# What the copy needs besides the notebooks, as paths relative to the repository.
FILES = (
    "README.md",  # pyproject.toml's readme: pip install -e . reads it
    "Makefile",
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

# The sentences that say where the solutions are, and what the copy says instead. A
# space in a pattern matches any run of whitespace (the notebooks wrap their lines).
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
)
# What must not be left in a student notebook after the rewrites (README: the first
# only, since it also describes the full repository's browser test of folded solutions).
STALE_NOTEBOOK = re.compile(r"Show solution|folded solution", re.IGNORECASE)
STALE_README = re.compile(r"Show solution", re.IGNORECASE)

# [text](target) and ![alt](target); the target up to whitespace or ')'.
LINK = re.compile(r"(!?\[[^\]]*\]\()([^)\s]+)(\))")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", re.IGNORECASE)  # http:, mailto:, #x


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
) -> dict:
    """The student version of a notebook: no notes, no solutions, no outputs.

    ``nb`` (a notebook as json.load reads it) is not changed; a new dict is returned.
    ``name`` only appears in error messages. ``relink``, if given, maps a markdown
    cell's text to the text with its links fixed (see :func:`relinker`).

    Raises ValueError, naming the notebook and cell, for an unbalanced ``<details>``
    or a sentence that still says solutions are folded.
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
            cell["source"] = _as_source(relink(text) if relink else text)
        cells.append(cell)
    out["cells"] = cells
    return out


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


def student_readme(text: str, note: str, relink: Callable[[str], str]) -> str:
    """The README with ``note`` after its title, the sentence rewrites and fixed links."""
    title, sep, rest = text.partition("\n")
    body = relink(rewrite_sentences(rest))
    stale = STALE_README.search(body)
    if stale:
        raise ValueError(
            f"README.md still mentions {stale.group(0)!r} ({_line_of(body, stale.start())!r}):"
            " add a rewrite for it to REWRITES in tools/make_student.py"
        )
    return f"{title}{sep}\n{note}{body}"


def readme_note(base_url: str, commit: str | None) -> str:
    made_from = f"the course repository at commit `{commit}`" if commit else "the course repository"
    return (
        "> **This is the student copy** of the course, made by `make student` from\n"
        f"> {made_from}: the same notebooks without their solutions and\n"
        "> without outputs (run them, Restart and Run All, to see every number and figure).\n"
        "> Start with `make lab` (the first run sets up `.venv`; in a room without network,\n"
        "> `make setup WHEELHOUSE=path/to/wheelhouse` first). `make setup`, `make lab` and\n"
        "> `make clean` work here; the tests, tools and instructor material that the rest of\n"
        f"> this README describes are in the full repository, {base_url}.\n"
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
        shutil.rmtree(out)

    notebooks = sorted((root / "notebooks").glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks in {root / 'notebooks'}")
    others = source_files(root)
    written = sorted(others + [f"notebooks/{nb.name}" for nb in notebooks])
    in_copy = set(written) | {str(PurePosixPath(p).parent) for p in written}
    base_url = repository_url(root)

    def in_repository(rel: str) -> bool:
        return (root / rel).exists()

    for rel in others:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        if rel == "README.md":
            text = (root / rel).read_text(encoding="utf-8")
            note = readme_note(base_url, git_commit(root))
            relink = relinker(PurePosixPath("."), in_copy.__contains__, in_repository, base_url)
            (out / rel).write_text(student_readme(text, note, relink), encoding="utf-8")
        else:
            shutil.copyfile(root / rel, out / rel)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    relink = relinker(PurePosixPath("notebooks"), in_copy.__contains__, in_repository, base_url)
    for path in notebooks:
        nb = student_notebook(load_notebook(path), path.name, relink=relink)
        write_notebook(nb, out / "notebooks" / path.name)
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
            write_notebook(student_notebook(load_notebook(src), src.name), dst)
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
