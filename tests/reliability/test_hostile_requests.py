"""Property-based hostile requests on every route of template.yaml: what a stranger controls outside
the body (headers in any casing, query strings, path ids, the base64 flag) is generated, not listed.

Each example starts from a request that would be accepted (valid ids, body and credentials) and
makes exactly one part of it hostile, so it must be refused: a 4xx with a JSON error body, never a
5xx, and nothing written. Routes are read from the template, so a new route is covered at once (and
a route of a new kind fails `kind_of` until its credentials are taught here).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty.http.admin.access import groups_of, may_act_on
from loyalty.http.platforms.shopify import proxy_signature
from loyalty.http.request_bounds import MAX_HEADER_VALUE, MAX_PATH_PARAMETER, MAX_QUERY_VALUE
from loyalty.runtime import MessageQueue
from loyalty_dev.engines.moto_server import moto_server
from loyalty_dev.local.apigw import LambdaContext, rest_event
from loyalty_dev.template import Route, load_template
from tests import shopify_payloads as payloads
from tests import wix_payloads as wix
from tests.harness.in_process import Answer, load_handler, to_answer
from tests.imports_support import make_transfers
from tests.support import (
    SHOPIFY_SECRET,
    STORE,
    TOKEN_SECRET,
    Service,
    invitation_event,
    merchant_claims,
    order_event,
    refund_event,
    registration_event,
    sign,
    token_for,
)

pytestmark = pytest.mark.dynamodb_local

ROUTES = sorted(load_template().routes(), key=lambda route: (route.path, route.method))
CUSTOMER = "c-42"
IDENTIFIER = re.compile(r"[A-Za-z0-9._:@-]{1,128}")
STORE_ID = re.compile(r"[A-Za-z0-9._@-]{1,128}")
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,128}")
# the back-office routes that read limit and cursor
PAGED = ("/customers", "/transactions", "/data-requests")


@pytest.fixture(autouse=True)
def redaction_queue(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """DynamoDB Local has no SQS: shop/redact's queue records what it is sent."""
    sent: list[str] = []
    monkeypatch.setenv(
        "LOYALTY_SHOP_REDACTION_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/1/ShopRedactionQueue"
    )
    monkeypatch.setattr(MessageQueue, "send", lambda _, body, delay_seconds=0: sent.append(body))
    return sent


def kind_of(route: Route) -> str:
    if route.path == "/stores/{store_id}/program" and route.method == "GET":
        return "public"  # the panel's program: no credential, so no credential to tamper with
    if route.path.startswith("/webhooks/shopify/"):
        return "shopify"
    if route.path.startswith("/webhooks/wix/"):
        return "wix"  # the body is the credential: a JWT signed RS256 with the Wix app's key
    if route.path.startswith("/webhooks/"):
        return "signed"
    if route.path.startswith("/proxy/shopify/"):  # Shopify's app proxy signs the query
        return "proxy"
    if route.path.startswith("/stores/"):
        return "storefront"
    if route.path.startswith("/admin/"):
        return "admin"
    raise AssertionError(
        f"{route.method} {route.path}: a new kind of route; teach this suite its credentials"
    )


def test_every_route_of_the_template_has_a_known_kind() -> None:
    assert ROUTES
    for route in ROUTES:
        kind_of(route)


# Hostile values ------------------------------------------------------------------------------------

texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=5),
    st.integers(min_value=-(10**500), max_value=10**500).map(str),
    st.text(min_size=1, max_size=4).map(lambda text: text * 600),
    st.sampled_from(
        ["", " ", "\x00", "null", "-1", "1e999", "NaN", "١٢٣", "%00", "%2F", "../..", "a,b", "=,=,"]
    ),
)
huge = st.integers(min_value=MAX_HEADER_VALUE + 1, max_value=3 * MAX_HEADER_VALUE).map(lambda n: "x" * n)
hex64 = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)


