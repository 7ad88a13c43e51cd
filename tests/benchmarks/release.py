"""Pending points (the return window) in figures 1 and 2: an order of a known customer whose points
are pending costs the calls and write units of one without a window. Figure 8: the hourly
release's cost per due entry (measured on moto, units by DynamoDB's rules as figure 2 counts them),
and a run for a store of 100,000 accounts with 1% of them due, computed from those figures."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from loyalty.repository.keys import PENDING_SHARDS
from loyalty.repository.pending import PAGE_SIZE
from tests.benchmarks.calls import ORDER_TARGET, Measured, Scenario
from tests.benchmarks.cost import PRICE_PER_MILLION_RRU, PRICE_PER_MILLION_WRU
from tests.benchmarks.expiry import RunInputs, query_units
from tests.benchmarks.moto import Harness, order
from tests.benchmarks.recorder import counts_by_operation, reads
from tests.benchmarks.report import Report, format_counts
from tests.benchmarks.sizes import ITEM_STORAGE_OVERHEAD_BYTES, item_size
from tests.benchmarks.write_units import transaction_writes
from tests.harness.client import ORDER_PATH
from tests.harness.in_process import Answer

PENDING_STORE = "bench-pending"
OCCURRED = "2026-11-20T10:00:00Z"
DUE = "2026-12-04T10:00:00Z"  # OCCURRED + 14 days
PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
    "pending_days": 14,
}
NO_WINDOW = {**PROGRAM, "pending_days": 0}
PENDING_ORDER_SCENARIO = "order, known customer, points pending"


def _order(harness: Harness, order_id: str, customer_id: str) -> Answer:
    payload = {**order(order_id, customer_id), "store_id": PENDING_STORE, "occurred_at": OCCURRED}
    answer = harness.post(ORDER_PATH, payload)
    if answer.status != 200:
        raise RuntimeError(f"setting up: order {order_id} answered {answer.status}: {answer.body}")
    return answer


def _program(harness: Harness, program: dict[str, Any]) -> None:
    answer = harness.admin("PUT", "/program", program, store_id=PENDING_STORE)
    if answer.status != 200:
        raise RuntimeError(f"setting up the program: {answer.status} {answer.body}")


def _known_customer_then_window(harness: Harness) -> str:
    """A customer with points (earned before the store set its window), as figure 1's known one."""
    _program(harness, NO_WINDOW)
    _order(harness, "p-1", "p")
    _program(harness, PROGRAM)
    return ""


def pending_scenarios() -> tuple[Scenario, ...]:
    return (
        Scenario(
            PENDING_ORDER_SCENARIO,
            _known_customer_then_window,
            lambda h: _order(h, "p-2", "p"),
            (ORDER_TARGET,),
            is_order=True,
        ),
    )


@dataclass
class ReleaseMeasured:
    one: Measured  # a run that released the customer's only pending entry
    two: Measured  # a run that released one entry of a customer with another still pending
    query_pages: list[tuple[int, int]]  # (items, bytes) of the Pending index pages the first run read


def _run(harness: Harness, name: str, time: str) -> tuple[Measured, list[tuple[int, int]]]:
    before = harness.items()
    harness.recorder.take()
    result = harness.scheduled("ReleaseFunction", time)
    calls = harness.recorder.take()
    after = harness.items()
    harness.recorder.take()
    if result.get("entries_released") != 1:
        raise RuntimeError(f"the release run released {result.get('entries_released')} entries, not 1")
    scenario = Scenario(name, lambda _: "", lambda _: Answer(200, {}, ""), ())
    measured = Measured(scenario, 200, calls, before, after, harness.table_name)
    pages = [
        (len(call.response.get("Items", [])), sum(item_size(item) for item in call.response.get("Items", [])))
        for call in calls
        if call.operation == "Query"
        and call.response is not None
        and call.params.get("IndexName") == "Pending"
    ]
    return measured, pages


