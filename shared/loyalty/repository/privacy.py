"""Privacy's reads and writes (the Repository's, composed in): data requests, what a customer's
erasure rewrites (ledger reasons, idempotency answers), and the keys of everything a store holds,
for a shop's erasure. Every item is found through keys and indexes, never a scan."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from loyalty.domain.entities import Account, Coupon, CustomerStatus, DataRequest, IdempotencyRecord
from loyalty.errors import TransientFault
from loyalty.repository import items
from loyalty.repository.faults import infrastructure_faults
from loyalty.repository.keys import (
    ACTIVITY_SHARDS,
    CUSTOMER_SHARDS,
    TOTALS_SHARDS,
    Item,
    account_key,
    account_pk,
    activity_pk,
    applied_key,
    claim_key,
    counted_key,
    coupon_key,
    customers_partition,
    data_requests_partition,
    idempotency_key,
    idempotency_partition,
    program_key,
    rewards_pk,
    totals_key,
)
from loyalty.repository.pages import Partition, merged_page
from loyalty.repository.reward_items import coupon_from_item

BATCH_WRITE_LIMIT = 25  # DynamoDB's BatchWriteItem takes at most 25 requests
_LISTED = (CustomerStatus.MEMBER, CustomerStatus.CANDIDATE, CustomerStatus.EXCLUDED)


class PrivacyStore:
    """The Repository supplies the table, the client and its batch read."""

    _table: str
    _client: Any

    def _batch_get(self, keys: list[Item]) -> dict[str, Item]:  # pragma: no cover - the Repository's
        raise NotImplementedError

    # Data requests ---------------------------------------------------------------------------

    def record_data_request(self, request: DataRequest) -> bool:
        """Put a data request once per id: False when it was recorded before (a redelivery)."""
        try:
            with infrastructure_faults():
                self._client.put_item(
                    TableName=self._table,
                    Item=items.data_request_item(request),
                    ConditionExpression="attribute_not_exists(pk)",
                )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def data_requests_page(
        self, store_id: str, limit: int, cursor: str | None
    ) -> tuple[list[DataRequest], str | None]:
        """Newest first: one partition of the Customers index."""
        partition = Partition("Customers", "customers_pk", "customers_sk", data_requests_partition(store_id))
        with infrastructure_faults():
            found, next_cursor = merged_page(self._client, self._table, [partition], limit, cursor)
        return [items.data_request_from_item(items.plain(item)) for item in found], next_cursor

    # A customer's erasure --------------------------------------------------------------------

    def remove_entry_reasons(self, store_id: str, customer_id: str) -> int:
        """Remove the free-text reason of every ledger entry of `customer_id`, page by page; each
        entry is its own small write, so a repeat (a resumed erasure) does only what is left."""
        removed = 0
        for key in self._keys(
            "Ledger", "ledger_pk", account_pk(store_id, customer_id), "attribute_exists(reason)"
        ):
            try:
                with infrastructure_faults():
                    self._client.update_item(
                        TableName=self._table,
                        Key=key,
                        UpdateExpression="REMOVE reason",
                        ConditionExpression="attribute_exists(pk)",
                    )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
                continue  # deleted meanwhile (a shop's erasure): nothing left to remove
            removed += 1
        return removed

    def idempotency_records(self, store_id: str, customer_id: str | None) -> Iterator[IdempotencyRecord]:
        """The idempotency records of a customer's requests (None: the store-wide ones)."""
        for item in self._query(
            "Customers", "customers_pk", idempotency_partition(store_id, customer_id), keys_only=False
        ):
            yield items.idempotency_from_item(item)

    def replace_idempotency_body(self, record: IdempotencyRecord, body: str) -> None:
        """Keep the record (a repeat of its key still replays, and writes nothing twice) with an
        answer that no longer holds personal data."""
        try:
            with infrastructure_faults():
                self._client.update_item(
                    TableName=self._table,
                    Key=idempotency_key(record.store_id, record.key),
                    UpdateExpression="SET body = :body",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues={":body": {"S": body}},
                )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise

    def coupons(self, store_id: str, codes: list[str]) -> list[Coupon]:
        found: list[Coupon] = []
        unique = list(dict.fromkeys(codes))
        for start in range(0, len(unique), 100):  # BatchGetItem reads at most 100 keys
            batch = self._batch_get([coupon_key(store_id, code) for code in unique[start : start + 100]])
            found.extend(coupon_from_item(item) for item in batch.values())
        return sorted(found, key=lambda coupon: coupon.issued_at)

    # A shop's erasure ------------------------------------------------------------------------

    def store_accounts_page(
        self, store_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Account], str | None]:
        """The store's listed accounts (every status's shards of the Customers index), a page at a
        time; merged files are reached through their member's `merged_customer_ids`."""
        partitions = [
            Partition(
                "Customers",
                "customers_pk",
                "customers_sk",
                customers_partition(store_id, status.value, shard),
            )
            for status in _LISTED
            for shard in range(CUSTOMER_SHARDS)
        ]
        with infrastructure_faults():
            found, next_cursor = merged_page(self._client, self._table, partitions, limit, cursor)
        return [items.account_from_item(items.plain(item)) for item in found], next_cursor

    def customer_keys(self, account: Account) -> list[Item]:
        """Every item one customer file owns: its ledger entries with their counted markers and
        coupons, its totals markers (one per revision), its idempotency records, its email claim,
        its actions' counts, and the account itself, last (a resumed erasure finds the account again
        and goes on)."""
        store_id, customer_id = account.store_id, account.customer_id
        keys: list[Item] = []
        for entry in self._query("Ledger", "ledger_pk", account_pk(store_id, customer_id), keys_only=False):
            keys.append({"pk": {"S": entry["pk"]}, "sk": {"S": entry["sk"]}})
            keys.append(counted_key(store_id, entry["entry_id"]))
            if entry.get("coupon_code"):
                keys.append(coupon_key(store_id, entry["coupon_code"]))
        keys.extend(applied_key(store_id, customer_id, revision) for revision in range(account.revision + 1))
        keys.extend(
            idempotency_key(store_id, record.key)
            for record in self.idempotency_records(store_id, customer_id)
        )
        if account.email_key:
            keys.append(claim_key(store_id, account.email_key))
        # The account's partition holds its custom actions' counts beside it (repository/actions.py).
        own = account_key(store_id, customer_id)
        keys.extend(key for key in self._keys(None, "pk", account_pk(store_id, customer_id)) if key != own)
        keys.append(own)
        return keys

    def store_keys(self, store_id: str) -> list[Item]:
        """The store's own items: program, rewards catalog, totals and activity counters, data
        requests and store-wide idempotency records."""
        keys: list[Item] = [program_key(store_id)]
        keys.extend(self._keys(None, "pk", rewards_pk(store_id)))
        keys.extend(totals_key(store_id, shard) for shard in range(TOTALS_SHARDS))
        for shard in range(ACTIVITY_SHARDS):
            keys.extend(self._keys(None, "pk", activity_pk(store_id, shard)))
        keys.extend(self._keys("Customers", "customers_pk", data_requests_partition(store_id)))
        keys.extend(self._keys("Customers", "customers_pk", idempotency_partition(store_id, None)))
        return keys

    def delete_keys(self, keys: list[Item]) -> None:
        """Delete items by key, 25 a request; deleting an absent item is harmless (idempotent)."""
        unique = list({(key["pk"]["S"], key["sk"]["S"]): key for key in keys}.values())
        for start in range(0, len(unique), BATCH_WRITE_LIMIT):
            batch = unique[start : start + BATCH_WRITE_LIMIT]
            request: dict[str, Any] = {self._table: [{"DeleteRequest": {"Key": key}} for key in batch]}
            for attempt in range(8):
                with infrastructure_faults():
                    answer = self._client.batch_write_item(RequestItems=request)
                request = answer.get("UnprocessedItems") or {}
                if not request:
                    break
                time.sleep(min(0.05 * 2**attempt, 1.0))  # throttled: back off before the rest
            else:
                raise TransientFault("DynamoDB left deletes unprocessed")

    # Helpers ---------------------------------------------------------------------------------

    def _keys(
        self, index: str | None, key_name: str, value: str, condition: str | None = None
    ) -> Iterator[Item]:
        for item in self._query(index, key_name, value, condition=condition, keys_only=True):
            yield {"pk": {"S": item["pk"]}, "sk": {"S": item["sk"]}}

    def _query(
        self,
        index: str | None,
        key_name: str,
        value: str,
        *,
        condition: str | None = None,
        keys_only: bool,
    ) -> Iterator[Item]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#partition = :partition",
            "ExpressionAttributeNames": {"#partition": key_name},
            "ExpressionAttributeValues": {":partition": {"S": value}},
        }
        if index is not None:
            request["IndexName"] = index
        else:
            request["ConsistentRead"] = True
        if keys_only:
            request["ProjectionExpression"] = "pk, sk"
        if condition is not None:
            request["FilterExpression"] = condition
        while True:
            with infrastructure_faults():
                page = self._client.query(**request)
            for item in page.get("Items", []):
                yield items.plain(item)
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
