"""Wix: webhooks that are JWTs signed RS256 with the app's key, their envelope of JSON strings, and
the parts of orders and members the service reads.

The whole body of a Wix webhook is a compact JWS. Its `data` claim is a JSON string holding
`{eventType, instanceId, data, identity}`, whose `data` is again a JSON string holding the event
`{id, entityFqdn, slug, entityId, eventTime, createdEvent | updatedEvent | actionEvent}`; an entity
comes as an object (`entity`, `currentEntity`, `body`) or as a JSON string (`entityAsJson`,
`currentEntityAsJson`, `bodyAsJson`). Wix adds fields often: the models read what they need and
ignore the rest.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, StringConstraints, model_validator
from pydantic.alias_generators import to_camel

from loyalty.domain.entities import utc_now
from loyalty.domain.rules.birthdays import parse_birthday
from loyalty.errors import ConfigurationError, Unauthorized
from loyalty.http.models import (
    Amount,
    Currency,
    Identifier,
    MemberRegistered,
    Order,
    OrderCreated,
    OrderCustomer,
    RegisteredCustomer,
    StoreId,
)
from loyalty.http.platforms.common import Envelope, Ignored

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

ORDER_APPROVED = "wix.ecom.v1.order_approved"
MEMBER_CREATED = "wix.members.v1.member_created"
MEMBER_UPDATED = "wix.members.v1.member_updated"
MEMBER_EVENTS = frozenset({MEMBER_CREATED, MEMBER_UPDATED})
ALGORITHM = "RS256"  # the only one: Wix signs with the app's RSA key, nothing else is Wix
APPROVED = "APPROVED"
# Wix's clock and ours may disagree a little about a fresh token's `iat`; `exp` is not enforced at
# all, since Wix redelivers the same token for up to two days (duplicates are settled by business
# keys, as on every route).
CLOCK_SKEW_SECONDS = 300


# The whole body of a Wix webhook, as openapi.yaml describes it (verification reads it with PyJWT).
WebhookToken = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")]


# Verification -----------------------------------------------------------------------------------


def verify_webhook(body: bytes, public_key_pem: bytes) -> dict[str, Any]:
    """The claims of the token that is the body, if it is signed RS256 with the app's key."""
    # Imported here, not at the top: PyJWT loads cryptography as it imports, and only the Wix routes
    # need it (docs/decisions/wix-rs256-cryptography.md), so the other routes' cold starts never pay.
    import jwt  # noqa: PLC0415

    token = body.strip()
    if not token:
        raise Unauthorized("empty body: a Wix webhook is a JWT signed by Wix")
    key = load_public_key(public_key_pem)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            options={"verify_exp": False},
            leeway=CLOCK_SKEW_SECONDS,
        )
    except jwt.PyJWTError:
        raise Unauthorized("the body is not a JWT signed RS256 with the Wix app's key") from None
    return claims


@lru_cache(maxsize=4)
def load_public_key(pem: bytes) -> RSAPublicKey:
    """The app's public key, from the PEM that Wix's app dashboard shows (a bare base64 body, or
    one kept on a single line with `\\n` escapes, is accepted too)."""
    from cryptography.exceptions import UnsupportedAlgorithm  # noqa: PLC0415 - see verify_webhook
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey  # noqa: PLC0415
    from cryptography.hazmat.primitives.serialization import load_pem_public_key  # noqa: PLC0415

    text = pem.strip().replace(b"\\n", b"\n")
    if not text.startswith(b"-----BEGIN"):
        text = b"-----BEGIN PUBLIC KEY-----\n" + text + b"\n-----END PUBLIC KEY-----\n"
    try:
        key = load_pem_public_key(text)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ConfigurationError("the Wix app's public key is not a PEM public key") from None
    if not isinstance(key, RSAPublicKey):
        raise ConfigurationError("the Wix app's public key is not an RSA key (Wix signs RS256)")
    return key


# The envelope -----------------------------------------------------------------------------------


class _Payload(BaseModel):
    # defer_build: the validators are built on the first Wix webhook, not in every cold start.
    model_config = ConfigDict(
        extra="ignore", frozen=True, alias_generator=to_camel, populate_by_name=True, defer_build=True
    )


