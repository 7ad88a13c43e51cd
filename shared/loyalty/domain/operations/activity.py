"""A store's points per UTC day (the dashboard's chart), kept like the overview: the table's
stream counts every ledger entry once into per-day counters, so a chart never scans."""

from __future__ import annotations

from datetime import date

from loyalty.domain.entities import DayActivity, LedgerEntry
from loyalty.domain.rules.activity import activity_day, days_between, entry_activity
from loyalty.repository import AlreadyApplied, Repository


def count_entry(repository: Repository, entry: LedgerEntry) -> bool:
    """Add a new ledger entry to its day's counters once. False when it was counted before."""
    delta = entry_activity(entry)
    if delta == DayActivity():
        return True
    try:
        repository.add_to_activity(
            entry.store_id, entry.customer_id, entry.entry_id, activity_day(entry), delta
        )
    except AlreadyApplied:
        return False
    return True


def store_activity(
    repository: Repository, store_id: str, first: date, last: date
) -> list[tuple[date, DayActivity]]:
    """Every day of the range, in order, zeros where nothing happened."""
    counted = repository.activity(store_id, first, last)
    return [(day, counted.get(day, DayActivity())) for day in days_between(first, last)]
