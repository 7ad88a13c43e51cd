"""Webhook endpoints in the back office: create one (its signing secret shown in this answer only),
list them, delete one, and read an endpoint's recent deliveries."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from loyalty.domain.entities import WebhookEndpoint
from loyalty.domain.operations import webhooks
from loyalty.http.admin.requests import body, ids, json_response, write_once
from loyalty.http.models import EndpointId, WebhookEndpointRequest
from loyalty.http.resolver import validate_path
from loyalty.http.views import delivery_view, webhook_endpoint_view
from loyalty.runtime import runtime

router = Router()  # type: ignore[no-untyped-call]
ENDPOINTS = "/admin/stores/<store_id>/webhook-endpoints"


def endpoint_of(store_id: str, endpoint_id: str) -> None:
    ids(store_id=store_id)
    validate_path(EndpointId, endpoint_id=endpoint_id)


def created(endpoint: WebhookEndpoint) -> tuple[int, dict[str, Any]]:
    return 201, webhook_endpoint_view(endpoint, with_secret=True)


def removed(endpoint: WebhookEndpoint) -> tuple[int, dict[str, Any]]:
    return 200, webhook_endpoint_view(endpoint)


@router.get(ENDPOINTS)
def list_endpoints(store_id: str) -> Response[str]:
    ids(store_id=store_id)
    found = webhooks.list_endpoints(runtime().repository, store_id)
    return json_response(200, {"items": [webhook_endpoint_view(endpoint) for endpoint in found]})


@router.post(ENDPOINTS)
def create_endpoint(store_id: str) -> Response[str]:
    ids(store_id=store_id)
    request = body(router, WebhookEndpointRequest)
    services = runtime()
    return write_once(
        router,
        lambda once, render: webhooks.create_endpoint(
            services.repository,
            store_id,
            request.url,
            tuple(request.events),
            allow_local=services.settings.allow_local_webhooks,
            once=once,
            render=render,
        ),
        created,
    )


@router.delete(f"{ENDPOINTS}/<endpoint_id>")
def delete_endpoint(store_id: str, endpoint_id: str) -> Response[str]:
    endpoint_of(store_id, endpoint_id)
    repository = runtime().repository
    return write_once(
        router,
        lambda once, render: webhooks.delete_endpoint(repository, store_id, endpoint_id, once, render),
        removed,
    )


@router.get(f"{ENDPOINTS}/<endpoint_id>/deliveries")
def list_deliveries(store_id: str, endpoint_id: str) -> Response[str]:
    endpoint_of(store_id, endpoint_id)
    found = webhooks.recent_deliveries(runtime().repository, store_id, endpoint_id)
    return json_response(200, {"items": [delivery_view(delivery) for delivery in found]})
