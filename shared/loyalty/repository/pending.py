"""The release run's reads: the open pending entries due by a moment (the sparse `Pending` index,
earliest first in each shard), and an account's open pending entries (its `Ledger` partitions,
filtered to the entries still listed in `Pending`). Query pages through LastEvaluatedKey; nothing
here scans the table.

Both read indexes, which are eventually consistent: an entry read here may be a step behind. The
release is conditioned on the account's revision and on the entry still being open, and the run
re-reads both consistently before it decides (operations/pending.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from loyalty.domain.entities import LedgerEntry, format_timestamp
from loyalty.repository import items
from loyalty.repository.keys import PENDING_SHARDS, Item, account_pk, pending_partition

INDEX = "Pending"
PAGE_SIZE = 100  # entries per Query page: a page is at most about 100 x 0.5 KB


class PendingIndex:
    """Queries for the pending entries of one table."""

    def __init__(self, table_name: str, client: Any, faults: Any) -> None:
        self._table = table_name
        self._client = client
        self._faults = faults  # the repository's mapping of DynamoDB's transient errors

    def due(self, now: datetime, page_size: int = PAGE_SIZE) -> Iterator[LedgerEntry]:
        """Every open pending entry whose `available_at` is at or before `now`, every store's,
        earliest first within each of the index's shards (the shards one after the other)."""
        # `<available_at>#…` sorts after `<available_at>` itself: the bound is the next millisecond.
        bound = format_timestamp(now) + "#\uffff"
        for shard in range(PENDING_SHARDS):
            request = {
                "IndexName": INDEX,
                "KeyConditionExpression": "pending_pk = :partition AND pending_sk <= :bound",
                "ExpressionAttributeValues": {
                    ":partition": {"S": pending_partition(shard)},
                    ":bound": {"S": bound},
                },
                "Limit": page_size,
            }
            for item in self._pages(request):
                yield items.entry_from_item(item)

    def open_entries(self, store_id: str, owners: tuple[str, ...]) -> list[LedgerEntry]:
        """The open pending entries in the ledgers of `owners` (a member and its merged files)."""
        found: list[LedgerEntry] = []
        for owner in owners:
            request = {
                "IndexName": "Ledger",
                "KeyConditionExpression": "ledger_pk = :owner",
                "FilterExpression": "attribute_exists(pending_pk)",
                "ExpressionAttributeValues": {":owner": {"S": account_pk(store_id, owner)}},
            }
            found.extend(items.entry_from_item(item) for item in self._pages(request))
        return found

    def _pages(self, query: dict[str, Any]) -> Iterator[Item]:
        request: dict[str, Any] = {"TableName": self._table, **query}
        while True:
            with self._faults():
                page = self._client.query(**request)
            for item in page.get("Items", []):
                yield items.plain(item)
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
