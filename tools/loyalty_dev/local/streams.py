"""Reads a table's DynamoDB stream and hands its records to a function, as Lambda's event source
mapping does (DynamoDB Local and moto both serve the Streams API; neither invokes functions).

* `StreamPump` reads a stream: `drain()` returns every record written since the last call, and
  `event()` wraps records into the event Lambda delivers.
* `stream_sources()` finds the mappings template.yaml declares: each function event of
  `Type: DynamoDB` whose `Stream` is `!GetAtt <Table>.StreamArn` of one of its tables.
* `matches()` is the subset of Lambda's event filtering (EventBridge patterns) run locally.
* `StreamConsumer` is one mapping at work: a thread that polls about once a second, keeps the
  records its filters accept, and invokes the function with batches of at most `BatchSize`, one
  batch at a time, in stream order; a batch that fails is retried (from its first failed record
  under `ReportBatchItemFailures`) with a short backoff, until it succeeds: no record is dropped.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from loyalty_dev.template import Template

log = logging.getLogger("loyalty.dev")

Handler = Callable[[dict[str, Any], Any], Any]
Invoke = Callable[[dict[str, Any]], Any]

DEFAULT_BATCH_SIZE = 100  # Lambda's default for a DynamoDB stream
POLL_INTERVAL_SECONDS = 1.0
FIRST_RETRY_SECONDS = 0.25
MAX_RETRY_SECONDS = 5.0


class StreamPump:
    """Remembers where it stopped in each shard; `drain()` returns every record written since.

    Shards are read as Lambda reads them: a child shard only once its parent is read to its end.
    `starting_position` (TRIM_HORIZON or LATEST) applies to the shards there at the first `drain()`;
    shards that appear later are read from their start. A shard iterator that expired (a laptop
    asleep for 15 minutes) is renewed after the last record handed out.
    """

    def __init__(
        self, table_name: str, dynamodb: Any, streams: Any, starting_position: str = "TRIM_HORIZON"
    ) -> None:
        self._table = table_name
        self._dynamodb = dynamodb
        self._streams = streams
        self._starting_position = starting_position
        self._iterators: dict[str, str | None] = {}  # None: the shard is closed and read to its end
        self._last_sequence: dict[str, str] = {}
        self._started = False
        self._arn: str | None = None

    @property
    def table_name(self) -> str:
        return self._table

    @property
    def stream_arn(self) -> str:
        if self._arn is None:
            table = self._dynamodb.describe_table(TableName=self._table)["Table"]
            if not table.get("LatestStreamArn"):
                raise LookupError(f"table {self._table} has no stream")
            self._arn = str(table["LatestStreamArn"])
        return self._arn

    def drain(self) -> list[dict[str, Any]]:
        """The records written since the last call, in order within each shard, parents first.

        Progress is kept page by page: when a call fails half-way, the records it read are
        returned (the fault shows again at the next call) and the next call resumes after them.
        """
        records: list[dict[str, Any]] = []
        try:
            shards = self._shards()
            listed = {shard["ShardId"] for shard in shards}
            for shard_id in list(self._iterators):
                if shard_id not in listed:  # trimmed away
                    del self._iterators[shard_id]
                    self._last_sequence.pop(shard_id, None)
            first_listing, self._started = not self._started, True
            waiting = shards
            while waiting:  # a pass per generation: a child is read once its parent is read to its end
                blocked = []
                for shard in waiting:
                    shard_id = shard["ShardId"]
                    parent = str(shard.get("ParentShardId") or "")
                    if parent in listed and self._iterators.get(parent, "unread") is not None:
                        blocked.append(shard)  # its parent still has records to give
                        continue
                    if shard_id not in self._iterators:
                        position = self._starting_position if first_listing else "TRIM_HORIZON"
                        self._iterators[shard_id] = self._iterator(shard_id, position)
                    self._read_shard(shard_id, records)
                if len(blocked) == len(waiting):
                    break
                waiting = blocked
        except Exception:
            if records:
                return records
            raise
        return records

    def _read_shard(self, shard_id: str, records: list[dict[str, Any]]) -> None:
        renewed = False
        iterator = self._iterators[shard_id]
        while iterator:
            try:
                page = self._streams.get_records(ShardIterator=iterator, Limit=1000)
            except (
                self._streams.exceptions.ExpiredIteratorException,
                self._streams.exceptions.TrimmedDataAccessException,
            ) as error:
                if renewed:
                    raise
                renewed = True
                trimmed = isinstance(error, self._streams.exceptions.TrimmedDataAccessException)
                if trimmed:
                    log.warning("%s: stream records were trimmed before they were read", self._table)
                iterator = self._resume(shard_id, trimmed)
                continue
            found = page.get("Records", [])
            iterator = page.get("NextShardIterator")
            self._iterators[shard_id] = iterator
            if found:
                self._last_sequence[shard_id] = str(found[-1]["dynamodb"]["SequenceNumber"])
                records.extend(found)
            else:
                break

    def _resume(self, shard_id: str, trimmed: bool) -> str | None:
        last = self._last_sequence.get(shard_id)
        if last is not None and not trimmed:
            return self._iterator(shard_id, "AFTER_SEQUENCE_NUMBER", last)
        return self._iterator(shard_id, "TRIM_HORIZON")

    def _iterator(self, shard_id: str, position: str, sequence: str | None = None) -> str | None:
        request = {"StreamArn": self.stream_arn, "ShardId": shard_id, "ShardIteratorType": position}
        if sequence is not None:
            request["SequenceNumber"] = sequence
        iterator = self._streams.get_shard_iterator(**request).get("ShardIterator")
        return str(iterator) if iterator else None

    def _shards(self) -> list[dict[str, Any]]:
        shards: list[dict[str, Any]] = []
        request: dict[str, Any] = {"StreamArn": self.stream_arn}
        try:
            while True:
                description = self._streams.describe_stream(**request)["StreamDescription"]
                shards.extend(description.get("Shards", []))
                if not description.get("LastEvaluatedShardId"):
                    return shards
                request["ExclusiveStartShardId"] = description["LastEvaluatedShardId"]
        except self._streams.exceptions.ResourceNotFoundException:
            # The table was deleted (and perhaps created again, with a new stream): start over.
            self._arn = None
            self._iterators.clear()
            self._last_sequence.clear()
            self._started = False
            raise

    def event(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """The event Lambda's DynamoDB event source mapping delivers for these records."""
        return {"Records": [lambda_record(record, self.stream_arn) for record in records]}


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A stream record as Lambda delivers it, in JSON: boto3 reads `ApproximateCreationDateTime`
    as a datetime and binary attributes as bytes, where Lambda sends epoch seconds and base64."""
    delivered: dict[str, Any] = _as_json(record)
    delivered["eventSourceARN"] = stream_arn
    return delivered


def _as_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _as_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_as_json(item) for item in value]
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    return value


def deliver(
    handler: Handler, pump: StreamPump, records: list[dict[str, Any]], context: Any, batch: int = 100
) -> None:
    for start in range(0, len(records), batch):
        answer = handler(pump.event(records[start : start + batch]), context)
        failures = (answer or {}).get("batchItemFailures") or []
        if failures:
            raise RuntimeError(f"the totals function failed records: {failures}")


# -- event filtering -----------------------------------------------------------------------------


class UnsupportedFilter(ValueError):
    """A filter pattern beyond the subset run locally (content filters such as prefix or numeric)."""


def filter_patterns(criteria: Any) -> list[dict[str, Any]]:
    """The patterns of an event's `FilterCriteria` (`{"Filters": [{"Pattern": "<JSON>"}, …]}`).

    Locally supported: nested objects whose leaves are arrays of allowed values (strings, numbers,
    booleans, null), e.g. `{"dynamodb": {"Keys": {"sk": {"S": ["ACCOUNT"]}}}}`. Anything else
    raises UnsupportedFilter rather than let records through that Lambda would drop, or the reverse.
    """
    if not criteria:
        return []
    patterns: list[dict[str, Any]] = []
    for entry in criteria.get("Filters") or []:
        raw = entry.get("Pattern") if isinstance(entry, dict) else None
        try:
            pattern = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError as error:
            raise UnsupportedFilter(f"filter pattern is not JSON: {raw!r} ({error})") from None
        patterns.append(_check(pattern, "pattern"))
    return patterns


def _check(pattern: Any, where: str) -> dict[str, Any]:
    if not isinstance(pattern, dict):
        raise UnsupportedFilter(f"{where} must be an object, not {pattern!r}")
    for key, value in pattern.items():
        if isinstance(value, dict):
            _check(value, f"{where}.{key}")
        elif isinstance(value, list):
            for allowed in value:
                if isinstance(allowed, dict | list):
                    raise UnsupportedFilter(
                        f"{where}.{key}: {json.dumps(allowed)} is a content filter; only exact values "
                        "are supported locally"
                    )
        else:
            raise UnsupportedFilter(f"{where}.{key} must be an object or an array of values, not {value!r}")
    return pattern


def matches(pattern: Mapping[str, Any], record: Any) -> bool:
    """Whether `record` matches `pattern` (EventBridge semantics for the supported subset): every
    key of the pattern is in the record; an object is matched level by level; an array lists the
    values allowed, and a record's array matches when any of its elements is allowed."""
    if not isinstance(record, dict):
        return False
    for key, expected in pattern.items():
        if key not in record:
            return False
        value = record[key]
        if isinstance(expected, dict):
            candidates = value if isinstance(value, list) else [value]
            if not any(matches(expected, candidate) for candidate in candidates):
                return False
        else:
            candidates = value if isinstance(value, list) else [value]
            if not any(_same(candidate, allowed) for candidate in candidates for allowed in expected):
                return False
    return True


