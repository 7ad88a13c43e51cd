"""Which ways to earn and campaigns a program may hold (pure; the wire model checks the same first).

A program holds at most 10 ways to earn and 10 campaigns, each list with unique ids; at most one
way of kind `signup` and one of kind `birthday` (each pays once per customer, or once a year, so a
second would only pay twice); limits (`per_customer`, `per_day`) only on actions, which have a name.
"""

from __future__ import annotations

import re
from decimal import Decimal

from loyalty.domain.program import Campaign, EarnKind, WayToEarn

MAX_WAYS = 10
MAX_CAMPAIGNS = 10
MAX_POINTS = 1_000_000
MAX_LIMIT = 1_000_000
MIN_MULTIPLIER = Decimal(1)
MAX_MULTIPLIER = Decimal(10)
# No colon: a way's id is part of ledger entry ids (`action:<id>:<reference>`).
WAY_ID = re.compile(r"[a-z0-9_-]{1,32}")
CAMPAIGN_ID = WAY_ID
_ONCE_KINDS = (EarnKind.SIGNUP, EarnKind.BIRTHDAY)


def ways_problem(ways: tuple[WayToEarn, ...]) -> str | None:
    """Why a program's ways to earn are refused (None: they are fine)."""
    if len(ways) > MAX_WAYS:
        return f"at most {MAX_WAYS} ways to earn"
    if len({way.id for way in ways}) != len(ways):
        return "way to earn ids must be unique"
    for kind in _ONCE_KINDS:
        if sum(1 for way in ways if way.kind is kind) > 1:
            return f"at most one way to earn of kind {kind.value}"
    for way in ways:
        problem = _way_problem(way)
        if problem is not None:
            return problem
    return None


def _way_problem(way: WayToEarn) -> str | None:
    if not WAY_ID.fullmatch(way.id):
        return f"way to earn id {way.id!r} must match [a-z0-9_-]{{1,32}}"
    if not 1 <= way.points <= MAX_POINTS:
        return f"points are 1..{MAX_POINTS}"
    if way.kind is EarnKind.ACTION:
        if not way.name or not way.name.strip():
            return f"action {way.id!r} needs a name"
        for limit in (way.per_customer, way.per_day):
            if limit is not None and not 1 <= limit <= MAX_LIMIT:
                return f"per_customer and per_day are null or 1..{MAX_LIMIT}"
    elif way.per_customer is not None or way.per_day is not None:
        return "only actions have per_customer and per_day limits"
    return None


def campaigns_problem(campaigns: tuple[Campaign, ...]) -> str | None:
    """Why a program's campaigns are refused (None: they are fine)."""
    if len(campaigns) > MAX_CAMPAIGNS:
        return f"at most {MAX_CAMPAIGNS} campaigns"
    if len({campaign.id for campaign in campaigns}) != len(campaigns):
        return "campaign ids must be unique"
    for campaign in campaigns:
        if not CAMPAIGN_ID.fullmatch(campaign.id):
            return f"campaign id {campaign.id!r} must match [a-z0-9_-]{{1,32}}"
        if not campaign.name.strip():
            return "a campaign needs a name"
        if not MIN_MULTIPLIER <= campaign.multiplier <= MAX_MULTIPLIER:
            return "a campaign's multiplier is from 1 to 10"
        if campaign.multiplier != campaign.multiplier.quantize(Decimal("0.01")):
            return "a campaign's multiplier has at most two decimals"
        if campaign.starts_at.tzinfo is None or campaign.ends_at.tzinfo is None:
            return "a campaign's times need a UTC offset"
        if campaign.ends_at <= campaign.starts_at:
            return "a campaign's ends_at must be after its starts_at"
    return None
