"""Who may act on which store in the back office: the caller's Cognito groups against the path's store.

API Gateway's Cognito user pools authorizer has already verified the merchant's token; what it
hands the function is the token's claims under ``requestContext.authorizer.claims``, every value
a string (a REST API flattens claims). A claim that is a list in the token, as ``cognito:groups``
is, arrives as one string: ``"operators"`` for one group, ``"operators,store:acme"`` for several
(REST API); HTTP APIs and some tools write ``"[operators store:acme]"`` instead, and a test
double may pass a real list. Every one of those shapes is read here as a set of group names
compared whole, so ``store:acme2`` never allows ``acme``.

The rule (docs/merchant-access.md): the group ``operators`` may act on every store, the group
``store:<store_id>`` on that store only; anyone else gets 403 before anything is read or written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

from loyalty.errors import Forbidden

GROUPS_CLAIM = "cognito:groups"
OPERATORS_GROUP = "operators"
STORE_GROUP_PREFIX = "store:"

# Group names never hold these (store ids are [A-Za-z0-9._:@-]); they only separate names.
_SEPARATORS = re.compile(r"[\s,]+")


def store_group(store_id: str) -> str:
    """The Cognito group whose members may act on `store_id`."""
    return f"{STORE_GROUP_PREFIX}{store_id}"


def groups_of(claims: Mapping[str, Any] | None) -> frozenset[str]:
    """The group names in the claims, whatever shape the gateway gave them; none when absent."""
    if not claims:
        return frozenset()
    raw = claims.get(GROUPS_CLAIM)
    if raw is None:
        return frozenset()
    if isinstance(raw, list | tuple):
        return frozenset(str(item) for item in raw if isinstance(item, str) and item)
    if not isinstance(raw, str):
        return frozenset()
    text = raw.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            parsed = json.loads(text)  # '["operators", "store:acme"]'
        except ValueError:
            text = text[1:-1]  # '[operators store:acme]' or '[operators, store:acme]'
        else:
            if isinstance(parsed, list):
                return frozenset(item for item in parsed if isinstance(item, str) and item)
            return frozenset()
    return frozenset(name for name in _SEPARATORS.split(text) if name)


def may_act_on(groups: frozenset[str], store_id: str | None) -> bool:
    """Operators act on every store; a store's group on that store only. No store: operators only."""
    if OPERATORS_GROUP in groups:
        return True
    return bool(store_id) and store_group(str(store_id)) in groups


def claims_of(event: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """`requestContext.authorizer.claims` of a REST API event, None when any level is missing."""
    context = event.get("requestContext")
    authorizer = context.get("authorizer") if isinstance(context, Mapping) else None
    claims = authorizer.get("claims") if isinstance(authorizer, Mapping) else None
    return claims if isinstance(claims, Mapping) else None


def require_store_access(event: Mapping[str, Any], store_id: str | None) -> None:
    """Raise Forbidden (403) unless the caller's groups allow `store_id`."""
    claims = claims_of(event)
    if claims is None:
        raise Forbidden("the request carries no merchant identity")
    if not may_act_on(groups_of(claims), store_id):
        where = f"store {store_id}" if store_id is not None else "this route"
        raise Forbidden(f"your account may not act on {where}")


def store_access(
    app: ApiGatewayResolver, next_middleware: Callable[[ApiGatewayResolver], Response[Any]]
) -> Response[Any]:
    """A Powertools middleware for every back-office route: the store of the matched route (its
    `store_id` argument) must be allowed before the route's handler runs."""
    route_arguments: Mapping[str, str] = app.context.get("_route_args") or {}
    require_store_access(app.current_event.raw_event, route_arguments.get("store_id"))
    return next_middleware(app)
