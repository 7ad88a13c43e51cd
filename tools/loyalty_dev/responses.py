"""The JSON answers of the API as models: what `views.py` builds, described for openapi.yaml.

The views build plain dicts (a model per answer would cost every cold start its validators); these
models are the answers' schemas: `loyalty schemas` writes them into openapi.yaml's
components/schemas, and the contract tests hold every answer of the service to them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from loyalty_dev.answer import Answer, CustomerStatus, NextCursor, Outcome, Points, Timestamp

# The program and its public face live beside the tiers; imported here, where every answer is.
from loyalty_dev.program_responses import OfferedReward, PanelSettings, Program, PublicProgram, TierFields

__all__ = ["OfferedReward", "PanelSettings", "Program", "PublicProgram"]


class AccountPoints(Answer):
    """`balance == earned + adjusted - redeemed - expired`, always. `pending` is outside the
    balance: an order's points waiting for the store's return window (`pending_days`)."""

    balance: Points
    earned: Points
    adjusted: Points
    redeemed: Points
    expired: Points
    pending: Points = Field(
        description="Points of orders still inside the return window: not spendable yet, never expiring; "
        "released into `earned` and the balance when the window closes, cancelled by a refund before."
    )


class Account(TierFields):
    store_id: str
    customer_id: str = Field(
        description="The account's customer (the surviving member when a merged guest id was asked for)."
    )
    status: CustomerStatus
    points: AccountPoints
    pending_release_at: Timestamp | None = Field(
        description="When the earliest pending points become available (the earliest `available_at` "
        "of the customer's pending orders); null when nothing is pending."
    )
    can_redeem: bool = Field(description="True for members only.")
    reward_available: bool = Field(
        description="The customer can redeem and some active reward of the store's catalog costs no "
        "more than the balance (the catalog as the function cached it, at most 30 seconds old)."
    )
    points_expire_at: Timestamp | None = Field(
        description="When the balance expires if nothing happens before (the store's "
        "`points_expiry_months` after `last_activity_at`); null when it never does: expiry off, "
        "no points, or an excluded customer."
    )
    revision: int = Field(ge=1, description="Increases by one at every change of the account.")
    created_at: Timestamp
    updated_at: Timestamp
    last_activity_at: Timestamp
    merged_from: str | None = Field(
        default=None, description="Present when the requested id is a guest file merged into this account."
    )
    erased_at: Timestamp | None = Field(
        default=None,
        description="When the customer's personal data was erased (null: never); the numbers and the "
        "ledger stay so the store's books add up.",
    )


class ListedCustomer(Account):
    """A customer of the back office's list: the account, with the email and names a merchant
    finds people by."""

    email: str | None
    first_name: str | None
    last_name: str | None


class Customer(ListedCustomer):
    """The back office's customer: the account, with contact details and merged files."""

    tags: list[str]
    birthday: str | None = Field(
        default=None,
        pattern=r"^[0-9]{2}-[0-9]{2}$",
        description='The birthday as "MM-DD" (no year is kept); null when unknown or erased.',
    )
    merged_customer_ids: list[str] = Field(description="The guest files merged into this account.")


class Transaction(Answer):
    id: str
    type: Literal[
        "earn",
        "adjust",
        "redeem",
        "refund",
        "reverse",
        "merge_in",
        "merge_out",
        "expire",
        "pending",
        "release",
        "cancel",
        "bonus",
    ] = Field(
        description="`pending`: an order's points held for the return window (outside the balance); "
        "`release`: what is left of them, made available when the window closes; `cancel`: a "
        "refund inside the window, taken out of the pending points (the balance does not move); "
        "`bonus`: a tier's entry bonus, or a way to earn's (`way` names it)."
    )
    points: int = Field(description="Signed; negative takes points away.")
    balance_after: Points
    reason: str | None = None
    customer_id: str | None = None
    order_id: str | None = None
    shortfall: int | None = Field(default=None, ge=0)
    coupon_code: str | None = Field(
        default=None, description="A catalog redemption's coupon, or the voided coupon a refund gave back."
    )
    available_at: Timestamp | None = Field(
        default=None, description="On a `pending` entry: when its points become available."
    )
    created_at: Timestamp
    way: str | None = Field(default=None, description="A bonus from a way to earn: the way's id.")
    multiplier: str | None = Field(
        default=None,
        description="An order's entry: the multiplier applied in all (tier × campaign); absent when 1.",
    )


class CustomerPage(Answer):
    items: list[ListedCustomer]
    next_cursor: NextCursor


class TransactionPage(Answer):
    items: list[Transaction]
    next_cursor: NextCursor


class TransactionRecorded(Answer):
    """The points transaction recorded, and the account after it."""

    transaction: Transaction
    account: Account


class OrderResult(Answer):
    status: Outcome
    customer_id: str = Field(
        description="The credited customer (the surviving member when the order named a merged guest)."
    )
    points_earned: Points = Field(description="The points the order is worth.")
    points_pending: Points = Field(
        description="The points held for the store's return window (`pending_days` > 0); 0 when "
        "they were available at once."
    )
    available_at: Timestamp | None = Field(
        description="When the pending points become available (the order's `occurred_at` plus "
        "`pending_days`); null when nothing is pending."
    )
    balance: Points
    reason: str | None = Field(
        default=None,
        description="Why the order earned nothing (an excluded customer, guests not earning, "
        "a paused program).",
    )
    program: Literal["paused"] | None = Field(
        default=None, description="Present, as `paused`, when the store's program is paused."
    )


class MemberResult(Answer):
    status: Literal["processed", "updated", "duplicate"] = Field(
        description="`updated`: a member's email or names were refreshed from a newer event; "
        "`duplicate`: nothing the event says is new (or the details held are newer), nothing changed."
    )
    customer_id: str
    customer_status: CustomerStatus
    balance: Points


