"""Schemathesis against the local server: generated requests from openapi.yaml, answers held to it.

Webhook bodies are signed and balance requests carry the path's customer token (a requests auth
hook, applied to the bytes actually sent), so generation reaches the schema (422), JSON and state
paths, not only the 401 that an unsigned request gets. What must hold for every request: no 500
ever (a 5xx is only the transient 503), every error a JSON body with `error` and `message`, and
every status, content type and body documented in openapi.yaml.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from loyalty.http.signatures import SIGNATURE_HEADER, signature_header
from loyalty.http.tokens import mint_customer_token
from loyalty_dev.local.server import LocalServer
from loyalty_dev.openapi import OPENAPI_PATH
from tests.support import TOKEN_SECRET, WEBHOOK_SECRET

# Bounded so that the run takes seconds on two cores; raise it locally to dig deeper.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "20"))
TRANSIENT = {503}
BALANCE_PATH = re.compile(r"^/stores/(?P<store>[^/]+)/customers/(?P<customer>[^/]+)/balance$")

schema = schemathesis.openapi.from_path(OPENAPI_PATH)


class SignedAsTheContractSays(requests.auth.AuthBase):
    """Sign webhook bodies with the webhook secret; give balance lookups their customer's token.

    Only where the generated request carries the credential at all: a negative case that leaves
    it out must still be answered 401.
    """

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        path = urlsplit(request.url or "").path
        now = int(time.time())
        if path.startswith("/webhooks/") and SIGNATURE_HEADER in request.headers:
            body = request.body or b""
            raw = body.encode() if isinstance(body, str) else body
            request.headers[SIGNATURE_HEADER] = signature_header(WEBHOOK_SECRET.encode(), now, raw)
        found = BALANCE_PATH.match(path)
        if found and "Authorization" in request.headers:
            token = mint_customer_token(
                TOKEN_SECRET.encode(), unquote(found["store"]), unquote(found["customer"]), now, 600
            )
            request.headers["Authorization"] = f"Bearer {token}"
        return request


def rejects_invalid_data(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' negative_data_rejection, except for leaving out the AWS signature of a back-office
    route: API Gateway checks that one, and the local server leaves those routes open (CONTRACT.md §4)."""
    iam = case.path.startswith("/admin/")
    if iam and "Authorization" not in (case.headers or {}):
        return None
    return negative_data_rejection(ctx, response, case)  # type: ignore[no-any-return]


def accepts_valid_data(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' positive_data_acceptance, except for a made-up `cursor`: a cursor is opaque,
    valid only when the service issued it, which no schema can say."""
    if "cursor" in (case.query or {}):
        return None
    return positive_data_acceptance(ctx, response, case)  # type: ignore[no-any-return]


def integral_floats_as_ints(value: Any) -> Any:
    """JSON Schema counts 330.0 as an integer; the service's strict JSON types do not (points are
    integers, and a float is not one), so generated integers are sent as integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: integral_floats_as_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [integral_floats_as_ints(item) for item in value]
    return value


def no_server_error_but_transient(ctx: Any, response: Any, case: Any) -> bool | None:
    """Never a 500 for bad input: a 5xx is only a transient fault the platform retries."""
    if response.status_code >= 500 and response.status_code not in TRANSIENT:
        raise AssertionError(
            f"{response.status_code} for {case.method} {case.formatted_path}: {response.text}"
        )
    return None


def errors_are_json_with_error_and_message(ctx: Any, response: Any, case: Any) -> bool | None:
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body, dict), body
        assert isinstance(body.get("error"), str), body
        assert isinstance(body.get("message"), str), body
    return None


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays reproducible
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_local_server_keeps_the_contract(case: Any, local_server: LocalServer) -> None:
    if isinstance(case.body, dict | list):
        case.body = integral_floats_as_ints(case.body)
    response = case.call(base_url=local_server.url, auth=SignedAsTheContractSays(), timeout=30)
    case.validate_response(
        response,
        checks=[
            no_server_error_but_transient,
            errors_are_json_with_error_and_message,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            rejects_invalid_data,
            accepts_valid_data,
        ],
    )
