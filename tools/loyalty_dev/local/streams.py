"""Reads a table's DynamoDB stream and hands its records to a function, as Lambda's event source
mapping does (DynamoDB Local and moto both serve the Streams API; neither invokes functions).

* `StreamPump` reads a stream: `drain()` returns every record written since the last call, and
  `event()` wraps records into the event Lambda delivers.
* `lambda_record()` turns a record as boto3 reads it into the JSON Lambda delivers.
* The template's mappings and their consumers: `stream_consumer`; their filters: `stream_filters`.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

log = logging.getLogger("loyalty.dev")

Handler = Callable[[dict[str, Any], Any], Any]
Invoke = Callable[[dict[str, Any]], Any]


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
