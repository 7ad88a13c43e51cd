"""TotalsFunction: counts every account change from the table's stream into sharded store totals,
and every new ledger entry into the store's per-day counters (the dashboard's chart)."""

from __future__ import annotations

import gc

# A cold start's imports create only objects that live as long as the container: no collection
# pass over them while they load (about 0.2x of a cold start here; see docs/benchmarks.md).
gc.disable()

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from loyalty.domain.operations.activity import count_entry
from loyalty.domain.operations.totals import count_change
from loyalty.observability import count, logger
from loyalty.runtime import runtime

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def count_record(record: DynamoDBRecord) -> None:
    change = record.dynamodb.raw_event if record.dynamodb else {}
    repository = runtime().repository
    entry = (
        repository.entry_from_image(change["NewImage"])
        if record.raw_event.get("eventName") == "INSERT" and change.get("NewImage")
        else None
    )
    if entry is not None:  # a new ledger entry: its day's counters (entries are never changed)
        if not count_entry(repository, entry):
            count("RepeatedStreamRecords")
        return
    old, new = (
        repository.account_from_image(change[image]) if change.get(image) else None
        for image in ("OldImage", "NewImage")
    )
    if (old or new) is not None and not count_change(repository, old, new):
        count("RepeatedStreamRecords")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # A failed record is reported alone; Lambda retries from it, and the counted ones are skipped
    # on the retry by their markers, so totals stay exact.
    response = process_partial_response(
        event=event, record_handler=count_record, processor=processor, context=context
    )
    return dict(response)


gc.freeze()  # keep the collector off what the imports made
gc.enable()
