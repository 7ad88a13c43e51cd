"""Webhook endpoints on moto: the back office's routes (the secret shown once, at most 5, refused
URLs 422 with nothing written), EventsFunction's fan-out to the delivery queue, and WebhookFunction's
deliveries to a receiver on 127.0.0.1: signed with the endpoint's secret, a failing receiver retried
with growing pauses and logged, redirects not followed, a name resolving to the metadata address
refused, a slow receiver cut off."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from loyalty.http.signatures import verify_signature
from loyalty.runtime import runtime
from loyalty_dev.local.apigw import LambdaContext
from loyalty_dev.template import load_template
from tests.conftest import restart_runtime
from tests.handlers.test_events import BUS, Published, deliver, stream_records
from tests.harness.in_process import load_handler
from tests.support import Service, order_event
from tests.unit.test_webhook_rules import REFUSED

QUEUE = "WebhookQueue"


class Receiver:
    """An HTTP server on 127.0.0.1 that answers `status` (after `delay` seconds) and keeps what it got."""

    def __init__(self) -> None:
        self.status = 200
        self.delay = 0.0
        self.location = ""
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.received.append((self.path, dict(self.headers), body))
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks/loyalty"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()


@pytest.fixture
def queue(service: Service, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The delivery queue and the bus, local webhooks allowed (as `make dev` and tests only do)."""
    url = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName=QUEUE)["QueueUrl"]
    boto3.client("events", region_name="us-east-1").create_event_bus(Name=BUS)
    monkeypatch.setenv("WEBHOOK_QUEUE_URL", url)
    monkeypatch.setenv("EVENT_BUS_NAME", BUS)
    monkeypatch.setenv("LOYALTY_ALLOW_LOCAL_WEBHOOKS", "true")
    restart_runtime(service)
    yield url
    restart_runtime(service)


def create(service: Service, url: str, events: list[str] | None = None, key: str | None = None) -> Any:
    return service.admin("POST", "/webhook-endpoints", {"url": url, "events": events or ["*"]}, key=key)


def test_an_endpoint_is_created_with_its_secret_once_then_listed_without_it(
    service: Service, queue: str
) -> None:
    answer = create(service, "https://hooks.example.com/loyalty", ["points.earned"], key="k1")
    again = create(service, "https://hooks.example.com/loyalty", ["points.earned"], key="k1")

    assert answer.status == 201, answer.body
    created = answer.json()
    assert created["secret"].startswith("whsec_")
    assert len(created["secret"]) >= 40
    assert again.json() == created  # the same Idempotency-Key replays the first answer
    listed = service.admin("GET", "/webhook-endpoints").json()["items"]
    assert listed == [{key: value for key, value in created.items() if key != "secret"}]
    assert "secret" not in json.dumps(listed)


def test_a_store_has_at_most_five_endpoints_and_deletes_one(service: Service, queue: str) -> None:
    ids = [create(service, f"https://hooks{number}.example.com/").json()["id"] for number in range(5)]
    assert create(service, "https://hooks6.example.com/").status == 409

    assert service.admin("DELETE", f"/webhook-endpoints/{ids[0]}").status == 200
    assert service.admin("DELETE", f"/webhook-endpoints/{ids[0]}").status == 404
    assert service.admin("GET", f"/webhook-endpoints/{ids[0]}/deliveries").status == 404
    assert create(service, "https://hooks6.example.com/").status == 201
    assert len(service.admin("GET", "/webhook-endpoints").json()["items"]) == 5


@pytest.mark.parametrize("url", REFUSED)
def test_a_refused_url_is_422_and_nothing_is_written(service: Service, url: str) -> None:
    before = service.snapshot()
    answer = create(service, url)
    assert answer.status == 422, answer.body
    assert service.snapshot() == before


@pytest.mark.parametrize(
    "document",
    [
        {"url": "https://hooks.example.com/"},
        {"url": "https://hooks.example.com/", "events": []},
        {"url": "https://hooks.example.com/", "events": ["points.won"]},
        {"url": "https://hooks.example.com/", "events": ["points.earned", "points.earned"]},
        {"events": ["*"]},
    ],
)
def test_a_bad_body_is_422(service: Service, document: dict[str, Any]) -> None:
    assert service.admin("POST", "/webhook-endpoints", document).status == 422


def test_loopback_urls_only_where_local_webhooks_are_allowed(service: Service, receiver: Receiver) -> None:
    assert create(service, receiver.url).status == 422  # the deployment default: never


def delivery_messages(url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    answer = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["ApproximateReceiveCount"]
    )
    return list(answer.get("Messages", []))


def run_deliveries(messages: list[dict[str, Any]]) -> dict[str, Any]:
    handler = load_handler(load_template().functions()["WebhookFunction"])
    event = {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "eventSource": "aws:sqs",
            }
            for message in messages
        ]
    }
    return handler(event, LambdaContext(function_name="WebhookFunction"))


def order_delivered_to_queue(
    service: Service, queue: str, published: Published | None = None
) -> list[dict[str, Any]]:
    assert service.order(order_event("1001", "c-42", "49.90", has_account=True)).status == 200
    pump, records = stream_records(service)
    assert deliver(pump, records) == [{"batchItemFailures": []}]
    return delivery_messages(queue)


