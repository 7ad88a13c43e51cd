"""VIP tiers in figures 1 and 2: a known customer's order with tiers on (the tier held, its
`kept_until` moved on; a customer ordering monthly or fortnightly for a year, whose account item
keeps a record per order in the window) costs the calls and write units of one without tiers.
Heavy customers (weekly, daily for a year) are measured and reported: their account item passes
1 KB. Figure 9: the daily tier review's cost per due account (moto, units as figure 2 counts them),
and a run for 100,000 accounts with 1% of them due, computed from those figures."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from loyalty.domain.entities import format_timestamp
from loyalty.domain.rules.expiry import add_months
from loyalty.domain.rules.tier_window import normalised, to_ms
from loyalty.repository.keys import TIERS_SHARDS, account_key
from loyalty.repository.tier_items import decode_records, encode_records
from loyalty.repository.tiers import PAGE_SIZE
from tests.benchmarks.calls import ORDER_TARGET, Measured, Scenario
from tests.benchmarks.cost import PRICE_PER_MILLION_RRU, PRICE_PER_MILLION_WRU
from tests.benchmarks.expiry import RunInputs
from tests.benchmarks.moto import Harness, order
from tests.benchmarks.recorder import reads
from tests.benchmarks.report import Report, format_counts
from tests.benchmarks.sizes import item_size
from tests.benchmarks.write_units import transaction_writes
from tests.harness.client import ORDER_PATH
from tests.harness.in_process import Answer

TIERS_STORE = "bench-tiers"
PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
    "tiers": [
        {"id": "silver", "name": "Silver", "threshold": 100, "earn_multiplier": "1.25", "entry_bonus": 50},
        {"id": "gold", "name": "Gold", "threshold": 100000, "earn_multiplier": "1.5", "entry_bonus": 500},
    ],
    "tier_window_months": 12,
}
# The review's store: Gold within reach, so that an order which happened earlier but arrived later
# reaches Gold before a later order's Silver (the review then keeps Silver until that order's anniversary).
REVIEW_PROGRAM = {**PROGRAM, "tiers": [PROGRAM["tiers"][0], {**PROGRAM["tiers"][1], "threshold": 150}]}  # type: ignore[index]
HELD_SCENARIO = "order, known customer, tiers on (tier held)"
MONTHLY_SCENARIO = "order, known customer, tiers on (monthly for a year: 12 records)"
FORTNIGHTLY_SCENARIO = "order, known customer, tiers on (fortnightly for a year: 26 records)"
WEEKLY_SCENARIO = "order, heavy customer, tiers on (weekly for a year: 52 records)"
DAILY_SCENARIO = "order, heavy customer, tiers on (daily for a year: 365 records)"
WRU_WITHOUT_TIERS = 9  # a known customer's order (figure 2)


def _order(
    harness: Harness, order_id: str, customer_id: str, occurred_at: str, subtotal: str = "49.90"
) -> Answer:
    payload = {**order(order_id, customer_id, subtotal), "store_id": TIERS_STORE, "occurred_at": occurred_at}
    answer = harness.post(ORDER_PATH, payload)
    if answer.status != 200:
        raise RuntimeError(f"setting up: order {order_id} answered {answer.status}: {answer.body}")
    return answer


def _tiered(harness: Harness, program: dict[str, Any] = PROGRAM) -> None:
    answer = harness.admin("PUT", "/program", program, store_id=TIERS_STORE)
    if answer.status != 200:
        raise RuntimeError(f"setting up the program: {answer.status} {answer.body}")


def _hours_ago(hours: int) -> str:
    """Orders are judged at the real clock's now: their times are set from it."""
    return format_timestamp(datetime.now(UTC) - timedelta(hours=hours))


def _holding_silver(harness: Harness) -> str:
    _tiered(harness)
    _order(harness, "t-1", "t", _hours_ago(4))  # 49 points: no tier yet
    _order(harness, "t-2", "t", _hours_ago(3))  # 98
    _order(harness, "t-3", "t", _hours_ago(2))  # Silver reached, its bonus paid
    return ""


def _regular(customer_id: str, orders: int, every: timedelta | None) -> Callable[[Harness], str]:
    """A customer with `orders` orders in the window before the measured one, `every` apart (None:
    a calendar month apart)."""

    def prepare(harness: Harness) -> str:
        _tiered(harness)
        now = datetime.now(UTC)
        for n in range(orders, 0, -1):
            occurred = add_months(now, -n) if every is None else now - every * n
            _order(harness, f"{customer_id}-{n}", customer_id, format_timestamp(occurred))
        return ""

    return prepare


