"""CORS on the storefront routes (docs/api.md): the store's `storefront_origins` get the
headers, preflight included; any other origin gets none; never `*`."""

from __future__ import annotations

import pytest

from tests.harness.in_process import Answer
from tests.support import STORE, Service, order_event, registration_event, token_for

SHOP = "https://shop.example.com"
PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "storefront_origins": ["https://Shop.Example.com", "http://localhost:8080"],
}
BALANCE = f"/stores/{STORE}/customers/ann/balance"
REDEMPTIONS = f"/stores/{STORE}/customers/ann/redemptions"
CORS_HEADERS = {
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Max-Age",
}


@pytest.fixture
def shop(service: Service) -> Service:
    assert service.admin("PUT", "/program", PROGRAM).status == 200
    service.register(registration_event("ann", "ann@example.com"))
    service.order(order_event("o-1", "ann", "100"))
    service.admin(
        "POST", "/rewards", {"id": "ship", "name": "Free shipping", "points": 30, "kind": "free_shipping"}
    )
    return service


def preflight(service: Service, path: str, origin: str, method: str) -> Answer:
    return service.api.request(
        "OPTIONS",
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
    )


def cors(answer: Answer) -> dict[str, str]:
    return {name: value for name, value in answer.headers.items() if name in CORS_HEADERS}


def test_the_program_stores_its_origins_lower_cased(shop: Service) -> None:
    assert shop.admin("GET", "/program").json()["storefront_origins"] == [SHOP, "http://localhost:8080"]


@pytest.mark.parametrize(
    "origin",
    [
        "https://shop.example.com/",
        "*",
        "https://*.example.com",
        "shop.example.com",
        "https://shop.example.com/x",
    ],
)
def test_an_origin_that_is_not_an_origin_is_422(service: Service, origin: str) -> None:
    answer = service.admin("PUT", "/program", {**PROGRAM, "storefront_origins": [origin]})

    assert answer.status == 422


@pytest.mark.parametrize(("path", "methods"), [(BALANCE, "GET, OPTIONS"), (REDEMPTIONS, "POST, OPTIONS")])
def test_a_listed_origins_preflight_is_answered_without_a_token(
    shop: Service, path: str, methods: str
) -> None:
    answer = preflight(shop, path, SHOP, methods.split(",", maxsplit=1)[0])

    assert answer.status == 204
    assert cors(answer) == {
        "Access-Control-Allow-Origin": SHOP,
        "Access-Control-Allow-Methods": methods,
        "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key",
        "Access-Control-Max-Age": "600",
    }
    assert answer.headers["Vary"] == "Origin"


@pytest.mark.parametrize("path", [BALANCE, REDEMPTIONS])
@pytest.mark.parametrize("origin", ["https://evil.example.com", "https://shop.example.com:8443", "null"])
def test_an_unlisted_origin_gets_no_cors_header(shop: Service, path: str, origin: str) -> None:
    answer = preflight(shop, path, origin, "GET")

    assert cors(answer) == {}
    assert "*" not in answer.headers.values()


def test_the_balance_answers_a_listed_origin_with_cors_and_an_unlisted_without(shop: Service) -> None:
    listed = shop.balance("ann", headers={"Origin": SHOP})
    unlisted = shop.balance("ann", headers={"Origin": "https://evil.example.com"})

    assert listed.status == unlisted.status == 200
    assert cors(listed) == {"Access-Control-Allow-Origin": SHOP}
    assert cors(unlisted) == {}
    assert listed.json()["reward_available"] is True


def test_the_redemption_answers_a_listed_origin_with_cors_errors_included(shop: Service) -> None:
    redeemed = shop.redeem("ann", "ship", headers={"Origin": SHOP})
    refused = shop.redeem("ann", "nope", key="k-2", headers={"Origin": SHOP})
    unlisted = shop.redeem("ann", "ship", key="k-3", headers={"Origin": "https://evil.example.com"})

    assert (redeemed.status, refused.status, unlisted.status) == (201, 404, 201)
    assert cors(redeemed) == cors(refused) == {"Access-Control-Allow-Origin": SHOP}
    assert cors(unlisted) == {}


def test_a_token_for_another_customer_is_still_401_with_cors(shop: Service) -> None:
    answer = shop.api.request(
        "GET", BALANCE, headers={"Origin": SHOP, "Authorization": f"Bearer {token_for(STORE, 'bob')}"}
    )

    assert answer.status == 401
    assert cors(answer) == {"Access-Control-Allow-Origin": SHOP}


def test_a_store_without_origins_answers_no_cors(service: Service) -> None:
    service.order(order_event("o-1", "ann", "100"))

    assert cors(preflight(service, BALANCE, SHOP, "GET")) == {}
    assert cors(service.balance("ann", headers={"Origin": SHOP})) == {}
