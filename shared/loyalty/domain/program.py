"""A store's program: how its customers earn, keep and spend points.

The deployment's environment gives the defaults (loyalty.config); the back office stores a store's own
program (its wire model is loyalty.http.models.ProgramRequest). Rules and operations read it from here,
so the domain needs neither pydantic nor the environment to know what a program is.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


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

    def excludes(self, tags: tuple[str, ...]) -> bool:
        return any(normalize_tag(tag) in self.excluded_customer_tags for tag in tags)
