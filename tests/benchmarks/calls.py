"""Figure 1: the DynamoDB calls one event makes, scenario by scenario, against their targets."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from loyalty_dev.local.apigw import LambdaContext
from loyalty_dev.local.service_environment import REGION
from loyalty_dev.local.streams import lambda_record
from tests.benchmarks.moto import STORE, Harness, invitation, moto_harness, order, registration
from tests.benchmarks.recorder import Call, counts_by_operation, reads, writes
from tests.benchmarks.report import Report, format_counts
from tests.harness.client import MERGE_PATH, ORDER_PATH, REGISTER_PATH
from tests.harness.in_process import Answer, load_handler
from tests.harness.records import stream_record


@dataclass(frozen=True)
class Target:
    text: str
    check: Callable[[Counter[str]], bool]


ORDER_TARGET = Target("<=1 read, <=1 write", lambda c: reads(c) <= 1 and writes(c) <= 1)

ORDER_GOAL = Target(
    "goal: 1 TransactWriteItems, no read",
    lambda c: reads(c) == 0 and c == Counter({"TransactWriteItems": 1}),
)

DUPLICATE_TARGET = Target("<=2 calls", lambda c: c.total() <= 2)

BALANCE_TARGET = Target("exactly 1 GetItem", lambda c: c == Counter({"GetItem": 1}))

# The answer's reward_available and points_expire_at need the store's catalog summary and program:
# from the container's cache, else read with the account in the same round trip.
COLD_BALANCE_TARGET = Target(
    "1 BatchGetItem (account + program + catalog)", lambda c: c == Counter({"BatchGetItem": 1})
)

MERGED_BALANCE_TARGET = Target("<=2 GetItem (id -> member)", lambda c: c == Counter({"GetItem": 2}))

EVENT_TARGET = Target("<=1 read call, 1 write", lambda c: reads(c) <= 1 and writes(c) <= 1)


@dataclass(frozen=True)
class Scenario:
    name: str
    prepare: Callable[[Harness], str]  # sets the table up; returns a note ("" when none)
    request: Callable[[Harness], Answer]
    targets: tuple[Target, ...]
    is_order: bool = False


@dataclass
class Measured:
    scenario: Scenario
    status: int
    calls: list[Call]
    before: dict[tuple[str, str], dict[str, Any]]
    after: dict[tuple[str, str], dict[str, Any]]
    table_name: str
    note: str = ""

    @property
    def counts(self) -> Counter[str]:
        return counts_by_operation(self.calls)

    @property
    def implemented(self) -> bool:
        return self.status != 0  # 0: the template has no function for the scenario


def cancelled_writes(measured: Measured) -> int:
    return sum(1 for call in measured.calls if call.operation == "TransactWriteItems" and call.error)


def _nothing(_: Harness) -> str:
    return ""


def _ordered(*orders: tuple[str, str, bool]) -> Callable[[Harness], str]:
    def prepare(harness: Harness) -> str:
        for order_id, customer_id, has_account in orders:
            email = f"{customer_id}@example.com" if has_account else None
            answer = harness.post(
                ORDER_PATH, order(order_id, customer_id, has_account=has_account, email=email)
            )
            if answer.status != 200:
                raise RuntimeError(f"setting up: order {order_id} answered {answer.status}: {answer.body}")
        return ""

    return prepare


def _merged(guest_id: str, member_id: str) -> Callable[[Harness], str]:
    """A guest file merged into a member, through invitation-accepted."""

    def prepare(harness: Harness) -> str:
        _ordered((f"{guest_id}-1", guest_id, False), (f"{member_id}-1", member_id, True))(harness)
        answer = harness.post(MERGE_PATH, invitation(guest_id, member_id))
        if answer.status != 200:
            raise RuntimeError(f"setting up: invitation-accepted answered {answer.status}: {answer.body}")
        return ""

    return prepare


def looked_up(prepare: Callable[[Harness], str], customer_id: str) -> Callable[[Harness], str]:
    """`prepare`, then one balance lookup: the container's cache then holds the store's program and
    catalog summary (at most 30 s old), as on the common path."""

    def warmed(harness: Harness) -> str:
        note = prepare(harness)
        if harness.balance(customer_id, store_id=STORE).status != 200:
            raise RuntimeError(f"setting up: the balance of {customer_id} did not answer 200")
        return note

    return warmed


class Unavailable(Exception):
    """The template has no function for this scenario."""


TOTALS_FUNCTION = "TotalsFunction"

STREAM_SCENARIO = "stream: totals of an order"


def _order_change(harness: Harness) -> str:
    """An order of a known customer; the account's images before and after, as its stream record."""
    if TOTALS_FUNCTION not in harness.api.functions:
        raise Unavailable(f"no {TOTALS_FUNCTION} in the template")
    _ordered(("s-1", "s", False))(harness)
    key = (f"STORE#{STORE}#CUSTOMER#s", "ACCOUNT")
    old = harness.items()[key]
    _ordered(("s-2", "s", False))(harness)
    harness.stash["change"] = (old, harness.items()[key])
    return ""


def _count_change(harness: Harness) -> Answer:
    old, new = harness.stash.pop("change")
    return count_change(harness, old, new)


def count_change(harness: Harness, old: dict[str, Any] | None, new: dict[str, Any]) -> Answer:
    """TotalsFunction invoked with the DynamoDB Streams record of an account change, as Lambda delivers it."""
    stream_arn = f"arn:aws:dynamodb:{REGION}:000000000000:table/{harness.table_name}/stream/x"
    record = lambda_record(stream_record(old, new), stream_arn)
    handler = load_handler(harness.api.functions[TOTALS_FUNCTION])
    result = handler({"Records": [record]}, LambdaContext(function_name=TOTALS_FUNCTION))
    failed = result.get("batchItemFailures") or []
    return Answer(500 if failed else 200, {}, json.dumps(result))


