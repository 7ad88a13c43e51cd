"""The daily expiry run: for every store with expiry on, expire the balance of each account that
has been dormant for the program's months, once, in one conditional transaction per account.

- The stores come from the Expiry index's programs partition, the accounts from the store's
  Expiry partitions up to `due_bound` (rules/expiry.py): the run reads the due accounts (and at
  most a month-end's worth more), never the whole store.
- Each account is decided on the revision the index showed, and committed conditioned on it with
  its `expire:<customer>:<last_activity_at>` entry put only if absent. An order that landed since
  (or an index a revision behind) fails the revision: the account is read again, consistently,
  and decided again (no longer due). Another run that expired it first fails the entry: nothing
  more to do. So reruns, overlapping runs and redelivered schedules expire nothing twice.
- Work per invocation is bounded by `time_left`: the run stops between accounts when the function
  is about to time out, and says so; every account it did not reach is still due, and the next run
  (the next day, or one started by hand) takes it. Each day's run starts at another store.
- Reminders (the program's `expiry_reminder_days`): the same pass reads on to the accounts that
  expire within the farthest reminder day, and puts each the reminder it is due, once per
  customer, activity and reminder day, conditioned on the revision it read
  (rules/reminders.py, repository/reminders.py); EventsFunction tells it from the stream.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from loyalty.domain.entities import Account
from loyalty.domain.operations.retries import with_contention_retries
from loyalty.domain.rules.expiry import decide_expiry, due_bound, is_due
from loyalty.domain.rules.reminders import reminder_bound, reminder_due
from loyalty.errors import TransientFault
from loyalty.repository import EntryExists, Repository

STOP_WITH_SECONDS_LEFT = 10.0  # leave the function this long to finish and report


@dataclass
class ExpiryRun:
    """What a run did: stores visited, accounts read from the index, accounts and points expired,
    accounts left for a later run (contention), and whether it reached the end."""

    stores: int = 0
    read: int = 0
    expired: int = 0
    points: int = 0
    deferred: int = 0
    reminded: int = 0
    complete: bool = True


def run_expiry(
    repository: Repository,
    now: datetime,
    run_id: str,
    time_left: Callable[[], float] | None = None,
) -> ExpiryRun:
    """Expire every due account of every store with expiry on, as of `now` (the schedule's time)."""
    run = ExpiryRun()
    stores = list(repository.expiry.stores())
    # A run cut short by its time budget leaves the last stores to the next day's run; starting
    # each day at another store keeps any store from being always last.
    start = now.toordinal() % len(stores) if stores else 0
    for store_id, program in stores[start:] + stores[:start]:
        months = program.points_expiry_months
        if months is None:  # the index lists programs with expiry only; a stale entry is skipped
            continue
        run.stores += 1
        days = program.expiry_reminder_days
        # One pass over the index: the due accounts, and (with reminders on) those expiring within
        # the farthest reminder day, which are told rather than expired.
        bound = (
            max(due_bound(now, months), reminder_bound(now, months, days)) if days else due_bound(now, months)
        )
        for account in repository.expiry.dormant(store_id, bound):
            if time_left is not None and time_left() < STOP_WITH_SECONDS_LEFT:
                run.complete = False
                return run
            run.read += 1
            try:
                if not is_due(account, months, now):
                    run.reminded += remind_account(repository, account, months, days, now)
                    continue
                points = expire_account(repository, account, months, now, run_id)
            except TransientFault:
                run.deferred += 1  # still due: the next run takes it
                continue
            if points:
                run.expired += 1
                run.points += points
    return run


def remind_account(
    repository: Repository, seen: Account, months: int, reminder_days: tuple[int, ...], now: datetime
) -> int:
    """Put the reminder the account is due, once (1: put now; 0: none due, or put before)."""
    read: list[Account | None] = [seen]

    def attempt() -> int:
        account = read[0] or repository.get_account(seen.store_id, seen.customer_id)
        if account is None:
            return 0
        reminder = reminder_due(account, months, reminder_days, now)
        if reminder is None:
            return 0
        read[0] = None  # a retry reads the account again, consistently
        return 1 if repository.remind(reminder, account) else 0

    return with_contention_retries(attempt)


def expire_account(repository: Repository, seen: Account, months: int, now: datetime, run_id: str) -> int:
    """Expire one account if it is due: the points expired (0 when not due, or done before)."""
    read: list[Account | None] = [seen]

    def attempt() -> int:
        account = read[0]
        if account is None:
            account = repository.get_account(seen.store_id, seen.customer_id)
            if account is None:
                return 0
        planned = decide_expiry(account, months, now, run_id)
        if planned.changes is None:
            return 0
        read[0] = None  # a retry reads the account again, consistently
        try:
            repository.commit(planned.changes)
        except EntryExists:
            return 0  # this dormancy was expired already (another run, or a redelivery)
        return planned.result.points

    return with_contention_retries(attempt)
