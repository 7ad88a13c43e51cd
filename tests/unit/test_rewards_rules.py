"""The catalog's rules, pure: what a reward may be (hypothesis for bad terms), the coupon code,
and the coupon's moves."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from loyalty.domain.entities import Coupon, CouponStatus, RewardKind
from loyalty.domain.operations.rewards import CODE_ALPHABET, CODE_LENGTH, draw_code
from loyalty.domain.rules.rewards import RewardTerms, decide_use, terms_problem
from loyalty.errors import Conflict
from loyalty.http.models import RewardRequest

NOW = datetime(2026, 12, 2, tzinfo=UTC)
GOOD = {
    "id": "ten-off",
    "name": "€10 off",
    "points": 500,
    "kind": "amount_off",
    "value": "10.00",
    "currency": "EUR",
}


def parse(document: dict[str, object]) -> RewardRequest:
    return RewardRequest.model_validate_json(json.dumps(document))


@given(st.integers().filter(lambda points: not 1 <= points <= 10_000_000))
def test_points_outside_1_to_10_million_are_refused(points: int) -> None:
    with pytest.raises(ValidationError):
        parse({**GOOD, "points": points})
    assert terms_problem(RewardTerms("x", points, RewardKind.FREE_SHIPPING, None, None)) is not None


@given(
    st.text(max_size=80).filter(
        lambda text: (
            not (1 <= len(text) <= 64 and all(c.isascii() and (c.isalnum() or c in "._-") for c in text))
        )
    )
)
def test_ids_outside_the_charset_or_length_are_refused(reward_id: str) -> None:
    with pytest.raises(ValidationError):
        parse({**GOOD, "id": reward_id})


@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=2).filter(lambda value: not 0 < value <= 100)
)
def test_a_percentage_outside_0_to_100_is_refused(value: Decimal) -> None:
    document = {**GOOD, "kind": "percent_off", "value": str(value)}
    document.pop("currency")
    with pytest.raises(ValidationError):
        parse(document)
    assert terms_problem(RewardTerms("x", 1, RewardKind.PERCENT_OFF, value, None)) is not None


@given(st.decimals(min_value=Decimal("0.01"), max_value=100, places=2))
def test_a_percentage_above_0_and_at_most_100_is_accepted(value: Decimal) -> None:
    document = {**GOOD, "kind": "percent_off", "value": str(value)}
    document.pop("currency")
    parse(document)
    assert terms_problem(RewardTerms("x", 1, RewardKind.PERCENT_OFF, value, None)) is None


def test_free_shipping_has_no_value_and_amount_off_a_currency() -> None:
    assert terms_problem(RewardTerms("x", 1, RewardKind.FREE_SHIPPING, Decimal(1), None)) is not None
    assert terms_problem(RewardTerms("x", 1, RewardKind.AMOUNT_OFF, Decimal(1), None)) is not None
    assert terms_problem(RewardTerms("x", 1, RewardKind.AMOUNT_OFF, Decimal(1), "EUR")) is None


def test_a_code_is_16_characters_of_crockford_base32_at_80_bits() -> None:
    codes = {draw_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert len(CODE_ALPHABET) ** CODE_LENGTH >= 2**80


def coupon(status: CouponStatus, order_id: str | None = None) -> Coupon:
    return Coupon(
        "acme", "C" * 16, "r", RewardKind.FREE_SHIPPING, None, None, 10, status, "ann", NOW, order_id=order_id
    )


def test_a_used_coupon_is_used_again_by_its_own_order_only() -> None:
    assert decide_use(coupon(CouponStatus.USED, "1"), "1", NOW).changes is None
    with pytest.raises(Conflict):
        decide_use(coupon(CouponStatus.USED, "1"), "2", NOW)
    with pytest.raises(Conflict):
        decide_use(coupon(CouponStatus.VOID), "1", NOW)
