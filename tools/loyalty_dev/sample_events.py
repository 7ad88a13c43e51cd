"""The sample events of events/: one API Gateway event per route of template.yaml, built from openapi.yaml.

Each file is named after the route's event in the template (``OrderCreated`` → ``order-created.json``),
carries the operation's example from openapi.yaml, and is signed (webhooks), holds a customer
token (storefront) made with the local secrets at generation time, or carries the claims API
Gateway's Cognito authorizer hands the back office (a merchant of the example's store).
Signatures go stale after 300 seconds and tokens after an hour: `loyalty invoke` renews them
itself, and `make events` rewrites the files for tools that do not (`sam local invoke`).
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loyalty.http.platforms import shopify
from loyalty.http.signatures import SIGNATURE_HEADER, signature_header
from loyalty.http.tokens import mint_customer_token
from loyalty_dev.local.apigw import rest_event
from loyalty_dev.local.authorizers import gateway_claims
from loyalty_dev.local.environment import LocalSecrets
from loyalty_dev.local.wix_keys import (
    TOKEN_MEDIA_TYPE,
    NotAToken,
    is_wix_route,
    notification_example,
    resign,
    sign_notification,
)
from loyalty_dev.openapi import OpenApi
from loyalty_dev.template import PROJECT_ROOT, Template

EVENTS_DIR = PROJECT_ROOT / "events"
TOKEN_TTL_SECONDS = 3600
AUTHORIZATION_HEADER = "Authorization"
SHOPIFY_SECRET_VARIABLE = "LOYALTY_SHOPIFY_SECRET"  # noqa: S105 - a variable name, not a secret
# Headers whose value is a signature of the event, computed afresh by renew_credentials.
RENEWED_HEADERS = {SIGNATURE_HEADER, shopify.HMAC_HEADER}
MERCHANT_SCHEME = "merchantToken"  # openapi.yaml's name for the Cognito authorizer's token
# The claims of the sample merchant's sign-in (fixed, so that regenerating changes nothing): the
# function trusts what the authorizer verified and reads only the groups.
PREFLIGHT_ORIGIN = "https://shop.example.com"  # a sample storefront_origins entry
SAMPLE_SIGN_IN = 1_795_168_800  # 2026-11-20T10:00:00Z, the examples' day


@dataclass(frozen=True)
class ApiEvent:
    """One `Type: Api` event of a function in the template."""

    name: str  # the event's key in the template, e.g. OrderCreated
    function: str
    method: str
    path: str

    @property
    def file_name(self) -> str:
        return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", self.name).lower() + ".json"


def api_events(template: Template) -> list[ApiEvent]:
    found = []
    for function, resource in template.resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for name, event in resource.get("Properties", {}).get("Events", {}).items():
            if event.get("Type") == "Api":
                properties = event["Properties"]
                found.append(
                    ApiEvent(name, function, str(properties["Method"]).upper(), str(properties["Path"]))
                )
    return found


def sample_event(api_event: ApiEvent, openapi: OpenApi, secrets: LocalSecrets, now: float) -> dict[str, Any]:
    """The API Gateway event a deployed stage would send for the route's openapi.yaml example."""
    operation = openapi.operation(api_event.method, api_event.path)
    example = openapi.request_example(operation) if operation is not None else None
    parameters = openapi.path_examples(operation) if operation is not None else {}
    headers = {"Accept": "application/json", "User-Agent": "loyalty-dev"}
    if operation is None and api_event.method == "OPTIONS":
        # A browser's CORS preflight of a storefront route: no operation of its own in openapi.yaml,
        # the path's examples from the route it precedes, and the sample storefront's origin.
        preceded = [openapi.operation(method, api_event.path) for method in ("GET", "POST")]
        route = next((found for found in preceded if found is not None), None)
        if route is not None:
            parameters = openapi.path_examples(route)
            headers.update({"Origin": PREFLIGHT_ORIGIN, "Access-Control-Request-Method": route.method})
            headers["Access-Control-Request-Headers"] = "authorization, content-type, idempotency-key"
    path = api_event.path
    for name, value in parameters.items():
        path = path.replace("{" + name + "}", value)
    query: dict[str, list[str]] = {}
    for parameter in openapi.parameters(operation) if operation is not None else []:
        if "example" in parameter and parameter["in"] == "header":
            headers[parameter["name"]] = str(parameter["example"])
        elif "example" in parameter and parameter["in"] == "query":
            query[parameter["name"]] = [str(parameter["example"])]
    body = None
    if example is not None:
        body = json.dumps(example, separators=(",", ":"), ensure_ascii=False)
        headers["Content-Type"] = "application/json"
    requirements = operation.spec.get("security", []) if operation is not None else []
    merchant = any(MERCHANT_SCHEME in requirement for requirement in requirements)
    notification = notification_example(operation) if operation is not None else None
    if notification is not None and secrets.wix is not None and secrets.wix.private_pem is not None:
        # A Wix webhook's body is the credential: a token Wix signs (here the development key).
        body = sign_notification(secrets.wix.private_pem, notification, int(now))
        headers["Content-Type"] = TOKEN_MEDIA_TYPE
    for scheme in openapi.security_schemes(operation) if operation is not None and not merchant else []:
        # Placeholders, which renew_credentials fills in.
        if scheme.get("type") == "apiKey" and scheme.get("name") in RENEWED_HEADERS:
            headers[scheme["name"]] = ""
        elif (
            scheme.get("type") == "apiKey"
            and scheme.get("in") == "query"
            and scheme.get("name") == "signature"
        ):
            query["signature"] = [""]
        elif scheme.get("type") == "http" and scheme.get("scheme") == "bearer":
            headers[AUTHORIZATION_HEADER] = "Bearer "
    event = rest_event(
        api_event.method,
        api_event.path,
        path,
        headers=headers,
        body=body,
        query=query,
        path_parameters=parameters,
        claims=sample_merchant_claims(parameters.get("store_id", "")) if merchant else None,
    )
    # Stable ids and times, so that regenerating changes only what must change.
    event["requestContext"]["requestId"] = str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"{api_event.method} {api_event.path}")
    )
    event["requestContext"]["requestTimeEpoch"] = int(now) * 1000
    event["requestContext"]["requestTime"] = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now))
    return renew_credentials(event, secrets, now)


