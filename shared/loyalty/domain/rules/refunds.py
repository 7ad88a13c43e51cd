"""Refunds: reverse an order's points in proportion, once per refund, never more than it earned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal, localcontext

from loyalty.domain.commands import Refund
from loyalty.domain.entities import Account, Changes, EntryType, LedgerEntry, Points, Reversal
from loyalty.domain.rules.pending import still_pending


def refund_entry_id(refund_id: str) -> str:
    return f"refund:{refund_id}"


def prorated_reversal(order_points: int, subtotal: Decimal, refunded: Decimal, already_reversed: int) -> int:
    """floor(points × refunded / subtotal), capped so an order never loses more than it earned."""
    if order_points <= 0 or subtotal <= 0:
        return 0
    with localcontext() as context:
        context.prec = 60
        share = int((Decimal(order_points) * refunded / subtotal).to_integral_value(rounding=ROUND_FLOOR))
    return max(0, min(share, order_points - already_reversed))


def split_reversal(reversal: int, balance: int) -> tuple[int, int]:
    """(taken, shortfall): the balance never goes below 0; what it cannot give is recorded."""
    taken = min(reversal, max(balance, 0))
    return taken, reversal - taken


@dataclass(frozen=True, slots=True)
class RefundOutcome:
    duplicate: bool
    customer_id: str
    points_reversed: int
    shortfall: int
    balance: int
    points_cancelled: int = 0  # taken out of the order's points still pending (the return window)


@dataclass(frozen=True, slots=True)
class RefundDecision:
    changes: Changes
    outcome: RefundOutcome


def decide_refund(
    event: Refund,
    order: LedgerEntry,
    account: Account,
    now: datetime,
    next_release: datetime | None = None,
) -> RefundDecision:
    """What a refund of `order` takes back from `account` (the member the order credits now).

    While the order's points are pending, the refund cancels them instead (`decide_cancel`);
    `next_release` is then the earliest `available_at` of the account's other open entries."""
    reversal = prorated_reversal(
        order.points, order.amount or Decimal(0), event.amount, order.points_reversed
    )
    if still_pending(order):
        return decide_cancel(event, order, account, now, reversal, next_release)
    taken, shortfall = split_reversal(reversal, account.points.balance)
    after = account.changed(now, points=account.points + Points(earned=-taken))
    entry = LedgerEntry(
        store_id=event.store_id,
        entry_id=refund_entry_id(event.refund_id),
        customer_id=account.customer_id,
        type=EntryType.REVERSE,
        points=-taken,
        balance_after=after.points.balance,
        created_at=now,
        event_id=event.event_id,
        reason=f"refund {event.refund_id} of order {event.order_id}",
        order_id=event.order_id,
        amount=event.amount,
        shortfall=shortfall,
    )
    changes = Changes(
        accounts=((account, after),),
        entries=(entry,),
        reversals=(Reversal(order, order.points_reversed, order.points_reversed + reversal),),
    )
    return RefundDecision(
        changes, RefundOutcome(False, account.customer_id, reversal, shortfall, after.points.balance)
    )


def decide_cancel(
    event: Refund,
    order: LedgerEntry,
    account: Account,
    now: datetime,
    cancelled: int,
    next_release: datetime | None,
) -> RefundDecision:
    """A refund inside the return window: a `cancel` entry takes its points out of the pending
    ones (the balance does not move); the entry closes when nothing of it is left pending."""
    cancelled = min(cancelled, still_pending(order), account.points.pending)
    closes = cancelled == still_pending(order)
    pending_after = account.points.pending - cancelled
    release_at = account.pending_release_at
    if closes:
        release_at = next_release
    after = account.changed(
        now,
        points=account.points + Points(pending=-cancelled),
        pending_release_at=release_at if pending_after > 0 else None,
    )
    entry = LedgerEntry(
        store_id=event.store_id,
        entry_id=refund_entry_id(event.refund_id),
        customer_id=account.customer_id,
        type=EntryType.CANCEL,
        points=-cancelled,
        balance_after=after.points.balance,
        created_at=now,
        event_id=event.event_id,
        reason=f"refund {event.refund_id} of order {event.order_id}, inside the return window",
        order_id=event.order_id,
        amount=event.amount,
    )
    reversal = Reversal(
        order, order.points_reversed, order.points_reversed + cancelled, pending=True, closes=closes
    )
    changes = Changes(accounts=((account, after),), entries=(entry,), reversals=(reversal,))
    outcome = RefundOutcome(False, account.customer_id, 0, 0, after.points.balance, cancelled)
    return RefundDecision(changes, outcome)


def repeated_refund(entry: LedgerEntry, account: Account) -> RefundOutcome:
    """The answer to a refund already recorded, from its entry and the account as it stands."""
    if entry.type is EntryType.CANCEL:
        return RefundOutcome(True, account.customer_id, 0, 0, account.points.balance, -entry.points)
    shortfall = entry.shortfall or 0
    return RefundOutcome(
        True, account.customer_id, -entry.points + shortfall, shortfall, account.points.balance
    )
