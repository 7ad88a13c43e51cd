"""Back-office points transactions: give or take points, edit a balance, redeem a reward."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from loyalty.domain.customers import Resolved, require, resolve
from loyalty.domain.idempotency import Planned
from loyalty.domain.rules import new_account
from loyalty.entities import Account, Changes, CustomerStatus, EntryType, LedgerEntry, Points
from loyalty.errors import Conflict
from loyalty.repository import Repository


@dataclass(frozen=True, slots=True)
class PointsTransaction:
    entry: LedgerEntry | None  # None when the change was no change (a balance set to itself)
    account: Resolved


def transaction_id(kind: str, idempotency_key: str | None) -> str:
    """An entry's business key: the Idempotency-Key when given, so a repeat cannot write twice."""
    return f"{kind}:{idempotency_key or uuid.uuid4().hex}"


def _entry(
    account: Account, kind: EntryType, points: int, reason: str, entry_id: str, now: datetime
) -> LedgerEntry:
    return LedgerEntry(
        store_id=account.store_id,
        entry_id=entry_id,
        customer_id=account.customer_id,
        type=kind,
        points=points,
        balance_after=account.points.balance,
        created_at=now,
        event_id=entry_id,
        reason=reason,
    )


def plan_points(
    repository: Repository,
    store_id: str,
    customer_id: str,
    amount: int,
    reason: str,
    idempotency_key: str | None,
    now: datetime,
) -> Planned[PointsTransaction]:
    """Give (amount > 0) or take (amount < 0) points; an unknown customer becomes a candidate."""
    found = resolve(repository, store_id, customer_id)
    before = found.account if found else None
    account = before or new_account(store_id, customer_id, CustomerStatus.CANDIDATE, now)
    if account.status is CustomerStatus.EXCLUDED:
        raise Conflict(f"customer {account.customer_id} is excluded from the program", reason="excluded")
    if account.points.balance + amount < 0:
        raise Conflict(
            f"taking {-amount} points would leave a negative balance ({account.points.balance})",
            reason="negative_balance",
        )
    after = account.changed(now, points=account.points + Points(adjusted=amount))
    entry = _entry(after, EntryType.ADJUST, amount, reason, transaction_id("adjust", idempotency_key), now)
    merged_from = found.merged_from if found else None
    return Planned(
        Changes(accounts=((before, after),), entries=(entry,)),
        PointsTransaction(entry, Resolved(after, merged_from)),
    )


def plan_balance(
    repository: Repository,
    store_id: str,
    customer_id: str,
    balance: int,
    revision: int,
    reason: str,
    idempotency_key: str | None,
    now: datetime,
) -> Planned[PointsTransaction]:
    """Set the balance, as of the revision the merchant saw (a stale revision is refused)."""
    found = require(repository, store_id, customer_id)
    account = found.account
    if revision != account.revision:
        raise Conflict(
            f"stale revision {revision}: the account is at revision {account.revision}",
            reason="stale_revision",
        )
    if account.status is CustomerStatus.EXCLUDED:
        raise Conflict(f"customer {account.customer_id} is excluded from the program", reason="excluded")
    change = balance - account.points.balance
    if change == 0:
        return Planned(None, PointsTransaction(None, found))
    after = account.changed(now, points=account.points + Points(adjusted=change))
    entry = _entry(after, EntryType.ADJUST, change, reason, transaction_id("adjust", idempotency_key), now)
    return Planned(
        Changes(accounts=((account, after),), entries=(entry,)),
        PointsTransaction(entry, Resolved(after, found.merged_from)),
    )


def plan_redemption(
    repository: Repository,
    store_id: str,
    customer_id: str,
    points: int,
    reward: str,
    idempotency_key: str | None,
    now: datetime,
) -> Planned[PointsTransaction]:
    """Spend points on a reward: members only, never more than the balance."""
    found = require(repository, store_id, customer_id)
    account = found.account
    if account.status is not CustomerStatus.MEMBER:
        raise Conflict(
            f"only members redeem; customer {account.customer_id} is {account.status.value}",
            reason="not_a_member",
        )
    if points > account.points.balance:
        raise Conflict(
            f"cannot redeem {points} points: the balance is {account.points.balance}",
            reason="insufficient_balance",
        )
    after = account.changed(now, points=account.points + Points(redeemed=points))
    entry = _entry(after, EntryType.REDEEM, -points, reward, transaction_id("redeem", idempotency_key), now)
    return Planned(
        Changes(accounts=((account, after),), entries=(entry,)),
        PointsTransaction(entry, Resolved(after, found.merged_from)),
    )
