"""API Gateway REST (proxy integration) events and Lambda contexts, as AWS hands them to a handler."""

from __future__ import annotations

import base64
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from loyalty_dev.template import Route


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that Powertools reads."""

    function_name: str = "local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = ""
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    def __post_init__(self) -> None:
        self.aws_request_id = self.aws_request_id or str(uuid.uuid4())

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:000000000000:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def rest_event(
    method: str,
    resource: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
    query: dict[str, list[str]] | None = None,
    path_parameters: dict[str, str] | None = None,
    stage: str = "v1",
) -> dict[str, Any]:
    """A REST API proxy event. A body that is not UTF-8 text is passed in base64, as API Gateway does."""
    headers = dict(headers or {})
    encoded = False
    text: str | None
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text, encoded = base64.b64encode(body).decode(), True
    else:
        text = body
    query = query or {}
    now = datetime.now(UTC)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method.upper(),
        "headers": headers or None,
        "multiValueHeaders": {name: [value] for name, value in headers.items()} or None,
        "queryStringParameters": {name: values[-1] for name, values in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method.upper(),
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "identity": {"sourceIp": "127.0.0.1", "userAgent": headers.get("User-Agent", "")},
            "accountId": "000000000000",
            "apiId": "local",
            "protocol": "HTTP/1.1",
        },
        "body": text,
        "isBase64Encoded": encoded,
    }


def match_route(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The template route that serves `method path`, with its path parameters (decoded)."""
    for route in routes:
        if route.method not in {method.upper(), "ANY"}:
            continue
        pattern = re.sub(r"\\\{([A-Za-z0-9_]+)\\\}", r"(?P<\1>[^/]+)", re.escape(route.path))
        found = re.fullmatch(pattern, path)
        if found:
            return route, {name: unquote(value) for name, value in found.groupdict().items()}
    return None
