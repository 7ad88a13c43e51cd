"""The daily tier review's reads: the accounts whose tier is listed as kept until a moment at or
before now (the sparse `Tiers` index, keys only, earliest first in each shard). Query pages through
LastEvaluatedKey; nothing here scans the table. The index is eventually consistent: the review
reads each account itself, consistently, before it decides (operations/tiers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from loyalty.domain.entities import format_timestamp
from loyalty.repository.keys import TIERS_SHARDS, tiers_partition

INDEX = "Tiers"
PAGE_SIZE = 500  # keys per Query page (keys only: a page is a few dozen KB)


class TiersIndex:
    """Queries on the Tiers index of one table."""

    def __init__(self, table_name: str, client: Any, faults: Any) -> None:
        self._table = table_name
        self._client = client
        self._faults = faults  # the repository's mapping of DynamoDB's transient errors

    def due(self, now: datetime, page_size: int = PAGE_SIZE) -> Iterator[tuple[str, str]]:
        """(store, customer) of every account listed until `now` or earlier, every store's."""
        bound = format_timestamp(now) + "#\uffff"  # `<listed>#…` sorts after `<listed>` itself
        for shard in range(TIERS_SHARDS):
            request: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": INDEX,
                "KeyConditionExpression": "tiers_pk = :partition AND tiers_sk <= :bound",
                "ExpressionAttributeValues": {
                    ":partition": {"S": tiers_partition(shard)},
                    ":bound": {"S": bound},
                },
                "Limit": page_size,
            }
            while True:
                with self._faults():
                    page = self._client.query(**request)
                for item in page.get("Items", []):
                    # Neither a store id nor a customer id holds a '#'.
                    _, store_id, customer_id = item["tiers_sk"]["S"].split("#", 2)
                    yield store_id, customer_id
                if "LastEvaluatedKey" not in page:
                    break
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
