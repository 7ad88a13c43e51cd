"""Custom actions' limits (the Repository's, composed in): the counts an action's decision reads,
and the conditional updates that count an earning in the same transaction as its entry.

A count item lives in its account's partition (sk `ACTION#<action>` ever, `ACTION#<action>#DAY#
<date>` per UTC day): `ADD count 1` conditioned on the count being below the limit, so two racing
earnings cannot both pass it, whatever else they read (docs/decisions/actions-and-birthdays.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from loyalty.domain.entities import Account, ActionCount, Changes, LedgerEntry
from loyalty.errors import TransientFault
from loyalty.repository import items
from loyalty.repository.faults import infrastructure_faults
from loyalty.repository.keys import Item, account_key, action_count_key, entry_key


def count_update(table: str, count: ActionCount) -> Item:
    update: Item = {
        "TableName": table,
        "Key": action_count_key(count.owner.store_id, count.owner.customer_id, count.action_id, count.day),
        "UpdateExpression": "ADD #count :one",
        "ExpressionAttributeNames": {"#count": "count"},
        "ExpressionAttributeValues": {":one": {"N": "1"}},
    }
    if count.limit is not None:
        update["ConditionExpression"] = "attribute_not_exists(#count) OR #count < :limit"
        update["ExpressionAttributeValues"][":limit"] = {"N": str(count.limit)}
    return update


def transaction_actions(table: str, changes: Changes) -> Iterator[tuple[Item, ActionCount]]:
    """The counts' updates of one decision, each with what its failed condition means."""
    for count in changes.action_counts:
        yield {"Update": count_update(table, count)}, count


class ActionReads:
    """The Repository supplies the table and the client."""

    _table: str
    _client: Any

    def action_state(
        self, store_id: str, customer_id: str, action_id: str, day: str, entry_id: str
    ) -> tuple[Account | None, LedgerEntry | None, int, int]:
        """In one consistent BatchGetItem: the account, the action's entry if it was counted
        before, and the customer's counts of the action ever and on `day` (0 when never)."""
        keys = {
            "account": account_key(store_id, customer_id),
            "entry": entry_key(store_id, entry_id),
            "ever": action_count_key(store_id, customer_id, action_id, None),
            "day": action_count_key(store_id, customer_id, action_id, day),
        }
        found = self._by_key(list(keys.values()))

        def get(name: str) -> Item | None:
            key = keys[name]
            return found.get((key["pk"]["S"], key["sk"]["S"]))

        account, entry, ever, today = get("account"), get("entry"), get("ever"), get("day")
        return (
            items.account_from_item(account) if account else None,
            items.entry_from_item(entry) if entry else None,
            int(ever.get("count", 0)) if ever else 0,
            int(today.get("count", 0)) if today else 0,
        )

    def _by_key(self, keys: list[Item]) -> dict[tuple[str, str], Item]:
        """Items by (pk, sk): several of these share a partition key."""
        found: dict[tuple[str, str], Item] = {}
        request: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}}
        for _ in range(5):
            with infrastructure_faults():
                answer = self._client.batch_get_item(RequestItems=request)
            for item in answer.get("Responses", {}).get(self._table, []):
                plain = items.plain(item)
                found[(str(plain["pk"]), str(plain["sk"]))] = plain
            request = answer.get("UnprocessedKeys") or {}
            if not request:
                return found
        raise TransientFault("DynamoDB left keys unprocessed")
