"""VIP tiers on DynamoDB Local, with concurrent processes: orders that reach Gold racing
overlapping and redelivered daily reviews of the same customers (whose Silver is due), every order
delivered twice. No tier is lost, no entry bonus is paid twice, and every invariant holds."""

from __future__ import annotations

import multiprocessing
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from loyalty.domain.entities import EntryType, format_timestamp
from loyalty.domain.rules.expiry import add_months
from tests.reliability import harness
from tests.support import STORE, Service, order_event, registration_event

pytestmark = pytest.mark.dynamodb_local

PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
    "tiers": [
        {"id": "silver", "name": "Silver", "threshold": 100, "earn_multiplier": "1.25", "entry_bonus": 50},
        {"id": "gold", "name": "Gold", "threshold": 300, "earn_multiplier": "1.5", "entry_bonus": 200},
    ],
    "tier_window_months": 12,
}
# Silver reached a year less a day ago, at 10:00 (the handlers judge at the real clock's now, whose
# window still holds it); the reviews run when its kept_until has passed (the order has left the
# window then: a review that runs before a customer's Gold order lets Silver fall).
REACHED = (add_months(datetime.now(UTC), -12) + timedelta(days=1)).replace(
    hour=10, minute=0, second=0, microsecond=0
)
REVIEW_AT = format_timestamp(add_months(REACHED, 12) + timedelta(hours=2))


def order_at(order_id: str, customer: str, subtotal: str, occurred_at: str) -> dict[str, Any]:
    return {**order_event(order_id, customer, subtotal, email=None), "occurred_at": occurred_at}


def silver_store(service: Service, count: int) -> list[str]:
    """`count` members, each holding Silver (120 points a year ago), due for review at REVIEW_AT."""
    assert service.admin("PUT", "/program", PROGRAM).status == 200
    customers = []
    for number in range(count):
        customer = f"c{number}"
        assert service.register(registration_event(customer, f"{customer}@example.com")).status == 200
        first = order_at(f"first-{customer}", customer, "120", format_timestamp(REACHED))
        assert service.order(first).status == 200
        account = service.account(customer)
        assert account.tiering.held is not None
        assert account.tiering.held.id == "silver"
        customers.append(customer)
    return customers


def _task(task: tuple[str, Any]) -> dict[str, Any]:
    from loyalty_dev.local.apigw import LambdaContext
    from loyalty_dev.local.schedules import scheduled_event
    from tests.harness.in_process import load_handler
    from tests.support import sign

    api = harness._worker["api"]
    kind, argument = task
    if kind == "review":
        time, event_id = argument
        handler = load_handler(api.functions["TierReviewFunction"])
        event = scheduled_event(time, event_id=event_id)
        return dict(handler(event, LambdaContext(function_name="TierReviewFunction")))
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


def test_orders_racing_daily_reviews_lose_no_tier_and_pay_no_bonus_twice(
    service: Service, worker_env: dict[str, str]
) -> None:
    customers = silver_store(service, 24)
    recent = format_timestamp(datetime.now(UTC) - timedelta(hours=1))
    tasks: list[tuple[str, Any]] = []
    for customer in customers:
        tasks += [("order", order_at(f"gold-{customer}", customer, "400", recent))] * 2  # delivered twice
    random.Random(26).shuffle(tasks)
    # Reviews among the orders: overlapping runs, and one schedule's event delivered twice.
    for index in reversed(range(0, len(tasks), 8)):
        run_id = f"run-{index % 3}"
        tasks[index:index] = [("review", (REVIEW_AT, run_id)), ("review", (REVIEW_AT, run_id))]

    results = run_concurrently(tasks, worker_env)

    assert all(result["status"] == 200 for result in results if "status" in result), results
    reviews = [result for result in results if "accounts_read" in result]
    assert sum(review["accounts_changed"] for review in reviews) > 0, "no review raced an order"
    run_concurrently([("review", (REVIEW_AT, "after"))], worker_env, processes=1)  # what contention deferred
    for customer in customers:
        account = service.account(customer)
        assert account.tiering.held is not None, customer
        assert account.tiering.held.id == "gold", customer  # never lost to a review's stale read
        assert account.tiering.bonuses_paid == {"silver", "gold"}, customer
        ledger = list(service.repository.ledger(STORE, customer))
        bonuses = sorted(entry.entry_id for entry in ledger if entry.type is EntryType.BONUS)
        assert bonuses == [f"tier-bonus:{customer}:gold", f"tier-bonus:{customer}:silver"], customer
        assert len([entry for entry in ledger if entry.type is EntryType.EARN]) == 2, customer
    service.assert_sound()
