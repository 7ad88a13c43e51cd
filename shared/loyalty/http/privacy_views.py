"""The JSON answers of the privacy routes, and what an erasure removes from a stored answer."""

from __future__ import annotations

import json
from typing import Any

from loyalty.domain.entities import Account, DataRequest, format_timestamp
from loyalty.domain.operations.privacy import CustomerExport
from loyalty.domain.program import Program
from loyalty.http.resolver import dumps
from loyalty.http.views import contact_view, coupon_view, transaction_view

# The fields of an answer that hold personal data: a stored answer keeps its shape without them.
PERSONAL_FIELDS: dict[str, Any] = {"email": None, "first_name": None, "last_name": None, "tags": []}
FREE_TEXT_FIELDS = ("reason",)


def data_request_view(request: DataRequest) -> dict[str, Any]:
    return {
        "id": request.request_id,
        "customer_id": request.customer_id,
        "received_at": format_timestamp(request.received_at),
    }


def _merged_file_view(account: Account) -> dict[str, Any]:
    return {
        "customer_id": account.customer_id,
        "email": account.email,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "tags": list(account.tags),
        "created_at": format_timestamp(account.created_at),
        "erased_at": format_timestamp(account.erased_at) if account.erased_at is not None else None,
    }


def export_view(
    export: CustomerExport,
    cheapest_reward: int | None,
    expiry_months: int | None,
    program: Program | None = None,
) -> dict[str, Any]:
    return {
        "customer": {
            **contact_view(export.customer, cheapest_reward, expiry_months, program),
            "merged_files": [_merged_file_view(guest) for guest in export.merged_files],
        },
        "transactions": [transaction_view(entry) for entry in export.entries],
        "coupons": [coupon_view(coupon) for coupon in export.coupons],
        "exported_at": format_timestamp(export.exported_at),
    }


def scrub_answer(body: str) -> str:
    """A stored answer (JSON) with its personal fields emptied, at any depth; anything else as is."""
    try:
        document = json.loads(body)
    except ValueError:
        return body
    return dumps(_scrubbed(document))


def _scrubbed(value: Any) -> Any:
    if isinstance(value, list):
        return [_scrubbed(item) for item in value]
    if not isinstance(value, dict):
        return value
    cleaned = {name: _scrubbed(item) for name, item in value.items()}
    for name, empty in PERSONAL_FIELDS.items():
        if name in cleaned:
            cleaned[name] = empty
    for name in FREE_TEXT_FIELDS:
        if name in cleaned:
            cleaned[name] = None
    return cleaned
