"""Idempotency-Key for back-office writes: the first answer is stored with the write, in the
same transaction, and replayed (status and body) to every repeat of the key, as Stripe does."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Generic, TypeVar

from loyalty.domain.retries import with_contention_retries
from loyalty.entities import Changes, IdempotencyRecord, utc_now
from loyalty.errors import Conflict
from loyalty.repository import AccountChanged, EmailTaken, EntryExists, Repository

Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class Planned(Generic[Result]):
    """What a write will change (None: nothing) and what it will answer."""

    changes: Changes | None
    result: Result


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests the same request: a key reused for another one is refused."""
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def run_once(
    repository: Repository,
    store_id: str,
    key: str | None,
    request_fingerprint: str,
    plan: Callable[[], Planned[Result]],
    render: Callable[[Result], Reply],
    clock: Callable[[], datetime] = utc_now,
) -> Reply:
    """Plan, render and commit a write; with a key, at most once, replaying the first reply."""

    def attempt() -> Reply:
        if key is not None:
            record = repository.get_idempotency(store_id, key)
            if record is not None:
                if record.fingerprint != request_fingerprint:
                    raise Conflict(
                        "this Idempotency-Key was used for a different request",
                        reason="idempotency_key_reused",
                    )
                return Reply(record.status, record.body)
        planned = plan()
        reply = render(planned.result)
        changes = planned.changes
        if key is not None:
            record = IdempotencyRecord(store_id, key, request_fingerprint, reply.status, reply.body, clock())
            changes = replace(changes or Changes(), idempotency=record)
        if changes is not None:
            try:
                repository.commit(changes)
            except EntryExists:
                raise AccountChanged from None  # the same key won a race: read again, replay it
            except EmailTaken as taken:
                raise Conflict(
                    f"another member holds {taken.claim.email_key}", reason="email_taken"
                ) from None
        return reply

    return with_contention_retries(attempt)
