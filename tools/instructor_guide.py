"""Write the generated parts of docs/instructor-guide.md from docs/schedule.toml.

docs/schedule.toml is the one source of the workshop's timing and of the per-section
teaching notes (what to say, live-code, ask, check, where learners get stuck). The guide
keeps its prose by hand and holds generated blocks between marker comments:

    <!-- generated:NAME begin (tools/instructor_guide.py; edit docs/schedule.toml) -->
    ...
    <!-- generated:NAME end -->

NAME is `overview` (minutes per notebook in each schedule), `timelines` (each schedule
section by section, with start times) or `notes` (the teaching notes per notebook).

    python tools/instructor_guide.py          # rewrite the blocks in place
    python tools/instructor_guide.py --check  # exit 1 if the guide is out of date

tests/test_instructor_guide.py checks the schedule against the notebooks' headings and
that the committed guide equals what this script writes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from conventions import NOTE_FIELDS, is_notes, level2_sections, load_schedule

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "instructor-guide.md"
NOTEBOOKS = ROOT / "notebooks"

# The order of the schedule columns: shortest first.
SCHEDULE_KEYS = ("short", "half", "full")
BLOCK = re.compile(
    r"(<!-- generated:(?P<name>[a-z]+) begin[^>]*-->\n)(?P<body>.*?)(<!-- generated:(?P=name) end -->)",
    re.DOTALL,
)


def lesson_markdown(notebook: Path) -> list[str]:
    """The text of each markdown cell of the lesson, in order.

    The speaker-notes cells are left out: they are generated from the schedule, not part
    of the lesson, so neither the headings checked against the schedule nor the title
    may come from them.
    """
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [
        "".join(cell["source"])
        for cell in cells
        if cell["cell_type"] == "markdown" and not is_notes(cell)
    ]


def level2_headings(notebook: Path) -> list[str]:
    """The text of every `## ` heading in the notebook's markdown cells, in order.

    Lines inside fenced code blocks are not headings (:func:`conventions.level2_sections`).
    """
    return [
        title
        for text in lesson_markdown(notebook)
        for title, _ in level2_sections(text)
        if title is not None
    ]


def minutes(item: dict, key: str) -> int:
    return item.get("minutes", {}).get(key, 0)


def notebook_order(schedule: dict) -> list[str]:
    """The notebooks the sections belong to, in their order of first appearance."""
    return list(dict.fromkeys(section["notebook"] for section in schedule["section"]))


def timeline(schedule: dict, key: str) -> list[tuple[str, dict]]:
    """Every item of one schedule in teaching order, as (kind, item) pairs.

    kind is "extra" or "section". Extras without `after` open the day; the others come
    right after the last section of the notebook they name.
    """
    items: list[tuple[str, dict]] = [("extra", e) for e in schedule["extra"] if "after" not in e]
    for notebook in notebook_order(schedule):
        items += [("section", s) for s in schedule["section"] if s["notebook"] == notebook]
        items += [("extra", e) for e in schedule["extra"] if e.get("after") == notebook]
    return [(kind, item) for kind, item in items if minutes(item, key) > 0]


def notebook_title(notebook: str) -> str:
    """The notebook's level-1 title, e.g. '04 · RMSprop: one line changed'."""
    for text in lesson_markdown(NOTEBOOKS / notebook):
        for line in text.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return notebook.removesuffix(".ipynb")


def _link(notebook: str) -> str:
    return f"[{notebook_title(notebook)}](../notebooks/{notebook})"


def _escape(text: str) -> str:
    """Text safe inside a markdown table cell."""
    return text.replace("|", "\\|")


def _clock(minute: int) -> str:
    return f"{minute // 60}:{minute % 60:02d}"


def _cell(n: int) -> str:
    return str(n) if n else "–"


def render_overview(schedule: dict) -> str:
    """One row per notebook (and per extra) with its minutes in each schedule."""
    titles = [schedule["schedules"][k]["title"] for k in SCHEDULE_KEYS]
    lines = ["| | " + " | ".join(titles) + " |", "|---|" + "---:|" * len(titles)]
    rows: list[tuple[str, list[int]]] = []
    for extra in schedule["extra"]:
        if "after" not in extra:
            rows.append((extra["name"], [minutes(extra, k) for k in SCHEDULE_KEYS]))
    for notebook in notebook_order(schedule):
        sections = [s for s in schedule["section"] if s["notebook"] == notebook]
        rows.append(
            (_link(notebook), [sum(minutes(s, k) for s in sections) for k in SCHEDULE_KEYS])
        )
        for extra in schedule["extra"]:
            if extra.get("after") == notebook:
                rows.append((extra["name"], [minutes(extra, k) for k in SCHEDULE_KEYS]))
    for name, values in rows:
        lines.append(f"| {_escape(name)} | " + " | ".join(_cell(v) for v in values) + " |")
    totals = [schedule["schedules"][k]["total"] for k in SCHEDULE_KEYS]
    lines.append("| **total** | " + " | ".join(f"**{t}**" for t in totals) + " |")
    return "\n".join(lines) + "\n"


def render_timelines(schedule: dict) -> str:
    """Each schedule section by section: start time, item, minutes."""
    parts = []
    for key in SCHEDULE_KEYS:
        title = schedule["schedules"][key]["title"]
        lines = [f"#### {title}", "", "| start | notebook | section | min |", "|---|---|---|---:|"]
        clock = 0
        for kind, item in timeline(schedule, key):
            if kind == "extra":
                lines.append(
                    f"| {_clock(clock)} | | **{_escape(item['name'])}** | {minutes(item, key)} |"
                )
            else:
                lines.append(
                    f"| {_clock(clock)} | {item['notebook'][:2]} | {_escape(item['heading'])} | "
                    f"{minutes(item, key)} |"
                )
            clock += minutes(item, key)
        lines.append(f"| {_clock(clock)} | | **end** | **{clock}** |")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def render_notes(schedule: dict) -> str:
    """Per notebook, the sections any schedule covers, with their teaching notes."""
    parts = []
    for notebook in notebook_order(schedule):
        lines = [f"#### {_link(notebook)}", ""]
        for section in schedule["section"]:
            if section["notebook"] != notebook:
                continue
            taught = [minutes(section, k) for k in SCHEDULE_KEYS]
            fields = [(label, section[f]) for f, label in NOTE_FIELDS.items() if section.get(f)]
            if not any(taught) or not fields:
                continue
            mins = "/".join(_cell(m) for m in taught)
            lines.append(f"- **{section['heading']}** ({mins} min)")
            lines += [f"  - *{label}:* {text}" for label, text in fields]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


RENDERERS = {"overview": render_overview, "timelines": render_timelines, "notes": render_notes}


def render_guide(text: str, schedule: dict) -> str:
    """The guide with every generated block rewritten; unknown block names are an error."""

    def fill(match: re.Match) -> str:
        name = match["name"]
        if name not in RENDERERS:
            raise ValueError(f"unknown generated block {name!r}")
        return match.group(1) + "\n" + RENDERERS[name](schedule) + "\n" + match.group(4)

    return BLOCK.sub(fill, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the guide is out of date")
    args = parser.parse_args(argv)
    current = GUIDE.read_text(encoding="utf-8")
    wanted = render_guide(current, load_schedule())
    if args.check:
        if wanted != current:
            print(f"{GUIDE.relative_to(ROOT)} is out of date: run python tools/instructor_guide.py")
            return 1
        print(f"{GUIDE.relative_to(ROOT)} is up to date")
        return 0
    if wanted != current:
        GUIDE.write_text(wanted, encoding="utf-8")
        print(f"wrote {GUIDE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
