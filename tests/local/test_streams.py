"""The local runner's stream consumers: the template's mappings, event filtering, batching and
retries (ReportBatchItemFailures) on a stand-in stream, and the overview kept by TotalsFunction
through the local server."""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from loyalty_dev.local.server import LocalServer
from loyalty_dev.local.stream_consumer import StreamConsumer, StreamSource, stream_sources
from loyalty_dev.local.stream_filters import UnsupportedFilter, accepted, filter_patterns, matches
from loyalty_dev.local.streams import StreamPump, lambda_record
from loyalty_dev.template import load_template
from tests.harness import records
from tests.local.client import call
from tests.support import order_event, registration_event, sign

ACCOUNTS_ONLY = {"eventName": ["INSERT", "MODIFY"], "dynamodb": {"Keys": {"sk": {"S": ["ACCOUNT"]}}}}
NEW_ENTRIES = {"eventName": ["INSERT"], "dynamodb": {"Keys": {"sk": {"S": ["ENTRY"]}}}}
ACCOUNTS_AND_COUPONS = {
    "eventName": ["INSERT", "MODIFY"],
    "dynamodb": {"Keys": {"sk": {"S": ["ACCOUNT", "COUPON"]}}},
}
NEW_ENTRIES_AND_REMINDERS = {
    "eventName": ["INSERT"],
    "dynamodb": {"Keys": {"sk": {"S": ["ENTRY", "REMINDER"]}}},
}
STREAM_ARN = "arn:aws:dynamodb:ddblocal:000000000000:table/Table/stream/2026-11-23T00:00:00.000"


# -- the template's mappings ---------------------------------------------------------------------


def test_the_template_s_stream_consumers_are_found_with_their_settings() -> None:
    sources = stream_sources(load_template())

    assert sources == [
        StreamSource(
            function="TotalsFunction",
            event="AccountChanges",
            table="LoyaltyTable",
            batch_size=100,
            starting_position="TRIM_HORIZON",
            report_item_failures=True,
            filters=[ACCOUNTS_ONLY, NEW_ENTRIES],
        ),
        StreamSource(
            function="EventsFunction",
            event="Changes",
            table="LoyaltyTable",
            batch_size=100,
            starting_position="TRIM_HORIZON",
            report_item_failures=True,
            filters=[NEW_ENTRIES_AND_REMINDERS, ACCOUNTS_AND_COUPONS],
        ),
    ]


# -- filtering (the EventBridge subset) ----------------------------------------------------------


def stream_record(number: int, sort_key: str = "ACCOUNT", **extra: Any) -> dict[str, Any]:
    """A record as boto3 reads it from a stream (a datetime, not Lambda's epoch seconds)."""
    keys = {"pk": {"S": f"STORE#s#CUSTOMER#c{number}"}, "sk": {"S": sort_key}}
    return records.stream_record(
        None,
        {**keys, **extra},
        sequence=number,
        event_name="MODIFY",
        created=datetime(2026, 11, 23, tzinfo=UTC),
    )


def test_the_template_s_filter_keeps_account_changes_and_new_ledger_entries_only() -> None:
    (patterns,) = [source.filters for source in stream_sources(load_template(), "TotalsFunction")]

    account = lambda_record(stream_record(1, "ACCOUNT"), STREAM_ARN)
    changed_entry = lambda_record(stream_record(2, "ENTRY"), STREAM_ARN)
    new_entry = {**lambda_record(stream_record(3, "ENTRY"), STREAM_ARN), "eventName": "INSERT"}
    claim = {**lambda_record(stream_record(4, "EMAIL"), STREAM_ARN), "eventName": "INSERT"}

    assert accepted(patterns, account)
    assert accepted(patterns, new_entry)  # the per-day activity counts it
    assert not accepted(patterns, changed_entry)  # an order's entry gaining points_reversed
    assert not accepted(patterns, claim)
    removed = {**account, "eventName": "REMOVE"}  # only a shop's erasure deletes accounts
    assert not accepted(patterns, removed)


