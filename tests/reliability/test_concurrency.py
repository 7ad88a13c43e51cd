"""Exactly-once points under concurrent, duplicated, repeated and reordered deliveries."""

from __future__ import annotations

import os

import pytest

from tests.reliability.harness import Faults, assert_final_state, build_workload, deliver_concurrently
from tests.support import Service

pytestmark = pytest.mark.dynamodb_local


def environment() -> dict[str, str]:
    names = (
        "TABLE_NAME",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "POINTS_PER_CURRENCY_UNIT",
        "GUESTS_EARN_POINTS",
        "EXCLUDED_CUSTOMER_TAGS",
        "LOYALTY_WEBHOOK_SECRET",
        "LOYALTY_CUSTOMER_TOKEN_SECRET",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "POWERTOOLS_METRICS_DISABLED",
    )
    return {name: os.environ[name] for name in names if name in os.environ} | {
        "POWERTOOLS_LOG_LEVEL": "ERROR"
    }


def test_a_thousand_concurrent_deliveries_earn_every_point_exactly_once(service: Service) -> None:
    deliveries, expected = build_workload(seed=7)
    assert len(deliveries) >= 1000

    report = deliver_concurrently(deliveries, environment())

    assert_final_state(service, expected)
    assert report.statuses[200] == len(deliveries)


def test_throttling_and_lost_answers_change_nothing_in_the_final_state(service: Service) -> None:
    deliveries, expected = build_workload(seed=11)

    report = deliver_concurrently(
        deliveries, environment(), faults=Faults(throttle_rate=0.10, lost_answer_rate=0.05)
    )

    assert_final_state(service, expected)
    # The faults really happened, in the proportions asked for.
    assert report.injected["throttled"] > 150
    assert report.injected["lost_answer"] > 75
