"""Imports: start one (its file kept in the private bucket, its plan queued), read its file and
queue its chunks, import a chunk of rows (one transaction per row, each row once), and tell its
progress. Exports are in exports.py."""

from __future__ import annotations

import contextlib
import hashlib
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from loyalty.domain.entities import IdempotencyRecord, Resolved, utc_now
from loyalty.domain.operations.customers import follow_merge, resolve
from loyalty.domain.operations.once import Answer, Once
from loyalty.domain.operations.retries import with_contention_retries
from loyalty.domain.rules import csv_files
from loyalty.domain.rules.imports import (
    MAX_ERRORS,
    BadRow,
    ExportJob,
    ImportChunk,
    ImportJob,
    ImportMode,
    ImportRow,
    JobStatus,
    PlanImport,
    RowError,
    Work,
    decide_row,
    first_errors,
    parse_row,
)
from loyalty.errors import Conflict, TransientFault
from loyalty.repository import AlreadyApplied, EmailTaken, EntryExists, Repository
from loyalty.repository.files import Files, MissingFile
from loyalty.repository.work_queue import WorkQueue

UPLOADS = "uploads"
IMPORTS = "imports"
EXPORTS = "exports"
PREFETCH = 100  # BatchGetItem's most keys


@dataclass(frozen=True, slots=True)
class Transfers:
    """What imports and exports work with: the table, the private bucket and the queue."""

    repository: Repository
    files: Files
    queue: WorkQueue
    clock: Callable[[], datetime] = utc_now


def job_id(prefix: str, store_id: str, once: Once | None) -> str:
    """A new job's id; with an Idempotency-Key, always the same one for that key."""
    if once is None:
        return f"{prefix}_{uuid.uuid4().hex}"
    digest = hashlib.sha256(f"{prefix}\n{store_id}\n{once.key}".encode()).hexdigest()
    return f"{prefix}_{digest[:32]}"


def upload_key(store_id: str, upload_id: str) -> str:
    return f"{UPLOADS}/{store_id}/{upload_id}.csv"


def new_upload(files: Files, store_id: str) -> tuple[str, str]:
    """An upload id and the pre-signed link (PUT, 15 minutes) its file is sent to."""
    upload_id = f"upl_{uuid.uuid4().hex}"
    return upload_id, files.upload_link(upload_key(store_id, upload_id))


def replayed(repository: Repository, store_id: str, once: Once | None) -> Answer | None:
    """The first answer to this Idempotency-Key, or None for a new request."""
    if once is None:
        return None
    record = repository.get_idempotency(store_id, once.key)
    if record is None:
        return None
    if record.fingerprint != once.fingerprint:
        raise Conflict(
            "this Idempotency-Key was used for a different request", reason="idempotency_key_reused"
        )
    return Answer(record.status, record.body)


def create_once(
    transfers: Transfers,
    job: ImportJob | ExportJob,
    once: Once | None,
    answer: Answer,
    work: Work,
) -> Answer:
    """Write the job with the key's record, then queue its work. A repeat of the key answers the
    same and queues the work again (harmless: the work is idempotent), so a job whose first
    queueing failed is still started by the caller's retry."""
    repository = transfers.repository

    def attempt() -> Answer:
        first = replayed(repository, job.store_id, once)
        if first is not None:
            return first
        record = None
        if once is not None:
            record = IdempotencyRecord(
                job.store_id, once.key, once.fingerprint, answer.status, answer.body, transfers.clock()
            )
        repository.create_job(job, record)
        return answer

    given = with_contention_retries(attempt)
    transfers.queue.send([work])
    return given


def start_import(
    transfers: Transfers,
    store_id: str,
    mode: ImportMode,
    source: str,
    rows: int | None,
    once: Once | None,
    render: Callable[[ImportJob], Answer],
    import_id: str | None = None,
) -> Answer:
    """An import of a file already in the bucket (`source`), queued; `rows` is None until read."""
    job = ImportJob(
        store_id=store_id,
        import_id=import_id or job_id("imp", store_id, once),
        mode=mode,
        source=source,
        status=JobStatus.QUEUED,
        created_at=transfers.clock(),
        rows=rows,
    )
    return create_once(transfers, job, once, render(job), PlanImport(store_id, job.import_id))


def import_from_body(
    transfers: Transfers,
    store_id: str,
    mode: ImportMode,
    body: bytes,
    once: Once | None,
    render: Callable[[ImportJob], Answer],
) -> Answer:
    """A file sent as the request's body: read at once (UnreadableFile: nothing is written), kept
    in the bucket, then imported as an uploaded one is."""
    first = replayed(transfers.repository, store_id, once)
    if first is not None and once is not None:  # its plan again, as create_once does: harmless
        transfers.queue.send([PlanImport(store_id, job_id("imp", store_id, once))])
        return first
    if len(body) > csv_files.MAX_BODY_BYTES:
        raise csv_files.UnreadableFile(
            f"the file is larger than {csv_files.MAX_BODY_BYTES // (1024 * 1024)} MB: upload it first"
        )
    survey = csv_files.survey(io.BytesIO(body), csv_files.MAX_BODY_ROWS)
    import_id = job_id("imp", store_id, once)
    source = f"{IMPORTS}/{store_id}/{import_id}.csv"
    transfers.files.put(source, body)
    return start_import(transfers, store_id, mode, source, survey.rows, once, render, import_id)


