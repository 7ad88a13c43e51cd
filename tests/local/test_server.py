"""The local server over real HTTP: the template's routes, API Gateway's events, workers, failures."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from loyalty_dev.local.server import LocalApi, LocalServer
from loyalty_dev.local.workers import FunctionPool, InvocationFailed
from loyalty_dev.template import Function, Route
from tests.local.client import Reply, call
from tests.support import order_event, sign, token_for

ECHO_ROOT = Path(__file__).parent / "echo_function"


def post_order(server: LocalServer, payload: dict[str, object] | bytes, *, signed: bool = True) -> Reply:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if signed:
        headers["X-Loyalty-Signature"] = sign(body)
    return call("POST", f"{server.url}/webhooks/order-created", headers=headers, body=body)


def get_balance(server: LocalServer, store: str, customer: str, *, token: str | None = None) -> Reply:
    headers = {} if token == "" else {"Authorization": f"Bearer {token or token_for(store, customer)}"}
    return call("GET", f"{server.url}/stores/{store}/customers/{customer}/balance", headers=headers)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# -- the service through the local server ---------------------------------------------------------


def test_a_signed_order_earns_points_and_the_balance_shows_them(local_server: LocalServer) -> None:
    store, customer = unique("store"), unique("c")

    first = post_order(local_server, order_event("1001", customer, "49.90", store_id=store))
    again = post_order(
        local_server, order_event("1001", customer, "49.90", store_id=store, event_id="evt-redelivered")
    )
    balance = get_balance(local_server, store, customer)

    assert (first.status, first.json()["status"], first.json()["points_earned"]) == (200, "processed", 49)
    assert first.headers["Content-Type"].startswith("application/json")
    assert (again.status, again.json()["status"]) == (200, "duplicate")
    assert balance.status == 200
    assert balance.json()["points"] == {
        "balance": 49,
        "earned": 49,
        "adjusted": 0,
        "redeemed": 0,
        "expired": 0,
        "pending": 0,
    }
    assert balance.json()["status"] == "candidate"


def test_an_unsigned_or_wrongly_signed_order_is_refused_with_401(local_server: LocalServer) -> None:
    payload = order_event("1", unique("c"))
    body = json.dumps(payload).encode()
    wrong = {
        "Content-Type": "application/json",
        "X-Loyalty-Signature": sign(body, secret="another-secret" * 4),
    }

    unsigned = post_order(local_server, payload, signed=False)
    forged = call("POST", f"{local_server.url}/webhooks/order-created", headers=wrong, body=body)

    assert (unsigned.status, unsigned.json()["error"]) == (401, "unauthorized")
    assert (forged.status, forged.json()["error"]) == (401, "unauthorized")


def test_the_balance_needs_the_customers_own_token(local_server: LocalServer) -> None:
    store, customer = unique("store"), unique("c")

    missing = get_balance(local_server, store, customer, token="")
    someone_else = get_balance(local_server, store, customer, token=token_for(store, "another"))

    assert (missing.status, missing.json()["error"]) == (401, "unauthorized")
    assert someone_else.status == 401


def test_an_unknown_customer_is_404_and_an_unknown_route_is_404_json(local_server: LocalServer) -> None:
    unknown_customer = get_balance(local_server, unique("store"), unique("c"))
    unknown_route = call("GET", f"{local_server.url}/no/such/route")
    wrong_method = call("GET", f"{local_server.url}/webhooks/order-created")

    assert (unknown_customer.status, unknown_customer.json()["error"]) == (404, "not_found")
    for reply in (unknown_route, wrong_method):
        assert reply.status == 404
        assert reply.json()["error"] == "not_found"
        assert reply.headers["Content-Type"] == "application/json"


def test_a_signed_body_that_breaks_the_schema_is_422_and_one_that_is_not_json_is_400(
    local_server: LocalServer,
) -> None:
    bad_amount = order_event("1", unique("c"), "49,90")
    not_utf8 = b"\xff\xfe not json"  # reaches the function in base64 and must still verify

    schema = post_order(local_server, bad_amount)
    garbage = post_order(local_server, not_utf8)

    assert schema.status == 422
    assert schema.json()["error"] == "invalid_request"
    assert ["order", "subtotal"] in [detail["loc"] for detail in schema.json()["details"]]
    assert (garbage.status, garbage.json()["error"]) == (400, "invalid_request")


def test_path_parameters_are_decoded_once_as_api_gateway_does(local_server: LocalServer) -> None:
    store, customer = unique("store"), f"c:{uuid.uuid4().hex[:6]}@shop"
    post_order(local_server, order_event("1", customer, "10", store_id=store))
    token = token_for(store, customer)

    quoted = customer.replace(":", "%3A").replace("@", "%40")
    encoded = call(
        "GET",
        f"{local_server.url}/stores/{store}/customers/{quoted}/balance",
        headers={"Authorization": f"Bearer {token}"},
    )
    invalid = get_balance(local_server, store, "c%20with%20spaces", token=token_for(store, "c with spaces"))

    assert (encoded.status, encoded.json()["customer_id"]) == (200, customer)
    assert (invalid.status, invalid.json()["error"]) == (422, "invalid_request")


def test_concurrent_requests_never_swap_bodies(local_server: LocalServer) -> None:
    """Powertools keeps the current event in class attributes: two events at once through one
    loaded handler would read each other's bodies. Each answer must be about its own request."""
    store = unique("store")
    orders = [(f"o{number}", unique("c"), f"{number + 1}.00") for number in range(16)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(
            pool.map(lambda order: post_order(local_server, order_event(*order, store_id=store)), orders)
        )

    for (_, customer, subtotal), reply in zip(orders, replies, strict=True):
        assert reply.status == 200, reply.body
        assert reply.json()["customer_id"] == customer
        assert reply.json()["points_earned"] == int(float(subtotal))
    pool_of_orders = local_server.pools["OrderCreatedFunction"]
    assert pool_of_orders._count <= pool_of_orders.max_workers


# -- the machinery, with a stand-in function ---------------------------------------------------


def echo_function(root: Path = ECHO_ROOT, name: str = "EchoFunction") -> Function:
    return Function(name=name, code_uri=root, handler="app.lambda_handler", environment={})


@pytest.fixture
def echo_pool() -> FunctionPool:
    import os

    environment = {**os.environ, "PYTHONPATH": str(ECHO_ROOT), "AWS_LAMBDA_FUNCTION_NAME": "EchoFunction"}
    pool = FunctionPool(echo_function(), environment, timeout=2, max_workers=3)
    yield pool  # type: ignore[misc]
    pool.close()


def echo_event(request: dict[str, object]) -> dict[str, object]:
    return {"body": json.dumps(request), "requestContext": {"requestId": str(uuid.uuid4())}}


def test_a_pool_lends_each_event_a_worker_of_its_own(echo_pool: FunctionPool) -> None:
    requests = [{"id": number, "sleep": 0.05} for number in range(30)]

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda request: echo_pool.invoke(echo_event(request)), requests))

    bodies = [json.loads(result["body"]) for result in results]
    assert [body["id"] for body in bodies] == list(range(30))
    assert len({body["pid"] for body in bodies}) <= 3  # never more environments than allowed
    assert echo_pool._count <= 3


