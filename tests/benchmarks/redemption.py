"""Figures 1 and 2 for the rewards catalog: a storefront redemption's calls and request units, and
the balance lookup of a store with a catalog, which stays one GetItem once the container has
cached the store's program and catalog summary."""

from __future__ import annotations

from collections import Counter

from tests.benchmarks.calls import Scenario, Target, looked_up
from tests.benchmarks.moto import STORE, Harness, order, registration
from tests.harness.client import ORDER_PATH, REGISTER_PATH
from tests.harness.in_process import Answer

REWARD = {
    "id": "bench-ten-off",
    "name": "10 off",
    "points": 10,
    "kind": "amount_off",
    "value": "10",
    "currency": "EUR",
}

# Read the reward (GetItem) and the account (GetItem), then one TransactWriteItems of five items:
# the account, the redeem entry, the coupon (its code claimed), the reward's check, the key's answer.
REDEMPTION_TARGET = Target(
    "<=3 reads (key, account, reward), 1 TransactWriteItems",
    lambda c: c["TransactWriteItems"] == 1 and c["GetItem"] <= 3 and c.total() == c["GetItem"] + 1,
)
BALANCE_WITH_CATALOG_TARGET = Target("exactly 1 GetItem", lambda c: c == Counter({"GetItem": 1}))


def _member_with_a_catalog(customer_id: str) -> Scenario:
    def prepare(harness: Harness) -> str:
        harness.post(REGISTER_PATH, registration(customer_id, f"{customer_id}@example.com"))
        harness.post(ORDER_PATH, order(f"{customer_id}-1", customer_id, has_account=True))
        created = harness.admin("POST", "/rewards", REWARD, store_id=STORE)
        if created.status not in {201, 409}:
            raise RuntimeError(f"setting up: the reward answered {created.status}: {created.body}")
        return ""

    return Scenario("", looked_up(prepare, customer_id), lambda h: Answer(0, {}, ""), ())


def redemption_scenarios() -> tuple[Scenario, ...]:
    balance_setup = _member_with_a_catalog("r-balance").prepare
    redemption_setup = _member_with_a_catalog("r-redeem").prepare
    return (
        Scenario(
            "balance lookup, catalog cached",
            balance_setup,
            lambda h: h.balance("r-balance", store_id=STORE),
            (BALANCE_WITH_CATALOG_TARGET,),
        ),
        Scenario(
            "storefront redemption (coupon)",
            redemption_setup,
            lambda h: h.redeem("r-redeem", str(REWARD["id"]), key="bench-redeem-1", store_id=STORE),
            (REDEMPTION_TARGET,),
        ),
    )


REDEMPTION_SCENARIOS = redemption_scenarios()
