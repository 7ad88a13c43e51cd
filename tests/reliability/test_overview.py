"""The overview and the per-day activity are exact once events settle: a concurrent mix of orders,
refunds, redemptions and merges, then every stream record counted (each delivered twice), against
the accounts themselves."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from loyalty_dev.local.apigw import LambdaContext
from loyalty_dev.local.streams import StreamPump, deliver
from tests.harness.in_process import load_handler
from tests.reliability.harness import Delivery, build_workload, deliver_concurrently
from tests.support import STORE, Service, refund_event

pytestmark = pytest.mark.dynamodb_local


def mixed_workload(seed: int) -> list[Delivery]:
    rng = random.Random(seed)
    deliveries, _ = build_workload(seed, orders=300)
    orders = [delivery.payload["order"] for delivery in deliveries if delivery.kind == "order"]
    for number, order in enumerate(rng.sample(orders, 60)):
        amount = f"{rng.uniform(0, float(order['subtotal'])):.2f}"
        deliveries.append(Delivery("refund", refund_event(f"rf{number}", order["id"], amount)))
    for number in range(30):
        member = f"m{number % 20}"
        path = f"/admin/stores/{STORE}/customers/{member}/redemptions"
        deliveries.append(Delivery("redeem", {"points": 1, "reward": "sticker"}, path, f"redeem-{number}"))
    rng.shuffle(deliveries)
    return deliveries


def totals_from_accounts(service: Service) -> dict:
    points = {
        "earned": 0,
        "adjusted": 0,
        "redeemed": 0,
        "unredeemed": 0,
        "frozen": 0,
        "expired": 0,
        "pending": 0,
    }
    customers = {"members": 0, "candidates": 0, "excluded": 0}
    for account, balance in service.repository.accounts(STORE):
        if account.status.value == "merged":
            continue
        points["earned"] += account.points.earned
        points["adjusted"] += account.points.adjusted
        points["redeemed"] += account.points.redeemed
        points["expired"] += account.points.expired
        points["pending"] += account.points.pending
        points["frozen" if account.status.value == "excluded" else "unredeemed"] += balance
        customers[
            {"member": "members", "candidate": "candidates", "excluded": "excluded"}[account.status.value]
        ] += 1
    return {"points": points, "customers": customers}


def test_the_overview_is_exact_after_a_concurrent_mix_even_with_stream_records_seen_twice(
    service: Service, dynamodb_local_endpoint: str, worker_env: dict[str, str]
) -> None:
    pump = StreamPump(
        service.table_name,
        service.client,
        boto3.client("dynamodbstreams", region_name="us-east-1", endpoint_url=dynamodb_local_endpoint),
    )
    deliver_concurrently(
        mixed_workload(5), worker_env, accepted_on_the_way=frozenset({200, 201, 404, 409, 503})
    )
    service.admin("POST", "/customers/m1/points", {"amount": 7, "reason": "goodwill"})
    service.admin("PUT", "/customers/g15/exclusion")

    totals = load_handler(service.api.functions["TotalsFunction"])
    records = pump.drain()
    assert len(records) > 300
    deliver(totals, pump, records, LambdaContext(), batch=50)
    deliver(totals, pump, records[::-1], LambdaContext(), batch=37)  # every record again, reordered

    overview = service.admin("GET", "/overview").json()

    assert overview == totals_from_accounts(service)
    assert overview["customers"]["excluded"] == 1
    assert overview["points"]["redeemed"] == 30
    # The per-day counters were fed by the same records, twice: every column adds up to the totals.
    today = datetime.now(UTC).date()
    days = service.admin(
        "GET", "/activity", query={"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}
    ).json()["days"]
    counted = {
        name: sum(day[name] for day in days) for name in ("earned", "adjusted", "redeemed", "reversed")
    }
    assert counted["earned"] - counted["reversed"] == overview["points"]["earned"]
    assert counted["reversed"] > 0
    assert (counted["adjusted"], counted["redeemed"]) == (overview["points"]["adjusted"], 30)
    service.assert_sound()
