"""What every back-office route needs: bodies, query strings, ids, pages and Idempotency-Key."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ValidationError

from loyalty.domain.operations.once import Answer, Once, Render
from loyalty.errors import InvalidCursor, SchemaViolation
from loyalty.http.models import Identifier
from loyalty.http.resolver import dumps, json_response, parse_body, raw_body, schema_violation, validate_path

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


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests the same request: a key reused for another one is refused."""
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def write_once(
    router: Router,
    operation: Callable[[Once | None, Render[Result]], Answer],
    render: Callable[[Result], tuple[int, dict[str, Any]]],
) -> Response[str]:
    """Run a back-office write at most once per Idempotency-Key, replaying the first answer."""
    event = router.current_event
    key = idempotency_key(router)
    request_fingerprint = fingerprint(event.http_method, event.path, raw_body(event))
    once = Once(key, request_fingerprint) if key is not None else None

    def reply(result: Result) -> Answer:
        status, document = render(result)
        return Answer(status, dumps(document))

    answer = operation(once, reply)
    return Response(status_code=answer.status, content_type="application/json", body=answer.body)


def page(read: Callable[[], Result]) -> Result:
    """A page of a list; a cursor the service did not make is a 422 on the query's `cursor`."""
    try:
        return read()
    except InvalidCursor as error:
        raise SchemaViolation(
            error.message,
            details=[{"loc": ["query", "cursor"], "type": "value_error", "msg": "invalid cursor"}],
        ) from None


__all__ = ["body", "idempotency_key", "ids", "json_response", "page", "query", "write_once"]
