"""Ways to earn in figure 1: an order inside a campaign, with a sign-up way on, costs the calls of
an order without them (the campaigns come from the cached program), and a registration that pays
the sign-up bonus stays one read and one write (the bonus is in the registration's transaction)."""

from __future__ import annotations

from collections import Counter

from tests.benchmarks.calls import EVENT_TARGET, ORDER_TARGET, Scenario, Target
from tests.benchmarks.moto import Harness, order, registration
from tests.harness.client import ORDER_PATH, REGISTER_PATH
from tests.harness.in_process import Answer

EARN_STORE = "bench-earn"
# The benchmark's orders occur on 2026-11-20 (tests/harness/events.py): the campaign covers it.
PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "ways_to_earn": [{"id": "signup", "kind": "signup", "points": 100}],
    "campaigns": [
        {
            "id": "double",
            "name": "Double points",
            "multiplier": "2",
            "starts_at": "2026-11-01T00:00:00Z",
            "ends_at": "2026-12-01T00:00:00Z",
        }
    ],
}
ONE_READ_ONE_WRITE = Target(
    "exactly 1 GetItem + 1 TransactWriteItems",
    lambda c: c == Counter({"GetItem": 1, "TransactWriteItems": 1}),
)


def _post(harness: Harness, path: str, payload: dict[str, object]) -> Answer:
    answer = harness.post(path, {**payload, "store_id": EARN_STORE})
    if answer.status != 200:
        raise RuntimeError(f"{path} answered {answer.status}: {answer.body}")
    return answer


def _configured(harness: Harness) -> str:
    answer = harness.admin("PUT", "/program", PROGRAM, store_id=EARN_STORE)
    if answer.status != 200:
        raise RuntimeError(f"setting up the program: {answer.status} {answer.body}")
    _post(harness, ORDER_PATH, order("w-1", "w"))  # the earn store's program cached, as when warm
    return "program: a running x2 campaign and a 100-point sign-up bonus"


def _known_customer(harness: Harness) -> str:
    note = _configured(harness)
    _post(harness, ORDER_PATH, order("k-1", "k"))
    return note


def earn_scenarios() -> tuple[Scenario, ...]:
    return (
        Scenario(
            "order, known customer, in a campaign",
            _known_customer,
            lambda h: _post(h, ORDER_PATH, order("k-2", "k")),
            (ORDER_TARGET, ONE_READ_ONE_WRITE),
            is_order=True,
        ),
        Scenario(
            "order, new member, sign-up bonus paid",
            _configured,
            lambda h: _post(h, ORDER_PATH, order("n-1", "n", has_account=True, email="n@example.com")),
            (ORDER_TARGET, ONE_READ_ONE_WRITE),
            is_order=True,
        ),
        Scenario(
            "member registration, sign-up bonus paid",
            _configured,
            lambda h: _post(h, REGISTER_PATH, registration("r", "r@example.com")),
            (EVENT_TARGET, ONE_READ_ONE_WRITE),
        ),
    )
