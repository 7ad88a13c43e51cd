"""Refunds: reverse an order's points in proportion, once per refund, never more than it earned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal, localcontext

from loyalty.domain.commands import Refund
from loyalty.domain.entities import Account, Changes, EntryType, LedgerEntry, Points, Reversal


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


@dataclass(frozen=True, slots=True)
class RefundDecision:
    changes: Changes
    outcome: RefundOutcome


def decide_refund(event: Refund, order: LedgerEntry, account: Account, now: datetime) -> RefundDecision:
    """What a refund of `order` takes back from `account` (the member the order credits now)."""
    reversal = prorated_reversal(
        order.points, order.amount or Decimal(0), event.amount, order.points_reversed
    )
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


def repeated_refund(entry: LedgerEntry, account: Account) -> RefundOutcome:
    """The answer to a refund already recorded, from its entry and the account as it stands."""
    shortfall = entry.shortfall or 0
    return RefundOutcome(
        True, account.customer_id, -entry.points + shortfall, shortfall, account.points.balance
    )
