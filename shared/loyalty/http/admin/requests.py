"""What every back-office route needs: bodies, query strings, ids and Idempotency-Key."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ValidationError

from loyalty.domain.entities import utc_now
from loyalty.domain.idempotency import Planned, Reply, fingerprint, run_once
from loyalty.errors import SchemaViolation
from loyalty.http.models import Identifier
from loyalty.http.resolver import dumps, json_response, parse_body, raw_body, schema_violation, validate_path
from loyalty.runtime import runtime

Model = TypeVar("Model", bound=BaseModel)
Result = TypeVar("Result")

IDEMPOTENCY_HEADER = "Idempotency-Key"
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,128}")


def ids(**values: str) -> None:
    validate_path(Identifier, **values)


def body(router: Router, model: type[Model]) -> Model:
    return parse_body(raw_body(router.current_event), model)


def query(router: Router, model: type[Model]) -> Model:
    parameters = router.current_event.query_string_parameters or {}
    try:
        return model.model_validate(parameters)
    except ValidationError as error:
        raise schema_violation(error, location="query") from None


def idempotency_key(router: Router) -> str | None:
    key = router.current_event.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise SchemaViolation(
            f"{IDEMPOTENCY_HEADER} must be 1 to 128 visible ASCII characters",
            details=[
                {"loc": ["header", IDEMPOTENCY_HEADER], "type": "string_pattern_mismatch", "msg": "invalid"}
            ],
        )
    return key


def write_once(
    router: Router,
    store_id: str,
    plan: Callable[[str | None], Planned[Result]],
    render: Callable[[Result], tuple[int, dict[str, Any]]],
) -> Response[str]:
    """Run a back-office write at most once per Idempotency-Key, replaying the first answer."""
    event = router.current_event
    key = idempotency_key(router)
    request_fingerprint = fingerprint(event.http_method, event.path, raw_body(event))

    def reply(result: Result) -> Reply:
        status, document = render(result)
        return Reply(status, dumps(document))

    answer = run_once(
        runtime().repository, store_id, key, request_fingerprint, lambda: plan(key), reply, utc_now
    )
    return Response(status_code=answer.status, content_type="application/json", body=answer.body)


__all__ = ["body", "idempotency_key", "ids", "json_response", "query", "write_once"]
