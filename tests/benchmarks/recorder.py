"""Every DynamoDB call a process makes, recorded with a botocore event hook."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

READ_OPERATIONS = frozenset({"GetItem", "BatchGetItem", "TransactGetItems", "Query", "Scan"})

WRITE_OPERATIONS = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", "ExecuteStatement"}
)


@dataclass
class Call:
    operation: str
    params: dict[str, Any]
    started: float
    ended: float = 0.0
    response: dict[str, Any] | None = None
    error: str | None = None


class CallRecorder:
    """Records every DynamoDB API call of the clients of a session (one record per call, not per retry)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    def attach(self, events: Any) -> None:
        events.register("before-parameter-build.dynamodb", self._before)
        events.register("after-call.dynamodb", self._after)
        events.register("after-call-error.dynamodb", self._failed)

    def take(self) -> list[Call]:
        calls, self.calls = self.calls, []
        return calls

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append(Call(str(model.name), params, time.perf_counter()))

    def _after(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        # Emitted for every answer, errors included (botocore raises after this event).
        if self.calls and self.calls[-1].operation == model.name:
            self.calls[-1].ended = time.perf_counter()
            self.calls[-1].response = parsed
            if http_response.status_code >= 300:
                self.calls[-1].error = str(parsed.get("Error", {}).get("Code", http_response.status_code))

    def _failed(self, exception: Exception, model: Any, **_: Any) -> None:
        if self.calls and self.calls[-1].operation == model.name:
            self.calls[-1].ended = time.perf_counter()
            self.calls[-1].error = type(exception).__name__


def counts_by_operation(calls: Iterable[Call]) -> Counter[str]:
    return Counter(call.operation for call in calls)


def reads(counts: Counter[str]) -> int:
    return sum(number for operation, number in counts.items() if operation in READ_OPERATIONS)


def writes(counts: Counter[str]) -> int:
    return sum(number for operation, number in counts.items() if operation in WRITE_OPERATIONS)
