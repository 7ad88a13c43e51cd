"""Recording a custom action: earn its points once per (action, customer, reference), within its
limits, whatever the caller redelivers and however many reports race.

One BatchGetItem reads the account, the action's entry (a reference already counted) and the
customer's counts; one TransactWriteItems writes the entry, the account (on the revision read) and
the counts (each below its limit). A cancelled transaction is told apart by the condition that
failed: the entry (a duplicate), a count (limited), else the account (re-read and decided again)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from loyalty.domain.commands import ActionCompleted
from loyalty.domain.entities import Account, CustomerStatus, LedgerEntry, utc_now
from loyalty.domain.operations.program import ProgramCache
from loyalty.domain.operations.retries import with_contention_retries
from loyalty.domain.program import EarnKind, Program, WayToEarn
from loyalty.domain.rules.actions import (
    ActionCounts,
    ActionStatus,
    action_day,
    action_entry_id,
    decide_action,
)
from loyalty.errors import NotFound
from loyalty.repository import EntryExists, LimitReached, Repository


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    status: ActionStatus
    customer_id: str
    points_earned: int
    balance: int
    entry: LedgerEntry | None


def record_action(
    event: ActionCompleted,
    programs: ProgramCache,
    repository: Repository,
    clock: Callable[[], datetime] = utc_now,
) -> ActionOutcome:
    """404 for an action the store's program does not have, or a customer never seen (an action
    cannot create one: it says nothing of an account)."""
    way, program = _action(event, programs, repository)
    day = action_day(event)

    def read(customer_id: str) -> tuple[Account | None, LedgerEntry | None, ActionCounts]:
        entry_id = action_entry_id(way.id, customer_id, event.reference)
        account, entry, ever, today = repository.action_state(
            event.store_id, customer_id, way.id, day, entry_id
        )
        return account, entry, ActionCounts(ever, today)

    def attempt() -> ActionOutcome:
        account, entry, counts = read(event.customer_id)
        if account is not None and account.status is CustomerStatus.MERGED and account.merged_into:
            account, entry, counts = read(account.merged_into)  # the surviving member earns
        if account is None:
            raise NotFound(f"customer {event.customer_id} not found in store {event.store_id}")
        if entry is not None:
            return _answer(ActionStatus.DUPLICATE, account, entry)
        decision = decide_action(event, way, account, counts, program, clock())
        if decision.changes is None:
            return _answer(ActionStatus.LIMITED, account, None)
        try:
            repository.commit(decision.changes)
        except EntryExists as applied:  # a racing report of the same reference got there first
            return _answer(ActionStatus.DUPLICATE, account, applied.entry)
        except LimitReached:  # racing reports of other references used up the limit
            return _answer(ActionStatus.LIMITED, account, None)
        return _answer(ActionStatus.PROCESSED, decision.account, decision.entry)

    return with_contention_retries(attempt)


def _action(
    event: ActionCompleted, programs: ProgramCache, repository: Repository
) -> tuple[WayToEarn, Program]:
    """The action's way to earn in the store's program; an id the cached program lacks is looked
    up in the stored program before it is answered 404 (the merchant may have just added it)."""
    program = programs.fresh(event.store_id)
    way = program.way(event.action_id) if program is not None else None
    if program is None or way is None:
        program = programs.remember(event.store_id, repository.get_program(event.store_id))
        way = program.way(event.action_id)
    if way is None or way.kind is not EarnKind.ACTION:
        raise NotFound(f"action {event.action_id} not found in store {event.store_id}")
    return way, program


def _answer(status: ActionStatus, account: Account, entry: LedgerEntry | None) -> ActionOutcome:
    """`balance` is the account as read or written; a duplicate says what its entry earned."""
    return ActionOutcome(
        status=status,
        customer_id=account.customer_id,
        points_earned=entry.points if entry is not None and status is not ActionStatus.LIMITED else 0,
        balance=account.points.balance,
        entry=entry,
    )