def _json_layer(value: Any) -> Any:
    """Wix nests each layer as a JSON string; a layer that is already an object is taken as is."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            raise ValueError("not a JSON document") from None
    return value


JsonLayer = BeforeValidator(_json_layer)


class Notification(_Payload):
    """The token's `data` claim: which event, on which site (the app's instance), and the event,
    which is read by the model of its type once the type is known to be one the route handles."""

    event_type: Annotated[str, StringConstraints(max_length=256)]
    instance_id: StoreId
    data: Annotated[dict[str, Any], JsonLayer]


class Claims(_Payload):
    data: Annotated[Notification, JsonLayer]


class WixEvent(_Payload):
    """The fields every Wix event has; its entity is read by the subclasses."""

    id: Identifier
    event_time: AwareDatetime | None = None

    def envelope(self, store_id: str) -> Envelope:
        return Envelope(store_id=store_id, event_id=self.id, occurred_at=self.event_time or utc_now())


# Orders -----------------------------------------------------------------------------------------


class Money(_Payload):
    amount: Amount


class LineItem(_Payload):
    total_price_before_tax: Money | None = None  # after the line's discounts, before tax


class PriceSummary(_Payload):
    subtotal: Money | None = None
    discount: Money | None = None


class BuyerInfo(_Payload):
    contact_id: str | None = None
    member_id: str | None = None  # a site member; a visitor has `visitorId` instead
    email: str | None = None


class WixOrder(_Payload):
    id: str
    currency: Currency
    line_items: list[LineItem] = []
    price_summary: PriceSummary | None = None
    buyer_info: BuyerInfo | None = None

    @model_validator(mode="after")
    def _has_an_amount(self) -> WixOrder:
        if self._lines_amount() is None and self._summary_amount() is None:
            raise ValueError("the order has neither line totals before tax nor priceSummary.subtotal")
        return self

    def _lines_amount(self) -> Decimal | None:
        """The sum of the lines' totals before tax; None when a line lacks one (or there is no
        line), since the summary then covers what the lines do not."""
        totals = [line.total_price_before_tax for line in self.line_items]
        if not totals or any(total is None for total in totals):
            return None
        return sum((Decimal(total.amount) for total in totals if total is not None), Decimal(0))

    def _summary_amount(self) -> Decimal | None:
        summary = self.price_summary
        if summary is None or summary.subtotal is None:
            return None
        discount = Decimal(summary.discount.amount) if summary.discount is not None else Decimal(0)
        return Decimal(summary.subtotal.amount) - discount

    def earning_amount(self) -> Decimal:
        """After discounts, before tax and shipping: the lines' totals before tax, else the
        subtotal minus the discount (an absent discount is 0); never below 0."""
        lines = self._lines_amount()
        amount = lines if lines is not None else self._summary_amount()
        return max(Decimal(0), amount or Decimal(0))


class _OrderBody(_Payload):
    order: WixOrder


class _OrderAction(_Payload):
    body: Annotated[_OrderBody, JsonLayer] | None = None
    body_as_json: Annotated[_OrderBody, JsonLayer] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> _OrderAction:
        if self.body is None and self.body_as_json is None:
            raise ValueError("actionEvent has neither body nor bodyAsJson")
        return self


class OrderApproved(WixEvent):
    """`wix.ecom.v1.order_approved`: the order is `actionEvent.body.order`."""

    action_event: _OrderAction

    @property
    def order(self) -> WixOrder:
        action = self.action_event
        body = action.body if action.body is not None else action.body_as_json
        if body is None:  # _OrderAction's validator has made sure it is not
            raise ValueError("actionEvent has neither body nor bodyAsJson")
        return body.order


def order_created(event: OrderApproved, store_id: str) -> OrderCreated | Ignored:
    order = event.order
    buyer = order.buyer_info or BuyerInfo()
    if not buyer.contact_id:
        return Ignored("order has no contact")
    envelope = event.envelope(store_id)
    return OrderCreated(
        event_id=envelope.event_id,
        store_id=envelope.store_id,
        occurred_at=envelope.occurred_at,
        order=Order(
            id=order.id,
            subtotal=format(order.earning_amount(), "f"),
            currency=order.currency,
            customer=OrderCustomer(
                id=buyer.contact_id, email=buyer.email or None, has_account=bool(buyer.member_id)
            ),
        ),
    )


# Members ----------------------------------------------------------------------------------------


class Contact(_Payload):
    first_name: str | None = None
    last_name: str | None = None
    birthdate: str | None = None  # the contact's birth date, "YYYY-MM-DD", when the site collects it

    @property
    def birthday(self) -> str | None:
        """The birthday as "MM-DD", or None when absent or unreadable: a platform retries a
        refused webhook for days, and a wrong birth date is no reason to lose the registration."""
        try:
            return parse_birthday(self.birthdate) if self.birthdate else None
        except ValueError:
            return None


class WixMember(_Payload):
    id: str | None = None
    login_email: str | None = None
    status: str | None = None
    contact_id: str | None = None
    contact: Contact | None = None
    contact_details: Contact | None = None  # where some of Wix's member documents keep the names

    @property
    def approved(self) -> bool:
        """APPROVED can log in; PENDING (waiting for the owner's approval) and the rest cannot."""
        return self.status == APPROVED


class _MemberCreated(_Payload):
    entity: Annotated[WixMember, JsonLayer] | None = None
    entity_as_json: Annotated[WixMember, JsonLayer] | None = None


class _MemberUpdated(_Payload):
    current_entity: Annotated[WixMember, JsonLayer] | None = None
    current_entity_as_json: Annotated[WixMember, JsonLayer] | None = None


class MemberChanged(WixEvent):
    """`wix.members.v1.member_created` (`createdEvent`) or `member_updated` (`updatedEvent`)."""

    created_event: _MemberCreated | None = None
    updated_event: _MemberUpdated | None = None

    @model_validator(mode="after")
    def _has_the_member(self) -> MemberChanged:
        self._member()
        return self

    def _member(self) -> WixMember:
        forms: list[WixMember | None] = []
        if self.created_event is not None:
            forms += [self.created_event.entity, self.created_event.entity_as_json]
        if self.updated_event is not None:
            forms += [self.updated_event.current_entity, self.updated_event.current_entity_as_json]
        for found in forms:
            if found is not None:
                return found
        raise ValueError("the event carries no member (createdEvent.entity or updatedEvent.currentEntity)")

    @property
    def member(self) -> WixMember:
        return self._member()


def member_registered(event: MemberChanged, store_id: str) -> MemberRegistered | Ignored:
    member = event.member
    if not member.contact_id:
        return Ignored("member has no contact")
    envelope = event.envelope(store_id)
    contact = member.contact or member.contact_details or Contact()
    return MemberRegistered(
        event_id=envelope.event_id,
        store_id=envelope.store_id,
        occurred_at=envelope.occurred_at,
        customer=RegisteredCustomer(
            id=member.contact_id,
            email=member.login_email or None,
            first_name=contact.first_name or None,
            last_name=contact.last_name or None,
            birthday=contact.birthday,
        ),
    )