def _same(value: Any, allowed: Any) -> bool:
    # JSON types, not Python's: true is not 1, "1" is not 1, and 1 is 1.0.
    if isinstance(value, bool) or isinstance(allowed, bool):
        return isinstance(value, bool) and isinstance(allowed, bool) and value == allowed
    if isinstance(value, int | float) and isinstance(allowed, int | float):
        return value == allowed
    return type(value) is type(allowed) and value == allowed


def accepted(patterns: list[dict[str, Any]], record: Mapping[str, Any]) -> bool:
    """Lambda's rule: no filter lets every record through; several filters are alternatives."""
    return not patterns or any(matches(pattern, record) for pattern in patterns)


# -- the mappings of the template --------------------------------------------------------------


@dataclass(frozen=True)
class StreamSource:
    """One `Type: DynamoDB` event of a function on the stream of one of the template's tables."""

    function: str
    event: str  # the event's name in the template (e.g. AccountChanges)
    table: str  # the table's logical id
    batch_size: int = DEFAULT_BATCH_SIZE
    starting_position: str = "TRIM_HORIZON"
    report_item_failures: bool = False
    filters: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None  # why it cannot run locally (an unsupported filter)

    def describe(self) -> str:
        if self.problem is not None:
            return f"{self.table} stream  ->  {self.function}: NOT RUN, {self.problem}"
        details = [f"batches of {self.batch_size}"]
        if self.filters:
            details.append(f"{len(self.filters)} filter{'s' if len(self.filters) > 1 else ''}")
        if self.report_item_failures:
            details.append("ReportBatchItemFailures")
        return f"{self.table} stream  ->  {self.function} ({', '.join(details)})"