def _heavy(customer_id: str, orders: int, every: timedelta) -> Callable[[Harness], str]:
    """A customer holding Silver whose account item keeps `orders` records of 49 points, `every`
    apart before now: written onto the item directly (hundreds of orders through moto take minutes;
    the measured order reads and writes the item as it would after them)."""

    def prepare(harness: Harness) -> str:
        _tiered(harness)
        _order(harness, f"{customer_id}-seed", customer_id, _hours_ago(1), "200")  # Silver reached
        key = account_key(TIERS_STORE, customer_id)
        item = harness.client.get_item(TableName=harness.table_name, Key=key, ConsistentRead=True)["Item"]
        now = datetime.now(UTC)
        records = decode_records(item["tier_window"]["S"]) + tuple(
            (to_ms(now - every * n), 49) for n in range(orders - 1, 0, -1)
        )
        harness.client.update_item(
            TableName=harness.table_name,
            Key=key,
            UpdateExpression="SET tier_window = :records, tier_points = tier_points + :added",
            ExpressionAttributeValues={
                ":records": {"S": encode_records(normalised(records))},
                ":added": {"N": str(49 * (orders - 1))},
            },
        )
        return ""

    return prepare


def _now_order(customer_id: str) -> Callable[[Harness], Answer]:
    return lambda h: _order(h, f"{customer_id}-0", customer_id, format_timestamp(datetime.now(UTC)))


def tier_scenarios() -> tuple[Scenario, ...]:
    """A typical customer's orders: the verdict holds them to the WRU of an order without tiers."""
    return (
        Scenario(
            HELD_SCENARIO,
            _holding_silver,
            lambda h: _order(h, "t-4", "t", _hours_ago(1)),
            (ORDER_TARGET,),
            is_order=True,
        ),
        Scenario(MONTHLY_SCENARIO, _regular("m", 11, None), _now_order("m"), (ORDER_TARGET,), is_order=True),
        Scenario(
            FORTNIGHTLY_SCENARIO,
            _regular("f", 25, timedelta(days=14)),
            _now_order("f"),
            (ORDER_TARGET,),
            is_order=True,
        ),
    )


def heavy_scenarios() -> tuple[Scenario, ...]:
    """Heavy customers: measured and reported (their account item passes 1 KB), not held to 9 WRU."""
    return (
        Scenario(
            WEEKLY_SCENARIO,
            _heavy("w", 51, timedelta(days=7)),
            _now_order("w"),
            (ORDER_TARGET,),
            is_order=True,
        ),
        Scenario(
            DAILY_SCENARIO,
            _heavy("d", 364, timedelta(days=1)),
            _now_order("d"),
            (ORDER_TARGET,),
            is_order=True,
        ),
    )


def wru(measured: Measured) -> int:
    return sum(item.units + item.index_units for item in transaction_writes(measured))


@dataclass
class ReviewMeasured:
    kept: Measured  # a due account whose window still reaches its tier: listed again
    fallen: Measured  # a due account whose tier falls
    query_pages: list[tuple[int, int]]  # (items, bytes) of the Tiers index pages the first run read
    answers: list[dict[str, Any]]


def _run(harness: Harness, name: str, time: str) -> tuple[Measured, list[tuple[int, int]], dict[str, Any]]:
    before = harness.items()
    harness.recorder.take()
    result = harness.scheduled("TierReviewFunction", time)
    calls = harness.recorder.take()
    after = harness.items()
    harness.recorder.take()
    if result.get("accounts_changed") != 1:
        raise RuntimeError(f"the tier review changed {result.get('accounts_changed')} accounts, not 1")
    scenario = Scenario(name, lambda _: "", lambda _: Answer(200, {}, ""), ())
    pages = [
        (len(call.response.get("Items", [])), sum(item_size(item) for item in call.response.get("Items", [])))
        for call in calls
        if call.operation == "Query" and call.response is not None and call.params.get("IndexName") == "Tiers"
    ]
    return Measured(scenario, 200, calls, before, after, harness.table_name), pages, result


