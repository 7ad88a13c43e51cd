"""`make test` runs the suites as tiers (the Makefile's *_TESTS variables): every test module must
be in exactly one tier, or a new suite would silently never run in CI."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tiers() -> dict[str, list[str]]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    return {
        name: paths.split()
        for name, paths in re.findall(r"^([A-Z]+)_TESTS := (.+)$", makefile, flags=re.MULTILINE)
    }


def modules(path: str) -> set[Path]:
    target = ROOT / path
    return {target} if target.is_file() else set(target.rglob("test_*.py"))


def test_every_test_module_runs_in_exactly_one_tier() -> None:
    found = tiers()
    assert {"UNIT", "HANDLER", "LOCAL", "RELIABILITY", "BROWSER", "DEPLOYMENT"} <= set(found)
    counted: dict[Path, list[str]] = {}
    for tier, paths in found.items():
        for path in paths:
            for module in modules(path):
                counted.setdefault(module, []).append(tier)

    every = set((ROOT / "tests").rglob("test_*.py"))
    assert sorted(str(m.relative_to(ROOT)) for m in every - set(counted)) == []
    assert {str(m.relative_to(ROOT)): t for m, t in counted.items() if len(t) > 1} == {}
