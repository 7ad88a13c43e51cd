"""Bonus campaigns (pure): the largest of the campaigns covering an order's time (starts_at
included, ends_at excluded), times the tier's multiplier, floored once at the end; the order's
entry records the multiplier applied."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from loyalty.domain.commands import Buyer, OrderPlaced, PlacedOrder
from loyalty.domain.entities import Account, CustomerStatus, HeldTier, Tiering
from loyalty.domain.program import Campaign, Program, TierLevel
from loyalty.domain.rules.campaigns import campaign_multiplier, running
from loyalty.domain.rules.earning import decide_order, new_account

T0 = datetime(2026, 12, 5, tzinfo=UTC)
GOLD = TierLevel(id="gold", name="Gold", threshold=1, earn_multiplier=Decimal("1.5"))

multipliers = st.integers(100, 1000).map(lambda cents: Decimal(cents) / 100)
offsets = st.integers(-10_000, 10_000).map(lambda seconds: timedelta(seconds=seconds))


@st.composite
def campaigns(draw: st.DrawFn) -> Campaign:
    start = T0 + draw(offsets)
    return Campaign(
        id=f"c{draw(st.integers(0, 10**6))}",
        name="Campaign",
        multiplier=draw(multipliers),
        starts_at=start,
        ends_at=start + timedelta(seconds=draw(st.integers(1, 20_000))),
    )


def campaign(multiplier: str, start: datetime, end: datetime, campaign_id: str = "double") -> Campaign:
    return Campaign(
        id=campaign_id, name="Double", multiplier=Decimal(multiplier), starts_at=start, ends_at=end
    )


def order(subtotal: str, occurred_at: datetime = T0, order_id: str = "1001") -> OrderPlaced:
    return OrderPlaced(
        "e1", "acme", PlacedOrder(order_id, Decimal(subtotal), "EUR", Buyer("ann")), occurred_at
    )


def golden() -> Account:
    """A member holding the Gold tier (×1.5) for a long while."""
    tiering = Tiering(held=HeldTier("gold", T0 - timedelta(days=30), T0 + timedelta(days=300)))
    return replace(new_account("acme", "ann", CustomerStatus.MEMBER, T0), tiering=tiering, revision=1)


@given(st.lists(campaigns(), max_size=6), offsets)
def test_the_largest_covering_campaign_applies_and_none_gives_one(
    chosen: list[Campaign], offset: timedelta
) -> None:
    moment = T0 + offset
    covering = [c.multiplier for c in chosen if c.starts_at <= moment < c.ends_at]
    assert campaign_multiplier(tuple(chosen), moment) == max(covering, default=Decimal(1))
    assert {c.id for c in running(tuple(chosen), moment)} == {
        c.id for c in chosen if c.starts_at <= moment < c.ends_at
    }


@given(campaigns())
def test_starts_at_is_inside_and_ends_at_is_outside(chosen: Campaign) -> None:
    assert campaign_multiplier((chosen,), chosen.starts_at) == chosen.multiplier
    assert campaign_multiplier((chosen,), chosen.ends_at - timedelta(microseconds=1)) == chosen.multiplier
    assert campaign_multiplier((chosen,), chosen.ends_at) == 1
    assert campaign_multiplier((chosen,), chosen.starts_at - timedelta(microseconds=1)) == 1


amounts = st.integers(0, 10**8).map(lambda cents: Decimal(cents) / 100)
rates = st.sampled_from(["1", "0.1", "1.5", "2.25", "0.333333", "10"]).map(Decimal)


@given(amounts, rates, multipliers, st.lists(campaigns(), max_size=4), st.booleans())
def test_an_order_earns_amount_times_rate_times_tier_times_campaign_floored_once(
    amount: Decimal, rate: Decimal, tier_multiplier: Decimal, chosen: list[Campaign], tiered: bool
) -> None:
    tier = replace(GOLD, earn_multiplier=tier_multiplier)
    program = Program(points_per_currency_unit=rate, tiers=(tier,), campaigns=tuple(chosen))
    current = golden() if tiered else None
    decision = decide_order(order(str(amount)), current, program, T0)
    campaign_part = campaign_multiplier(tuple(chosen), T0)
    applied = (tier_multiplier if tiered else Decimal(1)) * campaign_part
    exact = Fraction(amount) * Fraction(rate) * Fraction(applied)
    assert decision.entry.points == exact.numerator // exact.denominator
    assert decision.entry.multiplier == (applied if applied != 1 else None)


def test_one_floor_at_the_end_not_one_per_multiplier() -> None:
    # 1.25 × 1.5 × 1.5 = 2.8125: floored once, 2 points; floored after each step it would be 1.
    program = Program(tiers=(GOLD,), campaigns=(campaign("1.5", T0, T0 + timedelta(days=1)),))
    decision = decide_order(order("1.25"), golden(), program, T0)
    assert (decision.entry.points, decision.entry.multiplier) == (2, Decimal("2.25"))


def test_overlapping_campaigns_do_not_add_up_and_the_time_that_counts_is_the_orders() -> None:
    double = campaign("2", T0, T0 + timedelta(days=2))
    triple = campaign("3", T0 + timedelta(days=1), T0 + timedelta(days=3), "triple")
    program = Program(campaigns=(double, triple))
    processed_later = T0 + timedelta(days=10)  # a late delivery still earns at the order's time
    assert decide_order(order("10", T0), None, program, processed_later).entry.points == 20
    assert (
        decide_order(order("10", T0 + timedelta(days=1)), None, program, processed_later).entry.points == 30
    )
    assert (
        decide_order(order("10", T0 + timedelta(days=3)), None, program, processed_later).entry.points == 10
    )


def test_a_paused_program_an_excluded_customer_and_a_guest_who_may_not_earn_get_nothing_multiplied() -> None:
    running_double = (campaign("2", T0, T0 + timedelta(days=1)),)
    paused = decide_order(order("10"), None, Program(active=False, campaigns=running_double), T0)
    guests = decide_order(order("10"), None, Program(guests_earn_points=False, campaigns=running_double), T0)
    assert [(d.entry.points, d.entry.multiplier) for d in (paused, guests)] == [(0, None), (0, None)]
