"""Figure 6: what a million-customer store costs in DynamoDB per month, from the measured units."""

from __future__ import annotations

from dataclasses import dataclass

from tests.benchmarks.calls import STREAM_SCENARIO, Measured
from tests.benchmarks.report import Report
from tests.benchmarks.write_units import read_cost, transaction_writes

# On-demand prices, us-east-1, standard table class (AWS pricing page, after the November 2024 cut).
PRICE_PER_MILLION_WRU = 0.625

PRICE_PER_MILLION_RRU = 0.125

PRICE_STORAGE_GB_MONTH = 0.25

PRICE_PITR_GB_MONTH = 0.20


@dataclass(frozen=True)
class CostInputs:
    """A store's size and traffic, and how long it keeps what it writes."""

    customers: int
    member_share: float
    orders_per_month: int
    lookups_per_month: int
    months_of_ledger: int
    marker_days: int  # the stream consumer's applied-change markers expire (TTL) after this


MILLION_CUSTOMER_STORE = CostInputs(
    customers=1_000_000,
    member_share=0.5,
    orders_per_month=1_000_000,
    lookups_per_month=5_000_000,
    months_of_ledger=12,
    marker_days=7,
)


def report_cost(report: Report, measured: list[Measured], inputs: CostInputs) -> None:
    report.title("6. A million-customer store in DynamoDB per month (on-demand, us-east-1)")
    by_name = {result.scenario.name: result for result in measured}
    known = by_name["order, known customer"]
    written = transaction_writes(known)
    order_wru = sum(item.units + item.index_units for item in written)
    order_rru = read_cost(known)
    account = next(item.stored for item in written if item.kind == "account")
    entry = next(item.stored for item in written if item.kind == "ledger entry")
    member_writes = transaction_writes(by_name["order, new member (email claim)"])
    claim = next((item.stored for item in member_writes if item.kind == "email claim"), 0)
    lookup_rru = read_cost(by_name["balance lookup"])
    stream = by_name.get(STREAM_SCENARIO)
    totals_writes = transaction_writes(stream) if stream is not None and stream.implemented else []
    totals_wru = sum(item.units + item.index_units for item in totals_writes)
    marker = sum(item.stored for item in totals_writes if item.kind != "totals")
    entries = inputs.orders_per_month * inputs.months_of_ledger
    markers = inputs.orders_per_month * inputs.marker_days / 30
    storage_bytes = (
        inputs.customers * account
        + int(inputs.customers * inputs.member_share) * claim
        + entries * entry
        + markers * marker
    )
    gigabytes = storage_bytes / 1024**3
    writes_cost = inputs.orders_per_month * order_wru / 1e6 * PRICE_PER_MILLION_WRU
    totals_cost = inputs.orders_per_month * totals_wru / 1e6 * PRICE_PER_MILLION_WRU
    reads_cost = (inputs.orders_per_month * order_rru + inputs.lookups_per_month * lookup_rru) / 1e6
    reads_cost *= PRICE_PER_MILLION_RRU
    storage_cost = gigabytes * PRICE_STORAGE_GB_MONTH
    pitr_cost = gigabytes * PRICE_PITR_GB_MONTH
    total = writes_cost + totals_cost + reads_cost + storage_cost + pitr_cost
    report.line(
        f"  prices: ${PRICE_PER_MILLION_WRU}/M WRU, ${PRICE_PER_MILLION_RRU}/M RRU, "
        f"${PRICE_STORAGE_GB_MONTH}/GB-month storage, ${PRICE_PITR_GB_MONTH}/GB-month PITR "
        "(free tier ignored; stream reads by a Lambda trigger are free)"
    )
    report.line(
        f"  store: {inputs.customers:,} customers ({inputs.member_share:.0%} members), "
        f"{inputs.orders_per_month:,} orders/month (all of known customers), "
        f"{inputs.lookups_per_month:,} balance lookups/month, ledger kept {inputs.months_of_ledger} months"
    )
    report.line(
        f"  per order: {order_wru} WRU + {order_rru:g} RRU on the request path, {totals_wru} WRU on the "
        f"stream (totals); per lookup: {lookup_rru:g} RRU"
    )
    report.line(
        f"  stored bytes per item (index entries and 100 B per item and per entry included): account "
        f"{account}, ledger entry {entry}, email claim {claim}, stream marker {marker} "
        f"(kept {inputs.marker_days} days)"
    )
    report.line(f"  order writes    ${writes_cost:9.2f}")
    report.line(f"  totals writes   ${totals_cost:9.2f}")
    report.line(f"  reads           ${reads_cost:9.2f}")
    months = inputs.months_of_ledger
    report.line(f"  storage         ${storage_cost:9.2f}   ({gigabytes:.2f} GB after {months} months)")
    report.line(f"  PITR            ${pitr_cost:9.2f}")
    report.line(f"  total           ${total:9.2f} per month")