def measure_release(harness: Harness) -> ReleaseMeasured:
    _program(harness, PROGRAM)
    _order(harness, "q-1", "q")
    one, pages = _run(harness, "release of a customer's only pending entry", DUE)
    _order(harness, "q-2", "q")
    later = {**order("q-3", "q"), "store_id": PENDING_STORE, "occurred_at": "2026-11-25T10:00:00Z"}
    harness.post(ORDER_PATH, later)
    two, _ = _run(harness, "release with another entry still pending", DUE)
    return ReleaseMeasured(one, two, pages)


def _wru(measured: Measured) -> int:
    return sum(item.units + item.index_units for item in transaction_writes(measured))


def _parts(measured: Measured) -> str:
    parts = []
    for item in transaction_writes(measured):
        text = f"{item.kind} {item.size} B -> {item.units} WRU"
        for index, bytes_, units in item.index_writes:
            text += f" + {index} {bytes_} B -> {units} WRU"
        parts.append(text)
    return "; ".join(parts)


STORE_OF_100K = RunInputs()  # 100,000 accounts, 1% due


def report_release(report: Report, measured: ReleaseMeasured, inputs: RunInputs = STORE_OF_100K) -> None:
    report.title("8. Pending points: the hourly release (ReleaseFunction, moto)")
    for run in (measured.one, measured.two):
        counts = counts_by_operation(run.calls)
        report.line(f"  {run.scenario.name}: {format_counts(counts)}, {_wru(run)} WRU")
        report.line(f"      {_parts(run)}")
    counts = counts_by_operation(measured.one.calls)
    report.verdict(
        "release of one entry: 1 TransactWriteItems, no Scan",
        format_counts(counts),
        counts["TransactWriteItems"] == 1 and counts["Scan"] == 0,
    )
    due_pages = [page for page in measured.query_pages if page[0]]
    entry_bytes = max((size / items for items, size in due_pages), default=0.0) + ITEM_STORAGE_OVERHEAD_BYTES
    per_entry_wru = _wru(measured.one)
    per_entry_reads = reads(counts) - len(measured.query_pages)  # GetItem of the entry and the account
    report.line(
        f"  per due entry: {per_entry_wru} WRU, {per_entry_reads} consistent GetItem (the entry and the "
        f"account, 1 RRU each); a customer with other entries pending also reads its ledger's open "
        f"entries (one Query, 0.5 RRU per 4 KB); index entry ~{entry_bytes:.0f} B"
    )
    due = int(inputs.accounts * inputs.due_share)
    per_shard = math.ceil(due / PENDING_SHARDS)
    pages_per_shard = max(1, math.ceil(per_shard / PAGE_SIZE))
    page_rru = max(1, math.ceil(min(per_shard, PAGE_SIZE) * entry_bytes / 4096)) / 2
    run_rru = PENDING_SHARDS * pages_per_shard * page_rru + due * per_entry_reads
    run_wru = due * per_entry_wru
    queries = PENDING_SHARDS * pages_per_shard
    dollars = run_wru / 1e6 * PRICE_PER_MILLION_WRU + run_rru / 1e6 * PRICE_PER_MILLION_RRU
    report.line(
        f"  a store of {inputs.accounts:,} accounts, {inputs.due_share:.0%} due ({due:,} entries, one each): "
        f"{queries} Query pages + {due:,} x {per_entry_reads} GetItem ({run_rru:g} RRU) + {due:,} "
        f"TransactWriteItems ({run_wru:,} WRU) = ${dollars:.4f} per run"
    )
    report.line(
        f"  (the index pages measured here: {query_units(measured.query_pages):g} RRU for "
        f"{len(measured.query_pages)} pages); it grows with the due entries only: entries not yet due are "
        "in later ranges of the index, released ones are out of it, and none is read"
    )
    report.verdict(
        "release run cost grows with due entries (no Scan)",
        f"{queries} Query pages for {due:,} due",
        counts["Scan"] == 0,
    )
