"""Expiry reminders' items: one per customer, activity and reminder day, put once. Its INSERT on the
table's stream is what EventsFunction publishes as `points.expiring_soon`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from loyalty.domain.entities import Account, format_timestamp
from loyalty.domain.rules.reminders import Reminder
from loyalty.errors import TransientFault
from loyalty.repository import items
from loyalty.repository.faults import infrastructure_faults
from loyalty.repository.keys import Item, account_key
from loyalty.repository.outcomes import AccountChanged

REMINDER_SORT_KEY = "REMINDER"
KEPT_AFTER_EXPIRY = timedelta(days=7)  # then the table's TTL deletes the item (it was told long ago)


def reminder_key(store_id: str, key: str) -> Item:
    return {"pk": {"S": f"STORE#{store_id}#REMINDER#{key}"}, "sk": {"S": REMINDER_SORT_KEY}}


def reminder_item(reminder: Reminder) -> Item:
    kept_until = reminder.points_expire_at + KEPT_AFTER_EXPIRY
    return {
        **reminder_key(reminder.store_id, reminder.key),
        **items.typed(
            {
                "store_id": reminder.store_id,
                "customer_id": reminder.customer_id,
                "last_activity_at": format_timestamp(reminder.last_activity_at),
                "days": reminder.days,
                "points": reminder.points,
                "points_expire_at": format_timestamp(reminder.points_expire_at),
                "created_at": format_timestamp(reminder.created_at),
                "expires_at": int(kept_until.timestamp()),  # TTL, epoch seconds
            }
        ),
    }


def reminder_from_item(item: Item) -> Reminder:
    return Reminder(
        store_id=item["store_id"],
        customer_id=item["customer_id"],
        last_activity_at=datetime.fromisoformat(item["last_activity_at"]),
        days=int(item["days"]),
        points=int(item["points"]),
        points_expire_at=datetime.fromisoformat(item["points_expire_at"]),
        created_at=datetime.fromisoformat(item["created_at"]),
    )


class ReminderWrites:
    """Reminders; the Repository supplies the table and the client."""

    _table: str
    _client: Any

    def remind(self, reminder: Reminder, seen: Account) -> bool:
        """Put the reminder once, while the account is still at the revision it was decided on:
        True when put; False when it was put before (a rerun); AccountChanged when the account
        moved on (its activity may have moved its expiry: decide again)."""
        try:
            with infrastructure_faults():
                self._transact(reminder, seen)
        except ClientError as error:
            reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons") or []]
            if reasons[:1] == ["ConditionalCheckFailed"]:
                raise AccountChanged() from None
            if reasons[1:2] == ["ConditionalCheckFailed"]:
                return False
            if reasons:  # a concurrent transaction on the account: the next run tries again
                raise TransientFault(f"reminder cancelled: {sorted(str(code) for code in reasons)}") from None
            raise
        return True

    def _transact(self, reminder: Reminder, seen: Account) -> None:
        self._client.transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": self._table,
                        "Key": account_key(seen.store_id, seen.customer_id),
                        "ConditionExpression": "revision = :read_revision",
                        "ExpressionAttributeValues": {":read_revision": {"N": str(seen.revision)}},
                    }
                },
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": reminder_item(reminder),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )

    @staticmethod
    def reminder_from_image(image: Item) -> Reminder | None:
        """A reminder from a stream record's image (None for any other item)."""
        plain = items.plain(image)
        return reminder_from_item(plain) if plain.get("sk") == REMINDER_SORT_KEY else None
