"""The project stands on its own: its contract is docs/api.md and openapi.yaml, so nothing it ships
(code, template, docs, tests) points at a document outside the repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Spelled in parts, so this file does not name what it looks for.
OUTSIDE = ("CONTRACT" + ".md", "../" + "shared/")


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True
    ).stdout.split(b"\0")
    paths = [ROOT / name.decode() for name in listed if name]
    return [path for path in paths if path.is_file() and path.suffix not in {".png", ".ico", ".jar"}]


def test_nothing_cites_a_document_outside_the_repository() -> None:
    citing = []
    for path in tracked_text_files():
        relative = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        citing += [f"{relative}: {needle}" for needle in OUTSIDE if needle in text]
    assert citing == []


def test_every_decision_record_is_in_the_decisions_index() -> None:
    folder = ROOT / "docs" / "decisions"
    index = (folder / "README.md").read_text(encoding="utf-8")
    records = sorted(path.name for path in folder.glob("*.md") if path.name != "README.md")
    assert [name for name in records if f"]({name})" not in index] == []
