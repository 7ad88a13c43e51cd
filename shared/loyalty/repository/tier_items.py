"""The account item's tier attributes (conversions only; the rules are domain/rules/tiers.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from loyalty.domain.entities import Account, HeldTier, Tiering, format_timestamp
from loyalty.repository.keys import TIERS_SHARDS, Item, shard_of, tiers_partition


def _timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


def tiering_attributes(account: Account) -> dict[str, Any]:
    """The tier attributes (none for an account without qualifying points or tier). Months are
    a map keyed YYYY-MM; the sparse Tiers index lists the account under `listed_until`."""
    tiering = account.tiering
    held = tiering.held
    listed = tiering.listed_until
    return {
        "tier_months": {_month_key(month): points for month, points in tiering.months} or None,
        "tier_points": tiering.total or None,
        "tier": (
            {
                "id": held.id,
                "since": format_timestamp(held.since),
                **({"until": format_timestamp(held.kept_until)} if held.kept_until else {}),
            }
            if held
            else None
        ),
        "tier_bonuses": set(tiering.bonuses_paid) or None,
        "tiers_pk": tiers_partition(shard_of(f"{account.store_id}#{account.customer_id}", TIERS_SHARDS))
        if listed
        else None,
        "tiers_sk": f"{format_timestamp(listed)}#{account.store_id}#{account.customer_id}"
        if listed
        else None,
    }


def _month_key(month: int) -> str:
    year, index = divmod(month, 12)
    return f"{year:04d}-{index + 1:02d}"


def _month_of(key: str) -> int:
    year, month = key.split("-")
    return int(year) * 12 + int(month) - 1


def tiering_from_item(item: Item) -> Tiering:
    held = item.get("tier")
    listed = item.get("tiers_sk")
    return Tiering(
        months=tuple(
            sorted((_month_of(key), int(points)) for key, points in item.get("tier_months", {}).items())
        ),
        total=int(item.get("tier_points", 0)),
        held=HeldTier(
            id=str(held["id"]),
            since=_timestamp(held["since"]),
            kept_until=_timestamp(held["until"]) if "until" in held else None,
        )
        if held
        else None,
        bonuses_paid=frozenset(item.get("tier_bonuses", ())),
        listed_until=_timestamp(str(listed).split("#", 1)[0]) if listed else None,
    )
