"""A store's program: how its customers earn, keep and spend points.

The deployment's environment gives the defaults (loyalty.config); the back office stores a store's own
program (its wire model is loyalty.http.models.ProgramRequest). Rules and operations read it from here,
so the domain needs neither pydantic nor the environment to know what a program is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


def normalize_tag(tag: str) -> str:
    """Tags match case-insensitively and ignore surrounding spaces, as platforms' tag filters do."""
    return tag.strip().casefold()


@dataclass(frozen=True, slots=True, kw_only=True)
class PanelSettings:
    """How the storefront panel presents the program to shoppers (every field optional)."""

    name: str | None = None
    # The currency the earning rate is shown in (three capital letters).
    currency: str | None = None
    signup_url: str | None = None
    login_url: str | None = None
    accent_color: str | None = None  # #rrggbb


@dataclass(frozen=True, slots=True, kw_only=True)
class TierLevel:
    """A VIP tier of the program: reached when the window's qualifying points meet `threshold`."""

    id: str
    name: str
    threshold: int
    earn_multiplier: Decimal = Decimal(1)
    entry_bonus: int = 0


class EarnKind(StrEnum):
    """The ways to earn besides orders: each pays a fixed bonus, never multiplied."""

    SIGNUP = "signup"  # once per customer, ever: the first time it becomes a member
    BIRTHDAY = "birthday"  # once a year, on the member's birthday (the daily run)
    ACTION = "action"  # a custom action the store reports (a review, a follow)


@dataclass(frozen=True, slots=True, kw_only=True)
class WayToEarn:
    """A way to earn a fixed number of points (a `bonus` ledger entry carrying its id)."""

    id: str
    kind: EarnKind
    points: int
    name: str | None = None  # actions (and shown by the panel)
    per_customer: int | None = None  # actions only: None = unlimited
    per_day: int | None = None  # actions only: per customer and UTC day of the action's occurred_at


@dataclass(frozen=True, slots=True, kw_only=True)
class Campaign:
    """A bonus campaign: orders that occur in `starts_at <= t < ends_at` (UTC) earn × `multiplier`."""

    id: str
    name: str
    multiplier: Decimal
    starts_at: datetime
    ends_at: datetime

    def covers(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


@dataclass(frozen=True, slots=True, kw_only=True)
class Program:
    """A store's program settings; every field has the default a store that never set it gets."""

    active: bool = True
    points_per_currency_unit: Decimal = Decimal(1)
    guests_earn_points: bool = True
    excluded_customer_tags: frozenset[str] = frozenset()
    # The storefront's own sites (scheme://host[:port]) whose browsers may call the storefront routes.
    storefront_origins: tuple[str, ...] = ()
    # None: points never expire; else a dormant account's balance expires after this many months.
    points_expiry_months: int | None = None
    # The return window: an order's points wait this many days (pending) before they can be spent.
    pending_days: int = 0
    panel: PanelSettings = PanelSettings()
    # Outbound events carry no personal data unless the store opts in, and then only the email.
    events_include_email: bool = False
    # Days before expiry at which a `points.expiring_soon` event reminds the customer (at most 3).
    expiry_reminder_days: tuple[int, ...] = ()
    # VIP tiers, lowest threshold first (domain/rules/tiers.py); none by default.
    tiers: tuple[TierLevel, ...] = ()
    # The rolling window qualifying points are counted in (None: a customer's whole history).
    tier_window_months: int | None = 12
    # Ways to earn besides orders (at most one of kind signup and one of kind birthday), and
    # bonus campaigns (domain/rules/ways_to_earn.py checks both; rules/campaigns.py applies them).
    ways_to_earn: tuple[WayToEarn, ...] = ()
    campaigns: tuple[Campaign, ...] = ()

    def way(self, way_id: str) -> WayToEarn | None:
        return next((way for way in self.ways_to_earn if way.id == way_id), None)

    def way_of_kind(self, kind: EarnKind) -> WayToEarn | None:
        return next((way for way in self.ways_to_earn if way.kind is kind), None)

    def excludes(self, tags: tuple[str, ...]) -> bool:
        return any(normalize_tag(tag) in self.excluded_customer_tags for tag in tags)
