"""GET /admin/stores/{store_id}/activity?from=&to=: a store's points per UTC day (the chart)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from loyalty.domain.operations.activity import store_activity
from loyalty.domain.rules.activity import range_problem
from loyalty.errors import SchemaViolation
from loyalty.http.admin.requests import ids, json_response, query
from loyalty.http.views import activity_view
from loyalty.runtime import runtime

router = Router()  # type: ignore[no-untyped-call]

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _calendar_day(value: Any) -> date:
    """A calendar day written YYYY-MM-DD, nothing else (no timestamps, no week dates)."""
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise ValueError("a day is written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a day of the calendar (YYYY-MM-DD)") from None


Day = Annotated[date, BeforeValidator(_calendar_day)]


class ActivityQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    first: Day = Field(alias="from")
    last: Day = Field(alias="to")


@router.get("/admin/stores/<store_id>/activity")
def activity(store_id: str) -> Response[str]:
    ids(store_id=store_id)
    request = query(router, ActivityQuery)
    first, last = request.first, request.last
    problem = range_problem(first, last)
    if problem is not None:
        raise SchemaViolation(
            problem, details=[{"loc": ["query", "to"], "type": "value_error", "msg": problem}]
        )
    return json_response(200, activity_view(store_activity(runtime().repository, store_id, first, last)))
