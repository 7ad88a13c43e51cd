"""The privacy routes' answers as models (data requests, a customer's export, the compliance
webhooks' results), beside the API's other answers in `responses`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from loyalty_dev.answer import Answer, NextCursor, Timestamp
from loyalty_dev.responses import Coupon, Customer, Transaction


class DataRequest(Answer):
    """A customer's request for their data, relayed by the platform (ids only)."""

    id: str
    customer_id: str
    received_at: Timestamp


class DataRequestPage(Answer):
    items: list[DataRequest]
    next_cursor: NextCursor


class MergedFile(Answer):
    """A guest file merged into the customer, with the contact details it holds."""

    customer_id: str
    email: str | None
    first_name: str | None
    last_name: str | None
    tags: list[str]
    created_at: Timestamp
    erased_at: Timestamp | None


class ExportedCustomer(Customer):
    merged_files: list[MergedFile]


class CustomerExport(Answer):
    """Everything the service holds about a customer, complete however long the ledger."""

    customer: ExportedCustomer
    transactions: list[Transaction] = Field(description="Every ledger entry, newest first.")
    coupons: list[Coupon] = Field(description="Every coupon the customer's redemptions issued.")
    exported_at: Timestamp


class PrivacyResult(Answer):
    """The answer to a Shopify compliance webhook: `recorded` or `duplicate` (a data request),
    `erased` (a customer), `accepted` (a shop's erasure, which goes on through a queue) or
    `ignored` (a customer the program never knew)."""

    status: Literal["recorded", "duplicate", "erased", "accepted", "ignored"]
    data_request_id: str | None = None
    customer_id: str | None = None
    store_id: str | None = None
    reason: str | None = None
