"""Privacy end to end on moto: Shopify's compliance webhooks, data requests, a customer's export
and erasure (every place personal data is kept), and a shop's erasure through its queue."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import date
from typing import Any

import boto3
import pytest

from loyalty.domain.entities import CustomerStatus, DayActivity, Totals
from loyalty.runtime import reset_runtime
from loyalty_dev.local.apigw import LambdaContext
from tests import shopify_payloads as payloads
from tests.harness.in_process import load_handler
from tests.support import SHOPIFY_SECRET, STORE, Service, invitation_event, order_event, registration_event

SHOP = payloads.SHOP
OTHER_SHOP = "other-store.myshopify.com"
EMAIL, FIRST, LAST = "ann.private@example.com", "Annabel", "Privatelee"
GUEST_EMAIL = "guest.private@example.com"
PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
    "storefront_origins": [],
    "points_expiry_months": 12,
    "pending_days": 0,
}
TEN_OFF = {
    "id": "ten-off",
    "name": "Ten off",
    "points": 50,
    "kind": "amount_off",
    "value": "10.00",
    "currency": "EUR",
}


@pytest.fixture
def queue(service: Service, monkeypatch: pytest.MonkeyPatch) -> str:
    """The shop redaction queue, as the template names it, on moto's SQS."""
    url = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="ShopRedactionQueue")[
        "QueueUrl"
    ]
    monkeypatch.setenv("LOYALTY_SHOP_REDACTION_QUEUE_URL", url)
    monkeypatch.setattr("loyalty.http.redaction_messages.SWEEP_DELAY_SECONDS", 0)
    reset_runtime()
    return url


def shopify(
    service: Service, topic: str, payload: Any, *, shop: str = SHOP, hmac_header: str | None = None
) -> Any:
    body = json.dumps(payload).encode()
    digest = base64.b64encode(hmac.new(SHOPIFY_SECRET.encode(), body, hashlib.sha256).digest()).decode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-Webhook-Id": f"wh-{topic}-{len(body)}",
        "X-Shopify-Triggered-At": "2026-11-20T17:11:10.123Z",
    }
    if hmac_header != "":
        headers["X-Shopify-Hmac-Sha256"] = hmac_header or digest
    return service.api.request("POST", f"/webhooks/shopify/{topic}", headers=headers, body=body)


def data_request(customer_id: int = 191167, request_id: int = 9999) -> dict[str, Any]:
    return {
        "shop_id": 954889,
        "shop_domain": SHOP,
        "orders_requested": [299938],
        "customer": {"id": customer_id, "email": EMAIL, "phone": "555-625-1199"},
        "data_request": {"id": request_id},
    }


def redact(customer_id: str) -> dict[str, Any]:
    return {"shop_id": 954889, "shop_domain": SHOP, "customer": {"id": int(customer_id), "email": EMAIL}}


def a_member_with_everything(service: Service, store: str = STORE, customer: str = "1001") -> None:
    """A member with contact, tags, a reasoned adjustment (with an Idempotency-Key), a coupon, and a
    guest file merged into it: every place personal data is kept."""
    service.register(registration_event(customer, EMAIL, first_name=FIRST, last_name=LAST, store_id=store))
    service.order(
        order_event(
            f"o-{customer}", customer, "120", has_account=True, email=EMAIL, tags=["vip"], store_id=store
        )
    )
    service.order(order_event(f"o-g{customer}", f"9{customer}", "30", email=GUEST_EMAIL, store_id=store))
    service.merge(invitation_event(f"9{customer}", customer, store_id=store))
    given = service.admin(
        "POST",
        f"/customers/{customer}/points",
        {"amount": 5, "reason": f"sorry {FIRST}"},
        key=f"k-{customer}",
        store_id=store,
    )
    assert given.status == 201, given.body
    assert service.admin("POST", "/rewards", TEN_OFF, store_id=store).status in (201, 409)
    redeemed = service.admin(
        "POST", f"/customers/{customer}/redemptions", {"reward_id": "ten-off"}, store_id=store
    )
    assert redeemed.status == 201, redeemed.body


def texts_holding(service: Service, *needles: str) -> list[str]:
    """Every item of the table whose text holds one of `needles` (case-insensitive)."""
    found = []
    for key, item in service.items().items():
        text = json.dumps(item).lower()
        if any(needle.lower() in text for needle in needles):
            found.append("/".join(key))
    return found


# data requests ----------------------------------------------------------------------------------


