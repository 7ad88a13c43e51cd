"""OrderCreatedFunction: earns an order's points, once — canonical, Shopify and Wix webhooks."""

from __future__ import annotations

import gc

# A cold start's imports create only objects that live as long as the container: no collection
# pass over them while they load (about 0.2x of a cold start here; see docs/benchmarks.md).
gc.disable()

from aws_lambda_powertools.event_handler import Response

from loyalty.domain.operations.orders import record_order
from loyalty.http.commands import order_placed
from loyalty.http.models import OrderCreated
from loyalty.http.platforms import shopify, wix
from loyalty.http.platforms.common import Ignored
from loyalty.http.platforms.webhooks import (
    ignored,
    read_shopify_webhook,
    read_wix_event,
    read_wix_webhook,
    settled,
    translated,
)
from loyalty.http.resolver import create_app, json_response, lambda_entry, read_signed_event
from loyalty.http.views import order_view
from loyalty.observability import count, logger
from loyalty.runtime import runtime

app = create_app()


@app.post("/webhooks/order-created")
def order_created() -> Response[str]:
    event = read_signed_event(app.current_event, OrderCreated, runtime().webhook_secret())
    return record(event)


@app.post("/webhooks/shopify/orders-create")
def shopify_order_created() -> Response[str]:
    order, envelope = read_shopify_webhook(
        app.current_event, shopify.ShopifyOrder, runtime().shopify_secret()
    )
    event = translated(lambda: shopify.order_created(order, envelope))
    if isinstance(event, Ignored):
        return ignored(event.reason)
    return settled(lambda: record(event))


@app.post("/webhooks/wix/orders")
def wix_order_approved() -> Response[str]:
    notification = read_wix_webhook(app.current_event, runtime().wix_public_key())
    if notification.event_type != wix.ORDER_APPROVED:
        return ignored(f"event type {notification.event_type} is not handled on this route")
    approved = read_wix_event(notification, wix.OrderApproved)
    event = translated(lambda: wix.order_created(approved, notification.instance_id))
    if isinstance(event, Ignored):
        return ignored(event.reason)
    return settled(lambda: record(event))


def record(event: OrderCreated) -> Response[str]:
    services = runtime()
    logger.append_keys(order_id=event.order.id)
    outcome = record_order(order_placed(event), services.programs, services.repository)
    if outcome.duplicate:
        count("DuplicateOrders")
    else:
        count("OrdersRecorded")
        count("PointsEarned", outcome.points_earned)
    logger.info("order handled", extra={"duplicate": outcome.duplicate})
    return json_response(200, order_view(outcome))


lambda_handler = lambda_entry(app)
gc.freeze()  # keep the collector off what the imports made
gc.enable()
