"""The tests' side of the harness (tests.harness): their secrets, and the signed client and
event builders bound to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.harness import client
from tests.harness.events import (
    STORE,
    invitation_event,
    merchant_claims,
    order_event,
    refund_event,
    registration_event,
)
from tests.wix_payloads import APP_PUBLIC_KEY_PEM

WEBHOOK_SECRET = "test-webhook-secret-0123456789abcdef-0123"
TOKEN_SECRET = "test-customer-token-secret-0123456789abcdef"
SHOPIFY_SECRET = "shpss_0123456789abcdef0123456789abcdef"
SECRETS = {
    "LOYALTY_WEBHOOK_SECRET": WEBHOOK_SECRET,
    "LOYALTY_CUSTOMER_TOKEN_SECRET": TOKEN_SECRET,
    "LOYALTY_SHOPIFY_SECRET": SHOPIFY_SECRET,
    "LOYALTY_WIX_PUBLIC_KEY": APP_PUBLIC_KEY_PEM,  # the Wix app's key pair is made per test session
}

__all__ = [
    "SECRETS",
    "SHOPIFY_SECRET",
    "STORE",
    "TOKEN_SECRET",
    "WEBHOOK_SECRET",
    "Service",
    "invitation_event",
    "merchant_claims",
    "order_event",
    "refund_event",
    "registration_event",
    "sign",
    "token_for",
]


def sign(body: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    return client.sign(body, secret.encode(), timestamp)


def token_for(
    store_id: str, customer_id: str, *, secret: str = TOKEN_SECRET, ttl: int = 3600, now: int | None = None
) -> str:
    return client.customer_token(secret.encode(), store_id, customer_id, ttl=ttl, now=now)


@dataclass
class Service(client.ServiceClient):
    """The harness's client with the tests' secrets."""

    webhook_secret: bytes = WEBHOOK_SECRET.encode()
    token_secret: bytes = TOKEN_SECRET.encode()
    api: Any = field(default_factory=client.InProcessApi)
    runtime_client: Any = None  # on moto: the session's client, handed to the functions' runtime
