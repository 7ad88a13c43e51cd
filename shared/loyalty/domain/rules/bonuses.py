"""What a way to earn pays, under the order rules: a paused program, an excluded customer, and a
guest of a store whose guests do not earn get nothing (pure, no I/O)."""

from __future__ import annotations

from datetime import datetime

from loyalty.domain.entities import Account, CustomerStatus, EntryType, LedgerEntry, Points
from loyalty.domain.program import Program


def refusal(account: Account, program: Program) -> str | None:
    """Why `account` earns nothing from a way to earn now (None: it earns), as orders say it."""
    if not program.active:
        return "program paused"
    if account.status is CustomerStatus.EXCLUDED:
        return "customer excluded"
    if account.status is CustomerStatus.CANDIDATE and not program.guests_earn_points:
        return "guests do not earn points"
    if account.status is CustomerStatus.MERGED:
        return "customer merged"
    return None


def paid(
    account: Account,
    way_id: str,
    entry_id: str,
    points: int,
    now: datetime,
    event_id: str,
    reason: str | None,
) -> tuple[Account, LedgerEntry]:
    """The account's next revision with `points` earned (0: only the entry, the account's activity
    untouched) and the `bonus` entry that records them with its way."""
    after = (
        account.changed(now, points=account.points + Points(earned=points))
        if points > 0
        else account.revised(max(now, account.updated_at))
    )
    entry = LedgerEntry(
        store_id=account.store_id,
        entry_id=entry_id,
        customer_id=account.customer_id,
        type=EntryType.BONUS,
        points=points,
        balance_after=after.points.balance,
        created_at=now,
        event_id=event_id,
        reason=reason,
        way=way_id,
    )
    return after, entry
