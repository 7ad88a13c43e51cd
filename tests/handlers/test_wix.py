"""Wix's webhooks, signed as Wix signs them (RS256 JWTs with the app's key), on the same functions.

Every payload is a full document of tests/wix_payloads.py; every forgery is a 401 that writes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import boto3
import jwt
import pytest

from loyalty.domain.entities import CustomerStatus
from loyalty.runtime import reset_runtime
from loyalty_dev.template import load_template
from tests import wix_payloads as wix
from tests.harness.in_process import Answer
from tests.support import Service, order_event, registration_event

STORE = wix.INSTANCE_ID
ORDERS = "/webhooks/wix/orders"
MEMBERS = "/webhooks/wix/members"
ORDER_APPROVED = "wix.ecom.v1.order_approved"
MEMBER_CREATED = "wix.members.v1.member_created"
MEMBER_UPDATED = "wix.members.v1.member_updated"


def post(service: Service, path: str, body: str | bytes, *, content_type: str = "text/plain") -> Answer:
    return service.api.request("POST", path, headers={"Content-Type": content_type}, body=body)


def send(service: Service, path: str, event_type: str, event: dict[str, Any], **options: Any) -> Answer:
    return post(service, path, wix.signed(event_type, event, **options))


def approve(service: Service, order: dict[str, Any], **options: Any) -> Answer:
    return send(service, ORDERS, ORDER_APPROVED, wix.order_approved_event(order, **options))


def accounts(service: Service, store: str) -> dict[str, Any]:
    return {
        account.customer_id: (account.status, account.points, account.revision, account.email)
        for account, _ in service.repository.accounts(store)
    }


# Orders -----------------------------------------------------------------------------------------


def test_a_visitors_approved_order_creates_a_candidate_earning_its_lines_before_tax(service: Service) -> None:
    answer = approve(service, wix.visitor_order())

    assert answer.status == 200, answer.body
    # 45.00 + 12.90 before tax (after the line's discount, without shipping or tax) = 57.90
    assert answer.json() == {
        "status": "processed",
        "customer_id": wix.VISITOR_CONTACT,
        "points_earned": 57,
        "points_pending": 0,
        "available_at": None,
        "balance": 57,
    }
    account = service.account(wix.VISITOR_CONTACT, store_id=STORE)
    assert (account.status, account.email) == (CustomerStatus.CANDIDATE, "ann@example.com")
    service.assert_sound(STORE)


def test_a_site_members_order_creates_a_member(service: Service) -> None:
    answer = approve(service, wix.member_order())

    assert answer.json()["points_earned"] == 12
    assert service.account(wix.MEMBER_CONTACT, store_id=STORE).status is CustomerStatus.MEMBER


@pytest.mark.parametrize(
    ("discount", "points"),
    [("5.00", 57), (None, 62), ("70.00", 0)],
    ids=["subtotal-minus-discount", "no-discount", "discount-above-subtotal"],
)
def test_without_line_totals_the_amount_is_the_subtotal_minus_the_discount(
    service: Service, discount: str | None, points: int
) -> None:
    answer = approve(service, wix.order_without_line_totals(discount=discount))

    assert answer.status == 200, answer.body
    assert answer.json()["points_earned"] == points


def test_the_body_as_json_form_reads_as_the_object_form(service: Service) -> None:
    answer = approve(service, wix.visitor_order(), as_json=True)

    assert answer.json()["points_earned"] == 57


def test_a_redelivered_token_and_the_same_order_on_any_route_earn_once(service: Service) -> None:
    token = wix.signed(ORDER_APPROVED, wix.order_approved_event(wix.visitor_order()))
    assert post(service, ORDERS, token).json()["status"] == "processed"
    before = service.snapshot()

    again = post(service, ORDERS, token)
    under_a_new_event_id = approve(service, wix.visitor_order(), event_id="a-new-wix-event-id")
    canonical = service.order(
        order_event(wix.visitor_order()["id"], wix.VISITOR_CONTACT, "57.90", store_id=STORE)
    )

    assert [answer.json()["status"] for answer in (again, under_a_new_event_id, canonical)] == [
        "duplicate"
    ] * 3
    assert service.snapshot() == before


def test_an_expired_token_is_still_accepted_since_wix_redelivers_it_for_two_days(service: Service) -> None:
    claims = wix.claims(ORDER_APPROVED, wix.order_approved_event(wix.visitor_order()))
    claims.update(iat=int(time.time()) - 2 * 86400, exp=int(time.time()) - 86400)

    answer = post(service, ORDERS, jwt.encode(claims, wix.APP_PRIVATE_KEY_PEM, algorithm="RS256"))

    assert answer.json()["status"] == "processed"


def test_an_order_without_a_contact_is_ignored(service: Service) -> None:
    answer = approve(service, wix.order_without_contact())

    assert answer.json() == {"status": "ignored", "reason": "order has no contact"}
    assert service.snapshot() == []


@pytest.mark.parametrize(
    ("path", "event_type", "event"),
    [
        (ORDERS, "wix.contacts.v4.contact_merged", wix.contact_merged_event()),
        (ORDERS, MEMBER_CREATED, wix.member_created_event(wix.member())),
        (MEMBERS, ORDER_APPROVED, wix.order_approved_event(wix.visitor_order())),
        (MEMBERS, "wix.members.v1.member_deleted", wix.contact_merged_event()),
    ],
    ids=["contact-merged", "member-on-orders", "order-on-members", "member-deleted"],
)
def test_an_event_type_the_route_does_not_handle_is_ignored_with_a_reason(
    service: Service, path: str, event_type: str, event: dict[str, Any]
) -> None:
    answer = send(service, path, event_type, event)

    assert answer.status == 200
    assert answer.json() == {
        "status": "ignored",
        "reason": f"event type {event_type} is not handled on this route",
    }
    assert service.snapshot() == []


# Members ----------------------------------------------------------------------------------------


def test_a_member_created_pending_is_a_candidate_until_updated_approved(service: Service) -> None:
    pending = send(service, MEMBERS, MEMBER_CREATED, wix.member_created_event(wix.member(status="PENDING")))
    approved = send(
        service,
        MEMBERS,
        MEMBER_UPDATED,
        wix.member_updated_event(wix.member(status="APPROVED"), as_json=True),
    )

    assert pending.json() == {
        "status": "processed",
        "customer_id": wix.VISITOR_CONTACT,
        "customer_status": "candidate",
        "balance": 0,
    }
    assert approved.json() == {
        "status": "processed",
        "customer_id": wix.VISITOR_CONTACT,
        "customer_status": "member",
        "balance": 0,
    }
    account = service.account(wix.VISITOR_CONTACT, store_id=STORE)
    assert (account.email, account.first_name, account.last_name) == ("ann@example.com", "Ann", "Lee")
    service.assert_sound(STORE)


def test_a_member_updated_with_a_new_name_refreshes_the_members_details(service: Service) -> None:
    send(service, MEMBERS, MEMBER_CREATED, wix.member_created_event(wix.member()))
    entity = wix.member()
    entity["contact"]["lastName"] = "Lee-Smith"

    answer = send(service, MEMBERS, MEMBER_UPDATED, wix.member_updated_event(entity))

    assert answer.json()["status"] == "updated"
    account = service.account(wix.VISITOR_CONTACT, store_id=STORE)
    assert (account.first_name, account.last_name) == ("Ann", "Lee-Smith")
    service.assert_sound(STORE)


def test_names_kept_in_contact_details_are_read_too(service: Service) -> None:
    entity = wix.member()
    entity["contactDetails"] = {"firstName": "Annie", "lastName": "Lee-Smith", "emails": ["ann@example.com"]}
    entity.pop("contact")

    send(service, MEMBERS, MEMBER_CREATED, wix.member_created_event(entity))

    account = service.account(wix.VISITOR_CONTACT, store_id=STORE)
    assert (account.first_name, account.last_name) == ("Annie", "Lee-Smith")


def test_a_pending_member_changes_nothing_of_a_known_customer(service: Service) -> None:
    approve(service, wix.visitor_order())
    before = service.snapshot()

    again = send(
        service,
        MEMBERS,
        MEMBER_UPDATED,
        wix.member_updated_event(wix.member(status="PENDING", email="new@example.com")),
    )

    assert again.json()["status"] == "duplicate"
    assert service.snapshot() == before


def test_a_visitor_who_orders_then_joins_the_members_area_keeps_the_points_that_waited(
    service: Service,
) -> None:
    approve(service, wix.visitor_order())

    joined = send(service, MEMBERS, MEMBER_CREATED, wix.member_created_event(wix.member(), as_json=True))

    assert joined.json() == {
        "status": "processed",
        "customer_id": wix.VISITOR_CONTACT,
        "customer_status": "member",
        "balance": 57,
    }
    balance = service.balance(wix.VISITOR_CONTACT, store_id=STORE).json()
    assert (balance["status"], balance["points"]["balance"], balance["can_redeem"]) == ("member", 57, True)
    service.assert_sound(STORE)


def test_an_approved_member_whose_email_another_member_holds_is_a_200_conflict_logged_without_the_email(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    service.register(registration_event("someone-else", "ann@example.com", store_id=STORE))
    before = service.snapshot()
    caplog.clear()

    answer = send(service, MEMBERS, MEMBER_CREATED, wix.member_created_event(wix.member()))

    assert answer.status == 200
    assert answer.json()["status"] == "conflict"
    assert service.snapshot() == before
    logged = [vars(record) for record in caplog.records]
    assert [entry.get("conflict") for entry in logged if "conflict" in entry] == ["email_taken"]
    assert "ann@example.com" not in repr(logged)
    assert "Ann" not in repr(logged)


# Equal accounts ---------------------------------------------------------------------------------


def test_the_wix_path_and_the_canonical_path_end_in_equal_accounts(service: Service) -> None:
    approve(service, wix.visitor_order())
    send(service, MEMBERS, MEMBER_CREATED, wix.member_created_event(wix.member(status="PENDING")))
    approve(service, wix.member_order())
    send(service, MEMBERS, MEMBER_UPDATED, wix.member_updated_event(wix.member(status="APPROVED")))
    approve(service, wix.order_without_line_totals())

    canonical = "canonical-store"
    service.order(
        order_event("o-1", wix.VISITOR_CONTACT, "57.90", email="ann@example.com", store_id=canonical)
    )
    service.order(
        order_event(
            "o-2", wix.MEMBER_CONTACT, "12.90", has_account=True, email="max@example.com", store_id=canonical
        )
    )
    service.register(registration_event(wix.VISITOR_CONTACT, "ann@example.com", store_id=canonical))
    service.order(
        order_event("o-3", wix.VISITOR_CONTACT, "57.90", email="ann@example.com", store_id=canonical)
    )

    assert accounts(service, STORE) == accounts(service, canonical)
    assert len(accounts(service, STORE)) == 2
    service.assert_sound(STORE)


# Forgeries and bad tokens -------------------------------------------------------------------------


def _segment(document: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()


def _order_claims() -> dict[str, Any]:
    return wix.claims(ORDER_APPROVED, wix.order_approved_event(wix.visitor_order()))


def _alg_none() -> str:
    return f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(_order_claims())}."


def _hs256_with_the_public_key() -> str:
    """The algorithm-confusion attack: HMAC with the public key (which anyone has) as the secret."""
    signing_input = f"{_segment({'alg': 'HS256', 'typ': 'JWT'})}.{_segment(_order_claims())}"
    mac = hmac.new(wix.APP_PUBLIC_KEY_PEM.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def _tampered() -> str:
    header, _, signature = wix.signed(ORDER_APPROVED, wix.order_approved_event(wix.visitor_order())).split(
        "."
    )
    richer = wix.visitor_order()
    richer["lineItems"][0]["totalPriceBeforeTax"]["amount"] = "45000.00"
    claims = wix.claims(ORDER_APPROVED, wix.order_approved_event(richer))
    return f"{header}.{_segment(claims)}.{signature}"


FORGERIES = {
    "another-key": lambda: wix.signed(
        ORDER_APPROVED, wix.order_approved_event(wix.visitor_order()), key=wix.OTHER_PRIVATE_KEY_PEM
    ),
    "alg-none": _alg_none,
    "hs256-with-the-public-key": _hs256_with_the_public_key,
    "rs512": lambda: jwt.encode(_order_claims(), wix.APP_PRIVATE_KEY_PEM, algorithm="RS512"),
    "tampered-payload": _tampered,
    "not-a-jwt": lambda: json.dumps(_order_claims()),
    "the-decoded-notification": lambda: json.dumps(
        wix.notification(ORDER_APPROVED, wix.order_approved_event(wix.visitor_order()))
    ),
    "empty-body": lambda: "",
    "whitespace": lambda: " \n",
    "two-segments": lambda: wix.signed(ORDER_APPROVED, wix.order_approved_event(wix.visitor_order())).rsplit(
        ".", 1
    )[0],
    "binary": lambda: b"\xff\xfe\x00garbage",
}


@pytest.mark.parametrize("path", [ORDERS, MEMBERS])
@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_every_forgery_is_401_and_writes_nothing(service: Service, forge: Any, path: str) -> None:
    answer = post(service, path, forge())

    assert answer.status == 401, answer.body
    assert answer.json()["error"] == "unauthorized"
    assert service.snapshot() == []


def test_the_rs256_signature_checked_is_over_the_exact_bytes_sent(service: Service) -> None:
    token = wix.signed(ORDER_APPROVED, wix.order_approved_event(wix.visitor_order()))
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]

    assert post(service, ORDERS, flipped).status == 401
    assert service.snapshot() == []


# Bad but signed payloads ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instance_id", "status"),
    [("acme:c-42", 422), ("", 422), ("x" * 129, 422)],
    ids=["colon", "empty", "too-long"],
)
def test_an_instance_id_that_is_not_a_store_id_is_422(
    service: Service, instance_id: str, status: int
) -> None:
    event = wix.order_approved_event(wix.visitor_order())
    answer = send(service, ORDERS, ORDER_APPROVED, event, instance_id=instance_id)

    assert answer.status == status, answer.body
    assert service.snapshot() == []


@pytest.mark.parametrize(
    "breakage",
    ["no-currency", "float-amount", "no-amount-at-all", "no-action-body", "data-not-json"],
)
def test_a_signed_event_missing_what_we_read_is_422(service: Service, breakage: str) -> None:
    order = wix.order_without_line_totals()
    event = wix.order_approved_event(order)
    if breakage == "no-currency":
        order.pop("currency")
    elif breakage == "float-amount":
        order["priceSummary"]["subtotal"]["amount"] = 62.9
    elif breakage == "no-amount-at-all":
        order.pop("priceSummary")
    elif breakage == "no-action-body":
        event["actionEvent"] = {}
    claims = wix.claims(ORDER_APPROVED, event)
    if breakage == "data-not-json":
        claims["data"] = json.dumps({**json.loads(claims["data"]), "data": "{not json"})

    answer = post(service, ORDERS, jwt.encode(claims, wix.APP_PRIVATE_KEY_PEM, algorithm="RS256"))

    assert answer.status == 422, answer.body
    assert answer.json()["error"] == "invalid_request"
    assert service.snapshot() == []


def test_a_member_event_without_its_member_is_422(service: Service) -> None:
    event = wix.member_created_event(wix.member())
    event["createdEvent"] = {}

    assert send(service, MEMBERS, MEMBER_CREATED, event).status == 422
    assert service.snapshot() == []


# Where the key comes from -------------------------------------------------------------------------


def test_in_aws_the_key_is_read_from_its_ssm_parameter(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No LOYALTY_WIX_PUBLIC_KEY: the function reads the parameter the template names."""
    name = load_template().functions()["OrderCreatedFunction"].environment["LOYALTY_WIX_PUBLIC_KEY_PARAMETER"]
    boto3.client("ssm", region_name="us-east-1").put_parameter(
        Name=name, Value=wix.APP_PUBLIC_KEY_PEM, Type="String", Overwrite=True
    )
    monkeypatch.delenv("LOYALTY_WIX_PUBLIC_KEY", raising=False)
    reset_runtime()

    answer = approve(service, wix.visitor_order())
    forged = post(
        service,
        ORDERS,
        wix.signed(
            ORDER_APPROVED, wix.order_approved_event(wix.member_order()), key=wix.OTHER_PRIVATE_KEY_PEM
        ),
    )

    assert answer.status == 200, answer.body
    assert forged.status == 401


def test_a_key_that_is_not_a_pem_public_key_is_a_configuration_error_writing_nothing(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOYALTY_WIX_PUBLIC_KEY", "this is not a PEM public key, though long enough")
    reset_runtime()

    answer = approve(service, wix.visitor_order())

    assert (answer.status, answer.json()["error"]) == (500, "configuration_error")
    assert service.snapshot() == []


def test_the_key_may_be_given_as_its_bare_base64_body(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "".join(line for line in wix.APP_PUBLIC_KEY_PEM.splitlines() if not line.startswith("-----"))
    monkeypatch.setenv("LOYALTY_WIX_PUBLIC_KEY", body)
    reset_runtime()

    assert approve(service, wix.visitor_order()).status == 200