def test_a_subscribed_event_is_delivered_signed_with_the_endpoint_s_secret(
    service: Service, queue: str, receiver: Receiver
) -> None:
    created = create(service, receiver.url, ["points.earned"]).json()
    create(service, receiver.url.replace("/hooks/", "/other/"), ["coupon.used"])  # not subscribed

    messages = order_delivered_to_queue(service, queue)

    assert len(messages) == 1  # points.earned to the first endpoint only (not customer.joined)
    assert run_deliveries(messages) == {"batchItemFailures": []}
    ((path, headers, body),) = receiver.received
    assert path == "/hooks/loyalty"
    verify_signature(headers["X-Loyalty-Signature"], body, created["secret"].encode(), time.time())
    document = json.loads(body)
    assert (document["type"], document["data"]["points"], document["data"]["order_id"]) == (
        "points.earned",
        49,
        "1001",
    )
    assert set(document) == {"id", "type", "created_at", "data"}
    assert "ann@example.com" not in body.decode()
    (logged,) = service.admin("GET", f"/webhook-endpoints/{created['id']}/deliveries").json()["items"]
    assert (logged["event_id"], logged["type"], logged["status_code"], logged["attempt"]) == (
        document["id"],
        "points.earned",
        200,
        1,
    )


def test_a_signature_made_with_another_secret_does_not_verify(
    service: Service, queue: str, receiver: Receiver
) -> None:
    from loyalty.errors import Unauthorized

    create(service, receiver.url, ["points.earned"])
    run_deliveries(order_delivered_to_queue(service, queue))
    ((_, headers, body),) = receiver.received
    with pytest.raises(Unauthorized):
        verify_signature(headers["X-Loyalty-Signature"], body, b"whsec_" + b"0" * 64, time.time())


class Postponed:
    def __init__(self) -> None:
        self.pauses: list[int] = []


@pytest.fixture
def postponed(service: Service, queue: str) -> Postponed:
    watched = Postponed()
    delivery_queue = runtime().delivery_queue
    original = delivery_queue.postpone

    def postpone(receipt_handle: str, seconds: int) -> None:
        watched.pauses.append(seconds)
        original(receipt_handle, seconds)

    delivery_queue.postpone = postpone  # type: ignore[method-assign]
    return watched


def test_a_failing_receiver_is_retried_with_growing_pauses_and_every_attempt_logged(
    service: Service, queue: str, receiver: Receiver, postponed: Postponed
) -> None:
    created = create(service, receiver.url, ["points.earned"]).json()
    messages = order_delivered_to_queue(service, queue)
    receiver.status = 500

    (message,) = messages
    first = run_deliveries(messages)
    second = run_deliveries([{**message, "Attributes": {"ApproximateReceiveCount": "2"}}])
    last = run_deliveries([{**message, "Attributes": {"ApproximateReceiveCount": "9"}}])

    failed = {"batchItemFailures": [{"itemIdentifier": message["MessageId"]}]}
    assert first == second == last == failed
    assert postponed.pauses == [60, 300, 60]  # the last: the queue dead-letters it on its next receive
    logged = service.admin("GET", f"/webhook-endpoints/{created['id']}/deliveries").json()["items"]
    assert [(entry["attempt"], entry["status_code"]) for entry in logged] == [(9, 500), (2, 500), (1, 500)]
    assert len(receiver.received) == 3


def test_a_redirect_is_not_followed(
    service: Service, queue: str, receiver: Receiver, postponed: Postponed
) -> None:
    create(service, receiver.url, ["points.earned"])
    messages = order_delivered_to_queue(service, queue)
    receiver.status, receiver.location = 302, receiver.url.replace("/hooks/", "/elsewhere/")

    assert run_deliveries(messages)["batchItemFailures"]
    assert [path for path, _, _ in receiver.received] == ["/hooks/loyalty"]
    assert postponed.pauses == [60]


def test_a_name_resolving_to_the_metadata_address_is_refused_at_delivery(
    service: Service, queue: str, postponed: Postponed
) -> None:
    created = create(service, "https://hooks.example.com/loyalty", ["points.earned"]).json()
    messages = order_delivered_to_queue(service, queue)
    runtime().webhook_sender._resolve = lambda host, port: ["169.254.169.254"]

    assert run_deliveries(messages) == {"batchItemFailures": []}  # refused: not tried again

    (logged,) = service.admin("GET", f"/webhook-endpoints/{created['id']}/deliveries").json()["items"]
    assert logged["status_code"] is None
    assert logged["error"].startswith("refused: ")
    assert postponed.pauses == []


def test_a_slow_receiver_is_cut_off_and_tried_again(
    service: Service, queue: str, receiver: Receiver, postponed: Postponed
) -> None:
    created = create(service, receiver.url, ["points.earned"]).json()
    messages = order_delivered_to_queue(service, queue)
    receiver.delay = 1.0
    runtime().webhook_sender._timeout = 0.2  # the deployed 10 s, shortened for the test

    assert run_deliveries(messages)["batchItemFailures"]

    (logged,) = service.admin("GET", f"/webhook-endpoints/{created['id']}/deliveries").json()["items"]
    assert (logged["status_code"], logged["error"]) == (None, "timeout")
    assert postponed.pauses == [60]


def test_a_deleted_endpoint_s_deliveries_are_dropped(
    service: Service, queue: str, receiver: Receiver
) -> None:
    created = create(service, receiver.url, ["*"]).json()
    messages = order_delivered_to_queue(service, queue)
    assert service.admin("DELETE", f"/webhook-endpoints/{created['id']}").status == 200

    assert run_deliveries(messages) == {"batchItemFailures": []}
    assert receiver.received == []


def test_the_template_never_allows_local_webhooks() -> None:
    assert "LOYALTY_ALLOW_LOCAL_WEBHOOKS" not in (load_template().root / "template.yaml").read_text()
