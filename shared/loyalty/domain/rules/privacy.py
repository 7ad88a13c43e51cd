"""Pure privacy rules: what erasing a customer's personal data changes, and which later events may
store contact details again.

Erasure keeps the books: the account's numbers, its ledger (ids, types, points, times) and its
coupons stay; its email, names, tags, birthday and the ledger's free-text reasons go, and its email's claim
is released so another member may register with it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from loyalty.domain.entities import Account, Changes, EmailClaim


def contact_allowed(erased_at: datetime | None, occurred_at: datetime | None) -> bool:
    """May an event store contact details (email, names, tags) on an account erased at `erased_at`?

    Never when the event happened before the erasure (a platform's redelivery of an old order or
    registration); an event that happened after it is a new relationship. An event that does not
    say when it happened is treated as old: erasure must not be undone by a guess.
    """
    if erased_at is None:
        return True
    return occurred_at is not None and occurred_at >= erased_at


def holds_contact(account: Account) -> bool:
    return bool(account.email or account.first_name or account.last_name or account.tags or account.birthday)


def erased(account: Account, now: datetime) -> Account:
    """The account without its personal data, `erased_at` now. The activity time stays as it was
    (it decides points expiry), only the revision and `updated_at` move."""
    return replace(
        account,
        email=None,
        first_name=None,
        last_name=None,
        tags=(),
        birthday=None,
        erased_at=now,
        revision=account.revision + 1,
        updated_at=now,
    )


def erasure(accounts: tuple[Account, ...], now: datetime) -> Changes | None:
    """One transaction erasing `accounts` (a member and the guest files merged into it) and
    releasing their email claims. None when there is nothing left to erase (a repeat)."""
    pending = tuple(account for account in accounts if holds_contact(account) or account.erased_at is None)
    if not pending:
        return None
    released = tuple(
        EmailClaim(account.store_id, account.email_key, account.customer_id)
        for account in pending
        if account.email_key
    )
    return Changes(
        accounts=tuple((account, erased(account, now)) for account in pending),
        released_claims=released,
    )
