"""Records every AWS call a function makes while its handler runs, for the deployment tier.

Off unless asked for, by environment variables the deployment tier sets for a pytest run of its own:

* `LOYALTY_RECORD_AWS_CALLS=<file>`: a botocore `before-parameter-build` hook on every botocore
  session records each API call made while a function's handler runs (the in-process runner,
  `tests.harness.in_process.load_handler`, names the running function); the calls are written to
  `<file>` as JSON when the run ends. Calls the tests make themselves (fixtures, snapshots) are
  made outside any handler and are not recorded.

The same runs set `LOYALTY_SECRETS_FROM_SSM=1` (see tests/plugins/ssm_secrets.py).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from tests.harness.in_process import running_function

RECORD_VARIABLE = "LOYALTY_RECORD_AWS_CALLS"

_calls: Counter[str] = Counter()
_current_test: list[str] = [""]
_first_test: dict[str, str] = {}


def call_summary(service: str, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """What IAM looks at in a call: its operation and the names of what it touches (no values)."""
    kept: dict[str, Any] = {
        key: params[key]
        for key in ("TableName", "IndexName", "Name", "Names", "StreamArn", "QueueUrl", "Bucket", "Key")
        if key in params
    }
    if "RequestItems" in params:
        kept["RequestItems"] = sorted(params["RequestItems"])
    if "Entries" in params and service == "events":  # each entry's bus (never its detail)
        kept["Entries"] = [
            {"EventBusName": entry.get("EventBusName", "default")} for entry in params["Entries"]
        ]
    for key in ("TransactItems",):
        if key in params:
            kept[key] = [
                {"kind": kind, "TableName": body.get("TableName")}
                for item in params[key]
                for kind, body in item.items()
            ]
    return {"service": service, "operation": operation, "params": kept}


def _record(params: Mapping[str, Any], model: Any, **_: Any) -> None:
    function = running_function()
    if function is None:
        return
    summary = {"function": function, **call_summary(model.service_model.service_name, model.name, params)}
    key = json.dumps(summary, sort_keys=True)
    _calls[key] += 1
    _first_test.setdefault(key, _current_test[0])


def _register(session: Any) -> None:
    session.register("before-parameter-build", _record, unique_id="loyalty-record-aws-calls")


def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get(RECORD_VARIABLE):
        return
    original = botocore.session.Session.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        _register(self)

    botocore.session.Session.__init__ = init  # type: ignore[method-assign]
    import boto3

    if boto3.DEFAULT_SESSION is not None:  # made before this plugin loaded
        _register(boto3.DEFAULT_SESSION._session)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[object]:
    _current_test[0] = item.nodeid
    return (yield)


def pytest_unconfigure(config: pytest.Config) -> None:
    target = os.environ.get(RECORD_VARIABLE)
    if not target:
        return
    calls = [
        {**json.loads(key), "count": count, "first_test": _first_test[key]}
        for key, count in sorted(_calls.items())
    ]
    # Under pytest-xdist each worker records its own tests' calls in a file of its own
    # (`<file>.<worker>`); `recorded_calls` adds them up.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    Path(f"{target}.{worker}" if worker else target).write_text(json.dumps(calls, indent=1), encoding="utf-8")


def recorded_calls(target: Path) -> list[dict[str, Any]]:
    """The calls of a recorded run, from its one file or its workers' files, counted together."""
    merged: dict[str, dict[str, Any]] = {}
    files = sorted(target.parent.glob(f"{target.name}*"))
    if not files:
        raise FileNotFoundError(target)
    for path in files:
        for call in json.loads(path.read_text(encoding="utf-8")):
            key = json.dumps(
                {k: v for k, v in call.items() if k not in {"count", "first_test"}}, sort_keys=True
            )
            if key in merged:
                merged[key]["count"] += call["count"]
                merged[key]["first_test"] = min(merged[key]["first_test"], call["first_test"])
            else:
                merged[key] = dict(call)
    return [merged[key] for key in sorted(merged)]
