"""VIP tiers in figures 1 and 2: a known customer's order with tiers on (the tier held, its
`kept_until` moved on; and the first order of a new month, which adds a month to the account
item) costs the calls of one without tiers and at most one write unit more. Figure 9: the daily
tier review's cost per due account (moto, units as figure 2 counts them), and a run for 100,000
accounts with 1% of them due, computed from those figures."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from loyalty.domain.entities import format_timestamp
from loyalty.domain.rules.expiry import add_months
from loyalty.domain.rules.tiers import month_index, month_start
from loyalty.repository.keys import TIERS_SHARDS
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
HELD_SCENARIO = "order, known customer, tiers on (tier held)"
NEW_MONTH_SCENARIO = "order, known customer, tiers on (a new month, 11 kept)"
WRU_WITHOUT_TIERS = 9  # a known customer's order (figure 2)


def _order(harness: Harness, order_id: str, customer_id: str, occurred_at: str) -> Answer:
    payload = {**order(order_id, customer_id), "store_id": TIERS_STORE, "occurred_at": occurred_at}
    answer = harness.post(ORDER_PATH, payload)
    if answer.status != 200:
        raise RuntimeError(f"setting up: order {order_id} answered {answer.status}: {answer.body}")
    return answer


def _tiered(harness: Harness) -> None:
    answer = harness.admin("PUT", "/program", PROGRAM, store_id=TIERS_STORE)
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


def _eleven_months(harness: Harness) -> str:
    _tiered(harness)
    now = datetime.now(UTC)
    for months in range(11, 0, -1):
        _order(harness, f"m-{months}", "m", format_timestamp(add_months(now, -months)))
    return ""


def tier_scenarios() -> tuple[Scenario, ...]:
    return (
        Scenario(
            HELD_SCENARIO,
            _holding_silver,
            lambda h: _order(h, "t-4", "t", _hours_ago(1)),
            (ORDER_TARGET,),
            is_order=True,
        ),
        Scenario(
            NEW_MONTH_SCENARIO,
            _eleven_months,
            lambda h: _order(h, "m-12", "m", format_timestamp(datetime.now(UTC))),
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
    _tiered(harness)
    # Silver reached on the 10th of the month a year ago (the real clock's window still holds it).
    reached = add_months(datetime.now(UTC), -12).replace(day=10, hour=10, minute=0, second=0, microsecond=0)
    for hour in (0, 1, 2):
        _order(harness, f"r-{hour}", "r", format_timestamp(reached + timedelta(hours=hour)))
    # Due at kept_until, but that month is still in the window (whole months): kept, listed again.
    due = add_months(reached, 12) + timedelta(hours=3)
    kept, pages, first = _run(harness, "review: tier kept, listed again", format_timestamp(due))
    # The month has left the window: Silver falls.
    gone = month_start(month_index(reached) + 13) + timedelta(hours=3)
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


def report_tiers(report: Report, orders: list[Measured], review: ReviewMeasured) -> None:
    report.title(
        "9. VIP tiers: the order path with tiers on, and the daily review (TierReviewFunction, moto)"
    )
    for measured in orders:
        report.line(f"  {measured.scenario.name}: {format_counts(measured.counts)}, {wru(measured)} WRU")
        report.line(f"      {_parts(measured)}")
        report.verdict(
            f"{measured.scenario.name}: 1 GetItem + 1 TransactWriteItems, <= {WRU_WITHOUT_TIERS + 1} WRU",
            f"{format_counts(measured.counts)}, {wru(measured)} WRU",
            measured.counts["GetItem"] == 1
            and measured.counts["TransactWriteItems"] == 1
            and reads(measured.counts) == 1
            and wru(measured) <= WRU_WITHOUT_TIERS + 1,
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
