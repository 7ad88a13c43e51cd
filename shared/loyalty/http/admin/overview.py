"""GET /admin/stores/{store_id}/overview: a store's totals, from its sharded counters."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from loyalty.domain.operations.totals import store_totals
from loyalty.http.admin.requests import ids, json_response
from loyalty.http.views import overview_view
from loyalty.runtime import runtime

router = Router()  # type: ignore[no-untyped-call]


@router.get("/admin/stores/<store_id>/overview")
def overview(store_id: str) -> Response[str]:
    ids(store_id=store_id)
    return json_response(200, overview_view(store_totals(runtime().repository, store_id)))
