"""Custom actions and birthdays (pure): reading a birthday, the days a run celebrates across leap
years and time zones at UTC midnight, what the birthday way pays, and an action's limits."""

from __future__ import annotations

import calendar
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty.domain.commands import ActionCompleted
from loyalty.domain.entities import Account, CustomerStatus, EntryType
from loyalty.domain.program import EarnKind, Program, WayToEarn
from loyalty.domain.rules.actions import (
    ActionCounts,
    ActionStatus,
    action_day,
    action_entry_id,
    decide_action,
    limited,
)
from loyalty.domain.rules.birthdays import (
    BIRTHDAY_PATTERN,
    birthday_entry_id,
    celebrated_on,
    decide_birthday,
    parse_birthday,
)
from loyalty.domain.rules.earning import new_account

T0 = datetime(2026, 1, 15, 10, tzinfo=UTC)
BIRTHDAY = WayToEarn(id="birthday", kind=EarnKind.BIRTHDAY, points=50)
REVIEW = WayToEarn(id="review", kind=EarnKind.ACTION, points=25, name="Write a review")
PROGRAM = Program(ways_to_earn=(BIRTHDAY, REVIEW))

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2400, 12, 31))
# Offsets from -12:00 to +14:00, as real time zones have them, in quarter hours.
offsets = st.integers(min_value=-48, max_value=56).map(
    lambda quarters: timezone(timedelta(minutes=15 * quarters))
)
limits = st.none() | st.integers(min_value=1, max_value=5)


def account(status: CustomerStatus = CustomerStatus.MEMBER, birthday: str | None = None) -> Account:
    return replace(new_account("acme", "ann", status, T0), revision=1, birthday=birthday)


# Birthdays -------------------------------------------------------------------------------------


@given(days)
def test_every_day_of_the_calendar_is_a_birthday_kept_as_month_and_day(day: date) -> None:
    month_day = f"{day.month:02d}-{day.day:02d}"
    assert parse_birthday(day.isoformat()) == month_day
    assert parse_birthday(month_day) == month_day


@given(st.text(max_size=12))
def test_anything_else_is_refused(text: str) -> None:
    try:
        parsed = parse_birthday(text)
    except ValueError:
        return
    assert text.endswith(parsed)
    assert len(text) in (5, 10)
    date(2000, int(parsed[:2]), int(parsed[3:]))  # a real day of a leap year


digits = st.integers(min_value=0, max_value=9).map(str)
shaped = st.one_of(
    st.tuples(*[digits] * 2, st.just("-"), *[digits] * 2),
    st.tuples(*[digits] * 4, st.just("-"), *[digits] * 2, st.just("-"), *[digits] * 2),
).map("".join)
years = st.integers(min_value=0, max_value=9999).map(lambda year: f"{year:04d}")


@given(st.one_of(shaped, st.tuples(years, st.sampled_from(["-02-29", "-02-28", "-03-01"])).map("".join)))
def test_the_wires_pattern_accepts_exactly_the_days_the_rule_reads(text: str) -> None:
    """The schema's pattern and the parser agree: a schema-valid birthday is never refused."""
    try:
        parse_birthday(text)
        readable = True
    except ValueError:
        readable = False
    assert (re.fullmatch(BIRTHDAY_PATTERN, text) is not None) is readable


@pytest.mark.parametrize("bad", ["02-30", "04-31", "00-01", "13-01", "2001-02-29", "1900-02-29", "２０-01"])
def test_days_that_do_not_exist_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match=r"calendar|MM-DD"):
        parse_birthday(bad)


def test_29_february_is_kept_and_dated_years_must_be_leap() -> None:
    assert parse_birthday("02-29") == "02-29"
    assert parse_birthday("2000-02-29") == "02-29"


@given(days)
def test_each_birthday_is_celebrated_exactly_once_a_year(day: date) -> None:
    """Over a whole year, every "MM-DD" is celebrated on exactly one day (02-29 on 02-28 in a
    year without it)."""
    year = day.year
    start = date(year, 1, 1)
    seen: dict[str, int] = {}
    for offset in range(366 if calendar.isleap(year) else 365):
        for month_day in celebrated_on(start + timedelta(days=offset)):
            seen[month_day] = seen.get(month_day, 0) + 1
    assert len(seen) == 366
    assert set(seen.values()) == {1}
    assert ("02-29" in celebrated_on(date(year, 2, 28))) is not calendar.isleap(year)


@given(days, offsets)
def test_a_run_at_utc_midnight_celebrates_the_utc_day_whatever_the_offset_it_is_told_in(
    day: date, zone: timezone
) -> None:
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    told = midnight.astimezone(zone)  # the same instant, written in another offset
    assert celebrated_on(told.astimezone(UTC).date())[0] == f"{day.month:02d}-{day.day:02d}"


