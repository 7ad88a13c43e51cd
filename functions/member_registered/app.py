"""MemberRegisteredFunction: POST /webhooks/member-registered makes a customer a member."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from loyalty.domain.members import register_member
from loyalty.events import MemberRegistered
from loyalty.observability import count, logger
from loyalty.runtime import runtime
from loyalty.views import registration_view
from loyalty.web import create_app, json_response, lambda_entry, read_signed_event

app = create_app()


@app.post("/webhooks/member-registered")
def member_registered() -> Response[str]:
    services = runtime()
    event = read_signed_event(app.current_event, MemberRegistered, services.webhook_secret())
    logger.set_correlation_id(event.event_id)
    logger.append_keys(store_id=event.store_id)
    outcome = register_member(event, services.repository)
    count("DuplicateRegistrations" if outcome.duplicate else "MembersRegistered")
    logger.info("registration handled", extra={"duplicate": outcome.duplicate})
    return json_response(200, registration_view(outcome))


lambda_handler = lambda_entry(app)
