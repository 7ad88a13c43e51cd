"""ImportFunction: the import queue's consumer. Each message is one piece of work: read an import's
file and queue its chunks, import one chunk of rows, or write an export's file."""

from __future__ import annotations

import gc

# A cold start's imports create only objects that live as long as the container: no collection
# pass over them while they load (about 0.2x of a cold start here; see docs/benchmarks.md).
gc.disable()

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from loyalty.domain.operations.exports import make_export
from loyalty.domain.operations.imports import import_chunk, plan_import
from loyalty.domain.rules.imports import ImportChunk, MakeExport, PlanImport
from loyalty.observability import count, logger, metrics
from loyalty.repository.work_queue import decode
from loyalty.runtime import runtime

# Failed messages are reported (ReportBatchItemFailures) even when all of a batch failed: SQS
# delivers them again after their visibility timeout, the DLQ takes them after five receipts.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def do_work(record: SQSRecord) -> None:
    work = decode(record.body)
    transfers = runtime().transfers
    logger.append_keys(store_id=work.store_id)
    if isinstance(work, PlanImport):
        plan_import(transfers, work)
    elif isinstance(work, ImportChunk):
        imported, skipped = import_chunk(transfers, work)
        count("RowsImported", imported)
        count("RowsSkipped", skipped)
    elif isinstance(work, MakeExport):
        make_export(transfers, work)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # A failed message is reported alone (ReportBatchItemFailures) and comes back after its
    # visibility timeout; every piece of work is idempotent, so a retry writes nothing twice.
    response = process_partial_response(
        event=event, record_handler=do_work, processor=processor, context=context
    )
    return dict(response)


gc.freeze()  # keep the collector off what the imports made
gc.enable()
