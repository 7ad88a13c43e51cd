"""Figure 10: what outbound events add per order (moto). On the webhook path nothing: the order's
calls are the same with EventsFunction in the template, and no handler calls EventBridge. On the
stream side, EventsFunction's calls per change: PutEvents per event (at most 10 a call) and the
DynamoDB reads it makes (a store's program once per 30 s per container; a customer's email only
for a store that opts in)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from loyalty.domain.rules.events import MAX_ENTRIES_PER_CALL
from loyalty_dev.local.apigw import LambdaContext
from loyalty_dev.local.service_environment import REGION
from loyalty_dev.local.stream_consumer import stream_sources
from loyalty_dev.local.stream_filters import accepted
from loyalty_dev.local.streams import StreamPump
from loyalty_dev.template import load_template
from tests.benchmarks.moto import Harness, order
from tests.benchmarks.recorder import counts_by_operation
from tests.benchmarks.report import Report, format_counts
from tests.harness.client import ORDER_PATH
from tests.harness.in_process import load_handler

EVENTS_FUNCTION = "EventsFunction"
BUS = "LoyaltyEventBus"  # the harness's environment names the template's bus by its logical id


@dataclass
class EventsMeasured:
    order_counts: Counter[str]  # DynamoDB calls of one order of a known customer
    order_event_calls: int  # EventBridge calls the order's handler made (0)
    changes: int  # stream records EventsFunction was handed
    events: int  # events it published
    put_events: list[int]  # entries per PutEvents call
    dynamodb: Counter[str]  # its DynamoDB calls


class _EventBridgeCalls:
    """Every PutEvents call of the session's clients, with its number of entries."""

    def __init__(self, events: Any) -> None:
        self.entries: list[int] = []
        events.register("before-parameter-build.events.PutEvents", self._before)

    def _before(self, params: dict[str, Any], **_: Any) -> None:
        self.entries.append(len(params.get("Entries", [])))

    def take(self) -> list[int]:
        taken, self.entries = self.entries, []
        return taken


def measure_events(harness: Harness, orders: int = 25) -> EventsMeasured:
    """`orders` orders of known customers in one store, then their stream records to EventsFunction."""
    import boto3
    from botocore.config import Config

    boto3.client("events", region_name=REGION).create_event_bus(Name=BUS)
    watched = _EventBridgeCalls(boto3.DEFAULT_SESSION.events)
    streams = boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
    pump = StreamPump(harness.table_name, harness.client, streams)
    for number in range(orders):
        _post(harness, f"ev-{number}-1", f"ev-{number}")
    pump.drain()  # what came before is not measured
    harness.recorder.take()
    watched.take()

    _post(harness, "ev-0-2", "ev-0")  # one order of a known customer, as figure 1 counts it
    order_counts = counts_by_operation(harness.recorder.take())
    order_event_calls = len(watched.take())
    for number in range(1, orders):
        _post(harness, f"ev-{number}-2", f"ev-{number}")
    harness.recorder.take()

    (source,) = stream_sources(load_template(), EVENTS_FUNCTION)
    records = [record for record in pump.drain() if accepted(source.filters, record)]
    handler = load_handler(harness.api.functions[EVENTS_FUNCTION])
    answer = handler(pump.event(records), LambdaContext(function_name=EVENTS_FUNCTION))
    if answer.get("batchItemFailures"):
        raise RuntimeError(f"EventsFunction failed records: {answer}")
    put = watched.take()
    return EventsMeasured(
        order_counts=order_counts,
        order_event_calls=order_event_calls,
        changes=len(records),
        events=sum(put),
        put_events=put,
        dynamodb=counts_by_operation(harness.recorder.take()),
    )


def _post(harness: Harness, order_id: str, customer_id: str) -> None:
    answer = harness.post(ORDER_PATH, order(order_id, customer_id))
    if answer.status != 200:
        raise RuntimeError(f"setting up: order {order_id} answered {answer.status}: {answer.body}")


def report_events(report: Report, measured: EventsMeasured) -> None:
    report.title("10. Outbound events: what they add per order (EventsFunction, moto)")
    report.line(
        f"  webhook path, order of a known customer: {format_counts(measured.order_counts)}, "
        f"EventBridge calls {measured.order_event_calls}"
    )
    report.verdict(
        "events add nothing to the webhook path",
        f"{format_counts(measured.order_counts)}, {measured.order_event_calls} EventBridge calls",
        measured.order_event_calls == 0
        and set(measured.order_counts) <= {"GetItem", "TransactWriteItems"}
        and measured.order_counts["TransactWriteItems"] == 1,
    )
    calls = len(measured.put_events)
    report.line(
        f"  stream side: {measured.changes} records (account changes and new ledger entries) -> "
        f"{measured.events} events in {calls} PutEvents calls (entries per call: {measured.put_events}), "
        f"DynamoDB: {format_counts(measured.dynamodb) or 'none'}"
    )
    per_event = calls / measured.events if measured.events else 0.0
    report.line(
        f"  per change: {calls / max(measured.changes, 1):.2f} PutEvents calls, {per_event:.2f} per event "
        f"(the floor: 1/{MAX_ENTRIES_PER_CALL}); the program and the webhook endpoints read once per store "
        "per 30 s per container; an opted-in store adds one GetItem per customer per batch (the email)"
    )
    report.verdict(
        "PutEvents batches of at most 10, ceil(events / 10) calls",
        f"{calls} calls for {measured.events} events",
        max(measured.put_events, default=0) <= MAX_ENTRIES_PER_CALL
        and calls == math.ceil(measured.events / MAX_ENTRIES_PER_CALL),
    )
