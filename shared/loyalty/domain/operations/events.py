"""Publishing a stream batch's changes as outbound events: in order, at most 10 per call, the
entries EventBridge refused retried with growing pauses; what still fails is reported so that the
stream delivers that record (and the ones after it) again, with the same event ids."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from loyalty.domain.entities import LedgerEntry
from loyalty.domain.operations.program import ProgramCache, cached_program
from loyalty.domain.rules.events import (
    EventKind,
    OutboundEvent,
    account_events,
    batches,
    coupon_events,
    entry_events,
    held_tier_id,
    reminder_events,
    tier_events,
)
from loyalty.errors import TransientFault
from loyalty.repository import Repository

ATTEMPTS = 4  # per entry: the first put and three retries
FIRST_PAUSE_SECONDS = 0.1  # then 0.2, 0.4: the stream's own retries take over after that


Publication = tuple[OutboundEvent, "str | None"]  # an event and the email it carries (opt-in)
Forward = Callable[[list[Publication]], None]


class Bus(Protocol):
    def put(self, publications: Sequence[tuple[OutboundEvent, str | None]]) -> list[bool]: ...


@dataclass(frozen=True, slots=True)
class StreamChange:
    """One stream record as published: its sequence number and the events it is."""

    sequence: str
    events: tuple[OutboundEvent, ...]


def change_events(
    repository: Repository,
    programs: ProgramCache,
    event_name: str,
    old_image: dict[str, Any] | None,
    new_image: dict[str, Any] | None,
) -> tuple[OutboundEvent, ...]:
    """The events of one item's change (a removed item tells nothing: only a shop's erasure
    deletes accounts, and it is told per customer by `customer.erased` first). The program is
    read only when an account's recorded tier changed: its tiers' order says up or down."""
    if new_image is None or event_name == "REMOVE":
        return ()
    entry: LedgerEntry | None = repository.entry_from_image(new_image)
    if entry is not None:
        return entry_events(entry) if event_name == "INSERT" else ()
    account = repository.account_from_image(new_image)
    if account is not None:
        old = repository.account_from_image(old_image) if old_image else None
        events = account_events(old, account)
        if held_tier_id(old) != held_tier_id(account):
            program = cached_program(programs, repository, account.store_id)
            events += tier_events(old, account, program)
        return events
    coupon = repository.coupon_from_image(new_image)
    if coupon is not None:
        return coupon_events(repository.coupon_from_image(old_image) if old_image else None, coupon)
    reminder = repository.reminder_from_image(new_image)
    if reminder is not None and event_name == "INSERT":
        return reminder_events(reminder)
    return ()


def publish_changes(
    bus: Bus,
    repository: Repository,
    programs: ProgramCache,
    changes: Sequence[StreamChange],
    sleep: Callable[[float], None] = time.sleep,
    forward: Forward | None = None,
) -> str | None:
    """Publish every change's events (and hand those published to `forward`: the webhook
    endpoints' deliveries); answers the sequence number of the first change not fully published
    (None: all were)."""
    owned = [(number, event) for number, change in enumerate(changes) for event in change.events]
    emails = _Emails(repository, programs)
    failed_changes: set[int] = set()
    published: list[tuple[int, Publication]] = []
    for batch in batches(owned):
        publications = [(event, emails.of(event)) for _, event in batch]
        refused = set(_put_with_retries(bus, publications, sleep))
        failed_changes.update(batch[index][0] for index in refused)
        published += [
            (batch[index][0], publications[index]) for index in range(len(batch)) if index not in refused
        ]
    if forward is not None and published:
        try:
            forward([publication for _, publication in published])
        except TransientFault:  # the earliest change forwarded is published again, and forwarded
            failed_changes.add(min(owner for owner, _ in published))
    first_failed = min(failed_changes, default=None)
    return changes[first_failed].sequence if first_failed is not None else None


def _put_with_retries(
    bus: Bus, publications: list[tuple[OutboundEvent, str | None]], sleep: Callable[[float], None]
) -> list[int]:
    """Indexes (into `publications`) of the events still refused after every attempt."""
    waiting = list(range(len(publications)))
    for attempt in range(ATTEMPTS):
        if attempt:
            sleep(FIRST_PAUSE_SECONDS * 2 ** (attempt - 1))
        taken = bus.put([publications[index] for index in waiting])
        waiting = [index for index, ok in zip(waiting, taken, strict=True) if not ok]
        if not waiting:
            break
    return waiting


class _Emails:
    """The email an event may carry: only for a store whose program opts in (one GetItem per
    customer per batch then; none otherwise), and never on an erasure's event."""

    def __init__(self, repository: Repository, programs: ProgramCache) -> None:
        self._repository = repository
        self._programs = programs
        self._known: dict[tuple[str, str], str | None] = {}

    def of(self, event: OutboundEvent) -> str | None:
        if event.kind is EventKind.CUSTOMER_ERASED:
            return None
        if not cached_program(self._programs, self._repository, event.store_id).events_include_email:
            return None
        key = (event.store_id, event.customer_id)
        if key not in self._known:
            account = self._repository.get_account(*key)
            self._known[key] = account.email if account is not None else None
        return self._known[key]