def test_a_failing_or_slow_function_is_a_502_and_the_pool_recovers(echo_pool: FunctionPool) -> None:
    api = LocalApi([Route("POST", "/echo", "EchoFunction")], {"EchoFunction": echo_pool}, "v1")
    from werkzeug.test import Client

    client = Client(api)

    raised = client.post("/echo", json={"raise": True})
    malformed = client.post("/echo", json={"malformed": True})
    started = time.monotonic()
    timed_out = client.post("/echo", json={"sleep": 30})
    took = time.monotonic() - started
    fine = client.post("/echo?a=1&a=2", json={"id": "after"})

    for reply in (raised, malformed, timed_out):
        assert reply.status_code == 502
        assert reply.get_json()["error"] == "bad_gateway"
    assert "timed out" in timed_out.get_json()["message"]
    assert took < 10
    assert fine.status_code == 200
    assert fine.get_json()["id"] == "after"
    assert fine.get_json()["query"] == {"a": ["1", "2"]}
    assert fine.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    assert fine.headers["X-Echo"] == "1"


def test_a_handler_that_cannot_load_answers_502_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("raise ImportError('broken on purpose')\n")
    pool = FunctionPool(
        echo_function(tmp_path, "BrokenFunction"), {"PYTHONPATH": str(tmp_path)}, timeout=5, max_workers=1
    )
    try:
        with pytest.raises(InvocationFailed, match="broken on purpose"):
            pool.invoke(echo_event({}))
    finally:
        pool.close()


def test_changed_code_is_picked_up_by_the_next_event(tmp_path: Path) -> None:
    import os

    (tmp_path / "app.py").write_text((ECHO_ROOT / "app.py").read_text())
    pool = FunctionPool(
        echo_function(tmp_path), {**os.environ, "PYTHONPATH": str(tmp_path)}, timeout=5, max_workers=1
    )
    try:
        before = json.loads(pool.invoke(echo_event({}))["body"])["pid"]
        time.sleep(1.1)  # file times have a granularity; the pool looks at most once a second
        (tmp_path / "app.py").touch()
        after = json.loads(pool.invoke(echo_event({}))["body"])["pid"]
    finally:
        pool.close()
    assert before != after
