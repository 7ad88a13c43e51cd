"""Regression cases of issue 12: what a stranger puts outside the body (headers, query strings, path
ids, the base64 flag) is judged before it can hurt — a 4xx JSON error, never a 5xx, never a write."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest

from loyalty.http.platforms.shopify import proxy_signature
from tests import shopify_payloads as payloads
from tests.harness.in_process import Answer
from tests.support import (
    SHOPIFY_SECRET,
    STORE,
    TOKEN_SECRET,
    Service,
    merchant_claims,
    order_event,
    registration_event,
    sign,
    token_for,
)

ORDER_PATH = "/webhooks/order-created"
# What the back office gets from the Cognito authorizer: an operator, so a hostile store id is
# judged by validation rather than refused by the store rule.
OPERATOR = merchant_claims(["operators"])
BODY = json.dumps(order_event()).encode()
HEX = "0" * 64


def rejected(answer: Answer, service: Service, before: list[dict[str, Any]], *statuses: int) -> dict:
    assert answer.status in statuses, (answer.status, answer.body[:300])
    assert answer.headers["Content-Type"] == "application/json"
    document = answer.json()
    assert isinstance(document["error"], str)
    assert isinstance(document["message"], str)
    assert service.snapshot() == before
    return document


def seeded(service: Service) -> list[dict[str, Any]]:
    """A store with a member and an order, so that a stray write would show in the snapshot."""
    assert service.order(order_event("1001", "c-42", has_account=True)).status == 200
    return service.snapshot()


# X-Loyalty-Signature -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        f"t={'9' * 400},v1={HEX}",  # the 500 of the issue: abs(now - t) overflowed a float
        f"t={'9' * 4000},v1={HEX}",
        f"t=-{int(time.time())},v1={HEX}",
        f"t=+{int(time.time())},v1={HEX}",
        f"t=0{int(time.time())}0000000,v1={HEX}",
        f"t=١٧٦٤٦٥٠٠٠٠,v1={HEX}",  # Arabic-Indic digits: str.isdigit() says yes
        f"t={int(time.time())},v1={'é' * 64}",
        f"t={int(time.time())}," + ",".join(f"v1={HEX}" for _ in range(3000)),
        f"t={int(time.time())}," + "v1=," * 5000,
        "t=" + "\x00" * 10 + f",v1={HEX}",
        "\u2028" * 100,
    ],
    ids=[
        "400-nines",
        "4000-nines",
        "negative",
        "plus-sign",
        "leading-zero-far-future",
        "arabic-digits",
        "non-ascii-mac",
        "3000-v1-entries",
        "5000-empty-entries",
        "nul-bytes",
        "line-separators",
    ],
)
def test_a_hostile_signature_header_is_401_or_400_and_writes_nothing(service: Service, header: str) -> None:
    before = seeded(service)

    answer = service.post(ORDER_PATH, BODY, headers={"X-Loyalty-Signature": header}, signed=False)

    rejected(answer, service, before, 400, 401)


@pytest.mark.parametrize("name", ["X-Loyalty-Signature", "x-loyalty-signature", "X-LOYALTY-SIGNATURE"])
def test_the_signature_header_is_read_in_any_casing(service: Service, name: str) -> None:
    answer = service.post(ORDER_PATH, BODY, headers={name: sign(BODY)}, signed=False)

    assert answer.status == 200, answer.body


def test_the_signature_header_given_twice_in_two_casings_is_401(service: Service) -> None:
    before = seeded(service)
    headers = {"X-Loyalty-Signature": sign(BODY), "x-loyalty-signature": f"t={int(time.time())},v1={HEX}"}

    answer = service.post(ORDER_PATH, BODY, headers=headers, signed=False)

    rejected(answer, service, before, 401)


def test_a_huge_header_of_any_name_is_400_before_anything_parses(service: Service) -> None:
    before = seeded(service)

    answer = service.post(ORDER_PATH, BODY, headers={"X-Anything": "a" * 20_000})

    assert rejected(answer, service, before, 400)["error"] == "invalid_request"


def test_a_base64_flag_on_a_body_that_is_not_base64_is_400(service: Service) -> None:
    before = seeded(service)
    for path in (ORDER_PATH, "/webhooks/shopify/orders-create", "/webhooks/member-registered"):
        answer = call(service, "POST", path, body="{not base64!}", base64_flag=True, headers={})
        rejected(answer, service, before, 400)


def call(
    service: Service,
    method: str,
    path: str,
    *,
    body: str | None = None,
    base64_flag: bool = False,
    headers: dict[str, str],
    query: dict[str, list[str]] | None = None,
) -> Answer:
    """A raw API Gateway event, for what InProcessApi.request cannot express (the base64 flag)."""
    from loyalty_dev.local.apigw import LambdaContext, match_route, rest_event
    from tests.harness.in_process import load_handler, to_answer

    api = service.api
    matched = match_route(api.routes, method, path)
    assert matched is not None
    route, parameters = matched
    event = rest_event(
        method, route.path, path, headers=headers, body=body, query=query, path_parameters=parameters
    )
    event["isBase64Encoded"] = base64_flag
    handler = load_handler(api.functions[route.function])
    return to_answer(handler(event, LambdaContext(function_name=route.function)))


# Store ids ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/webhooks/order-created", "/webhooks/member-registered"])
def test_a_store_id_with_a_colon_is_422_on_webhooks(service: Service, path: str) -> None:
    payload = (
        order_event(store_id="acme:c-1")
        if path.endswith("order-created")
        else registration_event(store_id="acme:c-1")
    )

    answer = service.post(path, payload)

    assert answer.status == 422, answer.body
    assert service.snapshot() == []


# Authorization --------------------------------------------------------------------------------


def _none_token(sub: str) -> str:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    claims = json.dumps({"sub": sub, "exp": int(time.time()) + 600}).encode()
    return f"{header}.{base64.urlsafe_b64encode(claims).rstrip(b'=').decode()}."


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer " + "a" * 50_000,
        "Bearer " + "a.b.c" * 2000,
        "Bearer ...",
        "Bearer a.b",
        "Bearer " + "é" * 100,
        "Bearer \x00.\x00.\x00",
        "Bearer " + _none_token(f"{STORE}:c-42"),
        "Bearer " + jwt.encode({"sub": f"{STORE}:c-42", "exp": 10**30}, TOKEN_SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode({"sub": f"{STORE}:c-42", "exp": 1e308}, TOKEN_SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode({"sub": f"{STORE}:c-42", "exp": -(10**30)}, TOKEN_SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode({"sub": ["x"] * 10, "exp": int(time.time()) + 60}, TOKEN_SECRET),
        "Bearer " + jwt.encode({"sub": "x" * 3000, "exp": int(time.time()) + 60}, TOKEN_SECRET),
        "Bearer " + jwt.encode({"sub": f"{STORE}:c-42", "exp": "soon"}, TOKEN_SECRET),
        "Basic " + base64.b64encode(b"user:password").decode(),
        "Bearer",
        "",
    ],
    ids=[
        "50k",
        "many-dots",
        "empty-segments",
        "two-segments",
        "non-ascii",
        "nul",
        "alg-none",
        "huge-exp",
        "float-exp",
        "negative-exp",
        "list-sub",
        "long-sub",
        "text-exp",
        "basic",
        "bare-scheme",
        "empty",
    ],
)
def test_a_hostile_authorization_header_is_401(service: Service, authorization: str) -> None:
    before = seeded(service)

    answer = service.balance("c-42", token="", headers={"Authorization": authorization})

    rejected(answer, service, before, 400, 401)


def test_a_token_whose_store_part_is_malformed_is_401(service: Service) -> None:
    seeded(service)
    # sub "acme:c-42" names store "acme" and customer "c-42". A store part with a character outside
    # the store pattern (here a space) is never a store: 401, whatever the path says.
    token = jwt.encode({"sub": "ac me:c-42", "exp": int(time.time()) + 600}, TOKEN_SECRET, algorithm="HS256")

    assert service.balance("c-42", token=token).status == 401


def test_the_token_sub_is_split_at_its_first_colon(service: Service) -> None:
    # Customer ids may hold colons; store ids may not: "acme:c:42" is store acme, customer "c:42".
    assert service.order(order_event("1001", "c:42", has_account=True)).status == 200

    assert service.balance("c:42", token=token_for(STORE, "c:42")).status == 200
    # The same subject can never be read as store "acme:c" and customer "42".
    assert service.balance("42", store_id="acme:c", token=token_for(STORE, "c:42")).status == 401


# Shopify ------------------------------------------------------------------------------------------


SHOPIFY_BODIES = {
    "orders-create": payloads.orders_create,
    "customers-data-request": payloads.customers_data_request,
    "customers-redact": payloads.customers_redact,
    "shop-redact": payloads.shop_redact,
}


@pytest.mark.parametrize("topic", sorted(SHOPIFY_BODIES))
@pytest.mark.parametrize(
    "hmac_header",
    ["A" * 20_000, "=" * 44, "é" * 44, "\x00" * 44, "-1", "9" * 400],
    ids=["huge", "padding", "non-ascii", "nul", "negative", "nines"],
)
def test_a_hostile_shopify_hmac_header_is_401_or_400(service: Service, hmac_header: str, topic: str) -> None:
    before = seeded(service)
    headers = {
        "X-Shopify-Hmac-Sha256": hmac_header,
        "X-Shopify-Shop-Domain": payloads.SHOP,
        "X-Shopify-Webhook-Id": "w-1",
    }

    answer = service.api.request(
        "POST",
        f"/webhooks/shopify/{topic}",
        headers=headers,
        body=json.dumps(SHOPIFY_BODIES[topic]()).encode(),
    )

    rejected(answer, service, before, 400, 401)


def signed_proxy_query(**parameters: list[str]) -> dict[str, list[str]]:
    """Correctly signed: only the values themselves are hostile."""
    query = {
        "shop": [payloads.SHOP],
        "logged_in_customer_id": ["c-42"],
        "path_prefix": ["/apps/loyalty"],
        "timestamp": [str(int(time.time()))],
        **parameters,
    }
    return {**query, "signature": [proxy_signature(SHOPIFY_SECRET.encode(), query)]}


@pytest.mark.parametrize(
    "parameters",
    [
        {"timestamp": ["9" * 400]},  # signed, yet it overflowed abs(now - t)
        {"timestamp": ["-" + str(int(time.time()))]},
        {"timestamp": ["١٧٦٤٦٥٠٠٠٠"]},
        {"timestamp": [str(int(time.time())), str(int(time.time()))]},
        {"shop": [payloads.SHOP, "other.myshopify.com"]},
        {"logged_in_customer_id": ["c-42", "c-43"]},
        {"logged_in_customer_id": ["c" * 5000]},
        {"shop": ["bad:shop"]},
    ],
    ids=[
        "400-nines",
        "negative",
        "arabic-digits",
        "repeated-timestamp",
        "repeated-shop",
        "repeated-customer",
        "huge-customer",
        "colon-shop",
    ],
)
def test_a_hostile_app_proxy_query_is_4xx(service: Service, parameters: dict[str, list[str]]) -> None:
    before = seeded(service)

    answer = service.api.request("GET", "/proxy/shopify/balance", query=signed_proxy_query(**parameters))

    rejected(answer, service, before, 400, 401, 422)


def test_a_repeated_signature_parameter_is_401(service: Service) -> None:
    before = seeded(service)
    query = signed_proxy_query()
    query["signature"] = [*query["signature"], query["signature"][0]]

    answer = service.api.request("GET", "/proxy/shopify/balance", query=query)

    rejected(answer, service, before, 401)


# Back-office query strings and path ids ----------------------------------------------------------


def _cursor(document: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "query",
    [
        {"limit": ["0"]},
        {"limit": ["-1"]},
        {"limit": ["101"]},
        {"limit": ["9" * 4000]},
        {"limit": ["1e3"]},
        {"limit": ["١٠"]},
        {"limit": ["5", "6"]},
        {"status": ["nobody"]},
        {"status": ["member", "candidate"]},
        {"search": ["a" * 5000]},
        {"search": ["\x00"]},
        {"search": ["a", "b"]},
        {"cursor": ["!!!"]},
        {"cursor": ["a" * 20_000]},
        {"cursor": [_cursor([1, 2])]},
        {"cursor": [_cursor({"STORE#other#member#0": "done"})]},
        {"cursor": [base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode()]},
        {
            "cursor": [
                _cursor({f"STORE#{STORE}#member#0": {"customers_pk": {"S": f"STORE#{STORE}#member#0"}}})
            ]
        },
        {
            "cursor": [
                _cursor(
                    {
                        f"STORE#{STORE}#member#0": {
                            "pk": {"N": "x"},
                            "sk": {"S": ""},
                            "customers_pk": {"S": f"STORE#{STORE}#member#0"},
                            "customers_sk": {"BOOL": True},
                        }
                    }
                )
            ]
        },
        {"cursor": ["a", "b"]},
    ],
    ids=[
        "limit-0",
        "limit-negative",
        "limit-101",
        "limit-huge",
        "limit-float",
        "limit-arabic",
        "limit-repeated",
        "status-unknown",
        "status-repeated",
        "search-huge",
        "search-nul",
        "search-repeated",
        "cursor-not-base64",
        "cursor-huge",
        "cursor-list",
        "cursor-other-partition",
        "cursor-deep",
        "cursor-partial-key",
        "cursor-bad-attributes",
        "cursor-repeated",
    ],
)
def test_a_hostile_customer_list_query_is_422(service: Service, query: dict[str, list[str]]) -> None:
    before = seeded(service)

    answer = service.api.request("GET", f"/admin/stores/{STORE}/customers", query=query, claims=OPERATOR)

    rejected(answer, service, before, 400, 422)


def test_a_hostile_transactions_cursor_is_422(service: Service) -> None:
    before = seeded(service)
    bad = _cursor({f"STORE#{STORE}#CUSTOMER#c-42": {"ledger_pk": {"S": f"STORE#{STORE}#CUSTOMER#c-42"}}})

    answer = service.api.request(
        "GET", f"/admin/stores/{STORE}/customers/c-42/transactions", query={"cursor": [bad]}, claims=OPERATOR
    )

    rejected(answer, service, before, 400, 422)


@pytest.mark.parametrize(
    ("store_id", "customer_id"),
    [
        (STORE, "c" * 5000),
        (STORE, "c" * 129),
        ("s" * 129, "c-42"),
        (STORE, "c%2F42"),
        (STORE, "c%0A42"),
        (STORE, "c\x0042"),
        (STORE, "c\t42"),
        ("acme:x", "c-42"),
        (STORE, "%F0%9F%92%A9"),
    ],
    ids=[
        "huge",
        "129",
        "store-129",
        "encoded-slash",
        "encoded-newline",
        "nul",
        "tab",
        "store-colon",
        "emoji",
    ],
)
def test_hostile_path_ids_are_4xx_on_every_customer_route(
    service: Service, store_id: str, customer_id: str
) -> None:
    before = seeded(service)
    for method, suffix in [
        ("GET", ""),
        ("GET", "/transactions"),
        ("POST", "/points"),
        ("PUT", "/balance"),
        ("POST", "/redemptions"),
        ("PUT", "/exclusion"),
        ("DELETE", "/exclusion"),
    ]:
        body = json.dumps(
            {"amount": 5, "reason": "r", "balance": 1, "revision": 1, "points": 1, "reward": "r"}
        )
        answer = service.api.request(
            method,
            f"/admin/stores/{store_id}/customers/{customer_id}{suffix}",
            headers={"Content-Type": "application/json"},
            body=body,
            claims=OPERATOR,
        )
        rejected(answer, service, before, 400, 404, 422)
    answer = service.balance(customer_id, store_id=store_id, token=token_for(STORE, "c-42"))
    rejected(answer, service, before, 400, 401, 404, 422)


@pytest.mark.parametrize(
    "key",
    ["k" * 5000, "", "with space", "é", "\x00", "k" * 129],
    ids=["huge", "empty", "space", "non-ascii", "nul", "129"],
)
def test_a_hostile_idempotency_key_is_4xx_and_writes_nothing(service: Service, key: str) -> None:
    before = seeded(service)

    answer = service.admin("POST", "/customers/c-42/points", {"amount": 5, "reason": "gift"}, key=key)

    rejected(answer, service, before, 400, 422)
