"""The JSON answers of the contract, built from domain results."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from loyalty.domain.entities import (
    Coupon,
    DayActivity,
    EntryType,
    LedgerEntry,
    Resolved,
    Reward,
    Totals,
    WebhookDelivery,
    WebhookEndpoint,
    format_timestamp,
    utc_now,
)
from loyalty.domain.operations.actions import ActionOutcome
from loyalty.domain.operations.members import MergeOutcome, Outcome
from loyalty.domain.operations.orders import OrderOutcome
from loyalty.domain.program import PanelSettings, Program, TierLevel
from loyalty.domain.rules import tiers
from loyalty.domain.rules.expiry import expires_at
from loyalty.domain.rules.refunds import RefundOutcome
from loyalty.domain.rules.rewards import Redemption, reward_available
from loyalty.http.earn_views import earn_entry_fields, earn_settings_view, public_earn_view


def account_view(
    resolved: Resolved,
    cheapest_reward: int | None = None,
    expiry_months: int | None = None,
    program: Program | None = None,
) -> dict[str, Any]:
    """The account as every answer shows it. `cheapest_reward`: the cost of the store's cheapest
    active reward (None: no active reward); `expiry_months`: the program's `points_expiry_months`;
    `program`: the store's program as cached (its current tiers; None: no tiers)."""
    account = resolved.account
    points = account.points
    expiry = expires_at(account, expiry_months)
    view: dict[str, Any] = {
        "store_id": account.store_id,
        "customer_id": account.customer_id,
        "status": account.status.value,
        "points": {
            "balance": points.balance,
            "earned": points.earned,
            "adjusted": points.adjusted,
            "redeemed": points.redeemed,
            "expired": points.expired,
            "pending": points.pending,
        },
        "pending_release_at": (
            format_timestamp(account.pending_release_at)
            if account.pending_release_at is not None and points.pending > 0
            else None
        ),
        "can_redeem": account.can_redeem,
        "reward_available": reward_available(account, cheapest_reward),
        "points_expire_at": format_timestamp(expiry) if expiry is not None else None,
        "revision": account.revision,
        "created_at": format_timestamp(account.created_at),
        "updated_at": format_timestamp(account.updated_at),
        "last_activity_at": format_timestamp(account.last_activity_at),
        "erased_at": format_timestamp(account.erased_at) if account.erased_at is not None else None,
        **tier_view(tiers.status(account, program or Program(), utc_now())),
    }
    if resolved.merged_from is not None:
        view["merged_from"] = resolved.merged_from
    return view


def tier_view(status: tiers.TierStatus) -> dict[str, Any]:
    """`tier`, `next_tier` and `qualifying_points`, as the current tiers make them."""
    tier, upcoming = status.tier, status.next_tier
    return {
        "tier": {
            "id": tier.id,
            "name": tier.name,
            "since": format_timestamp(status.since) if status.since else None,
            "kept_until": format_timestamp(status.kept_until) if status.kept_until else None,
        }
        if tier
        else None,
        "next_tier": {
            "id": upcoming.id,
            "name": upcoming.name,
            "threshold": upcoming.threshold,
            "points_needed": status.points_needed,
        }
        if upcoming
        else None,
        "qualifying_points": status.qualifying_points,
    }


def order_view(outcome: OrderOutcome) -> dict[str, Any]:
    view: dict[str, Any] = {
        "status": "duplicate" if outcome.duplicate else "processed",
        "customer_id": outcome.customer_id,
        "points_earned": outcome.points_earned,
        "points_pending": outcome.entry.points if outcome.entry.type is EntryType.PENDING else 0,
        "available_at": (
            format_timestamp(outcome.entry.available_at) if outcome.entry.available_at is not None else None
        ),
        "balance": outcome.balance,
    }
    if outcome.entry.reason is not None:
        view["reason"] = outcome.entry.reason
    if outcome.entry.reason == "program paused":
        view["program"] = "paused"
    return view


def registration_view(outcome: Outcome) -> dict[str, Any]:
    status = "duplicate" if outcome.duplicate else "updated" if outcome.updated else "processed"
    return {
        "status": status,
        "customer_id": outcome.account.customer_id,
        "customer_status": outcome.account.status.value,
        "balance": outcome.account.points.balance,
    }


