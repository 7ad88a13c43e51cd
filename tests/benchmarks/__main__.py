"""Benchmarks against their floors: DynamoDB calls and request units, handler time, cold start,
memory and cost. `python -m tests.benchmarks` (= `make bench`, from the project root) prints every
figure with its target beside it; docs/benchmarks.md reads them."""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import sys
import warnings
from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from tests.benchmarks.calls import SCENARIOS, measure, report_calls
from tests.benchmarks.cold_start import cold_starts, report_cold_starts
from tests.benchmarks.cost import MILLION_CUSTOMER_STORE, report_cost
from tests.benchmarks.cpu import report_cpu, time_cpu
from tests.benchmarks.earn import earn_scenarios
from tests.benchmarks.events import measure_events, report_events
from tests.benchmarks.expiry import measure_expiry, report_expiry
from tests.benchmarks.imports import measure_import, report_imports
from tests.benchmarks.memory import report_memory, serve_events
from tests.benchmarks.moto import moto_harness
from tests.benchmarks.redemption import REDEMPTION_SCENARIOS
from tests.benchmarks.rejections import report_rejections, time_rejections
from tests.benchmarks.release import measure_release, pending_scenarios, report_release
from tests.benchmarks.report import Report, machine, report_verdicts
from tests.benchmarks.spread import partition_spread, report_spread
from tests.benchmarks.tiers import measure_review, report_tiers, tier_scenarios
from tests.benchmarks.timing import report_timing, time_orders
from tests.benchmarks.wix_verification import measure_wix, report_wix
from tests.benchmarks.write_units import report_write_units

PARTS = (
    "calls",
    "timing",
    "cpu",
    "cold",
    "memory",
    "rejections",
    "expiry",
    "release",
    "imports",
    "events",
    "tiers",
)


def run_later_parts(report: Report, parts: Collection[str], import_rows: int) -> None:
    """The parts added with the return window, imports, outbound events and tiers: the hourly
    release, rows per second, what events add per order, and the order path with tiers on with the
    daily tier review."""
    if "release" in parts:
        with moto_harness() as harness:
            release = measure_release(harness)
        report_release(report, release)
    if "imports" in parts:
        report_imports(report, measure_import(import_rows))
    if "events" in parts:
        with moto_harness() as harness:
            events = measure_events(harness)
        report_events(report, events)
    if "tiers" in parts:
        with moto_harness() as harness:
            orders = [measure(harness, scenario) for scenario in tier_scenarios()]
        with moto_harness() as harness:
            review = measure_review(harness)
        report_tiers(report, orders, review)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument("--cold-runs", type=int, default=7, help="fresh processes per cold-start figure")
    parser.add_argument("--events", type=int, default=1000, help="events served by the memory process")
    parser.add_argument("--rounds", type=int, default=10, help="timing rounds (fresh tables each)")
    parser.add_argument("--per-round", type=int, default=20, help="orders per timing round")
    parser.add_argument(
        "--quota-runs", type=int, default=3, help="fresh processes per cold start under the CPU quota"
    )
    parser.add_argument("--cpu-events", type=int, default=400, help="orders timed for the CPU figure")
    parser.add_argument("--import-rows", type=int, default=2000, help="rows of the timed import")
    parser.add_argument("--only", choices=PARTS, action="append", help="run only these parts")
    arguments = parser.parse_args(argv)
    if importlib.util.find_spec("functions") is None:
        parser.error(
            "run from the project root (make bench): the handlers are imported as functions.<name>.app"
        )
    parts = set(arguments.only or PARTS)
    report = Report(sys.stdout)
    report.line(f"Loyalty service benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    report.line(f"machine: {machine()}")
    report.line("command: make bench  (.venv/bin/python -m tests.benchmarks)")
    # The functions log and publish metrics to stdout, as on Lambda: that work is timed, its text dropped.
    with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        warnings.simplefilter("ignore")
        if "calls" in parts:
            with moto_harness() as harness:
                measured = [
                    measure(harness, scenario)
                    for scenario in (
                        *SCENARIOS,
                        *REDEMPTION_SCENARIOS,
                        *pending_scenarios(),
                        *earn_scenarios(),
                    )
                ]
                spread = partition_spread(harness)
            report_calls(report, measured)
            report_write_units(report, measured)
            report_spread(report, spread)
        if "timing" in parts:
            timing = time_orders(arguments.rounds, arguments.per_round)
            report_timing(report, timing, arguments.rounds, arguments.per_round)
        if "cpu" in parts:
            report_cpu(report, time_cpu(arguments.cpu_events))
        if "cold" in parts:
            figures = cold_starts(arguments.cold_runs, arguments.quota_runs)
            report_cold_starts(report, arguments.cold_runs, figures)
            report_wix(report, arguments.cold_runs, measure_wix(arguments.cold_runs))
        if "memory" in parts:
            report_memory(report, serve_events(arguments.events))
        if "calls" in parts:
            report_cost(report, measured, MILLION_CUSTOMER_STORE)
        if "rejections" in parts:
            report_rejections(report, time_rejections(arguments.rounds, arguments.per_round))
        if "expiry" in parts:
            with moto_harness() as harness:
                expiry = measure_expiry(harness)
            report_expiry(report, expiry)
        run_later_parts(report, parts, arguments.import_rows)
    report_verdicts(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
