"""The program item's ways to earn and campaigns (conversions only; the rules live in the domain)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from loyalty.domain.entities import format_timestamp
from loyalty.domain.program import Campaign, EarnKind, Program, WayToEarn
from loyalty.repository.keys import Item


def earn_attributes(program: Program) -> dict[str, Any]:
    """The program item's attributes for its ways to earn and campaigns (none when empty)."""
    return {
        "ways_to_earn": [_way_map(way) for way in program.ways_to_earn] or None,
        "campaigns": [_campaign_map(campaign) for campaign in program.campaigns] or None,
    }


def earn_settings(item: Item) -> dict[str, Any]:
    """Program fields read back from the item (a program stored before they existed has none)."""
    return {
        "ways_to_earn": tuple(_way_from_map(values) for values in item.get("ways_to_earn", ())),
        "campaigns": tuple(_campaign_from_map(values) for values in item.get("campaigns", ())),
    }


def _way_map(way: WayToEarn) -> dict[str, Any]:
    values: dict[str, Any] = {"id": way.id, "kind": way.kind.value, "points": way.points}
    for name in ("name", "per_customer", "per_day"):
        if getattr(way, name) is not None:
            values[name] = getattr(way, name)
    return values


def _way_from_map(values: Mapping[str, Any]) -> WayToEarn:
    def optional(name: str) -> int | None:
        return int(values[name]) if values.get(name) is not None else None

    return WayToEarn(
        id=str(values["id"]),
        kind=EarnKind(values["kind"]),
        points=int(values["points"]),
        name=str(values["name"]) if values.get("name") is not None else None,
        per_customer=optional("per_customer"),
        per_day=optional("per_day"),
    )


def _campaign_map(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "multiplier": str(campaign.multiplier),
        "starts_at": format_timestamp(campaign.starts_at),
        "ends_at": format_timestamp(campaign.ends_at),
    }


def _campaign_from_map(values: Mapping[str, Any]) -> Campaign:
    return Campaign(
        id=str(values["id"]),
        name=str(values["name"]),
        multiplier=Decimal(str(values["multiplier"])),
        starts_at=datetime.fromisoformat(str(values["starts_at"])),
        ends_at=datetime.fromisoformat(str(values["ends_at"])),
    )
