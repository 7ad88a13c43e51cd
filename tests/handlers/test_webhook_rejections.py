"""Every rejected webhook answers a JSON error in the contract's order (401, 400, 422) and writes nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from tests.support import Service, order_event, sign

PATH = "/webhooks/order-created"


def rejected(service: Service, body: bytes, headers: dict[str, str], status: int, error: str) -> dict:
    before = service.snapshot()
    answer = service.post(PATH, body, headers=headers, signed=False)
    assert answer.status == status, answer.body
    assert answer.headers["Content-Type"] == "application/json"
    document = answer.json()
    assert document["error"] == error
    assert document["message"]
    assert service.snapshot() == before
    return document


BODY = json.dumps(order_event()).encode()


@pytest.mark.parametrize(
    "make_header",
    [
        lambda: None,
        lambda: "",
        lambda: "garbage",
        lambda: "v1=" + "0" * 64,
        lambda: "t=abc,v1=" + "0" * 64,
        lambda: f"t={int(time.time())}",
        lambda: f"t={int(time.time())},t={int(time.time())},v1=" + "0" * 64,
        lambda: f"t={int(time.time())},v1=" + "0" * 64,
        lambda: f"t={int(time.time())},v1=XYZ",
        lambda: sign(BODY, secret="another-secret-of-at-least-32-bytes-long"),
        lambda: sign(BODY, timestamp=int(time.time()) - 301),
        lambda: sign(BODY, timestamp=int(time.time()) + 900),
        lambda: sign(BODY + b" "),
        lambda: "t=１２３,v1=" + "0" * 64,
    ],
    ids=[
        "missing",
        "empty",
        "garbage",
        "no-timestamp",
        "non-numeric-timestamp",
        "no-v1",
        "two-timestamps",
        "wrong-mac",
        "non-hex-mac",
        "other-secret",
        "stale",
        "future",
        "other-body",
        "unicode-digits",
    ],
)
def test_a_missing_wrong_or_stale_signature_is_401(
    service: Service, make_header: Callable[[], str | None]
) -> None:
    # Built when the test runs, not when the module loads: a long suite would otherwise age the
    # "future" and "stale" timestamps into the accepted window.
    header = make_header()
    headers = {} if header is None else {"X-Loyalty-Signature": header}
    rejected(service, BODY, headers, 401, "unauthorized")


def test_any_one_matching_v1_entry_is_enough_for_secret_rotation(service: Service) -> None:
    good = sign(BODY)
    timestamp, mac = good.split(",")
    header = f"{timestamp},v1={'0' * 64},{mac},v0=ignored"

    answer = service.post(PATH, BODY, headers={"X-Loyalty-Signature": header}, signed=False)

    assert answer.status == 200


def test_the_signature_is_judged_before_the_body(service: Service) -> None:
    rejected(service, b"not json", {"X-Loyalty-Signature": "t=1,v1=" + "0" * 64}, 401, "unauthorized")


@pytest.mark.parametrize(
    "body",
    [b"not json", b"", b"[1, 2]", b'"text"', b"null", b'{"a": NaN}', b"\xff\xfe", b"[" * 100_000],
    ids=["text", "empty", "array", "string", "null", "nan", "not-utf8", "deep-nesting"],
)
def test_a_body_that_is_not_a_json_object_is_400(service: Service, body: bytes) -> None:
    rejected(service, body, {"X-Loyalty-Signature": sign(body)}, 400, "invalid_request")


def mutate(path: list[str], value: object) -> dict:
    event = order_event()
    target = event
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return event


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["event_id"], KeyError),
        (["store_id"], "has space"),
        (["store_id"], "x" * 129),
        (["store_id"], ""),
        (["occurred_at"], KeyError),
        (["occurred_at"], "2026-11-20T10:00:00"),
        (["occurred_at"], 1_700_000_000),
        (["order"], KeyError),
        (["order", "id"], "a#b"),
        (["order", "id"], 1001),
        (["order", "subtotal"], 49.9),
        (["order", "subtotal"], "49.90001"),
        (["order", "subtotal"], "-1.00"),
        (["order", "subtotal"], "1e3"),
        (["order", "subtotal"], "NaN"),
        (["order", "subtotal"], "1234567890123.00"),
        (["order", "subtotal"], "49.90\n"),
        (["order", "currency"], "eur"),
        (["order", "currency"], KeyError),
        (["order", "customer"], KeyError),
        (["order", "customer", "id"], "c 42"),
        (["order", "customer", "has_account"], "true"),
        (["order", "customer", "tags"], "vip"),
        (["order", "customer", "email"], "not-an-email"),
    ],
)
def test_json_that_breaks_the_schema_is_422_with_details(
    service: Service, path: list[str], value: object
) -> None:
    body = json.dumps(mutate(path, value)).encode()

    document = rejected(service, body, {"X-Loyalty-Signature": sign(body)}, 422, "invalid_request")

    assert document["details"]
    assert all({"loc", "type", "msg"} <= set(detail) for detail in document["details"])


def test_unknown_keys_are_ignored_as_platforms_add_fields(service: Service) -> None:
    event = order_event()
    event["order"]["shipping"] = {"method": "post"}
    event["extra"] = [1, 2, 3]

    assert service.order(event).status == 200
