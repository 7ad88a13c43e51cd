"""The sign-up bonus on DynamoDB Local, with concurrent processes: for each new customer, its
registration and an order with an account race (each delivered twice, one of them under a new
event id); every customer becomes a member paid the bonus exactly once, and every invariant holds."""

from __future__ import annotations

import random

import pytest

from loyalty.domain.entities import CustomerStatus, EntryType
from tests.reliability import harness
from tests.support import STORE, Service, order_event, registration_event

pytestmark = pytest.mark.dynamodb_local

PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": False,  # the bonus is paid all the same: the customer is a member by then
    "ways_to_earn": [{"id": "welcome", "kind": "signup", "points": 100}],
}
CUSTOMERS = [f"n{number}" for number in range(24)]


def test_a_registration_and_an_order_racing_for_a_new_customer_pay_the_sign_up_bonus_once(
    service: Service, worker_env: dict[str, str]
) -> None:
    assert service.admin("PUT", "/program", PROGRAM).status == 200
    deliveries: list[harness.Delivery] = []
    for customer in CUSTOMERS:
        email = f"{customer}@example.com"
        order = order_event(f"o-{customer}", customer, "42.50", has_account=True, email=email)
        registration = registration_event(customer, email)
        deliveries += [
            harness.Delivery("order", order),
            harness.Delivery("order", order),  # redelivered
            harness.Delivery("register", registration),
            harness.Delivery("register", {**registration, "event_id": f"again-{customer}"}),
        ]
    random.Random(30).shuffle(deliveries)

    harness.deliver_concurrently(deliveries, worker_env, processes=6)

    for customer in CUSTOMERS:
        account = service.account(customer)
        assert account.status is CustomerStatus.MEMBER, customer
        assert (account.points.earned, account.points.balance, account.signup_settled) == (142, 142, True), (
            customer
        )
        ledger = list(service.repository.ledger(STORE, customer))
        assert sorted((entry.entry_id, entry.type, entry.points, entry.way) for entry in ledger) == [
            (f"order:o-{customer}", EntryType.EARN, 42, None),
            (f"signup:{customer}", EntryType.BONUS, 100, "welcome"),
        ], customer
    service.assert_sound()
