"""A store's totals (the overview), kept by counting every account change once, off the
request path: a stream of account changes feeds sharded counters, so no item is written by
every order."""

from __future__ import annotations

from loyalty.domain.entities import Account, Totals
from loyalty.domain.rules.totals import contribution
from loyalty.repository import AlreadyApplied, Repository


def count_change(repository: Repository, old: Account | None, new: Account | None) -> bool:
    """Add an account change to its store's totals once. False when it was counted before."""
    delta = contribution(new) - contribution(old)
    latest = new or old
    if latest is None or delta == Totals():
        return True
    try:
        repository.add_to_totals(latest.store_id, latest.customer_id, latest.revision, delta)
    except AlreadyApplied:
        return False
    return True


def store_totals(repository: Repository, store_id: str) -> Totals:
    return repository.totals(store_id)
