"""The DynamoDB repository: the only code that knows the table's keys, items and expressions.

One table holds every record of every store:

| item         | pk                             | sk      |
| ------------ | ------------------------------ | ------- |
| account      | STORE#<store>#CUSTOMER#<id>    | ACCOUNT |
| ledger entry | STORE#<store>#ENTRY#<entry id> | ENTRY   |
| email claim  | STORE#<store>#EMAIL#<email>    | EMAIL   |

Ledger entries also carry the `Ledger` index's keys: ledger_pk = STORE#<store>#CUSTOMER#<id>
(the account they belong to) and ledger_sk = <created_at>#<entry id> (time order).

A ledger entry is keyed by its business key (`order:<order id>`, …), so a second write of the
same order fails its condition: that is how every event is applied once, with no TTL.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from loyalty.entities import (
    Account,
    Changes,
    CustomerStatus,
    EmailClaim,
    EntryType,
    LedgerEntry,
    Points,
    format_timestamp,
)
from loyalty.errors import TransientFault

Item = dict[str, Any]
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

# Errors after which the platform's redelivery will succeed: answered 503, never 4xx.
_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
        "LimitExceededException",
    }
)


class WriteRejected(Exception):
    """A transaction's condition failed; the subclass says which one."""


class EntryExists(WriteRejected):
    def __init__(self, entry: LedgerEntry) -> None:
        super().__init__(entry.entry_id)
        self.entry = entry


class AccountChanged(WriteRejected):
    """Another writer changed an account since it was read (or created it first): re-read."""


class EmailTaken(WriteRejected):
    def __init__(self, claim: EmailClaim) -> None:
        super().__init__(claim.email_key)
        self.claim = claim


def account_key(store_id: str, customer_id: str) -> Item:
    return {"pk": {"S": f"STORE#{store_id}#CUSTOMER#{customer_id}"}, "sk": {"S": "ACCOUNT"}}


def entry_key(store_id: str, entry_id: str) -> Item:
    return {"pk": {"S": f"STORE#{store_id}#ENTRY#{entry_id}"}, "sk": {"S": "ENTRY"}}


def claim_key(store_id: str, email_key: str) -> Item:
    return {"pk": {"S": f"STORE#{store_id}#EMAIL#{email_key}"}, "sk": {"S": "EMAIL"}}


