"""Concurrent storefront redemptions never spend the same points twice (DynamoDB Local, processes).

A member's balance pays for one reward; eight worker processes, each a warm container of its own,
redeem it at once under different Idempotency-Keys (eight tabs, eight clicks). Exactly one wins:
the others see the account changed under them, read again, and are refused for want of points.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from typing import Any

import pytest

from tests.support import STORE, Service, order_event, registration_event

pytestmark = pytest.mark.dynamodb_local

WORKERS = 8


def _redeem(environment: dict[str, str], key: str, barrier: Any, answers: Any) -> None:
    os.environ.update(environment)
    from tests.harness.in_process import InProcessApi
    from tests.support import token_for

    api = InProcessApi()
    headers = {"Authorization": f"Bearer {token_for(STORE, 'ann')}", "Content-Type": "application/json"}
    api.request("GET", f"/stores/{STORE}/customers/ann/balance", headers=headers)  # warm: loaded, cached
    barrier.wait(timeout=60)
    answer = api.request(
        "POST",
        f"/stores/{STORE}/customers/ann/redemptions",
        headers={**headers, "Idempotency-Key": key},
        body=json.dumps({"reward_id": "ten-off"}).encode(),
    )
    answers.put((key, answer.status, answer.body))


def test_concurrent_redemptions_spend_the_points_once(service: Service, worker_env: dict[str, str]) -> None:
    service.register(registration_event("ann", "ann@example.com"))
    service.order(order_event("o-1", "ann", "149"))  # 149 points: one reward of 100, not two
    created = service.admin(
        "POST",
        "/rewards",
        {
            "id": "ten-off",
            "name": "€10 off",
            "points": 100,
            "kind": "amount_off",
            "value": "10",
            "currency": "EUR",
        },
    )
    assert created.status == 201

    context = multiprocessing.get_context("spawn")
    barrier, answers = context.Barrier(WORKERS), context.Queue()
    workers = [
        context.Process(target=_redeem, args=(worker_env, f"tab-{number}", barrier, answers))
        for number in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    results = [answers.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)

    statuses = sorted(status for _, status, _ in results)
    assert statuses == [201] + [409] * (WORKERS - 1), results
    refused = [json.loads(body) for _, status, body in results if status == 409]
    assert {document["error"] for document in refused} == {"conflict"}
    account = service.account("ann")
    assert (account.points.balance, account.points.redeemed) == (49, 100)
    winner = next(json.loads(body) for _, status, body in results if status == 201)
    coupon = service.repository.get_coupon(STORE, winner["coupon"]["code"])
    assert coupon is not None
    assert coupon.customer_id == "ann"
    service.assert_sound()
