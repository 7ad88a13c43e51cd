"""A shop's erasure as queue messages: each message is one step (loyalty.domain.operations.
shop_redaction), a small JSON document of ids and a cursor, never personal data."""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from loyalty.domain.operations.shop_redaction import RedactionStep, Stage
from loyalty.http.models import StoreId

SWEEP_DELAY_SECONDS = 300  # after the stream has counted the last changes and the indexes settled


class StepMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    store_id: StoreId
    stage: Stage
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=8192)] | None = None
    sweep: bool = False


def step_body(step: RedactionStep) -> str:
    message = StepMessage(store_id=step.store_id, stage=step.stage, cursor=step.cursor, sweep=step.sweep)
    return json.dumps(message.model_dump(mode="json"), separators=(",", ":"))


def step_from_body(body: str) -> RedactionStep:
    """A message this service sent (anything else raises: the queue retries, then parks it in the DLQ)."""
    message = StepMessage.model_validate_json(body)
    return RedactionStep(message.store_id, message.stage, message.cursor, message.sweep)


def delay_before(step: RedactionStep) -> int:
    """The sweep's first step waits; every other step goes at once."""
    starts_sweep = step.sweep and step.stage is Stage.CUSTOMERS and step.cursor is None
    return SWEEP_DELAY_SECONDS if starts_sweep else 0
