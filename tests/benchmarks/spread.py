"""Figure 2b: hot partitions: which table and index partitions the orders of one store write."""

from __future__ import annotations

from dataclasses import dataclass

from tests.benchmarks.calls import TOTALS_FUNCTION, count_change
from tests.benchmarks.moto import STORE, Harness, order
from tests.benchmarks.report import Report
from tests.benchmarks.write_units import action_key, table_indexes
from tests.harness.client import ORDER_PATH


@dataclass
class Spread:
    orders: int
    busiest: dict[str, tuple[str, int]]  # table or index name → (its busiest partition, orders that wrote it)


def partition_spread(harness: Harness, orders: int = 32) -> Spread:
    """Which partitions the orders of one store write, on the request path and on the stream path
    (totals): a partition that every order writes is a hot item."""
    indexes = table_indexes(harness.table_name)
    with_totals = TOTALS_FUNCTION in harness.api.functions
    writers: dict[str, dict[str, set[int]]] = {"table": {}}
    for number in range(orders):
        customer = f"spread-{number}"
        key = {"pk": {"S": f"STORE#{STORE}#CUSTOMER#{customer}"}, "sk": {"S": "ACCOUNT"}}
        old = harness.client.get_item(TableName=harness.table_name, Key=key, ConsistentRead=True).get("Item")
        harness.recorder.take()
        answer = harness.post(ORDER_PATH, order(customer, customer))
        if answer.status != 200:
            raise RuntimeError(f"spread order answered {answer.status}: {answer.body}")
        calls = harness.recorder.take()
        if with_totals:
            new = harness.client.get_item(TableName=harness.table_name, Key=key, ConsistentRead=True)["Item"]
            harness.recorder.take()
            if count_change(harness, old, new).status != 200:
                raise RuntimeError("the totals function failed on a spread order")
            calls += harness.recorder.take()
        for call in calls:
            if call.operation != "TransactWriteItems" or call.error:
                continue
            for action in call.params["TransactItems"]:
                ((name, body),) = action.items()
                written = action_key(name, body)
                writers["table"].setdefault(written[0], set()).add(number)
                item = body.get("Item") or {}
                for index in indexes:
                    if index.entry(item) is not None:
                        partition = str(next(iter(item[index.keys[0]].values())))
                        writers.setdefault(index.name, {}).setdefault(partition, set()).add(number)
    busiest: dict[str, tuple[str, int]] = {}
    for where, partitions in writers.items():
        partition, numbers = max(partitions.items(), key=lambda pair: len(pair[1]))
        busiest[where] = (partition, len(numbers))
    return Spread(orders, busiest)


def report_spread(report: Report, spread: Spread) -> None:
    report.line()
    report.line(
        f"  hot partitions: {spread.orders} orders of {spread.orders} customers of one store, their totals "
        "included; the partition (table pk or index partition key) that the most of them wrote:"
    )
    worst = 0.0
    for where, (partition, orders) in sorted(spread.busiest.items()):
        share = orders / spread.orders
        worst = max(worst, share)
        report.line(f"    {where:8} {orders:3} of {spread.orders} orders ({share:.0%})  {partition}")
    held = worst < 1
    word = report.verdict(
        "no item or index partition written by every order of a store", f"busiest {worst:.0%} of orders", held
    )
    report.line(f"  no item written by every order of a store: {word}")
