"""MemberRegisteredFunction: makes a customer a member — canonical, Shopify and Wix member webhooks."""

from __future__ import annotations

import gc

# A cold start's imports create only objects that live as long as the container: no collection
# pass over them while they load (about 0.2x of a cold start here; see docs/benchmarks.md).
gc.disable()

from aws_lambda_powertools.event_handler import Response

from loyalty.domain.operations.members import Outcome, ensure_candidate, register_member
from loyalty.http.commands import registration
from loyalty.http.models import MemberRegistered
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
from loyalty.http.views import registration_view
from loyalty.observability import count, logger
from loyalty.runtime import runtime

app = create_app()


@app.post("/webhooks/member-registered")
def member_registered() -> Response[str]:
    event = read_signed_event(app.current_event, MemberRegistered, runtime().webhook_secret())
    services = runtime()
    return answer(register_member(registration(event), services.programs, services.repository))


@app.post("/webhooks/shopify/customers-create")
@app.post("/webhooks/shopify/customers-update")
def shopify_customer() -> Response[str]:
    """An enabled customer has an account (a member); any other state only makes sure the
    customer's file exists."""
    customer, envelope = read_shopify_webhook(app.current_event, shopify.Customer, runtime().shopify_secret())
    event = registration(translated(lambda: shopify.customer_registered(customer, envelope)))
    if not customer.has_account:
        return answer(ensure_candidate(event, runtime().repository))
    return settled(lambda: answer(register_member(event, runtime().programs, runtime().repository)))


@app.post("/webhooks/wix/members")
def wix_member() -> Response[str]:
    """An APPROVED member has an account (a member); PENDING (waiting for the site owner's
    approval) and any other status only make sure the contact's file exists."""
    notification = read_wix_webhook(app.current_event, runtime().wix_public_key())
    if notification.event_type not in wix.MEMBER_EVENTS:
        return ignored(f"event type {notification.event_type} is not handled on this route")
    changed = read_wix_event(notification, wix.MemberChanged)
    translation = translated(lambda: wix.member_registered(changed, notification.instance_id))
    if isinstance(translation, Ignored):
        return ignored(translation.reason)
    event = registration(translation)
    if not changed.member.approved:
        return answer(ensure_candidate(event, runtime().repository))
    return settled(lambda: answer(register_member(event, runtime().programs, runtime().repository)))


def answer(outcome: Outcome) -> Response[str]:
    if outcome.duplicate:
        count("DuplicateRegistrations")
    else:
        count("ContactsUpdated" if outcome.updated else "CustomersRecorded")
    logger.info("customer handled", extra={"duplicate": outcome.duplicate, "updated": outcome.updated})
    return json_response(200, registration_view(outcome))


lambda_handler = lambda_entry(app)
gc.freeze()  # keep the collector off what the imports made
gc.enable()
