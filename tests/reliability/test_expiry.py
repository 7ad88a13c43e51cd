"""Points expiry on DynamoDB Local, with concurrent processes: overlapping runs expire each dormant
account once, and orders that race a run win (the account is re-decided on its new revision)."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from loyalty.domain.entities import Changes, EntryType, format_timestamp
from tests.reliability import harness
from tests.support import STORE, Service, order_event, registration_event

pytestmark = pytest.mark.dynamodb_local

PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
    "points_expiry_months": 3,
}
DORMANT_SINCE = datetime(2024, 1, 31, 12, 0, tzinfo=UTC)


def dormant_store(service: Service, count: int) -> dict[str, int]:
    """`count` members and candidates with points, all last active on DORMANT_SINCE; their balances."""
    assert service.admin("PUT", "/program", PROGRAM).status == 200
    balances = {}
    for number in range(count):
        customer = f"c{number}"
        if number % 2 == 0:
            assert service.register(registration_event(customer, f"{customer}@example.com")).status == 200
        assert (
            service.order(order_event(f"o-{customer}", customer, f"{10 + number}", email=None)).status == 200
        )
        before = service.account(customer)
        after = replace(before, last_activity_at=DORMANT_SINCE, revision=before.revision + 1)
        service.repository.commit(Changes(accounts=((before, after),)))
        balances[customer] = 10 + number
    return balances


# Worker side: each process loads the functions once, as a Lambda execution environment does.


def _task(task: tuple[str, Any]) -> dict[str, Any]:
    from loyalty_dev.local.apigw import LambdaContext
    from loyalty_dev.local.schedules import scheduled_event
    from tests.harness.in_process import load_handler
    from tests.support import sign

    api = harness._worker["api"]
    kind, argument = task
    if kind == "expire":
        handler = load_handler(api.functions["ExpiryFunction"])
        return dict(handler(scheduled_event(argument), LambdaContext(function_name="ExpiryFunction")))
    body = harness.json.dumps(argument).encode()
    headers = {"Content-Type": "application/json", "X-Loyalty-Signature": sign(body)}
    answer = api.request("POST", harness.PATHS["order"], headers=headers, body=body)
    return {"status": answer.status}


def run_concurrently(
    tasks: list[tuple[str, Any]], environment: dict[str, str], processes: int = 6
) -> list[Any]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(
        processes, initializer=harness._start_worker, initargs=(environment, harness.Faults())
    ) as pool:
        return pool.map(_task, tasks, chunksize=1)


def expire_entries(service: Service, customer: str) -> list[Any]:
    return [entry for entry in service.repository.ledger(STORE, customer) if entry.type is EntryType.EXPIRE]


def test_overlapping_and_repeated_runs_expire_every_dormant_account_exactly_once(
    service: Service, worker_env: dict[str, str]
) -> None:
    balances = dormant_store(service, 40)
    now = format_timestamp(datetime.now(UTC))
    later = format_timestamp(datetime.now(UTC) + timedelta(hours=1))

    runs = run_concurrently([("expire", now)] * 4 + [("expire", later)] * 2, worker_env)

    assert sum(run["accounts_expired"] for run in runs) == len(balances)
    assert sum(run["points_expired"] for run in runs) == sum(balances.values())
    for customer, balance in balances.items():
        account = service.account(customer)
        assert (account.points.balance, account.points.expired) == (0, balance), customer
        assert len(expire_entries(service, customer)) == 1, customer
    service.assert_sound()


def test_orders_racing_the_runs_win_and_nothing_expires_twice(
    service: Service, worker_env: dict[str, str]
) -> None:
    balances = dormant_store(service, 40)
    now = format_timestamp(datetime.now(UTC))
    orders = [("order", order_event(f"late-{customer}", customer, "7", email=None)) for customer in balances]
    tasks: list[tuple[str, Any]] = []
    for index, order in enumerate(orders):  # the runs spread among the orders
        tasks.append(order)
        if index % 10 == 0:
            tasks.append(("expire", now))

    results = run_concurrently(tasks, worker_env)

    assert all(result["status"] == 200 for result in results if "status" in result)
    won_by_order = won_by_expiry = 0
    for customer, balance in balances.items():
        account = service.account(customer)
        entries = expire_entries(service, customer)
        assert account.points.earned == balance + 7, customer
        if account.points.expired == 0:  # the order came first: the run re-decided, not due
            assert (account.points.balance, entries) == (balance + 7, []), customer
            won_by_order += 1
        else:  # the run came first; the order's points are new and stay
            assert (account.points.expired, account.points.balance, len(entries)) == (balance, 7, 1), customer
            won_by_expiry += 1
    assert won_by_order + won_by_expiry == len(balances)
    rerun = run_concurrently([("expire", now)], worker_env, processes=1)
    assert rerun[0]["accounts_expired"] == 0  # every account is active again
    service.assert_sound()
