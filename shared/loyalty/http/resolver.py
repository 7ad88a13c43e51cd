"""HTTP glue shared by the functions: the resolver, errors as JSON answers, signed bodies.

Errors become HTTP answers here and nowhere else.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import traceback
from collections.abc import Callable
from functools import lru_cache
from http import HTTPStatus
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, TypeAdapter, ValidationError

from loyalty import errors
from loyalty.http.models import Identifier, StoreId, WebhookEvent
from loyalty.http.request_bounds import MAX_BODY_BYTES, check_bounds, single_header
from loyalty.http.signatures import MAX_HEADER_LENGTH, SIGNATURE_HEADER, verify_signature
from loyalty.observability import count, logger, metrics

Model = TypeVar("Model", bound=BaseModel)
Webhook = TypeVar("Webhook", bound=WebhookEvent)
Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]

_STATUS: dict[type[errors.LoyaltyError], HTTPStatus] = {
    errors.InvalidRequest: HTTPStatus.BAD_REQUEST,
    errors.SchemaViolation: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.Unauthorized: HTTPStatus.UNAUTHORIZED,
    errors.Forbidden: HTTPStatus.FORBIDDEN,
    errors.NotFound: HTTPStatus.NOT_FOUND,
    errors.Conflict: HTTPStatus.CONFLICT,
    errors.TransientFault: HTTPStatus.SERVICE_UNAVAILABLE,
    errors.InvalidCursor: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.ConfigurationError: HTTPStatus.INTERNAL_SERVER_ERROR,
}


def dumps(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def json_response(status: int, body: dict[str, Any]) -> Response[str]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=dumps(body))


def error_response(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> Response[str]:
    body: dict[str, Any] = {"error": code, "message": message}
    if details is not None:
        body["details"] = details
    return json_response(status, body)


def create_app() -> APIGatewayRestResolver:
    """A REST API resolver whose every failure is a JSON answer and never an escaped exception."""
    app = APIGatewayRestResolver(serializer=dumps)

    @app.exception_handler(errors.LoyaltyError)  # type: ignore[untyped-decorator]
    def _known(error: errors.LoyaltyError) -> Response[str]:
        status = _status_of(error)
        if status >= 500:
            logger.warning("request failed", extra={"error": error.code, "reason": error.message})
        else:
            logger.info("request rejected", extra={"status": int(status), "error": error.code})
        count(f"Rejected{int(status)}")
        return error_response(status, error.code, error.message, error.details)

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def _unexpected(error: Exception) -> Response[str]:
        # The type and the frames, not the message: an exception's text can quote the input (an
        # email, a name), and logs hold no personal data.
        frames = traceback.format_list(traceback.extract_tb(error.__traceback__))
        logger.error("unexpected error", extra={"error_type": type(error).__name__, "frames": frames})
        count("UnexpectedErrors")
        return error_response(500, "internal_error", "internal error")

    @app.not_found
    def _no_route(_: Exception) -> Response[str]:
        return error_response(404, "not_found", "no such route")

    return app


def lambda_entry(app: APIGatewayRestResolver, body_bounds: dict[str, int] | None = None) -> Handler:
    """The function's Lambda handler: resolve the event with logging context and metrics.
    `body_bounds`: the largest body of a route (by its template path) that takes more than 1 MB."""
    bounds = body_bounds or {}

    @logger.inject_lambda_context(clear_state=True)
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        try:
            # sizes first: nothing below parses a value larger than its bound
            check_bounds(event, bounds.get(str(event.get("resource")), MAX_BODY_BYTES))
        except errors.LoyaltyError as error:
            return _rejected_before_routing(error)
        return app.resolve(event, context)

    return lambda_handler


def _rejected_before_routing(error: errors.LoyaltyError) -> dict[str, Any]:
    """The answer the resolver would give for `error`, for an event it must not even route."""
    status = int(_status_of(error))
    logger.info("request rejected", extra={"status": status, "error": error.code})
    count(f"Rejected{status}")
    return {
        "statusCode": status,
        "multiValueHeaders": {"Content-Type": [content_types.APPLICATION_JSON]},
        "body": dumps({"error": error.code, "message": error.message}),
        "isBase64Encoded": False,
    }


def _status_of(error: errors.LoyaltyError) -> HTTPStatus:
    for kind in type(error).__mro__:
        if kind in _STATUS:
            return _STATUS[kind]
    return HTTPStatus.INTERNAL_SERVER_ERROR


def raw_body(event: BaseProxyEvent) -> bytes:
    """The bytes the platform signed: API Gateway hands binary-safe bodies over in base64."""
    body = event.body or ""
    if event.is_base64_encoded:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise errors.InvalidRequest("body is not valid base64") from None
    return body.encode()


def read_signed_event(event: BaseProxyEvent, model: type[Webhook], secret: bytes) -> Webhook:
    """Judge a webhook in the contract's order: signature (401), then JSON (400), then schema (422).
    Its logs then carry the event id (as correlation id) and the store."""
    body = raw_body(event)
    header = single_header(event, SIGNATURE_HEADER, MAX_HEADER_LENGTH, errors.Unauthorized)
    verify_signature(header, body, secret, time.time())
    webhook = parse_body(body, model)
    logger.set_correlation_id(webhook.event_id)
    logger.append_keys(store_id=webhook.store_id)
    return webhook


def parse_body(body: bytes, model: type[Model]) -> Model:
    try:
        text = body.decode("utf-8")
        document = json.loads(text, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise errors.InvalidRequest("body is not valid JSON") from None
    if not isinstance(document, dict):
        raise errors.InvalidRequest("body must be a JSON object")
    try:
        return model.model_validate_json(text)
    except ValidationError as error:
        raise schema_violation(error) from None


def schema_violation(error: ValidationError, location: str | None = None) -> errors.SchemaViolation:
    prefix = [location] if location else []
    details = [
        {"loc": [*prefix, *problem["loc"]], "type": problem["type"], "msg": problem["msg"]}
        for problem in error.errors(include_url=False, include_input=False, include_context=False)
    ]
    fields = ", ".join(".".join(str(part) for part in item["loc"]) or "body" for item in details)
    return errors.SchemaViolation(f"invalid fields: {fields}", details=details)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def validate_path(kind: Any, **values: str) -> None:
    """422 when a path parameter is outside its pattern (the contract's ids)."""
    validate_values(kind, "path", values)


def validate_ids(store_id: str, **customer_ids: str) -> None:
    """422 when the path's store id (no colon) or customer ids are outside the contract's patterns."""
    _raise_problems(
        "path",
        _problems(StoreId, "path", {"store_id": store_id}) + _problems(Identifier, "path", customer_ids),
    )


def validate_values(kind: Any, location: str, values: dict[str, str]) -> None:
    """422 when a value (of the path, a header…) is outside its pattern."""
    _raise_problems(location, _problems(kind, location, values))


def _problems(kind: Any, location: str, values: dict[str, str]) -> list[dict[str, Any]]:
    adapter = _adapter(kind)
    problems: list[dict[str, Any]] = []
    for name, value in values.items():
        try:
            adapter.validate_python(value)
        except ValidationError:
            problems.append({"loc": [location, name], "type": "string_pattern_mismatch", "msg": "invalid id"})
    return problems


def _raise_problems(location: str, problems: list[dict[str, Any]]) -> None:
    if problems:
        names = ", ".join(problem["loc"][1] for problem in problems)
        raise errors.SchemaViolation(f"invalid {location} values: {names}", details=problems)


@lru_cache(maxsize=8)
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)
