"""Figure 7: the points expiry's cost. The calls and request units of ExpiryFunction expiring one
dormant account (measured on moto, units by DynamoDB's rules as figure 2 counts them), and what a
run costs for a store of 100,000 accounts of which 1% are due: computed from the measured cost
per due account and per index page, not simulated."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from loyalty.domain.entities import Changes, format_timestamp
from loyalty.repository.expiry import PAGE_SIZE
from loyalty.repository.keys import CUSTOMER_SHARDS
from tests.benchmarks.calls import Measured, Scenario
from tests.benchmarks.cost import PRICE_PER_MILLION_RRU, PRICE_PER_MILLION_WRU
from tests.benchmarks.moto import Harness, order
from tests.benchmarks.recorder import counts_by_operation
from tests.benchmarks.report import Report, format_counts
from tests.benchmarks.sizes import ITEM_STORAGE_OVERHEAD_BYTES, item_size
from tests.benchmarks.write_units import transaction_writes
from tests.harness.client import ORDER_PATH
from tests.harness.in_process import Answer

EXPIRY_STORE = "bench-expiry"
ACTIVE_ACCOUNTS = 20  # beside the one dormant account: in the index, but not due
PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
    "points_expiry_months": 12,
}


@dataclass(frozen=True)
class RunInputs:
    accounts: int = 100_000
    due_share: float = 0.01


@dataclass
class ExpiryMeasured:
    one: Measured  # the run that expired one account
    query_pages: list[tuple[int, int]]  # (items, bytes) of each Query page the run read
    answer: dict[str, Any]


def query_units(pages: list[tuple[int, int]]) -> float:
    """An eventually consistent Query is billed 0.5 RRU per 4 KB of the items it reads (min 0.5)."""
    return sum(max(1, math.ceil(size / 4096)) / 2 for _, size in pages)


def measure_expiry(harness: Harness) -> ExpiryMeasured:
    answer = harness.admin("PUT", "/program", PROGRAM, store_id=EXPIRY_STORE)
    if answer.status != 200:
        raise RuntimeError(f"setting up the expiry program: {answer.status} {answer.body}")
    for number in range(ACTIVE_ACCOUNTS):
        _order(harness, f"x-active-{number}")
    _order(harness, "x-dormant")
    repository = harness.repository
    before_account = repository.get_account(EXPIRY_STORE, "x-dormant")
    assert before_account is not None
    dormant_since = datetime.now(UTC) - timedelta(days=800)
    aged = replace(before_account, last_activity_at=dormant_since, revision=before_account.revision + 1)
    repository.commit(Changes(accounts=((before_account, aged),)))

    before = harness.items()
    harness.recorder.take()
    result = harness.scheduled("ExpiryFunction", format_timestamp(datetime.now(UTC)))
    calls = harness.recorder.take()
    after = harness.items()
    harness.recorder.take()
    if result.get("accounts_expired") != 1:
        raise RuntimeError(f"the expiry run expired {result.get('accounts_expired')} accounts, not 1")
    scenario = Scenario("expiry of one due account", lambda _: "", lambda _: Answer(200, {}, ""), ())
    measured = Measured(scenario, 200, calls, before, after, harness.table_name)
    pages = [
        (len(call.response.get("Items", [])), sum(item_size(item) for item in call.response.get("Items", [])))
        for call in calls
        if call.operation == "Query" and call.response is not None
    ]
    return ExpiryMeasured(measured, pages, result)


def _order(harness: Harness, customer_id: str) -> None:
    answer = harness.post(ORDER_PATH, {**order(f"o-{customer_id}", customer_id), "store_id": EXPIRY_STORE})
    if answer.status != 200:
        raise RuntimeError(f"setting up: order of {customer_id} answered {answer.status}: {answer.body}")


def report_expiry(report: Report, measured: ExpiryMeasured, inputs: RunInputs = RunInputs()) -> None:
    report.title("7. Points expiry: one due account, and a run over a store (ExpiryFunction, moto)")
    one = measured.one
    counts = counts_by_operation(one.calls)
    written = transaction_writes(one)
    account_wru = sum(item.units + item.index_units for item in written)
    due_pages = [page for page in measured.query_pages if page[0]]
    entry_bytes = max((size / items for items, size in due_pages), default=0.0) + ITEM_STORAGE_OVERHEAD_BYTES
    fixed_queries = 1 + CUSTOMER_SHARDS  # the programs partition, then each shard of the store
    report.line(
        f"  one run, one store, {ACTIVE_ACCOUNTS} active accounts and 1 due: {format_counts(counts)} "
        f"({fixed_queries} Query = 1 for the stores with expiry on + {CUSTOMER_SHARDS} shards of the store)"
    )
    parts = []
    for item in written:
        text = f"{item.kind} {item.size} B -> {item.units} WRU"
        for index, bytes_, units in item.index_writes:
            text += f" + {index} {bytes_} B -> {units} WRU"
        parts.append(text)
    report.line(f"  the due account: 1 TransactWriteItems, {account_wru} WRU ({'; '.join(parts)})")
    report.line(
        f"  the index reads: {query_units(measured.query_pages):g} RRU for {len(measured.query_pages)} Query "
        f"pages (eventually consistent, 0.5 RRU per 4 KB, min 0.5 a page); index entry ~{entry_bytes:.0f} B"
    )
    report.verdict(
        "expiry of one account: 1 TransactWriteItems, no GetItem",
        format_counts(counts),
        counts["TransactWriteItems"] == 1 and counts["GetItem"] == 0 and counts["Scan"] == 0,
    )
    due = int(inputs.accounts * inputs.due_share)
    per_shard = math.ceil(due / CUSTOMER_SHARDS)
    pages_per_shard = max(1, math.ceil(per_shard / PAGE_SIZE))
    page_rru = max(1, math.ceil(min(per_shard, PAGE_SIZE) * entry_bytes / 4096)) / 2
    run_rru = 0.5 + CUSTOMER_SHARDS * pages_per_shard * page_rru
    run_wru = due * account_wru
    queries = 1 + CUSTOMER_SHARDS * pages_per_shard
    dollars = run_wru / 1e6 * PRICE_PER_MILLION_WRU + run_rru / 1e6 * PRICE_PER_MILLION_RRU
    report.line(
        f"  a store of {inputs.accounts:,} accounts, {inputs.due_share:.0%} due ({due:,}): computed from the "
        f"measured figures above, {queries} Query pages ({run_rru:g} RRU) + {due:,} TransactWriteItems "
        f"({run_wru:,} WRU) = ${dollars:.4f} per run, ${dollars * 30:.2f} per month if as many fall due daily"
    )
    report.line(
        "  it grows with the due accounts only: the other 99% are in other ranges of the index (later "
        "activity) or not in it (no points, excluded, merged), and are never read"
    )
