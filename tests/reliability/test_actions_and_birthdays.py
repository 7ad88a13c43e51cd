"""Custom actions and birthdays on DynamoDB Local, with concurrent processes: the same action
reported by racing processes earns once; many references racing never pass a per-day (or
per-customer) limit; the daily birthday run racing itself, and rerun, pays each birthday once."""

from __future__ import annotations

import multiprocessing
import random
from collections import Counter
from typing import Any

import pytest

from loyalty.domain.entities import EntryType
from tests.reliability import harness
from tests.support import STORE, Service, registration_event

pytestmark = pytest.mark.dynamodb_local

ACTION_PATH = "/webhooks/action-completed"
BASE = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
}


def ways(service: Service, *ways_to_earn: dict[str, Any]) -> None:
    answer = service.admin("PUT", "/program", {**BASE, "ways_to_earn": list(ways_to_earn)})
    assert answer.status == 200, answer.body


def action_event(
    reference: str, customer_id: str, occurred_at: str = "2026-11-20T10:00:00Z"
) -> dict[str, Any]:
    return {
        "event_id": f"evt-{reference}",
        "store_id": STORE,
        "occurred_at": occurred_at,
        "action": {"id": "review", "customer_id": customer_id, "reference": reference},
    }


def _task(task: tuple[str, Any]) -> dict[str, Any]:
    from loyalty_dev.local.apigw import LambdaContext
    from loyalty_dev.local.schedules import scheduled_event
    from tests.harness.in_process import load_handler
    from tests.support import sign

    api = harness._worker["api"]
    kind, argument = task
    if kind == "birthdays":
        time, event_id = argument
        handler = load_handler(api.functions["BirthdayFunction"])
        return dict(
            handler(scheduled_event(time, event_id=event_id), LambdaContext(function_name="BirthdayFunction"))
        )
    body = harness.json.dumps(argument).encode()
    headers = {"Content-Type": "application/json", "X-Loyalty-Signature": sign(body)}
    answer = api.request("POST", ACTION_PATH, headers=headers, body=body)
    return {"status": answer.status, "body": answer.json(), "reference": argument["action"]["reference"]}


def run_concurrently(
    tasks: list[tuple[str, Any]], environment: dict[str, str], processes: int = 6
) -> list[Any]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(
        processes, initializer=harness._start_worker, initargs=(environment, harness.Faults())
    ) as pool:
        return pool.map(_task, tasks, chunksize=1)


def settled(results: list[dict[str, Any]], environment: dict[str, str]) -> list[dict[str, Any]]:
    """Each report's final answer: a 503 (contention retries ran out) is redelivered, as a
    platform would, until it converges."""
    final = [result for result in results if result["status"] == 200]
    retry = [result for result in results if result["status"] != 200]
    assert all(result["status"] == 503 for result in retry), retry
    while retry:
        tasks = [("action", action_event(result["reference"], "ann")) for result in retry]  # ann's only
        again = run_concurrently(tasks, environment, processes=1)
        final += [result for result in again if result["status"] == 200]
        retry = [result for result in again if result["status"] != 200]
    return final


def bonus_entries(service: Service, customer_id: str) -> list[str]:
    ledger = service.repository.ledger(STORE, customer_id)
    return sorted(entry.entry_id for entry in ledger if entry.type is EntryType.BONUS)


def test_the_same_action_reported_by_racing_processes_earns_once(
    service: Service, worker_env: dict[str, str]
) -> None:
    ways(service, {"id": "review", "kind": "action", "name": "Write a review", "points": 25})
    customers = [f"c{number}" for number in range(6)]
    for customer in customers:
        assert service.register(registration_event(customer, f"{customer}@example.com")).status == 200
    tasks = [
        ("action", action_event(f"review-{customer}", customer)) for customer in customers for _ in range(4)
    ]
    random.Random(30).shuffle(tasks)

    results = run_concurrently(tasks, worker_env)

    assert all(result["status"] == 200 for result in results), results
    statuses = sorted(result["body"]["status"] for result in results)
    assert statuses == ["duplicate"] * 18 + ["processed"] * 6
    for customer in customers:
        assert bonus_entries(service, customer) == [f"action:review:{customer}:review-{customer}"]
        assert service.account(customer).points.balance == 25
    service.assert_sound()


@pytest.mark.parametrize(("per_customer", "per_day"), [(None, 3), (4, None)])
def test_many_references_racing_never_pass_a_limit(
    service: Service, worker_env: dict[str, str], per_customer: int | None, per_day: int | None
) -> None:
    review = {"id": "review", "kind": "action", "name": "Write a review", "points": 10}
    ways(service, {**review, "per_customer": per_customer, "per_day": per_day})
    assert service.register(registration_event("ann", "ann@example.com")).status == 200
    # 24 references, each delivered twice, all on one UTC day (at different hours).
    tasks = [
        ("action", action_event(f"r-{number}", "ann", f"2026-11-20T{number % 24:02d}:15:00Z"))
        for number in range(24)
        for _ in range(2)
    ]
    random.Random(31).shuffle(tasks)

    results = settled(run_concurrently(tasks, worker_env), worker_env)

    limit = per_day if per_day is not None else per_customer
    assert limit is not None
    earned = bonus_entries(service, "ann")
    assert len(earned) == limit, earned
    processed = {result["reference"] for result in results if result["body"]["status"] == "processed"}
    assert processed == {entry.rsplit(":", 1)[1] for entry in earned}
    answered = Counter(result["body"]["status"] for result in results)
    # Each reference twice: an earned one's twin is its duplicate, the others are limited both times.
    assert answered == Counter({"processed": limit, "duplicate": limit, "limited": 2 * (24 - limit)})
    assert service.account("ann").points.earned == 10 * limit
    service.assert_sound()


def test_the_birthday_run_racing_itself_and_rerun_pays_each_birthday_once(
    service: Service, worker_env: dict[str, str]
) -> None:
    ways(service, {"id": "birthday", "kind": "birthday", "points": 50})
    customers = [f"c{number}" for number in range(30)]
    for number, customer in enumerate(customers):
        event = registration_event(customer, f"{customer}@example.com")
        event["customer"]["birthday"] = "02-29" if number % 2 else "02-28"
        assert service.register(event).status == 200
    # Six runs of the same day at once (overlapping schedules, a redelivered event), then a rerun.
    runs = [("birthdays", ("2027-02-28T00:05:00Z", f"run-{number % 2}")) for number in range(6)]

    results = run_concurrently(runs, worker_env)
    rerun = run_concurrently([("birthdays", ("2027-02-28T09:00:00Z", "rerun"))], worker_env, processes=1)

    paid = sum(result["accounts_paid"] for result in results + rerun)
    assert paid == 30
    assert rerun[0]["accounts_paid"] == 0 or sum(r["accounts_deferred"] for r in results) > 0
    for customer in customers:
        assert bonus_entries(service, customer) == [f"birthday:{customer}:2027"], customer
        assert service.account(customer).points.balance == 50
    service.assert_sound()
