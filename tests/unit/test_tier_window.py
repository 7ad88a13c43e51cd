"""The tiers' exact rolling window (pure): an entry counts at or after `now` minus the window's
calendar months, to the millisecond; month ends clamp (31 March − 1 month = 28/29 February); year
ends and leap days; the account's record encoding round-trips; pruning never drops an entry a later
window still counts; `drops_at` is the exact moment the counted entries fall below a threshold;
items in the old month-bucket form read as the whole months they counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from loyalty.domain.rules import tier_window
from loyalty.domain.rules.expiry import add_months
from loyalty.domain.rules.tier_window import Records, added, drops_at, from_ms, pruned, qualifying, to_ms
from loyalty.repository.tier_items import decode_records, encode_records, tiering_from_item

# hypothesis takes naive bounds and adds the time zone itself.
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2090, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
windows = st.integers(min_value=1, max_value=36)
MS = timedelta(milliseconds=1)


def ms_floor(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def one(points: int, when: datetime) -> Records:
    return added((), points, when)


def counted_by_definition(records: Records, months: int, now: datetime) -> int:
    """The contract's words, with datetimes: entries at or after now minus the calendar months."""
    start = add_months(now, -months)
    return sum(points for at, points in records if from_ms(at) >= start)


@st.composite
def histories(draw: st.DrawFn, around: datetime | None = None) -> Records:
    """Up to 40 entries, many near month ends (where the window clamps) and some at equal times."""
    base = around or draw(moments)
    times = draw(
        st.lists(
            st.one_of(
                st.integers(min_value=-1200 * 86_400_000, max_value=60 * 86_400_000),
                st.sampled_from([0, 1, -1, 3_600_000]),
            ),
            max_size=40,
        )
    )
    points = draw(st.lists(st.integers(-3000, 3000), min_size=len(times), max_size=len(times)))
    return tier_window.normalised(
        (to_ms(base) + offset, amount) for offset, amount in zip(times, points, strict=True)
    )


@given(moments, windows)
def test_an_entry_counts_from_exactly_now_minus_the_window(now: datetime, months: int) -> None:
    start = add_months(now, -months)
    first = ms_floor(start) if start.microsecond % 1000 == 0 else ms_floor(start) + MS
    assert qualifying(one(7, first), months, now) == 7  # at the start: counted
    assert qualifying(one(7, first - MS), months, now) == 0  # a millisecond before: not
    assert qualifying(one(7, now), months, now) == 7


@given(histories(), moments, windows)
def test_qualifying_points_are_the_contract_s_signed_sum(
    records: Records, now: datetime, months: int
) -> None:
    assert qualifying(records, months, now) == counted_by_definition(records, months, now)


def test_month_ends_clamp_to_the_shorter_month_s_last_day_at_the_same_time() -> None:
    for year, last in ((2027, 28), (2028, 29)):
        now = datetime(year, 3, 31, 10, tzinfo=UTC)
        feb_last = datetime(year, 2, last, 10, tzinfo=UTC)
        assert qualifying(one(5, feb_last), 1, now) == 5
        assert qualifying(one(5, feb_last - MS), 1, now) == 0
        # a day earlier in March: the day before the same day of February
        assert qualifying(one(5, datetime(year, 2, last - 1, 9, tzinfo=UTC)), 1, now - timedelta(days=1)) == 0


@given(windows, st.integers(min_value=1990, max_value=2080))
def test_windows_across_year_ends(months: int, year: int) -> None:
    december = datetime(year, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)
    records = one(10, december)
    anniversary = add_months(december, months)
    assert qualifying(records, months, anniversary) == 10
    # Gone a moment after, unless the anniversary clamped (then it lasts until the next midnight).
    gone = (
        anniversary + MS
        if anniversary.day == 31
        else datetime.combine(anniversary.date() + timedelta(days=1), datetime.min.time(), UTC)
    )
    assert qualifying(records, months, gone) == 0
    assert qualifying(records, months, gone - MS) == 10