def test_filter_matching_follows_eventbridge_for_exact_values() -> None:
    record = {"eventName": "MODIFY", "dynamodb": {"Keys": {"sk": {"S": "ACCOUNT"}}}, "tags": ["a", "b"]}

    assert matches({"eventName": ["INSERT", "MODIFY"]}, record)  # any allowed value
    assert matches({"tags": ["b", "z"]}, record)  # a record's array: any element allowed
    assert matches({"eventName": ["MODIFY"], "dynamodb": {"Keys": {"sk": {"S": ["ACCOUNT"]}}}}, record)
    assert matches({}, record)
    assert not matches({"eventName": ["REMOVE"]}, record)
    assert not matches({"eventName": ["MODIFY"], "dynamodb": {"Keys": {"sk": {"S": ["EMAIL"]}}}}, record)
    assert not matches({"missing": ["MODIFY"]}, record)
    assert not matches({"eventName": {"nested": ["x"]}}, record)  # an object against a string
    assert not matches({"dynamodb": ["MODIFY"]}, record)  # values against an object
    # JSON types: 1 is 1.0, but neither "1" nor true.
    assert matches({"n": [1]}, {"n": 1.0})
    assert not matches({"n": [1]}, {"n": "1"})
    assert not matches({"n": [1]}, {"n": True})
    assert matches({"n": [None]}, {"n": None})
    assert not matches({"n": [None]}, {})


def test_no_filter_accepts_everything_and_several_filters_are_alternatives() -> None:
    patterns = filter_patterns(
        {"Filters": [{"Pattern": '{"eventName": ["INSERT"]}'}, {"Pattern": '{"eventName": ["REMOVE"]}'}]}
    )

    assert accepted([], {"eventName": "MODIFY"})
    assert filter_patterns(None) == []
    assert accepted(patterns, {"eventName": "INSERT"})
    assert accepted(patterns, {"eventName": "REMOVE"})
    assert not accepted(patterns, {"eventName": "MODIFY"})


@pytest.mark.parametrize(
    "pattern",
    [
        '{"dynamodb": {"Keys": {"sk": {"S": [{"prefix": "ACC"}]}}}}',
        '{"dynamodb": {"NewImage": {"balance": {"N": [{"numeric": [">", 0]}]}}}}',
        '{"eventName": "MODIFY"}',
        '["MODIFY"]',
        "not json",
    ],
)
def test_filters_beyond_the_local_subset_are_refused_not_guessed(pattern: str) -> None:
    with pytest.raises(UnsupportedFilter):
        filter_patterns({"Filters": [{"Pattern": pattern}]})


def test_records_reach_the_function_in_lambda_s_json() -> None:
    record = lambda_record(stream_record(7, blob={"B": b"\x00\xff"}), STREAM_ARN)

    assert record["eventSourceARN"] == STREAM_ARN
    assert record["dynamodb"]["ApproximateCreationDateTime"] == int(
        datetime(2026, 11, 23, tzinfo=UTC).timestamp()
    )
    assert record["dynamodb"]["NewImage"]["blob"] == {"B": "AP8="}
    json.dumps(record)


# -- batching and retries, on a stand-in stream ------------------------------------------------


