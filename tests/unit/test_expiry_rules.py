"""Points expiry as pure rules: calendar months, the index bound, what a due account writes."""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty.domain.entities import CustomerStatus, EntryType, Points
from loyalty.domain.rules.earning import new_account
from loyalty.domain.rules.expiry import (
    add_months,
    decide_expiry,
    due_bound,
    expires_at,
    expiry_entry_id,
    is_due,
)
from loyalty.domain.rules.invariants import account_problems

JAN_31 = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)


def account(status: CustomerStatus = CustomerStatus.MEMBER, balance: int = 40, last: datetime = JAN_31):
    made = new_account("acme", "c-1", status, last)
    return replace(made, points=Points(earned=balance), revision=3, last_activity_at=last)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime(2026, 1, 31, 10, tzinfo=UTC), 1, datetime(2026, 2, 28, 10, tzinfo=UTC)),
        (datetime(2028, 1, 31, 10, tzinfo=UTC), 1, datetime(2028, 2, 29, 10, tzinfo=UTC)),  # leap year
        (datetime(2026, 4, 30, 8, tzinfo=UTC), 1, datetime(2026, 5, 30, 8, tzinfo=UTC)),
        (datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 4, 30, tzinfo=UTC)),
        (datetime(2026, 11, 15, tzinfo=UTC), 3, datetime(2027, 2, 15, tzinfo=UTC)),  # across a year
        (datetime(2026, 12, 31, tzinfo=UTC), 2, datetime(2027, 2, 28, tzinfo=UTC)),
        (datetime(2026, 2, 28, tzinfo=UTC), 60, datetime(2031, 2, 28, tzinfo=UTC)),
    ],
)
def test_calendar_months_clamp_to_the_end_of_a_shorter_month(
    start: datetime, months: int, expected: datetime
) -> None:
    assert add_months(start, months) == expected


def test_31_january_plus_one_month_is_due_at_the_end_of_february_and_not_an_instant_before() -> None:
    dormant = account()
    boundary = datetime(2026, 2, 28, 10, 0, tzinfo=UTC)

    assert expires_at(dormant, 1) == boundary
    assert not is_due(dormant, 1, boundary - timedelta(milliseconds=1))
    assert is_due(dormant, 1, boundary)
    assert decide_expiry(dormant, 1, boundary - timedelta(milliseconds=1), "run").changes is None
    assert decide_expiry(dormant, 1, boundary, "run").changes is not None


def test_a_due_account_loses_its_whole_balance_once_and_keeps_its_last_activity() -> None:
    dormant = account(balance=40)
    now = datetime(2026, 3, 2, tzinfo=UTC)

    planned = decide_expiry(dormant, 1, now, "run-1")

    assert planned.changes is not None
    ((before, after),) = planned.changes.accounts
    (entry,) = planned.changes.entries
    assert before == dormant
    assert after.points == Points(earned=40, expired=40)
    assert after.points.balance == 0
    assert after.revision == dormant.revision + 1
    assert after.last_activity_at == dormant.last_activity_at  # expiring is not activity
    assert (entry.type, entry.points, entry.balance_after) == (EntryType.EXPIRE, -40, 0)
    assert entry.entry_id == expiry_entry_id(dormant) == "expire:c-1:2026-01-31T10:00:00.000Z"
    assert account_problems(after, after.points.balance, [replace(entry, points=40), entry]) == []
    assert decide_expiry(after, 1, now, "run-2").changes is None  # nothing left to expire


@pytest.mark.parametrize("status", [CustomerStatus.EXCLUDED, CustomerStatus.MERGED])
def test_excluded_and_merged_files_never_expire(status: CustomerStatus) -> None:
    frozen = account(status=status)
    later = datetime(2030, 1, 1, tzinfo=UTC)

    assert expires_at(frozen, 1) is None
    assert decide_expiry(frozen, 1, later, "run").changes is None


def test_an_empty_account_or_a_program_without_expiry_has_no_expiry_date() -> None:
    assert expires_at(account(balance=0), 12) is None
    assert expires_at(account(), None) is None
    assert expires_at(account(status=CustomerStatus.CANDIDATE), 12) == datetime(2027, 1, 31, 10, tzinfo=UTC)


moments = st.datetimes(
    min_value=datetime(2001, 1, 1),  # noqa: DTZ001 — hypothesis takes naive bounds
    max_value=datetime(2090, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))
months = st.integers(min_value=1, max_value=60)


@given(moments, months)
def test_adding_months_lands_in_the_right_month_on_the_same_or_the_last_day(
    start: datetime, count: int
) -> None:
    later = add_months(start, count)
    assert (later.year * 12 + later.month) - (start.year * 12 + start.month) == count
    assert later.time() == start.time()
    assert later.day == min(start.day, calendar.monthrange(later.year, later.month)[1])


@given(moments, moments, months)
def test_adding_months_never_reorders_moments(first: datetime, second: datetime, count: int) -> None:
    early, late = sorted((first, second))
    assert add_months(early, count) <= add_months(late, count)


@given(moments, moments, months)
def test_every_due_account_lies_below_the_index_bound(last: datetime, now: datetime, count: int) -> None:
    if add_months(last, count) <= now:
        assert last < due_bound(now, count)


@given(moments, months)
def test_the_index_bound_reads_at_most_the_target_month_beyond_the_due(now: datetime, count: int) -> None:
    bound = due_bound(now, count)
    assert add_months(bound - timedelta(days=31), count) <= now
    last_of_month = now.day == calendar.monthrange(now.year, now.month)[1]
    if not last_of_month and now.day <= calendar.monthrange(bound.year, bound.month)[1]:
        # exact: the last millisecond below the bound is due, the bound itself is not
        assert add_months(bound - timedelta(milliseconds=1), count) <= now
        assert add_months(bound, count) > now


def test_reconcile_names_an_account_whose_balance_ignores_its_expired_points() -> None:
    expired = replace(account(balance=40), points=Points(earned=40, expired=40))

    (problem,) = account_problems(expired, 40, [])[:1]

    assert "expired 40" in problem
    assert account_problems(expired, 0, []) == []
