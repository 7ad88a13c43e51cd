"""Coupons in the back office: read one, mark it used by an order (the checkout), void it."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from loyalty.domain.entities import Coupon
from loyalty.domain.operations import rewards
from loyalty.http.admin.requests import body, ids, json_response, write_once
from loyalty.http.models import CouponCode, CouponUseRequest
from loyalty.http.resolver import validate_path
from loyalty.http.views import coupon_view
from loyalty.runtime import runtime

router = Router()  # type: ignore[no-untyped-call]
COUPON = "/admin/stores/<store_id>/coupons/<code>"


def code_of(store_id: str, code: str) -> None:
    ids(store_id=store_id)
    validate_path(CouponCode, code=code)


def the_coupon(coupon: Coupon) -> tuple[int, dict[str, Any]]:
    return 200, coupon_view(coupon)


@router.get(COUPON)
def get_coupon(store_id: str, code: str) -> Response[str]:
    code_of(store_id, code)
    return json_response(200, coupon_view(rewards.get_coupon(runtime().repository, store_id, code)))


@router.post(f"{COUPON}/use")
def use_coupon(store_id: str, code: str) -> Response[str]:
    code_of(store_id, code)
    request = body(router, CouponUseRequest)
    repository = runtime().repository
    return write_once(
        router,
        lambda once, render: rewards.use_coupon(repository, store_id, code, request.order_id, once, render),
        the_coupon,
    )


@router.delete(COUPON)
def void_coupon(store_id: str, code: str) -> Response[str]:
    code_of(store_id, code)
    repository = runtime().repository
    return write_once(
        router,
        lambda once, render: rewards.void_coupon(repository, store_id, code, once, render),
        the_coupon,
    )
