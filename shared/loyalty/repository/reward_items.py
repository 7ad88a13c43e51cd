"""The rewards catalog's and coupons' items, and the transaction actions that write them (the
repository's commit adds these to the rest of an event's writes)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from loyalty.domain.entities import (
    CatalogSummary,
    CatalogUpdate,
    Changes,
    Coupon,
    CouponStatus,
    CouponUpdate,
    Reward,
    RewardKind,
    format_timestamp,
)
from loyalty.repository.items import typed
from loyalty.repository.keys import Item, catalog_key, coupon_key, coupons_partition, reward_key


def _decimal(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _moment(value: datetime | None) -> str | None:
    return format_timestamp(value) if value is not None else None


def reward_item(reward: Reward) -> Item:
    return {
        **reward_key(reward.store_id, reward.reward_id),
        **typed(
            {
                "store_id": reward.store_id,
                "reward_id": reward.reward_id,
                "name": reward.name,
                "points": reward.points,
                "kind": reward.kind.value,
                "value": _decimal(reward.value),
                "currency": reward.currency,
                "active": reward.active,
                "created_at": format_timestamp(reward.created_at),
                "updated_at": format_timestamp(reward.updated_at),
            }
        ),
    }


def reward_from_item(item: Item) -> Reward:
    return Reward(
        store_id=item["store_id"],
        reward_id=item["reward_id"],
        name=item["name"],
        points=int(item["points"]),
        kind=RewardKind(item["kind"]),
        value=Decimal(item["value"]) if "value" in item else None,
        currency=item.get("currency"),
        active=bool(item["active"]),
        created_at=datetime.fromisoformat(item["created_at"]),
        updated_at=datetime.fromisoformat(item["updated_at"]),
    )


def catalog_item(store_id: str, summary: CatalogSummary) -> Item:
    return {
        **catalog_key(store_id),
        **typed(
            {
                "store_id": store_id,
                "cheapest_active_points": summary.cheapest_active_points,
                "rewards": summary.rewards,
                "version": summary.version,
            }
        ),
    }


def catalog_from_item(item: Item | None) -> CatalogSummary:
    if item is None:
        return CatalogSummary()
    cheapest = item.get("cheapest_active_points")
    return CatalogSummary(
        cheapest_active_points=int(cheapest) if cheapest is not None else None,
        rewards=int(item["rewards"]),
        version=int(item["version"]),
    )


def coupon_item(coupon: Coupon) -> Item:
    issued_at = format_timestamp(coupon.issued_at)
    return {
        **coupon_key(coupon.store_id, coupon.code),
        **typed(
            {
                # The customer's coupons, newest first (the Ledger index; keys.py).
                "ledger_pk": coupons_partition(coupon.store_id, coupon.customer_id),
                "ledger_sk": f"{issued_at}#{coupon.code}",
                "store_id": coupon.store_id,
                "code": coupon.code,
                "reward_id": coupon.reward_id,
                "kind": coupon.kind.value,
                "value": _decimal(coupon.value),
                "currency": coupon.currency,
                "points": coupon.points,
                "status": coupon.status.value,
                "customer_id": coupon.customer_id,
                "issued_at": issued_at,
                "used_at": _moment(coupon.used_at),
                "order_id": coupon.order_id,
                "voided_at": _moment(coupon.voided_at),
            }
        ),
    }


def coupon_from_item(item: Item) -> Coupon:
    def moment(name: str) -> datetime | None:
        return datetime.fromisoformat(item[name]) if name in item else None

    return Coupon(
        store_id=item["store_id"],
        code=item["code"],
        reward_id=item["reward_id"],
        kind=RewardKind(item["kind"]),
        value=Decimal(item["value"]) if "value" in item else None,
        currency=item.get("currency"),
        points=int(item["points"]),
        status=CouponStatus(item["status"]),
        customer_id=item["customer_id"],
        issued_at=datetime.fromisoformat(item["issued_at"]),
        used_at=moment("used_at"),
        order_id=item.get("order_id"),
        voided_at=moment("voided_at"),
    )


def transaction_actions(table: str, changes: Changes) -> Iterator[tuple[Item, None]]:
    """The catalog's, the coupon's and the reward check's actions of `changes`. A failed condition
    on any of them means a concurrent writer won (None: the caller reads again and decides)."""
    if changes.catalog is not None:
        yield from _catalog_actions(table, changes.catalog)
    if changes.coupon is not None:
        yield {"Put": _coupon_put(table, changes.coupon)}, None
    if changes.reward_check is not None:
        reward = changes.reward_check
        check = {
            "TableName": table,
            "Key": reward_key(reward.store_id, reward.reward_id),
            "ConditionExpression": "active = :yes AND points = :points",
            "ExpressionAttributeValues": {":yes": {"BOOL": True}, ":points": {"N": str(reward.points)}},
        }
        yield {"ConditionCheck": check}, None


def _catalog_actions(table: str, update: CatalogUpdate) -> Iterator[tuple[Item, None]]:
    reward = update.reward
    condition = "attribute_not_exists(pk)" if update.created else "attribute_exists(pk)"
    yield {"Put": {"TableName": table, "Item": reward_item(reward), "ConditionExpression": condition}}, None
    summary: dict[str, Any] = {"TableName": table, "Item": catalog_item(reward.store_id, update.after)}
    if update.before.version == 0:
        summary["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        summary["ConditionExpression"] = "version = :read"
        summary["ExpressionAttributeValues"] = {":read": {"N": str(update.before.version)}}
    yield {"Put": summary}, None


def _coupon_put(table: str, update: CouponUpdate) -> Item:
    put: Item = {"TableName": table, "Item": coupon_item(update.after)}
    if update.before is None:  # a new code: claimed here, unique in its store
        put["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        put["ConditionExpression"] = "#status = :read"
        put["ExpressionAttributeNames"] = {"#status": "status"}
        put["ExpressionAttributeValues"] = {":read": {"S": update.before.status.value}}
    return put