class Repository:
    """Reads and writes accounts, ledger entries and email claims of one table."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    # Reads -----------------------------------------------------------------------------------

    def get_account(self, store_id: str, customer_id: str) -> Account | None:
        item = self._get(account_key(store_id, customer_id))
        return _account_from_item(item) if item else None

    def get_entry(self, store_id: str, entry_id: str) -> LedgerEntry | None:
        item = self._get(entry_key(store_id, entry_id))
        return _entry_from_item(item) if item else None

    def get_claim(self, store_id: str, email_key: str) -> EmailClaim | None:
        item = self._get(claim_key(store_id, email_key))
        return _claim_from_item(item) if item else None

    def ledger(self, store_id: str, customer_id: str) -> Iterator[LedgerEntry]:
        """A customer's own ledger entries, oldest first (the index is eventually consistent)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "Ledger",
            "KeyConditionExpression": "ledger_pk = :owner",
            "ExpressionAttributeValues": {":owner": {"S": f"STORE#{store_id}#CUSTOMER#{customer_id}"}},
        }
        while True:
            with _infrastructure_faults():
                page = self._client.query(**request)
            for item in page.get("Items", []):
                yield _entry_from_item(_plain(item))
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def claims(self, store_id: str) -> Iterator[EmailClaim]:
        """Every email claim of a store, by a scan: for operators' tools and tests only."""
        for item in self._scan_prefix(f"STORE#{store_id}#EMAIL#", "EMAIL"):
            yield _claim_from_item(item)

    def accounts(self, store_id: str) -> Iterator[tuple[Account, int]]:
        """Every account of a store with the balance as stored, by a scan: for operators' tools
        (reconcile) and tests only, never on a request path."""
        for item in self._scan_prefix(f"STORE#{store_id}#CUSTOMER#", "ACCOUNT"):
            yield _account_from_item(item), int(item["balance"])

    def _scan_prefix(self, prefix: str, sort_key: str) -> Iterator[Item]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "ConsistentRead": True,
            "FilterExpression": "begins_with(pk, :prefix) AND sk = :sk",
            "ExpressionAttributeValues": {":prefix": {"S": prefix}, ":sk": {"S": sort_key}},
        }
        while True:
            with _infrastructure_faults():
                page = self._client.scan(**request)
            for item in page.get("Items", []):
                yield _plain(item)
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # Writes ----------------------------------------------------------------------------------

    def commit(self, changes: Changes) -> None:
        """Write every change in one transaction, or nothing.

        Raises EntryExists (the event was applied before), EmailTaken, or AccountChanged (a
        concurrent writer got there first: re-read and decide again).
        """
        actions: list[Item] = []
        # What a failed condition on each action means, in the order of the actions.
        meanings: list[LedgerEntry | EmailClaim | None] = []
        for entry in changes.entries:
            actions.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": _entry_item(entry),
                        "ConditionExpression": "attribute_not_exists(pk)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                }
            )
            meanings.append(entry)
        for before, after in changes.accounts:
            actions.append({"Put": self._account_put(before, after)})
            meanings.append(None)
        for claim in changes.claims:
            actions.append({"Put": self._claim_put(claim)})
            meanings.append(claim)
        for claim in changes.released_claims:
            actions.append({"Delete": self._claim_delete(claim)})
            meanings.append(None)
        try:
            with _infrastructure_faults():
                self._client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            raise self._rejection(error, meanings) from None

    def _rejection(self, error: ClientError, meanings: list[LedgerEntry | EmailClaim | None]) -> Exception:
        """Name the condition that cancelled a transaction, from its cancellation reasons."""
        reasons = error.response.get("CancellationReasons") or []
        failed = [
            (meaning, reason)
            for meaning, reason in zip(meanings, reasons, strict=False)
            if reason.get("Code") == "ConditionalCheckFailed"
        ]
        for meaning, reason in failed:  # an entry already written decides: applied before
            if isinstance(meaning, LedgerEntry):
                if reason.get("Item"):
                    return EntryExists(_entry_from_item(_plain(reason["Item"])))
                existing = self.get_entry(meaning.store_id, meaning.entry_id)
                return EntryExists(existing) if existing else AccountChanged()
        for meaning, _ in failed:
            if isinstance(meaning, EmailClaim):
                return EmailTaken(meaning)
        codes = {reason.get("Code") for reason in reasons}
        if failed or "TransactionConflict" in codes:
            return AccountChanged()
        if codes & {"ThrottlingError", "ProvisionedThroughputExceeded"}:
            return TransientFault("DynamoDB throttled the transaction")
        if "ValidationError" in codes:  # a malformed request is a bug, not a transient fault
            return cast(Exception, error)
        return TransientFault(f"transaction cancelled: {sorted(str(code) for code in codes)}")

    def _account_put(self, before: Account | None, after: Account) -> Item:
        put: Item = {"TableName": self._table, "Item": _account_item(after)}
        if before is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "revision = :read_revision"
            put["ExpressionAttributeValues"] = {":read_revision": {"N": str(before.revision)}}
        return put

    def _claim_put(self, claim: EmailClaim) -> Item:
        return {
            "TableName": self._table,
            "Item": _claim_item(claim),
            "ConditionExpression": "attribute_not_exists(pk) OR customer_id = :me",
            "ExpressionAttributeValues": {":me": {"S": claim.customer_id}},
        }

    def _claim_delete(self, claim: EmailClaim) -> Item:
        return {
            "TableName": self._table,
            "Key": claim_key(claim.store_id, claim.email_key),
            "ConditionExpression": "customer_id = :me",
            "ExpressionAttributeValues": {":me": {"S": claim.customer_id}},
        }

    def _get(self, key: Item) -> Item | None:
        with _infrastructure_faults():
            answer = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True)
        item = answer.get("Item")
        return _plain(item) if item else None


@contextmanager
def _infrastructure_faults() -> Iterator[None]:
    """Turn DynamoDB's transient failures into TransientFault (answered 503, redelivered)."""
    try:
        yield
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in _TRANSIENT_CODES:
            raise TransientFault(f"DynamoDB answered {code}") from error
        raise
    except BotoCoreError as error:
        raise TransientFault(f"DynamoDB unreachable: {type(error).__name__}") from error


# Items ----------------------------------------------------------------------------------------