def casings(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from([name, name.lower(), name.upper()])


signature_values = st.one_of(
    texts,
    huge,
    st.builds(
        lambda timestamp, macs, other: ",".join([f"t={timestamp}", *(f"v1={mac}" for mac in macs), *other]),
        st.one_of(st.integers(min_value=-(10**400), max_value=10**400).map(str), texts),
        st.lists(st.one_of(hex64, texts), max_size=40),
        st.lists(texts, max_size=3),
    ),
    st.integers(min_value=1, max_value=5000).map(lambda n: f"t={int(time.time())}," + "v1=,"),
)


def forged_token(claims: dict[str, Any], how: str) -> str:
    if how == "none":
        head = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
        body = base64.urlsafe_b64encode(json.dumps(claims, default=str).encode()).rstrip(b"=").decode()
        return f"{head}.{body}."
    key = TOKEN_SECRET if how == "right-key" else "another-key-of-at-least-32-bytes-0000"
    return jwt.encode(claims, key, algorithm="HS256")


claim_values = st.one_of(
    texts, st.integers(min_value=-(10**40), max_value=10**40), st.floats(), st.none(), st.lists(st.integers())
)
authorizations = st.one_of(
    texts,
    huge,
    texts.map(lambda text: f"Bearer {text}"),
    st.builds(
        lambda sub, exp, extra, how: f"Bearer {forged_token({'sub': sub, 'exp': exp, **extra}, how)}",
        # a right key signs only a subject that is not this customer's: the token must still fail
        st.one_of(texts, claim_values).filter(lambda sub: sub != f"{STORE}:{CUSTOMER}"),
        st.one_of(claim_values, st.just(int(time.time()) + 600)),
        st.dictionaries(st.text(max_size=8), claim_values, max_size=3),
        st.sampled_from(["none", "wrong-key", "right-key"]),
    ),
)
bad_ids = st.one_of(texts, st.text(min_size=129, max_size=300)).filter(
    # an empty or slashed segment is another route's path, not a hostile id of this one
    lambda text: bool(text) and not IDENTIFIER.fullmatch(text) and "/" not in text
)
bad_store_ids = st.one_of(
    bad_ids, st.text(alphabet="abc:", min_size=1, max_size=20).filter(lambda t: ":" in t)
)


def bad_limit() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(min_value=-(10**30), max_value=0).map(str),
        st.integers(min_value=101, max_value=10**4000).map(str),
        st.text(alphabet="abcxyz!#., ", min_size=1, max_size=20),
        st.sampled_from(["1e3", "١٠", "0x10", "5.5", "", "None"]),
    )


def bad_cursor() -> st.SearchStrategy[str]:
    def encoded(document: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")

    json_values = st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=8,
    )
    return st.one_of(
        st.text(min_size=1, max_size=40).map(lambda text: "!" + text),
        st.integers(min_value=MAX_QUERY_VALUE + 1, max_value=2 * MAX_QUERY_VALUE).map(lambda n: "A" * n),
        json_values.filter(lambda value: not isinstance(value, dict)).map(encoded),
        st.dictionaries(
            st.text(max_size=10).map(lambda key: "x" + key), json_values, min_size=1, max_size=3
        ).map(encoded),
        st.integers(min_value=1000, max_value=3000).map(
            lambda n: base64.urlsafe_b64encode(b"[" * n + b"]" * n).decode()
        ),
    )


# Requests ------------------------------------------------------------------------------------------


WIX_EVENTS = {
    "/webhooks/wix/orders": ("wix.ecom.v1.order_approved", wix.order_approved_event(wix.visitor_order())),
    "/webhooks/wix/members": ("wix.members.v1.member_created", wix.member_created_event(wix.member())),
}


def wix_forgery(route: Route) -> st.SearchStrategy[str]:
    """Bodies of a Wix route that Wix did not sign: any text, a token of another key, `alg: none`."""
    event_type, event = WIX_EVENTS[route.path]
    other_key = wix.signed(event_type, event, key=wix.OTHER_PRIVATE_KEY_PEM)
    unsigned = jwt.encode(wix.claims(event_type, event), None, algorithm="none")
    return st.one_of(texts, huge, st.just(other_key), st.just(unsigned), st.just(other_key + "."))


