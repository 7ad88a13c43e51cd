"""The program's ways to earn and campaigns as answers: the back office's, and the public face's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from loyalty.domain.entities import LedgerEntry, format_timestamp
from loyalty.domain.program import Campaign, Program, WayToEarn
from loyalty.domain.rules.campaigns import running


def way_view(way: WayToEarn) -> dict[str, Any]:
    """A way to earn as the back office and the panel show it (limits are null but on actions)."""
    return {
        "id": way.id,
        "kind": way.kind.value,
        "name": way.name,
        "points": way.points,
        "per_customer": way.per_customer,
        "per_day": way.per_day,
    }


def campaign_view(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "multiplier": str(campaign.multiplier),
        "starts_at": format_timestamp(campaign.starts_at),
        "ends_at": format_timestamp(campaign.ends_at),
    }


def earn_settings_view(program: Program) -> dict[str, Any]:
    """The program answer's `ways_to_earn` and `campaigns` (every campaign, past and future too)."""
    return {
        "ways_to_earn": [way_view(way) for way in program.ways_to_earn],
        "campaigns": [campaign_view(campaign) for campaign in program.campaigns],
    }


def public_earn_view(program: Program, now: datetime) -> dict[str, Any]:
    """What the panel shows a shopper: every way to earn, and the campaigns running at `now`."""
    return {
        "ways_to_earn": [way_view(way) for way in program.ways_to_earn],
        "campaigns": [campaign_view(campaign) for campaign in running(program.campaigns, now)],
    }


def earn_entry_fields(entry: LedgerEntry) -> dict[str, Any]:
    """A ledger entry's way to earn and multiplier, where it has them (the multiplier as a string)."""
    fields: dict[str, Any] = {}
    if entry.way is not None:
        fields["way"] = entry.way
    if entry.multiplier is not None:
        # The product as a plain decimal ("2.5", not "2.50" nor "2.5E+0").
        fields["multiplier"] = format(entry.multiplier.normalize(), "f")
    return fields
