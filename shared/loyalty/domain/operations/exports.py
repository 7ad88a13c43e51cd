"""Exports: start one (queued), write a store's customers to a CSV in the private bucket, and give
a pre-signed link to it once written. The columns are the import's and then the account's, so an
export imported with mode=set into an empty store gives every customer the same balance and status."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from loyalty.domain.entities import Account, format_timestamp
from loyalty.domain.operations.imports import EXPORTS, Transfers, create_once, job_id
from loyalty.domain.operations.once import Answer, Once
from loyalty.domain.rules.csv_files import write_rows
from loyalty.domain.rules.imports import ExportJob, JobStatus, MakeExport
from loyalty.errors import NotFound


def start_export(
    transfers: Transfers, store_id: str, once: Once | None, render: Callable[[ExportJob], Answer]
) -> Answer:
    export_id = job_id("exp", store_id, once)
    job = ExportJob(
        store_id=store_id,
        export_id=export_id,
        status=JobStatus.QUEUED,
        created_at=transfers.clock(),
        target=f"{EXPORTS}/{store_id}/{export_id}.csv",
    )
    return create_once(transfers, job, once, render(job), MakeExport(store_id, export_id))


def export_row(account: Account) -> tuple[object, ...]:
    """One customer as the export's columns (csv_files.EXPORT_COLUMNS): `points` is the balance, so
    that the file imports back with mode=set; pending and tier are 0 and empty until they exist."""
    points = account.points
    return (
        account.customer_id,
        account.email,
        account.first_name,
        account.last_name,
        account.status.value,
        points.balance,
        points.balance,
        points.earned,
        points.adjusted,
        points.redeemed,
        points.expired,
        0,
        None,
        format_timestamp(account.last_activity_at),
    )


def make_export(transfers: Transfers, work: MakeExport) -> None:
    """Write the file, then say done; a redelivered message writes the same file again."""
    repository = transfers.repository
    job = repository.get_export(work.store_id, work.export_id)
    if job is None or job.status is JobStatus.DONE:
        return
    written = [0]

    def rows() -> Iterator[tuple[object, ...]]:
        for account in repository.store_accounts(work.store_id):
            written[0] += 1
            yield export_row(account)

    transfers.files.put_stream(job.target, write_rows(rows()))
    repository.finish_export(job, written[0])


def export_link(transfers: Transfers, store_id: str, export_id: str) -> tuple[ExportJob, str | None]:
    """The export and, once written, a pre-signed link (GET, 15 minutes) to its file."""
    job = transfers.repository.get_export(store_id, export_id)
    if job is None:
        raise NotFound(f"export {export_id} not found in store {store_id}")
    if job.status is not JobStatus.DONE:
        return job, None
    return job, transfers.files.download_link(job.target, f"{store_id}-{export_id}.csv")
