"""Reading customers: the account an id stands for (a merged guest file stands for its surviving
member), a store's customers by status, and a customer's points history."""

from __future__ import annotations

from loyalty.config import ProgramSettings
from loyalty.domain.entities import Account, CustomerStatus, LedgerEntry, Resolved
from loyalty.domain.operations.program import ProgramCache
from loyalty.errors import NotFound
from loyalty.repository import Repository


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
    """The account an id stands for, or NotFound: the storefront's balance and the back office's
    customer (one consistent read, two when the id was merged away)."""
    found = resolve(repository, store_id, customer_id)
    if found is None:
        raise NotFound(f"customer {customer_id} not found in store {store_id}")
    return found


def require_with_program(
    repository: Repository, programs: ProgramCache, store_id: str, customer_id: str
) -> tuple[Resolved, ProgramSettings]:
    """The account, as `require`, with the store's program that its answer shows (expiry): one
    GetItem while the container's program cache is fresh, else one BatchGetItem for both."""
    program = programs.fresh(store_id)
    if program is None:
        addressed, stored = repository.get_account_and_program(store_id, customer_id)
        program = programs.remember(store_id, stored)
        found = follow_merge(repository, addressed)
    else:
        found = resolve(repository, store_id, customer_id)
    if found is None:
        raise NotFound(f"customer {customer_id} not found in store {store_id}")
    return found, program


def customers_page(
    repository: Repository,
    store_id: str,
    status: CustomerStatus,
    search: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Resolved], str | None]:
    """One page of a store's customers in `status`, most recently active first."""
    if status is CustomerStatus.MERGED:
        return [], None  # merged files are archived, not listed
    accounts, next_cursor = repository.customers_page(store_id, status, search, limit, cursor)
    return [Resolved(account, None) for account in accounts], next_cursor


def history_page(
    repository: Repository, store_id: str, customer_id: str, limit: int, cursor: str | None
) -> tuple[list[LedgerEntry], str | None]:
    """One page of a customer's history, newest first: its own ledger and the ledgers of the guest
    files merged into it (their orders, and the `merge_out` that moved their points)."""
    account = require(repository, store_id, customer_id).account
    owners = (account.customer_id, *account.merged_customer_ids)
    return repository.ledger_page(store_id, owners, limit, cursor)
