"""OrderCreatedFunction: POST /webhooks/order-created earns an order's points, once."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from loyalty.domain.orders import record_order
from loyalty.events import OrderCreated
from loyalty.observability import count, logger
from loyalty.runtime import runtime
from loyalty.views import order_view
from loyalty.web import create_app, json_response, lambda_entry, read_signed_event

app = create_app()


@app.post("/webhooks/order-created")
def order_created() -> Response[str]:
    services = runtime()
    event = read_signed_event(app.current_event, OrderCreated, services.webhook_secret())
    logger.set_correlation_id(event.event_id)
    logger.append_keys(store_id=event.store_id, order_id=event.order.id)
    outcome = record_order(event, services.programs, services.repository)
    if outcome.duplicate:
        count("DuplicateOrders")
    else:
        count("OrdersRecorded")
        count("PointsEarned", outcome.points_earned)
    logger.info("order handled", extra={"duplicate": outcome.duplicate})
    return json_response(200, order_view(outcome))


lambda_handler = lambda_entry(app)
