"""The back office's decisions on one customer: give or take points, set the balance, redeem a
reward, exclude from the program and include again. Pure: each takes the account it read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from loyalty.domain.entities import (
    Account,
    Changes,
    CustomerStatus,
    EmailClaim,
    EntryType,
    LedgerEntry,
    Planned,
    Points,
    Resolved,
)
from loyalty.domain.program import Program
from loyalty.domain.rules.earning import new_account
from loyalty.domain.rules.signup import with_signup
from loyalty.errors import Conflict


@dataclass(frozen=True, slots=True)
class PointsTransaction:
    entry: LedgerEntry | None  # None when the change was no change (a balance set to itself)
    account: Resolved


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


def _refuse_excluded(account: Account) -> None:
    if account.status is CustomerStatus.EXCLUDED:
        raise Conflict(f"customer {account.customer_id} is excluded from the program", reason="excluded")


def decide_points(
    found: Resolved | None,
    store_id: str,
    customer_id: str,
    amount: int,
    reason: str,
    entry_id: str,
    now: datetime,
) -> Planned[PointsTransaction]:
    """Give (amount > 0) or take (amount < 0) points; an unknown customer becomes a candidate."""
    before = found.account if found else None
    account = before or new_account(store_id, customer_id, CustomerStatus.CANDIDATE, now)
    _refuse_excluded(account)
    if account.points.balance + amount < 0:
        raise Conflict(
            f"taking {-amount} points would leave a negative balance ({account.points.balance})",
            reason="negative_balance",
        )
    after = account.changed(now, points=account.points + Points(adjusted=amount))
    entry = _entry(after, EntryType.ADJUST, amount, reason, entry_id, now)
    merged_from = found.merged_from if found else None
    return Planned(
        Changes(accounts=((before, after),), entries=(entry,)),
        PointsTransaction(entry, Resolved(after, merged_from)),
    )


def decide_balance(
    found: Resolved, balance: int, revision: int, reason: str, entry_id: str, now: datetime
) -> Planned[PointsTransaction]:
    """Set the balance, as of the revision the merchant saw (a stale revision is refused)."""
    account = found.account
    if revision != account.revision:
        raise Conflict(
            f"stale revision {revision}: the account is at revision {account.revision}",
            reason="stale_revision",
        )
    _refuse_excluded(account)
    change = balance - account.points.balance
    if change == 0:
        return Planned(None, PointsTransaction(None, found))
    after = account.changed(now, points=account.points + Points(adjusted=change))
    entry = _entry(after, EntryType.ADJUST, change, reason, entry_id, now)
    return Planned(
        Changes(accounts=((account, after),), entries=(entry,)),
        PointsTransaction(entry, Resolved(after, found.merged_from)),
    )


def decide_redemption(
    found: Resolved, points: int, reward: str, entry_id: str, now: datetime
) -> Planned[PointsTransaction]:
    """Spend points on a reward: members only, never more than the balance."""
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
    entry = _entry(after, EntryType.REDEEM, -points, reward, entry_id, now)
    return Planned(
        Changes(accounts=((account, after),), entries=(entry,)),
        PointsTransaction(entry, Resolved(after, found.merged_from)),
    )


def decide_exclusion(found: Resolved, now: datetime) -> Planned[Resolved]:
    """Excluded customers earn nothing and redeem nothing; their balance is frozen, not deleted.
    A member keeps its email claim, so including it again cannot collide."""
    account = found.account
    if account.status is CustomerStatus.EXCLUDED:
        return Planned(None, found)
    after = account.changed(now, status=CustomerStatus.EXCLUDED, status_before_exclusion=account.status)
    return Planned(Changes(accounts=((account, after),)), Resolved(after, found.merged_from))


def decide_inclusion(found: Resolved, now: datetime, program: Program, event_id: str) -> Planned[Resolved]:
    """Restore the status the customer had (or registered for while excluded); a member that
    never had its sign-up bonus gets it now (domain/rules/signup.py)."""
    account = found.account
    if account.status is not CustomerStatus.EXCLUDED:
        return Planned(None, found)
    restored = account.status_before_exclusion or CustomerStatus.CANDIDATE
    after = account.changed(now, status=restored, status_before_exclusion=None)
    claims: tuple[EmailClaim, ...] = ()
    if restored is CustomerStatus.MEMBER and after.email_key:
        claims = (EmailClaim(account.store_id, after.email_key, after.customer_id),)
    changes = with_signup(Changes(accounts=((account, after),), claims=claims), program, now, event_id)
    return Planned(changes, Resolved(changes.accounts[0][1], found.merged_from))