@given(windows, st.sampled_from([2024, 2028, 2032, 2096]))
def test_a_leap_day_entry(months: int, year: int) -> None:
    leap = datetime(year, 2, 29, 12, tzinfo=UTC)
    anniversary = add_months(leap, months)
    records = one(3, leap)
    assert qualifying(records, months, anniversary) == 3
    assert qualifying(records, months, anniversary + timedelta(hours=1)) == (
        3 if anniversary.day < 29 else 0  # a clamped anniversary (28 February) counts it to midnight
    )
    assert qualifying(records, months, add_months(leap, months + 1)) == 0


@given(st.lists(st.tuples(st.integers(-(10**13), 10**13), st.integers(-(10**7), 10**7)), max_size=60))
def test_the_encoding_round_trips(pairs: list[tuple[int, int]]) -> None:
    records = tier_window.normalised(pairs)
    text = encode_records(records)
    assert decode_records(text) == records
    assert len(text) <= 23 * len(records)


def test_the_encoding_is_compact() -> None:
    now = datetime(2026, 12, 4, 15, tzinfo=UTC)
    text = encode_records(((to_ms(now), 49), (to_ms(now) + 1, -20)))
    assert text == "mx9419c0:49 mx9419c1:-20"


def test_equal_times_merge_into_one_record_and_zero_sums_vanish() -> None:
    when = datetime(2026, 5, 1, 8, tzinfo=UTC)
    records = added(added((), 30, when), 20, when + timedelta(microseconds=300))  # the same ms
    assert records == ((to_ms(when), 50),)
    assert added(records, -50, when) == ()


@st.composite
def writes(draw: st.DrawFn) -> tuple[datetime, int, Records]:
    """A write's moment (often on a month's 28th..31st, where the window's start falls back on the
    days that clamp), its window, and entries dense around that window's start."""
    year, month, hour = draw(st.integers(2001, 2080)), draw(st.integers(1, 12)), draw(st.integers(0, 23))
    days = draw(st.one_of(st.integers(27, 30), st.integers(0, 30)))
    now = datetime(year, month, 1, hour, tzinfo=UTC) + timedelta(
        days=days, milliseconds=draw(st.integers(0, 3_599_999))
    )
    months = draw(windows)
    start = to_ms(add_months(now, -months))
    offsets = draw(st.lists(st.integers(-3 * 86_400_000, 3 * 86_400_000), min_size=1, max_size=30))
    return (
        now,
        months,
        tier_window.normalised((start + offset, 1 + index) for index, offset in enumerate(offsets)),
    )


@given(writes(), st.lists(st.integers(0, 900 * 86_400_000), max_size=4))
def test_pruning_never_drops_an_entry_a_later_window_counts(
    write: tuple[datetime, int, Records], later: list[int]
) -> None:
    now, months, records = write
    kept = pruned(records, months, now)
    assert set(kept) <= set(records)
    # Every later moment where the sum can change (the next days' midnights, the entries' times of
    # day), some far later, and a run whose time is up to a day before the write's.
    moments = {now + timedelta(milliseconds=offset) for offset in later} | {now - timedelta(hours=23)}
    for days in range(6):
        midnight = datetime.combine(now.date() + timedelta(days=days), datetime.min.time(), UTC)
        moments |= {midnight, midnight + timedelta(hours=now.hour)}
        for at, _ in records:
            anniversary = add_months(from_ms(at), months) + timedelta(days=days)
            moments |= {anniversary, anniversary + tier_window.MICROSECOND}
    for moment in moments:
        if moment >= now - timedelta(hours=23):
            assert qualifying(kept, months, moment) == qualifying(records, months, moment), moment


def test_a_lifetime_window_keeps_the_default_window_s_records() -> None:
    now = datetime(2026, 12, 4, tzinfo=UTC)
    records = tier_window.normalised((to_ms(now - timedelta(days=days)), 1) for days in (10, 300, 400))
    assert len(pruned(records, None, now)) == 2


def _probes(records: Records, months: int) -> set[datetime]:
    """Moments around every entry's anniversary, drawn without the rules' own list: each day from
    the day before to five days after, at midnight and at the entry's time of day, and a
    microsecond either side."""
    found: set[datetime] = set()
    for at, _ in records:
        anniversary = add_months(from_ms(at), months)
        for days in range(-1, 6):
            day = anniversary + timedelta(days=days)
            midnight = datetime.combine(day.date(), datetime.min.time(), UTC)
            for moment in (day, midnight):
                found |= {moment - tier_window.MICROSECOND, moment, moment + tier_window.MICROSECOND}
    return found


