"""The first event of each function's cold start, and DynamoDB's answers to it over real HTTP.

A cold start on Lambda is the import of the handler module and then the first event, end to end:
the first DynamoDB client, its first request signed and sent, the answer parsed, the response built.
So the cold-start child (`cold_child`) serves one event, and the boto3-only baseline makes the very
calls that event made (the same operations and parameters).

Both talk to `ReplayServer`, a loopback HTTP server in the benchmark's own process (outside the
child's CPU time and outside its CPU quota) that answers each DynamoDB operation with the answer
moto gave the function when its event was first recorded (`record_first_events`). So every fresh
process does the same client-side work, whatever ran before it, and no database state moves.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from unittest import mock

from loyalty.http.signatures import SIGNATURE_HEADER
from tests.benchmarks.moto import STORE, Harness, invitation, moto_harness, order, registration
from tests.harness import in_process
from tests.harness.client import sign
from tests.harness.events import refund_event

# Answer headers that describe the recorded connection rather than the answer.
_HOP_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "date", "server"})


@dataclass
class Recorded:
    """A DynamoDB call of a first event: its operation and parameters, and moto's answer."""

    operation: str
    params: dict[str, Any]
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class FirstEvent:
    """A function's first event (API Gateway or stream), the calls it made and their answers."""

    function: str
    event: dict[str, Any]
    calls: list[Recorded]
    webhook_secret: bytes  # the secrets it was signed with, which the children are given
    token_secret: bytes

    def fresh_event(self) -> dict[str, Any]:
        """The event, re-signed now when it is a signed webhook (a signature is valid for 5 minutes)."""
        event: dict[str, Any] = json.loads(json.dumps(self.event))
        headers = event.get("headers") or {}
        if SIGNATURE_HEADER in headers:
            headers[SIGNATURE_HEADER] = sign(event["body"].encode(), self.webhook_secret)
            event["multiValueHeaders"][SIGNATURE_HEADER] = [headers[SIGNATURE_HEADER]]
        return event

    def calls_document(self) -> list[dict[str, Any]]:
        """What the baseline child replays: each call's client method and parameters."""
        from botocore import xform_name

        return [{"method": xform_name(call.operation), "params": call.params} for call in self.calls]


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[Recorded] = []

    def attach(self, events: Any) -> None:
        events.register("before-parameter-build.dynamodb", self._params)
        events.register("response-received.dynamodb", self._answer)

    def detach(self, events: Any) -> None:
        events.unregister("before-parameter-build.dynamodb", self._params)
        events.unregister("response-received.dynamodb", self._answer)

    def _params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append(Recorded(str(model.name), json.loads(json.dumps(params, default=str))))

    def _answer(self, response_dict: dict[str, Any], **_: Any) -> None:
        call = self.calls[-1]
        call.status = int(response_dict["status_code"])
        call.headers = {str(name): str(value) for name, value in dict(response_dict["headers"]).items()}
        call.body = bytes(response_dict["body"])


CUSTOMER = "cold-customer"
GUEST, MEMBER = "cold-guest", "cold-member"


def _scenarios(harness: Harness) -> dict[str, Callable[[], Any]]:
    """Each function's first event, the common case of its main route, after a setup (untimed).
    An HTTP function's scenario makes its request through the harness (its answer must be 200);
    an event-source function's returns the event it is invoked with. A function of the template
    that has none here is not measured (the report says so): add one with each new function."""
    assert harness.order(order("cold-setup", CUSTOMER)).status == 200
    assert harness.order(order("cold-guest-order", GUEST)).status == 200
    assert harness.register(registration(MEMBER, "member@example.com")).status == 200
    stream = _stream_records(harness)
    return {
        "OrderCreatedFunction": lambda: harness.order(order("cold-first", CUSTOMER)),
        "MemberRegisteredFunction": lambda: harness.register(registration("cold-new", "new@example.com")),
        "InvitationAcceptedFunction": lambda: harness.merge(invitation(GUEST, MEMBER)),
        "OrderRefundedFunction": lambda: harness.refund(
            refund_event("cold-refund", "cold-setup", "10.00", store_id=STORE)
        ),
        "BalanceFunction": lambda: harness.balance(CUSTOMER, store_id=STORE),
        "AdminFunction": lambda: harness.admin("GET", f"/customers/{CUSTOMER}", store_id=STORE),
        "TotalsFunction": lambda: {"Records": stream[:1]},  # one account change from the stream
    }