def test_a_data_request_is_recorded_once_and_listed_for_the_merchant(service: Service) -> None:
    first = shopify(service, "customers-data-request", data_request())
    again = shopify(service, "customers-data-request", data_request())

    assert first.status == 200
    assert first.json() == {
        "status": "recorded",
        "data_request_id": "9999",
        "customer_id": "191167",
    }
    assert again.json()["status"] == "duplicate"
    listed = service.admin("GET", "/data-requests", store_id=SHOP).json()
    assert [(item["id"], item["customer_id"]) for item in listed["items"]] == [("9999", "191167")]
    assert listed["next_cursor"] is None
    assert listed["items"][0]["received_at"].endswith("Z")
    assert texts_holding(service, EMAIL, "555-625") == []  # ids only


def test_data_requests_are_listed_newest_first_across_pages(service: Service) -> None:
    for number in range(5):
        shopify(service, "customers-data-request", data_request(request_id=100 + number))
    first = service.admin("GET", "/data-requests", query={"limit": "3"}, store_id=SHOP).json()
    second = service.admin(
        "GET", "/data-requests", query={"limit": "3", "cursor": first["next_cursor"]}, store_id=SHOP
    ).json()

    ids = [item["id"] for item in first["items"] + second["items"]]
    assert sorted(ids) == [str(100 + number) for number in range(5)]
    assert second["next_cursor"] is None
    assert service.admin("GET", "/data-requests", query={"cursor": "bm9wZQ"}, store_id=SHOP).status == 422


@pytest.mark.parametrize("topic", ["customers-data-request", "customers-redact", "shop-redact"])
@pytest.mark.parametrize("signature", ["", "bm90IHRoZSBzaWduYXR1cmU="], ids=["missing", "wrong"])
def test_a_compliance_webhook_without_a_good_hmac_is_401_and_writes_nothing(
    service: Service, queue: str, topic: str, signature: str
) -> None:
    service.register(registration_event("191167", EMAIL, store_id=SHOP))
    before = service.snapshot()

    answer = shopify(service, topic, {**data_request(), **redact("191167")}, hmac_header=signature)

    assert answer.status == 401
    assert service.snapshot() == before
    sqs = boto3.client("sqs", region_name="us-east-1")
    assert "Messages" not in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0)


@pytest.mark.parametrize(
    "payload", [{"customer": {"id": 1}}, {"data_request": {"id": 1}}, {"customer": {"id": "x"}}]
)
def test_a_malformed_data_request_is_422_and_writes_nothing(
    service: Service, payload: dict[str, Any]
) -> None:
    before = service.snapshot()
    assert shopify(service, "customers-data-request", payload).status == 422
    assert service.snapshot() == before


# export -----------------------------------------------------------------------------------------


def test_the_export_holds_the_contact_every_entry_and_every_coupon(service: Service) -> None:
    a_member_with_everything(service)
    for number in range(110):  # more entries than the largest page of the history
        service.admin("POST", "/customers/1001/points", {"amount": 1, "reason": f"visit {number}"})

    answer = service.admin("GET", "/customers/1001/export")

    assert answer.status == 200, answer.body
    export = answer.json()
    assert export["customer"]["email"] == EMAIL
    assert export["customer"]["tags"] == ["vip"]
    assert [guest["email"] for guest in export["customer"]["merged_files"]] == [GUEST_EMAIL]
    assert len(export["transactions"]) == 110 + 6  # 110 visits, 2 orders, merge in/out, gift, redemption
    assert {entry["type"] for entry in export["transactions"]} >= {
        "earn",
        "adjust",
        "redeem",
        "merge_in",
        "merge_out",
    }
    stamps = [entry["created_at"] for entry in export["transactions"]]
    assert stamps == sorted(stamps, reverse=True)
    assert [coupon["reward_id"] for coupon in export["coupons"]] == ["ten-off"]
    assert export["exported_at"].endswith("Z")
    assert service.admin("GET", "/customers/nobody/export").status == 404


# erasure ----------------------------------------------------------------------------------------


