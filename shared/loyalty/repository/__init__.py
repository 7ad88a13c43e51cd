"""The DynamoDB repository: the only code that knows the table's keys, items and expressions."""

from loyalty.repository.store import (
    AccountChanged,
    AlreadyApplied,
    EmailTaken,
    EntryExists,
    Repository,
    WriteRejected,
)

__all__ = ["AccountChanged", "AlreadyApplied", "EmailTaken", "EntryExists", "Repository", "WriteRejected"]
