"""The DynamoDB repository: the only code that knows the table's keys, items and expressions."""

from loyalty.repository.outcomes import (
    AccountChanged,
    AlreadyApplied,
    EmailTaken,
    EntryExists,
    LimitReached,
    WriteRejected,
)
from loyalty.repository.store import Repository

__all__ = [
    "AccountChanged",
    "AlreadyApplied",
    "EmailTaken",
    "EntryExists",
    "LimitReached",
    "Repository",
    "WriteRejected",
]
