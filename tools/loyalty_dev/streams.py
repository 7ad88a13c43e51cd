"""Reads a table's DynamoDB stream and hands its records to a function, as Lambda's event source
mapping does (DynamoDB Local and moto both serve the Streams API; neither invokes functions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any], Any], Any]


class StreamPump:
    """Remembers where it stopped in each shard; `drain()` returns every record written since."""

    def __init__(self, table_name: str, dynamodb: Any, streams: Any) -> None:
        self._table = table_name
        self._dynamodb = dynamodb
        self._streams = streams
        self._iterators: dict[str, str | None] = {}
        self._arn: str | None = None

    @property
    def stream_arn(self) -> str:
        if self._arn is None:
            self._arn = str(self._dynamodb.describe_table(TableName=self._table)["Table"]["LatestStreamArn"])
        return self._arn

    def drain(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        description = self._streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self._streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            iterator = self._iterators[shard_id]
            while iterator:
                page = self._streams.get_records(ShardIterator=iterator, Limit=1000)
                records.extend(page.get("Records", []))
                iterator = page.get("NextShardIterator")
                if not page.get("Records"):
                    break
            self._iterators[shard_id] = iterator
        return records

    def event(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """The event Lambda's DynamoDB event source mapping delivers for these records."""
        return {"Records": [{**record, "eventSourceARN": self.stream_arn} for record in records]}


def deliver(
    handler: Handler, pump: StreamPump, records: list[dict[str, Any]], context: Any, batch: int = 100
) -> None:
    for start in range(0, len(records), batch):
        answer = handler(pump.event(records[start : start + batch]), context)
        failures = (answer or {}).get("batchItemFailures") or []
        if failures:
            raise RuntimeError(f"the totals function failed records: {failures}")
