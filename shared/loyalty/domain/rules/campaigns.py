"""Bonus campaigns (pure): which are running, and the multiplier an order's time earns with.

A campaign covers `starts_at <= t < ends_at` (UTC). Overlapping campaigns do not add up: the
largest multiplier applies. It multiplies the tier's, and the order's points are floored once, at
the end: floor(amount × rate × tier multiplier × campaign multiplier) (domain/rules/earning.py).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from loyalty.domain.program import Campaign

NO_CAMPAIGN = Decimal(1)


def running(campaigns: tuple[Campaign, ...], now: datetime) -> tuple[Campaign, ...]:
    """The campaigns that cover `now`, soonest ending first."""
    return tuple(sorted((c for c in campaigns if c.covers(now)), key=lambda c: (c.ends_at, c.id)))


def campaign_multiplier(campaigns: tuple[Campaign, ...], moment: datetime) -> Decimal:
    """The largest multiplier of the campaigns covering `moment` (1 when none does)."""
    return max((c.multiplier for c in campaigns if c.covers(moment)), default=NO_CAMPAIGN)