def webhook_body(route: Route) -> bytes:
    if route.path in WIX_EVENTS:
        return wix.signed(*WIX_EVENTS[route.path]).encode()
    canonical = {
        "/webhooks/order-created": order_event("2001", CUSTOMER, has_account=True),
        "/webhooks/member-registered": registration_event("c-77", "zoe@example.com"),
        "/webhooks/invitation-accepted": invitation_event("c-7", CUSTOMER),
        "/webhooks/order-refunded": refund_event("rf-9", "1001", "1.00"),
        "/webhooks/shopify/orders-create": payloads.orders_create(),
        "/webhooks/shopify/customers-create": payloads.customer(),
        "/webhooks/shopify/customers-update": payloads.customer(),
        "/webhooks/shopify/refunds-create": payloads.refunds_create(),
        "/webhooks/shopify/customers-data-request": payloads.customers_data_request(),
        "/webhooks/shopify/customers-redact": payloads.customers_redact(),
        "/webhooks/shopify/shop-redact": payloads.shop_redact(),
        "/webhooks/action-completed": {
            "event_id": "evt-action-1",
            "store_id": STORE,
            "occurred_at": "2026-11-20T10:00:00Z",
            "action": {"id": "review", "customer_id": CUSTOMER, "reference": "review-1"},
        },
    }
    document: Any = canonical.get(route.path, {"amount": 5, "reason": "gift", "balance": 1, "revision": 1})
    if route.path.endswith("/redemptions"):
        document = {"points": 1, "reward": "gift"}
        if route.path.startswith("/stores/"):  # the storefront redeems catalog rewards only
            document = {"reward_id": "ten-off"}
    if route.path.endswith(("/rewards", "/rewards/{reward_id}")):
        document = {"name": "Free shipping", "points": 10, "kind": "free_shipping"}
        if route.path.endswith("/rewards"):
            document["id"] = "ten-off"
    if route.path.endswith("/use"):
        document = {"order_id": "1002"}
    if route.path.endswith("/program"):
        document = {"active": True, "points_per_currency_unit": "1", "guests_earn_points": True}
    if route.path.endswith("/birthday"):
        document = {"birthday": "02-29"}
    if route.path.endswith("/webhook-endpoints"):
        document = {"url": "https://hooks.example.com/loyalty", "events": ["*"]}
    return json.dumps(document).encode()


def proxy_query(**changes: list[str]) -> dict[str, list[str]]:
    query = {
        "shop": [STORE],
        "logged_in_customer_id": [CUSTOMER],
        "path_prefix": ["/apps/loyalty"],
        "timestamp": [str(int(time.time()))],
        **changes,
    }
    return {**query, "signature": [proxy_signature(SHOPIFY_SECRET.encode(), query)]}


def accepted_request(route: Route) -> dict[str, Any]:
    """The parts of a request the route would accept: ids, headers, query, body."""
    known = {
        "store_id": STORE,
        "import_id": "imp_" + "0" * 32,
        "export_id": "exp_" + "0" * 32,
        "endpoint_id": "we_" + "0" * 16,
    }
    ids = {name: known.get(name, CUSTOMER) for name in re.findall(r"\{(\w+)\}", route.path)}
    headers = {"Content-Type": "application/json"}
    query: dict[str, list[str]] = {}
    body = webhook_body(route) if route.method != "GET" else None
    kind = kind_of(route)
    if kind == "signed":
        assert body is not None
        headers["X-Loyalty-Signature"] = sign(body)
    elif kind == "shopify":
        assert body is not None
        mac = hmac.new(SHOPIFY_SECRET.encode(), body, hashlib.sha256).digest()
        headers.update(
            {
                "X-Shopify-Hmac-Sha256": base64.b64encode(mac).decode(),
                "X-Shopify-Shop-Domain": STORE,
                "X-Shopify-Webhook-Id": "w-1",
            }
        )
    elif kind == "wix":
        headers["Content-Type"] = "text/plain"
    elif kind == "proxy":
        query = proxy_query()
    elif kind == "storefront":
        headers["Authorization"] = f"Bearer {token_for(STORE, CUSTOMER)}"
        if route.method == "POST":
            headers["Idempotency-Key"] = "key-1"  # required on the storefront's redemption
    claims = None
    if kind == "admin":
        # What the Cognito authorizer hands on; an operator, so hostile ids reach validation.
        claims = merchant_claims(["operators"])
        if route.method != "GET":
            headers["Idempotency-Key"] = "key-1"
        if route.path.endswith("/activity"):
            query = {"from": ["2026-11-01"], "to": ["2026-11-30"]}  # the chart's range is required
        if route.path.endswith("/imports") and route.method == "POST":
            query = {"mode": ["add"]}
            body = json.dumps({"upload_id": "upl_" + "0" * 32}).encode()  # an upload never made: fails later
    return {"ids": ids, "headers": headers, "query": query, "body": body, "base64": False, "claims": claims}