def _stream_table(stream: Any) -> str | None:
    """The table of `!GetAtt <Table>.StreamArn` (short or long form), else None."""
    target = stream.get("Fn::GetAtt") if isinstance(stream, dict) else None
    if isinstance(target, str):
        target = target.split(".", 1)
    if isinstance(target, list) and len(target) == 2 and target[1] == "StreamArn":
        return str(target[0])
    return None


def stream_sources(template: Template) -> list[StreamSource]:
    """Every function event of `Type: DynamoDB` on the stream of a table of the template (a stream
    from elsewhere is not local, and an event with `Enabled: false` is not running)."""
    tables = template.tables()
    sources = []
    for name, resource in template.resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event_name, event in (resource.get("Properties", {}).get("Events") or {}).items():
            properties = event.get("Properties") or {}
            if event.get("Type") != "DynamoDB" or properties.get("Enabled", True) is False:
                continue
            table = _stream_table(properties.get("Stream"))
            if table is None or table not in tables:
                continue
            filters: list[dict[str, Any]] = []
            problem = None
            try:
                filters = filter_patterns(properties.get("FilterCriteria"))
            except UnsupportedFilter as error:
                problem = f"{event_name}'s FilterCriteria: {error}"
            sources.append(
                StreamSource(
                    function=name,
                    event=event_name,
                    table=table,
                    batch_size=int(properties.get("BatchSize", DEFAULT_BATCH_SIZE)),
                    starting_position=str(properties.get("StartingPosition", "TRIM_HORIZON")),
                    report_item_failures="ReportBatchItemFailures"
                    in (properties.get("FunctionResponseTypes") or []),
                    filters=filters,
                    problem=problem,
                )
            )
    return sources


# -- a mapping at work ---------------------------------------------------------------------------


