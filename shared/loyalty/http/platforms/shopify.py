"""Shopify: webhook and app proxy signatures, and the parts of its payloads the service reads.

Shopify adds fields to its payloads often: the models read what they need and ignore the rest.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from loyalty.errors import Unauthorized
from loyalty.http.models import (
    MemberRegistered,
    Order,
    OrderCreated,
    OrderCustomer,
    OrderRefunded,
    Refund,
    RegisteredCustomer,
)
from loyalty.http.platforms.common import Envelope, Ignored

HMAC_HEADER = "X-Shopify-Hmac-Sha256"
SHOP_HEADER = "X-Shopify-Shop-Domain"
EVENT_ID_HEADERS = ("X-Shopify-Event-Id", "X-Shopify-Webhook-Id")
TRIGGERED_AT_HEADER = "X-Shopify-Triggered-At"
PROXY_TOLERANCE_SECONDS = 300
MAX_HMAC_HEADER_LENGTH = 128  # base64 of a SHA-256 MAC is 44 characters
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")  # ASCII digits, and never a number arithmetic can overflow


# Signatures -------------------------------------------------------------------------------------


def webhook_hmac(secret: bytes, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()


def verify_webhook(header: str | None, body: bytes, secret: bytes) -> None:
    """Shopify signs the raw body: base64 of HMAC-SHA256 with the app's secret."""
    if not header:
        raise Unauthorized(f"missing {HMAC_HEADER} header")
    if len(header) > MAX_HMAC_HEADER_LENGTH:
        raise Unauthorized(f"malformed {HMAC_HEADER} header")
    if not hmac.compare_digest(webhook_hmac(secret, body).encode(), header.strip().encode()):
        raise Unauthorized("Shopify signature does not match the body")


def proxy_signature(secret: bytes, parameters: Mapping[str, Sequence[str]]) -> str:
    """Hex HMAC-SHA256 of the query without `signature`: `name=value` sorted by name, several
    values joined by commas, concatenated with no separator."""
    message = "".join(
        f"{name}={','.join(values)}" for name, values in sorted(parameters.items()) if name != "signature"
    )
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class ProxyCustomer:
    shop: str
    customer_id: str


def verify_app_proxy(parameters: Mapping[str, Sequence[str]], secret: bytes, now: float) -> ProxyCustomer:
    """A storefront request relayed by Shopify's app proxy, for the logged-in customer.

    The signature covers repeated values joined by commas, so `shop=a&shop=b` is signed as
    `shop=a,b`: a parameter the service acts on must therefore appear exactly once."""
    given = parameters.get("signature") or []
    if len(given) != 1:
        raise Unauthorized("missing app proxy signature")
    expected = proxy_signature(secret, parameters)
    if not hmac.compare_digest(expected.encode(), given[0].encode("utf-8", "replace")):
        raise Unauthorized("app proxy signature does not match")
    timestamp = _single(parameters, "timestamp")
    if timestamp is None or not _UNIX_SECONDS.fullmatch(timestamp):
        raise Unauthorized("app proxy timestamp missing or malformed")
    if abs(now - int(timestamp)) > PROXY_TOLERANCE_SECONDS:
        raise Unauthorized("app proxy timestamp is outside the 300 second tolerance")
    shop = _single(parameters, "shop")
    customer_id = _single(parameters, "logged_in_customer_id")
    if not shop or not customer_id:
        raise Unauthorized("no customer is logged in")
    return ProxyCustomer(shop, customer_id)


def _single(parameters: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = parameters.get(name) or []
    if len(values) > 1:
        raise Unauthorized(f"app proxy parameter {name} is given more than once")
    return values[0] if values else None


# Payloads ---------------------------------------------------------------------------------------


class _Payload(BaseModel):
    # defer_build: the validators are built on the first Shopify webhook of the container, not in
    # every cold start (the canonical routes of the same functions never use them).
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


ShopifyId = Annotated[int, Field(ge=1)]


class Customer(_Payload):
    id: ShopifyId
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    state: str | None = None
    tags: str | None = None  # Shopify's tags are one comma-separated string

    @property
    def has_account(self) -> bool:
        return self.state == "enabled"

    @property
    def tag_list(self) -> tuple[str, ...]:
        return tuple(tag.strip() for tag in (self.tags or "").split(",") if tag.strip())


class ShopifyOrder(_Payload):
    id: ShopifyId
    subtotal_price: str
    currency: str
    test: bool = False
    customer: Customer | None = None


class Transaction(_Payload):
    kind: str
    status: str
    amount: Annotated[str, Field(pattern=r"^[0-9]{1,12}(\.[0-9]{1,4})?$")]


class ShopifyRefund(_Payload):
    id: ShopifyId
    order_id: ShopifyId
    transactions: list[Transaction] = []

    def refunded_amount(self) -> Decimal:
        """Only successful refund transactions count (a pending one is not re-sent by Shopify)."""
        total = Decimal(0)
        for item in self.transactions:
            if item.kind == "refund" and item.status == "success":
                total += Decimal(item.amount)
        return total


class ComplianceCustomer(_Payload):
    """The customer a compliance webhook names; its email and phone are not read (ids only)."""

    id: ShopifyId


class DataRequestId(_Payload):
    id: ShopifyId


class CustomersDataRequest(_Payload):
    """customers/data_request: a customer asked the merchant for their data."""

    customer: ComplianceCustomer
    data_request: DataRequestId


class CustomersRedact(_Payload):
    """customers/redact: erase a customer's personal data."""

    customer: ComplianceCustomer


class ShopRedact(_Payload):
    """shop/redact: erase everything of the store (named, as on every route, by its header)."""

    shop_domain: str | None = None


def order_created(order: ShopifyOrder, envelope: Envelope) -> OrderCreated | Ignored:
    if order.test:
        return Ignored("test order")
    if order.customer is None:
        return Ignored("order has no customer")
    customer = order.customer
    return OrderCreated(
        event_id=envelope.event_id,
        store_id=envelope.store_id,
        occurred_at=envelope.occurred_at,
        order=Order(
            id=str(order.id),
            subtotal=order.subtotal_price,
            currency=order.currency,
            customer=OrderCustomer(
                id=str(customer.id),
                email=customer.email or None,
                has_account=customer.has_account,
                tags=customer.tag_list,
            ),
        ),
    )


def customer_registered(customer: Customer, envelope: Envelope) -> MemberRegistered:
    return MemberRegistered(
        event_id=envelope.event_id,
        store_id=envelope.store_id,
        occurred_at=envelope.occurred_at,
        customer=RegisteredCustomer(
            id=str(customer.id),
            email=customer.email or None,
            first_name=customer.first_name or None,
            last_name=customer.last_name or None,
        ),
    )


def refund_created(refund: ShopifyRefund, envelope: Envelope) -> OrderRefunded:
    return OrderRefunded(
        event_id=envelope.event_id,
        store_id=envelope.store_id,
        occurred_at=envelope.occurred_at,
        refund=Refund(
            id=str(refund.id), order_id=str(refund.order_id), amount=format(refund.refunded_amount(), "f")
        ),
    )