def sample_merchant_claims(store_id: str) -> dict[str, str]:
    """What the Cognito authorizer passes on for a merchant of `store_id` (as a REST API: strings)."""
    return gateway_claims(
        {
            "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sample-merchant:{store_id}")),
            "cognito:groups": [f"store:{store_id}"],
            "email": "merchant@example.com",
            "email_verified": True,
            "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE",
            "aud": "dashboard-client-id",
            "token_use": "id",
            "auth_time": SAMPLE_SIGN_IN,
            "iat": SAMPLE_SIGN_IN,
            "exp": SAMPLE_SIGN_IN + 3600,
        }
    )


def _set_header(event: dict[str, Any], name: str, value: str) -> None:
    for key in list(event.get("headers") or {}):
        if key.lower() == name.lower():
            event["headers"][key] = value
    for key in list(event.get("multiValueHeaders") or {}):
        if key.lower() == name.lower():
            event["multiValueHeaders"][key] = [value]


def _header(event: dict[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name.lower():
            return str(value)
    return None


def raw_body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    return base64.b64decode(body) if event.get("isBase64Encoded") else str(body).encode()


def renew_credentials(event: dict[str, Any], secrets: LocalSecrets, now: float) -> dict[str, Any]:
    """Fresh signatures and customer tokens where the event carries one (the rest is left alone):
    the webhook signature, Shopify's webhook HMAC and app proxy signature, a Wix token (re-signed with
    the local Wix key when there is one), the customer token.

    The token is minted for the store and customer of the event's path, so it is the one the
    storefront's server would mint for that customer.
    """
    if _header(event, SIGNATURE_HEADER) is not None:
        _set_header(
            event, SIGNATURE_HEADER, signature_header(secrets.webhook.encode(), int(now), raw_body(event))
        )
    shopify_secret = secrets.environment.get(SHOPIFY_SECRET_VARIABLE, "").encode()
    if _header(event, shopify.HMAC_HEADER) is not None and shopify_secret:
        _set_header(event, shopify.HMAC_HEADER, shopify.webhook_hmac(shopify_secret, raw_body(event)))
    query = event.get("multiValueQueryStringParameters") or {}
    if "signature" in query and shopify_secret:
        if "timestamp" in query:
            query["timestamp"] = [str(int(now))]
        query["signature"] = [shopify.proxy_signature(shopify_secret, query)]
        event["queryStringParameters"] = {name: values[-1] for name, values in query.items()}
    wix = secrets.wix
    wix_token = is_wix_route(str(event.get("path") or "")) and bool(event.get("body"))
    if wix_token and wix is not None and wix.private_pem:
        with contextlib.suppress(NotAToken, UnicodeDecodeError):  # not a JWT: left as is, for the 401
            event["body"] = resign(raw_body(event).decode(), wix.private_pem, int(now))
            event["isBase64Encoded"] = False
    authorization = _header(event, AUTHORIZATION_HEADER)
    parameters = event.get("pathParameters") or {}
    if (
        authorization is not None
        and authorization.lower().startswith("bearer")
        and {"store_id", "customer_id"} <= parameters.keys()
    ):
        token = mint_customer_token(
            secrets.customer_token.encode(),
            parameters["store_id"],
            parameters["customer_id"],
            int(now),
            TOKEN_TTL_SECONDS,
        )
        _set_header(event, AUTHORIZATION_HEADER, f"Bearer {token}")
    return event


def write_events(
    template: Template,
    openapi: OpenApi,
    secrets: LocalSecrets,
    directory: Path = EVENTS_DIR,
    now: float | None = None,
) -> tuple[list[Path], list[Path]]:
    """Write one event per route; remove the API Gateway events of routes the template no longer has.

    Returns (written, removed).
    """
    moment = time.time() if now is None else now
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for api_event in api_events(template):
        target = directory / api_event.file_name
        event = sample_event(api_event, openapi, secrets, moment)
        target.write_text(json.dumps(event, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    removed = []
    for stale in sorted(set(directory.glob("*.json")) - set(written)):
        if _is_api_gateway_event(stale):
            stale.unlink()
            removed.append(stale)
    return written, removed


def _is_api_gateway_event(path: Path) -> bool:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and {"httpMethod", "requestContext", "resource"} <= document.keys()
