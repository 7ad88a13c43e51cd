"""The events as the domain reads them: plain values, whatever wire or platform they came from.

The HTTP layer validates a webhook into its wire model (loyalty.http.models) and hands the rules
one of these; the rules never see pydantic models, headers or JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Buyer:
    id: str
    email: str | None = None
    has_account: bool = False
    # None keeps the tags the service knows; a tuple (even empty) replaces them.
    tags: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    id: str
    subtotal: Decimal
    currency: str
    customer: Buyer


@dataclass(frozen=True, slots=True)
class OrderPlaced:
    event_id: str
    store_id: str
    order: PlacedOrder
    # When the platform says the order happened: its points' return window starts then.
    occurred_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Registrant:
    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    birthday: str | None = None  # "MM-DD" (domain/rules/birthdays.py)


@dataclass(frozen=True, slots=True)
class Registration:
    event_id: str
    store_id: str
    customer: Registrant
    # When the platform says the details were set: a late, older event never overwrites newer ones.
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class Invitation:
    event_id: str
    store_id: str
    guest_customer_id: str
    member_customer_id: str


@dataclass(frozen=True, slots=True)
class Refund:
    event_id: str
    store_id: str
    refund_id: str
    order_id: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ActionCompleted:
    """A customer did one of the store's custom actions (a review, a follow); `reference` names
    this doing of it (the review's id), so each is counted once."""

    event_id: str
    store_id: str
    occurred_at: datetime
    action_id: str
    customer_id: str
    reference: str
