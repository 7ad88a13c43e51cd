"""Member registrations and invitation merges, applied through the repository with retries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from loyalty.domain import lifecycle
from loyalty.domain.customers import resolve
from loyalty.domain.retries import with_contention_retries
from loyalty.domain.rules import new_account
from loyalty.entities import Account, Changes, CustomerStatus, utc_now
from loyalty.errors import Conflict
from loyalty.events import InvitationAccepted, MemberRegistered
from loyalty.repository import AccountChanged, EmailTaken, EntryExists, Repository


@dataclass(frozen=True, slots=True)
class Outcome:
    duplicate: bool
    account: Account


@dataclass(frozen=True, slots=True)
class MergeOutcome:
    duplicate: bool
    member: Account
    guest_id: str


def register_member(
    event: MemberRegistered, repository: Repository, clock: Callable[[], datetime] = utc_now
) -> Outcome:
    def attempt() -> Outcome:
        found = resolve(repository, event.store_id, event.customer.id)
        current, merged_from = (found.account, found.merged_from) if found else (None, None)
        decision = lifecycle.decide_registration(event, current, merged_from, clock())
        if decision.changes is None:
            return Outcome(duplicate=True, account=decision.account)
        try:
            repository.commit(decision.changes)
        except EmailTaken as taken:
            raise Conflict(
                f"another member of store {event.store_id} already holds {taken.claim.email_key}",
                reason="email_taken",
            ) from None
        return Outcome(duplicate=False, account=decision.account)

    return with_contention_retries(attempt)


def ensure_candidate(
    event: MemberRegistered, repository: Repository, clock: Callable[[], datetime] = utc_now
) -> Outcome:
    """A customer a platform knows without an account: make sure its file exists, change nothing."""

    def attempt() -> Outcome:
        found = resolve(repository, event.store_id, event.customer.id)
        if found is not None:
            return Outcome(duplicate=True, account=found.account)
        customer = event.customer
        account = new_account(event.store_id, customer.id, CustomerStatus.CANDIDATE, clock()).changed(
            clock(), email=customer.email, first_name=customer.first_name, last_name=customer.last_name
        )
        repository.commit(Changes(accounts=((None, account),)))
        return Outcome(duplicate=False, account=account)

    return with_contention_retries(attempt)


def accept_invitation(
    event: InvitationAccepted, repository: Repository, clock: Callable[[], datetime] = utc_now
) -> MergeOutcome:
    invitation = event.invitation

    def attempt() -> MergeOutcome:
        guest = member = None
        if invitation.guest_customer_id != invitation.member_customer_id:
            found = repository.get_accounts(
                event.store_id, invitation.guest_customer_id, invitation.member_customer_id
            )
            guest = found.get(invitation.guest_customer_id)
            member = found.get(invitation.member_customer_id)
        decision = lifecycle.decide_merge(event, guest, member, clock())
        if decision.changes is not None:
            try:
                repository.commit(decision.changes)
            except EntryExists:
                raise AccountChanged from None  # merged meanwhile: read again and answer from that
        return MergeOutcome(
            duplicate=decision.changes is None,
            member=decision.member,
            guest_id=invitation.guest_customer_id,
        )

    return with_contention_retries(attempt)