def action_view(outcome: ActionOutcome) -> dict[str, Any]:
    view: dict[str, Any] = {
        "status": outcome.status.value,
        "customer_id": outcome.customer_id,
        "points_earned": outcome.points_earned,
        "balance": outcome.balance,
    }
    if outcome.entry is not None and outcome.entry.reason is not None:
        view["reason"] = outcome.entry.reason
        if outcome.entry.reason == "program paused":
            view["program"] = "paused"
    return view


def merge_view(outcome: MergeOutcome) -> dict[str, Any]:
    return {
        "status": "duplicate" if outcome.duplicate else "processed",
        "customer_id": outcome.member.customer_id,
        "merged_customer_id": outcome.guest_id,
        "balance": outcome.member.points.balance,
    }


def listed_view(
    resolved: Resolved,
    cheapest_reward: int | None = None,
    expiry_months: int | None = None,
    program: Program | None = None,
) -> dict[str, Any]:
    """A customer of the back office's list: the account, plus the email and names."""
    account = resolved.account
    return {
        **account_view(resolved, cheapest_reward, expiry_months, program),
        "email": account.email,
        "first_name": account.first_name,
        "last_name": account.last_name,
    }


def contact_view(
    resolved: Resolved,
    cheapest_reward: int | None = None,
    expiry_months: int | None = None,
    program: Program | None = None,
) -> dict[str, Any]:
    """The back office's customer: the account, plus contact details and merged files."""
    account = resolved.account
    return {
        **listed_view(resolved, cheapest_reward, expiry_months, program),
        "tags": list(account.tags),
        "birthday": account.birthday,
        "merged_customer_ids": list(account.merged_customer_ids),
    }


def transaction_view(entry: LedgerEntry) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": entry.entry_id,
        "type": entry.type.value,
        "points": entry.points,
        "balance_after": entry.balance_after,
        "reason": entry.reason,
        "customer_id": entry.customer_id,
        "created_at": format_timestamp(entry.created_at),
    }
    if entry.order_id is not None:
        view["order_id"] = entry.order_id
    if entry.shortfall:
        view["shortfall"] = entry.shortfall
    if entry.coupon_code is not None:
        view["coupon_code"] = entry.coupon_code
    if entry.available_at is not None:
        view["available_at"] = format_timestamp(entry.available_at)
    return view | earn_entry_fields(entry)


def storefront_transaction_view(entry: LedgerEntry) -> dict[str, Any]:
    """A ledger entry as the customer sees it: never the merchant's free-text reason (it may hold
    internal notes), nor whose file it was."""
    view: dict[str, Any] = {
        "id": entry.entry_id,
        "type": entry.type.value,
        "points": entry.points,
        "balance_after": entry.balance_after,
    }
    if entry.order_id is not None:
        view["order_id"] = entry.order_id
    if entry.coupon_code is not None:
        view["coupon_code"] = entry.coupon_code
    view["created_at"] = format_timestamp(entry.created_at)
    return view | earn_entry_fields(entry)


def activity_view(days: list[tuple[date, DayActivity]]) -> dict[str, Any]:
    return {
        "days": [
            {
                "date": day.isoformat(),
                "earned": counted.earned,
                "adjusted": counted.adjusted,
                "redeemed": counted.redeemed,
                "expired": counted.expired,
                "reversed": counted.reversed,
            }
            for day, counted in days
        ]
    }


