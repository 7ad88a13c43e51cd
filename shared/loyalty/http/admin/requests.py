"""What every back-office route needs: bodies, query strings, ids, pages and Idempotency-Key."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from pydantic import BaseModel, ValidationError

from loyalty.domain.operations.once import Answer, Once, Render
from loyalty.errors import InvalidCursor, SchemaViolation
from loyalty.http.request_bounds import single_header
from loyalty.http.resolver import dumps, json_response, parse_body, raw_body, schema_violation, validate_ids

Model = TypeVar("Model", bound=BaseModel)
Result = TypeVar("Result")

IDEMPOTENCY_HEADER = "Idempotency-Key"
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,128}")


def ids(store_id: str, **customer_ids: str) -> None:
    validate_ids(store_id, **customer_ids)


def body(router: BaseRouter, model: type[Model]) -> Model:
    return parse_body(raw_body(router.current_event), model)


def query(router: BaseRouter, model: type[Model]) -> Model:
    """The query string as `model`: a parameter given twice is a 422 (which one would count is
    not for the service to guess), as is any value outside the model's constraints."""
    event = router.current_event
    listed = event.multi_value_query_string_parameters or {
        name: [value] for name, value in (event.query_string_parameters or {}).items()
    }
    repeated = sorted(name for name, values in listed.items() if len(values) > 1)
    if repeated:
        raise SchemaViolation(
            f"query parameters given more than once: {', '.join(repeated)}",
            details=[
                {"loc": ["query", name], "type": "repeated_parameter", "msg": "given more than once"}
                for name in repeated
            ],
        )
    parameters = {name: values[0] for name, values in listed.items() if values}
    try:
        return model.model_validate(parameters)
    except ValidationError as error:
        raise schema_violation(error, location="query") from None


def idempotency_key(router: BaseRouter) -> str | None:
    key = single_header(router.current_event, IDEMPOTENCY_HEADER, 128, SchemaViolation)
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
    router: BaseRouter,
    operation: Callable[[Once | None, Render[Result]], Answer],
    render: Callable[[Result], tuple[int, dict[str, Any]]],
) -> Response[str]:
    """Run a back-office write at most once per Idempotency-Key, replaying the first answer."""
    event = router.current_event
    key = idempotency_key(router)
    request_fingerprint = fingerprint(event.http_method, event.path, raw_body(event))
    about = (event.get("pathParameters") or {}).get("customer_id")  # erasure finds the record by it
    once = Once(key, request_fingerprint, about) if key is not None else None

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