def plan_import(transfers: Transfers, work: PlanImport) -> None:
    """Read the whole file once: unreadable, the import fails with the reason and nothing is
    written; readable, its chunks are queued and it runs. A redelivered plan does it again, to the
    same effect."""
    repository = transfers.repository
    job = repository.get_import(work.store_id, work.import_id)
    if job is None or job.status is not JobStatus.QUEUED:
        return  # planned before (a repeated request queues its plan again): its chunks are queued
    uploaded = job.source.startswith(f"{UPLOADS}/")
    max_bytes = csv_files.MAX_UPLOAD_BYTES if uploaded else csv_files.MAX_BODY_BYTES
    max_rows = csv_files.MAX_UPLOAD_ROWS if uploaded else csv_files.MAX_BODY_ROWS
    try:
        if transfers.files.size(job.source) > max_bytes:
            raise csv_files.UnreadableFile(f"the file is larger than {max_bytes // (1024 * 1024)} MB")
        with transfers.files.opened(job.source) as file:
            survey = csv_files.survey(file, max_rows)
    except MissingFile:
        repository.fail_import(job, "no file was uploaded for this upload_id (or it expired)")
        return
    except csv_files.UnreadableFile as unreadable:
        repository.fail_import(job, unreadable.message)
        return
    transfers.queue.send(
        [
            ImportChunk(
                store_id=job.store_id,
                import_id=job.import_id,
                mode=job.mode,
                source=job.source,
                header=survey.header,
                first_row=chunk.first_row,
                rows=chunk.rows,
                start=chunk.start,
                end=chunk.end,
            )
            for chunk in survey.chunks
        ]
    )
    repository.start_import(job, survey.rows)


def import_chunk(transfers: Transfers, work: ImportChunk) -> tuple[int, int]:
    """Import a chunk's rows, each in its own transaction keyed by (import, row), then count them
    once. Answers (imported, skipped). A fault (throttling beyond botocore's retries) raises: the
    message comes back and the rows already written are found, not written again."""
    repository = transfers.repository
    data = transfers.files.read_range(work.source, work.start, work.end)
    rows: list[ImportRow] = []
    errors: list[RowError] = []
    for number, fields in csv_files.chunk_rows(data, work.header, work.first_row):
        try:
            rows.append(parse_row(number, fields))
        except BadRow as bad:
            errors.append(RowError(number, bad.message))
    known = _prefetch(repository, work.store_id, rows)
    imported = 0
    for row in rows:
        try:
            _import_row(transfers, work, row, known)
            imported += 1
        except BadRow as bad:
            errors.append(RowError(row.number, bad.message))
    counted = imported + len(errors)
    if counted != work.rows:  # the file changed under the import: never count a row twice
        raise TransientFault(f"chunk at row {work.first_row} holds {counted} rows, not {work.rows}")
    with contextlib.suppress(AlreadyApplied):  # a redelivered chunk: counted the first time
        repository.count_chunk(
            work.store_id, work.import_id, work.first_row, imported, len(errors), first_errors(errors)
        )
    return imported, len(errors)


def _prefetch(repository: Repository, store_id: str, rows: list[ImportRow]) -> dict[str, Resolved | None]:
    """The chunk's accounts, read a hundred at a time (the first attempt of each row uses them)."""
    ids = list(dict.fromkeys(row.customer_id for row in rows))
    known: dict[str, Resolved | None] = {}
    for offset in range(0, len(ids), PREFETCH):
        batch = ids[offset : offset + PREFETCH]
        accounts = repository.get_accounts(store_id, *batch)
        for customer_id in batch:
            known[customer_id] = follow_merge(repository, accounts.get(customer_id))
    return known


def _import_row(
    transfers: Transfers, work: ImportChunk, row: ImportRow, known: dict[str, Resolved | None]
) -> None:
    repository = transfers.repository

    def attempt() -> None:
        if row.customer_id in known:
            found = known.pop(row.customer_id)
        else:
            found = resolve(repository, work.store_id, row.customer_id)
        planned = decide_row(row, found, work.store_id, work.import_id, work.mode, transfers.clock())
        assert planned.changes is not None
        try:
            repository.commit(planned.changes)
        except EntryExists:
            return  # imported by an earlier delivery of this chunk
        except EmailTaken:
            raise BadRow("another member holds this email") from None
        known[row.customer_id] = Resolved(planned.result, found.merged_from if found else None)

    with_contention_retries(attempt)


@dataclass(frozen=True, slots=True)
class Progress:
    job: ImportJob
    errors: tuple[RowError, ...]


def import_progress(repository: Repository, store_id: str, import_id: str) -> Progress | None:
    job = repository.get_import(store_id, import_id)
    if job is None:
        return None
    errors = repository.first_errors(store_id, import_id, MAX_ERRORS) if job.skipped else []
    return Progress(job, tuple(errors))
