"""A customer's points in the back office: give or take, edit the balance, redeem, exclude."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ConfigDict

from loyalty.domain.entities import Resolved
from loyalty.domain.operations import points
from loyalty.domain.operations.points import CustomerWrite
from loyalty.domain.operations.program import cached_program
from loyalty.domain.program import Program
from loyalty.domain.rules.points import PointsTransaction
from loyalty.errors import LoyaltyError
from loyalty.http.admin.requests import body, ids, write_once
from loyalty.http.models import BalanceRequest, PointsRequest, RedemptionRequest
from loyalty.http.resolver import parse_body, raw_body
from loyalty.http.rewards import redeem_reward
from loyalty.http.storefront import account_answer
from loyalty.http.views import transaction_view
from loyalty.runtime import runtime

router = Router()  # type: ignore[no-untyped-call]
CUSTOMER = "/admin/stores/<store_id>/customers/<customer_id>"


def created(transaction: PointsTransaction) -> tuple[int, dict[str, Any]]:
    assert transaction.entry is not None
    return 201, {
        "transaction": transaction_view(transaction.entry),
        "account": account_answer(transaction.account),
    }


def the_account(transaction: PointsTransaction) -> tuple[int, dict[str, Any]]:
    return 200, account_answer(transaction.account)


def resolved_account(resolved: Resolved) -> tuple[int, dict[str, Any]]:
    return 200, account_answer(resolved)


def _program(store_id: str) -> Program:
    """The store's program (tiers judge an adjustment), through the container's 30 s cache."""
    services = runtime()
    return cached_program(services.programs, services.repository, store_id)


@router.post(f"{CUSTOMER}/points")
def give_or_take_points(store_id: str, customer_id: str) -> Response[str]:
    ids(store_id=store_id, customer_id=customer_id)
    request = body(router, PointsRequest)
    repository = runtime().repository
    return write_once(
        router,
        lambda once, render: points.give_or_take_points(
            CustomerWrite(repository, store_id, customer_id, once, render),
            request.amount,
            request.reason,
            _program(store_id),
        ),
        created,
    )


@router.put(f"{CUSTOMER}/balance")
def edit_balance(store_id: str, customer_id: str) -> Response[str]:
    ids(store_id=store_id, customer_id=customer_id)
    request = body(router, BalanceRequest)
    repository = runtime().repository
    return write_once(
        router,
        lambda once, render: points.edit_balance(
            CustomerWrite(repository, store_id, customer_id, once, render),
            request.balance,
            request.revision,
            request.reason,
            _program(store_id),
        ),
        the_account,
    )


@router.post(f"{CUSTOMER}/redemptions")
def redeem(store_id: str, customer_id: str) -> Response[str]:
    """{"points", "reward"}: a free-text redemption; {"reward_id"}: a catalog reward, for a coupon."""
    ids(store_id=store_id, customer_id=customer_id)
    if _names_a_reward(raw_body(router.current_event)):
        return redeem_reward(router, store_id, customer_id, key_required=False)
    request = body(router, RedemptionRequest)
    repository = runtime().repository
    return write_once(
        router,
        lambda once, render: points.redeem(
            CustomerWrite(repository, store_id, customer_id, once, render), request.points, request.reward
        ),
        created,
    )


@router.put(f"{CUSTOMER}/exclusion")
def exclude(store_id: str, customer_id: str) -> Response[str]:
    ids(store_id=store_id, customer_id=customer_id)
    repository = runtime().repository
    return write_once(
        router,
        lambda once, render: points.set_exclusion(
            CustomerWrite(repository, store_id, customer_id, once, render), True, _program(store_id)
        ),
        resolved_account,
    )


@router.delete(f"{CUSTOMER}/exclusion")
def include_again(store_id: str, customer_id: str) -> Response[str]:
    ids(store_id=store_id, customer_id=customer_id)
    repository = runtime().repository
    return write_once(
        router,
        lambda once, render: points.set_exclusion(
            CustomerWrite(repository, store_id, customer_id, once, render), False, _program(store_id)
        ),
        resolved_account,
    )


class _RewardNamed(BaseModel):
    model_config = ConfigDict(extra="allow")


def _names_a_reward(raw: bytes) -> bool:
    """Whether the body is a JSON object with a `reward_id` (bad JSON is judged by the parse)."""
    try:
        return "reward_id" in (parse_body(raw, _RewardNamed).model_extra or {})
    except LoyaltyError:
        return False
