"""The template's Schedule events under `make dev`: which fire by themselves, when, and with what."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from loyalty_dev.local.schedules import (
    ScheduleRunner,
    ScheduleSource,
    UnsupportedSchedule,
    next_firing,
    schedule_sources,
)
from loyalty_dev.sample_events import EVENTS_DIR
from loyalty_dev.template import load_template

MOMENT = datetime(2026, 12, 2, 14, 0, 30, tzinfo=UTC)


def test_the_template_schedules_expiry_tier_review_and_birthdays_daily_and_release_hourly() -> None:
    birthdays, expiry, release, review = sorted(
        schedule_sources(load_template()), key=lambda source: source.function
    )
    assert (birthdays.function, birthdays.problem) == ("BirthdayFunction", None)
    assert birthdays.next_after(MOMENT) == datetime(2026, 12, 3, 0, 5, tzinfo=UTC)  # just after UTC midnight
    assert (review.function, review.problem) == ("TierReviewFunction", None)
    assert review.next_after(review.next_after(MOMENT)) - review.next_after(MOMENT) == timedelta(days=1)
    assert (expiry.function, expiry.problem) == ("ExpiryFunction", None)
    first = expiry.next_after(MOMENT)
    assert first > MOMENT
    assert expiry.next_after(first) - first == timedelta(days=1)
    assert (release.function, release.problem) == ("ReleaseFunction", None)
    assert release.next_after(MOMENT) - MOMENT == timedelta(hours=1)


def test_every_scheduled_function_has_a_sample_scheduled_event() -> None:
    for source in schedule_sources(load_template()):
        name = source.function.removesuffix("Function").lower()
        event = json.loads((EVENTS_DIR / f"{name}.json").read_text())
        assert (event["detail-type"], event["source"]) == ("Scheduled Event", "aws.events")
        assert datetime.fromisoformat(event["time"]).tzinfo is not None


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cron(15 3 * * ? *)", datetime(2026, 12, 3, 3, 15, tzinfo=UTC)),
        ("cron(30 14 * * ? *)", datetime(2026, 12, 2, 14, 30, tzinfo=UTC)),
        ("cron(0 14 * * ? *)", datetime(2026, 12, 3, 14, 0, tzinfo=UTC)),
        ("rate(5 minutes)", MOMENT + timedelta(minutes=5)),
        ("rate(1 hour)", MOMENT + timedelta(hours=1)),
        ("rate(2 days)", MOMENT + timedelta(days=2)),
    ],
)
def test_a_daily_cron_or_a_rate_fires_next_at(expression: str, expected: datetime) -> None:
    assert next_firing(expression, MOMENT) == expected


@pytest.mark.parametrize(
    "expression",
    ["cron(0 12 ? * MON-FRI *)", "cron(0/5 * * * ? *)", "cron(61 3 * * ? *)", "rate(0 days)", "at()"],
)
def test_other_expressions_run_on_demand_only(expression: str) -> None:
    with pytest.raises(UnsupportedSchedule):
        next_firing(expression, MOMENT)


def test_a_runner_fires_each_due_moment_with_a_scheduled_event_and_survives_a_failure() -> None:
    events: list[dict[str, Any]] = []
    done = threading.Event()
    ticks = iter(MOMENT + timedelta(minutes=minute) for minute in range(0, 1000, 2))

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        events.append(event)
        if len(events) == 1:
            raise RuntimeError("the function failed")
        if len(events) >= 3:
            done.set()
        return {"ok": True}

    lines: list[str] = []
    runner = ScheduleRunner(
        ScheduleSource("ExpiryFunction", "Daily", "rate(1 minute)"),
        invoke,
        log_line=lines.append,
        clock=lambda: next(ticks),
    )
    runner.start()
    assert done.wait(10)
    runner.stop()
    runner.join(5)

    assert [event["time"] for event in events[:3]] == [
        "2026-12-02T14:01:30.000Z",
        "2026-12-02T14:02:30.000Z",
        "2026-12-02T14:03:30.000Z",
    ]
    assert all(event["detail-type"] == "Scheduled Event" for event in events)
    assert "FAILED" in lines[0]
    assert "FAILED" not in lines[1]