def test_erasure_removes_personal_data_from_every_place_and_keeps_the_books(service: Service) -> None:
    a_member_with_everything(service)
    before = service.admin("GET", "/customers/1001").json()
    assert texts_holding(service, EMAIL, GUEST_EMAIL, FIRST, LAST, "vip") != []

    answer = service.admin("DELETE", "/customers/1001/personal-data")

    assert answer.status == 200, answer.body
    erased = answer.json()
    assert erased["erased_at"] is not None
    assert erased["points"] == before["points"]
    # Nowhere: account, search attributes, claims, ledger reasons, stored answers, merged files.
    assert texts_holding(service, EMAIL, GUEST_EMAIL, FIRST, LAST, "vip") == []
    card = service.admin("GET", "/customers/1001").json()
    assert (card["email"], card["first_name"], card["last_name"], card["tags"]) == (None, None, None, [])
    assert card["erased_at"] == erased["erased_at"]
    history = service.admin("GET", "/customers/1001/transactions").json()["items"]
    assert all(entry["reason"] is None for entry in history)
    assert len(history) == 6
    assert [entry["points"] for entry in history] == [
        entry["points"] for entry in service.admin("GET", "/customers/1001/export").json()["transactions"]
    ]
    assert service.admin("GET", "/coupons/" + history[0].get("coupon_code", "")).status == 200
    for text in ("ann", "annabel", "privatelee"):
        assert service.admin("GET", "/customers", query={"search": text}).json()["items"] == []
    assert service.claim(STORE, EMAIL.lower()) is None
    service.assert_sound()


def test_the_replayed_answer_of_an_earlier_request_holds_no_personal_data(service: Service) -> None:
    a_member_with_everything(service)
    service.admin("DELETE", "/customers/1001/personal-data")

    replay = service.admin(
        "POST", "/customers/1001/points", {"amount": 5, "reason": f"sorry {FIRST}"}, key="k-1001"
    )

    assert replay.status == 201
    assert replay.json()["transaction"]["reason"] is None
    assert service.account("1001").points.adjusted == 5  # replayed, not applied twice


def test_erasing_twice_changes_nothing_the_second_time(service: Service) -> None:
    a_member_with_everything(service)
    first = service.admin("DELETE", "/customers/1001/personal-data")
    snapshot = service.snapshot()

    second = service.admin("DELETE", "/customers/1001/personal-data", key="again-1")

    assert second.status == 200
    assert second.json() == first.json()
    assert service.snapshot() == snapshot
    assert service.admin("DELETE", "/customers/nobody/personal-data").status == 404


def test_the_released_email_may_be_registered_by_another_member(service: Service) -> None:
    a_member_with_everything(service)
    service.admin("DELETE", "/customers/1001/personal-data")

    answer = service.register(registration_event("2002", EMAIL, event_id="evt-newcomer"))

    assert answer.status == 200
    assert answer.json()["customer_status"] == "member"
    assert service.claim(STORE, EMAIL.lower()).customer_id == "2002"  # type: ignore[union-attr]


def test_old_redeliveries_after_erasure_earn_but_bring_no_contact_back(service: Service) -> None:
    a_member_with_everything(service)
    service.admin("DELETE", "/customers/1001/personal-data")
    earned_before = service.account("1001").points.earned

    repeat = service.order(order_event("o-1001", "1001", "120", has_account=True, email=EMAIL, tags=["vip"]))
    late = service.order(order_event("o-late", "1001", "10", has_account=True, email=EMAIL, tags=["vip"]))
    registration = service.register(
        registration_event("1001", EMAIL, first_name=FIRST, event_id="evt-old-again")
    )

    assert repeat.json()["status"] == "duplicate"
    assert late.json()["points_earned"] == 10  # an old order still earns
    assert registration.json()["status"] == "duplicate"
    account = service.account("1001")
    assert account.points.earned == earned_before + 10
    assert (account.email, account.first_name, account.tags) == (None, None, ())
    assert texts_holding(service, EMAIL, FIRST, "vip") == []


def test_a_registration_after_the_erasure_is_a_new_relationship(service: Service) -> None:
    a_member_with_everything(service)
    service.admin("DELETE", "/customers/1001/personal-data")
    later = {
        **registration_event("1001", "ann.again@example.com", event_id="evt-new"),
        "occurred_at": "2099-01-01T00:00:00Z",
    }

    service.register(later)

    account = service.account("1001")
    assert account.email == "ann.again@example.com"
    assert account.erased_at is not None


def test_customers_redact_erases_the_customer_and_a_repeat_is_harmless(service: Service) -> None:
    a_member_with_everything(service, store=SHOP, customer="191167")

    first = shopify(service, "customers-redact", redact("191167"))
    again = shopify(service, "customers-redact", redact("191167"))
    unknown = shopify(service, "customers-redact", redact("5"))

    assert first.status == 200
    assert first.json() == {"status": "erased", "customer_id": "191167"}
    assert again.status == 200
    assert unknown.json()["status"] == "ignored"
    assert texts_holding(service, EMAIL, GUEST_EMAIL, FIRST, LAST, "vip") == []
    assert service.account("191167", store_id=SHOP).erased_at is not None


# shop/redact ------------------------------------------------------------------------------------


