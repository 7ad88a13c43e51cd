"""Imports and exports of a store's customers: their records, and what one imported row does to
the customer it names. Pure: each rule takes the account it read."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from loyalty.domain.entities import (
    Account,
    Changes,
    CustomerStatus,
    EmailClaim,
    EntryType,
    LedgerEntry,
    Planned,
    Points,
    Resolved,
)
from loyalty.domain.rules.earning import new_account

MAX_ERRORS = 100  # the errors an import reports: the first ones, by row
_CUSTOMER_ID = re.compile(r"[A-Za-z0-9._:@-]{1,128}")  # the ids the webhooks accept
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_POINTS = re.compile(r"[0-9]{1,12}")
MAX_NAME = 256


class ImportMode(StrEnum):
    ADD = "add"  # the row's points are given: adjusted += points
    SET = "set"  # the row's points become the balance


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    message: str


@dataclass(frozen=True, slots=True)
class ImportJob:
    """An import as stored: its file (`source`, an object of the private bucket), its counters.

    `rows` is None until an uploaded file has been read. The stored status is queued, running or
    failed; `done` is derived: every row counted (each chunk counts its rows once)."""

    store_id: str
    import_id: str
    mode: ImportMode
    source: str
    status: JobStatus
    created_at: datetime
    rows: int | None = None
    imported: int = 0
    skipped: int = 0
    reason: str | None = None
    errors: tuple[RowError, ...] = field(default=())

    @property
    def progress(self) -> JobStatus:
        counted = self.imported + self.skipped
        if self.status is JobStatus.RUNNING and self.rows is not None and counted >= self.rows:
            return JobStatus.DONE
        return self.status


@dataclass(frozen=True, slots=True)
class ExportJob:
    """An export: the CSV `target` object is written, then the job says done."""

    store_id: str
    export_id: str
    status: JobStatus
    created_at: datetime
    target: str
    rows: int | None = None


@dataclass(frozen=True, slots=True)
class ImportRow:
    number: int
    customer_id: str
    email: str | None
    first_name: str | None
    last_name: str | None
    status: CustomerStatus
    points: int


class BadRow(ValueError):
    """A row skipped alone: the message says why (it names no email)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_STATUSES = {
    "member": CustomerStatus.MEMBER,
    "candidate": CustomerStatus.CANDIDATE,
    "excluded": CustomerStatus.EXCLUDED,
}


def _text(fields: Mapping[str, str], name: str) -> str | None:
    value = fields.get(name, "").strip()
    return value or None


def parse_row(number: int, fields: Mapping[str, str]) -> ImportRow:
    """A row's fields as the import reads them, or BadRow."""
    customer_id = _text(fields, "customer_id")
    if customer_id is None:
        raise BadRow("customer_id is empty")
    if not _CUSTOMER_ID.fullmatch(customer_id):
        raise BadRow("customer_id must be 1 to 128 letters, digits or . _ : @ -")
    email = _text(fields, "email")
    if email is not None and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        raise BadRow("email is not an email address")
    first_name, last_name = _text(fields, "first_name"), _text(fields, "last_name")
    if any(name is not None and len(name) > MAX_NAME for name in (first_name, last_name)):
        raise BadRow(f"a name is longer than {MAX_NAME} characters")
    status_text = (_text(fields, "status") or "candidate").lower()
    status = _STATUSES.get(status_text)
    if status is None:
        raise BadRow("status must be member, candidate or excluded")
    points_text = _text(fields, "points") or "0"
    if points_text.startswith("-") and _POINTS.fullmatch(points_text[1:]):
        raise BadRow("points must not be negative")
    if not _POINTS.fullmatch(points_text):
        raise BadRow("points must be a whole number")
    return ImportRow(number, customer_id, email, first_name, last_name, status, int(points_text))


def import_entry_id(import_id: str, row: int) -> str:
    """The row's ledger entry key: a redelivered chunk finds it and writes nothing twice."""
    return f"import:{import_id}:{row}"


def _next_status(current: CustomerStatus | None, wanted: CustomerStatus) -> CustomerStatus:
    """A row never demotes a member to a candidate; it may make a candidate a member, or exclude."""
    if current is CustomerStatus.MEMBER and wanted is CustomerStatus.CANDIDATE:
        return CustomerStatus.MEMBER
    return wanted


def decide_row(
    row: ImportRow, found: Resolved | None, store_id: str, import_id: str, mode: ImportMode, now: datetime
) -> Planned[Account]:
    """The row's account change and its `import` entry, in one transaction; BadRow for a customer
    the store has excluded. An `excluded` row makes a new customer excluded from the start, with
    its points frozen; a member's email is claimed (another member holding it makes the commit
    fail, and the row is then skipped)."""
    before = found.account if found else None
    if before is not None and before.status is CustomerStatus.EXCLUDED:
        raise BadRow("the store has excluded this customer")
    account = before or new_account(store_id, row.customer_id, CustomerStatus.CANDIDATE, now)
    status = _next_status(before.status if before else None, row.status)
    change = row.points if mode is ImportMode.ADD else row.points - account.points.balance
    email = row.email or account.email
    after = account.changed(
        now,
        status=status,
        email=email,
        first_name=row.first_name or account.first_name,
        last_name=row.last_name or account.last_name,
        points=account.points + Points(adjusted=change),
        status_before_exclusion=account.status if status is CustomerStatus.EXCLUDED else None,
    )
    held = before.email_key if before is not None and before.status is CustomerStatus.MEMBER else None
    claims: tuple[EmailClaim, ...] = ()
    released: tuple[EmailClaim, ...] = ()
    if status is CustomerStatus.MEMBER and after.email_key:
        claims = (EmailClaim(store_id, after.email_key, after.customer_id),)
        if held and held != after.email_key:
            released = (EmailClaim(store_id, held, after.customer_id),)
    # An excluded member keeps its claim (as the back office's exclusion does): including it again
    # cannot collide.
    entry_id = import_entry_id(import_id, row.number)
    entry = LedgerEntry(
        store_id=store_id,
        entry_id=entry_id,
        customer_id=after.customer_id,
        type=EntryType.IMPORT,
        points=change,
        balance_after=after.points.balance,
        created_at=now,
        event_id=entry_id,
        reason=f"import {import_id}, row {row.number}",
        addressed_customer_id=row.customer_id if row.customer_id != after.customer_id else None,
    )
    changes = Changes(accounts=((before, after),), entries=(entry,), claims=claims, released_claims=released)
    return Planned(changes, after)


def first_errors(errors: list[RowError], limit: int = MAX_ERRORS) -> tuple[RowError, ...]:
    return tuple(sorted(errors, key=lambda error: error.row)[:limit])


# The work the import queue carries, one message each: read an import's file and queue its chunks;
# import one chunk of rows; write an export's file.


@dataclass(frozen=True, slots=True)
class PlanImport:
    store_id: str
    import_id: str


@dataclass(frozen=True, slots=True)
class ImportChunk:
    store_id: str
    import_id: str
    mode: ImportMode
    source: str
    header: tuple[str, ...]
    first_row: int
    rows: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class MakeExport:
    store_id: str
    export_id: str


Work = PlanImport | ImportChunk | MakeExport
