"""Member registrations and invitation merges, applied through the repository with retries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from loyalty.domain.commands import Invitation, Registration
from loyalty.domain.entities import Account, Changes, utc_now
from loyalty.domain.operations.customers import follow_merge, resolve
from loyalty.domain.operations.program import ProgramCache, account_and_program
from loyalty.domain.operations.retries import with_contention_retries
from loyalty.domain.rules import lifecycle
from loyalty.errors import Conflict
from loyalty.repository import AccountChanged, EmailTaken, EntryExists, Repository


@dataclass(frozen=True, slots=True)
class Outcome:
    duplicate: bool
    account: Account
    updated: bool = False  # a member's contact details refreshed


@dataclass(frozen=True, slots=True)
class MergeOutcome:
    duplicate: bool
    member: Account
    guest_id: str


def register_member(
    event: Registration,
    programs: ProgramCache,
    repository: Repository,
    clock: Callable[[], datetime] = utc_now,
) -> Outcome:
    """Make the customer a member (its sign-up bonus with it), or refresh a member's details: one
    read (the program from the container's cache, or in the same round trip) and one write."""

    def attempt() -> Outcome:
        addressed, program = account_and_program(programs, repository, event.store_id, event.customer.id)
        found = follow_merge(repository, addressed)
        current, merged_from = (found.account, found.merged_from) if found else (None, None)
        decision = lifecycle.decide_registration(event, current, merged_from, clock(), program)
        if decision.changes is None:
            return Outcome(duplicate=True, account=decision.account)
        try:
            repository.commit(decision.changes)
        except EntryExists:
            raise AccountChanged from None  # its sign-up bonus was paid meanwhile: read again
        except EmailTaken as taken:
            raise Conflict(
                f"another member of store {event.store_id} already holds {taken.claim.email_key}",
                reason="email_taken",
            ) from None
        return Outcome(duplicate=decision.duplicate, account=decision.account, updated=decision.updated)

    return with_contention_retries(attempt)


def ensure_candidate(
    event: Registration, repository: Repository, clock: Callable[[], datetime] = utc_now
) -> Outcome:
    """A customer a platform knows without an account: make sure its file exists, change nothing."""

    def attempt() -> Outcome:
        found = resolve(repository, event.store_id, event.customer.id)
        if found is not None:
            return Outcome(duplicate=True, account=found.account)
        account = lifecycle.new_candidate(event, clock())
        repository.commit(Changes(accounts=((None, account),)))
        return Outcome(duplicate=False, account=account)

    return with_contention_retries(attempt)


def accept_invitation(
    event: Invitation, repository: Repository, clock: Callable[[], datetime] = utc_now
) -> MergeOutcome:
    def attempt() -> MergeOutcome:
        guest = member = None
        if event.guest_customer_id != event.member_customer_id:
            found = repository.get_accounts(event.store_id, event.guest_customer_id, event.member_customer_id)
            guest = found.get(event.guest_customer_id)
            member = found.get(event.member_customer_id)
        decision = lifecycle.decide_merge(event, guest, member, clock())
        if decision.changes is not None:
            try:
                repository.commit(decision.changes)
            except EntryExists:
                raise AccountChanged from None  # merged meanwhile: read again and answer from that
        return MergeOutcome(
            duplicate=decision.changes is None,
            member=decision.member,
            guest_id=event.guest_customer_id,
        )

    return with_contention_retries(attempt)
