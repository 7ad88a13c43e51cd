"""The pure earning and lifecycle rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from math import floor

from hypothesis import given
from hypothesis import strategies as st

from loyalty.domain.entities import CustomerStatus
from loyalty.domain.program import Program
from loyalty.domain.rules.earning import decide_order, points_for
from loyalty.http.commands import order_placed
from loyalty.http.models import OrderCreated
from tests.support import order_event

NOW = datetime(2026, 11, 20, 10, tzinfo=UTC)
amounts = st.decimals(min_value=0, max_value=Decimal("999999999999.9999"), places=4)
rates = st.decimals(min_value=0, max_value=1000, places=6)


@given(amounts, rates)
def test_points_are_the_exact_floor_of_amount_times_rate(amount: Decimal, rate: Decimal) -> None:
    assert points_for(amount, rate) == floor(Fraction(amount) * Fraction(rate))


@given(amounts, amounts)
def test_points_never_decrease_as_the_amount_grows(first: Decimal, second: Decimal) -> None:
    low, high = sorted((first, second))
    assert points_for(low, Decimal("1.25")) <= points_for(high, Decimal("1.25"))


def test_floor_not_rounding() -> None:
    assert points_for(Decimal("49.99"), Decimal(1)) == 49
    assert points_for(Decimal("0.3333"), Decimal(3)) == 0
    assert points_for(Decimal("0.3334"), Decimal(3)) == 1


def decide(**changes: object):  # type: ignore[no-untyped-def]
    event = OrderCreated.model_validate_json(json.dumps(order_event(**changes)))  # type: ignore[arg-type]
    return decide_order(order_placed(event), None, Program(), NOW)


def test_a_new_guest_is_a_candidate_at_revision_one() -> None:
    decision = decide()
    assert decision.account.status is CustomerStatus.CANDIDATE
    assert decision.account.revision == 1
    assert decision.changes.claims == ()


def test_a_new_member_claims_its_lower_cased_email() -> None:
    decision = decide(has_account=True, email="Ann@Example.COM")
    assert [claim.email_key for claim in decision.changes.claims] == ["ann@example.com"]


def test_a_member_without_email_claims_nothing() -> None:
    decision = decide(has_account=True, email=None)
    assert decision.account.status is CustomerStatus.MEMBER
    assert decision.changes.claims == ()


def test_when_the_email_is_taken_the_customer_stays_a_candidate() -> None:
    event = OrderCreated.model_validate_json(json.dumps(order_event(has_account=True)))
    decision = decide_order(order_placed(event), None, Program(), NOW, email_available=False)
    assert decision.account.status is CustomerStatus.CANDIDATE
    assert decision.entry.points == 49


def test_a_paused_program_records_the_order_and_earns_nothing() -> None:
    event = OrderCreated.model_validate_json(json.dumps(order_event()))
    decision = decide_order(order_placed(event), None, Program(active=False), NOW)
    assert (decision.entry.points, decision.entry.reason) == (0, "program paused")
