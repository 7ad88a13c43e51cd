"""The back office's customers: the list by status, one customer, its transactions, its birthday."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from loyalty.domain.entities import CustomerStatus, Resolved
from loyalty.domain.operations.birthdays import set_birthday
from loyalty.domain.operations.customers import customers_page, history_page, require
from loyalty.http.action_models import BirthdayRequest
from loyalty.http.admin.requests import body, ids, json_response, page, query
from loyalty.http.storefront import account_context
from loyalty.http.views import contact_view, list_view, listed_view, transaction_view
from loyalty.runtime import runtime

router = Router()  # type: ignore[no-untyped-call]

Cursor = Annotated[str, StringConstraints(min_length=1, max_length=8192)]
Limit = Annotated[int, Field(ge=1, le=100)]
# An email or name prefix: printable text (no control characters).
SearchText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$"),
]


class _Query(BaseModel):
    # defer_build: built by the first listing, not by every cold start of the back office.
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class CustomerListQuery(_Query):
    status: CustomerStatus = CustomerStatus.MEMBER
    search: SearchText | None = None
    limit: Limit = 25
    cursor: Cursor | None = None


class PageQuery(_Query):
    limit: Limit = 25
    cursor: Cursor | None = None


@router.get("/admin/stores/<store_id>/customers")
def list_customers(store_id: str) -> Response[str]:
    ids(store_id=store_id)
    request = query(router, CustomerListQuery)
    customers, next_cursor = page(
        lambda: customers_page(
            runtime().repository, store_id, request.status, request.search, request.limit, request.cursor
        )
    )
    context = account_context(store_id)
    return json_response(
        200, list_view([listed_view(customer, *context) for customer in customers], next_cursor)
    )


@router.get("/admin/stores/<store_id>/customers/<customer_id>")
def get_customer(store_id: str, customer_id: str) -> Response[str]:
    ids(store_id=store_id, customer_id=customer_id)
    found = require(runtime().repository, store_id, customer_id)
    return json_response(200, contact_view(found, *account_context(store_id)))


@router.get("/admin/stores/<store_id>/customers/<customer_id>/transactions")
def list_transactions(store_id: str, customer_id: str) -> Response[str]:
    ids(store_id=store_id, customer_id=customer_id)
    request = query(router, PageQuery)
    entries, next_cursor = page(
        lambda: history_page(runtime().repository, store_id, customer_id, request.limit, request.cursor)
    )
    return json_response(200, list_view([transaction_view(entry) for entry in entries], next_cursor))


@router.put("/admin/stores/<store_id>/customers/<customer_id>/birthday")
def put_birthday(store_id: str, customer_id: str) -> Response[str]:
    """Set the customer's birthday ("MM-DD"); the answer is the customer, as GET shows it."""
    ids(store_id=store_id, customer_id=customer_id)
    request = body(router, BirthdayRequest)
    account = set_birthday(runtime().repository, store_id, customer_id, request.birthday)
    return json_response(200, contact_view(Resolved(account, None), *account_context(store_id)))
