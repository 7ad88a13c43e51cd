"""Webhook endpoints (pure): a store's receivers of outbound events, what each is sent, and when a
failed delivery is tried again."""

from __future__ import annotations

import json

from loyalty.domain.entities import Changes, Planned, WebhookEndpoint, WebhookUpdate, format_timestamp
from loyalty.domain.rules.events import OutboundEvent
from loyalty.errors import Conflict, NotFound

MAX_ENDPOINTS = 5
EVERY_KIND = "*"
# Pauses after each failed attempt (seconds): about 27.8 hours in all, then the dead-letter queue.
# Each is at most SQS's longest visibility timeout (12 hours).
RETRY_DELAYS = (60, 300, 1800, 3600, 7200, 14400, 28800, 43200)
ATTEMPTS = len(RETRY_DELAYS) + 1


def subscribes(endpoint: WebhookEndpoint, kind: str) -> bool:
    return EVERY_KIND in endpoint.events or kind in endpoint.events


def decide_create(
    store_id: str,
    endpoints: tuple[WebhookEndpoint, ...],
    version: int,
    endpoint: WebhookEndpoint,
) -> Planned[WebhookEndpoint]:
    if len(endpoints) >= MAX_ENDPOINTS:
        raise Conflict(f"a store has at most {MAX_ENDPOINTS} webhook endpoints", reason="too_many_endpoints")
    update = WebhookUpdate(store_id, version, (*endpoints, endpoint))
    return Planned(Changes(webhooks=update), endpoint)


def decide_delete(
    store_id: str, endpoints: tuple[WebhookEndpoint, ...], version: int, endpoint_id: str
) -> Planned[WebhookEndpoint]:
    found = next((endpoint for endpoint in endpoints if endpoint.endpoint_id == endpoint_id), None)
    if found is None:
        raise NotFound(f"webhook endpoint {endpoint_id} not found")
    kept = tuple(endpoint for endpoint in endpoints if endpoint.endpoint_id != endpoint_id)
    return Planned(Changes(webhooks=WebhookUpdate(store_id, version, kept)), found)


def delivery_body(event: OutboundEvent, email: str | None) -> bytes:
    """What an endpoint is POSTed: `{"id", "type", "created_at", "data"}`, data the event's detail."""
    document = {
        "id": event.id,
        "type": event.kind.value,
        "created_at": format_timestamp(event.occurred_at),
        "data": event.detail(email),
    }
    return json.dumps(document, separators=(",", ":")).encode()


def retry_delay(attempt: int) -> int | None:
    """The pause after failed attempt number `attempt` (1-based); None: no attempt is left."""
    return RETRY_DELAYS[attempt - 1] if 1 <= attempt <= len(RETRY_DELAYS) else None
