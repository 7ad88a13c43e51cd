"""Scheduled invocations (EventBridge `Schedule` events): the event read, and a run's answer."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from pydantic import ValidationError

from loyalty.domain.entities import format_timestamp
from loyalty.domain.operations.expiry import ExpiryRun
from loyalty.domain.operations.pending import ReleaseRun
from loyalty.domain.operations.scheduled import Tally
from loyalty.errors import SchemaViolation
from loyalty.http.models import ScheduledEvent
from loyalty.http.resolver import schema_violation


def read_scheduled_event(event: Any) -> ScheduledEvent:
    """The event as a ScheduledEvent, or SchemaViolation saying which field is wrong (the run
    then writes nothing: without a trustworthy "now" nothing can be due)."""
    if not isinstance(event, dict):
        raise SchemaViolation("a scheduled event is a JSON object with a `time` field")
    try:
        return ScheduledEvent.model_validate_json(json.dumps(event))
    except ValidationError as error:
        raise schema_violation(error, location="event") from None


def run_id(event: ScheduledEvent) -> str:
    """What the run's ledger entries name as their event: EventBridge's id, else the time."""
    return event.id or f"schedule:{format_timestamp(event.time.astimezone(UTC))}"


def expiry_run_view(run: ExpiryRun, event: ScheduledEvent) -> dict[str, Any]:
    return {
        "now": format_timestamp(event.time),
        "stores": run.stores,
        "accounts_read": run.read,
        "accounts_expired": run.expired,
        "points_expired": run.points,
        "accounts_deferred": run.deferred,
        "reminders": run.reminded,
        "complete": run.complete,
    }


def release_run_view(run: ReleaseRun, event: ScheduledEvent) -> dict[str, Any]:
    return {
        "now": format_timestamp(event.time),
        "entries_read": run.read,
        "entries_released": run.released,
        "points_released": run.points,
        "entries_deferred": run.deferred,
        "complete": run.complete,
    }


def tier_run_view(run: Tally, event: ScheduledEvent) -> dict[str, Any]:
    return {
        "now": format_timestamp(event.time),
        "accounts_read": run.read,
        "accounts_changed": run.changed,
        "bonus_points": run.points,
        "accounts_deferred": run.deferred,
        "complete": run.complete,
    }


def birthday_run_view(run: Tally, event: ScheduledEvent) -> dict[str, Any]:
    return {
        "now": format_timestamp(event.time),
        "accounts_read": run.read,
        "accounts_paid": run.changed,
        "birthday_points": run.points,
        "accounts_deferred": run.deferred,
        "complete": run.complete,
    }
