"""Refunds: reverse an order's points in proportion, once per refund, never more than it earned."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal, localcontext

from loyalty.domain.customers import resolve
from loyalty.domain.entities import Account, Changes, EntryType, LedgerEntry, Points, Reversal, utc_now
from loyalty.domain.retries import with_contention_retries
from loyalty.domain.rules import order_entry_id
from loyalty.errors import NotFound
from loyalty.http.models import OrderRefunded
from loyalty.repository import EntryExists, Repository


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


def record_refund(
    event: OrderRefunded, repository: Repository, clock: Callable[[], datetime] = utc_now
) -> RefundOutcome:
    refund = event.refund

    def attempt() -> RefundOutcome:
        order = repository.get_entry(event.store_id, order_entry_id(refund.order_id))
        if order is None:
            raise NotFound(f"order {refund.order_id} not found in store {event.store_id}")
        found = resolve(repository, event.store_id, order.customer_id)
        if found is None:
            raise LookupError(f"order {refund.order_id} credits a missing account")
        account = found.account
        reversal = prorated_reversal(
            order.points, order.amount or Decimal(0), refund.refunded_amount, order.points_reversed
        )
        taken, shortfall = split_reversal(reversal, account.points.balance)
        now = clock()
        after = account.changed(now, points=account.points + Points(earned=-taken))
        entry = LedgerEntry(
            store_id=event.store_id,
            entry_id=refund_entry_id(refund.id),
            customer_id=account.customer_id,
            type=EntryType.REVERSE,
            points=-taken,
            balance_after=after.points.balance,
            created_at=now,
            event_id=event.event_id,
            reason=f"refund {refund.id} of order {refund.order_id}",
            order_id=refund.order_id,
            amount=refund.refunded_amount,
            shortfall=shortfall,
        )
        changes = Changes(
            accounts=((account, after),),
            entries=(entry,),
            reversals=(Reversal(order, order.points_reversed, order.points_reversed + reversal),),
        )
        try:
            repository.commit(changes)
        except EntryExists as applied:
            return _duplicate(applied.entry, account)
        return RefundOutcome(False, account.customer_id, reversal, shortfall, after.points.balance)

    return with_contention_retries(attempt)


def _duplicate(entry: LedgerEntry, account: Account) -> RefundOutcome:
    shortfall = entry.shortfall or 0
    return RefundOutcome(
        True, account.customer_id, -entry.points + shortfall, shortfall, account.points.balance
    )
