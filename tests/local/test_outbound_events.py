"""Outbound events under the local server, as `make dev` runs them: EventsFunction on the table's
stream publishes to the local bus (moto's EventBridge), its events reach the log `loyalty tail`
follows, and the tail prints them one line each."""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from loyalty_dev.cli import main
from loyalty_dev.local.event_log import describe, follow
from loyalty_dev.local.server import LocalServer
from tests.local.client import call
from tests.local.test_streams import post
from tests.support import order_event


def logged(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_an_order_on_the_local_server_is_published_and_logged(local_server: LocalServer) -> None:
    store, customer = f"events-{uuid.uuid4().hex[:10]}", f"c-{uuid.uuid4().hex[:6]}"
    post(
        local_server,
        "/webhooks/order-created",
        order_event("1001", customer, "49.90", has_account=True, store_id=store),
    )
    (event_log,) = local_server.queues.event_logs

    deadline = time.monotonic() + 30
    mine: list[dict[str, Any]] = []
    while time.monotonic() < deadline and len(mine) < 2:
        mine = [event for event in logged(event_log.path) if event["detail"]["store_id"] == store]
        time.sleep(0.2)

    assert sorted(event["detail-type"] for event in mine) == ["customer.joined", "points.earned"]
    earned = next(event["detail"] for event in mine if event["detail-type"] == "points.earned")
    assert (earned["customer_id"], earned["points"], earned["order_id"]) == (customer, 49, "1001")
    assert "ann@example.com" not in json.dumps(mine)


EARNED = {
    "detail-type": "points.earned",
    "source": "loyalty",
    "detail": {
        "id": "evt_1",
        "store_id": "acme",
        "customer_id": "c-42",
        "occurred_at": "2026-11-20T10:00:00.000Z",
        "points": 49,
        "balance": 49,
        "order_id": "1001",
    },
}


def test_a_line_says_when_what_whose_the_figures_and_the_id() -> None:
    line = describe(EARNED)
    assert line.startswith("2026-11-20T10:00:00.000Z  points.earned")
    assert "acme/c-42" in line
    assert "points=49 balance=49 order_id=1001" in line
    assert line.endswith("evt_1")


def test_follow_reads_lines_as_they_are_appended_and_starts_again_when_emptied(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(EARNED) + "\n", encoding="utf-8")
    stop = threading.Event()
    seen: list[str] = []

    def read() -> None:
        for event in follow(path, from_start=False, stop=stop):
            seen.append(event["detail"]["id"])

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(0.5)
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps({**EARNED, "detail": {**EARNED["detail"], "id": "evt_2"}}) + "\n")
    time.sleep(0.5)
    path.write_text("", encoding="utf-8")  # a new `make dev`
    time.sleep(0.5)
    path.write_text(
        json.dumps({**EARNED, "detail": {**EARNED["detail"], "id": "evt_3"}}) + "\n", encoding="utf-8"
    )
    time.sleep(0.5)
    stop.set()
    reader.join(timeout=5)

    assert seen == ["evt_2", "evt_3"]  # not the line that was there before it started


@pytest.mark.parametrize("command", [["events", "tail"], ["tail"]], ids=" ".join)
def test_loyalty_events_tail_prints_each_event_of_the_kinds_asked(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "events.jsonl"
    joined = {**EARNED, "detail-type": "customer.joined"}
    path.write_text(json.dumps(joined) + "\n" + json.dumps(EARNED) + "\n", encoding="utf-8")
    calls: list[int] = []

    def sleep_then_stop(seconds: float) -> None:
        calls.append(1)
        raise KeyboardInterrupt  # Ctrl-C, once everything written so far was printed

    monkeypatch.setattr("loyalty_dev.local.event_log.time.sleep", sleep_then_stop)

    assert main([*command, "--all", "--type", "points.earned", "--log", str(path)]) == 130

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert "points.earned" in lines[0]
    assert calls == [1]


def test_the_local_server_delivers_to_a_webhook_endpoint_on_this_machine(
    local_server: LocalServer, admin_token: Any
) -> None:
    from loyalty.http.signatures import verify_signature
    from tests.handlers.test_webhook_endpoints import Receiver

    receiver = Receiver()
    store, customer = f"hooks-{uuid.uuid4().hex[:10]}", f"c-{uuid.uuid4().hex[:6]}"
    merchant = {
        "Authorization": f"Bearer {admin_token(local_server, store)}",
        "Content-Type": "application/json",
    }
    created = call(
        "POST",
        f"{local_server.url}/admin/stores/{store}/webhook-endpoints",
        headers=merchant,
        body=json.dumps({"url": receiver.url, "events": ["points.earned"]}).encode(),
    )
    assert created.status == 201, created.body
    secret = created.json()["secret"].encode()
    try:
        post(local_server, "/webhooks/order-created", order_event("1001", customer, "20.00", store_id=store))
        deadline = time.monotonic() + 40  # the stream, the bus, the queue: each polls about once a second
        while time.monotonic() < deadline and not receiver.received:
            time.sleep(0.2)

        ((_, headers, body),) = receiver.received
        verify_signature(headers["X-Loyalty-Signature"], body, secret, time.time())
        assert json.loads(body)["data"]["customer_id"] == customer
    finally:
        receiver.server.shutdown()
