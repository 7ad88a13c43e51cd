"""The canonical webhook events of the contract, validated with pydantic (strict JSON types)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

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


class ProgramRequest(_Model):
    active: bool
    points_per_currency_unit: Rate
    guests_earn_points: bool
    excluded_customer_tags: Annotated[tuple[Tag, ...], Field(max_length=100)] = ()
    storefront_origins: Annotated[tuple[Origin, ...], Field(max_length=50)] = ()


# The rewards catalog and coupons (CONTRACT.md section 7) ----------------------------------------

RewardId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
RewardName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    Field(json_schema_extra={"pattern": r"\S"}),
]
RewardKindName = Literal["amount_off", "percent_off", "free_shipping"]
# A coupon code as the path carries it (the service's own are 16 characters of Crockford base32).
CouponCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,64}$")]


class RewardTermsRequest(_Model):
    """A reward's terms: `value` an amount with `currency` (amount_off), a percentage above 0 and at
    most 100 (percent_off), absent (free_shipping)."""

    name: RewardName
    points: Annotated[int, Field(ge=1, le=10_000_000)]
    kind: RewardKindName
    value: Amount | None = None
    currency: Currency | None = None

    @model_validator(mode="after")
    def _value_fits_kind(self) -> RewardTermsRequest:
        if self.kind == "free_shipping":
            if self.value is not None or self.currency is not None:
                raise ValueError("a free_shipping reward has no value and no currency")
        elif self.value is None or Decimal(self.value) <= 0:
            raise ValueError(f"a {self.kind} reward needs a value above 0")
        elif self.kind == "amount_off" and self.currency is None:
            raise ValueError("an amount_off reward needs a currency")
        elif self.kind == "percent_off" and (Decimal(self.value) > 100 or self.currency is not None):
            raise ValueError("a percent_off value is at most 100, with no currency")
        return self


class RewardRequest(RewardTermsRequest):
    """POST …/rewards: a new reward, with its id."""

    id: RewardId


class RewardReplacement(RewardTermsRequest):
    """PUT …/rewards/{reward_id}: the reward's terms, and whether it is offered."""

    active: bool = True


class RewardRedemptionRequest(_Model):
    """Redeem a catalog reward (the back office, and the storefront)."""

    reward_id: RewardId


class CouponUseRequest(_Model):
    order_id: Identifier
