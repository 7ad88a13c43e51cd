"""The storefront routes' shared parts: the account answer with `reward_available`, the customer
token, and CORS for the store's own sites (docs/decisions/storefront-cors.md).

A browser on a store's site calls the balance and redemption routes directly. Whether it may read
the answer depends on the store (its program's `storefront_origins`), so Powertools' CORSConfig,
fixed per function at import, cannot say it: the headers are added here, per request, from the
store's program as the warm container caches it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from aws_lambda_powertools.utilities.typing import LambdaContext

from loyalty.domain.entities import Resolved
from loyalty.domain.program import Program
from loyalty.errors import Unauthorized
from loyalty.http.request_bounds import single_header
from loyalty.http.tokens import MAX_AUTHORIZATION_LENGTH, verify_customer_token
from loyalty.http.views import account_view
from loyalty.observability import logger
from loyalty.runtime import runtime

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]

ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key"
PREFLIGHT_MAX_AGE_SECONDS = 600
MAX_ORIGIN_LENGTH = 255


def account_context(store_id: str) -> tuple[int | None, int | None, Program]:
    """What an account answer needs of its store besides the account: the cheapest active reward's
    cost (`reward_available`), `points_expiry_months` (`points_expire_at`) and the program (its
    tiers), as this container caches them (≤ 30 s)."""
    services = runtime()
    storefront = services.storefronts.get(services.repository, store_id)
    return storefront.cheapest_reward, storefront.program.points_expiry_months, storefront.program


def account_answer(resolved: Resolved) -> dict[str, Any]:
    """An account as every route answers it, `reward_available` and `points_expire_at` included."""
    return account_view(resolved, *account_context(resolved.account.store_id))


def verify_customer(router: BaseRouter, store_id: str, customer_id: str) -> None:
    """401 unless the request carries a customer token for this store's customer."""
    verify_customer_token(
        single_header(router.current_event, "Authorization", MAX_AUTHORIZATION_LENGTH, Unauthorized),
        runtime().customer_token_secret(),
        store_id,
        customer_id,
        time.time(),
    )


def preflight(methods: str) -> Response[str]:
    """A CORS preflight's answer; the origin's own headers are added by `with_cors` (or not)."""
    return Response(
        status_code=204,
        headers={
            "Access-Control-Allow-Methods": methods,
            "Access-Control-Allow-Headers": ALLOW_HEADERS,
            "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE_SECONDS),
        },
    )


def _origin(event: dict[str, Any]) -> str | None:
    headers = event.get("headers") or {}
    found = [value for name, value in headers.items() if name.lower() == "origin"]
    if len(found) != 1 or not isinstance(found[0], str) or len(found[0]) > MAX_ORIGIN_LENGTH:
        return None
    return found[0]


def _listed(event: dict[str, Any], origin: str) -> bool:
    store_id = (event.get("pathParameters") or {}).get("store_id")
    if not isinstance(store_id, str):
        return False
    services = runtime()
    try:
        return services.storefronts.get(services.repository, store_id).allows_origin(origin)
    except Exception as error:
        # The store's program unreadable now: no CORS (the browser retries); the answer is kept.
        logger.warning("storefront origins unreadable", extra={"error_type": type(error).__name__})
        return False


def _header_values(answer: dict[str, Any]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = answer.setdefault("multiValueHeaders", {}) or {}
    answer["multiValueHeaders"] = values
    return values


def with_cors(handler: Handler) -> Handler:
    """Add CORS to every answer of a storefront route (errors too, so a page can read them):
    `Access-Control-Allow-Origin` is the request's Origin when the store lists it, else absent."""

    def cors_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        answer = handler(event, context)
        origin = _origin(event)
        headers = _header_values(answer)
        headers["Vary"] = ["Origin"]
        if origin is not None and _listed(event, origin):
            headers["Access-Control-Allow-Origin"] = [origin]
        else:  # an unlisted origin learns nothing: no CORS header at all
            for name in (
                "Access-Control-Allow-Methods",
                "Access-Control-Allow-Headers",
                "Access-Control-Max-Age",
            ):
                headers.pop(name, None)
                (answer.get("headers") or {}).pop(name, None)
        return answer

    return cors_handler
