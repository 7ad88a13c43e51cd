"""A cold start, in the fresh process this is: import a handler's module and serve its first event
end to end (the first DynamoDB client, its calls sent over HTTP to the benchmark's replay endpoint,
the answer built), or, as the baseline, import boto3, make a DynamoDB client and make the calls
that event made. Prints one JSON line (what was served; which modules were loaded before the clock
started: none of ours or the libraries') and then wall seconds, CPU seconds and peak RSS KB.

    python -m tests.benchmarks.cold_child [--blocked a,b] MODE

    --boto3 [CALLS]              boto3, a client, and the calls of CALLS (a JSON list; none if absent)
    --libraries CALLS            the same, plus the libraries the functions keep, used the way they
                                 use them (Powertools' REST resolver, Logger and Metrics; a pydantic
                                 model validating the body): the floor of any function built on them
    MODULE:HANDLER EVENT         import the handler module, then handler(EVENT) once
    --restored MODULE:HANDLER EVENT
                                 a SnapStart restore instead: the import and the before-snapshot hooks
                                 run untimed (that is the snapshot); then the after-restore hooks and
                                 the first event are timed
    --import-only MODULE         the import alone (for `python -X importtime`)

Everything the child reads (arguments, files) is read before the clock starts, with the standard
library only.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from typing import Any

from tests.benchmarks.isolation import arguments, peak_kb

# Loaded before the clock starts would mean they are not measured: the output says which were.
MEASURED_PACKAGES = ("loyalty", "functions", "aws_lambda_powertools", "pydantic", "boto3", "botocore")


class Context:
    """What Lambda passes as the handler's context (the fields Powertools' Logger reads)."""

    function_name = "cold-start"
    function_version = "1"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:cold-start"
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/cold-start"
    log_stream_name = "cold-start"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def main() -> None:
    rest = arguments(sys.argv[1:])
    mode = rest[0]
    document = _read(rest[-1]) if len(rest) > 1 and mode not in ("--import-only", "--restored") else None
    preloaded = sorted(name for name in sys.modules if name.partition(".")[0] in MEASURED_PACKAGES)
    if mode == "--restored":
        outcome = restored(rest[1], _read(rest[2]))
        started = cpu_started = 0.0
    else:
        started, cpu_started = time.perf_counter(), time.process_time()
        if mode == "--boto3":
            outcome = bare_calls(document or [])
        elif mode == "--libraries":
            outcome = libraries(document or [])
        elif mode == "--import-only":
            importlib.import_module(rest[1])
            outcome = {}
        else:
            outcome = first_event(mode, document or {})
        outcome["wall"] = time.perf_counter() - started
        outcome["cpu"] = time.process_time() - cpu_started
    outcome["preloaded"] = preloaded
    print(json.dumps(outcome, default=str))
    print(outcome["wall"], outcome["cpu"], peak_kb())


def _read(path: str) -> Any:
    with open(path, encoding="utf-8") as source:
        return json.load(source)


def bare_calls(calls: list[dict[str, Any]]) -> dict[str, Any]:
    import boto3

    client = boto3.client("dynamodb")
    for call in calls:
        getattr(client, call["method"])(**call["params"])
    return {"calls": len(calls)}


def libraries(calls: list[dict[str, Any]]) -> dict[str, Any]:
    """boto3 and the calls, inside the least a function keeping the libraries does: a Powertools
    REST resolver with one route, its Logger and Metrics around the handler, a pydantic model
    validating the body. Nothing of the service's own code."""
    import boto3
    from aws_lambda_powertools import Logger, Metrics
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
    from aws_lambda_powertools.metrics import MetricUnit
    from pydantic import BaseModel, ConfigDict

    class Body(BaseModel):
        model_config = ConfigDict(strict=True, frozen=True, defer_build=True)
        event_id: str

    logger, metrics = Logger(service="floor"), Metrics(namespace="Floor", service="floor")
    app = APIGatewayRestResolver()

    @app.post("/floor")
    def route() -> Response[str]:
        Body.model_validate_json(app.current_event.body or "")
        client = boto3.client("dynamodb")
        for call in calls:
            getattr(client, call["method"])(**call["params"])
        metrics.add_metric(name="Floor", unit=MetricUnit.Count, value=1)
        logger.info("handled")
        return Response(200, "application/json", "{}")

    @logger.inject_lambda_context(clear_state=True)
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return app.resolve(event, context)

    event = {
        "resource": "/floor",
        "path": "/floor",
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {"Content-Type": ["application/json"]},
        "requestContext": {"stage": "v1", "resourcePath": "/floor", "httpMethod": "POST"},
        "body": '{"event_id": "floor"}',
        "isBase64Encoded": False,
    }
    return {"status": handler(event, Context())["statusCode"], "calls": len(calls)}


def _handler(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name or "lambda_handler")


def first_event(target: str, event: dict[str, Any]) -> dict[str, Any]:
    answer = _handler(target)(event, Context()) or {}
    return {"status": answer.get("statusCode"), "failures": answer.get("batchItemFailures")}


def restored(target: str, event: dict[str, Any]) -> dict[str, Any]:
    handler = _handler(target)
    from loyalty import snapstart

    snapstart.run_before_snapshot_hooks()
    started, cpu_started = time.perf_counter(), time.process_time()
    snapstart.run_after_restore_hooks()
    answer = handler(event, Context()) or {}
    return {
        "status": answer.get("statusCode"),
        "failures": answer.get("batchItemFailures"),
        "wall": time.perf_counter() - started,
        "cpu": time.process_time() - cpu_started,
    }


if __name__ == "__main__":
    main()
