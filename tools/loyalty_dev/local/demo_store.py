"""The demo store `make dev` shows at /demo-store/: its program (the demo page's origin listed,
the panel's settings), three rewards, and a member with points, written through the functions
themselves (signed webhooks, the back office's routes) on every start. Every write is idempotent
(fixed event and order ids, the same program, rewards that exist answer 409), so a restart adds
nothing twice."""

from __future__ import annotations

import json
import time
from typing import Any, Protocol

from loyalty.http.signatures import SIGNATURE_HEADER, signature_header
from loyalty_dev.local.apigw import rest_event
from loyalty_dev.local.authorizers import gateway_claims
from loyalty_dev.local.storefront import DEMO_MEMBER, DEMO_PREFIX, DEMO_STORE, demo_origin

REWARDS = (
    {
        "id": "five-off",
        "name": "€5 off your order",
        "points": 100,
        "kind": "amount_off",
        "value": "5.00",
        "currency": "EUR",
    },
    {"id": "free-shipping", "name": "Free shipping", "points": 150, "kind": "free_shipping"},
    {"id": "ten-percent", "name": "10% off your order", "points": 400, "kind": "percent_off", "value": "10"},
)
ORDERS = (("demo-1001", "84.00", "2026-11-02T10:00:00Z"), ("demo-1002", "156.50", "2026-11-18T15:30:00Z"))


class Pool(Protocol):
    def invoke(self, event: dict[str, Any]) -> dict[str, Any]: ...


class DemoSeedFailed(Exception):
    """The demo store could not be written (the message says which call answered what)."""


def demo_program(port: int) -> dict[str, Any]:
    origin = demo_origin(port)
    return {
        "active": True,
        "points_per_currency_unit": "1",
        "guests_earn_points": True,
        "storefront_origins": [origin],
        "points_expiry_months": 12,
        "panel": {
            "name": "Demo Rewards",
            "currency": "EUR",
            "signup_url": f"{origin}{DEMO_PREFIX}/?visitor#join",
            "login_url": f"{origin}{DEMO_PREFIX}/",
            "accent_color": "#7a3e9d",
        },
    }


def _merchant() -> dict[str, str]:
    now = int(time.time())
    return gateway_claims(
        {
            "sub": "00000000-0000-4000-8000-0000000000de",
            "cognito:groups": [f"store:{DEMO_STORE}"],
            "email": "demo-merchant@example.com",
            "email_verified": True,
            "token_use": "id",
            "iat": now,
            "exp": now + 300,
        }
    )


def _call(pool: Pool, event: dict[str, Any], accepted: set[int]) -> None:
    answer = pool.invoke(event)
    if answer.get("statusCode") not in accepted:
        raise DemoSeedFailed(
            f"{event['httpMethod']} {event['path']}: {answer.get('statusCode')} {answer.get('body')}"
        )


def _webhook(pool: Pool, kind: str, secret: bytes, payload: dict[str, Any]) -> None:
    body = json.dumps(payload)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header(secret, int(time.time()), body.encode()),
    }
    _call(
        pool, rest_event("POST", f"/webhooks/{kind}", f"/webhooks/{kind}", headers=headers, body=body), {200}
    )


def _admin(pool: Pool, method: str, resource: str, payload: dict[str, Any], accepted: set[int]) -> None:
    path = resource.replace("{store_id}", DEMO_STORE)
    event = rest_event(
        method,
        resource,
        path,
        headers={"Content-Type": "application/json"},
        body=json.dumps(payload),
        path_parameters={"store_id": DEMO_STORE},
        claims=_merchant(),
    )
    _call(pool, event, accepted)


def seed_demo_store(pools: dict[str, Pool], webhook_secret: bytes, port: int) -> None:
    """The demo store's program, rewards and member, as the demo page on `port` needs them."""
    admin = pools["AdminFunction"]
    _admin(admin, "PUT", "/admin/stores/{store_id}/program", demo_program(port), {200})
    for reward in REWARDS:
        _admin(admin, "POST", "/admin/stores/{store_id}/rewards", reward, {201, 409})
    registration = {
        "event_id": "demo-register-member",
        "store_id": DEMO_STORE,
        "occurred_at": "2026-11-01T09:00:00Z",
        "customer": {"id": DEMO_MEMBER, "email": "demo-member@example.com", "first_name": "Dana"},
    }
    _webhook(pools["MemberRegisteredFunction"], "member-registered", webhook_secret, registration)
    for order_id, subtotal, occurred_at in ORDERS:
        order = {
            "event_id": f"demo-order-{order_id}",
            "store_id": DEMO_STORE,
            "occurred_at": occurred_at,
            "order": {
                "id": order_id,
                "subtotal": subtotal,
                "currency": "EUR",
                "customer": {"id": DEMO_MEMBER, "has_account": True, "email": "demo-member@example.com"},
            },
        }
        _webhook(pools["OrderCreatedFunction"], "order-created", webhook_secret, order)
