"""The storefront panel's read routes (BalanceFunction): the public program, and a customer's
history and coupons behind its customer token. CORS is added by `storefront.with_cors`."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from loyalty.domain.entities import CouponStatus
from loyalty.domain.operations.customers import history_page
from loyalty.domain.operations.storefront import customer_coupons, public_program
from loyalty.http.admin.requests import page, query
from loyalty.http.resolver import json_response, validate_ids
from loyalty.http.storefront import preflight, verify_customer
from loyalty.http.views import coupon_view, list_view, public_program_view, storefront_transaction_view
from loyalty.runtime import runtime

router = Router()  # type: ignore[no-untyped-call]

PROGRAM = "/stores/<store_id>/program"
TRANSACTIONS = "/stores/<store_id>/customers/<customer_id>/transactions"
COUPONS = "/stores/<store_id>/customers/<customer_id>/coupons"
# A store's program changes rarely and a warm container trusts its copy this long anyway.
PROGRAM_CACHE_CONTROL = "public, max-age=30"

Cursor = Annotated[str, StringConstraints(min_length=1, max_length=8192)]
Limit = Annotated[int, Field(ge=1, le=100)]


class _Query(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class HistoryQuery(_Query):
    limit: Limit = 25
    cursor: Cursor | None = None


class CouponsQuery(HistoryQuery):
    status: CouponStatus | None = None


@router.get(PROGRAM)
def get_public_program(store_id: str) -> Response[str]:
    validate_ids(store_id)
    services = runtime()
    program, rewards = public_program(services.repository, services.storefronts, store_id)
    answer = json_response(200, public_program_view(store_id, program, rewards))
    answer.headers["Cache-Control"] = PROGRAM_CACHE_CONTROL
    return answer


@router.route(PROGRAM, method="OPTIONS")
def program_preflight(store_id: str) -> Response[str]:
    validate_ids(store_id)
    return preflight("GET, OPTIONS")


@router.get(TRANSACTIONS)
def get_transactions(store_id: str, customer_id: str) -> Response[str]:
    verify_customer(router, store_id, customer_id)
    validate_ids(store_id, customer_id=customer_id)
    request = query(router, HistoryQuery)
    entries, next_cursor = page(
        lambda: history_page(runtime().repository, store_id, customer_id, request.limit, request.cursor)
    )
    return json_response(
        200, list_view([storefront_transaction_view(entry) for entry in entries], next_cursor)
    )


@router.get(COUPONS)
def get_coupons(store_id: str, customer_id: str) -> Response[str]:
    verify_customer(router, store_id, customer_id)
    validate_ids(store_id, customer_id=customer_id)
    request = query(router, CouponsQuery)
    found, next_cursor = page(
        lambda: customer_coupons(
            runtime().repository, store_id, customer_id, request.status, request.limit, request.cursor
        )
    )
    return json_response(200, list_view([coupon_view(coupon) for coupon in found], next_cursor))


@router.route(TRANSACTIONS, method="OPTIONS")
def transactions_preflight(store_id: str, customer_id: str) -> Response[str]:
    validate_ids(store_id, customer_id=customer_id)
    return preflight("GET, OPTIONS")


@router.route(COUPONS, method="OPTIONS")
def coupons_preflight(store_id: str, customer_id: str) -> Response[str]:
    validate_ids(store_id, customer_id=customer_id)
    return preflight("GET, OPTIONS")
