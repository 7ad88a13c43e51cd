"""The transaction actions that move an order entry's refunds and close a pending entry (the
repository's commit adds them to the rest of an event's writes)."""

from __future__ import annotations

from loyalty.domain.entities import PendingClosed, Reversal
from loyalty.repository.keys import Item, entry_key


def _reversed_as_read(before: int) -> str:
    """An order entry's `points_reversed` is still `:before` (absent counts as 0)."""
    if before == 0:
        return "(attribute_not_exists(points_reversed) OR points_reversed = :before)"
    return "points_reversed = :before"


def reversal_update(table: str, reversal: Reversal) -> Item:
    """Move an order's reversed total, conditioned on the total read (concurrent refunds retry)."""
    entry = reversal.order_entry
    condition = "attribute_exists(pk) AND " + _reversed_as_read(reversal.before)
    update = "SET points_reversed = :after"
    if reversal.pending:  # cancelled while pending: still open, and closed when emptied
        condition += " AND attribute_exists(pending_pk)"
        if reversal.closes:
            update += " REMOVE pending_pk, pending_sk"
    return {
        "TableName": table,
        "Key": entry_key(entry.store_id, entry.entry_id),
        "UpdateExpression": update,
        "ConditionExpression": condition,
        "ExpressionAttributeValues": {
            ":before": {"N": str(reversal.before)},
            ":after": {"N": str(reversal.after)},
        },
    }


def close_pending(table: str, closed: PendingClosed) -> Item:
    """Take a pending entry out of the Pending index, if it is still open and no refund
    cancelled any of it since it was read."""
    entry = closed.entry
    return {
        "TableName": table,
        "Key": entry_key(entry.store_id, entry.entry_id),
        "UpdateExpression": "SET points_released = :released REMOVE pending_pk, pending_sk",
        "ConditionExpression": "attribute_exists(pending_pk) AND " + _reversed_as_read(entry.points_reversed),
        "ExpressionAttributeValues": {
            ":released": {"N": str(closed.released)},
            ":before": {"N": str(entry.points_reversed)},
        },
    }
