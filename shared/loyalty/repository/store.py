"""The DynamoDB repository: the only code that reads and writes the table (keys in keys.py,
item shapes in items.py).

Every event's writes are one TransactWriteItems. A ledger entry is keyed by its business key
(`order:<id>`, `merge_in:<guest>`, …) and put with `attribute_not_exists`, so the second write of
the same event fails that condition: that is how every event is applied once, with no TTL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, cast

from botocore.exceptions import ClientError

from loyalty.domain.entities import (
    Account,
    ActionCount,
    Changes,
    Coupon,
    CustomerStatus,
    EmailClaim,
    IdempotencyRecord,
    LedgerEntry,
    Totals,
)
from loyalty.domain.program import Program
from loyalty.errors import TransientFault
from loyalty.repository import actions as actions_module
from loyalty.repository import items, pending_writes, reward_items, webhooks
from loyalty.repository.actions import ActionReads
from loyalty.repository.activity import ActivityCounters
from loyalty.repository.birthdays import BirthdaysIndex
from loyalty.repository.expiry import ExpiryIndex
from loyalty.repository.faults import infrastructure_faults as _infrastructure_faults
from loyalty.repository.imports import ImportRecords
from loyalty.repository.keys import (
    CUSTOMER_SHARDS,
    TOTALS_SHARDS,
    Item,
    account_key,
    account_pk,
    applied_key,
    claim_key,
    customers_partition,
    entry_key,
    idempotency_key,
    program_key,
    shard_of,
    totals_key,
)
from loyalty.repository.outcomes import AccountChanged, AlreadyApplied, EmailTaken, EntryExists, LimitReached
from loyalty.repository.pages import Filter, Partition, merged_page
from loyalty.repository.pending import PendingIndex
from loyalty.repository.privacy import PrivacyStore
from loyalty.repository.reminders import ReminderWrites
from loyalty.repository.rewards import RewardReads
from loyalty.repository.tiers import TiersIndex
from loyalty.repository.webhooks import WebhookStore

APPLIED_MARKER_DAYS = 7  # longer than a stream record lives (24 h), so a replay always finds it


_Meaning = LedgerEntry | EmailClaim | IdempotencyRecord | ActionCount | None


class Repository(
    ActivityCounters, RewardReads, PrivacyStore, ImportRecords, ReminderWrites, WebhookStore, ActionReads
):
    """Reads and writes accounts, ledger entries, claims, programs and totals of one table (the
    dashboard's per-day counters: repository/activity.py; the rewards catalog's and coupons'
    reads: repository/rewards.py; privacy's: repository/privacy.py; imports' and exports' records:
    repository/imports.py; expiry reminders: repository/reminders.py; webhook endpoints:
    repository/webhooks.py; custom actions' counts: repository/actions.py)."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client
        self.expiry = ExpiryIndex(table_name, client, _infrastructure_faults)
        self.pending = PendingIndex(table_name, client, _infrastructure_faults)
        self.tiers = TiersIndex(table_name, client, _infrastructure_faults)
        self.birthdays = BirthdaysIndex(table_name, client, _infrastructure_faults)

    # Reads -----------------------------------------------------------------------------------

    def get_account(self, store_id: str, customer_id: str) -> Account | None:
        item = self._get(account_key(store_id, customer_id))
        return items.account_from_item(item) if item else None

    def get_account_and_program(
        self, store_id: str, customer_id: str
    ) -> tuple[Account | None, Program | None]:
        """Both in one round trip (BatchGetItem, consistent), for an order with a cold program cache."""
        keys = [account_key(store_id, customer_id), program_key(store_id)]
        found = self._batch_get(keys)
        account = found.get(keys[0]["pk"]["S"])
        program = found.get(keys[1]["pk"]["S"])
        return (
            items.account_from_item(account) if account else None,
            items.program_from_item(program) if program else None,
        )

    def get_accounts(self, store_id: str, *customer_ids: str) -> dict[str, Account]:
        """Several accounts in one round trip (BatchGetItem, consistent), by customer id."""
        found = self._batch_get(
            [account_key(store_id, customer_id) for customer_id in dict.fromkeys(customer_ids)]
        )
        accounts = (items.account_from_item(item) for item in found.values())
        return {account.customer_id: account for account in accounts}

    def get_entry(self, store_id: str, entry_id: str) -> LedgerEntry | None:
        item = self._get(entry_key(store_id, entry_id))
        return items.entry_from_item(item) if item else None

    def get_program(self, store_id: str) -> Program | None:
        item = self._get(program_key(store_id))
        return items.program_from_item(item) if item else None

    def get_idempotency(self, store_id: str, key: str) -> IdempotencyRecord | None:
        item = self._get(idempotency_key(store_id, key))
        return items.idempotency_from_item(item) if item else None

    def totals(self, store_id: str) -> Totals:
        """The sum of a store's totals shards: one BatchGetItem, whatever the store's size."""
        found = self._batch_get([totals_key(store_id, shard) for shard in range(TOTALS_SHARDS)])
        total = Totals()
        for item in found.values():
            total = total + items.totals_from_item(item)
        return total

    def ledger(self, store_id: str, customer_id: str) -> Iterator[LedgerEntry]:
        """A customer's own ledger entries, oldest first (the index is eventually consistent)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "Ledger",
            "KeyConditionExpression": "ledger_pk = :owner",
            "ExpressionAttributeValues": {":owner": {"S": account_pk(store_id, customer_id)}},
        }
        while True:
            with _infrastructure_faults():
                page = self._client.query(**request)
            for item in page.get("Items", []):
                yield items.entry_from_item(items.plain(item))
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def ledger_page(
        self, store_id: str, owners: tuple[str, ...], limit: int, cursor: str | None
    ) -> tuple[list[LedgerEntry], str | None]:
        """Newest first, across the ledgers of `owners` (a member and the files merged into it)."""
        partitions = [
            Partition("Ledger", "ledger_pk", "ledger_sk", account_pk(store_id, owner)) for owner in owners
        ]
        with _infrastructure_faults():
            found, next_cursor = merged_page(self._client, self._table, partitions, limit, cursor)
        return [items.entry_from_item(items.plain(item)) for item in found], next_cursor

    def customers_page(
        self, store_id: str, status: CustomerStatus, search: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Account], str | None]:
        """A status's customers, newest activity first; `search` is a lower-cased prefix of the
        email, the first or last name, or the full name."""
        partitions = [
            Partition(
                "Customers",
                "customers_pk",
                "customers_sk",
                customers_partition(store_id, status.value, shard),
            )
            for shard in range(CUSTOMER_SHARDS)
        ]
        matching = None
        if search:
            names = ("search_email", "search_first", "search_last", "search_name")
            matching = Filter(
                expression=" OR ".join(f"begins_with({name}, :prefix)" for name in names),
                names={},
                values={":prefix": {"S": search.lower()}},
            )
        with _infrastructure_faults():
            found, next_cursor = merged_page(self._client, self._table, partitions, limit, cursor, matching)
        return [items.account_from_item(items.plain(item)) for item in found], next_cursor

    def claims(self, store_id: str) -> Iterator[EmailClaim]:
        """Every email claim of a store, by a scan: for operators' tools and tests only."""
        for item in self._scan_prefix(f"STORE#{store_id}#EMAIL#", "EMAIL"):
            yield items.claim_from_item(item)

    def accounts(self, store_id: str) -> Iterator[tuple[Account, int]]:
        """Every account of a store with the balance as stored, by a scan: for operators' tools
        (reconcile) and tests only, never on a request path."""
        for item in self._scan_prefix(f"STORE#{store_id}#CUSTOMER#", "ACCOUNT"):
            yield items.account_from_item(item), int(item["balance"])

    # Writes ----------------------------------------------------------------------------------

    def commit(self, changes: Changes) -> None:
        """Write every change in one transaction, or nothing.

        Raises EntryExists (the event was applied before), EmailTaken, or AccountChanged (a
        concurrent writer got there first, or the idempotency key was used meanwhile: re-read).
        """
        actions: list[Item] = []
        # What a failed condition on each action means, in the order of the actions.
        meanings: list[_Meaning] = []
        for entry in changes.entries:
            actions.append({"Put": self._entry_put(entry)})
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
        for reversal in changes.reversals:
            actions.append({"Update": pending_writes.reversal_update(self._table, reversal)})
            meanings.append(None)
        for closed in changes.closed:
            actions.append({"Update": pending_writes.close_pending(self._table, closed)})
            meanings.append(None)
        if changes.program is not None:
            update = changes.program
            actions.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": items.program_item(update.store_id, update.settings, update.updated_at),
                    }
                }
            )
            meanings.append(None)
        for action, meaning in reward_items.transaction_actions(self._table, changes):
            actions.append(action)
            meanings.append(meaning)
        for action, meaning in webhooks.transaction_actions(self._table, changes):
            actions.append(action)
            meanings.append(meaning)
        for action, count in actions_module.transaction_actions(self._table, changes):
            actions.append(action)
            meanings.append(count)
        if changes.idempotency is not None:
            record = changes.idempotency
            actions.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": items.idempotency_item(record),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
            meanings.append(record)
        try:
            with _infrastructure_faults():
                self._client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            raise self._rejection(error, meanings) from None

    def add_to_totals(self, store_id: str, customer_id: str, revision: int, delta: Totals) -> None:
        """Add one account change's delta to a totals shard, once: the change's marker (customer,
        revision) is put in the same transaction, so a stream record seen twice counts once."""
        expires = int(time.time()) + APPLIED_MARKER_DAYS * 86400  # TTL takes epoch seconds
        names = {f"#{name}": name for name in items.TOTALS_FIELDS}
        values = {f":{name}": {"N": str(getattr(delta, name))} for name in items.TOTALS_FIELDS}
        actions = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {
                        **applied_key(store_id, customer_id, revision),
                        "expires_at": {"N": str(expires)},
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": totals_key(store_id, shard_of(customer_id, TOTALS_SHARDS)),
                    "UpdateExpression": "ADD "
                    + ", ".join(f"#{name} :{name}" for name in items.TOTALS_FIELDS),
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            },
        ]
        try:
            with _infrastructure_faults():
                self._client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            reasons = error.response.get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                raise AlreadyApplied from None
            raise self._rejection(error, [None, None]) from None

    # Helpers ---------------------------------------------------------------------------------

    @staticmethod
    def account_from_image(image: Item) -> Account | None:
        """An account from a stream record's image (None for any other item)."""
        plain = items.plain(image)
        return items.account_from_item(plain) if items.is_account(plain) else None

    @staticmethod
    def coupon_from_image(image: Item) -> Coupon | None:
        """A coupon from a stream record's image (None for any other item)."""
        plain = items.plain(image)
        return reward_items.coupon_from_item(plain) if plain.get("sk") == "COUPON" else None

    def _rejection(self, error: ClientError, meanings: list[_Meaning]) -> Exception:
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
                    return EntryExists(items.entry_from_item(items.plain(reason["Item"])))
                existing = self.get_entry(meaning.store_id, meaning.entry_id)
                return EntryExists(existing) if existing else AccountChanged()
        for meaning, _ in failed:
            if isinstance(meaning, EmailClaim):
                return EmailTaken(meaning)
        for meaning, _ in failed:  # an action's count only grows: at its limit now, it stays there
            if isinstance(meaning, ActionCount):
                return LimitReached(meaning.action_id)
        codes = {reason.get("Code") for reason in reasons}
        if failed or "TransactionConflict" in codes:
            return AccountChanged()
        if codes & {"ThrottlingError", "ProvisionedThroughputExceeded"}:
            return TransientFault("DynamoDB throttled the transaction")
        if "ValidationError" in codes or not codes:  # a malformed request is a bug, not a transient fault
            return cast(Exception, error)
        return TransientFault(f"transaction cancelled: {sorted(str(code) for code in codes)}")

    def _entry_put(self, entry: LedgerEntry) -> Item:
        return {
            "TableName": self._table,
            "Item": items.entry_item(entry),
            "ConditionExpression": "attribute_not_exists(pk)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

    def _account_put(self, before: Account | None, after: Account) -> Item:
        put: Item = {"TableName": self._table, "Item": items.account_item(after)}
        if before is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "revision = :read_revision"
            put["ExpressionAttributeValues"] = {":read_revision": {"N": str(before.revision)}}
        return put

    def _claim_put(self, claim: EmailClaim) -> Item:
        return {
            "TableName": self._table,
            "Item": items.claim_item(claim),
            "ConditionExpression": "attribute_not_exists(pk) OR customer_id = :me",
            "ExpressionAttributeValues": {":me": {"S": claim.customer_id}},
        }

    def _claim_delete(self, claim: EmailClaim) -> Item:
        return {
            "TableName": self._table,
            "Key": claim_key(claim.store_id, claim.email_key),
            "ConditionExpression": "attribute_not_exists(pk) OR customer_id = :me",
            "ExpressionAttributeValues": {":me": {"S": claim.customer_id}},
        }

    def _get(self, key: Item) -> Item | None:
        with _infrastructure_faults():
            answer = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True)
        item = answer.get("Item")
        return items.plain(item) if item else None

    def _batch_get(self, keys: list[Item]) -> dict[str, Item]:
        """Items by pk; unprocessed keys (throttling) are asked again a bounded number of times."""
        found: dict[str, Item] = {}
        request: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}}
        for _ in range(5):
            with _infrastructure_faults():
                answer = self._client.batch_get_item(RequestItems=request)
            for item in answer.get("Responses", {}).get(self._table, []):
                plain = items.plain(item)
                found[str(plain["pk"])] = plain
            request = answer.get("UnprocessedKeys") or {}
            if not request:
                return found
        raise TransientFault("DynamoDB left keys unprocessed")

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
                yield items.plain(item)
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
