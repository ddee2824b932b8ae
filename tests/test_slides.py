"""The lessons as RISE slides: every cell's slide type, and the speaker notes.

tools/slides.py writes both; these tests check the stored notebooks against the rule
and against docs/schedule.toml, and the rule itself on small notebooks. Whether the
slides fit a 1280x720 screen is measured in a real browser by tools/test_browser.py.
"""

import copy
import json
import re
import shutil
from pathlib import Path

import pytest

# tools/, which tests/conftest.py puts on sys.path
import reading_time
import slides
from conventions import NOTE_FIELDS, is_notes, is_solution_only, load_schedule

ROOT = Path(__file__).resolve().parents[1]

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LESSONS = [p for p in NOTEBOOKS if not p.name.startswith("00")]
SCHEDULE = load_schedule()


def cells_of(path):
    return json.loads(path.read_text())["cells"]


def slide_type(cell):
    return cell["metadata"]["slideshow"]["slide_type"]


def level2(cell):
    src = "".join(cell["source"]).lstrip()
    return (
        src.splitlines()[0][3:].strip()
        if cell["cell_type"] == "markdown" and src.startswith("## ")
        else None
    )


# ---------------------------------------------------------------- stored notebooks


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_cell_has_a_slide_type(path):
    for i, cell in enumerate(cells_of(path)):
        assert slide_type(cell) in slides.SLIDE_TYPES, f"{path.name} cell {i}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_at_least_six_slides(path):
    n = sum(slide_type(c) == "slide" for c in cells_of(path))
    assert n >= 6, f"{path.name} has {n} slides"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_headings_start_slides(path):
    for i, cell in enumerate(cells_of(path)):
        level = slides.heading_level(cell)
        if level in (1, 2):
            assert slide_type(cell) == "slide", f"{path.name} cell {i}"
        elif level >= 3 and slide_type(cell) != "skip":
            assert slide_type(cell) == "subslide", f"{path.name} cell {i}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_fragments_are_the_cells_the_student_copy_drops(path):
    # A cell of folded solutions only appears on the next key press (or on a subslide of
    # its own when the slide is full, or not at all in an appendix); nothing else is a
    # fragment.
    for i, cell in enumerate(cells_of(path)):
        if is_solution_only(cell):
            assert slide_type(cell) in ("fragment", "subslide", "skip"), f"{path.name} cell {i}"
        else:
            assert slide_type(cell) != "fragment", f"{path.name} cell {i}"
    assert any(slide_type(c) == "fragment" for c in cells_of(path)), f"{path.name}: no fragment"


def test_notebooks_are_what_slides_py_writes():
    # The same logic as `tools/slides.py --check`: metadata and notes up to date.
    stale = [
        p.name
        for p in NOTEBOOKS
        if slides.dumps(slides.render(json.loads(p.read_text()), p.name, SCHEDULE, p.parent))
        != p.read_text()
    ]
    assert not stale, f"run tools/slides.py: out of date in {stale}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_level2_heading_has_its_notes(path):
    entries = {s["heading"]: s for s in SCHEDULE["section"] if s["notebook"] == path.name}
    labels = slides.schedule_labels(SCHEDULE)
    cells = cells_of(path)
    for i, cell in enumerate(cells):
        heading = level2(cell)
        if heading is None:
            continue
        assert heading in entries, f"{path.name}: no schedule entry for '{heading}'"
        notes = cells[i + 1]
        assert is_notes(notes), f"{path.name}: no notes cell after '{heading}'"
        text = "".join(notes["source"])
        assert text.startswith("> **Instructor notes**"), text[:80]
        assert all(line.startswith(">") for line in text.splitlines()), "one blockquote"
        # The minutes of every schedule, read from the toml, are in the cell.
        for key, label in labels.items():
            m = entries[heading].get("minutes", {}).get(key)
            assert (f"{label}: {m} min" if m else f"{label}: not covered") in text, (
                f"{path.name} '{heading}': {label}"
            )
        for key in NOTE_FIELDS:
            if entries[heading].get(key):
                assert entries[heading][key].strip() in text, f"{path.name} '{heading}': {key}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_notes_cell_outside_the_rule(path):
    entries = {s["heading"] for s in SCHEDULE["section"] if s["notebook"] == path.name}
    cells = cells_of(path)
    for i, cell in enumerate(cells):
        if is_notes(cell):
            assert cell["cell_type"] == "markdown"
            assert cell["metadata"] == {
                "slideshow": {"slide_type": "notes"},
                "tags": ["instructor-notes"],
            }
            assert i > 0 and level2(cells[i - 1]) in entries, f"{path.name} cell {i}"
        else:
            assert slide_type(cell) != "notes", f"{path.name} cell {i}: untagged notes"


