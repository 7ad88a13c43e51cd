"""The one builder of DynamoDB Streams records, as boto3 reads them from a stream (the local
streams reader turns them into what Lambda delivers: `loyalty_dev.local.streams.lambda_record`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

Item = dict[str, Any]


def stream_record(
    old: Item | None,
    new: Item,
    *,
    sequence: int = 1,
    event_name: str | None = None,
    created: datetime | None = None,
) -> dict[str, Any]:
    """The record of an item's change from `old` (None: a new item) to `new`, NEW_AND_OLD_IMAGES."""
    change: dict[str, Any] = {
        "ApproximateCreationDateTime": created or datetime.now(UTC),
        "Keys": {"pk": new["pk"], "sk": new["sk"]},
        "NewImage": new,
        "SequenceNumber": f"{sequence:021d}",
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        change["OldImage"] = old
    return {
        "eventID": f"e{sequence}",
        "eventName": event_name or ("INSERT" if old is None else "MODIFY"),
        "eventSource": "aws:dynamodb",
        "dynamodb": change,
    }
