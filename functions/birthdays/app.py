"""BirthdayFunction: the daily run that pays the birthday way to every member whose birthday (UTC)
is the schedule's day, on an EventBridge Schedule; "now" is the event's time."""

from __future__ import annotations

import gc

# A cold start's imports create only objects that live as long as the container: no collection
# pass over them while they load (about 0.2x of a cold start here; see docs/benchmarks.md).
gc.disable()

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from loyalty.domain.operations.birthdays import run_birthdays
from loyalty.http.schedule import birthday_run_view, read_scheduled_event, run_id
from loyalty.observability import count, logger, metrics
from loyalty.runtime import runtime


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # A bad event raises (the invocation fails, the Errors alarm fires) before anything is read.
    scheduled = read_scheduled_event(event)
    services = runtime()
    run = run_birthdays(
        services.repository,
        scheduled.time,
        run_id(scheduled),
        time_left=lambda: context.get_remaining_time_in_millis() / 1000,
        programs=services.programs,
    )
    count("BirthdaysPaid", run.changed)
    count("BirthdayPoints", run.points)
    count("BirthdaysDeferred", run.deferred)
    answer = birthday_run_view(run, scheduled)
    logger.info("birthday run", extra=answer)
    return answer


gc.freeze()  # keep the collector off what the imports made
gc.enable()
