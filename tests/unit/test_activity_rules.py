"""The per-day counters' rules: which column a ledger entry counts in, and which ranges a chart may ask."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from loyalty.domain.entities import DayActivity, EntryType, LedgerEntry
from loyalty.domain.rules.activity import (
    MAX_ACTIVITY_DAYS,
    activity_day,
    days_between,
    entry_activity,
    range_problem,
)


def entry(kind: EntryType, points: int, at: datetime | None = None) -> LedgerEntry:
    return LedgerEntry(
        store_id="acme",
        entry_id=f"{kind.value}:1",
        customer_id="c-1",
        type=kind,
        points=points,
        balance_after=max(points, 0),
        created_at=at or datetime(2026, 11, 20, 12, tzinfo=UTC),
        event_id="e-1",
    )


@given(st.integers(min_value=1, max_value=10**9))
def test_each_type_counts_in_its_column_as_a_positive_amount_taken_or_given(points: int) -> None:
    assert entry_activity(entry(EntryType.EARN, points)) == DayActivity(earned=points)
    assert entry_activity(entry(EntryType.REDEEM, -points)) == DayActivity(redeemed=points)
    assert entry_activity(entry(EntryType.REVERSE, -points)) == DayActivity(reversed=points)
    assert entry_activity(entry(EntryType.EXPIRE, -points)) == DayActivity(expired=points)
    assert entry_activity(entry(EntryType.REFUND, points)) == DayActivity(redeemed=-points)
    assert entry_activity(entry(EntryType.ADJUST, -points)) == DayActivity(adjusted=-points)
    assert entry_activity(entry(EntryType.ADJUST, points)) == DayActivity(adjusted=points)


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_merges_move_points_between_files_and_count_nothing(points: int) -> None:
    assert entry_activity(entry(EntryType.MERGE_IN, points)) == DayActivity()
    assert entry_activity(entry(EntryType.MERGE_OUT, -points)) == DayActivity()


def test_the_day_is_the_utc_day_whatever_the_offset() -> None:
    late_in_new_york = datetime(2026, 11, 20, 22, tzinfo=timezone(timedelta(hours=-5)))
    assert activity_day(entry(EntryType.EARN, 1, late_in_new_york)) == date(2026, 11, 21)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.integers(min_value=-400, max_value=800),
)
def test_a_range_is_accepted_exactly_when_it_runs_forward_over_at_most_366_days(
    first: date, span: int
) -> None:
    last = first + timedelta(days=span)
    problem = range_problem(first, last)

    assert (problem is None) == (0 <= span < MAX_ACTIVITY_DAYS)
    if problem is None:
        days = days_between(first, last)
        assert (days[0], days[-1], len(days)) == (first, last, span + 1)