def list_view(items: list[dict[str, Any]], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": next_cursor}


def program_view(program: Program) -> dict[str, Any]:
    return {
        "active": program.active,
        "points_per_currency_unit": str(program.points_per_currency_unit),
        "guests_earn_points": program.guests_earn_points,
        "excluded_customer_tags": sorted(program.excluded_customer_tags),
        "storefront_origins": list(program.storefront_origins),
        "points_expiry_months": program.points_expiry_months,
        "pending_days": program.pending_days,
        "panel": panel_view(program.panel),
        "events_include_email": program.events_include_email,
        "expiry_reminder_days": list(program.expiry_reminder_days),
        "tiers": [tier_level_view(tier) for tier in program.tiers],
        "tier_window_months": program.tier_window_months,
        **earn_settings_view(program),
    }


def tier_level_view(tier: TierLevel) -> dict[str, Any]:
    return {
        "id": tier.id,
        "name": tier.name,
        "threshold": tier.threshold,
        "earn_multiplier": str(tier.earn_multiplier),
        "entry_bonus": tier.entry_bonus,
    }


def panel_view(panel: PanelSettings) -> dict[str, Any]:
    return {
        "name": panel.name,
        "currency": panel.currency,
        "signup_url": panel.signup_url,
        "login_url": panel.login_url,
        "accent_color": panel.accent_color,
    }


def public_program_view(
    store_id: str, program: Program, rewards: list[Reward], now: datetime | None = None
) -> dict[str, Any]:
    """The program as the storefront panel shows it to anyone: nothing about any customer. Tiers
    and ways to earn are empty until the program has them; campaigns lists those running `now`."""
    panel = program.panel
    return {
        "store_id": store_id,
        "name": panel.name,
        "currency": panel.currency,
        "active": program.active,
        "points_per_currency_unit": str(program.points_per_currency_unit),
        "pending_days": program.pending_days,
        "points_expiry_months": program.points_expiry_months,
        "rewards": [_offered_reward(reward) for reward in rewards],
        "tiers": [tier_level_view(tier) for tier in program.tiers],
        **public_earn_view(program, utc_now() if now is None else now),
        "signup_url": panel.signup_url,
        "login_url": panel.login_url,
        "accent_color": panel.accent_color,
    }


def _offered_reward(reward: Reward) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": reward.reward_id,
        "name": reward.name,
        "points": reward.points,
        "kind": reward.kind.value,
    }
    if reward.value is not None:
        view["value"] = str(reward.value)
    if reward.currency is not None:
        view["currency"] = reward.currency
    return view


def overview_view(totals: Totals) -> dict[str, Any]:
    return {
        "points": {
            "earned": totals.earned,
            "adjusted": totals.adjusted,
            "redeemed": totals.redeemed,
            "unredeemed": totals.unredeemed,
            "frozen": totals.frozen,
            "expired": totals.expired,
            "pending": totals.pending,
        },
        "customers": {
            "members": totals.members,
            "candidates": totals.candidates,
            "excluded": totals.excluded,
        },
    }


def refund_view(outcome: RefundOutcome) -> dict[str, Any]:
    return {
        "status": "duplicate" if outcome.duplicate else "processed",
        "customer_id": outcome.customer_id,
        "points_reversed": outcome.points_reversed,
        "points_cancelled": outcome.points_cancelled,
        "shortfall": outcome.shortfall,
        "balance": outcome.balance,
    }


def reward_view(reward: Reward) -> dict[str, Any]:
    """The catalog's reward: what the storefront shows of it, and the merchant's own fields."""
    view = _offered_reward(reward)
    view.update(
        active=reward.active,
        created_at=format_timestamp(reward.created_at),
        updated_at=format_timestamp(reward.updated_at),
    )
    return view


def coupon_view(coupon: Coupon) -> dict[str, Any]:
    view: dict[str, Any] = {
        "code": coupon.code,
        "reward_id": coupon.reward_id,
        "kind": coupon.kind.value,
        "value": str(coupon.value) if coupon.value is not None else None,
        "currency": coupon.currency,
        "points": coupon.points,
        "status": coupon.status.value,
        "customer_id": coupon.customer_id,
        "issued_at": format_timestamp(coupon.issued_at),
    }
    if coupon.used_at is not None:
        view["used_at"] = format_timestamp(coupon.used_at)
    if coupon.order_id is not None:
        view["order_id"] = coupon.order_id
    if coupon.voided_at is not None:
        view["voided_at"] = format_timestamp(coupon.voided_at)
    return view


def redemption_view(
    redemption: Redemption,
    cheapest_reward: int | None,
    expiry_months: int | None,
    program: Program | None = None,
) -> dict[str, Any]:
    return {
        "transaction": transaction_view(redemption.entry),
        "account": account_view(redemption.account, cheapest_reward, expiry_months, program),
        "coupon": coupon_view(redemption.coupon),
    }


def webhook_endpoint_view(endpoint: WebhookEndpoint, *, with_secret: bool = False) -> dict[str, Any]:
    """An endpoint; its signing secret only in the answer that created it."""
    view: dict[str, Any] = {
        "id": endpoint.endpoint_id,
        "url": endpoint.url,
        "events": list(endpoint.events),
        "created_at": format_timestamp(endpoint.created_at),
    }
    if with_secret:
        view["secret"] = endpoint.secret
    return view


def delivery_view(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "event_id": delivery.event_id,
        "type": delivery.type,
        "attempt": delivery.attempt,
        "status_code": delivery.status_code,
        "error": delivery.error,
        "at": format_timestamp(delivery.at),
    }
