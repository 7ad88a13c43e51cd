"""Schemathesis against the local server: generated requests from openapi.yaml, answers held to it.

Webhook bodies are signed, balance requests carry the path's customer token and back-office
requests a local merchant token for the path's store (a requests auth hook, applied to the bytes
actually sent), so generation reaches the schema (422), JSON and state paths, not only the 401
that an unsigned request gets. What must hold for every request: no 500
ever (a 5xx is only the transient 503), every error a JSON body with `error` and `message`, and
every status, content type and body documented in openapi.yaml.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
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
ADMIN_PATH = re.compile(r"^/admin/stores/(?P<store>[^/]+)(/|$)")

schema = schemathesis.openapi.from_path(OPENAPI_PATH)


class SignedAsTheContractSays(requests.auth.AuthBase):
    """Sign webhook bodies with the webhook secret; give balance lookups their customer's token and
    back-office requests a token of a merchant of the path's store.

    Only where the generated request carries the credential at all: a negative case that leaves
    it out must still be answered 401.
    """

    def __init__(self, merchant_token: Callable[[str], str]) -> None:
        self.merchant_token = merchant_token

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
        admin = ADMIN_PATH.match(path)
        if admin and "Authorization" in request.headers:
            request.headers["Authorization"] = f"Bearer {self.merchant_token(unquote(admin['store']))}"
        return request


def accepts_valid_data(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' positive_data_acceptance, except for a made-up `cursor` (a cursor is opaque,
    valid only when the service issued it) and an activity range that runs backwards or over more
    than 366 days (a relation between `from` and `to`), and a CSV file's text (readable CSV with
    a `customer_id` header is a file format, not a string schema), a webhook endpoint's URL that
    the request-forgery guard refuses (an internal name or address: `refused_url`, judged by the
    address, not the text), and a program's tiers whose ids repeat or whose thresholds do not
    increase, ways to earn or campaigns whose ids repeat, a second sign-up or birthday way, a
    campaign that ends before it starts or whose time leaves the years 1 to 9999 in UTC (relations
    between items and fields): no schema can say any of these."""
    if case.path.endswith("/webhook-endpoints") and _refused_url(response):
        return None
    query = case.query or {}
    if "cursor" in query or (case.path.endswith("/activity") and not _a_chart_range(query)):
        return None
    if case.path.endswith("/program") and not (
        _tiers_in_order(case.body) and _earn_relations_hold(case.body)
    ):
        return None
    if getattr(case, "media_type", None) == "text/csv":
        return None
    return positive_data_acceptance(ctx, response, case)  # type: ignore[no-any-return]


def _refused_url(response: Any) -> bool:
    if response.status_code != 422:
        return False
    details = response.json().get("details") or []
    return any(isinstance(detail, dict) and detail.get("type") == "refused_url" for detail in details)


def _tiers_in_order(body: Any) -> bool:
    tiers = body.get("tiers") if isinstance(body, dict) else None
    if not isinstance(tiers, list) or not all(isinstance(tier, dict) for tier in tiers):
        return True  # not a matter of the relation: the schema's own checks apply
    ids = [tier.get("id") for tier in tiers]
    thresholds = [tier.get("threshold") for tier in tiers]
    if not all(isinstance(threshold, int) for threshold in thresholds) or not all(
        isinstance(i, str) for i in ids
    ):
        return True
    return len(set(ids)) == len(ids) and all(b > a for a, b in itertools.pairwise(thresholds))


def _earn_relations_hold(body: Any) -> bool:
    if not isinstance(body, dict):
        return True
    ways = body.get("ways_to_earn")
    if isinstance(ways, list) and all(isinstance(way, dict) for way in ways):
        ids = [way.get("id") for way in ways]
        kinds = [way.get("kind") for way in ways]
        if len(set(map(str, ids))) != len(ids) or kinds.count("signup") > 1 or kinds.count("birthday") > 1:
            return False
    campaigns = body.get("campaigns")
    if not isinstance(campaigns, list) or not all(isinstance(campaign, dict) for campaign in campaigns):
        return True
    if len({str(campaign.get("id")) for campaign in campaigns}) != len(campaigns):
        return False
    for campaign in campaigns:
        try:
            starts = datetime.fromisoformat(str(campaign["starts_at"])).astimezone(UTC)
            ends = datetime.fromisoformat(str(campaign["ends_at"])).astimezone(UTC)
        except OverflowError:
            return False
        except (KeyError, ValueError, TypeError):
            continue  # not a matter of the relation: the schema's own checks apply
        if ends <= starts:
            return False
    return True


def _a_chart_range(query: dict[str, Any]) -> bool:
    try:
        first, last = date.fromisoformat(str(query["from"])), date.fromisoformat(str(query["to"]))
    except (KeyError, ValueError):
        return True  # not a matter of the range: the schema's own checks apply
    return 0 <= (last - first).days < 366


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
def test_the_local_server_keeps_the_contract(case: Any, local_server: LocalServer, admin_token: Any) -> None:
    if isinstance(case.body, dict | list):
        case.body = integral_floats_as_ints(case.body)
    auth = SignedAsTheContractSays(lambda store: admin_token(local_server, store))
    response = case.call(base_url=local_server.url, auth=auth, timeout=30)
    case.validate_response(
        response,
        checks=[
            no_server_error_but_transient,
            errors_are_json_with_error_and_message,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            negative_data_rejection,
            accepts_valid_data,
        ],
    )
