"""A customer's points history: its own ledger and the ledgers of the guest files merged into it."""

from __future__ import annotations

from loyalty.domain.customers import require
from loyalty.entities import LedgerEntry
from loyalty.repository import Repository


def customer_history(repository: Repository, store_id: str, customer_id: str) -> list[LedgerEntry]:
    """Newest first. A merged file's orders appear beside the member's own entries; each file's
    `merge_out` and the member's `merge_in` show where those points went."""
    account = require(repository, store_id, customer_id).account
    owners = (account.customer_id, *account.merged_customer_ids)
    entries = [entry for owner in owners for entry in repository.ledger(store_id, owner)]
    return sorted(entries, key=lambda entry: (entry.created_at, entry.entry_id), reverse=True)


def history_page(
    repository: Repository, store_id: str, customer_id: str, limit: int, cursor: str | None
) -> tuple[list[LedgerEntry], str | None]:
    """One page of `customer_history`, newest first, read straight from the index."""
    account = require(repository, store_id, customer_id).account
    owners = (account.customer_id, *account.merged_customer_ids)
    return repository.ledger_page(store_id, owners, limit, cursor)
