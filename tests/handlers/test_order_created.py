"""order-created end to end: API Gateway events through the handler, on moto's DynamoDB."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

from loyalty.domain.entities import CustomerStatus, EmailClaim
from loyalty_dev.local.apigw import LambdaContext, rest_event
from tests.harness.in_process import load_handler, to_answer
from tests.support import STORE, Service, invitation_event, order_event, sign


def test_a_guest_order_creates_a_candidate_with_the_floor_of_the_subtotal(service: Service) -> None:
    answer = service.order(order_event(subtotal="49.90"))

    assert answer.status == 200
    assert answer.json() == {
        "status": "processed",
        "customer_id": "c-42",
        "points_earned": 49,
        "points_pending": 0,
        "available_at": None,
        "balance": 49,
    }
    account = service.account("c-42")
    assert account.status is CustomerStatus.CANDIDATE
    assert (account.points.balance, account.points.earned, account.revision) == (49, 49, 1)
    assert account.created_at == account.updated_at == account.last_activity_at
    assert account.created_at.tzinfo is not None
    service.assert_sound()


def test_an_order_with_an_account_creates_a_member_holding_its_email(service: Service) -> None:
    service.order(order_event(has_account=True, email="Ann@Example.com"))

    assert service.account("c-42").status is CustomerStatus.MEMBER
    assert service.claim(STORE, "ann@example.com") == EmailClaim(STORE, "ann@example.com", "c-42")


def test_a_known_candidate_ordering_with_an_account_becomes_a_member_and_keeps_its_points(
    service: Service,
) -> None:
    service.order(order_event("1", subtotal="10.00"))
    answer = service.order(order_event("2", subtotal="5.50", has_account=True))

    assert answer.json()["balance"] == 15
    account = service.account("c-42")
    assert account.status is CustomerStatus.MEMBER
    assert (account.points.earned, account.revision) == (15, 2)
    service.assert_sound()


def test_a_candidate_whose_email_another_member_holds_stays_a_candidate_and_still_earns(
    service: Service,
) -> None:
    service.order(order_event("1", "member-1", has_account=True, email="ann@example.com"))
    answer = service.order(order_event("2", "guest-9", "20", has_account=True, email="ANN@example.com"))

    assert answer.status == 200
    assert answer.json()["points_earned"] == 20
    assert service.account("guest-9").status is CustomerStatus.CANDIDATE
    assert service.claim(STORE, "ann@example.com").customer_id == "member-1"


def test_the_same_email_in_another_store_is_free(service: Service) -> None:
    service.order(order_event("1", "member-1", has_account=True))
    service.order(order_event("1", "member-1", has_account=True, store_id="other"))

    assert service.account("member-1", store_id="other").status is CustomerStatus.MEMBER


def test_points_are_the_floor_of_subtotal_times_the_rate(
    service: Service, program: Callable[..., None]
) -> None:
    program(points_per_currency_unit="1.5")

    assert service.order(order_event("1", subtotal="0.99")).json()["points_earned"] == 1
    assert service.order(order_event("2", subtotal="0.66")).json()["points_earned"] == 0
    assert service.order(order_event("3", subtotal="999999999999.9999")).json()["points_earned"] == (
        1499999999999
    )


def test_guests_earn_nothing_when_the_program_says_so(service: Service, program: Callable[..., None]) -> None:
    program(guests_earn_points="false")

    guest = service.order(order_event("1", "guest"))
    member = service.order(order_event("2", "member", has_account=True, email="m@example.com"))

    assert guest.json() | {"reason": "guests do not earn points"} == guest.json()
    assert guest.json()["points_earned"] == 0
    assert member.json()["points_earned"] == 49
    service.assert_sound()


def test_an_excluded_tag_excludes_the_customer_who_then_earns_nothing(
    service: Service, program: Callable[..., None]
) -> None:
    program(excluded_customer_tags="staff, wholesale")
    service.order(order_event("1", subtotal="10"))

    tagged = service.order(order_event("2", subtotal="10", tags=["VIP", " Staff "]))
    later = service.order(order_event("3", subtotal="10", tags=[]))

    assert tagged.json()["points_earned"] == 0
    assert tagged.json()["reason"] == "customer excluded"
    assert later.json()["points_earned"] == 0
    account = service.account("c-42")
    assert account.status is CustomerStatus.EXCLUDED
    assert account.status_before_exclusion is CustomerStatus.CANDIDATE
    assert account.points.balance == 10  # frozen, not deleted
    service.assert_sound()


def test_a_redelivered_order_is_a_duplicate_and_writes_nothing(service: Service) -> None:
    first = service.order(order_event())
    before = service.snapshot()

    again = service.order(order_event())

    assert again.status == 200
    assert again.json() == {**first.json(), "status": "duplicate"}
    assert service.snapshot() == before


def test_the_same_order_under_a_new_event_id_is_a_duplicate(service: Service) -> None:
    service.order(order_event("1001", event_id="evt-a"))
    before = service.snapshot()

    again = service.order(order_event("1001", event_id="evt-b", subtotal="500"))

    assert again.json()["status"] == "duplicate"
    assert again.json()["points_earned"] == 49
    assert service.snapshot() == before


def test_a_reused_event_id_with_a_new_order_is_a_new_order(service: Service) -> None:
    service.order(order_event("1", event_id="evt-same"))
    second = service.order(order_event("2", event_id="evt-same"))

    assert second.json()["status"] == "processed"
    assert second.json()["balance"] == 98


def test_the_same_order_id_in_another_store_is_another_order(service: Service) -> None:
    service.order(order_event("1"))
    other = service.order(order_event("1", store_id="other"))

    assert other.json()["status"] == "processed"


def test_an_order_for_a_merged_file_credits_the_surviving_member(service: Service) -> None:
    service.order(order_event("1", "guest", subtotal="10"))
    service.order(order_event("2", "member", subtotal="20", has_account=True))
    assert service.merge(invitation_event("guest", "member")).status == 200

    answer = service.order(order_event("3", "guest", subtotal="5"))

    assert answer.json() == {
        "status": "processed",
        "customer_id": "member",
        "points_earned": 5,
        "points_pending": 0,
        "available_at": None,
        "balance": 35,
    }
    assert service.account("guest").points.balance == 0
    redelivered = service.order(order_event("1", "guest", subtotal="10"))
    assert redelivered.json() == {
        "status": "duplicate",
        "customer_id": "member",
        "points_earned": 10,
        "points_pending": 0,
        "available_at": None,
        "balance": 35,
    }
    service.assert_sound()


def test_every_change_advances_the_revision_and_keeps_the_ledger_equal_to_the_balance(
    service: Service,
) -> None:
    for number in range(5):
        service.order(order_event(str(number), subtotal=f"{number}.50"))

    account = service.account("c-42")
    assert account.revision == 5
    entries = list(service.repository.ledger(STORE, "c-42"))
    assert [entry.balance_after for entry in entries] == [0, 1, 3, 6, 10]
    service.assert_sound()


def test_a_base64_body_is_verified_and_read_as_api_gateway_sends_it(service: Service) -> None:
    body = json.dumps(order_event()).encode()
    headers = {"X-Loyalty-Signature": sign(body)}
    event = rest_event("POST", "/webhooks/order-created", "/webhooks/order-created", headers=headers)
    event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True

    handler = load_handler(service.api.functions["OrderCreatedFunction"])
    answer = to_answer(handler(event, LambdaContext()))

    assert answer.status == 200
    assert answer.json()["points_earned"] == 49