@st.composite
def hostile_requests(draw: st.DrawFn) -> tuple[Route, str, dict[str, Any]]:
    route = draw(st.sampled_from(ROUTES))
    request = accepted_request(route)
    kind = kind_of(route)
    dimensions = ["oversized", "not-unicode"]
    if request["ids"]:
        dimensions.append("path-id")
    if route.method != "GET":
        dimensions.append("base64")
    if route.method == "OPTIONS":
        # A CORS preflight reads no credential and no body (a browser sends neither): only what
        # every request is judged on before routing, and the path's ids.
        dimensions = [dimension for dimension in dimensions if dimension != "base64"]
        kind = "preflight"
    dimensions += {
        "preflight": [],
        "public": [],
        "signed": ["signature", "signature-twice"],
        "shopify": ["shopify-hmac", "shopify-hmac-twice"],
        "wix": ["wix-token"],
        "proxy": ["proxy-query"],
        "storefront": ["authorization", "authorization-twice"]
        + (["idempotency-key"] if route.method == "POST" else []),
        "admin": (["admin-query"] if route.path.endswith(PAGED) and route.method == "GET" else [])
        + (["idempotency-key"] if route.method != "GET" else [])
        + ["merchant-groups"],
    }[kind]
    dimension = draw(st.sampled_from(dimensions))
    headers: dict[str, str] = request["headers"]
    query: dict[str, list[str]] = request["query"]

    if dimension == "oversized":
        where = draw(st.sampled_from(["header", "query", "path"] if request["ids"] else ["header", "query"]))
        if where == "header":
            headers[draw(st.sampled_from(["X-Anything", *headers]))] = draw(huge)
        elif where == "query":
            query = {**query, draw(st.sampled_from(["cursor", "q", "shop"])): [draw(huge)]}
        else:
            name = draw(st.sampled_from(sorted(request["ids"])))
            request["ids"][name] = "c" * draw(st.integers(MAX_PATH_PARAMETER + 1, 3 * MAX_PATH_PARAMETER))
    elif dimension == "not-unicode":
        lone = draw(st.text(max_size=5)) + "\ud800"
        where = draw(st.sampled_from(["header", "query"]))
        if where == "header":
            headers[draw(st.sampled_from(["X-Anything", *headers]))] = lone
        else:
            query = {**query, draw(st.sampled_from(["cursor", "search", "shop"])): [lone]}
    elif dimension == "path-id":
        name = draw(st.sampled_from(sorted(request["ids"])))
        request["ids"][name] = draw(bad_store_ids if name == "store_id" else bad_ids)
    elif dimension == "base64":
        request["base64"] = True
        request["body"] = draw(st.text(min_size=1, max_size=40).filter(_not_base64)).encode()
    elif dimension == "signature":
        headers.pop("X-Loyalty-Signature")
        headers[draw(casings("X-Loyalty-Signature"))] = draw(signature_values)
    elif dimension == "signature-twice":
        headers["x-loyalty-signature"] = draw(signature_values)
    elif dimension == "shopify-hmac":
        headers.pop("X-Shopify-Hmac-Sha256")
        headers[draw(casings("X-Shopify-Hmac-Sha256"))] = draw(st.one_of(texts, huge))
    elif dimension == "shopify-hmac-twice":
        headers["x-shopify-hmac-sha256"] = draw(st.one_of(texts, huge))
    elif dimension == "wix-token":
        request["body"] = draw(wix_forgery(route)).encode("utf-8", "surrogatepass")
    elif dimension == "authorization":
        headers.pop("Authorization")
        headers[draw(casings("Authorization"))] = draw(authorizations)
    elif dimension == "authorization-twice":
        headers["authorization"] = draw(authorizations)
    elif dimension == "proxy-query":
        query = draw(hostile_proxy_queries())
    elif dimension == "admin-query":
        query = draw(hostile_admin_queries(route))
    elif dimension == "merchant-groups":
        # Groups that do not allow the store, in any shape the gateway might pass them.
        groups = draw(
            st.one_of(
                texts,
                st.lists(st.sampled_from(["store:acme2", "Operators", "acme", "store:"]), max_size=3).map(
                    ",".join
                ),
            ).filter(lambda raw: not may_act_on(groups_of({"cognito:groups": raw}), STORE))
        )
        request["claims"] = {**merchant_claims([]), "cognito:groups": groups}
    elif dimension == "idempotency-key":
        headers.pop("Idempotency-Key")
        headers[draw(casings("Idempotency-Key"))] = draw(
            st.one_of(texts, huge).filter(lambda key: not IDEMPOTENCY_KEY.fullmatch(key))
        )
    # Noise: other headers and parameters a stranger adds (they never make a request acceptable).
    for name, value in draw(
        st.dictionaries(st.text(alphabet="abcXYZ-", min_size=1, max_size=12), texts, max_size=3)
    ).items():
        headers.setdefault(f"X-{name}", value)
    request["headers"], request["query"] = headers, query
    return route, dimension, request


def _not_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except ValueError:
        return True
    return False


