"""Imports and exports in the back office: a CSV sent as the body (or uploaded to the private
bucket first), its progress and bad rows; an export, then a pre-signed link to its file."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ConfigDict, StringConstraints

from loyalty.domain.operations import exports, imports
from loyalty.domain.operations.once import Answer, Once
from loyalty.domain.rules.csv_files import UnreadableFile
from loyalty.domain.rules.imports import ExportJob, ImportJob, ImportMode
from loyalty.errors import NotFound, SchemaViolation
from loyalty.http.admin.requests import body, fingerprint, idempotency_key, ids, json_response, query
from loyalty.http.request_bounds import single_header
from loyalty.http.resolver import dumps, raw_body, validate_path
from loyalty.runtime import runtime

router = Router()  # type: ignore[no-untyped-call]
IMPORTS = "/admin/stores/<store_id>/imports"
EXPORTS = "/admin/stores/<store_id>/exports"

ImportId = Annotated[str, StringConstraints(pattern=r"^imp_[0-9a-f]{32}$")]
ExportId = Annotated[str, StringConstraints(pattern=r"^exp_[0-9a-f]{32}$")]
# A CSV body of up to 5 MB is judged by the route (422 above it), so its bound before routing is
# API Gateway's own (10 MB); Lambda's 6 MB invocation payload is the real ceiling in AWS.
BODY_BOUNDS = {"/admin/stores/{store_id}/imports": 10 * 1024 * 1024}
UploadId = Annotated[str, StringConstraints(pattern=r"^upl_[0-9a-f]{32}$")]


class ImportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["add", "set"]


class UploadedImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    upload_id: UploadId


def _once(store_id: str, mode: str = "") -> Once | None:
    """The request's Idempotency-Key, and what makes a repeat the same request (the mode too)."""
    event = router.current_event
    key = idempotency_key(router)
    if key is None:
        return None
    path = f"{event.path}?mode={mode}" if mode else event.path
    return Once(key, fingerprint(event.http_method, path, raw_body(event)))


def _respond(answer: Answer) -> Response[str]:
    return Response(status_code=answer.status, content_type="application/json", body=answer.body)


def _queued(job: ImportJob) -> Answer:
    return Answer(202, dumps({"id": job.import_id, "status": job.status.value, "rows": job.rows}))


def _is_json() -> bool:
    kind = single_header(router.current_event, "Content-Type", 256, SchemaViolation) or ""
    return kind.split(";", 1)[0].strip().lower() == "application/json"


def unreadable(error: UnreadableFile) -> SchemaViolation:
    return SchemaViolation(
        error.message, details=[{"loc": ["body"], "type": "unreadable_file", "msg": error.message}]
    )


@router.post(IMPORTS)
def start_import(store_id: str) -> Response[str]:
    """text/csv: the file itself (at most 5 MB); application/json: {"upload_id"} of an upload."""
    ids(store_id=store_id)
    mode = ImportMode(query(router, ImportQuery).mode)
    once = _once(store_id, mode.value)
    transfers = runtime().transfers
    if _is_json():
        upload = body(router, UploadedImport)
        source = imports.upload_key(store_id, upload.upload_id)
        return _respond(imports.start_import(transfers, store_id, mode, source, None, once, _queued))
    try:
        answer = imports.import_from_body(
            transfers, store_id, mode, raw_body(router.current_event), once, _queued
        )
    except UnreadableFile as error:
        raise unreadable(error) from None
    return _respond(answer)


@router.post(f"{IMPORTS}/uploads")
def new_upload(store_id: str) -> Response[str]:
    """A pre-signed PUT (15 minutes) for a file of up to 100 MB; nothing is written until it is
    imported with its upload_id."""
    ids(store_id=store_id)
    raw_body(router.current_event)  # a body is ignored, but one that is not even base64 is refused
    idempotency_key(router)  # judged as on every write; a new link each time is harmless (nothing written)
    upload_id, url = imports.new_upload(runtime().transfers.files, store_id)
    return json_response(201, {"upload_id": upload_id, "url": url, "method": "PUT"})


def import_view(progress: imports.Progress) -> dict[str, Any]:
    job = progress.job
    view: dict[str, Any] = {
        "id": job.import_id,
        "status": job.progress.value,
        "mode": job.mode.value,
        "rows": job.rows,
        "imported": job.imported,
        "skipped": job.skipped,
        "errors": [{"row": error.row, "message": error.message} for error in progress.errors],
    }
    if job.reason:
        view["reason"] = job.reason
    return view


@router.get(f"{IMPORTS}/<import_id>")
def get_import(store_id: str, import_id: str) -> Response[str]:
    ids(store_id=store_id)
    validate_path(ImportId, import_id=import_id)
    progress = imports.import_progress(runtime().repository, store_id, import_id)
    if progress is None:
        raise NotFound(f"import {import_id} not found in store {store_id}")
    return json_response(200, import_view(progress))


def _export_queued(job: ExportJob) -> Answer:
    return Answer(202, dumps({"id": job.export_id, "status": job.status.value}))


@router.post(EXPORTS)
def start_export(store_id: str) -> Response[str]:
    ids(store_id=store_id)
    raw_body(router.current_event)  # as above
    once = _once(store_id)
    return _respond(exports.start_export(runtime().transfers, store_id, once, _export_queued))


@router.get(f"{EXPORTS}/<export_id>")
def get_export(store_id: str, export_id: str) -> Response[str]:
    ids(store_id=store_id)
    validate_path(ExportId, export_id=export_id)
    job, url = exports.export_link(runtime().transfers, store_id, export_id)
    return json_response(200, {"id": job.export_id, "status": job.status.value, "rows": job.rows, "url": url})
