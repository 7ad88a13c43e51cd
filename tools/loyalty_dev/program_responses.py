"""The program's answers (the back office's and the public face) and the tier parts of every account
answer, as models for openapi.yaml (responses.py re-exports them with the other answers)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from pydantic.config import JsonDict

from loyalty_dev.answer import Answer

TIMESTAMP: JsonDict = {"format": "date-time"}


class TierLevel(Answer):
    """A VIP tier of the program."""

    id: str = Field(pattern=r"^[a-z0-9-]{1,32}$")
    name: str
    threshold: int = Field(ge=1, description="The qualifying points that reach the tier.")
    earn_multiplier: str = Field(
        pattern=r"^([1-9](\.[0-9]{1,2})?|10(\.0{1,2})?)$",
        description="Orders earn floor(amount × rate × multiplier) while the tier is held.",
    )
    entry_bonus: int = Field(
        ge=0, le=1_000_000, description="Points given once, the first time the tier is reached."
    )


class WayToEarn(Answer):
    """A way to earn a fixed bonus (never multiplied): `signup` once per customer, ever; `birthday`
    once a year; `action` each time the store reports it, within its limits."""

    id: str = Field(pattern=r"^[a-z0-9_-]{1,32}$")
    kind: Literal["signup", "birthday", "action"]
    name: str | None = Field(description="An action's name (null: the panel names the kind).")
    points: int = Field(ge=1, le=1_000_000)
    per_customer: int | None = Field(
        ge=1, description="Actions: how many times a customer may earn it, ever (null: unlimited)."
    )
    per_day: int | None = Field(
        ge=1, description="Actions: how many times per customer and UTC day of the action (null: unlimited)."
    )


class Campaign(Answer):
    """Orders that occur from `starts_at` (included) to `ends_at` (excluded) earn × `multiplier`."""

    id: str = Field(pattern=r"^[a-z0-9_-]{1,32}$")
    name: str
    multiplier: str = Field(
        pattern=r"^([1-9](\.[0-9]{1,2})?|10(\.0{1,2})?)$",
        description="Overlapping campaigns: the largest applies, times the tier's.",
    )
    starts_at: str = Field(json_schema_extra=TIMESTAMP)
    ends_at: str = Field(json_schema_extra=TIMESTAMP)


class HeldTier(Answer):
    id: str
    name: str
    since: str | None = Field(
        json_schema_extra=TIMESTAMP,
        description="When the customer reached it (null: reached through settings changed since the "
        "customer's last points change; recorded with the next one).",
    )
    kept_until: str | None = Field(
        json_schema_extra=TIMESTAMP,
        description="Held at least until then, whatever happens to the qualifying points; null for a "
        "lifetime window, or a tier not recorded yet.",
    )


class NextTier(Answer):
    id: str
    name: str
    threshold: int
    points_needed: int = Field(ge=0, description="Qualifying points still needed to reach it.")


class TierFields(Answer):
    """What every account answer says about tiers."""

    tier: HeldTier | None = Field(description="The tier held now under the program's current tiers.")
    next_tier: NextTier | None = Field(description="The next tier up; null at the top or without tiers.")
    qualifying_points: int = Field(
        description="Points of earn, release, reverse and adjust entries in the program's window "
        "(whole UTC months; every entry for a lifetime window)."
    )


class PanelSettings(Answer):
    """How the storefront panel presents the program (null: not set)."""

    name: str | None = Field(description="The program's name as shoppers see it (at most 100 characters).")
    currency: str | None = Field(description="The currency the earning rate is shown in.")
    signup_url: str | None = Field(
        description="Where a visitor creates a store account: https (plain http only on localhost "
        "or 127.0.0.1)."
    )
    login_url: str | None = Field(description="Where a visitor signs in; as `signup_url`.")
    accent_color: str | None = Field(description="`#rrggbb`: the panel's accent colour.")


class Program(Answer):
    active: bool
    points_per_currency_unit: str = Field(
        pattern=r"^[0-9]{1,6}(\.[0-9]{1,6})?$",
        description="A decimal string, at most 6 digits before the point and 6 after.",
    )
    guests_earn_points: bool
    excluded_customer_tags: list[str] = Field(default=[])
    storefront_origins: list[str] = Field(
        default=[],
        description="The store's sites (scheme://host[:port]) whose browsers may call the storefront routes.",
    )
    points_expiry_months: int | None = Field(
        default=None,
        ge=1,
        le=60,
        description="Months without activity after which a member's or candidate's balance "
        "expires; null: points never expire.",
    )
    pending_days: int = Field(
        default=0,
        ge=0,
        le=90,
        description="The return window: days an order's points stay pending before they can be spent "
        "(0: at once).",
    )
    panel: PanelSettings
    tiers: list[TierLevel] = Field(default=[], max_length=5, description="Lowest threshold first.")
    tier_window_months: int | None = Field(
        default=12, ge=1, le=36, description="The rolling window of qualifying points; null: lifetime."
    )
    ways_to_earn: list[WayToEarn] = Field(default=[], max_length=10, description="Besides orders.")
    campaigns: list[Campaign] = Field(
        default=[], max_length=10, description="Every campaign, past, running and future."
    )
    events_include_email: bool = Field(
        default=False,
        description="Outbound events (EventBridge) carry the customer's email; false: no personal data.",
    )
    expiry_reminder_days: list[Annotated[int, Field(ge=1, le=365)]] = Field(
        default=[],
        max_length=3,
        json_schema_extra={"uniqueItems": True},
        description="Days before a balance expires at which a `points.expiring_soon` event is "
        "published (once per customer, activity and day); empty: no reminders.",
    )


class OfferedReward(Answer):
    """An active reward as the storefront shows it."""

    id: str
    name: str
    points: int = Field(ge=1, le=10_000_000)
    kind: Literal["amount_off", "percent_off", "free_shipping"]
    value: str | None = None
    currency: str | None = None


class PublicProgram(Answer):
    """The public face of a store's program: nothing about any customer."""

    store_id: str
    name: str | None
    currency: str | None
    active: bool = Field(description="False while the program is paused.")
    points_per_currency_unit: str
    pending_days: int
    points_expiry_months: int | None
    rewards: list[OfferedReward] = Field(description="The active rewards, cheapest first.")
    tiers: list[TierLevel] = Field(description="The program's tiers, lowest first; empty without tiers.")
    ways_to_earn: list[WayToEarn] = Field(description="Ways to earn besides orders; empty without any.")
    campaigns: list[Campaign] = Field(description="The campaigns running now, soonest ending first.")
    signup_url: str | None
    login_url: str | None
    accent_color: str | None