class ActionResult(Answer):
    status: Literal["processed", "duplicate", "limited"] = Field(
        description="`duplicate`: this (action, customer, reference) was counted before (even past "
        "a limit); `limited`: the action's `per_customer` or `per_day` limit is reached, nothing earned."
    )
    customer_id: str = Field(
        description="The credited customer (the surviving member when the action named a merged guest)."
    )
    points_earned: Points = Field(
        description="The points this action earned (a duplicate: what it earned then)."
    )
    balance: Points
    reason: str | None = Field(
        default=None,
        description="Why the action earned nothing (an excluded customer, guests not earning, "
        "a paused program).",
    )
    program: Literal["paused"] | None = Field(
        default=None, description="Present, as `paused`, when the store's program is paused."
    )


class MergeResult(Answer):
    status: Outcome
    customer_id: str = Field(description="The member that received the guest's points.")
    merged_customer_id: str = Field(description="The archived guest file.")
    balance: Points


class RefundResult(Answer):
    status: Outcome
    customer_id: str
    points_reversed: Points = Field(description="Points taken back from the balance (and the shortfall).")
    points_cancelled: Points = Field(
        description="Points taken out of the order's pending points: the refund came inside the "
        "return window, and the balance did not move."
    )
    shortfall: int = Field(
        ge=0, description="Points the reversal could not take because the balance did not hold them."
    )
    balance: Points


class PlatformResult(Answer):
    """A platform webhook handled: the canonical answer, `ignored` (a test order, no customer) or
    `conflict` (a permanent business conflict), with a `reason` where there is one."""

    status: Literal["processed", "updated", "duplicate", "ignored", "conflict"]
    reason: str | None = None


class StorefrontTransaction(Answer):
    """A ledger entry as its customer sees it: never the merchant's reason."""

    id: str
    type: str
    points: int = Field(description="Signed; negative takes points away.")
    balance_after: Points
    order_id: str | None = None
    coupon_code: str | None = None
    created_at: Timestamp
    way: str | None = Field(default=None, description="A bonus from a way to earn: the way's id.")
    multiplier: str | None = Field(
        default=None, description="An order's entry: the multiplier applied (tier × campaign); absent when 1."
    )


class StorefrontTransactionPage(Answer):
    items: list[StorefrontTransaction]
    next_cursor: NextCursor


class Reward(Answer):
    """A reward of the store's catalog: `value` an amount with `currency` (amount_off), a
    percentage (percent_off), absent (free_shipping)."""

    id: str
    name: str
    points: int = Field(ge=1, le=10_000_000)
    kind: Literal["amount_off", "percent_off", "free_shipping"]
    value: str | None = None
    currency: str | None = None
    active: bool = Field(description="False once retired: nobody redeems it again; its coupons stay valid.")
    created_at: Timestamp
    updated_at: Timestamp


class RewardList(Answer):
    """The whole catalog (at most 100 rewards), active first."""

    items: list[Reward]


class Coupon(Answer):
    code: str = Field(description="Unique in its store; 16 characters of Crockford base32 (80 random bits).")
    reward_id: str
    kind: Literal["amount_off", "percent_off", "free_shipping"]
    value: str | None
    currency: str | None
    points: Points = Field(description="What the customer spent on it (given back if it is voided).")
    status: Literal["issued", "used", "void"]
    customer_id: str
    issued_at: Timestamp
    used_at: Timestamp | None = None
    order_id: str | None = None
    voided_at: Timestamp | None = None


class CouponPage(Answer):
    """A customer's coupons, newest first."""

    items: list[Coupon]
    next_cursor: NextCursor


class RewardRedeemed(Answer):
    """A catalog reward redeemed: the `redeem` entry, the account after it, and the coupon."""

    transaction: Transaction
    account: Account
    coupon: Coupon


class PointsTotals(Answer):
    earned: int
    adjusted: int
    redeemed: int
    unredeemed: int
    frozen: int
    expired: int
    pending: int = Field(description="Every customer's pending points, excluded customers' included.")


class CustomerTotals(Answer):
    members: int = Field(ge=0)
    candidates: int = Field(ge=0)
    excluded: int = Field(ge=0)


class Overview(Answer):
    points: PointsTotals
    customers: CustomerTotals


class ActivityDay(Answer):
    date: str = Field(description="A UTC day, YYYY-MM-DD.")
    earned: int = Field(
        description="Points that orders earned that day (pending points count on the day they are released)."
    )
    adjusted: int = Field(description="Points merchants gave (positive) or took (negative) that day.")
    redeemed: int = Field(description="Points redeemed that day, less the points of coupons voided.")
    expired: int = Field(ge=0, description="Points that expired that day.")
    reversed: int = Field(ge=0, description="Points that refunds reversed that day.")


class Activity(Answer):
    days: list[ActivityDay] = Field(max_length=366, description="Every day of the range, in order.")


class ErrorDetail(Answer):
    loc: list[str | int]
    type: str
    msg: str


class Error(Answer):
    error: str = Field(
        description="A stable code: `invalid_request` (400, 422), `unauthorized` (401), `not_found` (404), "
        "`conflict` (409), `service_unavailable` (503)."
    )
    message: str = Field(description="For people; may change between versions.")
    details: list[ErrorDetail] | None = Field(
        default=None, description="The fields that broke the schema (422 only)."
    )


class GatewayMessage(Answer):
    """A body API Gateway writes itself (authorization, throttling)."""

    message: str


class ShopifyPayload(BaseModel):
    """A Shopify webhook payload, as Shopify documents it; unknown keys are ignored."""

    model_config = ConfigDict(extra="allow", defer_build=True)
