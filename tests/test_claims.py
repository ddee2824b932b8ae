"""The claims ledger: well-formed rows, and every citation points at a real heading."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import assert_import_changes_nothing

from rmsnotes import claims

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
_HEADING = re.compile(r"^#+\s+(.*\S)\s*$")


def _headings(path: Path) -> set[str]:
    cells = json.loads(path.read_text())["cells"]
    found = set()
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        for line in "".join(cell["source"]).splitlines():
            match = _HEADING.match(line)
            if match:
                found.add(match.group(1))
    return found


def test_at_least_15_rows_and_every_verdict_used():
    assert len(claims.CLAIMS) >= 15
    assert set(claims.counts()) == set(claims.VERDICTS)
    assert sum(claims.counts().values()) == len(claims.CLAIMS)


@pytest.mark.parametrize("row", claims.CLAIMS, ids=lambda c: c.claim[:40])
def test_row_is_well_formed(row):
    assert isinstance(row, claims.Claim)
    assert row.verdict in claims.VERDICTS
    for field in (row.claim, row.reason, row.section):
        assert field.strip() == field and field
    assert "\n" not in row.reason
    assert re.fullmatch(r"\d\d_[a-z_]+\.ipynb", row.notebook)


def test_no_duplicate_claims():
    texts = [c.claim.lower() for c in claims.CLAIMS]
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize("row", claims.CLAIMS, ids=lambda c: c.claim[:40])
def test_cited_notebook_and_section_exist(row):
    path = NOTEBOOKS / row.notebook
    assert path.is_file(), f"{row.notebook} does not exist"
    assert row.section in _headings(path), f"no heading {row.section!r} in {row.notebook}"


def test_markdown_table():
    table = claims.as_markdown()
    lines = table.splitlines()
    assert len(lines) == len(claims.CLAIMS) + 2
    assert lines[1] == "|---|---|---|---|---|"
    assert all(line.startswith("| ") and line.endswith(" |") for line in lines[:1] + lines[2:])
    assert "[09](09_limits.ipynb)" in table
    # a pipe inside a claim would break the table: escaped
    row = claims.Claim("a | b", "confirmed", "r", "01_adagrad.ipynb", "s")
    assert "a \\| b" in claims.as_markdown((row,))


def test_rows_that_are_not_claims_are_named():
    with pytest.raises(TypeError, match=r"claims\[1\] must be a Claim"):
        claims.as_markdown((claims.CLAIMS[0], ("a", "confirmed")))
    with pytest.raises(TypeError, match=r"claims\[0\] must be a Claim"):
        claims.counts(["a"])


def test_every_notebook_with_verdicts_is_cited():
    cited = {c.notebook for c in claims.CLAIMS}
    for n in ("01", "02", "03", "04", "05", "06", "07", "08", "09"):
        assert any(name.startswith(n) for name in cited), n


def test_import_does_nothing():
    assert_import_changes_nothing("rmsnotes.claims")
