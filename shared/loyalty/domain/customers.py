"""Finding the account an event acts on: a merged guest file stands for its surviving member."""

from __future__ import annotations

from dataclasses import dataclass

from loyalty.domain.entities import Account, CustomerStatus
from loyalty.errors import NotFound
from loyalty.repository import Repository


@dataclass(frozen=True, slots=True)
class Resolved:
    account: Account
    merged_from: str | None  # the id the event named, when it was a merged file


def resolve(repository: Repository, store_id: str, customer_id: str) -> Resolved | None:
    """The account `customer_id` stands for, following a merge (merges never chain)."""
    return follow_merge(repository, repository.get_account(store_id, customer_id))


def follow_merge(repository: Repository, account: Account | None) -> Resolved | None:
    """An account already read, or the member it was merged into (one more read)."""
    if account is None:
        return None
    if account.status is not CustomerStatus.MERGED or account.merged_into is None:
        return Resolved(account, None)
    member = repository.get_account(account.store_id, account.merged_into)
    if member is None:
        raise LookupError(f"{account.store_id}/{account.customer_id} is merged into a missing account")
    return Resolved(member, account.customer_id)


def require(repository: Repository, store_id: str, customer_id: str) -> Resolved:
    found = resolve(repository, store_id, customer_id)
    if found is None:
        raise NotFound(f"customer {customer_id} not found in store {store_id}")
    return found
