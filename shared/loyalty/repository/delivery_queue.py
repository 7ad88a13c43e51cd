"""The webhook delivery queue (SQS): one message per event and endpoint; a failed delivery comes
back after a pause of its own (its visibility timeout), and after the last attempt the queue's
redrive policy moves it to the dead-letter queue."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from loyalty.errors import TransientFault

BATCH = 10  # SendMessageBatch's most


@dataclass(frozen=True, slots=True)
class DeliveryWork:
    """Deliver `body` (the event as endpoints receive it) to one endpoint of a store."""

    store_id: str
    endpoint_id: str
    event_id: str
    type: str
    body: str

    def encode(self) -> str:
        return json.dumps(
            {
                "store_id": self.store_id,
                "endpoint_id": self.endpoint_id,
                "event_id": self.event_id,
                "type": self.type,
                "body": self.body,
            },
            separators=(",", ":"),
        )

    @staticmethod
    def decode(text: str) -> DeliveryWork:
        """ValueError for a message this service did not send."""
        try:
            document = json.loads(text)
            return DeliveryWork(**{name: str(document[name]) for name in DeliveryWork.__slots__})
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"not a delivery message: {type(error).__name__}") from None


class DeliveryQueue:
    def __init__(self, queue_url: str, client: Any) -> None:
        self.url = queue_url
        self._client = client

    def send(self, work: Sequence[DeliveryWork]) -> None:
        """Every message sent, or TransientFault (the stream delivers the change again)."""
        for offset in range(0, len(work), BATCH):
            entries = [
                {"Id": str(number), "MessageBody": item.encode()}
                for number, item in enumerate(work[offset : offset + BATCH])
            ]
            try:
                answer = self._client.send_message_batch(QueueUrl=self.url, Entries=entries)
            except (ClientError, BotoCoreError) as error:
                raise TransientFault(f"SQS refused the deliveries: {type(error).__name__}") from None
            if answer.get("Failed"):
                raise TransientFault(f"SQS refused {len(answer['Failed'])} deliveries")

    def postpone(self, receipt_handle: str, seconds: int) -> None:
        """The message comes back after `seconds` (its next attempt)."""
        self._client.change_message_visibility(
            QueueUrl=self.url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )
