"""PrivacyFunction: Shopify's mandatory compliance webhooks (customers/data_request,
customers/redact, shop/redact), verified by Shopify's HMAC like every Shopify route."""

from __future__ import annotations

import gc

# A cold start's imports create only objects that live as long as the container: no collection
# pass over them while they load (about 0.2x of a cold start here; see docs/benchmarks.md).
gc.disable()

from aws_lambda_powertools.event_handler import Response

from loyalty.domain.entities import DataRequest, utc_now
from loyalty.domain.operations import privacy
from loyalty.domain.operations.shop_redaction import RedactionStep
from loyalty.errors import NotFound
from loyalty.http.platforms import shopify
from loyalty.http.platforms.webhooks import ignored, read_shopify_webhook
from loyalty.http.privacy_views import scrub_answer
from loyalty.http.redaction_messages import step_body
from loyalty.http.resolver import create_app, json_response, lambda_entry
from loyalty.observability import count, logger
from loyalty.runtime import runtime

app = create_app()


@app.post("/webhooks/shopify/customers-data-request")
def customers_data_request() -> Response[str]:
    payload, envelope = read_shopify_webhook(
        app.current_event, shopify.CustomersDataRequest, runtime().shopify_secret()
    )
    request = DataRequest(
        store_id=envelope.store_id,
        request_id=str(payload.data_request.id),
        customer_id=str(payload.customer.id),
        received_at=utc_now(),
    )
    recorded = privacy.record_data_request(runtime().repository, request)
    count("DataRequestsRecorded" if recorded else "DuplicateDataRequests")
    logger.info(
        "data request recorded", extra={"data_request_id": request.request_id, "duplicate": not recorded}
    )
    return json_response(
        200,
        {
            "status": "recorded" if recorded else "duplicate",
            "data_request_id": request.request_id,
            "customer_id": request.customer_id,
        },
    )


@app.post("/webhooks/shopify/customers-redact")
def customers_redact() -> Response[str]:
    payload, envelope = read_shopify_webhook(
        app.current_event, shopify.CustomersRedact, runtime().shopify_secret()
    )
    customer_id = str(payload.customer.id)
    try:
        erased = privacy.erase_customer(runtime().repository, envelope.store_id, customer_id, scrub_answer)
    except NotFound:
        return ignored("customer not known to the loyalty program")
    count("CustomersErased")
    logger.info("customer personal data erased")
    return json_response(200, {"status": "erased", "customer_id": erased.account.customer_id})


@app.post("/webhooks/shopify/shop-redact")
def shop_redact() -> Response[str]:
    """Answered at once: the store's items are erased through the queue, a page per message."""
    _, envelope = read_shopify_webhook(app.current_event, shopify.ShopRedact, runtime().shopify_secret())
    runtime().shop_redaction_queue.send(step_body(RedactionStep(envelope.store_id)))
    count("ShopRedactionsQueued")
    logger.info("shop redaction queued")
    return json_response(200, {"status": "accepted", "store_id": envelope.store_id})


lambda_handler = lambda_entry(app)
gc.freeze()  # keep the collector off what the imports made
gc.enable()
