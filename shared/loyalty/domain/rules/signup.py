"""The sign-up bonus (pure): paid the first time a customer becomes a member, once per customer, ever.

A customer becomes a member by a registration (the canonical webhook, or a platform's customer
created/updated), by an order with an account, or by being included again as a member after an
exclusion. The bonus is a `bonus` ledger entry carrying the way's id, added to the transaction of
that change, whose business key is `signup:<customer_id>`; the account records that it is
settled, so a race between a registration and an order (both conditioned on the account's
revision) pays it once.

Its rules are the orders': an excluded customer earns nothing (it is paid when included again as a
member, if never paid); guests may not earn, but a new member is no guest; a paused program pays
nothing, then or later: the sign-up is settled unpaid, like an order earning nothing while paused.
A program without a sign-up way records nothing, so members who joined before it was offered are
not paid when it is.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from loyalty.domain.entities import Account, Changes, CustomerStatus, EntryType, LedgerEntry, Points
from loyalty.domain.program import EarnKind, Program

SIGNUP_REASON = "signed up"


def signup_entry_id(customer_id: str) -> str:
    return f"signup:{customer_id}"


def becomes_member(before: Account | None, after: Account) -> bool:
    """Whether this change makes the customer a member (a merged file's target already was one)."""
    return after.status is CustomerStatus.MEMBER and (
        before is None or before.status is not CustomerStatus.MEMBER
    )


def signup_bonus(
    before: Account | None, after: Account, program: Program, now: datetime, event_id: str
) -> tuple[Account, LedgerEntry | None]:
    """`after` with the sign-up settled when this change makes it a member for the first time, and
    the bonus entry when the program pays one (None: nothing to pay)."""
    way = program.way_of_kind(EarnKind.SIGNUP)
    if way is None or after.signup_settled or not becomes_member(before, after):
        return after, None
    if not program.active:
        return replace(after, signup_settled=True), None
    paid = replace(after, points=after.points + Points(earned=way.points), signup_settled=True)
    entry = LedgerEntry(
        store_id=after.store_id,
        entry_id=signup_entry_id(after.customer_id),
        customer_id=after.customer_id,
        type=EntryType.BONUS,
        points=way.points,
        balance_after=paid.points.balance,
        created_at=now,
        event_id=event_id,
        reason=SIGNUP_REASON,
        way=way.id,
    )
    return paid, entry


def with_signup(changes: Changes, program: Program, now: datetime, event_id: str) -> Changes:
    """A decision's changes with the sign-up bonus of each account it makes a member."""
    accounts: list[tuple[Account | None, Account]] = []
    entries: list[LedgerEntry] = []
    for before, after in changes.accounts:
        settled, entry = signup_bonus(before, after, program, now, event_id)
        accounts.append((before, settled))
        if entry is not None:
            entries.append(entry)
    if all(a is b for (_, a), (_, b) in zip(accounts, changes.accounts, strict=True)):
        return changes
    return replace(changes, accounts=tuple(accounts), entries=changes.entries + tuple(entries))
