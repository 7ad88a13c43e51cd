"""The template's `Type: Schedule` events at work under `make dev`: `schedule_sources()` finds them,
and a `ScheduleRunner` is a thread that invokes each function on its schedule with the event
EventBridge would deliver (`detail-type: Scheduled Event`, `time` = the moment it fires).

Only what this template needs is understood (docs/decisions/local-schedules.md): `rate(N minute(s)
| hour(s) | day(s))` and a daily `cron(M H * * ? *)` at a fixed UTC minute; any other expression is
listed as "on demand only" and runs with `loyalty run-schedule FUNCTION` alone.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from loyalty.domain.entities import format_timestamp
from loyalty_dev.template import Template

log = logging.getLogger("loyalty.dev")

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_DAILY_CRON = re.compile(r"^cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


class UnsupportedSchedule(ValueError):
    pass


@dataclass(frozen=True)
class ScheduleSource:
    """One `Type: Schedule` event of a function."""

    function: str
    event: str
    expression: str
    problem: str | None = None  # why it does not fire by itself locally

    def next_after(self, moment: datetime) -> datetime:
        """The first firing strictly after `moment` (UTC)."""
        return next_firing(self.expression, moment)

    def describe(self) -> str:
        if self.problem is not None:
            return f"{self.expression}  ->  {self.function}: on demand only ({self.problem})"
        return f"{self.expression}  ->  {self.function}"


def next_firing(expression: str, moment: datetime) -> datetime:
    rate = _RATE.match(expression)
    if rate:
        seconds = int(rate.group(1)) * _UNITS[rate.group(2).rstrip("s")]
        if seconds <= 0:
            raise UnsupportedSchedule("a rate of 0")
        return moment + timedelta(seconds=seconds)
    daily = _DAILY_CRON.match(expression)
    if daily:
        minute, hour = int(daily.group(1)), int(daily.group(2))
        if minute > 59 or hour > 23:
            raise UnsupportedSchedule(f"no such time of day in {expression}")
        today = moment.astimezone(UTC).replace(hour=hour, minute=minute, second=0, microsecond=0)
        return today if today > moment else today + timedelta(days=1)
    raise UnsupportedSchedule("only rate(...) and a daily cron(M H * * ? *) run by themselves locally")


def schedule_sources(template: Template) -> list[ScheduleSource]:
    """Every enabled `Type: Schedule` event of the template's functions."""
    sources = []
    for name, resource in template.resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event_name, event in (resource.get("Properties", {}).get("Events") or {}).items():
            properties = event.get("Properties") or {}
            if event.get("Type") != "Schedule" or properties.get("Enabled", True) is False:
                continue
            if str(properties.get("State", "ENABLED")) == "DISABLED":
                continue
            expression = str(properties.get("Schedule", ""))
            problem = None
            try:
                next_firing(expression, datetime.now(UTC))
            except UnsupportedSchedule as error:
                problem = str(error)
            sources.append(ScheduleSource(name, event_name, expression, problem))
    return sources


def fire(invoke: Callable[[dict[str, Any]], dict[str, Any]], moment: datetime) -> dict[str, Any]:
    """Invoke a scheduled function as EventBridge does at `moment`."""
    return invoke(scheduled_event(format_timestamp(moment)))


class ScheduleRunner(threading.Thread):
    """Fires one schedule source for as long as it runs: at each firing, one invocation; a failed
    one is logged (EventBridge would retry it; the next firing comes anyway)."""

    def __init__(
        self,
        source: ScheduleSource,
        invoke: Callable[[dict[str, Any]], dict[str, Any]],
        *,
        log_line: Callable[[str], None] = log.info,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(name=f"schedule-{source.function}-{source.event}", daemon=True)
        self.source = source
        self._invoke = invoke
        self._log = log_line
        self._clock = clock
        self._stopped = threading.Event()
        self.fired = 0

    def stop(self) -> None:
        self._stopped.set()

    def run(self) -> None:
        upcoming = self.source.next_after(self._clock())
        while not self._stopped.wait(max(0.0, (upcoming - self._clock()).total_seconds())):
            try:
                result = fire(self._invoke, upcoming)
                self._log(f"SCHEDULE {self.source.function} at {format_timestamp(upcoming)}: {result}")
            except Exception as error:  # the function failed; the runner goes on, as EventBridge does
                self._log(f"SCHEDULE {self.source.function} at {format_timestamp(upcoming)} FAILED: {error}")
            self.fired += 1
            upcoming = self.source.next_after(upcoming)


def scheduled_event(time: str, *, event_id: str | None = None) -> dict[str, Any]:
    """An EventBridge scheduled event (what the template's `Schedule` events deliver) at `time`."""
    return {
        "version": "0",
        "id": event_id or f"schedule-{time}",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": time,
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:000000000000:rule/local-schedule"],
        "detail": {},
    }