def _fresh_container(harness: Harness) -> str:
    from loyalty.runtime import reset_runtime

    reset_runtime()  # a new container: settings, client and caches rebuilt on first use
    return ""


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "order, first in a new container",
        _fresh_container,
        lambda h: h.post(ORDER_PATH, order("z-1", "z")),
        (ORDER_TARGET,),
        is_order=True,
    ),
    Scenario(
        "order, new customer",
        _nothing,
        lambda h: h.post(ORDER_PATH, order("a-1", "a")),
        (ORDER_TARGET,),
        is_order=True,
    ),
    Scenario(
        "order, known customer",
        _ordered(("b-1", "b", False)),
        lambda h: h.post(ORDER_PATH, order("b-2", "b")),
        (ORDER_TARGET, ORDER_GOAL),
        is_order=True,
    ),
    Scenario(
        "order, new member (email claim)",
        _nothing,
        lambda h: h.post(ORDER_PATH, order("c-1", "c", has_account=True, email="c@example.com")),
        (ORDER_TARGET,),
        is_order=True,
    ),
    Scenario(
        "duplicate order",
        _ordered(("d-1", "d", False)),
        lambda h: h.post(ORDER_PATH, order("d-1", "d")),
        (DUPLICATE_TARGET,),
        is_order=True,
    ),
    Scenario(
        "balance lookup",
        looked_up(_ordered(("e-1", "e", False)), "e"),
        lambda h: h.balance("e", store_id=STORE),
        (BALANCE_TARGET,),
    ),
    Scenario(
        "balance lookup, program cache cold",
        lambda h: _ordered(("e2-1", "e2", False))(h) + _fresh_container(h),
        lambda h: h.balance("e2", store_id=STORE),
        (COLD_BALANCE_TARGET,),
    ),
    Scenario(
        "balance lookup, merged id",
        looked_up(_merged("f-guest", "f-member"), "f-member"),
        lambda h: h.balance("f-guest", store_id=STORE),
        (MERGED_BALANCE_TARGET,),
    ),
    Scenario(
        "member registration (candidate)",
        _ordered(("g-1", "g", False)),
        lambda h: h.post(REGISTER_PATH, registration("g", "g@example.com")),
        (EVENT_TARGET,),
    ),
    Scenario(
        "member registration (new)",
        _nothing,
        lambda h: h.post(REGISTER_PATH, registration("i", "i@example.com")),
        (EVENT_TARGET,),
    ),
    Scenario(
        "merge (invitation accepted)",
        _ordered(("h-1", "h-guest", False), ("h-2", "h-member", True)),
        lambda h: h.post(MERGE_PATH, invitation("h-guest", "h-member")),
        (EVENT_TARGET,),
    ),
    Scenario(
        STREAM_SCENARIO,
        _order_change,
        _count_change,
        (Target("1 write, no read", lambda c: reads(c) == 0 and writes(c) == 1),),
    ),
)


def scenario_named(name: str) -> Scenario:
    for scenario in SCENARIOS:
        if scenario.name == name:
            return scenario
    raise KeyError(name)


def measure(harness: Harness, scenario: Scenario) -> Measured:
    try:
        note = scenario.prepare(harness)
    except Unavailable as missing:
        return Measured(scenario, 0, [], {}, {}, harness.table_name, str(missing))
    before = harness.items()
    harness.recorder.take()
    answer = scenario.request(harness)
    calls = harness.recorder.take()
    after = harness.items()
    harness.recorder.take()
    if not 200 <= answer.status < 300:
        raise RuntimeError(f"{scenario.name}: answered {answer.status}: {answer.body}")
    return Measured(scenario, answer.status, calls, before, after, harness.table_name, note)


def count_calls(names: Sequence[str] | None = None) -> list[Measured]:
    """Run the scenarios (all, or those named) on a fresh moto table, each on customers of its own."""
    chosen = [scenario_named(name) for name in names] if names else list(SCENARIOS)
    with moto_harness() as harness:
        return [measure(harness, scenario) for scenario in chosen]


def report_calls(report: Report, measured: list[Measured]) -> None:
    report.title("1. DynamoDB calls per event (botocore before-parameter-build hook, in-process moto)")
    report.line(f"{'event':36} {'HTTP':>4}  {'calls':36} {'reads':>5} {'writes':>6}  target")
    for result in measured:
        counts = result.counts
        name = result.scenario.name
        if not result.implemented:
            missing = result.note or "no function in the template"
            report.line(f"{name:36} {result.status or '-':>4}  {missing}")
            for target in result.scenario.targets:
                report.verdict(f"{name}: {target.text}", missing, None)
            continue
        verdicts = []
        for target in result.scenario.targets:
            held = target.check(counts)
            verdicts.append(
                f"{target.text}: {report.verdict(f'{name}: {target.text}', format_counts(counts), held)}"
            )
        report.line(
            f"{name:36} {result.status:>4}  {format_counts(counts):36} "
            f"{reads(counts):>5} {writes(counts):>6}  " + "; ".join(verdicts)
        )
        cancelled = cancelled_writes(result)
        if cancelled:
            report.line(f"{'':43}({cancelled} of them cancelled by a condition: nothing written)")
        if result.note:
            report.line(f"{'':43}({result.note})")
