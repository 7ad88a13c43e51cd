"""The Wix adapter's pure parts, for any input: the earning amount of an order, and verification
that lets nothing through but a token of the app's key."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty.errors import Unauthorized
from loyalty.http.platforms.wix import WixOrder, verify_webhook
from tests import wix_payloads as wix

MONEY = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)


def _order(lines: list[Decimal | None], subtotal: Decimal, discount: Decimal | None) -> WixOrder:
    summary: dict[str, Any] = {"subtotal": {"amount": str(subtotal)}}
    if discount is not None:
        summary["discount"] = {"amount": str(discount)}
    return WixOrder.model_validate(
        {
            "id": "o-1",
            "currency": "EUR",
            "lineItems": [
                {} if line is None else {"totalPriceBeforeTax": {"amount": str(line)}} for line in lines
            ],
            "priceSummary": summary,
        }
    )


@given(lines=st.lists(MONEY, min_size=1, max_size=20), subtotal=MONEY, discount=st.none() | MONEY)
def test_with_every_line_total_the_amount_is_their_sum(
    lines: list[Decimal], subtotal: Decimal, discount: Decimal | None
) -> None:
    assert _order(list(lines), subtotal, discount).earning_amount() == sum(lines, Decimal(0))


@given(
    lines=st.lists(st.none() | MONEY, max_size=5).filter(lambda lines: not lines or None in lines),
    subtotal=MONEY,
    discount=st.none() | MONEY,
)
def test_otherwise_it_is_the_subtotal_minus_the_discount_never_below_zero(
    lines: list[Decimal | None], subtotal: Decimal, discount: Decimal | None
) -> None:
    amount = _order(lines, subtotal, discount).earning_amount()

    assert amount == max(Decimal(0), subtotal - (discount or Decimal(0)))
    assert amount >= 0


@given(body=st.binary(max_size=2048) | st.text(max_size=2048).map(str.encode))
def test_no_body_but_a_token_of_the_apps_key_verifies(body: bytes) -> None:
    with pytest.raises(Unauthorized):
        verify_webhook(body, wix.APP_PUBLIC_KEY_PEM.encode())
