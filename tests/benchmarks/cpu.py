"""Figure 3b: the handler's own CPU per order webhook, against the CPU of the bare boto3 calls the
event needs (the same GetItem and TransactWriteItems, with the same parameters).

No database runs while this is measured: DynamoDB's answers are recorded once from moto and replayed
by a botocore `before-send` hook, for the handler's client and the bare client alike. So the process's
CPU time (`time.process_time`, not the wall clock, so that a loaded machine does not move it) is the
client side only: the handler's Python, the SDK's serialization and parsing, and nothing of moto.
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import json
import pstats
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from loyalty_dev.local.apigw import LambdaContext
from tests.benchmarks.moto import Harness, moto_harness, order
from tests.benchmarks.report import Report
from tests.harness.client import ORDER_PATH, signed_event
from tests.harness.in_process import Handler, load_handler

TARGET_OWN_CPU_MS = 1.5
GOAL_OWN_CPU_MS = 1.0
CUSTOMER = "cpu"
SORT = "cumulative"


class _RecordedBody:
    """What botocore reads an answer's body from (`raw.stream()`)."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class Replay:
    """Answers every DynamoDB call of a session's clients with the last answer recorded for its
    operation, before botocore would send it (no socket, no moto)."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.params: dict[str, dict[str, Any]] = {}

    def record(self, events: Any) -> None:
        events.register("before-parameter-build.dynamodb", self._params)
        events.register("response-received.dynamodb", self._answer)

    def _params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.params[str(model.name)] = json.loads(json.dumps(params, default=str))

    def _answer(self, response_dict: dict[str, Any], context: Any, **kwargs: Any) -> None:
        operation = str(kwargs["event_name"]).rsplit(".", 1)[-1]
        headers = {str(name): str(value) for name, value in dict(response_dict["headers"]).items()}
        self.answers[operation] = Answer(int(response_dict["status_code"]), headers, response_dict["body"])

    def serve(self, events: Any) -> None:
        events.unregister("before-parameter-build.dynamodb", self._params)
        events.unregister("response-received.dynamodb", self._answer)
        events.register_first("before-send.dynamodb", self._send)

    def _send(self, request: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        target = str(request.headers.get("X-Amz-Target", b""), "ascii", "replace")
        answer = self.answers[target.rsplit(".", 1)[-1]]
        return AWSResponse(request.url, answer.status, answer.headers, _RecordedBody(answer.body))


@dataclass
class CpuTiming:
    handler_ms: list[float]
    bare_default_ms: list[float]  # a boto3 client as anyone makes it: boto3.client("dynamodb")
    bare_configured_ms: list[float]  # with the functions' client Config
    profile: str

    @property
    def handler(self) -> float:
        return statistics.median(self.handler_ms)

    @property
    def bare(self) -> float:
        return statistics.median(self.bare_default_ms)

    @property
    def own(self) -> float:
        return self.handler - self.bare


def _cpu_ms(call: Callable[[], Any]) -> float:
    started = time.process_time()
    call()
    return (time.process_time() - started) * 1000


def _events(harness: Harness, count: int, prefix: str) -> list[dict[str, Any]]:
    return [
        signed_event(harness.webhook_secret, ORDER_PATH, order(f"{prefix}-{number}", CUSTOMER))
        for number in range(count)
    ]


def time_cpu(samples: int, profile_top: int = 25) -> CpuTiming:
    import boto3

    from loyalty.runtime import reset_runtime

    with moto_harness() as harness:
        function = harness.api.functions["OrderCreatedFunction"]
        handler = load_handler(function)
        context = LambdaContext(function_name=function.name)
        replay = Replay()
        reset_runtime()  # a new client, hooked for recording; the first order reads the program too
        replay.record(boto3.DEFAULT_SESSION.events)
        for event in _events(harness, 3, "record"):
            _served(handler(event, context))
        reset_runtime()  # and again: the next client answers from the recording, never from moto
        replay.serve(boto3.DEFAULT_SESSION.events)
        with moto_paused():
            timing = _measure(handler, context, replay, _events(harness, samples + 20, "cpu"))
            timing.profile = _profile(handler, context, _events(harness, samples, "profiled"), profile_top)
        reset_runtime()
    return timing


@contextlib.contextmanager
def moto_paused() -> Iterator[None]:
    """botocore calls every `before-send` handler, even after one answered: keep moto's from
    serving (and costing) the requests that the replay answers."""
    from moto.core.models import botocore_stubber

    enabled, botocore_stubber.enabled = botocore_stubber.enabled, False
    try:
        yield
    finally:
        botocore_stubber.enabled = enabled


def _measure(handler: Handler, context: Any, replay: Replay, events: list[dict[str, Any]]) -> CpuTiming:
    import boto3

    from loyalty.runtime import DYNAMODB_CLIENT_CONFIG

    for event in events[:20]:  # warm: the program cache is filled, every code path compiled
        _served(handler(event, context))
    bare_default = boto3.client("dynamodb")
    bare_configured = boto3.client("dynamodb", config=DYNAMODB_CLIENT_CONFIG)
    read = replay.params["GetItem"]
    write = replay.params["TransactWriteItems"]
    timing = CpuTiming([], [], [], "")
    for event in events[20:]:
        timing.handler_ms.append(_cpu_ms(partial(_serve, handler, event, context)))
        timing.bare_default_ms.append(_cpu_ms(partial(_bare_calls, bare_default, read, write)))
        timing.bare_configured_ms.append(_cpu_ms(partial(_bare_calls, bare_configured, read, write)))
    return timing


def _profile(handler: Handler, context: Any, events: list[dict[str, Any]], top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for event in events:
        handler(event, context)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(SORT).print_stats(top)
    return out.getvalue()


def _serve(handler: Handler, event: dict[str, Any], context: Any) -> None:
    _served(handler(event, context))


def _bare_calls(client: Any, read: dict[str, Any], write: dict[str, Any]) -> None:
    client.get_item(**read)
    client.transact_write_items(**write)


def _served(result: dict[str, Any]) -> None:
    if result["statusCode"] != 200 or json.loads(result["body"])["status"] not in ("processed", "duplicate"):
        raise RuntimeError(f"a measured order failed: {result}")


def report_cpu(report: Report, timing: CpuTiming) -> None:
    report.title("3b. Own CPU per order webhook vs the bare boto3 calls it needs (process CPU time)")
    report.line(
        f"  {len(timing.handler_ms)} orders of a known customer on a warm handler, DynamoDB's answers"
    )
    report.line("  replayed (no database in the process); medians of time.process_time per event")
    configured = statistics.median(timing.bare_configured_ms)
    report.line(f"  handler (API Gateway event in, response out):     {timing.handler:6.2f} ms CPU")
    report.line(
        f"  bare GetItem + TransactWriteItems, boto3 default:  {timing.bare:6.2f} ms CPU  (the floor)"
    )
    report.line(f"  the same calls with the functions' client Config:  {configured:6.2f} ms CPU")
    report.line(f"  ratio handler / bare calls: {timing.handler / timing.bare:.2f}x")
    word = report.verdict(
        f"own CPU per order <= {TARGET_OWN_CPU_MS} ms (goal {GOAL_OWN_CPU_MS})",
        f"{timing.own:.2f} ms ({timing.handler:.2f} ms handler - {timing.bare:.2f} ms bare calls)",
        timing.own <= TARGET_OWN_CPU_MS,
    )
    report.line(
        f"  own CPU (handler - bare calls): {timing.own:.2f} ms "
        f"(target <= {TARGET_OWN_CPU_MS} ms: {word}; goal {GOAL_OWN_CPU_MS} ms: "
        f"{'ok' if timing.own <= GOAL_OWN_CPU_MS else 'not yet'})"
    )
