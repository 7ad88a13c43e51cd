"""ShopRedactionFunction: works a shop's erasure off its queue, one step per message; each step
sends the next one, so a store of any size is erased a page at a time."""

from __future__ import annotations

import gc

# A cold start's imports create only objects that live as long as the container: no collection
# pass over them while they load (about 0.2x of a cold start here; see docs/benchmarks.md).
gc.disable()

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from loyalty.domain.operations.shop_redaction import redact_store_step
from loyalty.http.redaction_messages import delay_before, step_body, step_from_body
from loyalty.observability import count, logger
from loyalty.runtime import runtime

processor = BatchProcessor(event_type=EventType.SQS)


def work_step(record: SQSRecord) -> None:
    step = step_from_body(record.body)
    logger.append_keys(store_id=step.store_id)
    following = redact_store_step(runtime().repository, step)
    if following is None:
        count("ShopsRedacted")
        logger.info("shop redaction done")
        return
    # Sent before this message is deleted: a crash in between repeats this step, which is harmless.
    runtime().shop_redaction_queue.send(step_body(following), delay_before(following))
    count("ShopRedactionSteps")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=work_step, processor=processor, context=context
    )
    return dict(response)


gc.freeze()  # keep the collector off what the imports made
gc.enable()
