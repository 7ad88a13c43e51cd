"""The dashboard's per-day counters (the Repository's, composed in): added to from the stream,
once per ledger entry, and read by a Query per shard on a range of days."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from loyalty.domain.entities import DayActivity, LedgerEntry
from loyalty.repository import items
from loyalty.repository.faults import infrastructure_faults
from loyalty.repository.keys import ACTIVITY_SHARDS, activity_pk, activity_sk, counted_key, shard_of
from loyalty.repository.outcomes import AlreadyApplied

ACTIVITY_FIELDS = ("earned", "adjusted", "redeemed", "expired", "reversed")
COUNTED_MARKER_DAYS = 7  # longer than a stream record lives (24 h), so a replay always finds it


class ActivityCounters:
    """Per-day counters; the Repository supplies the table and the client."""

    _table: str
    _client: Any

    def add_to_activity(
        self, store_id: str, customer_id: str, entry_id: str, day: date, delta: DayActivity
    ) -> None:
        """Add one ledger entry's share to its day, once: the entry's marker is put in the same
        transaction, so a stream record delivered twice counts once (AlreadyApplied)."""
        expires = int(time.time()) + COUNTED_MARKER_DAYS * 86400  # TTL takes epoch seconds
        changed = [name for name in ACTIVITY_FIELDS if getattr(delta, name)]
        actions = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {**counted_key(store_id, entry_id), "expires_at": {"N": str(expires)}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": {
                        "pk": {"S": activity_pk(store_id, shard_of(customer_id, ACTIVITY_SHARDS))},
                        "sk": {"S": activity_sk(day.isoformat())},
                    },
                    "UpdateExpression": "SET #day = :day ADD "
                    + ", ".join(f"#{name} :{name}" for name in changed),
                    "ExpressionAttributeNames": {"#day": "day", **{f"#{name}": name for name in changed}},
                    "ExpressionAttributeValues": {
                        ":day": {"S": day.isoformat()},
                        **{f":{name}": {"N": str(getattr(delta, name))} for name in changed},
                    },
                }
            },
        ]
        try:
            with infrastructure_faults():
                self._client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            reasons = error.response.get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                raise AlreadyApplied from None
            raise

    @staticmethod
    def entry_from_image(image: dict[str, Any]) -> LedgerEntry | None:
        """A ledger entry from a stream record's image (None for any other item)."""
        plain = items.plain(image)
        return items.entry_from_item(plain) if plain.get("sk") == "ENTRY" else None

    def activity(self, store_id: str, first: date, last: date) -> dict[date, DayActivity]:
        """The counted days of a range (days with nothing are absent): one Query per shard on the
        sort key, at most 366 small items each, whatever the store's size."""
        days: dict[date, DayActivity] = {}
        for shard in range(ACTIVITY_SHARDS):
            request: dict[str, Any] = {
                "TableName": self._table,
                "ConsistentRead": True,
                "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
                "ExpressionAttributeValues": {
                    ":pk": {"S": activity_pk(store_id, shard)},
                    ":first": {"S": activity_sk(first.isoformat())},
                    ":last": {"S": activity_sk(last.isoformat())},
                },
            }
            while True:
                with infrastructure_faults():
                    answer = self._client.query(**request)
                for raw in answer.get("Items", []):
                    item = items.plain(raw)
                    day = date.fromisoformat(str(item["day"]))
                    counted = DayActivity(**{name: int(item.get(name, 0)) for name in ACTIVITY_FIELDS})
                    days[day] = days.get(day, DayActivity()) + counted
                if "LastEvaluatedKey" not in answer:
                    break
                request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
        return days
