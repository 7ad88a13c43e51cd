"""OrderRefundedFunction: reverses a refund's share of an order's points — canonical and Shopify."""

from __future__ import annotations

import gc

# A cold start's imports create only objects that live as long as the container: no collection
# pass over them while they load (about 0.2x of a cold start here; see docs/benchmarks.md).
gc.disable()

from aws_lambda_powertools.event_handler import Response

from loyalty.domain.operations.refunds import record_refund
from loyalty.http.commands import refund
from loyalty.http.models import OrderRefunded
from loyalty.http.platforms import shopify
from loyalty.http.platforms.webhooks import read_shopify_webhook, settled, translated
from loyalty.http.resolver import create_app, json_response, lambda_entry, read_signed_event
from loyalty.http.views import refund_view
from loyalty.observability import count, logger
from loyalty.runtime import runtime

app = create_app()


@app.post("/webhooks/order-refunded")
def order_refunded() -> Response[str]:
    event = read_signed_event(app.current_event, OrderRefunded, runtime().webhook_secret())
    return reverse(event)


@app.post("/webhooks/shopify/refunds-create")
def shopify_refund_created() -> Response[str]:
    refund, envelope = read_shopify_webhook(
        app.current_event, shopify.ShopifyRefund, runtime().shopify_secret()
    )
    event = translated(lambda: shopify.refund_created(refund, envelope))
    return settled(lambda: reverse(event))


def reverse(event: OrderRefunded) -> Response[str]:
    logger.append_keys(order_id=event.refund.order_id)
    services = runtime()
    outcome = record_refund(refund(event), services.repository, programs=services.programs)
    if outcome.duplicate:
        count("DuplicateRefunds")
    else:
        count("PointsReversed", outcome.points_reversed)
    logger.info("refund handled", extra={"duplicate": outcome.duplicate})
    return json_response(200, refund_view(outcome))


lambda_handler = lambda_entry(app)
gc.freeze()  # keep the collector off what the imports made
gc.enable()
