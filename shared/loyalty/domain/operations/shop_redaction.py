"""A shop's erasure (Shopify's shop/redact): every item of the store deleted, a page at a time.

Each step is one message of the redaction queue: it deletes one page of the store's customers
(each with everything it owns) and names the next step, which the handler sends on. A step
failed half-way is delivered again and deletes what is left (deleting an absent item is
harmless); the account is each customer's last item, so a repeated page still finds its files.
After the customers, the store's own items go. Then the whole walk runs once more, later (the
indexes are eventually consistent, and the table's stream may still be counting the last
changes): the sweep. The queue's messages are the erasure's only bookkeeping, so when the sweep
ends nothing of the store remains.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from loyalty.repository import Repository

CUSTOMERS_PER_STEP = 25


class Stage(StrEnum):
    CUSTOMERS = "customers"
    STORE = "store"


@dataclass(frozen=True, slots=True)
class RedactionStep:
    store_id: str
    stage: Stage = Stage.CUSTOMERS
    cursor: str | None = None  # where the customers' pages resume
    sweep: bool = False  # the second, later walk


def redact_store_step(repository: Repository, step: RedactionStep) -> RedactionStep | None:
    """Do one step; the next one, or None when the store is gone."""
    if step.stage is Stage.CUSTOMERS:
        accounts, next_cursor = repository.store_accounts_page(step.store_id, CUSTOMERS_PER_STEP, step.cursor)
        for account in accounts:
            merged = account.merged_customer_ids
            guests = repository.get_accounts(step.store_id, *merged) if merged else {}
            keys = [key for guest in guests.values() for key in repository.customer_keys(guest)]
            repository.delete_keys([*keys, *repository.customer_keys(account)])
        if next_cursor is not None:
            return replace(step, cursor=next_cursor)
        return replace(step, stage=Stage.STORE, cursor=None)
    repository.delete_keys(repository.store_keys(step.store_id))
    if step.sweep:
        return None
    return RedactionStep(step.store_id, sweep=True)