@st.composite
def hostile_proxy_queries(draw: st.DrawFn) -> dict[str, list[str]]:
    now = int(time.time())
    stale = st.one_of(
        st.integers(min_value=-(10**400), max_value=now - 301),
        st.integers(min_value=now + 301, max_value=10**400),
    ).map(str)
    how = draw(st.sampled_from(["timestamp", "repeated", "signature", "nobody", "shop"]))
    if how == "timestamp":  # correctly signed, yet stale, huge, negative or not a number
        return proxy_query(timestamp=[draw(st.one_of(stale, texts.filter(lambda t: not t.isdigit())))])
    if how == "repeated":
        name = draw(st.sampled_from(["shop", "logged_in_customer_id", "timestamp"]))
        query = proxy_query(**{name: [draw(texts), draw(texts)]})
        if draw(st.booleans()):
            query["signature"] = [*query["signature"], draw(st.one_of(texts, hex64))]
        return query
    if how == "signature":
        return {**proxy_query(), "signature": [draw(st.one_of(texts, hex64, huge))]}
    if how == "nobody":
        return proxy_query(logged_in_customer_id=[""])
    return proxy_query(shop=[draw(bad_store_ids)])


@st.composite
def hostile_admin_queries(draw: st.DrawFn, route: Route) -> dict[str, list[str]]:
    names = ["limit", "cursor"] + (["status", "search"] if route.path.endswith("/customers") else [])
    name = draw(st.sampled_from(names))
    if draw(st.integers(0, 4)) == 0:  # a parameter given twice, even with good values
        good = {"limit": "5", "cursor": "e30", "status": "member", "search": "ann"}[name]
        return {name: [good, draw(st.one_of(st.just(good), texts))]}
    value = {
        "limit": bad_limit(),
        "cursor": bad_cursor(),
        "status": texts.filter(lambda text: text not in {"member", "candidate", "excluded", "merged"}),
        "search": st.one_of(
            st.text(min_size=101, max_size=300).filter(lambda text: len(text.strip()) > 100),
            st.builds(
                lambda a, c, b: a + c + b,
                st.text(max_size=5),
                st.characters(max_codepoint=31),
                st.text(max_size=5),
            ),
            st.just("   "),
        ),
    }[name]
    return {name: [draw(value)]}


def invoke(service: Service, route: Route, request: dict[str, Any]) -> Answer:
    """The event API Gateway would hand the route's function, with the path ids as given."""
    path = route.path
    for name, value in request["ids"].items():
        path = path.replace(f"{{{name}}}", quote(value, safe="", errors="surrogatepass"))
    body = request["body"]
    event = rest_event(
        route.method,
        route.path,
        path,
        headers=request["headers"],
        body=body.decode("utf-8", "surrogatepass") if request["base64"] else body,
        query=request["query"],
        path_parameters=request["ids"],
        claims=request["claims"],
    )
    event["isBase64Encoded"] = request["base64"]
    function = service.api.functions[route.function]
    return to_answer(load_handler(function)(event, LambdaContext(function_name=route.function)))


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@given(hostile_requests())
def test_a_hostile_request_on_any_route_is_a_4xx_json_error_and_writes_nothing(
    service: Service, case: tuple[Route, str, dict[str, Any]]
) -> None:
    route, dimension, request = case
    if not service.snapshot():  # a store with a member and an order: a stray write would show
        assert service.order(order_event("1001", CUSTOMER, has_account=True)).status == 200
    before = service.snapshot()

    answer = invoke(service, route, request)

    assert 400 <= answer.status < 500, (route.method, route.path, dimension, answer.status, answer.body[:300])
    document = answer.json()
    assert isinstance(document["error"], str)
    assert isinstance(document["message"], str)
    assert service.snapshot() == before, (route.method, route.path, dimension)


@pytest.fixture(autouse=True)
def transfers_on_moto(service: Service, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Imports' bucket and queue (moto's server) beside the table on DynamoDB Local."""
    with moto_server() as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
        monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", endpoint)
        make_transfers(service, monkeypatch)
        yield


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_the_accepted_request_of_each_route_is_accepted(service: Service, route: Route) -> None:
    """The property above starts from these: were they refused already, it would prove nothing."""
    assert service.order(order_event("1001", CUSTOMER, has_account=True)).status == 200
    assert service.order(order_event("1002", "c-7")).status == 200  # a guest file for the merge

    answer = invoke(service, route, accepted_request(route))

    assert answer.status < 400 or answer.status in {404, 409}, (answer.status, answer.body[:300])