def test_reading_time_does_not_count_notes(tmp_path):
    path = ROOT / "notebooks" / "04_rmsprop.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    with_notes = reading_time.estimate(path)
    # A notes cell ten times as long must not change the estimate either.
    for cell in nb["cells"]:
        if is_notes(cell):
            cell["source"] = cell["source"] * 10
    tmp = tmp_path / "04_rmsprop.ipynb"
    tmp.write_text(json.dumps(nb), encoding="utf-8")
    assert reading_time.estimate(tmp) == with_notes
    nb["cells"] = [c for c in nb["cells"] if not is_notes(c)]
    tmp.write_text(json.dumps(nb), encoding="utf-8")
    assert reading_time.estimate(tmp) == with_notes


def test_rise_css_caps_match_the_estimate():
    css = (ROOT / "notebooks" / "rise.css").read_text()

    def cap(selector):
        block = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css).group(1)
        return int(re.search(r"max-height:\s*(\d+)px", block).group(1))

    assert cap(".reveal .jp-CodeCell .jp-InputArea-editor") == slides.CODE_INPUT_CAP
    assert cap(".reveal .jp-Cell .jp-OutputArea") == slides.OUTPUT_CAP
    assert cap(".reveal .jp-MarkdownCell .jp-RenderedMarkdown") == slides.MARKDOWN_CAP


# ---------------------------------------------------------------- the rule, small


def md(text, **meta):
    return {"cell_type": "markdown", "id": "x", "metadata": dict(meta), "source": [text]}


def code(lines, outputs=()):
    src = "\n".join(f"x{i} = {i}" for i in range(lines))
    return {
        "cell_type": "code",
        "execution_count": 1,
        "id": "c",
        "metadata": {},
        "outputs": list(outputs),
        "source": [src],
    }


SMALL_SCHEDULE = {
    "schedules": {
        "short": {"title": "90-minute session", "total": 5},
        "half": {"title": "Half day (210 min)", "total": 7},
    },
    "section": [
        {
            "notebook": "t.ipynb",
            "heading": "1. First",
            "minutes": {"half": 7},
            "say": "The point.",
            "stuck": "The trap.",
        },
        {"notebook": "t.ipynb", "heading": "Appendix: checks", "minutes": {"short": 5}},
    ],
}


def small_notebook():
    cells = [
        md("# Title"),
        md("Intro."),
        md("## 1. First"),
        code(3),
        md("### A subsection"),
        md("Question?"),
        md("<details><summary>Show solution</summary>\n\nIt is 2.\n</details>"),
        md("## 2. Not in the schedule"),
        code(8),
        code(8),
        code(8),
        md("## Appendix: checks"),
        code(2),
        md("More."),
    ]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_the_rule_on_a_small_notebook():
    nb = slides.render(small_notebook(), "t.ipynb", SMALL_SCHEDULE, ROOT / "notebooks")
    kinds = [slide_type(c) for c in nb["cells"]]
    assert kinds == [
        "slide", "-",  # title and intro
        "slide", "notes", "-",  # a section, its notes, its code
        "subslide", "-", "fragment",  # a subsection, a question, its folded solution
        "slide", "-", "-", "subslide",  # 3 x 160 px of code overflow the 600 px budget
        "slide", "notes", "skip", "skip",  # the appendix: its heading slide only
    ]  # fmt: skip
    notes = "".join(nb["cells"][3]["source"])
    assert "90-minute session: not covered · Half day: 7 min" in notes
    assert "**Say:** The point." in notes and "**Where learners get stuck:** The trap." in notes
    assert "Ask" not in notes  # no empty fields


def test_render_is_idempotent_and_keeps_outputs():
    out = {"output_type": "stream", "name": "stdout", "text": ["hello\n"]}
    nb = small_notebook()
    nb["cells"][3]["outputs"] = [out]
    once = slides.render(nb, "t.ipynb", SMALL_SCHEDULE, ROOT / "notebooks")
    twice = slides.render(copy.deepcopy(once), "t.ipynb", SMALL_SCHEDULE, ROOT / "notebooks")
    assert slides.dumps(once) == slides.dumps(twice)
    assert once["cells"][4]["outputs"] == [out]
    # A changed schedule replaces the old notes instead of adding a second cell.
    changed = copy.deepcopy(SMALL_SCHEDULE)
    changed["section"][0]["say"] = "Another point."
    again = slides.render(once, "t.ipynb", changed, ROOT / "notebooks")
    assert sum(is_notes(c) for c in again["cells"]) == 2
    assert "Another point." in "".join(again["cells"][3]["source"])


def test_check_mode_fails_on_a_stale_notebook(tmp_path, capsys):
    # Laid out as in the repository: markdown images are read from ../figures.
    (tmp_path / "figures").symlink_to(ROOT / "figures")
    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "04_rmsprop.ipynb"
    shutil.copy(ROOT / "notebooks" / "04_rmsprop.ipynb", path)
    assert slides.main(["--check", str(path)]) == 0
    nb = json.loads(path.read_text())
    nb["cells"][0]["metadata"]["slideshow"]["slide_type"] = "skip"
    path.write_text(slides.dumps(nb))
    assert slides.main(["--check", str(path)]) == 1
    assert "04_rmsprop.ipynb" in capsys.readouterr().out
    assert slides.main([str(path)]) == 0  # rewrites it
    assert slides.main(["--check", str(path)]) == 0
