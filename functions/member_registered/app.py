"""MemberRegisteredFunction: makes a customer a member — canonical and Shopify customer webhooks."""

from __future__ import annotations

import gc

# A cold start's imports create only objects that live as long as the container: no collection
# pass over them while they load (about 0.2x of a cold start here; see BENCHMARKS.md).
gc.disable()

from aws_lambda_powertools.event_handler import Response

from loyalty.domain.operations.members import Outcome, ensure_candidate, register_member
from loyalty.http.commands import registration
from loyalty.http.models import MemberRegistered
from loyalty.http.platforms import shopify
from loyalty.http.platforms.webhooks import read_shopify_webhook, settled, translated
from loyalty.http.resolver import create_app, json_response, lambda_entry, read_signed_event
from loyalty.http.views import registration_view
from loyalty.observability import count, logger
from loyalty.runtime import runtime

app = create_app()


@app.post("/webhooks/member-registered")
def member_registered() -> Response[str]:
    event = read_signed_event(app.current_event, MemberRegistered, runtime().webhook_secret())
    return answer(register_member(registration(event), runtime().repository))


@app.post("/webhooks/shopify/customers-create")
@app.post("/webhooks/shopify/customers-update")
def shopify_customer() -> Response[str]:
    """An enabled customer has an account (a member); any other state only makes sure the
    customer's file exists."""
    customer, envelope = read_shopify_webhook(app.current_event, shopify.Customer, runtime().shopify_secret())
    event = registration(translated(lambda: shopify.customer_registered(customer, envelope)))
    if not customer.has_account:
        return answer(ensure_candidate(event, runtime().repository))
    return settled(lambda: answer(register_member(event, runtime().repository)))


def answer(outcome: Outcome) -> Response[str]:
    count("DuplicateRegistrations" if outcome.duplicate else "CustomersRecorded")
    logger.info("customer handled", extra={"duplicate": outcome.duplicate})
    return json_response(200, registration_view(outcome))


lambda_handler = lambda_entry(app)
gc.freeze()  # keep the collector off what the imports made
gc.enable()
