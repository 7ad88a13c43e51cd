"""The layering rule of docs/architecture.md, checked on the import graph (import-linter).

The contracts live in pyproject.toml ([tool.importlinter]): handlers -> http -> runtime -> domain
operations -> repository -> rules -> entities; the wire never imports the repository or the AWS
SDK; the domain never imports Powertools, pydantic or boto3; the product never imports the tooling.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def test_no_layer_imports_a_layer_above_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    exit_code = lint_imports(config_filename=os.fspath(PROJECT_ROOT / "pyproject.toml"), no_cache=True)
    report = capsys.readouterr().out
    assert exit_code == 0, report
    assert "0 broken" in report