class StreamConsumer:
    """One event source mapping at work: polls the stream, filters, batches, invokes, retries.

    `invoke` runs one event through the function and returns its answer; an exception means the
    invocation failed (raised, timed out, crashed), and the whole batch is tried again. Records are
    acknowledged only by a successful answer; until then they stay pending, in order, and nothing
    after them is delivered (as Lambda holds a shard's records behind a failing batch). Lambda
    would give up after `MaximumRetryAttempts` and send the batch to its `OnFailure` destination;
    locally the batch is retried until it succeeds, so a fix to the code (picked up by the next
    invocation) lets the stream go on without losing the records that failed.
    """

    def __init__(
        self,
        source: StreamSource,
        pump: StreamPump,
        invoke: Invoke,
        *,
        log_line: Callable[[str], None] = log.info,
        poll_interval: float = POLL_INTERVAL_SECONDS,
        first_retry: float = FIRST_RETRY_SECONDS,
        max_retry: float = MAX_RETRY_SECONDS,
    ) -> None:
        self.source = source
        self.pump = pump
        self._invoke = invoke
        self._log_line = log_line
        self.poll_interval = poll_interval
        self._first_retry = first_retry
        self._max_retry = max_retry
        self._pending: list[dict[str, Any]] = []  # read and accepted, not yet acknowledged
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._fault: str | None = None
        self.delivered = 0

    @property
    def pending(self) -> int:
        return len(self._pending)

    def start(self) -> StreamConsumer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"stream:{self.source.function}.{self.source.event}", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop polling; a batch being delivered is let finish (its function's timeout bounds it)."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll()
            except Exception as error:  # the database unreachable, the table gone…: say so once
                message = f"{type(error).__name__}: {error}"
                if message != self._fault:
                    log.error(
                        "%s: cannot read the %s stream (%s)",
                        self.source.function,
                        self.pump.table_name,
                        message,
                    )
                self._fault = message
            else:
                if self._fault is not None:
                    log.info("%s: reading the %s stream again", self.source.function, self.pump.table_name)
                self._fault = None
            self._stop.wait(self.poll_interval)

    def poll(self) -> int:
        """Read what is new and deliver everything pending; returns the records acknowledged.

        Returns early, with records still pending, only when stopped.
        """
        arn = self.pump.stream_arn
        for record in self.pump.drain():
            if accepted(self.source.filters, lambda_record(record, arn)):
                self._pending.append(record)
        acknowledged = 0
        delay = self._first_retry
        while self._pending and not self._stop.is_set():
            batch = self._pending[: self.source.batch_size]
            done = self._deliver(batch, delay)
            del self._pending[:done]
            acknowledged += done
            self.delivered += done
            if done < len(batch):
                self._stop.wait(delay)
                delay = min(delay * 2, self._max_retry)
            else:
                delay = self._first_retry
        return acknowledged

    def _deliver(self, batch: list[dict[str, Any]], retry_in: float) -> int:
        """Invoke the function with one batch; how many records, from the first, it acknowledged."""
        started = time.perf_counter()
        outcome = ""
        try:
            answer = self._invoke(self.pump.event(batch))
        except Exception as error:
            done = 0
            outcome = f": failed ({error}), retrying the batch in {retry_in:g} s"
        else:
            done = self._acknowledged(batch, answer)
            if done < len(batch):
                outcome = (
                    f": batchItemFailures, {done} acknowledged, retrying from record {done + 1} "
                    f"in {retry_in:g} s"
                )
        elapsed = (time.perf_counter() - started) * 1000
        count = f"{len(batch)} record{'s' if len(batch) != 1 else ''}"
        self._log_line(
            f"STREAM {self.pump.table_name} {count} {elapsed:.1f} ms {self.source.function}{outcome}"
        )
        return done

    def _acknowledged(self, batch: list[dict[str, Any]], answer: Any) -> int:
        """ReportBatchItemFailures: Lambda checkpoints before the failed record with the lowest
        sequence number and retries from there; an answer naming no record of the batch (an empty
        or unknown `itemIdentifier`) fails the whole batch. Without it, any answer is a success."""
        if not self.source.report_item_failures or not isinstance(answer, dict):
            return len(batch)
        failures = answer.get("batchItemFailures") or []
        if not failures:
            return len(batch)
        positions = {str(record["dynamodb"]["SequenceNumber"]): index for index, record in enumerate(batch)}
        first = len(batch)
        for failure in failures:
            identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if not isinstance(identifier, str) or identifier not in positions:
                return 0
            first = min(first, positions[identifier])
        return first
