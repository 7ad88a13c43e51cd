"""The hourly release run: every pending entry whose return window has closed gives what is left
of its points to the account it credits now, once, in one conditional transaction per entry.

- Due entries come from the sparse Pending index up to "now" (the schedule's time), every store's,
  earliest first: a run reads what is due and nothing else.
- Each entry is read again consistently with the account it credits (a merged guest's entry
  credits the member), decided on those, and committed with its `release:<order id>` entry put
  only if absent, the account conditioned on the revision read and the pending entry on still
  being open with the refunds read. An order or a refund that lands meanwhile fails a condition:
  the entry is read and decided again. Another run that released it first fails the release
  entry: nothing more to do. So reruns, overlapping runs and redelivered schedules release
  nothing twice.
- Work per invocation is bounded by `time_left`, as the expiry run's is: what a run does not
  reach stays due, and the next hour's run takes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from loyalty.domain.entities import Account, LedgerEntry
from loyalty.domain.operations.customers import resolve
from loyalty.domain.operations.program import ProgramCache, cached_program
from loyalty.domain.operations.retries import with_contention_retries
from loyalty.domain.operations.scheduled import work_through
from loyalty.domain.program import Program
from loyalty.domain.rules.pending import decide_release, is_due, next_release_at, still_pending
from loyalty.domain.rules.tiers import with_tiers
from loyalty.repository import AccountChanged, EntryExists, Repository


@dataclass
class ReleaseRun:
    """What a run did: entries read from the index, entries and points released, entries left
    for a later run (contention), and whether it reached the end."""

    read: int = 0
    released: int = 0
    points: int = 0
    deferred: int = 0
    complete: bool = True


def run_release(
    repository: Repository,
    now: datetime,
    run_id: str,
    time_left: Callable[[], float] | None = None,
    programs: ProgramCache | None = None,
) -> ReleaseRun:
    """Release every due pending entry of every store, as of `now` (the schedule's time)."""
    programs = programs or ProgramCache(Program())
    tally = work_through(
        repository.pending.due(now),
        lambda seen: release_entry(repository, seen, now, run_id, programs) or None,
        time_left,
    )
    return ReleaseRun(tally.read, tally.changed, tally.points, tally.deferred, tally.complete)


def release_entry(
    repository: Repository,
    seen: LedgerEntry,
    now: datetime,
    run_id: str,
    programs: ProgramCache | None = None,
) -> int:
    """Release one pending entry if it is due and still open: the points released (0: nothing).
    Released points qualify for tiers at the run's time (the store's program judges them)."""
    programs = programs or ProgramCache(Program())

    def attempt() -> int:
        entry = repository.get_entry(seen.store_id, seen.entry_id)
        if entry is None or not is_due(entry, now):
            return 0
        found = resolve(repository, entry.store_id, entry.customer_id)
        if found is None:
            return 0
        account = found.account
        left = account.points.pending - min(still_pending(entry), account.points.pending)
        upcoming = next_release(repository, account, entry.entry_id, left)
        planned = decide_release(entry, account, now, run_id, upcoming)
        if planned.changes is None:
            return 0
        program = cached_program(programs, repository, entry.store_id)
        try:
            repository.commit(with_tiers(planned.changes, program, now, now))
        except EntryExists:
            return 0  # released already (another run, or a redelivered schedule)
        return planned.result.points

    return with_contention_retries(attempt)


def next_release(
    repository: Repository, account: Account, closing: str, pending_left: int
) -> datetime | None:
    """The earliest `available_at` among the account's other open entries once `closing` closes.

    Read only when points stay pending. The ledger index is eventually consistent, so what it shows
    must add up to the pending points that stay (`pending_left`, from the consistent read of the
    account); when it does not, it lags a write: read again (a retry, then a later run)."""
    if pending_left <= 0:
        return None
    owners = (account.customer_id, *account.merged_customer_ids)
    others = [
        entry
        for entry in repository.pending.open_entries(account.store_id, owners)
        if entry.entry_id != closing
    ]
    if sum(still_pending(entry) for entry in others) != pending_left:
        raise AccountChanged("the ledger index lags the account's pending points")
    return next_release_at(others, closing)
