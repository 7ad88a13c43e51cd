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

from loyalty.domain.commands import Invitation, Registration
from loyalty.domain.entities import (
    Account,
    Changes,
    CustomerStatus,
    EmailClaim,
    EntryType,
    LedgerEntry,
    Points,
)
from loyalty.domain.rules.earning import new_account
from loyalty.domain.rules.privacy import contact_allowed
from loyalty.errors import Conflict, NotFound


@dataclass(frozen=True, slots=True)
class Decision:
    """What an event does: `changes` to write, or None when it was applied before (duplicate)."""

    account: Account
    changes: Changes | None


def merge_entry_ids(guest_id: str) -> tuple[str, str]:
    """A guest file is merged at most once, so the guest's id is the merge's business key."""
    return f"merge_out:{guest_id}", f"merge_in:{guest_id}"


def decide_registration(
    event: Registration, current: Account | None, merged_from: str | None, now: datetime
) -> Decision:
    """A member registration. `current` is the account the id stands for (after a merge, the member)."""
    customer = event.customer
    if merged_from is not None and current is not None:
        return Decision(current, None)  # a guest file's registration after its merge: already a member
    if current is not None and not contact_allowed(current.erased_at, event.occurred_at):
        return Decision(current, None)  # older than the erasure: it brings no personal data back
    before = current or new_account(event.store_id, customer.id, CustomerStatus.CANDIDATE, now)
    email = customer.email or before.email
    names = {
        "first_name": customer.first_name or before.first_name,
        "last_name": customer.last_name or before.last_name,
    }
    claims: tuple[EmailClaim, ...] = ()
    released: tuple[EmailClaim, ...] = ()

    if before.status is CustomerStatus.MEMBER or (
        before.status is CustomerStatus.EXCLUDED and before.status_before_exclusion is CustomerStatus.MEMBER
    ):
        if not customer.email or customer.email.lower() == (before.email_key or ""):
            return Decision(before, None)
        # A member's email changed: the claim moves with it, in the same transaction.
        claims = (EmailClaim(event.store_id, customer.email.lower(), before.customer_id),)
        if before.email_key:
            released = (EmailClaim(event.store_id, before.email_key, before.customer_id),)
        after = before.changed(now, email=customer.email, **names)
    else:
        if email:
            claims = (EmailClaim(event.store_id, email.lower(), before.customer_id),)
        if before.status is CustomerStatus.EXCLUDED:
            # Stays excluded; including it again later restores it as a member.
            after = before.changed(now, email=email, status_before_exclusion=CustomerStatus.MEMBER, **names)
        else:
            after = before.changed(now, email=email, status=CustomerStatus.MEMBER, **names)
    return Decision(after, Changes(accounts=((current, after),), claims=claims, released_claims=released))


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
    )
    archived_guest = guest.changed(now, status=CustomerStatus.MERGED, merged_into=member_id, points=Points())
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
        ),
    )
    changes = Changes(accounts=((guest, archived_guest), (member, merged_member)), entries=entries)
    return MergeDecision(merged_member, archived_guest, changes)


def new_candidate(event: Registration, now: datetime) -> Account:
    """A customer a platform knows without an account: a candidate's file with its contact details."""
    customer = event.customer
    return new_account(event.store_id, customer.id, CustomerStatus.CANDIDATE, now).changed(
        now, email=customer.email, first_name=customer.first_name, last_name=customer.last_name
    )
