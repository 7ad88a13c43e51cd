"""Expiry reminders on moto: the program's `expiry_reminder_days` (validated), the daily run putting
one reminder per customer, activity and reminder day (reruns put nothing twice, new activity starts
afresh), and EventsFunction telling each as `points.expiring_soon`."""

from __future__ import annotations

from typing import Any

import pytest

from tests.handlers.test_events import Published, deliver, published, stream_records
from tests.handlers.test_expiry import PROGRAM, customer, expire, last_active
from tests.support import Service, order_event

__all__ = ["published"]  # the fixture, from the events tests

MARCH_1 = "2026-03-01T10:00:00.000Z"  # with 3 months of expiry, the balance expires on June 1


def reminders_on(service: Service, days: list[int], months: int = 3) -> None:
    document = {**PROGRAM, "points_expiry_months": months, "expiry_reminder_days": days}
    answer = service.admin("PUT", "/program", document)
    assert answer.status == 200, answer.body


@pytest.mark.parametrize(
    "days",
    [[0], [366], [1, 2, 3, 4], [7, 7], ["7"], [7.5], 7, None],
)
def test_bad_reminder_days_are_refused_with_422_and_change_nothing(service: Service, days: Any) -> None:
    answer = service.admin("PUT", "/program", {**PROGRAM, "expiry_reminder_days": days})
    assert answer.status == 422, answer.body
    assert service.admin("GET", "/program").json()["expiry_reminder_days"] == []


def test_the_program_keeps_its_reminder_days_farthest_first(service: Service) -> None:
    reminders_on(service, [7, 30])
    assert service.admin("GET", "/program").json()["expiry_reminder_days"] == [30, 7]


def run(service: Service, time: str) -> int:
    answer: dict[str, Any] = expire(service, time)
    assert answer["complete"] is True
    return int(answer["reminders"])


def test_each_reminder_day_is_told_once_per_activity(service: Service) -> None:
    reminders_on(service, [30, 7])
    customer(service, "ann")
    last_active(service, "ann", MARCH_1)

    assert run(service, "2026-04-20T03:15:00Z") == 0  # 42 days before: no reminder yet
    assert run(service, "2026-05-03T03:15:00Z") == 1  # 29 days before: the 30-day one
    assert run(service, "2026-05-03T03:15:00Z") == 0  # a rerun
    assert run(service, "2026-05-04T03:15:00Z") == 0  # the next day: still the same reminder
    assert run(service, "2026-05-26T03:15:00Z") == 1  # 6 days before: the 7-day one
    assert run(service, "2026-05-27T03:15:00Z") == 0
    assert expire(service, "2026-06-01T10:00:00Z")["points_expired"] == 40  # reminders took nothing
    assert run(service, "2026-06-02T03:15:00Z") == 0  # nothing left to expire, nothing to tell


def test_new_activity_starts_afresh_and_only_the_nearest_day_is_told_at_once(service: Service) -> None:
    reminders_on(service, [30, 7])
    customer(service, "ann")
    last_active(service, "ann", MARCH_1)
    assert run(service, "2026-05-28T03:15:00Z") == 1  # first seen 4 days before: the 7-day one only
    assert service.order(order_event("o-2", "ann", "10", email=None)).status == 200  # activity now
    assert run(service, "2026-05-28T03:15:00Z") == 0  # its expiry moved months away


def test_a_reminder_is_published_as_points_expiring_soon(service: Service, published: Published) -> None:
    reminders_on(service, [30, 7])
    customer(service, "ann")
    last_active(service, "ann", MARCH_1)
    assert run(service, "2026-05-26T03:15:00Z") == 1
    pump, records = stream_records(service)

    deliver(pump, records)
    deliver(pump, records)  # redelivered: the same id again

    soon = [event["detail"] for event in published.read() if event["detail-type"] == "points.expiring_soon"]
    assert len(soon) == 2
    assert soon[0] == soon[1]
    assert {key: soon[0][key] for key in ("customer_id", "points", "days", "expires_at", "occurred_at")} == {
        "customer_id": "ann",
        "points": 40,
        "days": 7,
        "expires_at": "2026-06-01T10:00:00.000Z",
        "occurred_at": "2026-05-26T03:15:00.000Z",
    }
