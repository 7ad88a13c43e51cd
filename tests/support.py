"""Test helpers: canonical events, signed webhook calls, customer tokens and table snapshots."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from loyalty.domain.entities import EmailClaim
from loyalty.domain.operations.invariants import store_problems
from loyalty.http.signatures import signature_header
from loyalty.http.tokens import mint_customer_token
from loyalty.repository import Repository
from loyalty_dev.local.in_process import Answer, InProcessApi

WEBHOOK_SECRET = "test-webhook-secret-0123456789abcdef-0123"
TOKEN_SECRET = "test-customer-token-secret-0123456789abcdef"
SHOPIFY_SECRET = "shpss_0123456789abcdef0123456789abcdef"
STORE = "acme"


def order_event(
    order_id: str = "1001",
    customer_id: str = "c-42",
    subtotal: str = "49.90",
    *,
    has_account: bool = False,
    email: str | None = "ann@example.com",
    tags: list[str] | None = None,
    event_id: str | None = None,
    store_id: str = STORE,
) -> dict[str, Any]:
    customer: dict[str, Any] = {"id": customer_id, "has_account": has_account}
    if email is not None:
        customer["email"] = email
    if tags is not None:
        customer["tags"] = tags
    return {
        "event_id": event_id or f"evt-order-{order_id}",
        "store_id": store_id,
        "occurred_at": "2026-11-20T10:00:00Z",
        "order": {"id": order_id, "subtotal": subtotal, "currency": "EUR", "customer": customer},
    }


def registration_event(
    customer_id: str = "c-42",
    email: str | None = "ann@example.com",
    *,
    first_name: str | None = "Ann",
    last_name: str | None = "Lee",
    event_id: str | None = None,
    store_id: str = STORE,
) -> dict[str, Any]:
    customer: dict[str, Any] = {"id": customer_id}
    for key, value in (("email", email), ("first_name", first_name), ("last_name", last_name)):
        if value is not None:
            customer[key] = value
    return {
        "event_id": event_id or f"evt-register-{customer_id}",
        "store_id": store_id,
        "occurred_at": "2026-11-20T10:00:00Z",
        "customer": customer,
    }


def invitation_event(
    guest: str, member: str, *, event_id: str | None = None, store_id: str = STORE
) -> dict[str, Any]:
    return {
        "event_id": event_id or f"evt-merge-{guest}-{member}",
        "store_id": store_id,
        "occurred_at": "2026-11-20T10:00:00Z",
        "invitation": {"guest_customer_id": guest, "member_customer_id": member},
    }


def refund_event(
    refund_id: str, order_id: str, amount: str, *, event_id: str | None = None, store_id: str = STORE
) -> dict[str, Any]:
    return {
        "event_id": event_id or f"evt-refund-{refund_id}",
        "store_id": store_id,
        "occurred_at": "2026-11-21T10:00:00Z",
        "refund": {"id": refund_id, "order_id": order_id, "amount": amount},
    }


def sign(body: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    return signature_header(secret.encode(), int(time.time()) if timestamp is None else timestamp, body)


def token_for(
    store_id: str, customer_id: str, *, secret: str = TOKEN_SECRET, ttl: int = 3600, now: int | None = None
) -> str:
    return mint_customer_token(
        secret.encode(), store_id, customer_id, int(time.time()) if now is None else now, ttl
    )


@dataclass
class Service:
    client: Any
    table_name: str
    api: InProcessApi = field(default_factory=InProcessApi)

    @property
    def repository(self) -> Repository:
        return Repository(self.table_name, self.client)

    def claim(self, store_id: str, email_key: str) -> EmailClaim | None:
        """Who holds an email in a store (None: nobody), read from the store's claims."""
        return next(
            (claim for claim in self.repository.claims(store_id) if claim.email_key == email_key), None
        )

    def post(
        self, path: str, payload: Any, *, headers: dict[str, str] | None = None, signed: bool = True
    ) -> Answer:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if signed:
            all_headers.setdefault("X-Loyalty-Signature", sign(body))
        return self.api.request("POST", path, headers=all_headers, body=body)

    def order(self, payload: dict[str, Any]) -> Answer:
        return self.post("/webhooks/order-created", payload)

    def register(self, payload: dict[str, Any]) -> Answer:
        return self.post("/webhooks/member-registered", payload)

    def merge(self, payload: dict[str, Any]) -> Answer:
        return self.post("/webhooks/invitation-accepted", payload)

    def refund(self, payload: dict[str, Any]) -> Answer:
        return self.post("/webhooks/order-refunded", payload)

    def admin(
        self,
        method: str,
        path: str,
        payload: Any = None,
        *,
        key: str | None = None,
        query: dict[str, str] | None = None,
        store_id: str = STORE,
    ) -> Answer:
        """A back-office call: `path` is relative to /admin/stores/<store_id>."""
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["Idempotency-Key"] = key
        body = None if payload is None else json.dumps(payload).encode()
        return self.api.request(
            method,
            f"/admin/stores/{store_id}{path}",
            headers=headers,
            body=body,
            query={name: [value] for name, value in (query or {}).items()},
        )

    def assert_sound(self, store_id: str = STORE) -> None:
        """The invariants every store keeps, checked by the same code operators run (reconcile)."""
        assert store_problems(self.repository, store_id) == []

    def balance(
        self,
        customer_id: str,
        *,
        store_id: str = STORE,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        all_headers = dict(headers or {})
        if token is None:
            token = token_for(store_id, customer_id)
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        return self.api.request(
            "GET", f"/stores/{store_id}/customers/{customer_id}/balance", headers=all_headers
        )

    def snapshot(self) -> list[dict[str, Any]]:
        """Every item of the table, sorted: two equal snapshots mean nothing was written."""
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {"TableName": self.table_name, "ConsistentRead": True}
        while True:
            page = self.client.scan(**request)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))

    def account(self, customer_id: str, store_id: str = STORE) -> Any:
        return self.repository.get_account(store_id, customer_id)
