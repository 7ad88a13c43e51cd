"""The one signed client of the tests and the benchmark: the template's functions behind an
in-process API Gateway, called the way a platform, a storefront and the back office call them."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from loyalty.domain.entities import EmailClaim
from loyalty.domain.operations.invariants import store_problems
from loyalty.http.signatures import SIGNATURE_HEADER, signature_header
from loyalty.http.tokens import mint_customer_token
from loyalty.repository import Repository
from loyalty_dev.local.apigw import LambdaContext, rest_event
from tests.harness.events import STORE, merchant_claims, scheduled_event
from tests.harness.in_process import Answer, InProcessApi, load_handler

ORDER_PATH = "/webhooks/order-created"
REGISTER_PATH = "/webhooks/member-registered"
MERGE_PATH = "/webhooks/invitation-accepted"
REFUND_PATH = "/webhooks/order-refunded"
TOKEN_TTL_SECONDS = 3600


def sign(body: bytes, secret: bytes, timestamp: int | None = None) -> str:
    """The X-Loyalty-Signature header of `body`, signed now (or at `timestamp`)."""
    return signature_header(secret, int(time.time()) if timestamp is None else timestamp, body)


def customer_token(
    secret: bytes, store_id: str, customer_id: str, *, ttl: int = TOKEN_TTL_SECONDS, now: int | None = None
) -> str:
    return mint_customer_token(secret, store_id, customer_id, int(time.time()) if now is None else now, ttl)


def signed_event(secret: bytes, path: str, payload: Any) -> dict[str, Any]:
    """The API Gateway event of a signed webhook, for a handler called directly."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret)}
    return rest_event("POST", path, path, headers=headers, body=body)


@dataclass
class ServiceClient:
    """Signed webhooks, storefront balances and back-office calls, and a look at the table."""

    client: Any
    table_name: str
    webhook_secret: bytes
    token_secret: bytes
    api: InProcessApi = field(default_factory=InProcessApi)

    @property
    def repository(self) -> Repository:
        return Repository(self.table_name, self.client)

    def claim(self, store_id: str, email_key: str) -> EmailClaim | None:
        """Who holds an email in a store (None: nobody), read from the store's claims."""
        claims = self.repository.claims(store_id)
        return next((claim for claim in claims if claim.email_key == email_key), None)

    def post(
        self, path: str, payload: Any, *, headers: dict[str, str] | None = None, signed: bool = True
    ) -> Answer:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if signed:
            all_headers.setdefault(SIGNATURE_HEADER, sign(body, self.webhook_secret))
        return self.api.request("POST", path, headers=all_headers, body=body)

    def order(self, payload: dict[str, Any]) -> Answer:
        return self.post(ORDER_PATH, payload)

    def register(self, payload: dict[str, Any]) -> Answer:
        return self.post(REGISTER_PATH, payload)

    def merge(self, payload: dict[str, Any]) -> Answer:
        return self.post(MERGE_PATH, payload)

    def refund(self, payload: dict[str, Any]) -> Answer:
        return self.post(REFUND_PATH, payload)

    def admin(
        self,
        method: str,
        path: str,
        payload: Any = None,
        *,
        key: str | None = None,
        query: dict[str, str] | None = None,
        store_id: str = STORE,
        groups: Sequence[str] | None = None,
        claims: dict[str, str] | None = None,
    ) -> Answer:
        """A back-office call: `path` is relative to /admin/stores/<store_id>. It carries the claims
        of a merchant of that store unless `groups` (or whole `claims`) say otherwise."""
        if claims is None:
            claims = merchant_claims([f"store:{store_id}"] if groups is None else groups)
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
            claims=claims,
        )

    def scheduled(self, function: str, time: str, *, event_id: str | None = None) -> dict[str, Any]:
        """Run a scheduled function (ExpiryFunction) on the scheduled event at `time`, in-process."""
        handler = load_handler(self.api.functions[function])
        return handler(scheduled_event(time, event_id=event_id), LambdaContext(function_name=function))

    def assert_sound(self, store_id: str = STORE) -> None:
        """The invariants every store keeps, checked by the same code operators run (reconcile)."""
        problems = store_problems(self.repository, store_id)
        assert problems == [], problems

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
            token = customer_token(self.token_secret, store_id, customer_id)
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        return self.api.request(
            "GET", f"/stores/{store_id}/customers/{customer_id}/balance", headers=all_headers
        )

    def redeem(
        self,
        customer_id: str,
        reward_id: str,
        *,
        key: str | None = "redeem-1",
        store_id: str = STORE,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """The storefront's redemption of a catalog reward, with the customer's token."""
        all_headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {customer_token(self.token_secret, store_id, customer_id)}",
            **(headers or {}),
        }
        if key is not None:
            all_headers["Idempotency-Key"] = key
        return self.api.request(
            "POST",
            f"/stores/{store_id}/customers/{customer_id}/redemptions",
            headers=all_headers,
            body=json.dumps({"reward_id": reward_id}).encode(),
        )

    def items(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every item of the table by key (a consistent scan)."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        request: dict[str, Any] = {"TableName": self.table_name, "ConsistentRead": True}
        while True:
            page = self.client.scan(**request)
            for item in page["Items"]:
                found[(item["pk"]["S"], item["sk"]["S"])] = item
            if "LastEvaluatedKey" not in page:
                return found
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def snapshot(self) -> list[dict[str, Any]]:
        """Every item of the table, sorted: two equal snapshots mean nothing was written."""
        items = self.items()
        return [items[key] for key in sorted(items)]

    def account(self, customer_id: str, store_id: str = STORE) -> Any:
        return self.repository.get_account(store_id, customer_id)
