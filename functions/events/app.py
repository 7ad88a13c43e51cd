"""EventsFunction: publishes every change of the table's stream to the event bus as outbound
events (EventBridge), off the request path: a webhook keeps its one transaction."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from loyalty.domain.operations.events import Publication, StreamChange, change_events, publish_changes
from loyalty.domain.operations.webhooks import deliveries_of
from loyalty.observability import count, logger
from loyalty.runtime import runtime


def _change(record: dict[str, Any]) -> StreamChange:
    change = record.get("dynamodb") or {}
    services = runtime()
    events = change_events(
        services.repository,
        services.programs,
        record.get("eventName", ""),
        change.get("OldImage"),
        change.get("NewImage"),
    )
    return StreamChange(str(change.get("SequenceNumber", "")), events)


def _to_endpoints(published: list[Publication]) -> None:
    """The published events that a store's webhook endpoints subscribe to, onto the delivery queue."""
    services = runtime()
    work = deliveries_of(services.repository, services.endpoints, published)
    if work:  # a deployment without endpoints never needs the queue
        services.delivery_queue.send(work)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    services = runtime()
    changes = [_change(record) for record in event.get("Records", [])]
    failed = publish_changes(
        services.event_bus, services.repository, services.programs, changes, forward=_to_endpoints
    )
    published = sum(len(change.events) for change in changes)
    if failed is None:
        count("EventsPublished", published)
        return {"batchItemFailures": []}
    # The stream delivers this record and every later one again; those already published are
    # published again under the same ids (a consumer deduplicates on `id`).
    count("EventBatchesRetried")
    logger.warning("events not taken by the bus; the stream will redeliver", extra={"sequence": failed})
    return {"batchItemFailures": [{"itemIdentifier": failed}]}
