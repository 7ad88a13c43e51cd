"""Bounds on everything a stranger controls outside the body, judged before anything parses it.

API Gateway already caps a request (about 10 KB of headers, 10 MB of body), but that still lets a
single header, query value or path segment be several kilobytes of anything. Every function checks
the whole event here first, in one place, so that no parser further in (signatures, tokens,
cursors, pydantic) ever sees a value larger than these bounds or a string that is not valid Unicode.
Headers are then read through `single_header`, which also refuses a header given twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from loyalty.errors import InvalidRequest, LoyaltyError

MAX_HEADERS = 100
MAX_HEADER_NAME = 256
MAX_HEADER_VALUE = 8192
MAX_QUERY_PARAMETERS = 50
MAX_QUERY_VALUES = 20  # values of one repeated parameter (Shopify's app proxy repeats some)
MAX_QUERY_VALUE = 8192  # a back-office cursor over eight shards stays below this
MAX_PATH_PARAMETER = 512
MAX_BODY_BYTES = 1024 * 1024  # Shopify's largest order payloads are a few hundred KB


class RequestTooLarge(InvalidRequest):
    """A header, query value, path segment or body over its bound, or not valid Unicode."""


def check_bounds(event: Mapping[str, Any], max_body: int = MAX_BODY_BYTES) -> None:
    """Raise RequestTooLarge unless every header, query value, path parameter and the body are
    within bounds (`max_body`: a route that takes files says its own). Reads only lengths and
    types: nothing is parsed before this has passed."""
    _check_parameters(event, "headers", "multiValueHeaders", MAX_HEADERS, MAX_HEADER_VALUE, "header")
    _check_parameters(
        event,
        "queryStringParameters",
        "multiValueQueryStringParameters",
        MAX_QUERY_PARAMETERS,
        MAX_QUERY_VALUE,
        "query parameter",
    )

    for name, value in _mapping(event.get("pathParameters"), "path").items():
        _check(value, MAX_PATH_PARAMETER, f"path parameter {_shown(name)}")
    for key in ("path", "resource"):
        _check(event.get(key) or "", 4 * MAX_PATH_PARAMETER, "the path")

    body = event.get("body")
    if body is not None:
        # base64 makes four characters of three bytes: bound the text before decoding anything.
        limit = max_body * 4 // 3 + 4 if event.get("isBase64Encoded") else max_body
        if not isinstance(body, str) or len(body) > limit:
            raise RequestTooLarge(f"the body exceeds {max_body} bytes")


def _check_parameters(
    event: Mapping[str, Any], single_key: str, multi_key: str, max_count: int, max_value: int, what: str
) -> None:
    """Headers and query strings alike: API Gateway gives each twice, as single and multi values."""
    kind = "headers" if what == "header" else "query"
    single = _mapping(event.get(single_key), kind)
    multi = _mapping(event.get(multi_key), kind)
    if max(len(single), len(multi)) > max_count:
        raise RequestTooLarge(f"more than {max_count} {what}s")
    for name, value in single.items():
        _check(name, MAX_HEADER_NAME, f"a {what} name")
        _check(value, max_value, f"{what} {_shown(name)}")
    for name, values in multi.items():
        _check(name, MAX_HEADER_NAME, f"a {what} name")
        for value in _sequence(values, MAX_QUERY_VALUES, f"{what} {_shown(name)}"):
            _check(value, max_value, f"{what} {_shown(name)}")


def single_header(event: BaseProxyEvent, name: str, max_length: int, error: type[LoyaltyError]) -> str | None:
    """The one value of header `name` in any casing; `error` if it is given twice or is longer
    than `max_length`. (The resolver's `headers` keeps only one of two casings: which one would be
    an accident of ordering, so a repeated header is refused.)"""
    wanted = name.lower()
    multi: Mapping[str, list[str]] = event.get("multiValueHeaders") or {}
    values = [value for key, listed in multi.items() if key.lower() == wanted for value in listed or []]
    if not values:
        single = event.headers.get(name)
        values = [] if single is None else [single]
    if not values:
        return None
    if len(values) > 1:
        raise error(f"{name} header is given more than once")
    value = str(values[0])
    if len(value) > max_length:
        raise error(f"{name} header is longer than {max_length} characters")
    return value


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RequestTooLarge(f"malformed {what}")
    return value


def _sequence(values: Any, limit: int, what: str) -> Iterable[Any]:
    if not isinstance(values, list | tuple):
        raise RequestTooLarge(f"malformed {what}")
    if len(values) > limit:
        raise RequestTooLarge(f"{what} is repeated more than {limit} times")
    return values


def _check(value: Any, limit: int, what: str) -> None:
    if not isinstance(value, str):
        raise RequestTooLarge(f"{what} is not a string")
    if len(value) > limit:
        raise RequestTooLarge(f"{what} is longer than {limit} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no client can have sent it, nothing can store it
        raise RequestTooLarge(f"{what} is not valid Unicode") from None


def _shown(name: Any) -> str:
    """A header or parameter name as an error message may repeat it: short and printable."""
    text = str(name)[:64]
    return text if text.isprintable() and text.isascii() else "(unprintable)"
