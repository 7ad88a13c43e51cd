"""Back-office writes, at most once per Idempotency-Key: the first answer is stored with the write,
in the same transaction, and given again (status and body, as the caller rendered them) to every
repeat of the key, as Stripe does. What an answer is, and what makes two requests the same, is the
HTTP layer's business (loyalty.http.admin.requests); here both are opaque."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from loyalty.domain.entities import Changes, IdempotencyRecord, Planned, utc_now
from loyalty.domain.operations.retries import with_contention_retries
from loyalty.errors import Conflict
from loyalty.repository import AccountChanged, EmailTaken, EntryExists, Repository

Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class Once:
    """A request's Idempotency-Key and its fingerprint (a key reused for another request is refused)."""

    key: str
    fingerprint: str
    customer_id: str | None = None  # the customer the request is about (its erasure finds the record)


@dataclass(frozen=True, slots=True)
class Answer:
    """What the caller answered: kept with the write and given again to every repeat."""

    status: int
    body: str


Render = Callable[[Result], Answer]


def commit_once(
    repository: Repository,
    store_id: str,
    once: Once | None,
    decide: Callable[[], Planned[Result]],
    render: Render[Result],
    clock: Callable[[], datetime] = utc_now,
) -> Answer:
    """Read and decide (`decide`), render and commit; with a key, at most once, replaying the first
    answer. Retried from the read when a concurrent writer won."""

    def attempt() -> Answer:
        if once is not None:
            record = repository.get_idempotency(store_id, once.key)
            if record is not None:
                if record.fingerprint != once.fingerprint:
                    raise Conflict(
                        "this Idempotency-Key was used for a different request",
                        reason="idempotency_key_reused",
                    )
                return Answer(record.status, record.body)
        planned = decide()
        answer = render(planned.result)
        changes = planned.changes
        if once is not None:
            record = IdempotencyRecord(
                store_id, once.key, once.fingerprint, answer.status, answer.body, clock(), once.customer_id
            )
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
        return answer

    return with_contention_retries(attempt)
