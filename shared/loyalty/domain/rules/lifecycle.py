"""Pure lifecycle rules: registering a member and merging a guest file into a member's account.

(unknown) ──order──▶ candidate ──registration / order with account──▶ member
    │                    │                                              │
    └──registration──────┼──────────────────────────────────────────────┘
                         └──invitation accepted──▶ merged (points and orders moved to the member)
any status but merged ──excluded tag / back office──▶ excluded (points frozen)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from loyalty.domain.commands import Invitation, Registrant, Registration
from loyalty.domain.entities import (
    Account,
    Changes,
    CustomerStatus,
    EmailClaim,
    EntryType,
    LedgerEntry,
    Points,
    Tiering,
)
from loyalty.domain.program import Program
from loyalty.domain.rules.earning import new_account
from loyalty.domain.rules.pending import earliest
from loyalty.domain.rules.privacy import contact_allowed
from loyalty.domain.rules.signup import with_signup
from loyalty.domain.rules.tiers import merged_qualifying
from loyalty.errors import Conflict, NotFound


@dataclass(frozen=True, slots=True)
class Decision:
    """What an event does: `changes` to write (None: nothing), and how it answers: `updated` when
    a member's contact details were refreshed, `duplicate` when nothing the event says is new."""

    account: Account
    changes: Changes | None
    updated: bool = False
    duplicate: bool = False


def merge_entry_ids(guest_id: str) -> tuple[str, str]:
    """A guest file is merged at most once, so the guest's id is the merge's business key."""
    return f"merge_out:{guest_id}", f"merge_in:{guest_id}"


def refreshed_contact(before: Account, customer: Registrant, occurred_at: datetime) -> dict[str, object]:
    """The contact details an event sets, or {} when the details held are newer than the event.

    A field the event leaves out keeps what is held (absent is not "erase"). The time is kept with
    them, so a late delivery of an older event never overwrites what a newer one set."""
    if before.contact_updated_at is not None and occurred_at < before.contact_updated_at:
        return {}
    return {
        "email": customer.email or before.email,
        "first_name": customer.first_name or before.first_name,
        "last_name": customer.last_name or before.last_name,
        "birthday": customer.birthday or before.birthday,
        "contact_updated_at": occurred_at,
    }


def _differs(before: Account, contact: dict[str, object]) -> bool:
    """Emails are compared lower-cased (as uniqueness compares them); names exactly."""
    if not contact:
        return False
    email = contact["email"]
    return (
        (email.lower() if isinstance(email, str) else None) != before.email_key
        or contact["first_name"] != before.first_name
        or contact["last_name"] != before.last_name
        or contact["birthday"] != before.birthday
    )


def _is_member(account: Account) -> bool:
    """A member, or an excluded customer that returns to being one (it keeps its email claim)."""
    return account.status is CustomerStatus.MEMBER or (
        account.status is CustomerStatus.EXCLUDED and account.status_before_exclusion is CustomerStatus.MEMBER
    )


def decide_registration(
    event: Registration, current: Account | None, merged_from: str | None, now: datetime, program: Program
) -> Decision:
    """A member registration, or a platform's update of a member's details.

    `current` is the account the id stands for (after a merge, the member). A customer it makes a
    member gets the program's sign-up bonus in the same transaction (domain/rules/signup.py)."""
    if merged_from is not None and current is not None:
        return Decision(
            current, None, duplicate=True
        )  # a guest file's registration after its merge: already a member
    if current is not None and not contact_allowed(current.erased_at, event.occurred_at):
        # Older than the erasure: it brings no personal data back (privacy's rule).
        return Decision(current, None, duplicate=True)
    before = current or new_account(event.store_id, event.customer.id, CustomerStatus.CANDIDATE, now)
    contact = refreshed_contact(before, event.customer, event.occurred_at)
    if _is_member(before):
        if not _differs(before, contact):
            if not contact or contact["contact_updated_at"] == before.contact_updated_at:
                return Decision(before, None, duplicate=True)
            # The same details, said later: keep the time, so that an older event delivered after
            # this one cannot undo it (a rename and its undo arriving in the wrong order).
            confirmed = before.revised(now, contact_updated_at=contact["contact_updated_at"])
            return Decision(confirmed, Changes(accounts=((current, confirmed),)), duplicate=True)
        if contact["email"] is not None and str(contact["email"]).lower() == before.email_key:
            contact["email"] = before.email  # only its case differs: the address is the same
        after = before.revised(now, **contact)
        claims, released = _moved_claim(before, after)
        changes = Changes(accounts=((current, after),), claims=claims, released_claims=released)
        return Decision(after, changes, updated=True)

    if before.status is CustomerStatus.EXCLUDED:
        # Stays excluded; including it again later restores it as a member.
        after = before.changed(now, status_before_exclusion=CustomerStatus.MEMBER, **contact)
    else:
        after = before.changed(now, status=CustomerStatus.MEMBER, **contact)
    claims = (EmailClaim(event.store_id, after.email_key, after.customer_id),) if after.email_key else ()
    changes = with_signup(Changes(accounts=((current, after),), claims=claims), program, now, event.event_id)
    return Decision(changes.accounts[0][1], changes)


