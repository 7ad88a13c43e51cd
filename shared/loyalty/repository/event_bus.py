"""The event bus (EventBridge): outbound events put as `PutEvents` entries, at most 10 a call."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from loyalty.domain.rules.events import MAX_ENTRIES_PER_CALL, SOURCE, OutboundEvent

Publication = tuple[OutboundEvent, "str | None"]  # an event and the email it carries (opt-in)


class EventBus:
    def __init__(self, bus_name: str, client: Any) -> None:
        self.bus_name = bus_name
        self._client = client

    def put(self, publications: Sequence[Publication]) -> list[bool]:
        """Put at most 10 events in one call; answers, per event, whether EventBridge took it. A
        call refused whole (throttled past botocore's retries, the network) took none of them."""
        if len(publications) > MAX_ENTRIES_PER_CALL:
            raise ValueError(f"PutEvents takes at most {MAX_ENTRIES_PER_CALL} entries")
        entries = [
            {
                "Source": SOURCE,
                "DetailType": event.kind.value,
                "Detail": json.dumps(event.detail(email), separators=(",", ":")),
                "EventBusName": self.bus_name,
                "Time": event.occurred_at,
            }
            for event, email in publications
        ]
        try:
            answer = self._client.put_events(Entries=entries)
        except (ClientError, BotoCoreError):
            return [False] * len(entries)
        if not answer.get("FailedEntryCount"):
            return [True] * len(entries)
        return ["ErrorCode" not in result for result in answer.get("Entries", [])]
