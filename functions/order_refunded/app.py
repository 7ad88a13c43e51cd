"""OrderRefundedFunction: POST /webhooks/order-refunded reverses a refund's share of an order's points."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from loyalty.domain.refunds import record_refund
from loyalty.events import OrderRefunded
from loyalty.observability import count, logger
from loyalty.runtime import runtime
from loyalty.views import refund_view
from loyalty.web import create_app, json_response, lambda_entry, read_signed_event

app = create_app()


@app.post("/webhooks/order-refunded")
def order_refunded() -> Response[str]:
    services = runtime()
    event = read_signed_event(app.current_event, OrderRefunded, services.webhook_secret())
    logger.set_correlation_id(event.event_id)
    logger.append_keys(store_id=event.store_id, order_id=event.refund.order_id)
    outcome = record_refund(event, services.repository)
    if outcome.duplicate:
        count("DuplicateRefunds")
    else:
        count("PointsReversed", outcome.points_reversed)
    logger.info("refund handled", extra={"duplicate": outcome.duplicate})
    return json_response(200, refund_view(outcome))


lambda_handler = lambda_entry(app)
