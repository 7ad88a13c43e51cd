"""ActionCompletedFunction: POST /webhooks/action-completed earns a custom action's points, once
per (action, customer, reference), within the action's limits."""

from __future__ import annotations

import gc

# A cold start's imports create only objects that live as long as the container: no collection
# pass over them while they load (about 0.2x of a cold start here; see docs/benchmarks.md).
gc.disable()

from aws_lambda_powertools.event_handler import Response

from loyalty.domain.operations.actions import record_action
from loyalty.domain.rules.actions import ActionStatus
from loyalty.http.action_models import ActionCompleted
from loyalty.http.commands import action_completed
from loyalty.http.resolver import create_app, json_response, lambda_entry, read_signed_event
from loyalty.http.views import action_view
from loyalty.observability import count, logger
from loyalty.runtime import runtime

app = create_app()

_METRICS = {
    ActionStatus.PROCESSED: "ActionsRecorded",
    ActionStatus.DUPLICATE: "DuplicateActions",
    ActionStatus.LIMITED: "ActionsLimited",
}


@app.post("/webhooks/action-completed")
def action_completed_webhook() -> Response[str]:
    services = runtime()
    event = read_signed_event(app.current_event, ActionCompleted, services.webhook_secret())
    outcome = record_action(action_completed(event), services.programs, services.repository)
    count(_METRICS[outcome.status])
    if outcome.status is ActionStatus.PROCESSED:
        count("ActionPoints", outcome.points_earned)
    logger.info("action handled", extra={"status": outcome.status.value, "action": event.action.id})
    return json_response(200, action_view(outcome))


lambda_handler = lambda_entry(app)
gc.freeze()  # keep the collector off what the imports made
gc.enable()
