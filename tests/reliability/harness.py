"""Concurrent delivery of a webhook workload from worker processes, with optional injected faults.

Each worker process loads the handlers once, as a Lambda execution environment does, and serves one
event at a time; eight of them deliver concurrently to the same store. Processes, not threads:
Powertools' resolvers keep the current event in class attributes, so threads sharing one loaded
handler would swap events, a race no Lambda has.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from math import floor
from typing import Any

from tests.support import STORE, invitation_event, order_event, registration_event

PATHS = {
    "order": "/webhooks/order-created",
    "register": "/webhooks/member-registered",
    "merge": "/webhooks/invitation-accepted",
    "refund": "/webhooks/order-refunded",
}


@dataclass(frozen=True)
class Delivery:
    kind: str
    payload: dict[str, Any]
    path: str | None = None  # a back-office route (its payload is the body)
    idempotency_key: str | None = None


@dataclass
class Expected:
    earned: dict[str, int] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    merged_into: dict[str, str] = field(default_factory=dict)
    orders: int = 0


def build_workload(
    seed: int, *, members: int = 20, guests: int = 20, merges: int = 10, orders: int = 800
) -> tuple[list[Delivery], Expected]:
    """Orders over members and guests (a few customers hot), registrations, merges, 20% exact
    redeliveries and 10% repeats under a new event id, shuffled. And what they must add up to."""
    rng = random.Random(seed)
    member_ids = [f"m{index}" for index in range(members)]
    guest_ids = [f"g{index}" for index in range(guests)]
    owner = {guest: member_ids[index] for index, guest in enumerate(guest_ids[:merges])}
    hot = member_ids[:2] + guest_ids[:2]
    expected = Expected()
    for member in member_ids:
        expected.status[member], expected.earned[member] = "member", 0
    for guest in guest_ids:
        expected.status[guest], expected.earned[guest] = "candidate", 0
    for guest, member in owner.items():
        expected.status[guest], expected.merged_into[guest] = "merged", member

    unique: list[Delivery] = []
    customers = [*guest_ids, *[rng.choice(member_ids + guest_ids) for _ in range(orders - len(guest_ids))]]
    for number, drawn in enumerate(customers):
        # Every guest orders at least once (its first order); after that, 30% go to hot customers.
        customer = rng.choice(hot) if number >= len(guest_ids) and rng.random() < 0.3 else drawn
        subtotal = Decimal(rng.randrange(0, 50_000)) / 100
        is_member = customer.startswith("m")
        email = f"{customer}@{'member' if is_member else 'guest'}.example"
        unique.append(
            Delivery(
                "order",
                order_event(f"o{number}", customer, str(subtotal), has_account=is_member, email=email),
            )
        )
        expected.earned[owner.get(customer, customer)] += floor(subtotal)
    expected.orders = len(customers)
    unique += [
        Delivery("register", registration_event(member, f"{member}@member.example")) for member in member_ids
    ]
    unique += [Delivery("merge", invitation_event(guest, member)) for guest, member in owner.items()]

    deliveries = list(unique)
    deliveries += [rng.choice(unique) for _ in range(len(unique) // 5)]
    for original in rng.sample(unique, len(unique) // 10):
        repeat = json.loads(json.dumps(original.payload))
        repeat["event_id"] = f"{repeat['event_id']}-again"
        deliveries.append(Delivery(original.kind, repeat))
    rng.shuffle(deliveries)
    return deliveries, expected


@dataclass(frozen=True)
class Faults:
    throttle_rate: float = 0.0
    lost_answer_rate: float = 0.0


# Worker side ------------------------------------------------------------------------------------

_worker: dict[str, Any] = {}
_injected: Counter[str] = Counter()


def _start_worker(environment: dict[str, str], faults: Faults) -> None:
    os.environ.update(environment)
    if faults.throttle_rate or faults.lost_answer_rate:
        _inject_faults(faults)
    from tests.harness.in_process import InProcessApi

    _worker["api"] = InProcessApi()


def _deliver(delivery: Delivery) -> tuple[int, dict[str, int]]:
    from tests.support import merchant_claims, sign

    body = json.dumps(delivery.payload).encode()
    before = dict(_injected)
    headers = {"Content-Type": "application/json", "X-Loyalty-Signature": sign(body)}
    if delivery.idempotency_key:
        headers["Idempotency-Key"] = delivery.idempotency_key
    path = delivery.path or PATHS[delivery.kind]
    # A back-office call arrives with what the Cognito authorizer passes on: an operator's claims.
    claims = merchant_claims(["operators"]) if path.startswith("/admin/") else None
    answer = _worker["api"].request("POST", path, headers=headers, body=body, claims=claims)
    if answer.status >= 500 or answer.status in (400, 401, 422):
        assert answer.json()["error"], answer.body
    injected = {kind: count - before.get(kind, 0) for kind, count in _injected.items()}
    return answer.status, injected


def _inject_faults(faults: Faults) -> None:
    """A botocore handler on every DynamoDB request: some are answered 'throttled' without being
    sent; some are sent, applied, and then answered 500 as if the answer was lost on the way back."""
    import boto3
    import urllib3
    from botocore.awsrequest import AWSResponse

    rng = random.Random(os.getpid())
    http = urllib3.PoolManager()

    class _Raw:
        def __init__(self, body: bytes) -> None:
            self._body = body

        def stream(self, **_: Any) -> Any:
            yield self._body

    def answer(request: Any, status: int, error: str) -> AWSResponse:
        body = json.dumps(
            {"__type": f"com.amazonaws.dynamodb.v20120810#{error}", "message": "injected"}
        ).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "injected"}
        return AWSResponse(request.url, status, headers, _Raw(body))

    def maybe_fail(request: Any, **_: Any) -> AWSResponse | None:
        draw = rng.random()
        if draw < faults.throttle_rate:
            _injected["throttled"] += 1
            return answer(request, 400, "ThrottlingException")
        if draw < faults.throttle_rate + faults.lost_answer_rate:
            body = request.body if isinstance(request.body, bytes | str | None) else request.body.read()
            http.request(request.method, request.url, body=body, headers=dict(request.headers))
            _injected["lost_answer"] += 1
            return answer(request, 500, "InternalServerError")
        return None

    boto3.setup_default_session()
    boto3.DEFAULT_SESSION.events.register("before-send.dynamodb", maybe_fail)  # type: ignore[union-attr]


# Parent side ------------------------------------------------------------------------------------


@dataclass
class Report:
    deliveries: int = 0
    rounds: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    injected: Counter[str] = field(default_factory=Counter)


def deliver_concurrently(
    deliveries: list[Delivery],
    environment: dict[str, str],
    *,
    processes: int = 8,
    faults: Faults = Faults(),
    max_rounds: int = 12,
    accepted_on_the_way: frozenset[int] = frozenset({200, 201, 404, 503}),
) -> Report:
    """Deliver everything from `processes` workers; redeliver what answered non-2xx, as a platform
    does, until every delivery is accepted."""
    report = Report()
    pending = list(deliveries)
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, initializer=_start_worker, initargs=(environment, faults)) as pool:
        while pending and report.rounds < max_rounds:
            report.rounds += 1
            results = pool.map(_deliver, pending, chunksize=2)
            retry = []
            for delivery, (status, injected) in zip(pending, results, strict=True):
                report.deliveries += 1
                report.statuses[status] += 1
                report.injected.update(injected)
                if not 200 <= status < 300:
                    retry.append((delivery, status))
            pending = [delivery for delivery, _ in retry]
    assert not pending, f"{len(pending)} deliveries never accepted (last answers): {retry[:3]}"
    unexpected = {status for status in report.statuses if status not in accepted_on_the_way}
    assert not unexpected, f"unexpected answers: {report.statuses}"
    return report


def assert_final_state(service: Any, expected: Expected) -> None:
    from loyalty.domain.entities import EntryType

    accounts = {account.customer_id: account for account, _ in service.repository.accounts(STORE)}
    assert set(accounts) == set(expected.status)
    for customer, account in accounts.items():
        assert account.status.value == expected.status[customer], customer
        assert account.merged_into == expected.merged_into.get(customer), customer
        if account.merged_into is None:
            assert account.points.earned == expected.earned[customer], customer
            assert account.points.balance == expected.earned[customer], customer
        else:
            assert account.points.balance == 0, customer
    earn_entries = [
        entry
        for customer in accounts
        for entry in service.repository.ledger(STORE, customer)
        if entry.type is EntryType.EARN
    ]
    assert len(earn_entries) == expected.orders
    service.assert_sound()
