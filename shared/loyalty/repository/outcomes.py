"""What a write the table refused means, named: each transaction's cancellation reasons become one
of these (in Repository._rejection), and the domain's operations decide what to do about it."""

from __future__ import annotations

from loyalty.domain.entities import EmailClaim, LedgerEntry


class WriteRejected(Exception):
    """A transaction's condition failed; the subclass says which one."""


class EntryExists(WriteRejected):
    def __init__(self, entry: LedgerEntry) -> None:
        super().__init__(entry.entry_id)
        self.entry = entry


class AccountChanged(WriteRejected):
    """Another writer changed an item since it was read (or created it first): re-read."""


class EmailTaken(WriteRejected):
    def __init__(self, claim: EmailClaim) -> None:
        super().__init__(claim.email_key)
        self.claim = claim


class LimitReached(WriteRejected):
    """An action's count reached its limit before this earning could be counted."""


class AlreadyApplied(WriteRejected):
    """A stream record's change was counted before (its marker exists)."""
