"""The canonical events of the contract as JSON documents, for the tests and the benchmark: each
builder fills every field with a sensible value and takes the ones a caller cares about."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from loyalty_dev.local.authorizers import gateway_claims
from loyalty_dev.local.schedules import scheduled_event

STORE = "acme"


def merchant_claims(groups: Sequence[str], *, email: str = "merchant@example.com") -> dict[str, str]:
    """What API Gateway's Cognito authorizer hands AdminFunction for a merchant in `groups`:
    the ID token's claims as strings (groups comma-joined; the claim is absent for no group)."""
    now = int(time.time())
    payload: dict[str, Any] = {
        "sub": "8f1e2d3c-0000-4000-8000-000000000001",
        "email": email,
        "email_verified": True,
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TEST",
        "aud": "dashboard-client",
        "token_use": "id",
        "auth_time": now,
        "iat": now,
        "exp": now + 3600,
    }
    if groups:
        payload["cognito:groups"] = list(groups)
    return gateway_claims(payload)


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


__all__ = ["STORE", "scheduled_event"]
