"""InvitationAcceptedFunction: POST /webhooks/invitation-accepted merges a guest file into a member."""

from __future__ import annotations

import gc

# A cold start's imports create only objects that live as long as the container: no collection
# pass over them while they load (about 0.2x of a cold start here; see docs/benchmarks.md).
gc.disable()

from aws_lambda_powertools.event_handler import Response

from loyalty.domain.operations.members import accept_invitation
from loyalty.http.commands import invitation
from loyalty.http.models import InvitationAccepted
from loyalty.http.resolver import create_app, json_response, lambda_entry, read_signed_event
from loyalty.http.views import merge_view
from loyalty.observability import count, logger
from loyalty.runtime import runtime

app = create_app()


@app.post("/webhooks/invitation-accepted")
def invitation_accepted() -> Response[str]:
    services = runtime()
    event = read_signed_event(app.current_event, InvitationAccepted, services.webhook_secret())
    outcome = accept_invitation(invitation(event), services.repository)
    count("DuplicateMerges" if outcome.duplicate else "FilesMerged")
    logger.info("invitation handled", extra={"duplicate": outcome.duplicate})
    return json_response(200, merge_view(outcome))


lambda_handler = lambda_entry(app)
gc.freeze()  # keep the collector off what the imports made
gc.enable()
