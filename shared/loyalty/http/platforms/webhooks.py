"""HTTP glue of the platform routes: verify, translate, and answer as platforms need.

A platform retries any non-2xx and drops a subscription that keeps failing, so a permanent
business conflict answers 200 with `"status": "conflict"` and a reason (logged and counted);
a bad signature still answers 401 and a transient fault 5xx.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
from pydantic import BaseModel, ValidationError

from loyalty.domain.entities import utc_now
from loyalty.errors import Conflict, SchemaViolation, Unauthorized
from loyalty.http.models import Identifier, StoreId
from loyalty.http.platforms import shopify, wix
from loyalty.http.platforms.common import Envelope
from loyalty.http.request_bounds import single_header
from loyalty.http.resolver import json_response, parse_body, raw_body, schema_violation, validate_values
from loyalty.observability import count, logger

Model = TypeVar("Model", bound=BaseModel)
WixEvent = TypeVar("WixEvent", bound=wix.WixEvent)
T = TypeVar("T")


def read_shopify_webhook(event: BaseProxyEvent, model: type[Model], secret: bytes) -> tuple[Model, Envelope]:
    """Signature (401), then body (400/422), then the headers that name the shop and the event."""
    body = raw_body(event)
    header = single_header(event, shopify.HMAC_HEADER, shopify.MAX_HMAC_HEADER_LENGTH, Unauthorized)
    shopify.verify_webhook(header, body, secret)
    payload = parse_body(body, model)
    shop = single_header(event, shopify.SHOP_HEADER, 256, SchemaViolation) or ""
    given_ids = (single_header(event, name, 256, SchemaViolation) for name in shopify.EVENT_ID_HEADERS)
    event_id = next((value for value in given_ids if value), "")
    validate_values(StoreId, "header", {shopify.SHOP_HEADER: shop})
    validate_values(Identifier, "header", {shopify.EVENT_ID_HEADERS[0]: event_id})
    envelope = Envelope(store_id=shop, event_id=event_id, occurred_at=_triggered_at(event))
    logger.set_correlation_id(event_id)
    logger.append_keys(store_id=shop, platform="shopify")
    return payload, envelope


def _triggered_at(event: BaseProxyEvent) -> datetime:
    text = event.headers.get(shopify.TRIGGERED_AT_HEADER)
    try:
        moment = datetime.fromisoformat(text) if text else None
    except ValueError:
        moment = None
    return moment if moment is not None and moment.tzinfo is not None else utc_now()


def read_wix_webhook(event: BaseProxyEvent, public_key_pem: bytes) -> wix.Notification:
    """The token first (401), then its `data` claim (422): the event type and the store."""
    claims = wix.verify_webhook(raw_body(event), public_key_pem)
    notification = translated(lambda: wix.Claims.model_validate(claims).data, location="token")
    logger.append_keys(
        store_id=notification.instance_id, platform="wix", wix_event_type=notification.event_type
    )
    return notification


def read_wix_event(notification: wix.Notification, model: type[WixEvent]) -> WixEvent:
    """The event inside the notification, read by the model of its type (422 when it does not fit)."""
    payload = translated(lambda: model.model_validate(notification.data), location="data")
    logger.set_correlation_id(payload.id)
    return payload


def translated(build: Callable[[], T], location: str = "translated") -> T:
    """A platform payload that cannot become a canonical event is a 422, like any bad body."""
    try:
        return build()
    except ValidationError as error:
        raise schema_violation(error, location=location) from None


def ignored(reason: str) -> Response[str]:
    count("PlatformEventsIgnored")
    logger.info("platform event ignored", extra={"reason": reason})
    return json_response(200, {"status": "ignored", "reason": reason})


def settled(handle: Callable[[], Response[str]]) -> Response[str]:
    """Run a platform event; a permanent conflict is answered 200 so the platform stops retrying."""
    try:
        return handle()
    except Conflict as conflict:
        count("PlatformConflicts")
        # The reason's code, not its text: the text may name the customer's email (the platform
        # may read it in the answer; the logs keep no personal data). The store is a log key.
        logger.warning("platform event conflicts with the state", extra={"conflict": conflict.reason})
        return json_response(200, {"status": "conflict", "reason": conflict.message})
