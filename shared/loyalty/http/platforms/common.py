"""What every platform adapter shares: the envelope a webhook's delivery names, and an event the
service deliberately leaves alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Envelope:
    """Where a platform's webhook comes from and what it is: the store, the event id, when."""

    store_id: str
    event_id: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class Ignored:
    """A platform event that earns nothing and changes nothing (answered 200 with the reason)."""

    reason: str
