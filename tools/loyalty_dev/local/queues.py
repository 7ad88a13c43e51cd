"""The template's queues, buckets and event buses under `make dev`: moto's server (S3, SQS and
EventBridge, in memory, in a thread of this process) holds them, and a `QueueConsumer` per
`Type: SQS` event hands the function its messages as Lambda's event source mapping does.

Why moto's S3 and not a folder: the functions then use the S3 API exactly as deployed (ranged
GETs, HeadObject, pre-signed PUT and GET links the browser follows), with no second code path in
the product for local runs. What it costs: the files live in memory and are gone after a restart
(the table keeps its imports' and exports' records; an old export's link then answers 404).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from loyalty_dev.engines.moto_server import moto_server
from loyalty_dev.local.event_log import EventLog, route_to_queue
from loyalty_dev.template import Template

log = logging.getLogger("loyalty.dev")
Invoke = Callable[[dict[str, Any]], Any]
REGION = "us-east-1"
RETRY_SECONDS = 5  # a failed message comes back after this (its visibility timeout, locally)


@dataclass(frozen=True)
class QueueSource:
    """A function's `Type: SQS` event: which queue (its logical id) and how many messages at once."""

    function: str
    queue: str
    batch_size: int

    def describe(self) -> str:
        return f"{self.function} <- {self.queue} (batches of {self.batch_size})"


def queue_sources(template: Template) -> list[QueueSource]:
    found = []
    for name, resource in template.resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event in resource.get("Properties", {}).get("Events", {}).values():
            if event.get("Type") != "SQS":
                continue
            queue = event["Properties"]["Queue"]
            logical = queue["Fn::GetAtt"][0] if isinstance(queue, dict) and "Fn::GetAtt" in queue else None
            if isinstance(logical, str) and "." in logical:
                logical = logical.split(".", 1)[0]
            if logical:
                found.append(QueueSource(name, logical, int(event["Properties"].get("BatchSize", 10))))
    return found


def event_buses(template: Template) -> list[str]:
    """The template's EventBridge buses (logical ids)."""
    return sorted(
        name
        for name, resource in template.resources.items()
        if resource.get("Type") == "AWS::Events::EventBus"
    )


def bucket_names(template: Template) -> dict[str, str]:
    """Each bucket a function's environment names (logical id → a local name S3 accepts)."""
    named = {
        value["Ref"]
        for resource in template.resources.values()
        if resource.get("Type") == "AWS::Serverless::Function"
        for value in resource.get("Properties", {}).get("Environment", {}).get("Variables", {}).values()
        if isinstance(value, dict) and "Ref" in value
    }
    return {
        name: f"local-{name.lower()}"
        for name in sorted(named)
        if template.resources.get(name, {}).get("Type") == "AWS::S3::Bucket"
    }


@dataclass
class LocalTransfers:
    """moto's server with the template's buckets and queues; `environment` is what the functions
    need to reach them (the endpoints, and the variables naming them)."""

    endpoint: str
    environment: dict[str, str]
    queue_urls: dict[str, str]
    bus_names: dict[str, str] = field(default_factory=dict)
    tail_queue_urls: dict[str, str] = field(default_factory=dict)  # every event of a bus, for `loyalty tail`

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - moto checks no credentials
        )


@contextlib.contextmanager
def local_transfers(template: Template) -> Iterator[LocalTransfers | None]:
    """None when no function uses a queue or a bucket; otherwise moto's server, until closed."""
    sources = queue_sources(template)
    buckets = bucket_names(template)
    buses = event_buses(template)
    if not sources and not buckets and not buses:
        yield None
        return
    instance = uuid.uuid4().hex[:8]
    with moto_server() as endpoint:
        transfers = LocalTransfers(endpoint, {}, {})
        s3, sqs = transfers.client("s3"), transfers.client("sqs")
        environment = {
            "AWS_ENDPOINT_URL_S3": endpoint,
            "AWS_ENDPOINT_URL_SQS": endpoint,
            "AWS_ENDPOINT_URL_EVENTBRIDGE": endpoint,
        }
        for logical in buses:  # outbound events: the bus the events function publishes to
            name = f"{logical}-{instance}"
            transfers.client("events").create_event_bus(Name=name)
            transfers.bus_names[logical] = name
            transfers.tail_queue_urls[logical] = route_to_queue(
                transfers.client("events"), sqs, name, f"{logical}-tail-{instance}"
            )
            environment.update(_variables_naming(template, logical, name))
        for logical, bucket in buckets.items():
            s3.create_bucket(Bucket=bucket)
            s3.put_bucket_cors(
                Bucket=bucket,
                CORSConfiguration={
                    "CORSRules": [
                        {"AllowedMethods": ["PUT", "GET"], "AllowedOrigins": ["*"], "AllowedHeaders": ["*"]}
                    ]
                },
            )
            environment.update(_variables_naming(template, logical, bucket))
        queues = {
            name for name, resource in template.resources.items() if resource.get("Type") == "AWS::SQS::Queue"
        }
        for logical in sorted(queues):
            # moto's servers in one process share one backend: a name of this server's own keeps
            # its consumers off another server's queue of the same logical id (a test's, say).
            url = sqs.create_queue(QueueName=f"{logical}-{instance}")["QueueUrl"]
            transfers.queue_urls[logical] = url
            environment.update(_variables_naming(template, logical, url))
        transfers.environment.update(environment)
        yield transfers


