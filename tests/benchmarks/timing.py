"""Figure 3: handler time per order against a bare TransactWriteItems of the same items."""

from __future__ import annotations

import contextlib
import json
import statistics
import time
from dataclasses import dataclass

from loyalty_dev.local.apigw import LambdaContext
from loyalty_dev.template import create_table_request, load_template
from tests.benchmarks.moto import STORE, moto_harness, order
from tests.benchmarks.report import Report
from tests.harness.client import ORDER_PATH, signed_event
from tests.harness.in_process import load_handler

BARE_TABLE = "BareTable"

TARGET_HANDLER_RATIO = 1.5


@dataclass
class Timing:
    handler_ms: list[float]
    handler_dynamodb_ms: list[float]
    bare_write_ms: list[float]
    bare_read_ms: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.handler_ms) / statistics.median(self.bare_write_ms)

    def round_ratios(self, per_round: int) -> list[float]:
        """The ratio of each round on its own: how much the machine's noise moves the figure."""
        return [
            statistics.median(self.handler_ms[start : start + per_round])
            / statistics.median(self.bare_write_ms[start : start + per_round])
            for start in range(0, len(self.handler_ms), per_round)
        ]


def time_orders(rounds: int, per_round: int) -> Timing:
    """Orders of a known customer through the handler, each followed by the same transaction replayed
    bare on a twin table. moto copies a table for every transaction (its rollback), so its time grows
    with the table: both tables are recreated every round and hold the same items throughout."""
    import boto3

    from loyalty.runtime import DYNAMODB_CLIENT_CONFIG

    timing = Timing([], [], [], [])
    with moto_harness() as harness:
        function = harness.api.functions["OrderCreatedFunction"]
        handler = load_handler(function)
        context = LambdaContext(function_name=function.name)
        properties = load_template().tables()[harness.table_name]
        bare = boto3.client("dynamodb", config=DYNAMODB_CLIENT_CONFIG)
        customer = "t"
        account_key = {"pk": {"S": f"STORE#{STORE}#CUSTOMER#{customer}"}, "sk": {"S": "ACCOUNT"}}
        number = 0
        for _ in range(rounds):
            for table in (harness.table_name, BARE_TABLE):
                with contextlib.suppress(harness.client.exceptions.ResourceNotFoundException):
                    harness.client.delete_table(TableName=table)
                harness.client.create_table(**create_table_request(harness.table_name, properties, table))
            number += 1
            if harness.post(ORDER_PATH, order(f"t-{number}", customer)).status != 200:
                raise RuntimeError("setting up the timed customer failed")
            account = harness.client.get_item(
                TableName=harness.table_name, Key=account_key, ConsistentRead=True
            )
            bare.put_item(TableName=BARE_TABLE, Item=account["Item"])
            events = []
            for _ in range(per_round):
                number += 1
                events.append(
                    signed_event(harness.webhook_secret, ORDER_PATH, order(f"t-{number}", customer))
                )
            harness.recorder.take()
            for event in events:
                started = time.perf_counter()
                result = handler(event, context)
                elapsed = time.perf_counter() - started
                calls = harness.recorder.take()
                if result["statusCode"] != 200 or json.loads(result["body"])["status"] != "processed":
                    raise RuntimeError(f"timed order failed: {result}")
                timing.handler_ms.append(elapsed * 1000)
                timing.handler_dynamodb_ms.append(sum(call.ended - call.started for call in calls) * 1000)
                (write,) = [call for call in calls if call.operation == "TransactWriteItems"]
                actions = [
                    {name: {**body, "TableName": BARE_TABLE} for name, body in action.items()}
                    for action in write.params["TransactItems"]
                ]
                started = time.perf_counter()
                bare.transact_write_items(TransactItems=actions)
                timing.bare_write_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                bare.get_item(TableName=BARE_TABLE, Key=account_key, ConsistentRead=True)
                timing.bare_read_ms.append((time.perf_counter() - started) * 1000)
                harness.recorder.take()
    return timing


def report_timing(report: Report, timing: Timing, rounds: int, per_round: int) -> None:
    report.title("3. Handler time per order event vs a bare TransactWriteItems of the same items (moto)")
    handler = statistics.median(timing.handler_ms)
    inside = statistics.median(timing.handler_dynamodb_ms)
    bare = statistics.median(timing.bare_write_ms)
    read = statistics.median(timing.bare_read_ms)
    report.line(f"  {rounds} rounds x {per_round} orders of a known customer; medians")
    report.line(f"  handler (API Gateway event in, response out):  {handler:7.2f} ms")
    report.line(f"    of which inside DynamoDB calls (read+write):  {inside:7.2f} ms")
    report.line(f"  bare TransactWriteItems, same two items:        {bare:7.2f} ms")
    report.line(f"  bare consistent GetItem of the account:         {read:7.2f} ms")
    report.line(f"  floor with the read (GetItem + transaction):    {bare + read:7.2f} ms")
    word = report.verdict(
        f"handler time <= {TARGET_HANDLER_RATIO}x bare transaction",
        f"{timing.ratio:.2f}x",
        timing.ratio <= TARGET_HANDLER_RATIO,
    )
    report.line(
        f"  ratio handler / bare transaction: {timing.ratio:.2f}x (target <= {TARGET_HANDLER_RATIO}x: {word})"
    )
    spread = timing.round_ratios(per_round)
    report.line(f"  the same ratio round by round: {min(spread):.2f}x to {max(spread):.2f}x")
    report.line(f"  ratio handler / (bare read + transaction): {handler / (bare + read):.2f}x")
    report.line(f"  the handler's own time (outside DynamoDB calls): {handler - inside:.2f} ms")
