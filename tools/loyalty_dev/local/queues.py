"""The template's SQS queues at work under `make dev`: `queue_sources()` finds each function event of
`Type: SQS` on one of the template's queues, `LocalQueues` serves those queues from moto's server
on a loopback port (the functions that send to a queue get its local URL and endpoint), and a
`QueueRunner` is one event source mapping running: a thread that long-polls its queue, invokes the
function with at most `BatchSize` messages, and deletes the ones it did not report failed (a
failed message comes back after its visibility timeout, as on AWS).

Only what this template needs: standard queues, `BatchSize`, `ReportBatchItemFailures`. No
dead-letter redrive: a message that keeps failing is logged at every attempt.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from loyalty_dev.engines.moto_server import moto_server
from loyalty_dev.template import Template

log = logging.getLogger("loyalty.dev")

REGION = "us-east-1"
DEFAULT_BATCH_SIZE = 10  # Lambda's default for an SQS queue
LOCAL_VISIBILITY_SECONDS = 5  # a failed message is retried soon, not after the deployed timeout
POLL_SECONDS = 1


@dataclass(frozen=True)
class QueueSource:
    """One `Type: SQS` event of a function on one of the template's queues."""

    function: str
    queue: str  # the queue's logical id
    batch_size: int = DEFAULT_BATCH_SIZE

    def describe(self) -> str:
        return f"{self.queue} queue  ->  {self.function} (batches of {self.batch_size})"


def template_queues(template: Template) -> list[str]:
    return [
        name for name, resource in template.resources.items() if resource.get("Type") == "AWS::SQS::Queue"
    ]


def queue_sources(template: Template) -> list[QueueSource]:
    """Every enabled function event of `Type: SQS` on `!GetAtt <Queue>.Arn` of the template."""
    queues = set(template_queues(template))
    sources = []
    for name, resource in template.resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event in (resource.get("Properties", {}).get("Events") or {}).values():
            properties = event.get("Properties") or {}
            if event.get("Type") != "SQS" or properties.get("Enabled", True) is False:
                continue
            target = (properties.get("Queue") or {}).get("Fn::GetAtt")
            if isinstance(target, str):
                target = target.split(".", 1)
            if isinstance(target, list) and target[0] in queues:
                batch = int(properties.get("BatchSize", DEFAULT_BATCH_SIZE))
                sources.append(QueueSource(name, str(target[0]), batch))
    return sources


@dataclass
class LocalQueues:
    """The template's queues on a local endpoint; `environment()` is what a function needs to
    reach them (the SQS endpoint, and each variable naming a queue set to its local URL)."""

    endpoint: str
    urls: dict[str, str]  # logical id -> queue URL
    client: Any

    def environment(self, variables: dict[str, str]) -> dict[str, str]:
        named = {name: self.urls[value] for name, value in variables.items() if value in self.urls}
        return {**named, "AWS_ENDPOINT_URL_SQS": self.endpoint} if named else {}


def queue_functions(template: Template, queues: LocalQueues | None) -> set[str]:
    """The functions a queue runs, when the queues are served."""
    return {source.function for source in queue_sources(template)} if queues is not None else set()


def queue_environment(queues: LocalQueues | None, variables: dict[str, str]) -> dict[str, str]:
    return queues.environment(variables) if queues is not None else {}


@contextlib.contextmanager
def queue_runners(
    template: Template,
    queues: LocalQueues | None,
    pools: Mapping[str, Any],
    log_line: Callable[[str], None],
) -> Iterator[list[QueueRunner]]:
    """One running `QueueRunner` per `Type: SQS` event, stopped on exit (a batch under way ends
    within its function's timeout)."""
    runners = (
        [
            QueueRunner(source, queues, pools[source.function].invoke, log_line=log_line)
            for source in queue_sources(template)
        ]
        if queues is not None
        else []
    )
    for runner in runners:
        runner.start()
    try:
        yield runners
    finally:
        for runner in runners:
            runner.stop()
        for runner in runners:
            runner.join(timeout=pools[runner.source.function].timeout + 5)


@contextlib.contextmanager
def local_queues(template: Template, credentials: dict[str, str]) -> Iterator[LocalQueues | None]:
    """moto's server for the template's queues (None when the template has none)."""
    names = template_queues(template)
    if not names:
        yield None
        return
    import boto3

    with moto_server() as endpoint:
        client = boto3.client(
            "sqs",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=credentials.get("AWS_ACCESS_KEY_ID", "local"),
            aws_secret_access_key=credentials.get("AWS_SECRET_ACCESS_KEY", "local"),
        )
        urls = {
            name: client.create_queue(
                QueueName=name, Attributes={"VisibilityTimeout": str(LOCAL_VISIBILITY_SECONDS)}
            )["QueueUrl"]
            for name in names
        }
        yield LocalQueues(endpoint, urls, client)


def sqs_event(messages: list[dict[str, Any]], queue: str) -> dict[str, Any]:
    """The event Lambda's SQS event source mapping hands a function."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:000000000000:{queue}",
                "awsRegion": REGION,
            }
            for message in messages
        ]
    }


class QueueRunner(threading.Thread):
    """One queue's event source mapping: receive, invoke, delete what succeeded."""

    def __init__(
        self,
        source: QueueSource,
        queues: LocalQueues,
        invoke: Callable[[dict[str, Any]], dict[str, Any]],
        *,
        log_line: Callable[[str], None] = log.info,
    ) -> None:
        super().__init__(name=f"queue-{source.function}-{source.queue}", daemon=True)
        self.source = source
        self._queues = queues
        self._invoke = invoke
        self._log = log_line
        self._stopped = threading.Event()
        self.delivered = 0

    def stop(self) -> None:
        self._stopped.set()

    def run(self) -> None:
        while not self._stopped.is_set():
            with contextlib.suppress(Exception):  # the server is stopping: the loop ends with it
                self.run_once()

    def run_once(self) -> int:
        """One receive and, when it got messages, one invocation; the number of messages."""
        url = self._queues.urls[self.source.queue]
        answer = self._queues.client.receive_message(
            QueueUrl=url, MaxNumberOfMessages=min(self.source.batch_size, 10), WaitTimeSeconds=POLL_SECONDS
        )
        messages = answer.get("Messages", [])
        if not messages:
            return 0
        failed: set[str] = {message["MessageId"] for message in messages}
        try:
            result = self._invoke(sqs_event(messages, self.source.queue))
            failed = {item["itemIdentifier"] for item in (result or {}).get("batchItemFailures", [])}
        except Exception as error:  # the function failed: every message comes back later
            self._log(f"QUEUE {self.source.queue} -> {self.source.function} FAILED: {error}")
        for message in messages:
            if message["MessageId"] not in failed:
                self._queues.client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        self.delivered += len(messages) - len(failed)
        self._log(
            f"QUEUE {self.source.queue} -> {self.source.function}: "
            f"{len(messages)} message(s), {len(failed)} failed"
        )
        return len(messages)
