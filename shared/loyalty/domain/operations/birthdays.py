"""Birthdays: setting a customer's (the back office), and the daily run that pays the birthday way.

The run takes its day from the schedule's time (UTC), reads the day's birthdays from the sparse
Birthdays index (every store's; 29 February's too on 28 February of other years), and pays each
account in one transaction with the business key `birthday:<customer>:<year>`: a rerun, or a run
racing itself, finds the entry and pays nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from loyalty.domain.entities import Account, Changes, utc_now
from loyalty.domain.operations.customers import require
from loyalty.domain.operations.program import ProgramCache, cached_program
from loyalty.domain.operations.retries import with_contention_retries
from loyalty.domain.operations.scheduled import Tally, work_through
from loyalty.domain.program import Program
from loyalty.domain.rules import birthdays
from loyalty.repository import EntryExists, Repository


def run_birthdays(
    repository: Repository,
    now: datetime,
    run_id: str,
    time_left: Callable[[], float] | None = None,
    programs: ProgramCache | None = None,
) -> Tally:
    """Pay every birthday celebrated on `now`'s UTC day: `changed` counts the accounts paid,
    `points` the points."""
    cache = programs or ProgramCache(Program())
    now = now.astimezone(UTC)
    day = now.date()
    return work_through(
        repository.birthdays.on(birthdays.celebrated_on(day)),
        lambda due: pay_birthday(repository, due[0], due[1], now, run_id, cache),
        time_left,
    )


def pay_birthday(
    repository: Repository,
    store_id: str,
    customer_id: str,
    now: datetime,
    run_id: str,
    programs: ProgramCache,
) -> int | None:
    """One listed account: None when nothing is paid (not celebrated today, no birthday way, the
    order rules refuse it, or paid before this year), else the points paid."""

    def attempt() -> int | None:
        account = repository.get_account(store_id, customer_id)
        if account is None:
            return None
        program = cached_program(programs, repository, store_id)
        planned = birthdays.decide_birthday(account, program, now.date(), now, run_id)
        if planned.changes is None:
            return None
        try:
            repository.commit(planned.changes)
        except EntryExists:
            return None  # paid this year already (a rerun, or a run racing this one)
        return planned.result

    return with_contention_retries(attempt)


def set_birthday(
    repository: Repository,
    store_id: str,
    customer_id: str,
    birthday: str,
    clock: Callable[[], datetime] = utc_now,
) -> Account:
    """The back office sets a customer's birthday ("MM-DD"); NotFound for a customer never seen.
    A merged id sets its member's. Setting the same birthday again writes nothing."""

    def attempt() -> Account:
        account = require(repository, store_id, customer_id).account
        if account.birthday == birthday:
            return account
        after = account.revised(max(clock(), account.updated_at), birthday=birthday)
        repository.commit(Changes(accounts=((account, after),)))
        return after

    return with_contention_retries(attempt)
