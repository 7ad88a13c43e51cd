"""InvitationAcceptedFunction: POST /webhooks/invitation-accepted (wired, not yet implemented)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from loyalty.errors import NotImplementedYet
from loyalty.web import create_app, lambda_entry

app = create_app()


@app.post("/webhooks/invitation-accepted")
def handle() -> Response[str]:
    raise NotImplementedYet("invitation-accepted is not implemented yet")


lambda_handler = lambda_entry(app)
