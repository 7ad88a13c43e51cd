"""The canonical webhook events of the contract, validated with pydantic (strict JSON types)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
    field_validator,
    model_validator,
)

from loyalty.domain.rules.birthdays import BIRTHDAY_PATTERN, parse_birthday
from loyalty.http.earn_models import CampaignRequest, WayToEarnRequest, one_of_each_kind, unique_ids

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:@-]{1,128}$")]
# A store id has no colon, so that a customer token's sub `<store>:<customer>`, split at its first
# colon, names exactly one store and one customer.
StoreId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._@-]{1,128}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
# A non-negative amount as a decimal string: at most 12 digits before the point and 4 after.
Amount = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,12}(\.[0-9]{1,4})?$")]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$"),
]
Name = Annotated[str, StringConstraints(max_length=256)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=255)]
# "MM-DD" or "YYYY-MM-DD", a day of the calendar (02-29 is one), kept as "MM-DD" (rules/birthdays.py).
Birthday = Annotated[str, StringConstraints(pattern=BIRTHDAY_PATTERN), AfterValidator(parse_birthday)]


class _Model(BaseModel):
    # Strict: "true" is not a boolean and 49.9 is not an amount. Unknown keys are ignored,
    # since platforms add fields to their payloads without notice.
    # defer_build: a function validates only its own events, so the others' validators are never
    # built (this module holds every event; building them all would cost each cold start).
    model_config = ConfigDict(strict=True, frozen=True, extra="ignore", defer_build=True)


class WebhookEvent(_Model):
    event_id: Identifier
    store_id: StoreId
    occurred_at: AwareDatetime


class OrderCustomer(_Model):
    id: Identifier
    email: Email | None = None
    has_account: bool = False
    # None (the key left out) keeps the tags the service knows; a list replaces them.
    tags: Annotated[tuple[Tag, ...], Field(max_length=250)] | None = None


class Order(_Model):
    id: Identifier
    subtotal: Amount
    currency: Currency
    customer: OrderCustomer

    @property
    def subtotal_amount(self) -> Decimal:
        return Decimal(self.subtotal)


class OrderCreated(WebhookEvent):
    order: Order


class RegisteredCustomer(_Model):
    id: Identifier
    email: Email | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    birthday: Birthday | None = None


class MemberRegistered(WebhookEvent):
    customer: RegisteredCustomer


class Invitation(_Model):
    guest_customer_id: Identifier
    member_customer_id: Identifier


class InvitationAccepted(WebhookEvent):
    invitation: Invitation


class Refund(_Model):
    id: Identifier
    order_id: Identifier
    amount: Amount

    @property
    def refunded_amount(self) -> Decimal:
        return Decimal(self.amount)


class OrderRefunded(WebhookEvent):
    refund: Refund


# Back-office requests -------------------------------------------------------------------------

# The pattern tells a schema reader what stripping does: blank text is no reason.
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    Field(json_schema_extra={"pattern": r"\S"}),
]
PointsAmount = Annotated[int, Field(ge=-(10**12), le=10**12)]
Rate = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,6}(\.[0-9]{1,6})?$")]


class PointsRequest(_Model):
    amount: PointsAmount
    reason: Reason


class BalanceRequest(_Model):
    balance: Annotated[int, Field(ge=0, le=10**12)]
    revision: Annotated[int, Field(ge=0)]
    reason: Reason = "balance edited"


class RedemptionRequest(_Model):
    points: Annotated[int, Field(gt=0, le=10**12)]
    reward: Reason


# A browser origin: scheme, host and optional port; no path, no wildcard (compared lower-cased).
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
Origin = Annotated[
    str,
    StringConstraints(max_length=255, pattern=rf"^https?://{_LABEL}(\.{_LABEL})*(:[0-9]{{1,5}})?$"),
]


# The panel's links: https, or plain http on this machine only (a store's development site);
# printable ASCII (a URL's other characters are percent-encoded).
_URL_REST = r"(:[0-9]{1,5})?([/?#][\x21-\x7e]*)?"
PanelUrl = Annotated[
    str,
    StringConstraints(
        max_length=2048,
        pattern=rf"^(https://{_LABEL}(\.{_LABEL})*|http://(localhost|127\.0\.0\.1)){_URL_REST}$",
    ),
]
AccentColor = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
# Shown to shoppers: not blank, no control characters.
PanelName = Annotated[
    str,
    StringConstraints(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"),
]


class PanelRequest(_Model):
    """How the storefront panel presents the program; every field may be left out."""

    name: PanelName | None = None
    currency: Currency | None = None
    signup_url: PanelUrl | None = None
    login_url: PanelUrl | None = None
    accent_color: AccentColor | None = None


ReminderDays = Annotated[int, Field(ge=1, le=365)]
TierId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,32}$")]
# A decimal from 1 to 10 with at most two decimals.
Multiplier = Annotated[str, StringConstraints(pattern=r"^([1-9](\.[0-9]{1,2})?|10(\.0{1,2})?)$")]


class TierRequest(_Model):
    """A VIP tier: reached when a customer's qualifying points in the window meet `threshold`."""

    id: TierId
    name: PanelName
    threshold: Annotated[int, Field(ge=1, le=1_000_000_000)]
    earn_multiplier: Multiplier = "1"
    entry_bonus: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class ProgramRequest(_Model):
    active: bool
    points_per_currency_unit: Rate
    guests_earn_points: bool
    excluded_customer_tags: Annotated[tuple[Tag, ...], Field(max_length=100)] = ()
    storefront_origins: Annotated[tuple[Origin, ...], Field(max_length=50)] = ()
    points_expiry_months: Annotated[int, Field(ge=1, le=60)] | None = None
    pending_days: Annotated[int, Field(ge=0, le=90)] = 0
    panel: PanelRequest = PanelRequest()
    events_include_email: bool = False
    expiry_reminder_days: Annotated[
        tuple[ReminderDays, ...], Field(max_length=3, json_schema_extra={"uniqueItems": True})
    ] = ()

    @field_validator("expiry_reminder_days")
    @classmethod
    def _distinct_days(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if len(set(days)) != len(days):
            raise ValueError("each reminder day may appear once")
        return days

    # At most 5 tiers, unique ids, strictly increasing thresholds (checked in tier order).
    tiers: Annotated[tuple[TierRequest, ...], Field(max_length=5)] = ()
    tier_window_months: Annotated[int, Field(ge=1, le=36)] | None = 12
    # At most 10 of each, unique ids; at most one way of kind signup and one of kind birthday.
    ways_to_earn: Annotated[tuple[WayToEarnRequest, ...], Field(max_length=10)] = ()
    campaigns: Annotated[tuple[CampaignRequest, ...], Field(max_length=10)] = ()

    @model_validator(mode="after")
    def _lists_consistent(self) -> ProgramRequest:
        unique_ids(self.ways_to_earn, "way to earn")
        one_of_each_kind(self.ways_to_earn)
        unique_ids(self.campaigns, "campaign")
        if len({tier.id for tier in self.tiers}) != len(self.tiers):
            raise ValueError("tier ids must be unique")
        thresholds = [tier.threshold for tier in self.tiers]
        if any(later <= earlier for earlier, later in itertools.pairwise(thresholds)):
            raise ValueError("tier thresholds must be strictly increasing")
        return self


# The rewards catalog and coupons ----------------------------------------

RewardId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
RewardName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    Field(json_schema_extra={"pattern": r"\S"}),
]
RewardKindName = Literal["amount_off", "percent_off", "free_shipping"]
# A coupon code as the path carries it (the service's own are 16 characters of Crockford base32).
CouponCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,64}$")]


