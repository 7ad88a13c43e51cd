"""Pending points on DynamoDB Local, with concurrent processes: overlapping and redelivered release
runs racing orders and refunds of the same customers, every webhook delivered twice. Nothing is
released twice, nothing is lost, and every invariant holds (balance, pending, pending_release_at)."""

from __future__ import annotations

import multiprocessing
import random
from datetime import datetime, timedelta
from typing import Any

import pytest

from loyalty.domain.entities import EntryType, Points
from tests.reliability import harness
from tests.support import STORE, Service, order_event, refund_event, registration_event

pytestmark = pytest.mark.dynamodb_local

PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
    "pending_days": 14,
}
OCCURRED = "2026-11-20T10:00:00Z"
DUE = "2026-12-04T10:00:00Z"  # OCCURRED + 14 days
LATER = "2026-11-25T10:00:00Z"  # a second order, due five days after DUE


def order_at(order_id: str, customer: str, subtotal: str, occurred_at: str) -> dict[str, Any]:
    return {**order_event(order_id, customer, subtotal, email=None), "occurred_at": occurred_at}


def hours_after(moment: str, hours: int) -> str:
    return (datetime.fromisoformat(moment) + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


def pending_store(service: Service, count: int, *, spread: bool = False) -> list[str]:
    """`count` customers (every other one a member), each with 40 points pending until DUE (or,
    `spread`, customer n until n hours after DUE)."""
    assert service.admin("PUT", "/program", PROGRAM).status == 200
    customers = []
    for number in range(count):
        customer = f"c{number}"
        if number % 2 == 0:
            assert service.register(registration_event(customer, f"{customer}@example.com")).status == 200
        occurred = hours_after(OCCURRED, number if spread else 0)
        assert service.order(order_at(f"first-{customer}", customer, "40", occurred)).status == 200
        customers.append(customer)
    return customers


# Worker side: each process loads the functions once, as a Lambda execution environment does.


def _task(task: tuple[str, Any]) -> dict[str, Any]:
    from loyalty_dev.local.apigw import LambdaContext
    from loyalty_dev.local.schedules import scheduled_event
    from tests.harness.in_process import load_handler
    from tests.support import sign

    api = harness._worker["api"]
    kind, argument = task
    if kind == "release":
        time, event_id = argument
        handler = load_handler(api.functions["ReleaseFunction"])
        event = scheduled_event(time, event_id=event_id)
        return dict(handler(event, LambdaContext(function_name="ReleaseFunction")))
    body = harness.json.dumps(argument).encode()
    headers = {"Content-Type": "application/json", "X-Loyalty-Signature": sign(body)}
    answer = api.request("POST", harness.PATHS[kind], headers=headers, body=body)
    return {"status": answer.status, "kind": kind}


def run_concurrently(
    tasks: list[tuple[str, Any]], environment: dict[str, str], processes: int = 6
) -> list[Any]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(
        processes, initializer=harness._start_worker, initargs=(environment, harness.Faults())
    ) as pool:
        return pool.map(_task, tasks, chunksize=1)


def entries_of(service: Service, customer: str, kind: EntryType) -> list[Any]:
    return [entry for entry in service.repository.ledger(STORE, customer) if entry.type is kind]


def test_overlapping_runs_release_each_entry_once(service: Service, worker_env: dict[str, str]) -> None:
    customers = pending_store(service, 30)

    runs = run_concurrently(
        [("release", (DUE, f"run-{n}")) for n in range(4)] + [("release", (DUE, "run-0"))] * 2, worker_env
    )

    assert sum(run["entries_released"] for run in runs) == len(customers)
    assert sum(run["points_released"] for run in runs) == 40 * len(customers)
    for customer in customers:
        assert service.account(customer).points == Points(earned=40), customer
        assert len(entries_of(service, customer, EntryType.RELEASE)) == 1, customer
    service.assert_sound()


def test_releases_racing_orders_and_refunds_delivered_twice_lose_nothing_and_release_nothing_twice(
    service: Service, worker_env: dict[str, str]
) -> None:
    customers = pending_store(service, 30, spread=True)
    tasks: list[tuple[str, Any]] = []
    for customer in customers:
        later = order_at(f"second-{customer}", customer, "10", LATER)
        refund = refund_event(f"r-{customer}", f"first-{customer}", "10")
        tasks += [("order", later), ("refund", refund)] * 2  # every webhook delivered twice
    random.Random(25).shuffle(tasks)
    # Hourly runs among the webhooks, each delivered twice (the same schedule's event), so that
    # each customer's release races its refund: some refunds land inside the window, some after.
    span = len(tasks)
    for index in reversed(range(0, span, 6)):
        hour = index * len(customers) // span
        run = ("release", (hours_after(DUE, hour), f"run-{hour}"))
        tasks[index:index] = [run, run]

    results = run_concurrently(tasks, worker_env)

    assert all(result["status"] == 200 for result in results if "status" in result), results
    last = hours_after(DUE, len(customers))  # every first order due; the second ones still pending
    run_concurrently([("release", (last, "after"))], worker_env, processes=1)  # what contention deferred
    cancelled_first = 0
    for customer in customers:
        account = service.account(customer)
        # Whichever came first, the refund's 10 points come out of the first order's 40: cancelled
        # while pending (30 released) or reversed after the release (40 released, 10 reversed).
        assert account.points == Points(earned=30, pending=10), customer
        releases = entries_of(service, customer, EntryType.RELEASE)
        assert [entry.order_id for entry in releases] == [f"first-{customer}"], customer
        cancels = entries_of(service, customer, EntryType.CANCEL)
        reverses = entries_of(service, customer, EntryType.REVERSE)
        assert len(cancels) + len(reverses) == 1, customer
        assert releases[0].points == (30 if cancels else 40), customer
        cancelled_first += len(cancels)
        assert account.pending_release_at is not None
        assert account.pending_release_at.isoformat().startswith("2026-12-09T10:00:00"), customer
    service.assert_sound()
    assert 0 < cancelled_first < len(customers), "the workload raced nothing"
