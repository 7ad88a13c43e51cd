"""The refund rules as properties: prorated, floored, and never more than the order earned."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from math import floor

from hypothesis import given
from hypothesis import strategies as st

from loyalty.domain.rules.refunds import prorated_reversal, split_reversal

amounts = st.decimals(min_value=0, max_value=Decimal("99999.9999"), places=4)


@given(st.integers(0, 10**6), amounts.filter(lambda amount: amount > 0), st.lists(amounts, max_size=12))
def test_the_total_reversed_never_exceeds_what_the_order_earned(
    points: int, subtotal: Decimal, refunds: list[Decimal]
) -> None:
    reversed_total = 0
    for refunded in refunds:
        step = prorated_reversal(points, subtotal, refunded, reversed_total)
        assert step >= 0
        reversed_total += step
    assert reversed_total <= points


@given(st.integers(0, 10**6), amounts.filter(lambda amount: amount > 0), amounts)
def test_a_single_refund_reverses_the_floor_of_its_share(
    points: int, subtotal: Decimal, refunded: Decimal
) -> None:
    expected = min(points, floor(Fraction(points) * Fraction(refunded) / Fraction(subtotal)))
    assert prorated_reversal(points, subtotal, refunded, 0) == expected


@given(st.integers(0, 10**9), st.integers(-(10**6), 10**9))
def test_the_balance_never_goes_below_zero_and_nothing_is_lost(reversal: int, balance: int) -> None:
    taken, shortfall = split_reversal(reversal, balance)
    assert taken + shortfall == reversal
    assert taken >= 0
    assert shortfall >= 0
    assert balance - taken >= min(balance, 0)