def _variables_naming(template: Template, logical: str, value: str) -> dict[str, str]:
    """Every function variable set to `!Ref <logical>`, given `value` instead."""
    return {
        variable: value
        for resource in template.resources.values()
        if resource.get("Type") == "AWS::Serverless::Function"
        for variable, spec in resource.get("Properties", {})
        .get("Environment", {})
        .get("Variables", {})
        .items()
        if spec == {"Ref": logical}
    }


class QueueConsumer:
    """One SQS event source mapping at work: receives, invokes, deletes what succeeded; a message
    the function reports failed (or every message of a batch that raised) comes back later."""

    def __init__(self, source: QueueSource, queue_url: str, sqs: Any, invoke: Invoke) -> None:
        self.source = source
        self._url = queue_url
        self._sqs = sqs
        self._invoke = invoke
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"queue-{source.function}", daemon=True)

    def start(self) -> QueueConsumer:
        """Start polling (once: the server starts its consumers together, this one among them)."""
        if self._thread.ident is None:
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll(wait_seconds=1)
            except Exception:  # keep consuming, as Lambda's poller does; say what happened
                log.exception("%s: polling %s failed", self.source.function, self.source.queue)
                self._stop.wait(RETRY_SECONDS)

    def poll(self, wait_seconds: int = 0) -> int:
        """Receive one batch and deliver it; answers how many messages were handled."""
        answer = self._sqs.receive_message(
            QueueUrl=self._url,
            MaxNumberOfMessages=min(self.source.batch_size, 10),
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=RETRY_SECONDS,
            AttributeNames=["ApproximateReceiveCount"],
        )
        messages = answer.get("Messages", [])
        if not messages:
            return 0
        try:
            result = self._invoke(sqs_event(messages, self.source.queue))
            failed = {item["itemIdentifier"] for item in (result or {}).get("batchItemFailures", [])}
        except Exception:  # the whole batch comes back after its visibility timeout
            log.exception("%s: a batch of %d messages failed", self.source.function, len(messages))
            return 0
        for message in messages:
            if message["MessageId"] not in failed:
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages) - len(failed)


def sqs_event(messages: list[dict[str, Any]], queue: str) -> dict[str, Any]:
    """Lambda's SQS event for received messages."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:000000000000:{queue}",
                "awsRegion": REGION,
            }
            for message in messages
        ]
    }


class LocalQueues:
    """What the local server runs for the template's queues: moto's server with the buckets and
    queues (from construction until `close`), and a consumer per `Type: SQS` event."""

    def __init__(self, template: Template | None, events_log: Path | None = None) -> None:
        self._stack = contextlib.ExitStack()
        self.transfers = self._stack.enter_context(local_transfers(template)) if template else None
        self.sources = queue_sources(template) if template and self.transfers else []
        self.consumers: list[QueueConsumer] = []
        self._events_log = events_log  # where the buses' events are written (None: nowhere)
        self.event_logs: list[EventLog] = []

    @property
    def functions(self) -> set[str]:
        return {source.function for source in self.sources}

    @property
    def environment(self) -> dict[str, str]:
        return dict(self.transfers.environment) if self.transfers else {}

    def start(self, pools: Mapping[str, Any]) -> list[QueueConsumer]:
        """A consumer per `Type: SQS` event, started (once); the server stops and joins them with
        its stream consumers, then `close`s this."""
        if self.transfers is not None and self._events_log is not None and not self.event_logs:
            self.event_logs = [
                EventLog(self.transfers.client("sqs"), url, self._events_log).start()
                for url in self.transfers.tail_queue_urls.values()
            ]
        if self.transfers is not None and not self.consumers:
            sqs = self.transfers.client("sqs")
            self.consumers = [
                QueueConsumer(
                    source, self.transfers.queue_urls[source.queue], sqs, pools[source.function].invoke
                )
                for source in self.sources
            ]
            for consumer in self.consumers:
                consumer.start()
        return self.consumers

    def close(self) -> None:
        """Stop moto's server (after the consumers have stopped)."""
        for consumer in self.consumers:
            consumer.stop()
        for event_log in self.event_logs:
            event_log.stop()
        for event_log in self.event_logs:
            event_log.join(timeout=5)
        self._stack.close()
