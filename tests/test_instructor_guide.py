"""docs/schedule.toml against the notebooks, and docs/instructor-guide.md against it.

The schedule is the one source of the workshop's minutes: every level-2 heading of the
lessons 01-09 must have exactly one entry, in notebook order, every schedule must add
up to its stated total, and the guide's generated tables must be what
tools/instructor_guide.py writes from it today.
"""

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "instructor_guide", ROOT / "tools" / "instructor_guide.py"
)
guide = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(guide)

SCHEDULE = guide.load_schedule()
LESSONS = sorted(p.name for p in guide.NOTEBOOKS.glob("0[1-9]_*.ipynb"))
ALL_ITEMS = SCHEDULE["section"] + SCHEDULE["extra"]


def test_the_three_schedules_are_declared():
    assert set(SCHEDULE["schedules"]) == set(guide.SCHEDULE_KEYS)
    for key, wanted in {"short": 90, "half": 210, "full": 390}.items():
        assert SCHEDULE["schedules"][key]["total"] == wanted
        assert SCHEDULE["schedules"][key]["title"]


@pytest.mark.parametrize("key", guide.SCHEDULE_KEYS)
def test_each_schedule_adds_up_to_its_total(key):
    assert (
        sum(guide.minutes(item, key) for item in ALL_ITEMS) == SCHEDULE["schedules"][key]["total"]
    )


def test_minutes_are_non_negative_ints_for_known_schedules():
    for item in ALL_ITEMS:
        for key, value in item.get("minutes", {}).items():
            assert key in guide.SCHEDULE_KEYS, f"unknown schedule {key!r} in {item}"
            # bool is an int subclass; `true` minutes would be a typo, not a duration
            assert type(value) is int and value >= 0, f"{key} = {value!r} in {item}"


def test_sections_name_existing_notebooks_in_notebook_order():
    order = [s["notebook"] for s in SCHEDULE["section"]]
    for name in order:
        assert (guide.NOTEBOOKS / name).is_file(), name
    assert order == sorted(order), "sections must follow the notebooks' order"


@pytest.mark.parametrize("notebook", LESSONS)
def test_every_level2_heading_has_exactly_one_entry_in_order(notebook):
    headings = guide.level2_headings(guide.NOTEBOOKS / notebook)
    entries = [s["heading"] for s in SCHEDULE["section"] if s["notebook"] == notebook]
    assert headings, f"no level-2 headings found in {notebook}"
    # Equal lists: nothing missing, nothing extra or misspelt, no duplicate, same order.
    assert entries == headings


def test_notebook_00_entries_if_any_are_real_headings():
    headings = guide.level2_headings(guide.NOTEBOOKS / "00_index.ipynb")
    for section in SCHEDULE["section"]:
        if section["notebook"] == "00_index.ipynb":
            assert section["heading"] in headings


def test_every_section_says_something_and_uses_known_fields():
    allowed = {"notebook", "heading", "minutes", "say", *guide.NOTE_FIELDS}
    for section in SCHEDULE["section"]:
        assert set(section) <= allowed, set(section) - allowed
        assert section.get("say", "").strip(), f"no 'say' for {section['heading']!r}"


def test_extras_are_placed_after_a_scheduled_notebook():
    notebooks = set(guide.notebook_order(SCHEDULE))
    for extra in SCHEDULE["extra"]:
        assert extra["name"]
        if "after" in extra:
            assert extra["after"] in notebooks, extra


def test_heading_parser_skips_code_fences_and_notes_cells(tmp_path):
    import json

    cells = [
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": ["## Real\n", "```\n", "## not a heading\n", "```\n"],
        },
        {
            "cell_type": "markdown",
            "metadata": {"tags": ["instructor-notes"]},
            "source": ["## Notes\n"],
        },
        {
            "cell_type": "code",
            "metadata": {},
            "source": ["## comment\n"],
            "outputs": [],
            "execution_count": None,
        },
        {"cell_type": "markdown", "metadata": {}, "source": ["### Level 3\n", "## Second"]},
    ]
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps({"cells": cells}))
    assert guide.level2_headings(path) == ["Real", "Second"]


@pytest.mark.parametrize("key", guide.SCHEDULE_KEYS)
def test_timeline_puts_extras_in_place_and_ends_at_the_total(key):
    items = guide.timeline(SCHEDULE, key)
    assert items[0] == ("extra", SCHEDULE["extra"][0]), "the day opens with the welcome"
    assert items[-1][0] == "extra" and items[-1][1].get("after") == LESSONS[-1], (
        "and ends with the wrap-up"
    )
    assert sum(guide.minutes(item, key) for _, item in items) == SCHEDULE["schedules"][key]["total"]
    for position, (kind, item) in enumerate(items):
        if kind == "extra" and "after" in item and position + 1 < len(items):
            # nothing of the notebook it follows comes after it
            later = [i for k, i in items[position + 1 :] if k == "section"]
            assert all(i["notebook"] > item["after"] for i in later)


def test_committed_guide_equals_what_the_tool_generates():
    text = guide.GUIDE.read_text(encoding="utf-8")
    names = re.findall(r"<!-- generated:([a-z]+) begin", text)
    assert sorted(names) == sorted(guide.RENDERERS), "every generated block appears once"
    assert guide.render_guide(text, SCHEDULE) == text, "run python tools/instructor_guide.py"


def test_overview_table_totals_match_the_schedule():
    table = guide.render_overview(SCHEDULE)
    last = table.strip().splitlines()[-1]
    assert last == "| **total** | **90** | **210** | **390** |"
    for notebook in LESSONS:
        assert f"(../notebooks/{notebook})" in table


def test_a_changed_minute_makes_the_guide_stale():
    changed = guide.load_schedule()
    changed["section"][0]["minutes"]["full"] += 1
    text = guide.GUIDE.read_text(encoding="utf-8")
    assert guide.render_guide(text, changed) != text


def test_every_make_target_the_guide_cites_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE))
    text = guide.GUIDE.read_text(encoding="utf-8")
    # only command text: inline code and fenced blocks, not prose such as "make it"
    snippets = re.findall(r"`([^`\n]+)`", text) + re.findall(r"```bash\n(.*?)```", text, re.S)
    words = set()
    for line in "\n".join(snippets).splitlines():
        tokens = line.split()
        for i, token in enumerate(tokens):
            if token != "make":
                continue
            # the targets are the words after `make` up to a variable, option or comment
            for word in tokens[i + 1 :]:
                if not re.fullmatch(r"[a-z][a-z-]*", word):
                    break
                words.add(word)
    assert {"setup", "lab", "student", "wheelhouse", "test-offline"} <= words
    assert words <= targets, f"the guide cites make targets the Makefile lacks: {words - targets}"


def test_every_tool_the_guide_cites_exists():
    text = guide.GUIDE.read_text(encoding="utf-8")
    tools = set(re.findall(r"\btools/[a-z_]+\.py\b", text))
    assert "tools/instructor_guide.py" in tools
    for tool in tools:
        assert (ROOT / tool).is_file(), tool
