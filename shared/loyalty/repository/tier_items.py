"""The account item's tier attributes (conversions only; the rules are domain/rules/tiers.py and
tier_window.py).

`tier_window` holds the qualifying records in one string, `<epoch ms, base 36>:<signed points>`,
space-separated, oldest first ("mx9419c0:49 mx9419c1:-20"): about 12 bytes a record, where a
list of `{time, points}` maps would take about 40. Items written before the window was exact
hold `tier_months` instead, a map `YYYY-MM` → points of that UTC month; each month reads as one
record at the month's last millisecond, which counts for exactly the whole months it counted
before (docs/decisions/tiers.md), and the next write of the account stores the new form.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any

from loyalty.domain.entities import Account, HeldTier, Tiering, format_timestamp
from loyalty.domain.rules.tier_window import normalised, to_ms
from loyalty.repository.keys import TIERS_SHARDS, Item, shard_of, tiers_partition


def _timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


def tiering_attributes(account: Account) -> dict[str, Any]:
    """The tier attributes (none for an account without qualifying points or tier); the sparse
    Tiers index lists the account under `listed_until`."""
    tiering = account.tiering
    held = tiering.held
    listed = tiering.listed_until
    return {
        "tier_window": encode_records(tiering.records) or None,
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


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    if number < 0:
        return "-" + _base36(-number)
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = _DIGITS[digit] + text
        if number == 0:
            return text


def encode_records(records: tuple[tuple[int, int], ...]) -> str:
    return " ".join(f"{_base36(at)}:{points}" for at, points in records)


def decode_records(text: str) -> tuple[tuple[int, int], ...]:
    pairs = (record.split(":") for record in text.split())
    return normalised((int(at, 36), int(points)) for at, points in pairs)


def _month_end(key: str) -> int:
    """An old `tier_months` key (YYYY-MM) as the last millisecond of that UTC month."""
    year, month = (int(part) for part in key.split("-"))
    last_day = calendar.monthrange(year, month)[1]
    return to_ms(datetime(year, month, last_day, 23, 59, 59, 999_000, tzinfo=UTC))


def _records(item: Item) -> tuple[tuple[int, int], ...]:
    months = item.get("tier_months", {})
    old = tuple((_month_end(key), int(points)) for key, points in months.items())
    return normalised((*decode_records(str(item.get("tier_window", ""))), *old))


def tiering_from_item(item: Item) -> Tiering:
    held = item.get("tier")
    listed = item.get("tiers_sk")
    return Tiering(
        records=_records(item),
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
