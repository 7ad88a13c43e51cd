"""VIP tiers (pure): thresholds, the rolling window across month and year ends and leap days,
`kept_until`, the daily review, the multiplier and the entry bonus paid once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from loyalty.domain.commands import Buyer, OrderPlaced, PlacedOrder
from loyalty.domain.entities import Account, Changes, CustomerStatus, EntryType, LedgerEntry, Tiering
from loyalty.domain.program import Program, TierLevel
from loyalty.domain.rules import tiers
from loyalty.domain.rules.earning import decide_order, new_account
from loyalty.domain.rules.expiry import add_months

SILVER = TierLevel(
    id="silver", name="Silver", threshold=500, earn_multiplier=Decimal("1.25"), entry_bonus=100
)
GOLD = TierLevel(id="gold", name="Gold", threshold=2000, earn_multiplier=Decimal("1.5"), entry_bonus=300)
PROGRAM = Program(tiers=(SILVER, GOLD), tier_window_months=12)
T0 = datetime(2026, 1, 15, 10, tzinfo=UTC)

# hypothesis takes naive bounds and adds the time zone itself.
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2090, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
windows = st.integers(min_value=1, max_value=36)


def account(status: CustomerStatus = CustomerStatus.MEMBER) -> Account:
    return new_account("acme", "ann", status, T0)


def earn(before: Account, points: int, when: datetime, program: Program = PROGRAM) -> tuple[Account, Changes]:
    """An entry of `points` qualifying at `when`, applied as the order path applies it."""
    after = before.changed(when)
    entry = LedgerEntry("acme", f"e{when.isoformat()}{points}", "ann", EntryType.EARN, points, 0, when, "e")
    changes = tiers.with_tiers(Changes(accounts=((before, after),), entries=(entry,)), program, when, when)
    return changes.accounts[0][1], changes


@given(st.lists(st.integers(min_value=1, max_value=10_000), max_size=5), st.integers(0, 20_000))
def test_the_tier_reached_is_the_highest_whose_threshold_the_points_meet(
    thresholds: list[int], points: int
) -> None:
    levels = tuple(
        TierLevel(id=f"t{index}", name=f"T{index}", threshold=threshold)
        for index, threshold in enumerate(sorted(set(thresholds)))
    )
    assert tiers.tiers_problem(levels, 12) is None
    met = [level for level in levels if level.threshold <= points]
    assert tiers.reached(levels, points) == (met[-1] if met else None)


def test_bad_tiers_are_refused_by_the_domain_check() -> None:
    assert tiers.tiers_problem((GOLD, SILVER), 12) == "tier thresholds must be strictly increasing"
    assert tiers.tiers_problem((SILVER, replace(GOLD, id="silver")), 12) == "tier ids must be unique"
    assert tiers.tiers_problem((replace(SILVER, id="Silver"),), 12) is not None
    assert tiers.tiers_problem((replace(SILVER, earn_multiplier=Decimal("1.255")),), 12) is not None
    assert tiers.tiers_problem((replace(SILVER, earn_multiplier=Decimal("10.01")),), 12) is not None
    assert tiers.tiers_problem((SILVER,), 37) is not None
    assert tiers.tiers_problem((SILVER,), None) is None
    six = tuple(TierLevel(id=f"t{n}", name="T", threshold=n + 1) for n in range(6))
    assert tiers.tiers_problem(six, 12) == "at most 5 tiers"


@given(moments, windows, st.integers(min_value=0, max_value=2000), st.integers(0, 86_399_999))
def test_an_entry_counts_while_it_is_at_or_after_now_minus_the_window(
    when: datetime, window: int, days_later: int, ms: int
) -> None:
    now = when + timedelta(days=days_later, milliseconds=ms)
    tiering = tiers.with_qualifying(Tiering(), 7, when, when, window)
    counted = tiers.qualifying_points(tiering, window, now) == 7
    entry_time = when.replace(microsecond=when.microsecond // 1000 * 1000)  # the ledger's precision
    assert counted == (entry_time >= add_months(now, -window))
    assert tiers.qualifying_points(tiering, None, now) == 7


def test_a_leap_day_plus_a_year_is_the_last_day_of_february() -> None:
    leap = datetime(2028, 2, 29, 12, tzinfo=UTC)
    reached, _ = earn(account(), 600, leap)
    assert reached.tiering.held is not None
    assert reached.tiering.held.kept_until == datetime(2029, 2, 28, 12, tzinfo=UTC)


@given(
    st.lists(
        st.tuples(st.integers(-500, 3000), st.integers(0, 900), st.integers(0, 86_399_999)),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from([None, 1, 12, 36]),
)
def test_qualifying_points_are_the_signed_sum_of_the_entries_in_the_window(
    moves: list[tuple[int, int, int]], window: int | None
) -> None:
    tiering = Tiering()
    now, moments = T0, []
    for points, days, ms in moves:
        now = now + timedelta(days=days, milliseconds=ms)
        moments.append((now, points))
        tiering = tiers.with_qualifying(tiering, points, now, now, window)
    for later in (now, now + timedelta(days=40, hours=5), add_months(now, 11)):
        start = add_months(later, -(window or 12))
        expected = sum(points for moment, points in moments if moment >= start)
        assert tiers.qualifying_points(tiering, window or 12, later) == expected
    assert tiering.total == sum(points for points, _, _ in moves)
    assert tiers.qualifying_points(tiering, None, now) == tiering.total


def test_a_tier_is_reached_at_once_with_every_bonus_passed_on_the_way_up() -> None:
    after, changes = earn(account(), 2500, T0)
    assert after.tiering.held == replace(after.tiering.held, id="gold", since=T0)  # type: ignore[arg-type]
    bonuses = [entry for entry in changes.entries if entry.type is EntryType.BONUS]
    assert [(entry.entry_id, entry.points) for entry in bonuses] == [
        ("tier-bonus:ann:silver", 100),
        ("tier-bonus:ann:gold", 300),
    ]
    assert after.points.earned == 400  # the bonuses (the test's entry moved no balance itself)
    assert after.tiering.bonuses_paid == {"silver", "gold"}
    change = tiers.tier_change(account(), after, PROGRAM)
    assert change is not None
    assert (change.previous, change.tier, change.upgraded) == (None, "gold", True)


def test_a_reversal_keeps_the_tier_until_kept_until_and_a_later_entry_moves_it_on() -> None:
    silver, _ = earn(account(), 600, T0)
    reversed_, _ = earn(silver, -300, T0 + timedelta(days=10))
    assert tiers.current(reversed_, PROGRAM, T0 + timedelta(days=11)) == SILVER
    assert reversed_.tiering.held is not None
    assert reversed_.tiering.held.kept_until == add_months(T0, 12)
    later = T0 + timedelta(days=40)
    topped, _ = earn(reversed_, 300, later)
    assert topped.tiering.held is not None
    assert topped.tiering.held.kept_until == add_months(later, 12)
    # The index key stays where it was listed: an order never moves it.
    assert topped.tiering.listed_until == add_months(T0, 12)


def test_the_earn_multiplier_is_the_tier_held_when_the_order_is_processed() -> None:
    silver, _ = earn(account(), 600, T0)
    order = OrderPlaced(
        "e1", "acme", PlacedOrder("1001", Decimal("100"), "EUR", Buyer("ann", has_account=True)), T0
    )
    decision = decide_order(order, silver, PROGRAM, T0 + timedelta(hours=1))
    assert decision.entry.points == 125  # floor(100 × 1 × 1.25)
    first = decide_order(order, None, PROGRAM, T0)
    assert first.entry.points == 100  # no tier yet: a tier reached by an order applies from the next


def test_falling_and_rising_again_pays_no_bonus_twice() -> None:
    silver, _ = earn(account(), 600, T0)
    due = add_months(T0, 13)
    fallen = tiers.review(silver, PROGRAM, due, "run").result
    assert fallen.tiering.held is None
    assert fallen.tiering.listed_until is None
    risen, changes = earn(fallen, 700, due + timedelta(days=1))
    assert risen.tiering.held is not None
    assert risen.tiering.held.id == "silver"
    assert not [entry for entry in changes.entries if entry.type is EntryType.BONUS]


def test_the_daily_review_moves_a_due_customer_to_what_the_window_reaches_and_a_rerun_does_nothing() -> None:
    gold, _ = earn(account(), 2100, T0)
    later = add_months(T0, 6)
    kept, _ = earn(gold, 600, later)  # 2,700 meet Gold: kept_until moves on, the listing stays
    listed = add_months(T0, 12)
    assert kept.tiering.listed_until == listed
    relisted = tiers.review(kept, PROGRAM, listed + timedelta(hours=1), "run")
    assert relisted.changes is not None  # not due yet: listed again under the real kept_until
    assert relisted.result.tiering.held == kept.tiering.held
    assert relisted.result.tiering.listed_until == add_months(later, 12)
    assert tiers.review(relisted.result, PROGRAM, listed + timedelta(hours=1), "run").changes is None
    # At its kept_until the entry of `later` leaves the window, to the millisecond: Gold falls.
    due = add_months(later, 12) + timedelta(milliseconds=1)
    fallen = tiers.review(relisted.result, PROGRAM, due, "run").result
    assert fallen.tiering.held is None
    assert tiers.qualifying_points(relisted.result.tiering, 12, add_months(later, 12)) == 600


def test_a_reviewed_tier_is_kept_until_exactly_an_entry_s_anniversary_not_a_month_boundary() -> None:
    gold, _ = earn(account(), 2100, T0)  # Gold, kept until 15 January 2027 10:00
    dropped, _ = earn(gold, -1900, T0 + timedelta(days=1))  # below every threshold: kept_until stays
    march = datetime(2026, 3, 15, 13, 14, 15, 678_000, tzinfo=UTC)
    silver_level, _ = earn(dropped, 400, march)
    topped, _ = earn(silver_level, 200, datetime(2026, 4, 20, 16, 7, 8, 900_000, tzinfo=UTC))
    assert topped.tiering.held is not None
    assert topped.tiering.held.kept_until == add_months(T0, 12)
    # The run the day after (the refund of 16 January 2026 has left too): 600 reach Silver, kept
    # until the March entry's anniversary to the millisecond (then 200 remain), not 1 April.
    run_at = datetime(2027, 1, 16, 11, tzinfo=UTC)
    planned = tiers.review(topped, PROGRAM, run_at, "run")
    reviewed = planned.result
    assert reviewed.tiering.held == replace(
        topped.tiering.held,
        id="silver",
        since=run_at,
        kept_until=datetime(2027, 3, 15, 13, 14, 15, 678_000, tzinfo=UTC),
    )
    assert reviewed.tiering.listed_until == reviewed.tiering.held.kept_until
    assert planned.changes is not None
    assert planned.changes.entries == ()  # Silver's bonus was paid on the way up to Gold
    assert tiers.tier_change(topped, reviewed, PROGRAM) == tiers.TierChange("ann", "gold", "silver", False)
    assert (
        tiers.status(reviewed, PROGRAM, datetime(2027, 3, 15, 13, 14, 15, 678_000, tzinfo=UTC)).tier == SILVER
    )
    assert (
        tiers.status(reviewed, PROGRAM, datetime(2027, 3, 15, 13, 14, 15, 679_000, tzinfo=UTC)).tier is None
    )
    assert not tiers.is_due(reviewed, run_at)
    assert tiers.review(reviewed, PROGRAM, run_at, "run").changes is None
    # Due then: it falls, and a rerun changes nothing.
    after = datetime(2027, 3, 16, 3, tzinfo=UTC)
    fallen = tiers.review(reviewed, PROGRAM, after, "run").result
    assert fallen.tiering.held is None
    assert tiers.review(fallen, PROGRAM, after, "run").changes is None


@given(moments, windows, st.integers(1, 5000))
def test_a_review_never_keeps_a_tier_the_window_cannot_reach(
    when: datetime, window: int, points: int
) -> None:
    program = replace(PROGRAM, tier_window_months=window)
    reached, _ = earn(account(), points, when, program)
    if reached.tiering.held is None:
        return
    assert reached.tiering.listed_until == add_months(when, window)
    due = add_months(when, window)
    reviewed = tiers.review(reached, program, due, "run").result
    held = reviewed.tiering.held
    if held is not None:
        level = next(level for level in program.tiers if level.id == held.id)
        assert tiers.qualifying_points(reviewed.tiering, window, due) >= level.threshold
        assert held.kept_until is not None
        assert held.kept_until > due
    assert tiers.review(reviewed, program, due, "run").changes is None


def test_lifetime_tiers_never_fall_and_are_never_listed() -> None:
    program = replace(PROGRAM, tier_window_months=None)
    silver, _ = earn(account(), 600, T0, program)
    assert silver.tiering.held is not None
    assert silver.tiering.held.kept_until is None
    assert silver.tiering.listed_until is None
    assert tiers.current(silver, program, T0 + timedelta(days=3650)) == SILVER


def test_excluded_customers_reach_no_tier_and_get_no_bonus() -> None:
    after, changes = earn(account(CustomerStatus.EXCLUDED), 5000, T0)
    assert after.tiering.held is None
    assert len(changes.entries) == 1
    assert tiers.status(after, PROGRAM, T0).tier is None


def test_the_status_shows_the_next_tier_and_the_points_still_needed() -> None:
    silver, _ = earn(account(), 600, T0)
    shown = tiers.status(silver, PROGRAM, T0)
    assert (shown.tier, shown.next_tier, shown.points_needed, shown.qualifying_points) == (
        SILVER,
        GOLD,
        1400,
        600,
    )
    assert shown.since == T0
    assert shown.kept_until == add_months(T0, 12)
    # Thresholds lowered by the merchant: the answer follows the current settings at once.
    lowered = replace(PROGRAM, tiers=(replace(SILVER, threshold=100), replace(GOLD, threshold=500)))
    assert tiers.status(silver, lowered, T0).tier == lowered.tiers[1]