@given(days, st.sampled_from(["02-28", "02-29", "03-01", "12-31", "01-01"]))
def test_the_birthday_way_pays_on_the_day_with_the_year_as_its_key(day: date, birthday: str) -> None:
    now = datetime(day.year, day.month, day.day, 0, 5, tzinfo=UTC)
    planned = decide_birthday(account(birthday=birthday), PROGRAM, day, now, "run-1")
    if birthday not in celebrated_on(day):
        assert planned.changes is None
        assert planned.result == 0
        return
    assert planned.changes is not None
    assert planned.result == 50
    (entry,) = planned.changes.entries
    assert (entry.entry_id, entry.type, entry.points, entry.way) == (
        birthday_entry_id("ann", day.year),
        EntryType.BONUS,
        50,
        "birthday",
    )
    ((_, after),) = planned.changes.accounts
    assert (after.points.earned, after.points.balance, entry.balance_after) == (50, 50, 50)


@pytest.mark.parametrize(
    ("program", "status"),
    [
        (Program(ways_to_earn=(BIRTHDAY,), active=False), CustomerStatus.MEMBER),
        (PROGRAM, CustomerStatus.EXCLUDED),
        (Program(ways_to_earn=(BIRTHDAY,), guests_earn_points=False), CustomerStatus.CANDIDATE),
        (Program(ways_to_earn=(REVIEW,)), CustomerStatus.MEMBER),  # no birthday way
    ],
)
def test_no_birthday_points_where_the_order_rules_refuse(program: Program, status: CustomerStatus) -> None:
    planned = decide_birthday(account(status, "03-14"), program, date(2027, 3, 14), T0, "run")
    assert planned.changes is None


def test_a_guest_gets_its_birthday_where_guests_earn() -> None:
    planned = decide_birthday(account(CustomerStatus.CANDIDATE, "03-14"), PROGRAM, date(2027, 3, 14), T0, "r")
    assert planned.result == 50


# Actions ---------------------------------------------------------------------------------------


def reported(reference: str = "r-1", occurred_at: datetime = T0) -> ActionCompleted:
    return ActionCompleted("evt", "acme", occurred_at, "review", "ann", reference)


@given(limits, limits, st.integers(0, 6), st.integers(0, 6))
def test_limited_exactly_when_a_count_reached_its_limit(
    per_customer: int | None, per_day: int | None, ever: int, today: int
) -> None:
    way = WayToEarn(id="review", kind=EarnKind.ACTION, points=5, per_customer=per_customer, per_day=per_day)
    expected = (per_customer is not None and ever >= per_customer) or (
        per_day is not None and today >= per_day
    )
    assert limited(way, ActionCounts(ever, today)) is expected
    decision = decide_action(
        reported(), way, account(), ActionCounts(ever, today), Program(ways_to_earn=(way,)), T0
    )
    if expected:
        assert (decision.status, decision.changes) == (ActionStatus.LIMITED, None)
        return
    assert decision.changes is not None
    counts = decision.changes.action_counts
    assert [(count.day, count.limit) for count in counts] == [(None, per_customer), ("2026-01-15", per_day)]


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)), offsets)  # noqa: DTZ001
def test_the_day_of_an_action_is_its_utc_day(moment: datetime, zone: timezone) -> None:
    occurred = moment.replace(tzinfo=zone)
    assert action_day(reported(occurred_at=occurred)) == occurred.astimezone(UTC).date().isoformat()


ids = st.text(alphabet="abc:.-_@9", min_size=1, max_size=8)


@given(ids, ids.filter(lambda text: ":" not in text))
def test_the_entry_id_reads_back_one_way_whatever_colons_the_customer_id_holds(
    customer_id: str, reference: str
) -> None:
    """A reference holds no colon (the wire refuses one), so the id's last colon ends the customer."""
    entry_id = action_entry_id("review", customer_id, reference)
    head, tail = entry_id.rsplit(":", 1)
    assert (head.removeprefix("action:review:"), tail) == (customer_id, reference)


@pytest.mark.parametrize(
    ("program", "status", "reason"),
    [
        (Program(ways_to_earn=(REVIEW,), active=False), CustomerStatus.MEMBER, "program paused"),
        (PROGRAM, CustomerStatus.EXCLUDED, "customer excluded"),
        (
            Program(ways_to_earn=(REVIEW,), guests_earn_points=False),
            CustomerStatus.CANDIDATE,
            "guests do not earn points",
        ),
    ],
)
def test_refused_actions_record_0_points_and_count_against_no_limit(
    program: Program, status: CustomerStatus, reason: str
) -> None:
    way = WayToEarn(id="review", kind=EarnKind.ACTION, points=25, per_customer=1)
    decision = decide_action(reported(), way, account(status), ActionCounts(5, 5), program, T0)
    assert decision.status is ActionStatus.PROCESSED
    assert decision.changes is not None
    assert decision.entry is not None
    assert (decision.entry.points, decision.entry.reason) == (0, reason)
    assert decision.changes.action_counts == ()
    assert decision.account.points.earned == 0
