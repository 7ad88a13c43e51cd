"""`make dev`'s server answers the storefront routes' CORS as API Gateway and the functions do: the
template routes OPTIONS to the function, with no authorizer (a preflight carries no token)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from loyalty_dev.local.server import LocalServer
from tests.local.client import Reply, call

SHOP = "https://shop.example.com"


def preflight(server: LocalServer, store: str, route: str, origin: str) -> Reply:
    return call(
        "OPTIONS",
        f"{server.url}/stores/{store}/customers/c-1/{route}",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )


def test_a_listed_origin_gets_cors_and_an_unlisted_one_none(
    local_server: LocalServer, admin_token: Callable[..., str]
) -> None:
    store = f"store-{uuid.uuid4().hex[:10]}"
    program = {
        "active": True,
        "points_per_currency_unit": "1",
        "guests_earn_points": True,
        "storefront_origins": [SHOP],
    }
    saved = call(
        "PUT",
        f"{local_server.url}/admin/stores/{store}/program",
        headers={
            "Authorization": f"Bearer {admin_token(local_server, store)}",
            "Content-Type": "application/json",
        },
        body=json.dumps(program).encode(),
    )
    assert saved.status == 200, saved.body

    for route, methods in (("balance", "GET, OPTIONS"), ("redemptions", "POST, OPTIONS")):
        listed = preflight(local_server, store, route, SHOP)
        unlisted = preflight(local_server, store, route, "https://evil.example.com")

        assert listed.status == 204, (route, listed.body)
        assert listed.headers["Access-Control-Allow-Origin"] == SHOP
        assert listed.headers["Access-Control-Allow-Methods"] == methods
        assert (
            listed.headers["Access-Control-Allow-Headers"] == "Authorization, Content-Type, Idempotency-Key"
        )
        assert listed.headers["Vary"] == "Origin"
        assert unlisted.status == 204
        assert not [name for name in unlisted.headers if name.lower().startswith("access-control-")]
