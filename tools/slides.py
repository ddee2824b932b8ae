"""Give every cell of the lessons RISE slide metadata, and write the speaker notes.

    .venv/bin/python tools/slides.py           # rewrite notebooks/*.ipynb in place
    .venv/bin/python tools/slides.py --check   # exit 1 if any notebook would change
    .venv/bin/python tools/slides.py notebooks/04_rmsprop.ipynb

An instructor presents a lesson from the notebook itself with RISE (jupyterlab-rise:
View > Render as slideshow, or Alt+R, or open /rise/notebooks/<name>.ipynb). RISE reads
``cell.metadata.slideshow.slide_type``; this script sets it on every cell by one rule:

* ``#`` and ``##`` heading cells start a **slide** (the lesson's title, each section);
  ``###`` heading cells (a subsection, an exercise) start a **subslide** below it.
* A markdown cell that holds folded solutions and nothing else is a **fragment**
  (``conventions.is_solution_only``, the cells the student copies drop): the question
  and its check cell show first, the fold appears on the next key press.
* The instructor-notes cells are **notes**: RISE puts them in the speaker view
  (key ``T``) and never on the slide.
* After an ``## Appendix`` heading the cells are **skip**: the appendix's heading slide
  says it is there, its checks are for readers, not for the room.
* Every other cell continues the current slide (``-``) unless the slide would then be
  taller than a 1280x720 screen holds; then it starts a **subslide**. Heights are
  estimated from the cell's text lines, code lines and figure sizes (calibrated on
  JupyterLab's rendering in RISE, see ``estimate_height``), with the caps that
  ``notebooks/rise.css`` applies in the slideshow: a long code input and a tall output
  scroll inside their own box, so a single cell always fits one screen.

``tools/test_browser.py`` opens every lesson in RISE at 1280x720, walks every slide and
fails if one is taller or wider than the screen, so this estimate is checked.

The speaker notes come from ``docs/schedule.toml`` (the workshop minutes of every
level-2 section in each schedule, and what to say, live-code, ask, check, and where
learners get stuck). Every cell tagged ``instructor-notes`` is removed and a fresh one
is inserted right after each level-2 heading that has a schedule entry, so running the
script twice changes nothing. The notes cell is a blockquote that starts with
"Instructor notes", so a self-study reader sees at once it is not part of the lesson;
``tools/make_student.py`` leaves them out of the student copies and
``tools/reading_time.py`` does not count them.

Notebooks are edited as JSON: outputs stay as they are, nothing is re-executed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import struct
import sys
from pathlib import Path

from conventions import NOTE_FIELDS, NOTES_TAG, is_notes, is_solution_only, load_schedule

ROOT = Path(__file__).resolve().parents[1]
SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")

# What a 1280x720 screen holds in RISE, in CSS pixels. Reveal.js keeps a 10 % margin
# (a 648 px high slide area, centred) and draws its progress bar at the bottom; the
# budget leaves room for that and for the estimate being a little short.
SLIDE_BUDGET = 600
# The caps notebooks/rise.css puts on one cell in the slideshow (keep them in step):
# a code input taller than this scrolls in its box, and so does an output area.
CODE_INPUT_CAP = 230
OUTPUT_CAP = 340
MARKDOWN_CAP = 560
# Line heights and wrap widths measured on JupyterLab 4.6 in RISE at 1280 px wide.
CODE_LINE = 17
TEXT_LINE = 23
TEXT_CHARS = 150  # characters of prose per rendered line at 1280 px


def heading_level(cell: dict) -> int:
    """1-6 for a markdown cell that starts with a heading, else 0."""
    if cell["cell_type"] != "markdown":
        return 0
    match = re.match(r"(#{1,6}) ", "".join(cell["source"]).lstrip())
    return len(match.group(1)) if match else 0


def heading_text(cell: dict) -> str:
    first = "".join(cell["source"]).lstrip().splitlines()[0]
    return first.lstrip("#").strip()


# ---------------------------------------------------------------- heights


def _png_size(data: str) -> tuple[int, int]:
    raw = base64.b64decode(data[:64])
    return struct.unpack(">II", raw[16:24])


def _image_file_height(path: Path) -> int:
    """Displayed height of an image a markdown cell links (as JupyterLab shows it)."""
    from PIL import Image  # only for markdown images; Pillow is in the pins

    with Image.open(path) as im:
        w, h = im.size
    return round(h * min(1.0, 1200 / w))


def _markdown_height(src: str, folder: Path) -> int:
    # A folded solution shows only its summary line.
    src = re.sub(r"<details>.*?</details>", "<summary>Show solution</summary>", src, flags=re.S)
    height, in_math = 32, False
    for line in src.splitlines():
        s = line.strip()
        if s.count("$$") % 2 == 1:  # a display-maths block opens or closes here
            in_math = not in_math
            height += 0 if in_math else 45
            continue
        if in_math:
            height += 20
        elif s.startswith("$$"):
            height += 45
        elif s.startswith("# "):
            height += 62 * math.ceil(len(s) / 40) + 30
        elif s.startswith("## "):
            height += 45 * math.ceil(len(s) / 60) + 30
        elif s.startswith("#"):
            height += 34 * math.ceil(len(s) / 80) + 20
        elif not s:
            height += 12
        elif s.startswith("|"):
            height += 33
        else:
            height += TEXT_LINE * math.ceil(len(s) / TEXT_CHARS)
        for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", s):
            image = (folder / target).resolve()
            height += _image_file_height(image) if image.is_file() else 300
    return min(height, MARKDOWN_CAP)


def _output_height(output: dict) -> int:
    if output.get("output_type") == "stream":
        return CODE_LINE * len("".join(output["text"]).splitlines()) + 10
    data = output.get("data", {})
    if "image/png" in data:
        w, h = _png_size(data["image/png"])
        shown = output.get("metadata", {}).get("image/png", {}).get("width", w)
        return round(h * shown / w) + 10
    if "text/html" in data:
        html = "".join(data["text/html"])
        return 30 * max(1, html.count("<tr")) + 20
    if "text/plain" in data:
        return CODE_LINE * len("".join(data["text/plain"]).splitlines()) + 10
    return 40


def estimate_height(cell: dict, folder: Path = ROOT / "notebooks") -> int:
    """Estimated height in CSS px of ``cell`` in a RISE slide 1280 px wide, after the
    slideshow's caps. Calibrated on every cell of notebooks 00-09 as RISE draws them:
    it overestimates most markdown cells (median 0.7x the measured height) so a slide
    filled to the budget still fits; the browser test measures the real slides."""
    src = "".join(cell["source"])
    if cell["cell_type"] == "markdown":
        return _markdown_height(src, folder)
    if cell["cell_type"] != "code":
        return CODE_LINE * len(src.splitlines()) + 24
    code = min(CODE_LINE * len(src.splitlines()) + 24, CODE_INPUT_CAP)
    outputs = cell.get("outputs", [])
    out = min(sum(_output_height(o) for o in outputs), OUTPUT_CAP) if outputs else 0
    return code + out + 10


# ---------------------------------------------------------------- the rule


def slide_types(
    cells: list[dict], folder: Path = ROOT / "notebooks", name: str = "notebook"
) -> list[str]:
    """The slide type of every cell, by the rule in the module docstring.

    ``name`` (the notebook's) only appears in the error for an unbalanced ``<details>``.
    """
    types, used, skipping = [], 0, False
    for i, cell in enumerate(cells):
        level = heading_level(cell)
        height = estimate_height(cell, folder)
        if is_notes(cell):
            kind = "notes"
            height = 0
        elif level in (1, 2):
            skipping = level == 2 and heading_text(cell).lower().startswith("appendix")
            kind = "slide"
        elif skipping:
            kind = "skip"
            height = 0
        elif level >= 3:
            kind = "subslide"
        elif used + height > SLIDE_BUDGET and i > 0:
            kind = "subslide"
        elif is_solution_only(cell, f"{name}, cell {i}"):
            kind = "fragment"
        else:
            kind = "-"
        if kind in ("slide", "subslide"):
            used = 0
        used += height
        types.append(kind)
    return types


# ---------------------------------------------------------------- notes


def schedule_labels(schedule: dict) -> dict[str, str]:
    """Short names of the schedules, from their titles: "Half day (210 min, ...)" ->
    "Half day"."""
    return {k: v["title"].split(" (")[0] for k, v in schedule["schedules"].items()}


def notes_markdown(section: dict, labels: dict[str, str]) -> str:
    """The notes cell's text for one [[section]] of docs/schedule.toml."""
    minutes = section.get("minutes", {})
    times = " · ".join(
        f"{label}: {minutes[key]} min" if minutes.get(key) else f"{label}: not covered"
        for key, label in labels.items()
    )
    lines = [
        "> **Instructor notes** — for a workshop; self-study readers can skip this box.",
        ">",
        f"> **Minutes:** {times}",
    ]
    for key, label in NOTE_FIELDS.items():
        if section.get(key):
            lines += [">", f"> **{label}:** {section[key].strip()}"]
    return "\n".join(lines)


def notes_cell(notebook: str, section: dict, labels: dict[str, str]) -> dict:
    text = notes_markdown(section, labels)
    # A stable id: the same notebook and heading always give the same cell id.
    digest = hashlib.sha1(f"{notebook}\n{section['heading']}".encode()).hexdigest()[:12]
    return {
        "cell_type": "markdown",
        "id": f"notes-{digest}",
        "metadata": {"slideshow": {"slide_type": "notes"}, "tags": [NOTES_TAG]},
        "source": text.splitlines(keepends=True),
    }


def sections_for(schedule: dict, notebook: str) -> dict[str, dict]:
    return {s["heading"]: s for s in schedule.get("section", []) if s["notebook"] == notebook}


def with_notes(cells: list[dict], notebook: str, schedule: dict) -> list[dict]:
    """``cells`` without any old notes cell, with a fresh one after each level-2 heading
    that docs/schedule.toml has an entry for."""
    sections = sections_for(schedule, notebook)
    labels = schedule_labels(schedule)
    out = []
    for cell in cells:
        if is_notes(cell):
            continue
        out.append(cell)
        if heading_level(cell) == 2 and heading_text(cell) in sections:
            out.append(notes_cell(notebook, sections[heading_text(cell)], labels))
    return out


# ---------------------------------------------------------------- notebooks


def render(nb: dict, notebook: str, schedule: dict, folder: Path) -> dict:
    """``nb`` with fresh notes cells and every cell's slide type (a new dict)."""
    nb = json.loads(json.dumps(nb))
    nb["cells"] = with_notes(nb["cells"], notebook, schedule)
    for cell, kind in zip(nb["cells"], slide_types(nb["cells"], folder, notebook), strict=True):
        cell.setdefault("metadata", {})["slideshow"] = {"slide_type": kind}
    return nb


def dumps(nb: dict) -> str:
    # As JupyterLab saves a notebook, so that opening and saving it changes nothing.
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def lessons() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if a != "--check"] or lessons()
    schedule = load_schedule()
    stale = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = dumps(render(json.loads(text), path.name, schedule, path.resolve().parent))
        if new == text:
            continue
        stale.append(path.name)
        if not check:
            path.write_text(new, encoding="utf-8")
    if check and stale:
        print(f"slide metadata or notes out of date in {', '.join(stale)}; run tools/slides.py")
        return 1
    if not check:
        print(f"{len(stale)} of {len(paths)} notebooks rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