def _moved_claim(before: Account, after: Account) -> tuple[tuple[EmailClaim, ...], tuple[EmailClaim, ...]]:
    """A member's email changed: the new address is claimed and the old one freed, in the same
    transaction (a claim held by another member cancels it all)."""
    if after.email_key == before.email_key:
        return (), ()
    claims = (EmailClaim(after.store_id, after.email_key, after.customer_id),) if after.email_key else ()
    released = (
        (EmailClaim(before.store_id, before.email_key, before.customer_id),) if before.email_key else ()
    )
    return claims, released


@dataclass(frozen=True, slots=True)
class MergeDecision:
    member: Account
    guest: Account
    changes: Changes | None  # None: this merge was applied before


def decide_merge(
    event: Invitation, guest: Account | None, member: Account | None, now: datetime
) -> MergeDecision:
    """Move every point and order of a candidate's file into a member's account, once."""
    guest_id, member_id = event.guest_customer_id, event.member_customer_id
    if guest_id == member_id:
        raise Conflict("a customer file cannot be merged into itself", reason="self_merge")
    if guest is None:
        raise NotFound(f"guest customer {guest_id} not found in store {event.store_id}")
    if member is None:
        raise NotFound(f"member customer {member_id} not found in store {event.store_id}")
    if guest.status is CustomerStatus.MERGED:
        if guest.merged_into == member_id:
            return MergeDecision(member, guest, None)
        raise Conflict(f"guest {guest_id} was already merged into another member", reason="already_merged")
    if guest.status is not CustomerStatus.CANDIDATE:
        raise Conflict(
            f"only a candidate can be merged as the guest; {guest_id} is {guest.status.value}",
            reason="guest_not_candidate",
        )
    if member.status is not CustomerStatus.MEMBER:
        raise Conflict(
            f"the merge target must be a member; {member_id} is {member.status.value}",
            reason="target_not_member",
        )

    moved = guest.points
    merged_member = member.changed(
        now,
        points=member.points + moved,
        merged_customer_ids=(*member.merged_customer_ids, guest_id),
        # The guest's pending entries stay where they are; their release follows the merge link.
        pending_release_at=earliest((member.pending_release_at, guest.pending_release_at)),
        # The guest's qualifying points join the member's; the tier shown follows at once and is
        # recorded (its entry bonus paid) with the member's next order, adjustment or release.
        tiering=merged_qualifying(member.tiering, guest.tiering),
    )
    archived_guest = guest.changed(
        now,
        status=CustomerStatus.MERGED,
        merged_into=member_id,
        points=Points(),
        pending_release_at=None,
        tiering=Tiering(bonuses_paid=guest.tiering.bonuses_paid),
    )
    out_id, in_id = merge_entry_ids(guest_id)
    entries = (
        LedgerEntry(
            store_id=event.store_id,
            entry_id=out_id,
            customer_id=guest_id,
            type=EntryType.MERGE_OUT,
            points=-moved.balance,
            balance_after=0,
            created_at=now,
            event_id=event.event_id,
            reason=f"merged into {member_id}",
            counterpart_customer_id=member_id,
            pending_moved=moved.pending,
        ),
        LedgerEntry(
            store_id=event.store_id,
            entry_id=in_id,
            customer_id=member_id,
            type=EntryType.MERGE_IN,
            points=moved.balance,
            balance_after=merged_member.points.balance,
            created_at=now,
            event_id=event.event_id,
            reason=f"merged from {guest_id}",
            counterpart_customer_id=guest_id,
            pending_moved=moved.pending,
        ),
    )
    changes = Changes(accounts=((guest, archived_guest), (member, merged_member)), entries=entries)
    return MergeDecision(merged_member, archived_guest, changes)


def new_candidate(event: Registration, now: datetime) -> Account:
    """A customer a platform knows without an account: a candidate's file with its contact details."""
    customer = event.customer
    return new_account(event.store_id, customer.id, CustomerStatus.CANDIDATE, now).changed(
        now,
        email=customer.email,
        first_name=customer.first_name,
        last_name=customer.last_name,
        contact_updated_at=event.occurred_at,
    )
