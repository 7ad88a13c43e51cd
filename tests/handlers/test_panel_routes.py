"""The storefront panel's reads on BalanceFunction: the public program (no token, nothing about any
customer, cacheable), and a customer's history (never the merchant's reason) and coupons."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from loyalty.http.platforms.shopify import proxy_signature
from loyalty_dev import responses
from tests.harness.in_process import Answer
from tests.support import (
    SHOPIFY_SECRET,
    STORE,
    TOKEN_SECRET,
    Service,
    order_event,
    registration_event,
    token_for,
)

SHOP = "https://shop.example.com"
PANEL = {
    "name": "Acme Rewards",
    "currency": "EUR",
    "signup_url": "https://shop.example.com/account/register",
    "login_url": "http://localhost:8080/login?next=/rewards",
    "accent_color": "#1f6f4a",
}
PROGRAM: dict[str, Any] = {
    "active": True,
    "points_per_currency_unit": "1.5",
    "guests_earn_points": True,
    "storefront_origins": [SHOP],
    "points_expiry_months": 12,
    "panel": PANEL,
}
TEN_OFF = {
    "id": "ten-off",
    "name": "€10 off",
    "points": 50,
    "kind": "amount_off",
    "value": "10.00",
    "currency": "EUR",
}
SHIPPING = {"id": "ship", "name": "Free shipping", "points": 30, "kind": "free_shipping"}


@pytest.fixture
def shop(service: Service) -> Service:
    assert service.admin("PUT", "/program", PROGRAM).status == 200
    for reward in (TEN_OFF, SHIPPING):
        assert service.admin("POST", "/rewards", reward).status == 201
    service.register(registration_event("ann", "ann@example.com"))
    service.order(order_event("o-1", "ann", "100"))
    return service


def get(service: Service, path: str, *, customer: str | None = None, origin: str | None = None) -> Answer:
    headers = {"Origin": origin} if origin else {}
    if customer is not None:
        headers["Authorization"] = f"Bearer {token_for(STORE, customer)}"
    path, _, query = path.partition("?")
    parameters: dict[str, list[str]] = {}
    for pair in filter(None, query.split("&")):
        name, _, value = pair.partition("=")
        parameters.setdefault(name, []).append(value)
    return service.api.request("GET", path, headers=headers, query=parameters or None)


# the program's panel settings -------------------------------------------------------------------


def test_the_panel_settings_are_stored_and_answered(shop: Service) -> None:
    assert shop.admin("GET", "/program").json()["panel"] == PANEL


def test_a_program_without_panel_settings_answers_them_empty(service: Service) -> None:
    program = {key: value for key, value in PROGRAM.items() if key != "panel"}
    assert service.admin("PUT", "/program", program).status == 200
    assert service.admin("GET", "/program").json()["panel"] == dict.fromkeys(PANEL)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("signup_url", "http://shop.example.com/join"),  # plain http outside this machine
        ("signup_url", "javascript:alert(1)"),
        ("signup_url", "https://"),
        ("login_url", "https://shop.example.com/a b"),
        ("login_url", "ftp://shop.example.com"),
        ("login_url", "http://localhost.evil.com/"),
        ("accent_color", "green"),
        ("accent_color", "#1f6f4"),
        ("accent_color", "#1f6f4a0"),
        ("currency", "eur"),
        ("currency", "EURO"),
        ("name", "   "),
        ("name", "Acme\nRewards"),
        ("name", "x" * 101),
        ("name", 7),
    ],
)
def test_panel_settings_outside_the_contract_are_422_and_nothing_changes(
    shop: Service, field: str, value: object
) -> None:
    before = shop.admin("GET", "/program").json()
    answer = shop.admin("PUT", "/program", {**PROGRAM, "panel": {**PANEL, field: value}})
    assert answer.status == 422, answer.body
    assert field in answer.body
    assert shop.admin("GET", "/program").json() == before


def test_development_urls_and_capital_colours_are_accepted(shop: Service) -> None:
    panel = {**PANEL, "signup_url": "http://127.0.0.1:3000/join", "accent_color": "#ABCDEF"}
    assert shop.admin("PUT", "/program", {**PROGRAM, "panel": panel}).status == 200
    assert shop.admin("GET", "/program").json()["panel"] == panel


# the public program -----------------------------------------------------------------------------


def test_the_public_program_needs_no_token_and_says_nothing_of_customers(shop: Service) -> None:
    answer = get(shop, f"/stores/{STORE}/program")

    assert answer.status == 200, answer.body
    assert answer.headers["Cache-Control"] == "public, max-age=30"
    assert answer.json() == {
        "store_id": STORE,
        "name": "Acme Rewards",
        "currency": "EUR",
        "active": True,
        "points_per_currency_unit": "1.5",
        "pending_days": 0,
        "points_expiry_months": 12,
        "rewards": [
            {"id": "ship", "name": "Free shipping", "points": 30, "kind": "free_shipping"},
            dict(TEN_OFF.items()),
        ],
        "tiers": [],
        "ways_to_earn": [],
        "campaigns": [],
        "signup_url": PANEL["signup_url"],
        "login_url": PANEL["login_url"],
        "accent_color": "#1f6f4a",
    }
    assert "ann" not in answer.body
    assert "storefront_origins" not in answer.body


def test_the_public_program_leaves_retired_rewards_out_and_says_when_paused(shop: Service) -> None:
    assert shop.admin("DELETE", "/rewards/ship").status == 200
    assert shop.admin("PUT", "/program", {**PROGRAM, "active": False}).status == 200

    document = get(shop, f"/stores/{STORE}/program").json()

    assert document["active"] is False
    assert [reward["id"] for reward in document["rewards"]] == ["ten-off"]


def test_a_store_without_a_program_answers_the_defaults(service: Service) -> None:
    document = get(service, "/stores/elsewhere/program").json()
    assert (document["store_id"], document["active"], document["rewards"], document["name"]) == (
        "elsewhere",
        True,
        [],
        None,
    )


def test_a_bad_store_id_is_422(service: Service) -> None:
    assert get(service, "/stores/a:b/program").status == 422


# the customer's history -------------------------------------------------------------------------


def test_the_history_is_newest_first_and_never_says_the_reason(shop: Service) -> None:
    assert shop.admin("POST", "/customers/ann/points", {"amount": 5, "reason": "INTERNAL: angry"}).status
    redeemed = shop.redeem("ann", "ship").json()

    answer = get(shop, f"/stores/{STORE}/customers/ann/transactions", customer="ann")

    assert answer.status == 200, answer.body
    items = answer.json()["items"]
    assert [item["type"] for item in items] == ["redeem", "adjust", "earn"]
    assert items[0]["coupon_code"] == redeemed["coupon"]["code"]
    assert items[2]["order_id"] == "o-1"
    assert "INTERNAL" not in answer.body
    assert set(items[1]) == {"id", "type", "points", "balance_after", "created_at"}
    assert answer.json()["next_cursor"] is None


def test_the_history_pages_with_a_cursor(shop: Service) -> None:
    shop.order(order_event("o-2", "ann", "10"))
    first = get(shop, f"/stores/{STORE}/customers/ann/transactions?limit=1", customer="ann").json()
    rest = get(
        shop, f"/stores/{STORE}/customers/ann/transactions?cursor={first['next_cursor']}", customer="ann"
    ).json()
    assert [item["order_id"] for item in first["items"] + rest["items"]] == ["o-2", "o-1"]


@pytest.mark.parametrize("route", ["transactions", "coupons"])
def test_another_customers_token_or_none_is_401(shop: Service, route: str) -> None:
    shop.register(registration_event("bob", "bob@example.com"))
    path = f"/stores/{STORE}/customers/ann/{route}"
    assert get(shop, path, customer="bob").status == 401
    assert get(shop, path).status == 401


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "cursor=nonsense", "status=spent"])
def test_bad_queries_are_422(shop: Service, query: str) -> None:
    assert get(shop, f"/stores/{STORE}/customers/ann/coupons?{query}", customer="ann").status == 422


def test_an_unknown_customer_is_404(shop: Service) -> None:
    for route in ("transactions", "coupons"):
        assert get(shop, f"/stores/{STORE}/customers/zed/{route}", customer="zed").status == 404


# the customer's coupons -------------------------------------------------------------------------


def test_the_coupons_are_newest_first_and_filtered_by_status(shop: Service) -> None:
    first = shop.redeem("ann", "ship", key="k-1").json()["coupon"]
    second = shop.redeem("ann", "ship", key="k-2").json()["coupon"]
    assert shop.admin("POST", f"/coupons/{first['code']}/use", {"order_id": "o-9"}).status == 200

    every = get(shop, f"/stores/{STORE}/customers/ann/coupons", customer="ann").json()["items"]
    issued = get(shop, f"/stores/{STORE}/customers/ann/coupons?status=issued", customer="ann").json()

    assert [coupon["code"] for coupon in every] == [second["code"], first["code"]]
    assert every[0] == second
    assert [coupon["code"] for coupon in issued["items"]] == [second["code"]]
    assert get(shop, f"/stores/{STORE}/customers/bob/coupons", customer="bob").status == 404


def test_a_customer_without_coupons_has_an_empty_list(shop: Service) -> None:
    answer = get(shop, f"/stores/{STORE}/customers/ann/coupons?status=issued", customer="ann")
    assert answer.json() == {"items": [], "next_cursor": None}


# CORS --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/stores/{STORE}/program",
        f"/stores/{STORE}/customers/ann/transactions",
        f"/stores/{STORE}/customers/ann/coupons",
    ],
)
def test_the_panel_routes_answer_cors_for_the_stores_origins_only(shop: Service, path: str) -> None:
    headers = {"Origin": SHOP, "Access-Control-Request-Method": "GET"}
    allowed = shop.api.request("OPTIONS", path, headers=headers)
    refused = shop.api.request("OPTIONS", path, headers={**headers, "Origin": "https://evil.example"})
    answered = get(shop, path, customer="ann", origin=SHOP)

    assert allowed.status == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == SHOP
    assert allowed.headers["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    assert "Idempotency-Key" in allowed.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert answered.headers["Access-Control-Allow-Origin"] == SHOP
    assert answered.headers["Vary"] == "Origin"


def test_the_panel_answers_match_their_models(shop: Service) -> None:
    shop.redeem("ann", "ship")
    models = {
        f"/stores/{STORE}/program": responses.PublicProgram,
        f"/stores/{STORE}/customers/ann/transactions": responses.StorefrontTransactionPage,
        f"/stores/{STORE}/customers/ann/coupons": responses.CouponPage,
    }
    for path, model in models.items():
        model.model_validate(get(shop, path, customer="ann").json(), strict=True)
    responses.Program.model_validate(shop.admin("GET", "/program").json(), strict=True)


# the panel's token on a Shopify store (its app proxy) --------------------------------------------


def shopify_proxy(service: Service, **overrides: Any) -> Answer:
    parameters: dict[str, list[str]] = {
        "shop": ["acme.myshopify.com"],
        "logged_in_customer_id": ["7001"],
        "path_prefix": ["/apps/loyalty"],
        "timestamp": [str(int(time.time()))],
    }
    parameters.update({name: value for name, value in overrides.items() if name != "signature"})
    parameters = {name: value for name, value in parameters.items() if value is not None}
    parameters["signature"] = overrides.get("signature") or [
        proxy_signature(SHOPIFY_SECRET.encode(), parameters)
    ]
    return service.api.request("GET", "/proxy/shopify/token", query=parameters)


def test_the_app_proxy_mints_the_logged_in_customers_token_for_the_panel(service: Service) -> None:
    service.register(registration_event("7001", "ann@example.com", store_id="acme.myshopify.com"))

    answer = shopify_proxy(service)

    assert answer.status == 200, answer.body
    assert answer.headers["Cache-Control"] == "no-store"
    claims = jwt.decode(answer.json()["token"], TOKEN_SECRET, algorithms=["HS256"])
    assert claims["sub"] == "acme.myshopify.com:7001"
    assert claims["exp"] - claims["iat"] == 3600
    balance = service.balance("7001", store_id="acme.myshopify.com", token=answer.json()["token"])
    assert balance.status == 200


@pytest.mark.parametrize(
    "overrides",
    [
        {"signature": ["0" * 64]},
        {"logged_in_customer_id": None},
        {"timestamp": [str(int(time.time()) - 400)]},
    ],
    ids=["wrong-signature", "nobody-logged-in", "stale"],
)
def test_no_token_without_a_signed_logged_in_customer(service: Service, overrides: dict[str, Any]) -> None:
    answer = shopify_proxy(service, **overrides)
    assert answer.status == 401
    assert "token" not in answer.json()