def record_first_events(functions: list[str]) -> dict[str, FirstEvent]:
    """Each named function's first event in a new container, recorded on moto: the event as its
    handler received it, and the DynamoDB calls it made with moto's answers."""
    import boto3

    from loyalty.runtime import reset_runtime

    recorded: dict[str, FirstEvent] = {}
    with moto_harness() as harness:
        scenarios = _scenarios(harness)
        for function in functions:
            if function not in scenarios:
                continue
            recorder, seen = _Recorder(), list[dict[str, Any]]()
            reset_runtime()  # a new container: a new client, an empty program cache
            recorder.attach(boto3.DEFAULT_SESSION.events)
            try:
                with _captured(seen):
                    outcome = scenarios[function]()
                if isinstance(outcome, dict):  # an event source's event: invoke the function with it
                    event = outcome
                    answer = _invoke(harness, function, event)
                    if answer.get("batchItemFailures"):
                        raise RuntimeError(f"{function}'s first event failed: {answer}")
                else:
                    if outcome.status != 200:
                        raise RuntimeError(f"{function}'s first event answered {outcome.status}")
                    (event,) = seen
            finally:
                recorder.detach(boto3.DEFAULT_SESSION.events)
            recorded[function] = FirstEvent(
                function, event, recorder.calls, harness.webhook_secret, harness.token_secret
            )
        reset_runtime()
    return recorded


def _invoke(harness: Harness, function: str, event: dict[str, Any]) -> dict[str, Any]:
    from loyalty_dev.local.apigw import LambdaContext

    handler = in_process.load_handler(harness.api.functions[function])
    return dict(handler(event, LambdaContext(function_name=function)) or {})


@contextlib.contextmanager
def _captured(seen: list[dict[str, Any]]) -> Iterator[None]:
    """The in-process API hands each event to `load_handler(...)(event, context)`: keep a copy."""
    real = in_process.load_handler

    def load(function: Any) -> Any:
        handler = real(function)

        def invoke(event: dict[str, Any], context: Any) -> Any:
            seen.append(json.loads(json.dumps(event)))
            return handler(event, context)

        return invoke

    with mock.patch.object(in_process, "load_handler", load):
        yield


def _stream_records(harness: Harness) -> list[dict[str, Any]]:
    """The stream records of the setup's account changes, as Lambda delivers them."""
    import boto3
    from botocore.config import Config

    from loyalty_dev.local.streams import StreamPump, lambda_record

    streams = boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
    pump = StreamPump(harness.table_name, harness.client, streams)
    accounts = [record for record in pump.drain() if record["dynamodb"]["Keys"]["sk"]["S"] == "ACCOUNT"]
    return [lambda_record(record, pump.stream_arn) for record in accounts]


class ReplayServer:
    """A loopback DynamoDB endpoint that answers each operation with the recorded answers of the
    first event loaded (`load`), in the order they were recorded; it counts the requests served."""

    def __init__(self) -> None:
        self._answers: dict[str, deque[Recorded]] = {}
        self.served: list[str] = []
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as DynamoDB's endpoint

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                operation = str(self.headers.get("X-Amz-Target", "")).rsplit(".", 1)[-1]
                replay.served.append(operation)
                queue = replay._answers.get(operation)
                if not queue:
                    self.send_error(400, f"no recorded answer for {operation}")
                    return
                answer = queue.popleft() if len(queue) > 1 else queue[0]
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    if name.lower() not in _HOP_HEADERS:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def load(self, first: FirstEvent) -> None:
        self._answers = {}
        for call in first.calls:
            self._answers.setdefault(call.operation, deque()).append(call)
        self.served = []

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def write_inputs(first: FirstEvent, folder: Path) -> tuple[Path, Path]:
    """The event (freshly signed) and the baseline's calls, as files for the children."""
    event_file, calls_file = folder / f"{first.function}.event.json", folder / f"{first.function}.calls.json"
    event_file.write_text(json.dumps(first.fresh_event()), encoding="utf-8")
    calls_file.write_text(json.dumps(first.calls_document()), encoding="utf-8")
    return event_file, calls_file
