"""Pending points (pure): the return window. An order's points wait outside the balance until
`available_at`; a refund inside the window cancels them; the release makes what is left available.

The order's own ledger entry (`order:<id>`, type `pending`) is the pending entry: it stays open
until released or fully cancelled. Its release is `release:<order id>`, so a rerun, an overlapping
run or a redelivered schedule finds it written and releases nothing twice. A release is not the
customer's activity: `last_activity_at` stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from loyalty.domain.entities import (
    Account,
    Changes,
    EntryType,
    LedgerEntry,
    PendingClosed,
    Planned,
    Points,
)

MIN_PENDING_DAYS = 0
MAX_PENDING_DAYS = 90


def available_at(occurred_at: datetime, pending_days: int) -> datetime:
    """When an order's points become available: its `occurred_at` plus the window's days."""
    return occurred_at + timedelta(days=pending_days)


def release_entry_id(order_id: str) -> str:
    return f"release:{order_id}"


def still_pending(entry: LedgerEntry) -> int:
    """What of an open pending entry is still pending (its points less what refunds cancelled)."""
    if entry.type is not EntryType.PENDING or not entry.open:
        return 0
    return max(0, entry.points - entry.points_reversed)


def earliest(moments: Iterable[datetime | None]) -> datetime | None:
    known = [moment for moment in moments if moment is not None]
    return min(known) if known else None


def next_release_at(open_entries: Iterable[LedgerEntry], closing: str) -> datetime | None:
    """The earliest `available_at` of the open entries once `closing` (an entry id) is closed."""
    return earliest(
        entry.available_at for entry in open_entries if entry.entry_id != closing and still_pending(entry)
    )


def balance_effect(entry: LedgerEntry) -> int:
    """What an entry did to its owner's balance: a pending entry and a cancel leave it alone."""
    return 0 if entry.type in (EntryType.PENDING, EntryType.CANCEL) else entry.points


def pending_effect(entry: LedgerEntry) -> int:
    """What an entry did to its owner's `points.pending` (the pending invariant sums these)."""
    if entry.type is EntryType.PENDING:
        return entry.points
    if entry.type is EntryType.RELEASE:
        return -entry.points
    if entry.type is EntryType.CANCEL:
        return entry.points  # negative: the points cancelled
    if entry.type is EntryType.MERGE_OUT:
        return -entry.pending_moved
    if entry.type is EntryType.MERGE_IN:
        return entry.pending_moved
    return 0


@dataclass(frozen=True, slots=True)
class Released:
    entry: LedgerEntry  # the pending entry, as read
    points: int  # released by this decision (0: nothing to release)


def is_due(entry: LedgerEntry, now: datetime) -> bool:
    return entry.open and entry.available_at is not None and entry.available_at <= now


def decide_release(
    entry: LedgerEntry,
    account: Account,
    now: datetime,
    run_id: str,
    next_release: datetime | None,
) -> Planned[Released]:
    """Release what is still pending of a due entry into `account` (the member it credits now).

    `next_release` is the earliest `available_at` of the account's other open entries (the
    caller reads them). The account keeps its `last_activity_at`: a release is not activity.
    """
    if not is_due(entry, now):
        return Planned(None, Released(entry, 0))
    points = min(still_pending(entry), account.points.pending)
    pending_after = account.points.pending - points
    after = replace(
        account,
        points=account.points + Points(earned=points, pending=-points),
        revision=account.revision + 1,
        updated_at=max(now, account.updated_at),
        pending_release_at=next_release if pending_after > 0 else None,
        expiry_listed_at=None,
    )
    closed = PendingClosed(entry, points)
    if points == 0:  # nothing left (cancelled meanwhile): close the entry, release nothing
        return Planned(Changes(accounts=((account, after),), closed=(closed,)), Released(entry, 0))
    release = LedgerEntry(
        store_id=entry.store_id,
        entry_id=release_entry_id(entry.order_id or entry.entry_id),
        customer_id=account.customer_id,
        type=EntryType.RELEASE,
        points=points,
        balance_after=after.points.balance,
        created_at=now,
        event_id=run_id,
        reason="return window closed",
        order_id=entry.order_id,
        addressed_customer_id=entry.customer_id if entry.customer_id != account.customer_id else None,
    )
    changes = Changes(accounts=((account, after),), entries=(release,), closed=(closed,))
    return Planned(changes, Released(entry, points))