def _plain(item: Mapping[str, Any]) -> Item:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def _typed(values: Mapping[str, Any]) -> Item:
    return {name: _serializer.serialize(value) for name, value in values.items() if value is not None}


def _account_item(account: Account) -> Item:
    points = account.points
    return {
        **account_key(account.store_id, account.customer_id),
        **_typed(
            {
                "store_id": account.store_id,
                "customer_id": account.customer_id,
                "status": account.status.value,
                "balance": points.balance,
                "earned": points.earned,
                "adjusted": points.adjusted,
                "redeemed": points.redeemed,
                "revision": account.revision,
                "created_at": format_timestamp(account.created_at),
                "updated_at": format_timestamp(account.updated_at),
                "last_activity_at": format_timestamp(account.last_activity_at),
                "email": account.email,
                "first_name": account.first_name,
                "last_name": account.last_name,
                "tags": list(account.tags) or None,
                "merged_into": account.merged_into,
                "merged_customer_ids": list(account.merged_customer_ids) or None,
                "status_before_exclusion": (
                    account.status_before_exclusion.value if account.status_before_exclusion else None
                ),
            }
        ),
    }


def _account_from_item(item: Item) -> Account:
    previous = item.get("status_before_exclusion")
    return Account(
        store_id=item["store_id"],
        customer_id=item["customer_id"],
        status=CustomerStatus(item["status"]),
        points=Points(
            earned=int(item["earned"]),
            adjusted=int(item["adjusted"]),
            redeemed=int(item["redeemed"]),
        ),
        revision=int(item["revision"]),
        created_at=_timestamp(item["created_at"]),
        updated_at=_timestamp(item["updated_at"]),
        last_activity_at=_timestamp(item["last_activity_at"]),
        email=item.get("email"),
        first_name=item.get("first_name"),
        last_name=item.get("last_name"),
        tags=tuple(item.get("tags", ())),
        merged_into=item.get("merged_into"),
        merged_customer_ids=tuple(item.get("merged_customer_ids", ())),
        status_before_exclusion=CustomerStatus(previous) if previous else None,
    )


def _entry_item(entry: LedgerEntry) -> Item:
    created_at = format_timestamp(entry.created_at)
    return {
        **entry_key(entry.store_id, entry.entry_id),
        **_typed(
            {
                "ledger_pk": f"STORE#{entry.store_id}#CUSTOMER#{entry.customer_id}",
                "ledger_sk": f"{created_at}#{entry.entry_id}",
                "store_id": entry.store_id,
                "entry_id": entry.entry_id,
                "customer_id": entry.customer_id,
                "type": entry.type.value,
                "points": entry.points,
                "balance_after": entry.balance_after,
                "created_at": created_at,
                "event_id": entry.event_id,
                "reason": entry.reason,
                "order_id": entry.order_id,
                "amount": str(entry.amount) if entry.amount is not None else None,
                "currency": entry.currency,
                "shortfall": entry.shortfall,
                "counterpart_customer_id": entry.counterpart_customer_id,
                "addressed_customer_id": entry.addressed_customer_id,
            }
        ),
    }


def _entry_from_item(item: Item) -> LedgerEntry:
    shortfall = item.get("shortfall")
    return LedgerEntry(
        store_id=item["store_id"],
        entry_id=item["entry_id"],
        customer_id=item["customer_id"],
        type=EntryType(item["type"]),
        points=int(item["points"]),
        balance_after=int(item["balance_after"]),
        created_at=_timestamp(item["created_at"]),
        event_id=item["event_id"],
        reason=item.get("reason"),
        order_id=item.get("order_id"),
        amount=Decimal(item["amount"]) if "amount" in item else None,
        currency=item.get("currency"),
        shortfall=int(shortfall) if shortfall is not None else None,
        counterpart_customer_id=item.get("counterpart_customer_id"),
        addressed_customer_id=item.get("addressed_customer_id"),
    )


def _claim_item(claim: EmailClaim) -> Item:
    return {
        **claim_key(claim.store_id, claim.email_key),
        **_typed({"store_id": claim.store_id, "email": claim.email_key, "customer_id": claim.customer_id}),
    }


def _claim_from_item(item: Item) -> EmailClaim:
    return EmailClaim(item["store_id"], item["email"], item["customer_id"])


def _timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text)
