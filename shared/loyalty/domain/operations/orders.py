"""Recording an order: earn its points once, whatever the platform redelivers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from loyalty.domain.commands import OrderPlaced
from loyalty.domain.entities import Account, LedgerEntry, utc_now
from loyalty.domain.operations.customers import follow_merge, resolve
from loyalty.domain.operations.program import ProgramCache
from loyalty.domain.operations.retries import with_contention_retries
from loyalty.domain.rules import earning
from loyalty.repository import AccountChanged, EmailTaken, EntryExists, Repository


@dataclass(frozen=True, slots=True)
class OrderOutcome:
    duplicate: bool
    customer_id: str
    points_earned: int
    balance: int
    entry: LedgerEntry


def record_order(
    event: OrderPlaced,
    programs: ProgramCache,
    repository: Repository,
    clock: Callable[[], datetime] = utc_now,
) -> OrderOutcome:
    email_available = True

    def attempt() -> OrderOutcome:
        nonlocal email_available
        customer_id = event.order.customer.id
        program = programs.fresh(event.store_id)
        if program is None:  # one round trip reads the program with the account
            addressed, stored = repository.get_account_and_program(event.store_id, customer_id)
            program = programs.remember(event.store_id, stored)
        else:
            addressed = repository.get_account(event.store_id, customer_id)
        found = follow_merge(repository, addressed)
        current = found.account if found else None
        decision = earning.decide_order(event, current, program, clock(), email_available=email_available)
        try:
            repository.commit(decision.changes)
        except EntryExists as applied:
            if applied.entry.entry_id != decision.entry.entry_id:
                # A bonus this order would pay (sign-up, tier entry) was paid meanwhile by another
                # change of the account: read it again and decide anew.
                raise AccountChanged from None
            return _duplicate(applied.entry, current, repository)
        except EmailTaken:
            # Another member holds this email: the customer stays a candidate and still earns.
            email_available = False
            return attempt()
        return OrderOutcome(
            duplicate=False,
            customer_id=decision.account.customer_id,
            points_earned=decision.entry.points,
            balance=decision.account.points.balance,
            entry=decision.entry,
        )

    return with_contention_retries(attempt)


def _duplicate(entry: LedgerEntry, read: Account | None, repository: Repository) -> OrderOutcome:
    """The answer to an order already recorded: the account it credited, as it stands now."""
    account = read
    if account is None or account.customer_id != entry.customer_id:
        found = resolve(repository, entry.store_id, entry.customer_id)
        account = found.account if found else None
    return OrderOutcome(
        duplicate=True,
        customer_id=account.customer_id if account else entry.customer_id,
        points_earned=entry.points,
        balance=account.points.balance if account else entry.balance_after,
        entry=entry,
    )
