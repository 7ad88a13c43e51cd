"""The back office's privacy routes: the store's data requests, a customer's export, and the
erasure of a customer's personal data."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from loyalty.domain.operations import privacy
from loyalty.http.admin.customers import PageQuery
from loyalty.http.admin.requests import idempotency_key, ids, json_response, page, query
from loyalty.http.privacy_views import data_request_view, export_view, scrub_answer
from loyalty.http.resolver import raw_body
from loyalty.http.storefront import account_answer, account_context
from loyalty.http.views import list_view
from loyalty.observability import count, logger
from loyalty.runtime import runtime

router = Router()  # type: ignore[no-untyped-call]
CUSTOMER = "/admin/stores/<store_id>/customers/<customer_id>"


@router.get("/admin/stores/<store_id>/data-requests")
def list_data_requests(store_id: str) -> Response[str]:
    ids(store_id=store_id)
    request = query(router, PageQuery)
    found, next_cursor = page(
        lambda: privacy.data_requests_page(runtime().repository, store_id, request.limit, request.cursor)
    )
    return json_response(200, list_view([data_request_view(item) for item in found], next_cursor))


@router.get(f"{CUSTOMER}/export")
def export_customer(store_id: str, customer_id: str) -> Response[str]:
    ids(store_id=store_id, customer_id=customer_id)
    export = privacy.export_customer(runtime().repository, store_id, customer_id)
    count("CustomerExports")
    return json_response(200, export_view(export, *account_context(store_id)))


@router.delete(f"{CUSTOMER}/personal-data")
def erase_personal_data(store_id: str, customer_id: str) -> Response[str]:
    """Idempotent by nature: a repeat (with or without the same Idempotency-Key) finishes what a
    failed call left and answers the erased account."""
    ids(store_id=store_id, customer_id=customer_id)
    idempotency_key(router)  # validated as on every write; the erasure itself is idempotent
    raw_body(router.current_event)  # a body it ignores is still judged as every write's is (400)
    erased = privacy.erase_customer(runtime().repository, store_id, customer_id, scrub_answer)
    count("CustomersErased")
    logger.info("customer personal data erased")
    return json_response(200, account_answer(erased))
