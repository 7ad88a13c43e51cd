"""The JSON answers of the contract, built from domain results."""

from __future__ import annotations

from typing import Any

from loyalty.domain.customers import Resolved
from loyalty.domain.members import MergeOutcome, Outcome
from loyalty.domain.orders import OrderOutcome
from loyalty.entities import format_timestamp


def account_view(resolved: Resolved) -> dict[str, Any]:
    account = resolved.account
    points = account.points
    view: dict[str, Any] = {
        "store_id": account.store_id,
        "customer_id": account.customer_id,
        "status": account.status.value,
        "points": {
            "balance": points.balance,
            "earned": points.earned,
            "adjusted": points.adjusted,
            "redeemed": points.redeemed,
        },
        "can_redeem": account.can_redeem,
        "revision": account.revision,
        "created_at": format_timestamp(account.created_at),
        "updated_at": format_timestamp(account.updated_at),
        "last_activity_at": format_timestamp(account.last_activity_at),
    }
    if resolved.merged_from is not None:
        view["merged_from"] = resolved.merged_from
    return view


def order_view(outcome: OrderOutcome) -> dict[str, Any]:
    view: dict[str, Any] = {
        "status": "duplicate" if outcome.duplicate else "processed",
        "customer_id": outcome.customer_id,
        "points_earned": outcome.points_earned,
        "balance": outcome.balance,
    }
    if outcome.entry.reason is not None:
        view["reason"] = outcome.entry.reason
    if outcome.entry.reason == "program paused":
        view["program"] = "paused"
    return view


def registration_view(outcome: Outcome) -> dict[str, Any]:
    return {
        "status": "duplicate" if outcome.duplicate else "processed",
        "customer_id": outcome.account.customer_id,
        "customer_status": outcome.account.status.value,
        "balance": outcome.account.points.balance,
    }


def merge_view(outcome: MergeOutcome) -> dict[str, Any]:
    return {
        "status": "duplicate" if outcome.duplicate else "processed",
        "customer_id": outcome.member.customer_id,
        "merged_customer_id": outcome.guest_id,
        "balance": outcome.member.points.balance,
    }
