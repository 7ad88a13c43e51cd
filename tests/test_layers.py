"""The layering rule of docs/architecture.md, checked on the import graph (import-linter).

The contracts live in pyproject.toml ([tool.importlinter]): handlers -> http -> runtime -> domain
operations -> repository -> rules -> entities; the wire never imports the repository or the AWS
SDK; the domain never imports Powertools, pydantic or boto3; the product never imports the tooling.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def test_no_layer_imports_a_layer_above_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    # lint_imports configures logging with dictConfig, which disables every logger that exists
    # already (the service's among them): the tests after this one would see no log at all.
    loggers = [item for item in logging.root.manager.loggerDict.values() if isinstance(item, logging.Logger)]
    enabled = [item for item in loggers if not item.disabled]
    try:
        exit_code = lint_imports(config_filename=os.fspath(PROJECT_ROOT / "pyproject.toml"), no_cache=True)
    finally:
        for item in enabled:
            item.disabled = False
    report = capsys.readouterr().out
    assert exit_code == 0, report
    assert "0 broken" in report
