"""order-refunded end to end: prorated reversal, once per refund, never more than earned."""

from __future__ import annotations

import pytest

from tests.support import STORE, Service, invitation_event, order_event, refund_event, registration_event


def test_a_partial_refund_reverses_its_share_of_the_points(service: Service) -> None:
    service.order(order_event("1001", subtotal="49.90"))

    answer = service.refund(refund_event("rf-1", "1001", "20.00"))

    assert answer.status == 200
    assert answer.json() == {
        "status": "processed",
        "customer_id": "c-42",
        "points_reversed": 19,  # floor(49 × 20.00 / 49.90)
        "points_cancelled": 0,
        "shortfall": 0,
        "balance": 30,
    }
    account = service.account("c-42")
    assert (account.points.earned, account.points.balance) == (30, 30)
    service.assert_sound()


def test_a_refund_is_reversed_once_per_refund_id(service: Service) -> None:
    service.order(order_event("1001", subtotal="100"))
    service.refund(refund_event("rf-1", "1001", "50"))
    before = service.snapshot()

    again = service.refund(refund_event("rf-1", "1001", "50", event_id="evt-other"))

    assert again.json()["status"] == "duplicate"
    assert again.json()["points_reversed"] == 50
    assert service.snapshot() == before


def test_refunds_never_reverse_more_than_the_order_earned(service: Service) -> None:
    service.order(order_event("1001", subtotal="100"))

    reversed_points = [
        service.refund(refund_event(f"rf-{number}", "1001", "60")).json()["points_reversed"]
        for number in range(3)
    ]

    assert reversed_points == [60, 40, 0]
    assert service.account("c-42").points.earned == 0
    service.assert_sound()


def test_a_reversal_larger_than_the_balance_records_the_shortfall(service: Service) -> None:
    service.register(registration_event("c-42"))
    service.order(order_event("1001", subtotal="100"))
    service.admin("POST", "/customers/c-42/redemptions", {"points": 80, "reward": "gift card"})

    answer = service.refund(refund_event("rf-1", "1001", "100"))

    assert answer.json() == {
        "status": "processed",
        "customer_id": "c-42",
        "points_reversed": 100,
        "points_cancelled": 0,
        "shortfall": 80,
        "balance": 0,
    }
    entries = service.admin("GET", "/customers/c-42/transactions").json()["items"]
    assert entries[0]["type"] == "reverse"
    assert entries[0]["points"] == -20
    assert entries[0]["shortfall"] == 80
    service.assert_sound()


def test_a_refund_of_a_merged_guests_order_reverses_from_the_member(service: Service) -> None:
    service.order(order_event("g1", "guest", "40"))
    service.register(registration_event("member", "m@example.com"))
    service.order(order_event("m1", "member", "10"))
    service.merge(invitation_event("guest", "member"))

    answer = service.refund(refund_event("rf-1", "g1", "40"))

    assert answer.json()["customer_id"] == "member"
    assert answer.json()["balance"] == 10
    service.assert_sound()


def test_an_unknown_order_is_404_and_writes_nothing(service: Service) -> None:
    before = service.snapshot()

    answer = service.refund(refund_event("rf-1", "nope", "1"))

    assert answer.status == 404
    assert service.snapshot() == before


def test_a_refund_of_a_paused_programs_order_reverses_nothing(service: Service) -> None:
    service.admin(
        "PUT", "/program", {"active": False, "points_per_currency_unit": "1", "guests_earn_points": True}
    )
    service.order(order_event("1001", subtotal="100"))

    assert service.refund(refund_event("rf-1", "1001", "100")).json()["points_reversed"] == 0


@pytest.mark.parametrize(
    "refund",
    [
        {"id": "rf-1", "order_id": "1001", "amount": 20},
        {"id": "rf 1", "order_id": "1001", "amount": "20"},
        {"id": "rf-1", "order_id": "1001", "amount": "-1"},
        {"id": "rf-1", "amount": "1"},
    ],
)
def test_an_invalid_refund_is_422_and_writes_nothing(service: Service, refund: dict) -> None:
    service.order(order_event("1001"))
    before = service.snapshot()

    answer = service.refund({**refund_event("x", "1001", "1"), "refund": refund})

    assert answer.status == 422
    assert service.snapshot() == before
    assert STORE
