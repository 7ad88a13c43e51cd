"""Outbound events: what each stored change tells the merchant's other systems (pure; no I/O).

A change reaches the events function as a stream record of one item: a new ledger entry, an
account's next revision, or a coupon's. Each yields exactly the kinds it is, each with an id
derived from what changed (the entry's business key, the account's revision, the coupon's
status), so a redelivered record yields the same ids again and a consumer deduplicates on them.

Adding a kind is one place: a ledger entry type maps to its kind in `ENTRY_KINDS`; an account
change is a function in `ACCOUNT_CHANGES` that names the kind (and its fields) an old and a new
revision of an account make, or None.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from loyalty.domain.entities import (
    Account,
    Coupon,
    CouponStatus,
    CustomerStatus,
    LedgerEntry,
    format_timestamp,
)
from loyalty.domain.program import Program
from loyalty.domain.rules.reminders import Reminder
from loyalty.domain.rules.tiers import tier_change

Item = TypeVar("Item")
SOURCE = "loyalty"  # EventBridge's `Source` of every event


class EventKind(StrEnum):
    POINTS_EARNED = "points.earned"
    POINTS_PENDING = "points.pending"
    POINTS_RELEASED = "points.released"
    POINTS_BONUS = "points.bonus"
    POINTS_ADJUSTED = "points.adjusted"
    POINTS_REDEEMED = "points.redeemed"
    POINTS_REVERSED = "points.reversed"
    POINTS_CANCELLED = "points.cancelled"
    POINTS_EXPIRED = "points.expired"
    POINTS_IMPORTED = "points.imported"
    POINTS_EXPIRING_SOON = "points.expiring_soon"
    TIER_UPGRADED = "tier.upgraded"
    TIER_DOWNGRADED = "tier.downgraded"
    CUSTOMER_JOINED = "customer.joined"
    CUSTOMER_MERGED = "customer.merged"
    CUSTOMER_EXCLUDED = "customer.excluded"
    CUSTOMER_INCLUDED = "customer.included"
    CUSTOMER_ERASED = "customer.erased"
    COUPON_ISSUED = "coupon.issued"
    COUPON_USED = "coupon.used"
    COUPON_VOIDED = "coupon.voided"


Field = str | int | None


@dataclass(frozen=True, slots=True)
class OutboundEvent:
    """One event as published: `fields` are the kind's own (never personal data)."""

    id: str
    kind: EventKind
    store_id: str
    customer_id: str
    occurred_at: datetime
    fields: Mapping[str, Field] = field(default_factory=dict)

    def detail(self, email: str | None = None) -> dict[str, Field]:
        """The event's `Detail`; `email` only when the store opted in (the caller decides)."""
        detail: dict[str, Field] = {
            "id": self.id,
            "store_id": self.store_id,
            "customer_id": self.customer_id,
            "occurred_at": format_timestamp(self.occurred_at),
        }
        detail.update((name, value) for name, value in self.fields.items() if value is not None)
        if email:
            detail["email"] = email
        return detail


def event_id(store_id: str, kind: EventKind, source: str) -> str:
    """The same change (its store, kind and what identifies it) always gives the same id."""
    digest = hashlib.sha256("\x1f".join((store_id, kind.value, source)).encode()).hexdigest()
    return f"evt_{digest[:32]}"


def _event(
    kind: EventKind, store_id: str, customer_id: str, occurred_at: datetime, source: str, **fields: Field
) -> OutboundEvent:
    return OutboundEvent(event_id(store_id, kind, source), kind, store_id, customer_id, occurred_at, fields)


# Ledger entries -------------------------------------------------------------------------------

# Keyed by the entry type's value, so a type another change adds (a bonus entry) is told by
# adding one line here. A merge's `merge_out` tells nothing: its `merge_in` is the merge.
ENTRY_KINDS: Mapping[str, EventKind] = {
    "earn": EventKind.POINTS_EARNED,
    "pending": EventKind.POINTS_PENDING,
    "release": EventKind.POINTS_RELEASED,
    "bonus": EventKind.POINTS_BONUS,
    "adjust": EventKind.POINTS_ADJUSTED,
    "redeem": EventKind.POINTS_REDEEMED,
    "reverse": EventKind.POINTS_REVERSED,
    "cancel": EventKind.POINTS_CANCELLED,
    "expire": EventKind.POINTS_EXPIRED,
    "import": EventKind.POINTS_IMPORTED,
    "merge_in": EventKind.CUSTOMER_MERGED,
    "refund": EventKind.COUPON_VOIDED,  # a voided coupon's points given back
}


def entry_events(entry: LedgerEntry) -> tuple[OutboundEvent, ...]:
    """The event a new ledger entry is (none for a merge's outgoing half)."""
    kind = ENTRY_KINDS.get(entry.type.value)
    if kind is None:
        return ()
    fields: dict[str, Field] = {
        "points": entry.points,
        "balance": entry.balance_after,
        "order_id": entry.order_id,
        "coupon_code": entry.coupon_code,
    }
    if entry.available_at is not None:
        fields["available_at"] = format_timestamp(entry.available_at)
    if kind is EventKind.CUSTOMER_MERGED:
        fields["merged_customer_id"] = entry.counterpart_customer_id
    if entry.way is not None:  # a bonus from a way to earn (sign-up, birthday, action)
        fields["way"] = entry.way
    return (
        _event(
            kind,
            entry.store_id,
            entry.customer_id,
            entry.created_at,
            f"entry:{entry.entry_id}",
            **fields,
        ),
    )


