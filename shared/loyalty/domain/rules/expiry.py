"""Points expiry (pure): when a dormant account's balance runs out, and what expiring it writes.

A store's program may set `points_expiry_months`; a member's or candidate's whole balance then
expires once `last_activity_at` lies that many calendar months in the past. Calendar months as
people count them: 31 January + 1 month is the last day of February (the 28th, or the 29th in a
leap year), 30 April + 1 month is 30 May. Expiring is not activity: `last_activity_at` stays, and
the entry's business key is the customer with the `last_activity_at` it expired, so the same
dormancy is expired at most once, however often a run repeats.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from loyalty.domain.entities import (
    Account,
    Changes,
    CustomerStatus,
    EntryType,
    LedgerEntry,
    Planned,
    Points,
    format_timestamp,
)

MIN_EXPIRY_MONTHS = 1
MAX_EXPIRY_MONTHS = 60
EXPIRING_STATUSES = frozenset({CustomerStatus.MEMBER, CustomerStatus.CANDIDATE})
_ONE_MILLISECOND = timedelta(milliseconds=1)  # the precision timestamps are stored with


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus calendar months, the day clamped to the target month's last day."""
    index = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def due_bound(now: datetime, months: int) -> datetime:
    """An exclusive upper bound on the `last_activity_at` of every account due at `now`.

    Every due account was last active before it, so an index range query up to it misses none.
    It is exact except on the last day of a month, when clamping makes `add_months` many-to-one:
    then the whole target month is read and `is_due` sorts out the few not yet due.
    """
    index = now.year * 12 + (now.month - 1) - months
    year, month = divmod(index, 12)
    days_in_target = calendar.monthrange(year, month + 1)[1]
    if now.day > days_in_target or now.day == calendar.monthrange(now.year, now.month)[1]:
        return datetime(year, month + 1, 1, tzinfo=now.tzinfo) + timedelta(days=days_in_target)
    return now.replace(year=year, month=month + 1) + _ONE_MILLISECOND


def can_expire(account: Account) -> bool:
    """Members and candidates with points; excluded customers' points are frozen, merged files empty."""
    return account.status in EXPIRING_STATUSES and account.points.balance > 0


def expires_at(account: Account, months: int | None) -> datetime | None:
    """When the balance expires if nothing happens before; None when it never does."""
    if months is None or not can_expire(account):
        return None
    return add_months(account.last_activity_at, months)


def is_due(account: Account, months: int, now: datetime) -> bool:
    moment = expires_at(account, months)
    return moment is not None and moment <= now


def expiry_entry_id(account: Account) -> str:
    """The business key: this customer's points expired for this `last_activity_at`, once."""
    return f"expire:{account.customer_id}:{format_timestamp(account.last_activity_at)}"


@dataclass(frozen=True, slots=True)
class Expired:
    account: Account  # as it was read (the decision is re-made on a newer revision)
    points: int  # expired by this decision (0: not due)


def decide_expiry(account: Account, months: int, now: datetime, run_id: str) -> Planned[Expired]:
    """Expire the whole balance of a due account, keeping its `last_activity_at`; else nothing."""
    if not is_due(account, months, now):
        return Planned(None, Expired(account, 0))
    balance = account.points.balance
    after = replace(
        account,
        points=account.points + Points(expired=balance),
        revision=account.revision + 1,
        updated_at=max(now, account.updated_at),
        expiry_listed_at=None,
    )
    entry_id = expiry_entry_id(account)
    entry = LedgerEntry(
        store_id=account.store_id,
        entry_id=entry_id,
        customer_id=account.customer_id,
        type=EntryType.EXPIRE,
        points=-balance,
        balance_after=after.points.balance,
        created_at=now,
        event_id=run_id,
        reason=f"no activity for {months} months",
    )
    return Planned(Changes(accounts=((account, after),), entries=(entry,)), Expired(account, balance))
