"""The import queue (SQS): imports' and exports' work, one JSON message each."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from loyalty.domain.rules.imports import ImportChunk, ImportMode, MakeExport, PlanImport, Work
from loyalty.errors import TransientFault

_KINDS: dict[str, type[PlanImport] | type[ImportChunk] | type[MakeExport]] = {
    "plan_import": PlanImport,
    "import_chunk": ImportChunk,
    "make_export": MakeExport,
}
_NAMES = {kind: name for name, kind in _KINDS.items()}
BATCH = 10  # SendMessageBatch's most


@contextmanager
def _faults() -> Iterator[None]:
    try:
        yield
    except (ClientError, BotoCoreError) as error:
        raise TransientFault(f"SQS refused the work: {type(error).__name__}") from error


def encode(work: Work) -> str:
    return json.dumps({"kind": _NAMES[type(work)], **asdict(work)}, separators=(",", ":"))


def decode(body: str) -> Work:
    """A message's work; ValueError for a message this service did not send."""
    try:
        document = json.loads(body)
        kind = _KINDS[document.pop("kind")]
        if kind is ImportChunk:
            document["mode"] = ImportMode(document["mode"])
            document["header"] = tuple(str(name) for name in document["header"])
        return kind(**document)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"not a work message: {type(error).__name__}") from None


class WorkQueue:
    def __init__(self, queue_url: str, client: Any) -> None:
        self._url = queue_url
        self._client = client

    def send(self, work: Sequence[Work]) -> None:
        """Every message sent, or TransientFault: sending again is harmless (each is idempotent)."""
        for offset in range(0, len(work), BATCH):
            entries = [
                {"Id": str(number), "MessageBody": encode(item)}
                for number, item in enumerate(work[offset : offset + BATCH])
            ]
            with _faults():
                answer = self._client.send_message_batch(QueueUrl=self._url, Entries=entries)
            if answer.get("Failed"):
                raise TransientFault(f"SQS refused {len(answer['Failed'])} messages")