# A reward's value, above 0: an amount (at most 12 digits before the point) or a percentage
# (at most 100); the patterns say "above 0" so that every schema-valid value is accepted.
_ABOVE_ZERO_FRACTION = r"0\.[0-9]{0,3}[1-9][0-9]{0,3}"
PositiveAmount = Annotated[
    str, StringConstraints(pattern=rf"^([1-9][0-9]{{0,11}}(\.[0-9]{{1,4}})?|{_ABOVE_ZERO_FRACTION})$")
]
Percentage = Annotated[
    str,
    StringConstraints(pattern=rf"^(100(\.0{{1,4}})?|[1-9][0-9]?(\.[0-9]{{1,4}})?|{_ABOVE_ZERO_FRACTION})$"),
]
RewardPoints = Annotated[int, Field(ge=1, le=10_000_000)]


class _Exact(BaseModel):
    """A reward kind's terms: a field of another kind (a percentage's currency) is refused, not ignored."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid", defer_build=True)


# What a read of a reward shows that the server sets itself: accepted when a client sends back what
# it read, and ignored.
ServerTime = Annotated[
    str,
    StringConstraints(max_length=64),
    Field(description="The server's own (as a read shows it): ignored when sent back."),
]


class _Reward(_Exact):
    """The representation POST and PUT take, so a client can PUT what it read: `active` (false
    creates or keeps the reward retired), and the server's timestamps, ignored."""

    active: bool = True
    created_at: ServerTime | None = None
    updated_at: ServerTime | None = None


