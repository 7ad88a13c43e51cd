"""Excluding a customer from the program, and including it again as it was."""

from __future__ import annotations

from datetime import datetime

from loyalty.domain.customers import Resolved, require
from loyalty.domain.entities import Changes, CustomerStatus, EmailClaim
from loyalty.domain.idempotency import Planned
from loyalty.repository import Repository


def plan_exclusion(
    repository: Repository, store_id: str, customer_id: str, now: datetime
) -> Planned[Resolved]:
    """Excluded customers earn nothing and redeem nothing; their balance is frozen, not deleted.
    A member keeps its email claim, so including it again cannot collide."""
    found = require(repository, store_id, customer_id)
    account = found.account
    if account.status is CustomerStatus.EXCLUDED:
        return Planned(None, found)
    after = account.changed(now, status=CustomerStatus.EXCLUDED, status_before_exclusion=account.status)
    return Planned(Changes(accounts=((account, after),)), Resolved(after, found.merged_from))


def plan_inclusion(
    repository: Repository, store_id: str, customer_id: str, now: datetime
) -> Planned[Resolved]:
    """Restore the status the customer had (or registered for while excluded)."""
    found = require(repository, store_id, customer_id)
    account = found.account
    if account.status is not CustomerStatus.EXCLUDED:
        return Planned(None, found)
    restored = account.status_before_exclusion or CustomerStatus.CANDIDATE
    after = account.changed(now, status=restored, status_before_exclusion=None)
    claims: tuple[EmailClaim, ...] = ()
    if restored is CustomerStatus.MEMBER and after.email_key:
        claims = (EmailClaim(store_id, after.email_key, after.customer_id),)
    return Planned(Changes(accounts=((account, after),), claims=claims), Resolved(after, found.merged_from))
