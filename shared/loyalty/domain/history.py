"""A customer's points history: its own ledger and the ledgers of the guest files merged into it."""

from __future__ import annotations

from loyalty.domain.customers import require
from loyalty.domain.entities import LedgerEntry
from loyalty.repository import Repository


def history_page(
    repository: Repository, store_id: str, customer_id: str, limit: int, cursor: str | None
) -> tuple[list[LedgerEntry], str | None]:
    """One page of a customer's history, newest first: its own ledger and the ledgers of the guest
    files merged into it (their orders, and the `merge_out` that moved their points)."""
    account = require(repository, store_id, customer_id).account
    owners = (account.customer_id, *account.merged_customer_ids)
    return repository.ledger_page(store_id, owners, limit, cursor)
