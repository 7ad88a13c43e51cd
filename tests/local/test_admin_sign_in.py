"""Merchant sign-in under the local server: the back office behind the template's Cognito authorizer,
with tokens of the local issuer, as API Gateway guards it in AWS (docs/merchant-access.md)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from loyalty_dev.local.authorizers import (
    CognitoAuthorizer,
    GatewayResponse,
    LocalGate,
    NotAuthorized,
    RouteGuard,
    cognito_authorizers,
)
from loyalty_dev.local.issuer import LocalIssuer, Merchant, issuer_url
from loyalty_dev.local.server import FunctionPool, LocalApi, LocalServer
from loyalty_dev.template import Function, Route, load_template
from tests.local.client import Reply, call
from tests.support import order_event, sign

ECHO_ROOT = Path(__file__).parent / "echo_function"
AUTHORIZER = cognito_authorizers(load_template())[0]
CLIENT_ID = sorted(AUTHORIZER.client_ids)[0]
ADMIN_ROUTES = sorted(
    (route.method, route.path) for route in load_template().routes() if route.path.startswith("/admin/")
)

Mint = Callable[..., str]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def admin(server: LocalServer, method: str, path: str, token: str | None, body: Any = None) -> Reply:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    return call(method, f"{server.url}{path}", headers=headers, body=data)


def with_order(server: LocalServer, store: str) -> None:
    body = json.dumps(order_event("1001", "c-42", "49.90", store_id=store)).encode()
    headers = {"Content-Type": "application/json", "X-Loyalty-Signature": sign(body)}
    assert call("POST", f"{server.url}/webhooks/order-created", headers=headers, body=body).status == 200


def test_every_admin_route_refuses_a_request_without_a_token_with_401(local_server: LocalServer) -> None:
    store = unique("store")
    for method, path in ADMIN_ROUTES:
        concrete = path.replace("{store_id}", store).replace("{customer_id}", "c-42")

        reply = admin(local_server, method, concrete, None, {} if method in {"POST", "PUT"} else None)

        assert reply.status == 401, (method, path, reply.body)
        assert reply.json() == {"error": "unauthorized", "message": "a valid merchant token is required"}
        assert reply.headers["Content-Type"] == "application/json"
        assert reply.headers["WWW-Authenticate"] == "Bearer"


def test_a_stores_token_opens_that_store_only_and_an_operators_opens_both(
    local_server: LocalServer, admin_token: Mint
) -> None:
    store_a, store_b = unique("a"), unique("b")
    with_order(local_server, store_a)
    with_order(local_server, store_b)
    merchant_of_a = admin_token(local_server, store_a)
    operator = admin_token(local_server, operator=True)

    own = admin(local_server, "GET", f"/admin/stores/{store_a}/customers/c-42", merchant_of_a)
    other = admin(local_server, "GET", f"/admin/stores/{store_b}/customers/c-42", merchant_of_a)
    other_write = admin(
        local_server,
        "POST",
        f"/admin/stores/{store_b}/customers/c-42/points",
        merchant_of_a,
        {"amount": 5, "reason": "try"},
    )
    as_operator = [
        admin(local_server, "GET", f"/admin/stores/{store}/customers/c-42", operator)
        for store in (store_a, store_b)
    ]

    assert (own.status, own.json()["customer_id"]) == (200, "c-42")
    assert other.status == 403
    assert other.json()["error"] == "forbidden"
    assert other_write.status == 403
    assert [reply.status for reply in as_operator] == [200, 200]
    assert as_operator[1].json()["points"]["adjusted"] == 0  # the forbidden write wrote nothing


def test_a_merchant_of_several_stores_opens_each_of_them(
    local_server: LocalServer, admin_token: Mint
) -> None:
    store_a, store_b = unique("a"), unique("b")
    token = admin_token(local_server, store_a, store_b)

    for store in (store_a, store_b):
        assert admin(local_server, "GET", f"/admin/stores/{store}/overview", token).status == 200
    assert admin(local_server, "GET", f"/admin/stores/{unique('c')}/overview", token).status == 403


@pytest.mark.parametrize(
    "problem",
    [
        "expired",
        "expired-seconds-ago",
        "foreign-signed",
        "another-client",
        "another-issuer",
        "an-access-token",
        "no-kid",
        "garbage",
        "HS256",
    ],
)
def test_an_invalid_token_is_401_before_the_function_runs(
    local_server: LocalServer, admin_token: Mint, local_issuer: LocalIssuer, tmp_path: Path, problem: str
) -> None:
    store = unique("store")
    now = int(time.time())
    issuer = issuer_url(local_server.url, AUTHORIZER.user_pool)
    merchant = Merchant("m@example.com", (f"store:{store}",))
    if problem == "expired":
        token = admin_token(local_server, store, now=now - 3600, ttl=60)
    elif problem == "expired-seconds-ago":  # no leeway past exp, as for customer tokens
        token = admin_token(local_server, store, now=now - 62, ttl=60)
    elif problem == "foreign-signed":
        token = admin_token(local_server, store, issuer=LocalIssuer(tmp_path / "elsewhere"))
    elif problem == "another-client":
        token = local_issuer.mint(merchant, issuer=issuer, client_id="SomeOtherClient", now=now)
    elif problem == "another-issuer":
        token = local_issuer.mint(merchant, issuer=issuer + "-x", client_id=CLIENT_ID, now=now)
    elif problem == "garbage":
        token = "not.a.jwt"
    else:
        claims = jwt.decode(admin_token(local_server, store), options={"verify_signature": False})
        if problem == "an-access-token":
            claims["token_use"] = "access"
            token = reissue(local_issuer, claims)
        elif problem == "no-kid":
            token = jwt.encode(claims, local_issuer._key, algorithm="RS256")
        else:  # the public key's bytes as an HMAC secret: the classic algorithm confusion
            token = hs256_with_the_public_key(local_issuer, claims)

    reply = admin(local_server, "GET", f"/admin/stores/{store}/overview", token)

    assert reply.status == 401, reply.body
    assert reply.json()["error"] == "unauthorized"


def hs256_with_the_public_key(issuer: LocalIssuer, claims: dict[str, Any]) -> str:
    """Built by hand: PyJWT itself refuses to HMAC-sign with an asymmetric key."""

    def encoded(part: bytes) -> str:
        return base64.urlsafe_b64encode(part).decode().rstrip("=")

    header = encoded(json.dumps({"alg": "HS256", "typ": "JWT", "kid": issuer.key_id}).encode())
    payload = encoded(json.dumps(claims).encode())
    public = issuer._key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    mac = hmac.new(public, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{encoded(mac)}"


def reissue(issuer: LocalIssuer, claims: dict[str, Any]) -> str:
    return jwt.encode(claims, issuer._key, algorithm="RS256", headers={"kid": issuer.key_id})


def test_the_token_may_come_with_or_without_the_bearer_scheme(
    local_server: LocalServer, admin_token: Mint
) -> None:
    store = unique("store")
    token = admin_token(local_server, store)

    raw = call("GET", f"{local_server.url}/admin/stores/{store}/overview", headers={"Authorization": token})
    empty = call(
        "GET", f"{local_server.url}/admin/stores/{store}/overview", headers={"Authorization": "Bearer "}
    )

    assert raw.status == 200
    assert empty.status == 401


def test_the_server_serves_the_issuers_keys_which_verify_its_tokens(
    local_server: LocalServer, admin_token: Mint
) -> None:
    issuer = issuer_url(local_server.url, AUTHORIZER.user_pool)
    reply = call("GET", f"{issuer}/.well-known/jwks.json")
    token = admin_token(local_server, "acme")

    keys = jwt.PyJWKSet.from_dict(reply.json())
    key = keys[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=CLIENT_ID, issuer=issuer)

    assert reply.status == 200
    assert {"kty", "n", "e", "kid"} <= reply.json()["keys"][0].keys()
    assert "d" not in reply.json()["keys"][0]  # the public half only
    assert claims["cognito:groups"] == ["store:acme"]
    assert claims["token_use"] == "id"


def test_the_webhooks_and_the_balance_stay_outside_the_authorizer(local_server: LocalServer) -> None:
    routes = load_template().routes()

    assert {route.authorizer for route in routes if route.path.startswith("/admin/")} == {AUTHORIZER.name}
    assert {route.authorizer for route in routes if not route.path.startswith("/admin/")} == {None}


# -- the claims the function gets, with a stand-in function ---------------------------------------


@pytest.fixture
def guarded_echo(tmp_path: Path) -> Iterator[tuple[Client, LocalIssuer]]:
    search_path = os.pathsep.join(filter(None, [str(ECHO_ROOT), os.environ.get("PYTHONPATH")]))
    environment = {**os.environ, "PYTHONPATH": search_path}
    function = Function("EchoFunction", ECHO_ROOT, "app.lambda_handler", {})
    pool = FunctionPool(function, environment, timeout=5, max_workers=1)
    issuer = LocalIssuer(tmp_path / "issuer")
    guard = RouteGuard(
        {"Guard": CognitoAuthorizer("Guard", "Pool", frozenset({"Client"}))},
        GatewayResponse(401, '{"error": "unauthorized", "message": "no"}'),
        issuer,
        "http://localhost",
    )
    routes = [
        Route("POST", "/guarded", "EchoFunction", authorizer="Guard"),
        Route("POST", "/iam", "EchoFunction", authorizer="AWS_IAM"),
    ]
    api = LocalApi(routes, {"EchoFunction": pool}, "v1", guard=guard)
    yield Client(api), issuer
    pool.close()


def test_the_function_gets_the_claims_as_strings_as_a_rest_api_passes_them(
    guarded_echo: tuple[Client, LocalIssuer],
) -> None:
    client, issuer = guarded_echo
    token = issuer.mint(
        Merchant("Ann@Example.com", ("operators", "store:acme")),
        issuer="http://localhost/local-cognito/Pool",
        client_id="Client",
        now=int(time.time()),
    )

    reply = client.post("/guarded", json={"id": 1}, headers={"Authorization": f"Bearer {token}"})
    claims = reply.get_json()["authorizer"]["claims"]

    assert reply.status_code == 200
    assert all(isinstance(value, str) for value in claims.values())
    assert claims["cognito:groups"] == "operators,store:acme"
    assert claims["email"] == "Ann@Example.com"
    assert claims["email_verified"] == "true"
    assert claims["token_use"] == "id"
    assert claims["aud"] == "Client"
    assert time.strptime(claims["exp"], "%a %b %d %H:%M:%S UTC %Y")  # as "Tue Nov 24 10:00:00 UTC 2026"


def test_a_route_behind_an_authorizer_the_local_server_cannot_check_is_closed(
    guarded_echo: tuple[Client, LocalIssuer],
) -> None:
    client, _ = guarded_echo

    assert client.post("/iam", json={}).status_code == 401
    assert client.post("/guarded", json={}).get_json() == {"error": "unauthorized", "message": "no"}


# -- whatever arrives in the header, the gate answers 401 or lets a valid token through --------------

GATE_ISSUER_URL = "http://localhost"


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory) -> LocalGate:
    return LocalGate(LocalIssuer(tmp_path_factory.mktemp("gate-issuer")), GATE_ISSUER_URL)


def segment(document: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
headers_of_tokens = st.one_of(
    st.text(max_size=200),
    st.builds(lambda text: f"Bearer {text}", st.text(max_size=200)),
    st.builds(
        lambda header, payload, signature: f"Bearer {segment(header)}.{segment(payload)}.{signature}",
        st.dictionaries(st.sampled_from(["alg", "kid", "typ", "crit"]), json_values, max_size=4),
        st.dictionaries(
            st.sampled_from(["iss", "aud", "exp", "iat", "token_use", "cognito:groups"]),
            json_values,
            max_size=6,
        ),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEF0123456789-_", max_size=40),
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=headers_of_tokens)
def test_any_header_that_is_not_a_valid_token_is_refused_as_not_authorized(
    gate: LocalGate, header: str
) -> None:
    authorizer = CognitoAuthorizer("Guard", "Pool", frozenset({"Client"}))
    with pytest.raises(NotAuthorized):
        gate.claims(authorizer, {"authorization": header})
