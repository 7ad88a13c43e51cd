"""A customer's privacy rights: data requests recorded for the merchant, the export of everything
held about a customer, and the erasure of their personal data (books kept).

An erasure is more than one transaction when the ledger is long, so it is resumable: its first
transaction erases the accounts and releases the email claim (and sets `erased_at`); the ledger's
reasons and the stored answers of idempotent requests are then rewritten entry by entry. Every
step is idempotent and every call runs them all again, so a repeat (Shopify's redelivery, the
merchant's retry after a 5xx) finishes whatever a failed call left (docs/decisions/privacy-erasure.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from loyalty.domain.entities import Account, Coupon, DataRequest, LedgerEntry, Resolved, utc_now
from loyalty.domain.operations.customers import require
from loyalty.domain.operations.retries import with_contention_retries
from loyalty.domain.rules import privacy
from loyalty.repository import Repository


@dataclass(frozen=True, slots=True)
class CustomerExport:
    customer: Resolved
    merged_files: tuple[Account, ...]
    entries: tuple[LedgerEntry, ...]  # newest first, across the customer's own and merged files
    coupons: tuple[Coupon, ...]
    exported_at: datetime


def record_data_request(repository: Repository, request: DataRequest) -> bool:
    """Record a platform's data request once per id. False: it was recorded before."""
    return repository.record_data_request(request)


def data_requests_page(
    repository: Repository, store_id: str, limit: int, cursor: str | None
) -> tuple[list[DataRequest], str | None]:
    return repository.data_requests_page(store_id, limit, cursor)


def _files(repository: Repository, store_id: str, customer_id: str) -> tuple[Resolved, tuple[Account, ...]]:
    """The account an id stands for and the guest files merged into it (NotFound when unknown)."""
    found = require(repository, store_id, customer_id)
    merged = found.account.merged_customer_ids
    guests = repository.get_accounts(store_id, *merged) if merged else {}
    return found, tuple(guests[guest] for guest in merged if guest in guests)


def export_customer(
    repository: Repository, store_id: str, customer_id: str, clock: Callable[[], datetime] = utc_now
) -> CustomerExport:
    """Everything held about a customer: the account and contact, every ledger entry (every page,
    however long the ledger) of it and its merged files, and every coupon those entries name."""
    found, guests = _files(repository, store_id, customer_id)
    owners = (found.account.customer_id, *(guest.customer_id for guest in guests))
    entries = [entry for owner in owners for entry in repository.ledger(store_id, owner)]
    entries.sort(key=lambda entry: (entry.created_at, entry.entry_id), reverse=True)
    codes = [entry.coupon_code for entry in entries if entry.coupon_code]
    coupons = repository.coupons(store_id, codes) if codes else []
    return CustomerExport(found, guests, tuple(entries), tuple(coupons), clock())


def erase_customer(
    repository: Repository,
    store_id: str,
    customer_id: str,
    scrub_answer: Callable[[str], str],
    clock: Callable[[], datetime] = utc_now,
) -> Resolved:
    """Erase a customer's personal data (and its merged files'), keeping the books; the erased
    account is answered. `scrub_answer` removes personal data from a stored answer's body (what an
    answer holds is the HTTP layer's business)."""

    def accounts() -> tuple[Resolved, tuple[Account, ...]]:
        found, guests = _files(repository, store_id, customer_id)
        changes = privacy.erasure((found.account, *guests), clock())
        if changes is None:
            return found, guests
        repository.commit(changes)
        after = {new.customer_id: new for _, new in changes.accounts}
        member = after.get(found.account.customer_id, found.account)
        return Resolved(member, found.merged_from), tuple(after.get(g.customer_id, g) for g in guests)

    found, guests = with_contention_retries(accounts)
    for owner in (found.account.customer_id, *(guest.customer_id for guest in guests)):
        repository.remove_entry_reasons(store_id, owner)
        for record in repository.idempotency_records(store_id, owner):
            scrubbed = scrub_answer(record.body)
            if scrubbed != record.body:
                repository.replace_idempotency_body(record, scrubbed)
    return found
