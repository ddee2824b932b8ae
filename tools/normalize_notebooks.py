"""Drop the metadata that makes re-executed notebooks differ between machines.

`make execute` runs this after nbconvert. Executing a notebook records the kernel's
exact Python version (``metadata.language_info.version``: "3.11.7" on one machine,
"3.12.1" on the next) and, when widgets were displayed, their saved state. Neither is
content, and both would make a contributor's re-execution show up as a change. A
cell's printed text also arrives in pieces that depend on timing (the kernel flushes
stdout when it can), so consecutive pieces of the same stream are joined into one
output, as Jupyter displays them. The rest of the metadata and every output stay as
they are.

    python tools/normalize_notebooks.py notebooks/*.ipynb          # rewrite in place
    python tools/normalize_notebooks.py --check notebooks/*.ipynb  # exit 1 if needed
"""

import json
import sys
from pathlib import Path


def normalize(nb: dict) -> dict:
    """Return ``nb`` with machine-specific metadata removed (the input is not changed)."""
    nb = json.loads(json.dumps(nb))
    meta = nb.setdefault("metadata", {})
    meta.get("language_info", {}).pop("version", None)
    meta.pop("widgets", None)
    for cell in nb.get("cells", []):
        if "outputs" in cell:
            cell["outputs"] = _join_streams(cell["outputs"])
    return nb


def _join_streams(outputs: list[dict]) -> list[dict]:
    """Consecutive stream outputs of the same name (stdout, stderr) as one output."""
    joined: list[dict] = []
    for out in outputs:
        prev = joined[-1] if joined else None
        if (
            prev is not None
            and out.get("output_type") == "stream"
            and prev.get("output_type") == "stream"
            and prev.get("name") == out.get("name")
        ):
            text = "".join(prev["text"]) + "".join(out["text"])
            prev["text"] = text.splitlines(keepends=True)
        else:
            joined.append(out)
    return joined


def dump(nb: dict) -> str:
    # the layout nbformat writes: one-space indent, sorted keys, trailing newline
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name in (a for a in argv if a != "--check"):
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        new = dump(normalize(json.loads(text)))
        if new != text:
            stale.append(path.name)
            if not check:
                path.write_text(new, encoding="utf-8")
    if check and stale:
        print("not normalized (run make execute):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