class AmountOff(_Reward):
    name: RewardName
    points: RewardPoints
    kind: Literal["amount_off"]
    value: PositiveAmount
    currency: Currency


class PercentOff(_Reward):
    name: RewardName
    points: RewardPoints
    kind: Literal["percent_off"]
    value: Percentage


class FreeShipping(_Reward):
    name: RewardName
    points: RewardPoints
    kind: Literal["free_shipping"]


class NewAmountOff(AmountOff):
    id: RewardId


class NewPercentOff(PercentOff):
    id: RewardId


class NewFreeShipping(FreeShipping):
    id: RewardId


# A replacement may carry the id it was read with: ignored, the path names the reward (an id
# never changes).
class AmountOffReplacement(AmountOff):
    id: RewardId | None = None


class PercentOffReplacement(PercentOff):
    id: RewardId | None = None


class FreeShippingReplacement(FreeShipping):
    id: RewardId | None = None


RewardTerms = AmountOff | PercentOff | FreeShipping


class RewardRequest(
    RootModel[Annotated[NewAmountOff | NewPercentOff | NewFreeShipping, Field(discriminator="kind")]]
):
    """POST …/rewards: a new reward, with its id; `kind` decides which of `value` and `currency` it
    has; `active: false` creates it retired."""

    model_config = ConfigDict(strict=True, frozen=True, defer_build=True)


class RewardReplacement(
    RootModel[
        Annotated[
            AmountOffReplacement | PercentOffReplacement | FreeShippingReplacement,
            Field(discriminator="kind"),
        ]
    ]
):
    """PUT …/rewards/{reward_id}: the reward's terms, and whether it is offered (what a GET answers
    is accepted as it is)."""

    model_config = ConfigDict(strict=True, frozen=True, defer_build=True)


class RewardRedemptionRequest(_Model):
    """Redeem a catalog reward (the back office, and the storefront)."""

    reward_id: RewardId


class CouponUseRequest(_Model):
    order_id: Identifier


# Scheduled events (EventBridge) ---------------------------------------------------------------


class ScheduledEvent(_Model):
    """An EventBridge `Scheduled Event`: its `time` is the run's now (a test or a rerun sets it)."""

    time: AwareDatetime
    id: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None


# Webhook endpoints ------------------------------------------------------

EventKindName = Literal[
    "points.earned",
    "points.pending",
    "points.released",
    "points.bonus",
    "points.adjusted",
    "points.redeemed",
    "points.reversed",
    "points.cancelled",
    "points.expired",
    "points.imported",
    "points.expiring_soon",
    "tier.upgraded",
    "tier.downgraded",
    "customer.joined",
    "customer.merged",
    "customer.excluded",
    "customer.included",
    "customer.erased",
    "coupon.issued",
    "coupon.used",
    "coupon.voided",
    "*",
]
EndpointId = Annotated[str, StringConstraints(pattern=r"^we_[0-9a-f]{16}$")]


class WebhookEndpointRequest(_Model):
    """Where to POST the store's events (https://; the service refuses internal addresses), and
    which kinds (`["*"]`: all)."""

    url: Annotated[str, StringConstraints(min_length=8, max_length=2048, pattern=r"^https?://")]
    events: Annotated[
        tuple[EventKindName, ...], Field(min_length=1, max_length=25, json_schema_extra={"uniqueItems": True})
    ]

    @field_validator("events")
    @classmethod
    def _distinct_kinds(cls, kinds: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(kinds)) != len(kinds):
            raise ValueError("each kind may appear once")
        return kinds
