"""API Gateway's REST proxy integration, locally: a request matched against the template's routes,
guarded by its authorizers, turned into the proxy event a deployed stage sends, handed to that
route's function pool, and its proxy result turned back into an HTTP response (the WSGI app of
`LocalServer`)."""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from werkzeug.datastructures import Headers
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from loyalty_dev.local.apigw import match_route, rest_event
from loyalty_dev.local.authorizers import GatewayResponse, NotAuthorized, RouteGuard
from loyalty_dev.local.dashboard import dashboard_response, is_dashboard
from loyalty_dev.local.storefront import StorefrontFiles
from loyalty_dev.local.workers import FunctionPool, InvocationFailed
from loyalty_dev.template import Route

log = logging.getLogger("loyalty.dev")

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit


def error_response(status: int, code: str, message: str) -> Response:
    """A JSON error in the contract's shape, for answers the local gateway gives itself."""
    body = json.dumps({"error": code, "message": message})
    return Response(body, status=status, content_type="application/json")


def gateway_answer(answer: GatewayResponse) -> Response:
    """An answer API Gateway gives itself (a gateway response of the template, or its default)."""
    response = Response(answer.body, status=answer.status, content_type=answer.content_type)
    for name, value in answer.headers:
        response.headers[name] = value
    return response


def proxy_response(result: Any) -> Response:
    """An HTTP response from a Lambda proxy integration result, as API Gateway builds it."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        # API Gateway's answer to a malformed proxy result.
        raise InvocationFailed("malformed Lambda proxy response (it needs an integer statusCode)")
    headers = Headers()
    multi = result.get("multiValueHeaders") or {}
    for name, value in (result.get("headers") or {}).items():
        if name not in multi:
            headers.add(name, str(value))
    for name, values in multi.items():
        for value in values:
            headers.add(name, str(value))
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    response = Response(data, status=result["statusCode"], headers=headers)
    if "Content-Type" not in headers:
        # API Gateway's default for a proxy response that names no type.
        response.headers["Content-Type"] = "application/json"
    return response


def printable(text: str) -> str:
    """`text` for a log line: every character that is not printable as a backslash escape."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode() for char in text)


def raw_path(environ: Mapping[str, Any]) -> str:
    """The request path as sent (still percent-encoded), so an encoded `/` stays inside its segment."""
    uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if isinstance(uri, str) and uri:
        return urlsplit(uri).path or "/"
    return str(environ.get("PATH_INFO") or "/")


@dataclass
class LocalApi:
    """The WSGI application: API Gateway's REST proxy integration in front of the function pools."""

    routes: list[Route]
    pools: Mapping[str, FunctionPool]
    stage: str
    request_log: Callable[[str], None] = field(default=log.info)
    guard: RouteGuard | None = None  # the template's authorizers; None: a guarded route refuses all
    root: Path | None = None  # the project: its dashboard/ is served under /dashboard/ (None: not)
    storefront: StorefrontFiles | None = None  # /panel/ and /demo-store/ (None: not served)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        started = time.perf_counter()
        request = Request(environ)
        request.max_content_length = MAX_BODY_BYTES
        function = "-"
        try:
            response, function = self.handle(request)
        except Exception:  # a bug of the local server itself: say so, and keep serving
            log.exception("local server error on %s %s", printable(request.method), printable(request.path))
            response = error_response(500, "local_server_error", "the local server failed; see its console")
        elapsed = (time.perf_counter() - started) * 1000
        # The path as sent, still percent-encoded, and any character that is not printable escaped:
        # a request cannot write a line break (a forged log line) or a NUL into the log.
        query = environ.get("QUERY_STRING") or ""
        path = printable(raw_path(environ) + (f"?{query}" if query else ""))
        self.request_log(
            f"{printable(request.method)} {path} {response.status_code} {elapsed:.1f} ms {function}"
        )
        return response(environ, start_response)

    def handle(self, request: Request) -> tuple[Response, str]:
        path = raw_path(request.environ)
        keys = self.guard.jwks(unquote(path)) if self.guard and request.method in {"GET", "HEAD"} else None
        if keys is not None:
            return Response(json.dumps(keys), content_type="application/json"), "-"
        if self.root is not None and is_dashboard(unquote(path)):
            return dashboard_response(request, unquote(path), self.root), "dashboard"
        if self.storefront is not None and self.storefront.serves(unquote(path)):
            return self.storefront.response(request, unquote(path)), "storefront"
        matched = match_route(self.routes, request.method, path)
        if matched is None:
            return error_response(404, "not_found", f"no route for {request.method} {unquote(path)}"), "-"
        route, parameters = matched
        claims: dict[str, str] | None = None
        if route.authorizer is not None:
            try:
                if self.guard is None:
                    raise NotAuthorized(f"no local check for {route.authorizer}")
                claims = self.guard.claims(route.authorizer, dict(request.headers.items()))
            except NotAuthorized as refusal:
                # API Gateway answers this itself; the function never runs.
                log.info("%s %s: 401 (%s)", request.method, route.path, refusal)
                unauthorized = (
                    self.guard.unauthorized if self.guard else GatewayResponse.default("UNAUTHORIZED")
                )
                return gateway_answer(unauthorized), route.function
        try:
            body = request.get_data(cache=False)
        except RequestEntityTooLarge:
            return error_response(413, "payload_too_large", "the body exceeds 10 MB"), route.function
        event = rest_event(
            request.method,
            route.path,
            unquote(path),
            headers=dict(request.headers.items()),
            body=body if body else None,
            query=request.args.to_dict(flat=False),
            path_parameters=parameters,
            stage=self.stage,
            claims=claims,
        )
        try:
            return proxy_response(self.pools[route.function].invoke(event)), route.function
        except InvocationFailed as failure:
            # API Gateway answers 502 when the function fails; the details are in the console.
            log.error("%s %s: %s", request.method, route.path, failure)
            return error_response(502, "bad_gateway", f"Internal server error: {failure}"), route.function
