"""The stream mappings of template.yaml at work: `stream_sources()` finds each function event of
`Type: DynamoDB` on one of the template's tables, and a `StreamConsumer` is one mapping running — a
thread that polls about once a second, keeps the records the filters accept, and invokes the
function with batches of at most `BatchSize`, in stream order; a failed batch is retried (from its
first failed record under `ReportBatchItemFailures`) with a short backoff: no record is dropped."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from loyalty_dev.local.stream_filters import UnsupportedFilter, accepted, filter_patterns
from loyalty_dev.local.streams import Invoke, StreamPump, lambda_record
from loyalty_dev.template import Template

log = logging.getLogger("loyalty.dev")

DEFAULT_BATCH_SIZE = 100  # Lambda's default for a DynamoDB stream
POLL_INTERVAL_SECONDS = 1.0
FIRST_RETRY_SECONDS = 0.25
MAX_RETRY_SECONDS = 5.0


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


def stream_sources(template: Template, function: str | None = None) -> list[StreamSource]:
    """Every function event of `Type: DynamoDB` on the stream of a table of the template (a stream
    from elsewhere is not local, and an event with `Enabled: false` is not running); `function`:
    only that function's."""
    tables = template.tables()
    sources = []
    for name, resource in template.resources.items():
        if resource.get("Type") != "AWS::Serverless::Function" or function not in (None, name):
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