def drain(service: Service, url: str, limit: int = 200) -> int:
    """Work the queue with ShopRedactionFunction until it is empty; the number of steps."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    worker = load_handler(service.api.functions["ShopRedactionFunction"])
    for steps in range(limit):
        found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=0).get(
            "Messages", []
        )
        if not found:
            return steps
        message = found[0]
        record = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": {},
            "messageAttributes": {},
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:ShopRedactionQueue",
            "awsRegion": "us-east-1",
        }
        result = worker({"Records": [record]}, LambdaContext(function_name="ShopRedactionFunction"))
        assert result == {"batchItemFailures": []}
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    raise AssertionError("the redaction did not finish")


def test_shop_redact_erases_every_item_of_the_store_through_the_queue_and_no_other(
    service: Service, queue: str
) -> None:
    for store in (SHOP, OTHER_SHOP):
        a_member_with_everything(service, store=store)
        for number in range(30):
            service.order(order_event(f"o-{number}", f"c-{number}", "10", store_id=store))
        review = {"id": "review", "kind": "action", "name": "Write a review", "points": 5, "per_day": 1}
        service.admin(
            "PUT", "/program", {**PROGRAM, "ways_to_earn": [review]}, key=f"p-{store}", store_id=store
        )
        action = {
            "id": "review",
            "customer_id": "1001",
            "reference": "r-1",
        }  # its counts: the account's partition
        reported = {
            "event_id": "evt-r-1",
            "store_id": store,
            "occurred_at": "2026-11-20T10:00:00Z",
            "action": action,
        }
        assert service.post("/webhooks/action-completed", reported).json()["status"] == "processed"
        revision = service.account("1001", store_id=store).revision
        service.repository.add_to_totals(store, "1001", revision, Totals(members=1))
        shopify(service, "customers-data-request", data_request(), shop=store)
    service.repository.add_to_activity(SHOP, "1001", "order:o-1", date(2026, 11, 20), DayActivity(earned=1))
    others = {key: item for key, item in service.items().items() if OTHER_SHOP in key[0]}

    answer = shopify(service, "shop-redact", {"shop_id": 954889, "shop_domain": SHOP})
    assert answer.status == 200
    assert answer.json() == {"status": "accepted", "store_id": SHOP}
    steps = drain(service, queue)

    assert steps >= 4  # customers in pages, the store's own items, then the sweep
    remaining = [key for key in service.items() if key[0].startswith(f"STORE#{SHOP}#") or key[1] == SHOP]
    assert remaining == []
    assert {key: item for key, item in service.items().items() if OTHER_SHOP in key[0]} == others
    assert shopify(service, "shop-redact", {"shop_id": 954889}).status == 200  # a repeat is harmless
    drain(service, queue)
    assert service.account("1001", store_id=OTHER_SHOP).status is CustomerStatus.MEMBER


@pytest.mark.parametrize("topic", ["customers-data-request", "customers-redact", "shop-redact"])
def test_a_compliance_webhook_naming_no_valid_shop_is_422_and_writes_nothing(
    service: Service, queue: str, topic: str
) -> None:
    service.register(registration_event("191167", EMAIL, store_id=SHOP))
    before = service.snapshot()

    answer = shopify(service, topic, {**data_request(), **redact("191167")}, shop="bad:shop")

    assert answer.status == 422
    assert service.snapshot() == before
    sqs = boto3.client("sqs", region_name="us-east-1")
    assert "Messages" not in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0)


def test_an_erasure_cut_off_half_way_is_finished_by_its_repeat(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_member_with_everything(service)
    for number in range(60):
        service.admin("POST", "/customers/1001/points", {"amount": 1, "reason": f"note {number} for {FIRST}"})
    from botocore.client import BaseClient
    from botocore.exceptions import EndpointConnectionError

    original = BaseClient._make_api_call
    updates = {"made": 0}

    def failing_after_twenty(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if operation == "UpdateItem":
            updates["made"] += 1
            if updates["made"] > 20:
                raise EndpointConnectionError(endpoint_url="https://dynamodb")
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", failing_after_twenty)
    cut = service.admin("DELETE", "/customers/1001/personal-data")
    monkeypatch.setattr(BaseClient, "_make_api_call", original)

    assert cut.status == 503
    assert service.account("1001").erased_at is not None  # the first step holds
    assert texts_holding(service, FIRST) != []  # some reasons are left
    assert service.admin("DELETE", "/customers/1001/personal-data").status == 200
    assert texts_holding(service, EMAIL, GUEST_EMAIL, FIRST, LAST, "vip") == []
