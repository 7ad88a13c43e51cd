"""Redeeming a catalog reward over HTTP: the back office's and the storefront's route share it."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from loyalty.domain.operations.points import CustomerWrite
from loyalty.domain.operations.rewards import redeem_reward as redeem
from loyalty.domain.rules.rewards import Redemption
from loyalty.errors import SchemaViolation
from loyalty.http.admin.requests import IDEMPOTENCY_HEADER, body, idempotency_key, ids, write_once
from loyalty.http.models import RewardRedemptionRequest
from loyalty.http.storefront import account_context
from loyalty.http.views import redemption_view
from loyalty.runtime import runtime


def redeem_reward(
    router: BaseRouter, store_id: str, customer_id: str, *, key_required: bool
) -> Response[str]:
    """POST …/redemptions with {"reward_id"}: 201 {"transaction", "account", "coupon"}."""
    ids(store_id=store_id, customer_id=customer_id)
    if key_required and idempotency_key(router) is None:
        raise SchemaViolation(
            f"the {IDEMPOTENCY_HEADER} header is required: a repeated click must not spend twice",
            details=[{"loc": ["header", IDEMPOTENCY_HEADER], "type": "missing", "msg": "required"}],
        )
    request = body(router, RewardRedemptionRequest)
    repository = runtime().repository

    def created(redemption: Redemption) -> tuple[int, dict[str, Any]]:
        return 201, redemption_view(redemption, *account_context(store_id))

    return write_once(
        router,
        lambda once, render: redeem(
            CustomerWrite(repository, store_id, customer_id, once, render), request.reward_id
        ),
        created,
    )
