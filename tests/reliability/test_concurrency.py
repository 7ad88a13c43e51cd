"""Exactly-once points under concurrent, duplicated, repeated and reordered deliveries."""

from __future__ import annotations

import pytest

from tests.reliability.harness import (
    Faults,
    assert_final_state,
    build_workload,
    deliver_concurrently,
)
from tests.support import Service

pytestmark = pytest.mark.dynamodb_local


def test_a_thousand_concurrent_deliveries_earn_every_point_exactly_once(
    service: Service, worker_env: dict[str, str]
) -> None:
    deliveries, expected = build_workload(seed=7)
    assert len(deliveries) >= 1000

    report = deliver_concurrently(deliveries, worker_env)

    assert_final_state(service, expected)
    assert report.statuses[200] == len(deliveries)


def test_throttling_and_lost_answers_change_nothing_in_the_final_state(
    service: Service, worker_env: dict[str, str]
) -> None:
    deliveries, expected = build_workload(seed=11)

    report = deliver_concurrently(
        deliveries, worker_env, faults=Faults(throttle_rate=0.10, lost_answer_rate=0.05)
    )

    assert_final_state(service, expected)
    # The faults really happened, in the proportions asked for.
    assert report.injected["throttled"] > 150
    assert report.injected["lost_answer"] > 75
