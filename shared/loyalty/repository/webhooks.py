"""Webhook endpoints' items: a store's endpoints in one item (at most 5, each with its secret),
written over the version read; and the deliveries log, one item per attempt, newest first, kept
30 days (the table's TTL)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from loyalty.domain.entities import Changes, WebhookDelivery, WebhookEndpoint, WebhookUpdate, format_timestamp
from loyalty.repository import items
from loyalty.repository.faults import infrastructure_faults
from loyalty.repository.keys import Item

DELIVERIES_KEPT_DAYS = 30
DELIVERIES_LISTED = 50


def webhooks_key(store_id: str) -> Item:
    return {"pk": {"S": f"STORE#{store_id}#WEBHOOKS"}, "sk": {"S": "WEBHOOKS"}}


def deliveries_partition(store_id: str, endpoint_id: str) -> str:
    return f"STORE#{store_id}#WEBHOOK#{endpoint_id}#DELIVERIES"


def _endpoint_map(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.endpoint_id,
        "url": endpoint.url,
        "events": list(endpoint.events),
        "secret": endpoint.secret,
        "created_at": format_timestamp(endpoint.created_at),
    }


def _endpoint(store_id: str, value: dict[str, Any]) -> WebhookEndpoint:
    return WebhookEndpoint(
        store_id=store_id,
        endpoint_id=str(value["id"]),
        url=str(value["url"]),
        events=tuple(str(kind) for kind in value["events"]),
        secret=str(value["secret"]),
        created_at=datetime.fromisoformat(str(value["created_at"])),
    )


def transaction_actions(table: str, changes: Changes) -> Iterator[tuple[Item, None]]:
    """The endpoints' item of `changes`, conditioned on the version read (None: a concurrent
    writer won; the caller reads again and decides)."""
    update: WebhookUpdate | None = changes.webhooks
    if update is None:
        return
    put: Item = {
        "TableName": table,
        "Item": {
            **webhooks_key(update.store_id),
            **items.typed(
                {
                    "store_id": update.store_id,
                    "version": update.version + 1,
                    "endpoints": [_endpoint_map(endpoint) for endpoint in update.endpoints],
                }
            ),
        },
    }
    if update.version == 0:
        put["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        put["ConditionExpression"] = "version = :read"
        put["ExpressionAttributeValues"] = {":read": {"N": str(update.version)}}
    yield {"Put": put}, None


class WebhookStore:
    """Endpoints and deliveries; the Repository supplies the table and the client."""

    _table: str
    _client: Any

    def webhook_endpoints(self, store_id: str) -> tuple[tuple[WebhookEndpoint, ...], int]:
        """The store's endpoints and the version they were read at (0: never written)."""
        with infrastructure_faults():
            answer = self._client.get_item(
                TableName=self._table, Key=webhooks_key(store_id), ConsistentRead=True
            )
        item = items.plain(answer["Item"]) if "Item" in answer else None
        if item is None:
            return (), 0
        return tuple(_endpoint(store_id, value) for value in item.get("endpoints", [])), int(item["version"])

    def log_delivery(self, store_id: str, endpoint_id: str, delivery: WebhookDelivery) -> None:
        expires = int(time.time()) + DELIVERIES_KEPT_DAYS * 86400  # TTL takes epoch seconds
        moment = format_timestamp(delivery.at)
        item = {
            "pk": {"S": deliveries_partition(store_id, endpoint_id)},
            "sk": {"S": f"{moment}#{delivery.event_id}#{delivery.attempt}"},
            **items.typed(
                {
                    "event_id": delivery.event_id,
                    "type": delivery.type,
                    "attempt": delivery.attempt,
                    "status_code": delivery.status_code,
                    "error": delivery.error,
                    "at": moment,
                    "expires_at": expires,
                }
            ),
        }
        with infrastructure_faults():
            self._client.put_item(TableName=self._table, Item=item)

    def deliveries(
        self, store_id: str, endpoint_id: str, limit: int = DELIVERIES_LISTED
    ) -> list[WebhookDelivery]:
        """The endpoint's most recent attempts, newest first."""
        with infrastructure_faults():
            answer = self._client.query(
                TableName=self._table,
                KeyConditionExpression="pk = :partition",
                ExpressionAttributeValues={":partition": {"S": deliveries_partition(store_id, endpoint_id)}},
                ScanIndexForward=False,
                Limit=limit,
            )
        found = []
        for raw in answer.get("Items", []):
            item = items.plain(raw)
            found.append(
                WebhookDelivery(
                    event_id=str(item["event_id"]),
                    type=str(item["type"]),
                    attempt=int(item["attempt"]),
                    status_code=int(item["status_code"]) if "status_code" in item else None,
                    error=item.get("error"),
                    at=datetime.fromisoformat(str(item["at"])),
                )
            )
        return found
