"""The expiry run's reads, on the sparse `Expiry` index (keys.py): the stores whose program has
expiry on, and a store's accounts last active before a bound, oldest first. Both are Query pages
followed through LastEvaluatedKey; nothing here scans the table.

The index is eventually consistent: an account read here may be a revision behind. That is safe
because the run's write is conditioned on the revision it read (Repository.commit), and a
condition that fails is decided again on a consistent read.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from loyalty.domain.entities import Account, format_timestamp
from loyalty.domain.program import Program
from loyalty.repository import items
from loyalty.repository.keys import CUSTOMER_SHARDS, EXPIRY_PROGRAMS_PARTITION, Item, expiring_partition

INDEX = "Expiry"
PAGE_SIZE = 100  # accounts per Query page: a page is at most about 100 x 1 KB (25 read units)


class ExpiryIndex:
    """Queries on the Expiry index of one table."""

    def __init__(self, table_name: str, client: Any, faults: Any) -> None:
        self._table = table_name
        self._client = client
        self._faults = faults  # the repository's mapping of DynamoDB's transient errors

    def stores(self) -> Iterator[tuple[str, Program]]:
        """Every store whose program has expiry on, with that program (one small partition)."""
        for item in self._pages(
            "expiry_pk = :programs", {":programs": {"S": EXPIRY_PROGRAMS_PARTITION}}, PAGE_SIZE
        ):
            yield str(item["store_id"]), items.program_from_item(item)

    def dormant(self, store_id: str, before: datetime, page_size: int = PAGE_SIZE) -> Iterator[Account]:
        """A store's accounts with points whose last activity is before `before`, oldest first
        within each of the index's shards (the shards one after the other)."""
        bound = format_timestamp(before)
        for shard in range(CUSTOMER_SHARDS):
            values = {":partition": {"S": expiring_partition(store_id, shard)}, ":bound": {"S": bound}}
            for item in self._pages("expiry_pk = :partition AND expiry_sk < :bound", values, page_size):
                yield items.account_from_item(item)

    def _pages(self, condition: str, values: dict[str, Any], page_size: int) -> Iterator[Item]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "Limit": page_size,
        }
        while True:
            with self._faults():
                page = self._client.query(**request)
            for item in page.get("Items", []):
                yield items.plain(item)
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
