"""What the course's tools agree on about a lesson's cells and the workshop schedule.

tools/slides.py writes the speaker notes and the slide types, tools/instructor_guide.py
writes the guide's tables, tools/make_student.py writes the student copies and
tools/reading_time.py estimates the stated times. They must read the notebooks the
same way, so the rules live here, once:

* a **speaker-notes cell** is a cell tagged ``instructor-notes`` (:func:`is_notes`);
* a **folded solution** is a ``<details>`` block whose ``<summary>`` says "solution"
  (:func:`without_solutions` removes them; a fold with another summary, such as 02's
  "If the gradients can grow", is part of the lesson);
* a markdown text's **sections** start at its ``## `` headings, not counting lines in
  fenced code (:func:`level2_sections`);
* the **workshop schedule** is ``docs/schedule.toml`` (:func:`load_schedule`), and
  :data:`NOTE_FIELDS` are its teaching-note fields with the label each is shown under.

Standard library only: ``make student`` runs without the course's .venv.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEDULE = ROOT / "docs" / "schedule.toml"

NOTES_TAG = "instructor-notes"
# A schedule section's teaching notes, in the order the speaker notes and the guide
# show them, with their labels. "say" is required; the others are optional.
NOTE_FIELDS = {
    "say": "Say",
    "live": "Live-code",
    "ask": "Ask",
    "check": "Check",
    "stuck": "Where learners get stuck",
}

DETAILS_TAG = re.compile(r"<details\b[^>]*>|</details\s*>", re.IGNORECASE)
SUMMARY = re.compile(r"<summary\b[^>]*>(.*?)</summary\s*>", re.IGNORECASE | re.DOTALL)
SOLUTION_SUMMARY = re.compile(r"\bsolutions?\b", re.IGNORECASE)


def is_notes(cell: dict) -> bool:
    """True for a speaker-notes cell (written by tools/slides.py from the schedule)."""
    return NOTES_TAG in cell.get("metadata", {}).get("tags", [])


def load_schedule(path: Path = SCHEDULE) -> dict:
    """docs/schedule.toml as a dict: [schedules.*], [[section]] and [[extra]] tables."""
    with Path(path).open("rb") as f:
        return tomllib.load(f)


def without_solutions(text: str, where: str = "markdown") -> str:
    """``text`` with every ``<details>`` block whose summary says "solution" removed.

    Nested folds are matched by depth, so a solution with a fold inside goes whole; the
    blank lines around a removed block collapse to one paragraph break. ``where`` names
    the text in the ValueError raised for an unbalanced ``<details>``.

    >>> without_solutions("Try it.\\n\\n<details><summary>Show solution</summary>x = 1</details>")
    'Try it.'
    >>> without_solutions("<details><summary>Why?</summary>Because.</details>")
    '<details><summary>Why?</summary>Because.</details>'
    """
    pieces, depth, start, last = [], 0, 0, 0
    for tag in DETAILS_TAG.finditer(text):
        if not tag.group(0).startswith("</"):
            if depth == 0:
                start = tag.start()
            depth += 1
            continue
        depth -= 1
        if depth < 0:
            raise ValueError(f"{where}: </details> without a <details> before it")
        if depth == 0:
            block = text[start : tag.end()]
            summary = SUMMARY.search(block)
            if summary and SOLUTION_SUMMARY.search(summary.group(1)):
                pieces.append(text[last:start])
                last = tag.end()
    if depth:
        raise ValueError(f"{where}: a <details> is never closed")
    if last == 0:
        return text
    pieces.append(text[last:])
    joined = "".join(pieces)
    return re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", joined).strip("\n")


def level2_sections(text: str) -> list[tuple[str | None, str]]:
    """Markdown ``text`` cut before each ``## `` heading, as (title, section text) pairs.

    The text before the first heading comes first, titled None; ``###`` and deeper stay
    in their section, and a line inside fenced code is not a heading. The texts joined
    give ``text`` back.

    >>> level2_sections("intro\\n## A\\na\\n```\\n## not one\\n```\\n## B\\nb\\n")
    [(None, 'intro\\n'), ('A', '## A\\na\\n```\\n## not one\\n```\\n'), ('B', '## B\\nb\\n')]
    """
    sections: list[tuple[str | None, list[str]]] = [(None, [])]
    fenced = False
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("## "):
            sections.append((line[3:].strip(), []))
        sections[-1][1].append(line)
    return [(title, "".join(lines)) for title, lines in sections]


def is_solution_only(cell: dict, where: str = "markdown") -> bool:
    """True for a markdown cell that holds folded solutions and nothing else.

    ``where`` names the cell in the ValueError raised for an unbalanced ``<details>``.
    """
    if cell["cell_type"] != "markdown":
        return False
    text = "".join(cell["source"])
    return bool(DETAILS_TAG.search(text)) and not without_solutions(text, where).strip()