@given(histories(), moments, windows, st.integers(1, 4000), st.lists(st.integers(0, 10**11), max_size=5))
def test_drops_at_is_the_first_moment_the_counted_entries_fall_below_the_threshold(
    records: Records, now: datetime, months: int, threshold: int, random: list[int]
) -> None:
    until = drops_at(records, months, threshold, now)
    after = now + tier_window.MICROSECOND
    if counted_by_definition(records, months, after) < threshold:
        assert until is None
        return
    assert until is not None
    assert until > now
    # Just after it, below; at every moment between now and it, not.
    assert counted_by_definition(records, months, until + tier_window.MICROSECOND) < threshold
    probes = _probes(records, months) | {now + timedelta(milliseconds=offset) for offset in random}
    for probe in probes:
        if now < probe < until:
            assert counted_by_definition(records, months, probe) >= threshold, probe


def test_drops_at_is_an_entry_s_anniversary_not_a_month_boundary() -> None:
    first = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    second = datetime(2026, 7, 20, 18, 5, 7, 123_000, tzinfo=UTC)
    records = added(added((), 400, first), 300, second)
    reviewed_at = datetime(2027, 3, 11, 3, tzinfo=UTC)  # the first entry has left: 300 remain
    assert drops_at(records, 12, 300, reviewed_at) == datetime(2027, 7, 20, 18, 5, 7, 123_000, tzinfo=UTC)
    assert drops_at(records, 12, 301, reviewed_at) is None
    # Reviewed before the first left: 700 until its anniversary, then 300.
    assert drops_at(records, 12, 500, datetime(2027, 3, 1, tzinfo=UTC)) == datetime(
        2027, 3, 10, 9, 30, tzinfo=UTC
    )


def test_a_month_end_entry_whose_anniversary_clamps_lasts_until_the_next_midnight() -> None:
    # 31 January 2027 at 10:00, one month: every moment of February starts the window on or before
    # 28 January, so it counts until 1 March 00:00.
    records = one(600, datetime(2027, 1, 31, 10, tzinfo=UTC))
    assert drops_at(records, 1, 500, datetime(2027, 2, 28, 11, tzinfo=UTC)) == datetime(
        2027, 3, 1, tzinfo=UTC
    )


def test_an_entry_on_a_short_month_s_last_day_counts_again_in_the_early_hours_of_the_clamped_days() -> None:
    # The contract's rule taken literally: on 29-31 March (one month) the window starts on
    # 28 February at the same time of day.
    records = one(600, datetime(2027, 2, 28, 10, tzinfo=UTC))
    assert qualifying(records, 1, datetime(2027, 3, 28, 12, tzinfo=UTC)) == 0
    assert qualifying(records, 1, datetime(2027, 3, 29, 5, tzinfo=UTC)) == 600
    assert drops_at(records, 1, 500, datetime(2027, 3, 28, 9, tzinfo=UTC)) == datetime(
        2027, 3, 28, 10, tzinfo=UTC
    )
    assert drops_at(records, 1, 500, datetime(2027, 3, 29, 5, tzinfo=UTC)) == datetime(
        2027, 3, 29, 10, tzinfo=UTC
    )
    assert pruned(records, 1, datetime(2027, 3, 28, 12, tzinfo=UTC)) == records


def _old_item(months: dict[str, int]) -> dict[str, Any]:
    from decimal import Decimal

    return {
        "tier_months": {key: Decimal(points) for key, points in months.items()},
        "tier_points": Decimal(900),
    }


@given(windows, st.integers(2001, 2080), st.integers(1, 12), st.integers(0, 1500))
def test_an_old_month_bucket_item_counts_the_whole_months_it_counted_before(
    months: int, year: int, month: int, days_later: int
) -> None:
    tiering = tiering_from_item(_old_item({f"{year:04d}-{month:02d}": 900}))
    assert tiering.total == 900
    first_day = datetime(year, month, 1, tzinfo=UTC)
    now = first_day + timedelta(days=days_later, hours=7)
    # The old rule: the month counts while now is before the start of the month `months` + 1 after it.
    assert qualifying(tiering.records, months, now) == (900 if now < add_months(first_day, months + 1) else 0)
