"""Shopify's native webhooks and app proxy, signed as Shopify signs them, on the same functions."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from loyalty.domain.entities import CustomerStatus
from loyalty.http.platforms.shopify import proxy_signature
from tests import shopify_payloads as payloads
from tests.support import SHOPIFY_SECRET, Service, order_event, refund_event, registration_event

SHOP = payloads.SHOP
GUEST_ID = str(payloads.customer()["id"])


def shopify(
    service: Service,
    topic: str,
    payload: Any,
    *,
    secret: str = SHOPIFY_SECRET,
    event_id: str = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
    shop: str | None = SHOP,
    hmac_header: str | None = None,
    triggered_at: str = "2026-11-20T17:11:10.123Z",
) -> Any:
    body = json.dumps(payload).encode()
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic.replace("-", "/"),
        "X-Shopify-Hmac-Sha256": hmac_header if hmac_header is not None else digest,
        "X-Shopify-Webhook-Id": event_id,
        "X-Shopify-Triggered-At": triggered_at,
        "X-Shopify-API-Version": "2026-10",
    }
    if shop is not None:
        headers["X-Shopify-Shop-Domain"] = shop
    return service.api.request("POST", f"/webhooks/shopify/{topic}", headers=headers, body=body)


def test_an_order_by_a_guest_creates_a_candidate_earning_the_subtotal(service: Service) -> None:
    answer = shopify(service, "orders-create", payloads.orders_create(state="disabled"))

    assert answer.status == 200
    assert answer.json() == {
        "status": "processed",
        "customer_id": GUEST_ID,
        "points_earned": 388,
        "points_pending": 0,
        "available_at": None,
        "balance": 388,
    }
    assert service.account(GUEST_ID, store_id=SHOP).status is CustomerStatus.CANDIDATE
    service.assert_sound(SHOP)


def test_an_order_by_an_enabled_customer_creates_a_member(service: Service) -> None:
    shopify(service, "orders-create", payloads.orders_create(state="enabled"))

    assert service.account(GUEST_ID, store_id=SHOP).status is CustomerStatus.MEMBER


def test_a_redelivered_order_under_a_new_webhook_id_is_a_duplicate(service: Service) -> None:
    shopify(service, "orders-create", payloads.orders_create(), event_id="one")
    before = service.snapshot()

    again = shopify(service, "orders-create", payloads.orders_create(), event_id="two")

    assert again.json()["status"] == "duplicate"
    assert service.snapshot() == before


@pytest.mark.parametrize(
    ("payload", "reason"),
    [(payloads.sandbox_order(), "test order"), (payloads.order_without_customer(), "order has no customer")],
)
def test_test_orders_and_orders_without_a_customer_are_ignored(
    service: Service, payload: dict, reason: str
) -> None:
    answer = shopify(service, "orders-create", payload)

    assert answer.json() == {"status": "ignored", "reason": reason}
    assert service.snapshot() == []


def test_customers_create_enabled_is_a_registration(service: Service) -> None:
    answer = shopify(service, "customers-create", payloads.customer(state="enabled"))

    assert answer.json() == {
        "status": "processed",
        "customer_id": GUEST_ID,
        "customer_status": "member",
        "balance": 0,
    }


def test_a_disabled_customer_only_makes_sure_a_candidate_exists(service: Service) -> None:
    first = shopify(service, "customers-create", payloads.customer(state="disabled"))
    shopify(service, "orders-create", payloads.orders_create(state="disabled"))
    again = shopify(service, "customers-update", payloads.customer(state="invited"))

    assert first.json()["customer_status"] == "candidate"
    assert again.json() == {
        "status": "duplicate",
        "customer_id": GUEST_ID,
        "customer_status": "candidate",
        "balance": 388,
    }


def test_customers_update_to_enabled_makes_the_guest_a_member_keeping_its_points(service: Service) -> None:
    shopify(service, "orders-create", payloads.orders_create(state="disabled"))

    answer = shopify(service, "customers-update", payloads.customer(state="enabled"))

    assert answer.json() == {
        "status": "processed",
        "customer_id": GUEST_ID,
        "customer_status": "member",
        "balance": 388,
    }


def test_customers_update_with_a_new_last_name_refreshes_the_members_details(service: Service) -> None:
    shopify(service, "customers-create", payloads.customer(state="enabled"))
    renamed = {**payloads.customer(state="enabled"), "last_name": "Biller-Smith", "email": "bob@new.example"}

    answer = shopify(
        service, "customers-update", renamed, event_id="update-1", triggered_at="2026-11-21T09:00:00Z"
    )
    late = shopify(
        service,
        "customers-update",
        {**renamed, "last_name": "Stale"},
        event_id="update-0",
        triggered_at="2026-11-20T18:00:00Z",
    )

    assert answer.status == 200
    assert answer.json()["status"] == "updated"
    assert late.json()["status"] == "duplicate"
    account = service.account(GUEST_ID, store_id=SHOP)
    assert (account.email, account.first_name, account.last_name) == (
        "bob@new.example",
        "Bob",
        "Biller-Smith",
    )
    assert service.claim(SHOP, "bob@biller.com") is None
    assert service.claim(SHOP, "bob@new.example").customer_id == GUEST_ID
    service.assert_sound(SHOP)


def test_an_enabled_customer_without_email_is_still_a_member(service: Service) -> None:
    document = {**payloads.customer(state="enabled"), "email": None}

    assert shopify(service, "customers-create", document).json()["customer_status"] == "member"


def test_a_permanent_conflict_is_answered_200_conflict_and_writes_nothing(service: Service) -> None:
    service.register(registration_event("someone-else", "bob@biller.com", store_id=SHOP))
    before = service.snapshot()

    answer = shopify(service, "customers-create", payloads.customer(state="enabled"))

    assert answer.status == 200
    assert answer.json()["status"] == "conflict"
    assert "bob@biller.com" in answer.json()["reason"]
    assert service.snapshot() == before


def test_a_refund_sums_its_successful_refund_transactions(service: Service) -> None:
    shopify(service, "orders-create", payloads.orders_create())

    answer = shopify(service, "refunds-create", payloads.refunds_create())

    assert answer.json() == {
        "status": "processed",
        "customer_id": GUEST_ID,
        "points_reversed": 194,  # floor(388 × (100.00 + 94.00) / 388.00); the failed 50.00 does not count
        "points_cancelled": 0,
        "shortfall": 0,
        "balance": 194,
    }


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"hmac_header": "bm90IGEgc2lnbmF0dXJl"}, 401),
        ({"hmac_header": ""}, 401),
        ({"secret": "another-secret-of-the-right-length-00"}, 401),
        ({"shop": None}, 422),
        ({"shop": "bad shop"}, 422),
    ],
    ids=["wrong", "missing", "other-secret", "no-shop", "bad-shop"],
)
def test_a_bad_signature_or_missing_shop_is_rejected_and_writes_nothing(
    service: Service, changes: dict, status: int
) -> None:
    answer = shopify(service, "orders-create", payloads.orders_create(), **changes)

    assert answer.status == status
    assert service.snapshot() == []


def test_a_payload_missing_what_we_read_is_422(service: Service) -> None:
    document = payloads.orders_create()
    document.pop("subtotal_price")

    assert shopify(service, "orders-create", document).status == 422
    assert service.snapshot() == []


def test_shopify_and_canonical_events_end_in_the_same_accounts(service: Service) -> None:
    guest, member_id = payloads.customer()["id"], 115310627314723954
    shopify(service, "orders-create", payloads.orders_create(order_id=1, subtotal="120.50"))
    shopify(
        service,
        "customers-create",
        {**payloads.customer(state="enabled"), "id": member_id, "email": "m@x.com"},
    )
    member_order = payloads.orders_create(order_id=2, subtotal="33.00", state="enabled")
    member_order["customer"] = {**member_order["customer"], "id": member_id, "email": "m@x.com"}
    shopify(service, "orders-create", member_order)
    shopify(
        service,
        "refunds-create",
        {
            **payloads.refunds_create(order_id=1),
            "transactions": [{"kind": "refund", "status": "success", "amount": "20.00"}],
        },
    )

    canonical = "canonical-store"
    service.order(order_event("1", str(guest), "120.50", email="bob@biller.com", tags=[], store_id=canonical))
    service.register(
        registration_event(
            str(member_id), "m@x.com", first_name="Bob", last_name="Biller", store_id=canonical
        )
    )
    service.order(
        order_event(
            "2", str(member_id), "33.00", has_account=True, email="m@x.com", tags=[], store_id=canonical
        )
    )
    service.refund(refund_event("509562969", "1", "20.00", store_id=canonical))

    def accounts(store: str) -> dict:
        return {
            account.customer_id: (account.status, account.points, account.revision, account.email)
            for account, _ in service.repository.accounts(store)
        }

    assert accounts(SHOP) == accounts(canonical)
    assert len(accounts(SHOP)) == 2


# app proxy --------------------------------------------------------------------------------------


def proxy(service: Service, **overrides: Any) -> Any:
    parameters: dict[str, list[str]] = {
        "shop": [SHOP],
        "logged_in_customer_id": [GUEST_ID],
        "path_prefix": ["/apps/loyalty"],
        "timestamp": [str(int(time.time()))],
        "extra": ["1", "2"],
    }
    parameters.update({name: value for name, value in overrides.items() if name != "signature"})
    parameters = {name: value for name, value in parameters.items() if value is not None}
    parameters["signature"] = overrides.get("signature") or [
        proxy_signature(SHOPIFY_SECRET.encode(), parameters)
    ]
    assert urlencode(parameters, doseq=True)
    return service.api.request("GET", "/proxy/shopify/balance", query=parameters)


def test_the_app_proxy_answers_the_logged_in_customers_balance(service: Service) -> None:
    shopify(service, "orders-create", payloads.orders_create(state="enabled"))

    answer = proxy(service)

    assert answer.status == 200
    assert answer.json()["customer_id"] == GUEST_ID
    assert answer.json()["points"]["balance"] == 388
    assert answer.json()["can_redeem"] is True


@pytest.mark.parametrize(
    "overrides",
    [
        {"signature": ["0" * 64]},
        {"timestamp": [str(int(time.time()) - 400)]},
        {"logged_in_customer_id": [""]},
        {"logged_in_customer_id": None},
        {"timestamp": None},
    ],
    ids=["wrong-signature", "stale", "nobody-logged-in", "no-customer", "no-timestamp"],
)
def test_a_bad_app_proxy_request_is_401(service: Service, overrides: dict) -> None:
    shopify(service, "orders-create", payloads.orders_create(state="enabled"))

    assert proxy(service, **overrides).status == 401


def test_the_app_proxy_signature_matches_shopifys_documented_example() -> None:
    # Shopify's documentation example: secret "hush", these parameters, this signature.
    parameters = {
        "extra": ["1", "2"],
        "logged_in_customer_id": ["1"],
        "path_prefix": ["/apps/awesome_reviews"],
        "shop": ["shop-name.myshopify.com"],
        "timestamp": ["1317327555"],
    }
    assert (
        proxy_signature(b"hush", parameters)
        == "4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb"
    )
