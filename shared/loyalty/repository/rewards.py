"""Reads of the rewards catalog, its summary and coupons (the Repository's, composed in)."""

from __future__ import annotations

from typing import Any

from loyalty.domain.entities import Account, CatalogSummary, Coupon, CouponStatus, Reward
from loyalty.domain.program import Program
from loyalty.repository import items
from loyalty.repository.faults import infrastructure_faults
from loyalty.repository.keys import (
    REWARD_SK_PREFIX,
    Item,
    account_key,
    catalog_key,
    coupon_key,
    coupons_partition,
    program_key,
    reward_key,
    rewards_pk,
)
from loyalty.repository.pages import Filter, Partition, merged_page
from loyalty.repository.reward_items import catalog_from_item, coupon_from_item, reward_from_item


class RewardReads:
    """The catalog's and coupons' reads; the Repository supplies the table and its item reads."""

    _table: str
    _client: Any

    def _get(self, key: Item) -> Item | None:  # pragma: no cover - the Repository's
        raise NotImplementedError

    def _batch_get(self, keys: list[Item]) -> dict[str, Item]:  # pragma: no cover - the Repository's
        raise NotImplementedError

    def catalog(self, store_id: str) -> tuple[dict[str, Reward], CatalogSummary]:
        """The store's whole catalog and its summary: one consistent Query of their partition."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "ConsistentRead": True,
            "KeyConditionExpression": "pk = :catalog",
            "ExpressionAttributeValues": {":catalog": {"S": rewards_pk(store_id)}},
        }
        rewards: dict[str, Reward] = {}
        summary = CatalogSummary()
        while True:
            with infrastructure_faults():
                page = self._client.query(**request)
            for typed_item in page.get("Items", []):
                item = items.plain(typed_item)
                if str(item["sk"]).startswith(REWARD_SK_PREFIX):
                    reward = reward_from_item(item)
                    rewards[reward.reward_id] = reward
                else:
                    summary = catalog_from_item(item)
            if "LastEvaluatedKey" not in page:
                return rewards, summary
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def get_account_and_storefront(
        self, store_id: str, customer_id: str
    ) -> tuple[Account | None, Program | None, CatalogSummary]:
        """An account's item with its store's program and catalog summary, in one round trip
        (BatchGetItem, consistent): the balance lookup when the container's cache is cold."""
        keys = [account_key(store_id, customer_id), program_key(store_id), catalog_key(store_id)]
        found = self._batch_get(keys)
        account = found.get(keys[0]["pk"]["S"])
        program = found.get(keys[1]["pk"]["S"])
        return (
            items.account_from_item(account) if account else None,
            items.program_from_item(program) if program else None,
            catalog_from_item(found.get(keys[2]["pk"]["S"])),
        )

    def get_reward(self, store_id: str, reward_id: str) -> Reward | None:
        item = self._get(reward_key(store_id, reward_id))
        return reward_from_item(item) if item else None

    def get_coupon(self, store_id: str, code: str) -> Coupon | None:
        item = self._get(coupon_key(store_id, code))
        return coupon_from_item(item) if item else None

    def coupons_page(
        self,
        store_id: str,
        customer_id: str,
        status: CouponStatus | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Coupon], str | None]:
        """A customer's coupons, newest first (its partition of the Ledger index), of one status
        or all."""
        partition = Partition("Ledger", "ledger_pk", "ledger_sk", coupons_partition(store_id, customer_id))
        matching = None
        if status is not None:
            matching = Filter("#status = :status", {"#status": "status"}, {":status": {"S": status.value}})
        with infrastructure_faults():
            found, next_cursor = merged_page(self._client, self._table, [partition], limit, cursor, matching)
        return [coupon_from_item(items.plain(item)) for item in found], next_cursor

    def get_storefront(self, store_id: str) -> tuple[Program | None, CatalogSummary]:
        """The program and the catalog's summary in one round trip (BatchGetItem, consistent)."""
        keys = [program_key(store_id), catalog_key(store_id)]
        found = self._batch_get(keys)
        program = found.get(keys[0]["pk"]["S"])
        return (
            items.program_from_item(program) if program else None,
            catalog_from_item(found.get(keys[1]["pk"]["S"])),
        )
