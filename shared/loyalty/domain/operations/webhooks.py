"""Webhook endpoints: the back office's create, list and delete (once per Idempotency-Key), the
events function's fan-out to the delivery queue, and one delivery: sign, send, log, and say whether
to try again."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum

from loyalty.domain.entities import Planned, WebhookDelivery, WebhookEndpoint, utc_now
from loyalty.domain.operations.once import Answer, Once, Render, commit_once
from loyalty.domain.rules.events import OutboundEvent
from loyalty.domain.rules.webhook_urls import RefusedUrl, check_url
from loyalty.domain.rules.webhooks import decide_create, decide_delete, delivery_body, subscribes
from loyalty.errors import NotFound, SchemaViolation
from loyalty.repository import Repository
from loyalty.repository.delivery_queue import DeliveryWork
from loyalty.repository.webhook_sender import WebhookSender

ENDPOINTS_CACHE_SECONDS = 30.0  # how stale the events function's view of a store's endpoints may be
Sign = Callable[[bytes, int, bytes], str]  # (secret, unix time, body) -> the signature header


def draw_secret() -> str:
    return "whsec_" + secrets.token_hex(32)


def draw_endpoint_id() -> str:
    return "we_" + secrets.token_hex(8)


def list_endpoints(repository: Repository, store_id: str) -> tuple[WebhookEndpoint, ...]:
    endpoints, _ = repository.webhook_endpoints(store_id)
    return endpoints


def create_endpoint(
    repository: Repository,
    store_id: str,
    url: str,
    events: tuple[str, ...],
    *,
    allow_local: bool,
    once: Once | None,
    render: Render[WebhookEndpoint],
    clock: Callable[[], datetime] = utc_now,
) -> Answer:
    """A new endpoint with a fresh secret; a URL the service may not send to is a 422."""
    try:
        check_url(url, allow_local=allow_local)
    except RefusedUrl as refusal:
        raise SchemaViolation(
            f"url: {refusal}", details=[{"loc": ["body", "url"], "type": "refused_url", "msg": str(refusal)}]
        ) from None
    endpoint = WebhookEndpoint(store_id, draw_endpoint_id(), url, events, draw_secret(), clock())

    def decide() -> Planned[WebhookEndpoint]:
        endpoints, version = repository.webhook_endpoints(store_id)
        return decide_create(store_id, endpoints, version, endpoint)

    return commit_once(repository, store_id, once, decide, render, clock)


def delete_endpoint(
    repository: Repository,
    store_id: str,
    endpoint_id: str,
    once: Once | None,
    render: Render[WebhookEndpoint],
) -> Answer:
    def decide() -> Planned[WebhookEndpoint]:
        endpoints, version = repository.webhook_endpoints(store_id)
        return decide_delete(store_id, endpoints, version, endpoint_id)

    return commit_once(repository, store_id, once, decide, render)


def recent_deliveries(repository: Repository, store_id: str, endpoint_id: str) -> list[WebhookDelivery]:
    if not any(endpoint.endpoint_id == endpoint_id for endpoint in list_endpoints(repository, store_id)):
        raise NotFound(f"webhook endpoint {endpoint_id} not found")
    return repository.deliveries(store_id, endpoint_id)


class EndpointCache:
    """The stores' endpoints as the events function last read them, each trusted for 30 s."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._known: dict[str, tuple[float, tuple[WebhookEndpoint, ...]]] = {}

    def of(self, repository: Repository, store_id: str) -> tuple[WebhookEndpoint, ...]:
        cached = self._known.get(store_id)
        if cached is None or self._clock() - cached[0] > ENDPOINTS_CACHE_SECONDS:
            cached = (self._clock(), list_endpoints(repository, store_id))
            self._known[store_id] = cached
        return cached[1]


def deliveries_of(
    repository: Repository,
    endpoints: EndpointCache,
    published: Sequence[tuple[OutboundEvent, str | None]],
) -> list[DeliveryWork]:
    """One delivery per published event and endpoint of its store subscribed to its kind."""
    work = []
    for event, email in published:
        for endpoint in endpoints.of(repository, event.store_id):
            if subscribes(endpoint, event.kind.value):
                body = delivery_body(event, email).decode()
                work.append(
                    DeliveryWork(event.store_id, endpoint.endpoint_id, event.id, event.kind.value, body)
                )
    return work


class Outcome(Enum):
    DELIVERED = "delivered"
    RETRY = "retry"  # a non-2xx answer or none: try again after a pause
    DROPPED = "dropped"  # the endpoint is gone or unsubscribed, or its address is refused


def deliver(
    repository: Repository,
    sender: WebhookSender,
    sign: Sign,
    work: DeliveryWork,
    attempt: int,
    clock: Callable[[], datetime] = utc_now,
) -> Outcome:
    """Send one event to one endpoint, signed with the endpoint's secret, and log the attempt."""
    endpoints, _ = repository.webhook_endpoints(work.store_id)
    endpoint = next((found for found in endpoints if found.endpoint_id == work.endpoint_id), None)
    if endpoint is None or not subscribes(endpoint, work.type):
        return Outcome.DROPPED
    now = clock()
    body = work.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "loyalty-webhooks/1",
        "X-Loyalty-Signature": sign(endpoint.secret.encode(), int(now.timestamp()), body),
    }
    sent = sender.post(endpoint.url, body, headers)
    delivery = WebhookDelivery(work.event_id, work.type, attempt, sent.status_code, sent.error, now)
    repository.log_delivery(work.store_id, work.endpoint_id, delivery)
    if sent.delivered:
        return Outcome.DELIVERED
    return Outcome.DROPPED if sent.refused else Outcome.RETRY