def measure_review(harness: Harness) -> ReviewMeasured:
    _tiered(harness, REVIEW_PROGRAM)
    # A year less a day ago (the real clock's window holds it): an order of 10:00 + 5 h arrives first and
    # reaches Silver (60 points); one of 10:00 arrives next and reaches Gold (75 more, ×1.25).
    reached = (add_months(datetime.now(UTC), -12) + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    _order(harness, "r-late", "r", format_timestamp(reached + timedelta(hours=5)), "120")
    _order(harness, "r-early", "r", format_timestamp(reached), "60")
    # Due at Gold's kept_until: the earlier order has left the window, the later one keeps Silver
    # until its own anniversary (listed again under it).
    due = add_months(reached, 12) + timedelta(hours=1)
    kept, pages, first = _run(harness, "review: lower tier kept, listed again", format_timestamp(due))
    # A millisecond after the later order's anniversary: Silver falls.
    gone = add_months(reached + timedelta(hours=5), 12) + timedelta(milliseconds=1)
    fallen, _, second = _run(harness, "review: tier falls", format_timestamp(gone))
    return ReviewMeasured(kept, fallen, pages, [first, second])


def _parts(measured: Measured) -> str:
    parts = []
    for item in transaction_writes(measured):
        text = f"{item.kind} {item.size} B -> {item.units} WRU"
        for index, bytes_, units in item.index_writes:
            text += f" + {index} {bytes_} B -> {units} WRU"
        parts.append(text)
    return "; ".join(parts)


STORE_OF_100K = RunInputs()  # 100,000 accounts, 1% due


def _one_read_one_write(measured: Measured) -> bool:
    counts = measured.counts
    return counts["GetItem"] == 1 and counts["TransactWriteItems"] == 1 and reads(counts) == 1


def report_tiers(
    report: Report, orders: list[Measured], review: ReviewMeasured, heavy: list[Measured] | None = None
) -> None:
    report.title(
        "9. VIP tiers: the order path with tiers on, and the daily review (TierReviewFunction, moto)"
    )
    for measured in orders:
        report.line(f"  {measured.scenario.name}: {format_counts(measured.counts)}, {wru(measured)} WRU")
        report.line(f"      {_parts(measured)}")
        report.verdict(
            f"{measured.scenario.name}: 1 GetItem + 1 TransactWriteItems, <= {WRU_WITHOUT_TIERS} WRU",
            f"{format_counts(measured.counts)}, {wru(measured)} WRU",
            _one_read_one_write(measured) and wru(measured) <= WRU_WITHOUT_TIERS,
        )
    for measured in heavy or ():
        # The account item passes 1 KB: 2 WRU per started KB in the transaction, and each of its
        # four index writes (Customers and Expiry project it whole, keys moved) 1 WRU per started KB.
        report.line(f"  {measured.scenario.name}: {format_counts(measured.counts)}, {wru(measured)} WRU")
        report.line(f"      {_parts(measured)}")
        report.verdict(
            f"{measured.scenario.name}: 1 GetItem + 1 TransactWriteItems (WRU grow with the item)",
            f"{format_counts(measured.counts)}, {wru(measured)} WRU",
            _one_read_one_write(measured),
        )
    for run in (review.kept, review.fallen):
        report.line(f"  {run.scenario.name}: {format_counts(run.counts)}, {wru(run)} WRU")
        report.line(f"      {_parts(run)}")
    counts = review.kept.counts
    report.verdict(
        "tier review of one account: 1 GetItem, 1 TransactWriteItems, no Scan",
        format_counts(counts),
        counts["TransactWriteItems"] == 1 and counts["Scan"] == 0 and counts["GetItem"] >= 1,
    )
    per_account_wru = max(wru(review.kept), wru(review.fallen))
    per_account_rru = 1  # one consistent GetItem of an account under 4 KB
    due = int(STORE_OF_100K.accounts * STORE_OF_100K.due_share)
    per_shard = math.ceil(due / TIERS_SHARDS)
    pages_per_shard = max(1, math.ceil(per_shard / PAGE_SIZE))
    key_bytes = max((size / items for items, size in review.query_pages if items), default=150.0)
    page_rru = max(1, math.ceil(min(per_shard, PAGE_SIZE) * key_bytes / 4096)) / 2
    queries = TIERS_SHARDS * pages_per_shard
    run_rru = queries * page_rru + due * per_account_rru
    run_wru = due * per_account_wru
    dollars = run_wru / 1e6 * PRICE_PER_MILLION_WRU + run_rru / 1e6 * PRICE_PER_MILLION_RRU
    report.line(
        f"  {STORE_OF_100K.accounts:,} accounts, {STORE_OF_100K.due_share:.0%} due ({due:,}): "
        f"{queries} Query pages of keys ({queries * page_rru:g} RRU) + "
        f"{due:,} GetItem ({due * per_account_rru:,} RRU) + "
        f"{due:,} TransactWriteItems (<= {run_wru:,} WRU) = ${dollars:.4f} per run; accounts not due are "
        "in later ranges of the index, and none is read"
    )
    report.verdict(
        "tier review cost grows with due accounts (no Scan)",
        f"{queries} Query pages for {due:,} due",
        review.fallen.counts["Scan"] == 0,
    )
