"""Outbound events under `make dev`: what EventsFunction publishes to the local bus (moto's
EventBridge) reaches a queue of our own through a rule, as a merchant's rule would route it; a
thread appends each event to a JSON-lines file, and `loyalty tail` follows that file.

Why a file: any number of `loyalty tail` processes can follow it (a queue hands each message to one
reader only), it outlives a `loyalty tail` restarted mid-run, and it is plain text to grep. It is
emptied when `make dev` starts: the local bus starts empty too.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loyalty_dev.engines.database import DEV_DATA_DIR

log = logging.getLogger("loyalty.dev")
EVENTS_LOG = DEV_DATA_DIR / "outbound-events.jsonl"  # what `make dev`'s bus published
TAIL_RULE = "local-tail"
POLL_SECONDS = 1


def route_to_queue(events: Any, sqs: Any, bus: str, queue_name: str) -> str:
    """A rule on `bus` sending every event of the service (source "loyalty") to a new queue; its URL."""
    url: str = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=TAIL_RULE, EventBusName=bus, EventPattern=json.dumps({"source": ["loyalty"]}))
    events.put_targets(Rule=TAIL_RULE, EventBusName=bus, Targets=[{"Id": "tail", "Arn": arn}])
    return url


class EventLog:
    """A thread moving the tail queue's events into `path`, one JSON object a line."""

    def __init__(self, sqs: Any, queue_url: str, path: Path) -> None:
        self._sqs = sqs
        self._url = queue_url
        self.path = path
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="event-log", daemon=True)

    def start(self) -> EventLog:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("", encoding="utf-8")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.drain(wait_seconds=POLL_SECONDS)
            except Exception:  # keep logging, as a consumer does; say what happened
                log.exception("the outbound events log could not read its queue")
                self._stop.wait(POLL_SECONDS)

    def drain(self, wait_seconds: int = 0) -> int:
        """Move one batch of events to the file; how many."""
        answer = self._sqs.receive_message(
            QueueUrl=self._url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
        )
        messages = answer.get("Messages", [])
        if messages:
            with self.path.open("a", encoding="utf-8") as file:
                for message in messages:
                    file.write(json.dumps(json.loads(message["Body"]), separators=(",", ":")) + "\n")
            for message in messages:
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)


def follow(path: Path, *, from_start: bool, stop: threading.Event | None = None) -> Iterator[dict[str, Any]]:
    """The events of the log as they are appended (from its first line when `from_start`), until
    `stop` is set; a log emptied by a new `make dev` is followed from its new start."""
    position = 0 if from_start or not path.exists() else path.stat().st_size
    pending = ""
    while stop is None or not stop.is_set():
        size = path.stat().st_size if path.exists() else 0
        if size < position:  # a new `make dev` emptied it
            position, pending = 0, ""
        if size > position:
            with path.open(encoding="utf-8") as file:
                file.seek(position)
                pending += file.read()
                position = file.tell()
            *lines, pending = pending.split("\n")
            for line in lines:
                if line.strip():
                    yield json.loads(line)
            continue
        time.sleep(0.2)


def describe(event: dict[str, Any]) -> str:
    """One event on one line: when, what, whose, its figures, its id."""
    detail = event.get("detail") or {}
    figures = " ".join(
        f"{name}={detail[name]}"
        for name in (
            "points",
            "balance",
            "order_id",
            "coupon_code",
            "days",
            "expires_at",
            "merged_customer_id",
        )
        if name in detail
    )
    who = f"{detail.get('store_id', '?')}/{detail.get('customer_id', '?')}"
    kind = f"{event.get('detail-type', '?'):<22}"
    return f"{detail.get('occurred_at', '?')}  {kind} {who}  {figures}  {detail.get('id', '')}"