class StandInPump:
    """drain() hands out the prepared reads, one per call."""

    table_name = "Table"
    stream_arn = STREAM_ARN

    def __init__(self, *reads: list[dict[str, Any]]) -> None:
        self.reads = list(reads)

    def drain(self) -> list[dict[str, Any]]:
        return self.reads.pop(0) if self.reads else []

    def event(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        return {"Records": [lambda_record(record, STREAM_ARN) for record in records]}


class StandInFunction:
    """Records the batches it receives (as event ids); answers with `answers` in turn, then success."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.batches: list[list[str]] = []

    def __call__(self, event: dict[str, Any]) -> Any:
        json.dumps(event)  # what a worker receives must be JSON
        self.batches.append([record["eventID"] for record in event["Records"]])
        answer = self.answers.pop(0) if self.answers else {"batchItemFailures": []}
        if isinstance(answer, Exception):
            raise answer
        return answer


def source(batch_size: int = 2, *, report_item_failures: bool = True) -> StreamSource:
    return StreamSource(
        function="CountFunction",
        event="Changes",
        table="Table",
        batch_size=batch_size,
        report_item_failures=report_item_failures,
        filters=[ACCOUNTS_ONLY],
    )


def consumer(
    pump: StandInPump, function: StandInFunction, stream_source: StreamSource
) -> tuple[StreamConsumer, list[str]]:
    lines: list[str] = []
    return (
        StreamConsumer(
            stream_source,
            pump,  # type: ignore[arg-type]  # a stand-in with the pump's interface
            function,
            log_line=lines.append,
            first_retry=0.01,
            max_retry=0.02,
        ),
        lines,
    )


def failed(number: int) -> dict[str, Any]:
    return {"itemIdentifier": f"{number:021d}"}


def test_filtered_records_are_delivered_in_batches_of_batch_size_in_order() -> None:
    records = [
        stream_record(1),
        stream_record(2),
        stream_record(3, "ENTRY"),
        stream_record(4),
        stream_record(5),
    ]
    function = StandInFunction()
    stream, lines = consumer(StandInPump(records), function, source(batch_size=2))

    assert stream.poll() == 4

    assert function.batches == [["e1", "e2"], ["e4", "e5"]]
    assert len(lines) == 2
    assert re.fullmatch(r"STREAM Table 2 records \d+\.\d ms CountFunction", lines[0])


def test_a_batch_is_retried_from_its_first_failed_record() -> None:
    records = [stream_record(number) for number in range(1, 6)]
    # The first batch fails its records 3 and 2: records 2 onwards come again; 1 was acknowledged.
    function = StandInFunction({"batchItemFailures": [failed(3), failed(2)]})
    stream, lines = consumer(StandInPump(records), function, source(batch_size=3))

    assert stream.poll() == 5

    assert function.batches == [["e1", "e2", "e3"], ["e2", "e3", "e4"], ["e5"]]
    assert "batchItemFailures, 1 acknowledged, retrying from record 2" in lines[0]
    assert stream.pending == 0


def test_a_failed_invocation_or_an_unknown_failure_retries_the_whole_batch() -> None:
    records = [stream_record(1), stream_record(2)]
    function = StandInFunction(
        RuntimeError("CountFunction raised KeyError: 'x'"),
        {"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]},
        {"batchItemFailures": [{"itemIdentifier": ""}]},
    )
    stream, lines = consumer(StandInPump(records), function, source())

    assert stream.poll() == 2

    assert function.batches == [["e1", "e2"]] * 4
    assert "failed (CountFunction raised KeyError: 'x'), retrying the batch" in lines[0]


def test_without_report_batch_item_failures_any_answer_acknowledges_the_batch() -> None:
    function = StandInFunction({"batchItemFailures": [failed(1)]})
    stream, _ = consumer(StandInPump([stream_record(1)]), function, source(report_item_failures=False))

    assert stream.poll() == 1
    assert function.batches == [["e1"]]


def test_records_are_kept_while_a_batch_keeps_failing_and_stopping_loses_none() -> None:
    records = [stream_record(number) for number in range(1, 4)]
    function = StandInFunction(*[RuntimeError("down")] * 1000)
    stream, _ = consumer(StandInPump(records, [stream_record(4)]), function, source(batch_size=2))

    stream.start()
    deadline = time.monotonic() + 5
    while len(function.batches) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    stream.stop()
    stream.join(timeout=5)

    assert len(function.batches) >= 3
    assert set(map(tuple, function.batches)) == {("e1", "e2")}  # never past the failing batch
    assert stream.pending == 3
    assert stream.delivered == 0


# -- the pump over shards -------------------------------------------------------------------------


class StandInStreams:
    """A DynamoDB Streams client over fixed shards: a closed parent, listed after its open child."""

    class exceptions:
        class ExpiredIteratorException(Exception):
            pass

        class TrimmedDataAccessException(Exception):
            pass

        class ResourceNotFoundException(Exception):
            pass

    def __init__(self) -> None:
        self.shards = {
            "parent": [stream_record(1), stream_record(2)],
            "child": [stream_record(3)],
        }
        self.closed = {"parent"}
        self.expire_next_read_of_child = False

    def describe_stream(self, **request: Any) -> dict[str, Any]:
        return {
            "StreamDescription": {
                "Shards": [{"ShardId": "child", "ParentShardId": "parent"}, {"ShardId": "parent"}]
            }
        }

    def get_shard_iterator(self, **request: Any) -> dict[str, Any]:
        records = self.shards[request["ShardId"]]
        start = {"TRIM_HORIZON": 0, "LATEST": len(records)}.get(request["ShardIteratorType"])
        if start is None:  # AFTER_SEQUENCE_NUMBER
            sequences = [record["dynamodb"]["SequenceNumber"] for record in records]
            start = sequences.index(request["SequenceNumber"]) + 1
        return {"ShardIterator": f"{request['ShardId']}:{start}"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        shard, start = ShardIterator.split(":")
        if shard == "child" and self.expire_next_read_of_child:
            self.expire_next_read_of_child = False
            raise self.exceptions.ExpiredIteratorException("expired")
        records = self.shards[shard][int(start) : int(start) + 1]  # one record per page
        end = int(start) + len(records)
        finished = shard in self.closed and end >= len(self.shards[shard]) and not records
        return {"Records": records, **({} if finished else {"NextShardIterator": f"{shard}:{end}"})}


class StandInTable:
    def describe_table(self, TableName: str) -> dict[str, Any]:
        return {"Table": {"LatestStreamArn": STREAM_ARN}}


def test_the_pump_reads_a_parent_shard_to_its_end_before_its_child_and_renews_an_expired_iterator() -> None:
    streams = StandInStreams()
    pump = StreamPump("Table", StandInTable(), streams)

    first = pump.drain()
    streams.shards["child"].append(stream_record(4))
    streams.expire_next_read_of_child = True
    second = pump.drain()  # the child's iterator has expired: renewed after record 3
    third = pump.drain()

    assert [record["eventID"] for record in first] == ["e1", "e2", "e3"]
    assert [record["eventID"] for record in second] == ["e4"]
    assert third == []


# -- the overview, through the local server --------------------------------------------------------


def post(server: LocalServer, path: str, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "X-Loyalty-Signature": sign(body)}
    reply = call("POST", f"{server.url}{path}", headers=headers, body=body)
    assert reply.status == 200, reply.body


def test_the_overview_counts_orders_and_members_from_the_table_s_stream(
    local_server: LocalServer, caplog: pytest.LogCaptureFixture, admin_token: Any
) -> None:
    caplog.set_level("INFO", logger="loyalty.dev")
    store, customer = f"streams-{uuid.uuid4().hex[:10]}", f"c-{uuid.uuid4().hex[:6]}"
    post(local_server, "/webhooks/order-created", order_event("1001", customer, "49.90", store_id=store))
    post(local_server, "/webhooks/member-registered", registration_event(customer, store_id=store))

    deadline = time.monotonic() + 20
    overview: dict[str, Any] = {}
    merchant = {"Authorization": f"Bearer {admin_token(local_server, store)}"}
    while time.monotonic() < deadline:
        overview = call("GET", f"{local_server.url}/admin/stores/{store}/overview", headers=merchant).json()
        if overview["customers"]["members"] == 1:
            break
        time.sleep(0.2)

    assert overview["points"]["earned"] == 49
    assert overview["points"]["unredeemed"] == 49
    assert overview["customers"] == {"members": 1, "candidates": 0, "excluded": 0}
    batches = [record.getMessage() for record in caplog.records if record.getMessage().startswith("STREAM ")]
    assert batches, "no batch line was logged"
    assert all(
        re.fullmatch(r"STREAM \S+ \d+ records? \d+\.\d ms (TotalsFunction|EventsFunction)", line)
        for line in batches
    )
