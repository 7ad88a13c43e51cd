"""Figure 7: a flood of forgeries is cheap: the function time of a rejected request (a bad signature) against
an accepted one (an order of a known customer), both through OrderCreatedFunction's handler.

A forged webhook is refused before any DynamoDB call and before the body is parsed; this measures
that it costs a small fraction of real work. (API Gateway's throttle and an optional WAF web ACL
turn most of a flood away before any function runs at all; see docs/security.md.)
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from typing import Any

from loyalty_dev.local.apigw import LambdaContext
from tests.benchmarks.moto import moto_harness, order
from tests.benchmarks.report import Report
from tests.harness.client import ORDER_PATH, signed_event
from tests.harness.in_process import load_handler

TARGET_REJECTION_RATIO = 0.2


@dataclass
class RejectionTiming:
    accepted_ms: list[float]
    rejected_ms: list[float]
    rejected_calls: int

    @property
    def ratio(self) -> float:
        return statistics.median(self.rejected_ms) / statistics.median(self.accepted_ms)


def time_rejections(rounds: int, per_round: int) -> RejectionTiming:
    """Alternating accepted and forged orders, `per_round` of each per round, on a warm handler."""
    timing = RejectionTiming([], [], 0)
    with moto_harness() as harness:
        function = harness.api.functions["OrderCreatedFunction"]
        handler = load_handler(function)
        context = LambdaContext(function_name=function.name)
        number = 0
        for _ in range(rounds):
            accepted: list[dict[str, Any]] = []
            forged: list[dict[str, Any]] = []
            for _ in range(per_round):
                number += 1
                body = json.dumps(order(f"r-{number}", "known")).encode()
                accepted.append(signed_event(harness.webhook_secret, ORDER_PATH, body))
                forgery = signed_event(b"a forger's guess at the secret, 32+ bytes", ORDER_PATH, body)
                forged.append(forgery)
            harness.recorder.take()
            for good, bad in zip(accepted, forged, strict=True):
                timing.accepted_ms.append(_timed(handler, good, context, 200))
                harness.recorder.take()
                timing.rejected_ms.append(_timed(handler, bad, context, 401))
                timing.rejected_calls += len(harness.recorder.take())
    return timing


def _timed(handler: Any, event: dict[str, Any], context: Any, status: int) -> float:
    started = time.perf_counter()
    result = handler(event, context)
    elapsed = (time.perf_counter() - started) * 1000
    if result["statusCode"] != status:
        raise RuntimeError(f"expected {status}, got {result['statusCode']}: {result.get('body')}")
    return elapsed


def report_rejections(report: Report, timing: RejectionTiming) -> None:
    report.title("7. A forged webhook against a real one (OrderCreatedFunction, warm, moto)")
    accepted, rejected = statistics.median(timing.accepted_ms), statistics.median(timing.rejected_ms)
    report.line(
        f"  accepted order (known customer), median: {accepted:7.2f} ms over {len(timing.accepted_ms)}"
    )
    report.line(
        f"  rejected forgery (bad signature), median: {rejected:7.2f} ms over {len(timing.rejected_ms)}"
    )
    report.line(f"  DynamoDB calls made by all the forgeries: {timing.rejected_calls}")
    held = timing.ratio < TARGET_REJECTION_RATIO and timing.rejected_calls == 0
    word = report.verdict(
        f"rejected / accepted function time < {TARGET_REJECTION_RATIO}x, no DynamoDB call",
        f"{timing.ratio:.3f}x",
        held,
    )
    report.line(
        f"  ratio rejected / accepted: {timing.ratio:.3f}x (target < {TARGET_REJECTION_RATIO}x: {word})"
    )
