"""Recording a refund: reverse its share of the order's points, once, whatever is redelivered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from loyalty.domain.commands import Refund
from loyalty.domain.entities import utc_now
from loyalty.domain.operations.customers import resolve
from loyalty.domain.operations.pending import next_release
from loyalty.domain.operations.program import ProgramCache, cached_program
from loyalty.domain.operations.retries import with_contention_retries
from loyalty.domain.program import Program
from loyalty.domain.rules.earning import order_entry_id
from loyalty.domain.rules.refunds import RefundOutcome, decide_refund, repeated_refund
from loyalty.domain.rules.tiers import with_tiers
from loyalty.errors import NotFound
from loyalty.repository import EntryExists, Repository


def record_refund(
    event: Refund,
    repository: Repository,
    clock: Callable[[], datetime] = utc_now,
    programs: ProgramCache | None = None,
) -> RefundOutcome:
    """Reverse the refund's share; a reversal lowers the qualifying points at the refund's time
    (a held tier stays until its `kept_until`)."""
    programs = programs or ProgramCache(Program())

    def attempt() -> RefundOutcome:
        order = repository.get_entry(event.store_id, order_entry_id(event.order_id))
        if order is None:
            raise NotFound(f"order {event.order_id} not found in store {event.store_id}")
        found = resolve(repository, event.store_id, order.customer_id)
        if found is None:
            raise LookupError(f"order {event.order_id} credits a missing account")
        now = clock()
        decision = decide_refund(event, order, found.account, now)
        (reversal,) = decision.changes.reversals
        left = decision.changes.accounts[0][1].points.pending
        if reversal.closes and left > 0:  # the earliest release may be another entry's now
            upcoming = next_release(repository, found.account, order.entry_id, left)
            decision = decide_refund(event, order, found.account, now, upcoming)
        program = cached_program(programs, repository, event.store_id)
        try:
            repository.commit(with_tiers(decision.changes, program, now, now))
        except EntryExists as applied:
            return repeated_refund(applied.entry, found.account)
        return decision.outcome

    return with_contention_retries(attempt)
