"""Figure 5: peak memory of one process that loads every handler and serves a thousand events."""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loyalty_dev.engines.moto_server import moto_server
from loyalty_dev.local.apigw import rest_event
from loyalty_dev.local.service_environment import REGION
from loyalty_dev.template import PROJECT_ROOT, create_tables
from tests.benchmarks.layer import child, child_environment, handler_modules, modules_outside_layer
from tests.benchmarks.moto import STORE, order, registration
from tests.benchmarks.report import Report
from tests.harness.client import ORDER_PATH, REGISTER_PATH, customer_token, signed_event

LAMBDA_MEMORY_MB = 128


@dataclass
class Memory:
    loaded_kb: int
    peak_kb: int
    statuses: dict[str, int]
    events: int
    handlers: int


def serve_events(total: int) -> Memory:
    """Peak RSS of one fresh process that loads every handler and serves `total` events."""
    import boto3

    modules = handler_modules()
    with moto_server() as endpoint, tempfile.TemporaryDirectory() as scratch:
        environment = child_environment({"AWS_ENDPOINT_URL_DYNAMODB": endpoint})
        client = boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )
        create_tables(client)
        webhook_secret = environment["LOYALTY_WEBHOOK_SECRET"].encode()
        token_secret = environment["LOYALTY_CUSTOMER_TOKEN_SECRET"].encode()

        def webhook(function: str, path: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
            return modules[function], signed_event(webhook_secret, path, payload)

        def lookup(customer_id: str) -> tuple[str, dict[str, Any]]:
            token = customer_token(token_secret, STORE, customer_id)
            path = f"/stores/{STORE}/customers/{customer_id}/balance"
            resource_path = "/stores/{store_id}/customers/{customer_id}/balance"
            return modules["BalanceFunction"], rest_event(
                "GET",
                resource_path,
                path,
                headers={"Authorization": f"Bearer {token}"},
                path_parameters={"store_id": STORE, "customer_id": customer_id},
            )

        events: list[tuple[str, dict[str, Any]]] = []
        for number in range(total):
            customer = f"m-{number % 200}"
            step = number % 10
            if step < 6:  # orders: new customers first, then known ones
                events.append(webhook("OrderCreatedFunction", ORDER_PATH, order(f"m-{number}", customer)))
            elif step == 6:  # a redelivery of the order before
                events.append(
                    webhook(
                        "OrderCreatedFunction",
                        ORDER_PATH,
                        order(f"m-{number - 1}", f"m-{(number - 1) % 200}"),
                    )
                )
            elif step < 9:
                events.append(lookup(f"m-{(number - step) % 200}"))
            else:
                events.append(
                    webhook(
                        "MemberRegisteredFunction",
                        REGISTER_PATH,
                        registration(customer, f"{customer}@example.com"),
                    )
                )
        events_path = Path(scratch) / "events.json"
        result_path = Path(scratch) / "result.json"
        events_path.write_text(json.dumps(events), encoding="utf-8")
        command = child(
            "serve_child",
            str(events_path),
            str(result_path),
            *sorted(set(modules.values())),
            blocked=modules_outside_layer(),
        )
        served = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        if served.returncode != 0:
            raise RuntimeError(f"the serving process failed:\n{served.stderr}")
        result = json.loads(result_path.read_text(encoding="utf-8"))
    return Memory(
        result["loaded_kb"], result["peak_kb"], result["statuses"], total, len(set(modules.values()))
    )


def report_memory(report: Report, memory: Memory) -> None:
    report.title(f"5. Peak memory: one process, every handler loaded, {memory.events} events served")
    report.line(
        "  (moto runs as a server in another process, so the measured process holds the functions only)"
    )
    loaded = f"after loading the {memory.handlers} handlers and a DynamoDB client:"
    served = f"peak after serving {memory.events} events:"
    report.line(f"  {loaded:52} {memory.loaded_kb / 1024:6.1f} MB RSS")
    report.line(f"  {served:52} {memory.peak_kb / 1024:6.1f} MB RSS")
    report.line(
        f"  answers: {', '.join(f'{count} x {status}' for status, count in sorted(memory.statuses.items()))}"
    )
    held = memory.peak_kb / 1024 <= LAMBDA_MEMORY_MB
    word = report.verdict(
        f"peak memory fits a {LAMBDA_MEMORY_MB} MB Lambda", f"{memory.peak_kb / 1024:.1f} MB", held
    )
    report.line(f"  fits a {LAMBDA_MEMORY_MB} MB Lambda: {word}")
