"""The daily tier review: every account whose listed `kept_until` has passed is judged again, as
of the schedule's time, in one conditional transaction per account.

- Due accounts come from the sparse Tiers index up to "now", every store's: a run reads what is due
  and nothing else (an account is listed once, under the `kept_until` it had when listed; an order
  that moved `kept_until` on leaves the listing, and the review lists it again under the real one).
- Each account is read again consistently and decided on it with the store's program (rules/tiers.py
  `review`); the write is conditioned on the revision read, and an entry bonus (a tier reached
  through settings lowered since) is put only if absent. An order that lands meanwhile fails the
  revision: the account is read and decided again. A rerun finds the account no longer due.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from loyalty.domain.operations.program import ProgramCache, cached_program
from loyalty.domain.operations.retries import with_contention_retries
from loyalty.domain.operations.scheduled import Tally, work_through
from loyalty.domain.program import Program
from loyalty.domain.rules import tiers
from loyalty.repository import EntryExists, Repository


def run_tier_review(
    repository: Repository,
    now: datetime,
    run_id: str,
    time_left: Callable[[], float] | None = None,
    programs: ProgramCache | None = None,
) -> Tally:
    """Review every account due by `now`: `changed` counts the accounts written, `points` the
    entry bonuses paid."""
    cache = programs or ProgramCache(Program())
    return work_through(
        repository.tiers.due(now),
        lambda due: review_account(repository, due[0], due[1], now, run_id, cache),
        time_left,
    )


def review_account(
    repository: Repository,
    store_id: str,
    customer_id: str,
    now: datetime,
    run_id: str,
    programs: ProgramCache,
) -> int | None:
    """Judge one listed account again: None when nothing changed, else the bonus points paid."""

    def attempt() -> int | None:
        account = repository.get_account(store_id, customer_id)
        if account is None or not tiers.is_due(account, now):
            return None
        planned = tiers.review(account, cached_program(programs, repository, store_id), now, run_id)
        if planned.changes is None:
            return None
        try:
            repository.commit(planned.changes)
        except EntryExists:
            return None  # a bonus already paid: the account was changed meanwhile, read again next run
        return sum(entry.points for entry in planned.changes.entries)

    return with_contention_retries(attempt)