# Accounts -------------------------------------------------------------------------------------

AccountChange = Callable[[Account | None, Account], "tuple[EventKind, dict[str, Field]] | None"]


def _status(account: Account | None) -> CustomerStatus | None:
    return account.status if account is not None else None


def joined(old: Account | None, new: Account) -> tuple[EventKind, dict[str, Field]] | None:
    """A candidate or an unknown customer became a member."""
    if new.status is CustomerStatus.MEMBER and _status(old) in (None, CustomerStatus.CANDIDATE):
        return EventKind.CUSTOMER_JOINED, {"balance": new.points.balance}
    return None


def excluded(old: Account | None, new: Account) -> tuple[EventKind, dict[str, Field]] | None:
    if new.status is CustomerStatus.EXCLUDED and _status(old) is not CustomerStatus.EXCLUDED:
        return EventKind.CUSTOMER_EXCLUDED, {"balance": new.points.balance}
    return None


def included(old: Account | None, new: Account) -> tuple[EventKind, dict[str, Field]] | None:
    if _status(old) is CustomerStatus.EXCLUDED and new.status is not CustomerStatus.EXCLUDED:
        return EventKind.CUSTOMER_INCLUDED, {"status": new.status.value, "balance": new.points.balance}
    return None


def erased(old: Account | None, new: Account) -> tuple[EventKind, dict[str, Field]] | None:
    """Personal data erased: the merchant's other systems erase too."""
    if new.erased_at is not None and (old is None or old.erased_at != new.erased_at):
        return EventKind.CUSTOMER_ERASED, {}
    return None


ACCOUNT_CHANGES: tuple[AccountChange, ...] = (joined, excluded, included, erased)


def account_events(old: Account | None, new: Account) -> tuple[OutboundEvent, ...]:
    """The events an account's next revision makes; its id names the revision that made it."""
    found = []
    for change in ACCOUNT_CHANGES:
        made = change(old, new)
        if made is not None:
            kind, fields = made
            source = f"account:{new.customer_id}:{new.revision}"
            found.append(_event(kind, new.store_id, new.customer_id, new.updated_at, source, **fields))
    return tuple(found)


def held_tier_id(account: Account | None) -> str | None:
    """The tier recorded on the account (None: none, or no account)."""
    return account.tiering.held.id if account is not None and account.tiering.held else None


def tier_events(old: Account | None, new: Account, program: Program) -> tuple[OutboundEvent, ...]:
    """A recorded tier reached or lost (`tier.upgraded` or `tier.downgraded`, by the tiers' order in
    the program): the tier rules' `tier_change` decides, so the events say what the rules did."""
    change = tier_change(old, new, program)
    if change is None:
        return ()
    kind = EventKind.TIER_UPGRADED if change.upgraded else EventKind.TIER_DOWNGRADED
    source = f"account:{new.customer_id}:{new.revision}"
    fields: dict[str, Field] = {"tier": change.tier, "previous_tier": change.previous}
    return (_event(kind, new.store_id, new.customer_id, new.updated_at, source, **fields),)


# Coupons --------------------------------------------------------------------------------------


def coupon_events(old: Coupon | None, new: Coupon) -> tuple[OutboundEvent, ...]:
    """A coupon issued (a new item) or used (issued → used). A void is told by its refund entry,
    which carries the points given back and the balance after."""
    if old is None and new.status is CouponStatus.ISSUED:
        kind, at = EventKind.COUPON_ISSUED, new.issued_at
    elif old is not None and old.status is CouponStatus.ISSUED and new.status is CouponStatus.USED:
        kind, at = EventKind.COUPON_USED, new.used_at or new.issued_at
    else:
        return ()
    fields: dict[str, Field] = {
        "coupon_code": new.code,
        "reward_id": new.reward_id,
        "points": new.points,
        "order_id": new.order_id if kind is EventKind.COUPON_USED else None,
    }
    return (
        _event(kind, new.store_id, new.customer_id, at, f"coupon:{new.code}:{new.status.value}", **fields),
    )


# Reminders ------------------------------------------------------------------------------------


def reminder_events(reminder: Reminder) -> tuple[OutboundEvent, ...]:
    """A balance that expires within a reminder day: told once per customer, activity and day."""
    return (
        _event(
            EventKind.POINTS_EXPIRING_SOON,
            reminder.store_id,
            reminder.customer_id,
            reminder.created_at,
            f"reminder:{reminder.key}",
            points=reminder.points,
            expires_at=format_timestamp(reminder.points_expire_at),
            days=reminder.days,
        ),
    )


# Batches --------------------------------------------------------------------------------------

MAX_ENTRIES_PER_CALL = 10  # EventBridge's PutEvents takes at most 10 entries


def batches(items: Sequence[Item], size: int = MAX_ENTRIES_PER_CALL) -> list[list[Item]]:
    """Items (events, or events with what they carry) in publishing order, at most `size` a call."""
    if size < 1:
        raise ValueError("a batch holds at least one event")
    return [list(items[start : start + size]) for start in range(0, len(items), size)]
