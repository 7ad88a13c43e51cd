"""Expiry reminders as pure rules (hypothesis): the nearest reminder day a balance expires within,
never one already due, and a bound on the index read that misses no account a reminder is due to."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from loyalty.domain.entities import CustomerStatus, Points
from loyalty.domain.rules.earning import new_account
from loyalty.domain.rules.expiry import expires_at
from loyalty.domain.rules.reminders import reminder_bound, reminder_due

NOW = datetime(2026, 5, 26, 3, 15, tzinfo=UTC)
ACCOUNT = replace(new_account("acme", "ann", CustomerStatus.MEMBER, NOW), points=Points(earned=40))

moments = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds with `timezones`
    max_value=datetime(2026, 5, 26),  # noqa: DTZ001
    timezones=st.just(UTC),
).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))
day_sets = st.lists(st.integers(min_value=1, max_value=365), min_size=1, max_size=3, unique=True)


@given(moments, st.integers(min_value=1, max_value=60), day_sets)
def test_the_nearest_day_the_expiry_falls_within_and_the_bound_covers_it(
    last_activity: datetime, months: int, days: list[int]
) -> None:
    account = replace(ACCOUNT, last_activity_at=last_activity)
    moment = expires_at(account, months)
    assert moment is not None
    reminder = reminder_due(account, months, tuple(days), NOW)
    within = sorted(day for day in days if NOW < moment <= NOW + timedelta(days=day))
    if not within:
        assert reminder is None
        return
    assert reminder is not None
    assert (reminder.days, reminder.points, reminder.points_expire_at) == (within[0], 40, moment)
    assert last_activity < reminder_bound(NOW, months, tuple(days))


def test_nothing_for_a_balance_already_due_an_empty_one_or_an_excluded_customer() -> None:
    due = replace(ACCOUNT, last_activity_at=NOW - timedelta(days=100))
    assert reminder_due(due, 3, (30, 7), NOW) is None
    soon = replace(ACCOUNT, last_activity_at=datetime(2026, 2, 27, tzinfo=UTC))
    assert reminder_due(soon, 3, (30, 7), NOW) is not None
    assert reminder_due(replace(soon, points=Points()), 3, (30, 7), NOW) is None
    assert reminder_due(replace(soon, status=CustomerStatus.EXCLUDED), 3, (30, 7), NOW) is None


def test_the_key_is_the_customer_its_activity_and_the_day() -> None:
    soon = replace(ACCOUNT, last_activity_at=datetime(2026, 2, 27, tzinfo=UTC))
    reminder = reminder_due(soon, 3, (30, 7), NOW)
    assert reminder is not None
    assert reminder.key == "ann:2026-02-27T00:00:00.000Z:7"
