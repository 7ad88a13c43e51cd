"""WebhookFunction: delivers outbound events to the stores' webhook endpoints from the delivery
queue, signed with each endpoint's secret; a failed delivery comes back after a growing pause, and
after the last one the queue dead-letters it."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from loyalty.domain.operations.webhooks import Outcome, deliver
from loyalty.domain.rules.webhooks import retry_delay
from loyalty.errors import TransientFault
from loyalty.http.signatures import signature_header
from loyalty.observability import count, logger
from loyalty.repository.delivery_queue import DeliveryWork
from loyalty.runtime import runtime

LAST_PAUSE_SECONDS = 60  # after the last attempt: the queue moves the message to its dead letters


def _deliver(record: dict[str, Any]) -> bool:
    """True when the message is done with (delivered, or nothing to deliver any more)."""
    services = runtime()
    try:
        work = DeliveryWork.decode(record["body"])
    except ValueError:
        logger.warning(
            "a message that is not a delivery was dropped", extra={"message_id": record["messageId"]}
        )
        return True
    attempt = int((record.get("attributes") or {}).get("ApproximateReceiveCount", "1"))
    try:
        outcome = deliver(services.repository, services.webhook_sender, signature_header, work, attempt)
    except TransientFault:
        return False  # back after the queue's visibility timeout
    count(f"Webhooks{outcome.value.capitalize()}")
    if outcome is not Outcome.RETRY:
        return True
    pause = retry_delay(attempt)
    services.delivery_queue.postpone(record["receiptHandle"], LAST_PAUSE_SECONDS if pause is None else pause)
    return False


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    failed = [record["messageId"] for record in event.get("Records", []) if not _deliver(record)]
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
