"""Loads the template's functions in-process and invokes them with API Gateway events."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from loyalty_dev.local.apigw import LambdaContext, match_route, rest_event
from loyalty_dev.template import PROJECT_ROOT, Function, Template, load_template

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def module_name(function: Function) -> str:
    """functions/order_created/app.py → functions.order_created.app (functions/ is a package)."""
    relative = function.module_path.relative_to(PROJECT_ROOT).with_suffix("")
    return ".".join(relative.parts)


# The function whose handler is running in this process (None between invocations): the
# deployment tier attributes each AWS call to it, to check that function's own role.
_running: ContextVar[str | None] = ContextVar("loyalty_running_function", default=None)
_last_invoked: list[str] = []


def running_function() -> str | None:
    return _running.get()


def load_handler(function: Function) -> Handler:
    """The function's handler, run as if in a container of its own: while it runs,
    `running_function()` names it, and it never sees a secret another function cached."""
    module = importlib.import_module(module_name(function))
    handler: Handler = getattr(module, function.handler_name)
    name = function.name

    def invoke(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if _last_invoked != [name]:
            _forget_cached_parameters()
            _last_invoked[:] = [name]
        token = _running.set(name)
        try:
            return handler(event, context)
        finally:
            _running.reset(token)

    return invoke


def _forget_cached_parameters() -> None:
    """On Lambda each function has its own process, so its own Powertools parameter cache; in
    one process a secret read by one function would hide the next function's read."""
    base = sys.modules.get("aws_lambda_powertools.utilities.parameters.base")
    if base is not None:  # never imported here: a cold start measured stays cold
        for provider in base.DEFAULT_PROVIDERS.values():  # keep their clients: only values go
            provider.clear_cache()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def to_answer(result: dict[str, Any]) -> Answer:
    headers = {name: str(value) for name, value in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.setdefault(name, ",".join(str(value) for value in values))
    return Answer(status=int(result["statusCode"]), headers=headers, body=result.get("body") or "")


class InProcessApi:
    """Routes requests to the template's functions as API Gateway would, in this process."""

    def __init__(self, template: Template | None = None) -> None:
        self.template = template or load_template()
        self.functions = self.template.functions()
        self.routes = self.template.routes()

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | str | None = None,
        query: dict[str, list[str]] | None = None,
        claims: dict[str, str] | None = None,
    ) -> Answer:
        """`claims`: what the route's authorizer would pass on (this API verifies no token itself)."""
        matched = match_route(self.routes, method, path)
        if matched is None:
            return Answer(404, {}, json.dumps({"error": "not_found", "message": "no such route"}))
        route, parameters = matched
        event = rest_event(
            method,
            route.path,
            path,
            headers=headers,
            body=body,
            query=query,
            path_parameters=parameters,
            claims=claims,
        )
        handler = load_handler(self.functions[route.function])
        return to_answer(handler(event, LambdaContext(function_name=route.function)))
