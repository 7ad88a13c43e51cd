"""Logs and metrics hold no personal data: every handler test runs with its log records (every level,
every logger) and its metric names, dimensions and metadata captured, and fails when they contain an
email address, or an email or a customer name that the test sent in a request body.

The answers may name an email (a conflict says which one); only what the service keeps is scanned.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from loyalty.observability import metrics
from tests.harness.in_process import InProcessApi

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PERSONAL_KEYS = frozenset(
    {"email", "first_name", "last_name", "name", "loginEmail", "firstName", "lastName", "phone"}
)
SCANNED = Path(__file__).resolve().parents[1] / "handlers"


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Every attribute of the record, extras included, and the message with its arguments.
        self.texts.append(record.getMessage())
        self.texts.append(json.dumps(record.__dict__, default=str))
        if record.exc_info:
            self.texts.append(logging.Formatter().formatException(record.exc_info))


def personal_values(document: Any) -> set[str]:
    """Emails and names in a request body: values of personal keys, and anything email-shaped."""
    found: set[str] = set()
    if isinstance(document, dict):
        for key, value in document.items():
            if key in PERSONAL_KEYS and isinstance(value, str) and len(value.strip()) >= 3:
                found.add(value.strip())
            found |= personal_values(value)
    elif isinstance(document, list):
        for value in document:
            found |= personal_values(value)
    elif isinstance(document, str):
        found |= {match.group(0) for match in EMAIL.finditer(document)}
    return found


def leaks(texts: list[str], sent: set[str]) -> list[str]:
    """What in `texts` is an email address or one of the `sent` values, with where it stands."""
    problems: list[str] = []
    for text in texts:
        for match in EMAIL.finditer(text):
            problems.append(f"an email address {match.group(0)!r}: …{_around(text, match)}…")
        for value in sent:
            found = re.search(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", text, re.IGNORECASE)
            if found:
                problems.append(f"{value!r} from a request body: …{_around(text, found)}…")
    return problems


def _around(text: str, match: re.Match[str]) -> str:
    return text[max(0, match.start() - 120) : match.end() + 40]


@pytest.fixture(autouse=True)
def no_personal_data_in_logs(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    if SCANNED not in Path(str(request.node.path)).resolve().parents:
        yield
        return
    recorder = _Recorder()
    sent: set[str] = set()
    original_request = InProcessApi.request

    def recording_request(self: InProcessApi, method: str, path: str, **options: Any) -> Any:
        body = options.get("body")
        if body:
            text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
            try:
                sent.update(personal_values(json.loads(text)))
            except (ValueError, RecursionError):
                sent.update(personal_values(text))
        return original_request(self, method, path, **options)

    def recording(method: str) -> Any:
        original = getattr(metrics, method)

        def record(*args: Any, **kwargs: Any) -> Any:
            recorder.texts.append(json.dumps([method, args, kwargs], default=str))
            return original(*args, **kwargs)

        return record

    monkeypatch.setattr(InProcessApi, "request", recording_request)
    for method in ("add_metric", "add_dimension", "add_metadata"):
        monkeypatch.setattr(metrics, method, recording(method))
    root, service = logging.getLogger(), logging.getLogger("loyalty")
    level = service.level
    root.addHandler(recorder)
    service.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(recorder)
        service.setLevel(level)
    problems = leaks(recorder.texts, sent)
    if problems:
        pytest.fail("personal data in logs or metrics:\n" + "\n".join(sorted(set(problems))[:10]))
