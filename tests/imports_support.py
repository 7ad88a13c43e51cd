"""Imports and exports under test: the private bucket and the work queue (moto's S3 and SQS, or
any endpoint the engine gives), CSV requests to the back office, and ImportFunction driven by the
queue's messages as Lambda's SQS event source delivers them."""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from loyalty.runtime import reset_runtime
from loyalty_dev.local.apigw import LambdaContext
from tests.harness.events import STORE, merchant_claims
from tests.harness.in_process import Answer, load_handler
from tests.support import Service

# Named as the deployment tier resolves the template's TransferBucket and ImportQueue, so that the
# recorded calls are checked against the functions' roles.
BUCKET = "transferbucket"
QUEUE = "ImportQueue"


def sqs_event(messages: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Lambda's SQS event for received messages (the fields Powertools reads)."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:{QUEUE}",
                "awsRegion": "us-east-1",
            }
            for message in messages
        ]
    }


def csv_text(rows: Sequence[Sequence[object]], header: Sequence[str] | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header or ("customer_id", "email", "first_name", "last_name", "status", "points"))
    writer.writerows(rows)
    return buffer.getvalue().encode()


@dataclass
class Transfers:
    service: Service
    s3: Any
    sqs: Any
    queue_url: str

    def post_csv(
        self,
        body: bytes,
        mode: str = "add",
        *,
        key: str | None = None,
        store_id: str = STORE,
        content_type: str = "text/csv",
    ) -> Answer:
        headers = {"Content-Type": content_type}
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.service.api.request(
            "POST",
            f"/admin/stores/{store_id}/imports",
            headers=headers,
            body=body,
            query={"mode": [mode]},
            claims=merchant_claims([f"store:{store_id}"]),
        )

    def receive(self) -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0
        )
        messages: list[dict[str, Any]] = answer.get("Messages", [])
        return messages

    def deliver(self, messages: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """Hand messages to ImportFunction as its event source would (and never delete them)."""
        function = self.service.api.functions["ImportFunction"]
        result: dict[str, Any] = load_handler(function)(
            sqs_event(messages), LambdaContext(function_name="ImportFunction")
        )
        return result

    def drain(self, limit: int = 10_000) -> list[str]:
        """Deliver every message until the queue is empty; a message reported failed stays (and
        fails the drain after `limit` deliveries). Answers the kinds of work delivered."""
        kinds: list[str] = []
        for _ in range(limit):
            messages = self.receive()
            if not messages:
                return kinds
            failed = {
                failure["itemIdentifier"] for failure in self.deliver(messages).get("batchItemFailures", [])
            }
            for message in messages:
                kinds.append(json.loads(message["Body"])["kind"])
                if message["MessageId"] not in failed:
                    self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        raise AssertionError("the queue never emptied")

    def progress(self, import_id: str, store_id: str = STORE) -> dict[str, Any]:
        answer = self.service.admin("GET", f"/imports/{import_id}", store_id=store_id)
        assert answer.status == 200, answer.body
        document: dict[str, Any] = answer.json()
        return document

    def fetch(self, url: str) -> bytes:
        """The object a pre-signed link names (read from the bucket: the test checks the link's
        bucket, key and expiry, not moto's signature checks)."""
        parsed = urllib.parse.urlparse(url)
        bucket, _, key = parsed.path.lstrip("/").partition("/")
        if parsed.hostname and parsed.hostname.startswith(f"{BUCKET}."):
            bucket, key = BUCKET, parsed.path.lstrip("/")
        assert bucket == BUCKET
        body: bytes = self.s3.get_object(Bucket=bucket, Key=urllib.parse.unquote(key))["Body"].read()
        return body


def make_transfers(service: Service, monkeypatch: pytest.MonkeyPatch) -> Transfers:
    """The bucket and queue the template declares, on whatever S3 and SQS boto3 reaches (moto's
    mock, or moto's server through AWS_ENDPOINT_URL_S3 and _SQS), named in the environment."""
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    monkeypatch.setenv("TRANSFER_BUCKET", BUCKET)
    monkeypatch.setenv("IMPORT_QUEUE_URL", queue_url)
    reset_runtime()
    return Transfers(service, s3, sqs, queue_url)


@pytest.fixture
def transfers(service: Service, monkeypatch: pytest.MonkeyPatch) -> Iterator[Transfers]:
    """The `service` fixture's moto with the bucket and queue the template declares."""
    yield make_transfers(service, monkeypatch)
    reset_runtime()
