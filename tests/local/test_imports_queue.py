"""Imports and exports under `make dev`: the local server runs the import queue (moto's SQS) through
ImportFunction's workers and serves exports from moto's S3 behind real pre-signed links."""

from __future__ import annotations

import csv
import io
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from loyalty_dev.local.queues import queue_sources
from loyalty_dev.local.server import LocalServer
from loyalty_dev.template import load_template
from tests.local.client import call

pytestmark = pytest.mark.dynamodb_local


def test_the_template_s_queue_is_consumed_by_import_function() -> None:
    sources = {(source.function, source.queue) for source in queue_sources(load_template())}
    assert ("ImportFunction", "ImportQueue") in sources


def wait_for(read: Callable[[], dict[str, Any]], done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        document = read()
        if done(document) or time.monotonic() > deadline:
            return document
        time.sleep(0.3)


def test_a_file_is_imported_by_the_local_queue_and_exported_behind_a_working_link(
    local_server: LocalServer, admin_token: Callable[..., str]
) -> None:
    store = f"s-{uuid.uuid4().hex[:8]}"
    headers = {"Authorization": f"Bearer {admin_token(local_server, store)}"}
    base = f"{local_server.url}/admin/stores/{store}"
    body = b"customer_id,email,status,points\nann,ann@example.com,member,40\nbob,,,-1\n"
    started = call(
        "POST", f"{base}/imports?mode=add", headers={**headers, "Content-Type": "text/csv"}, body=body
    )
    assert started.status == 202, started.body
    import_id = started.json()["id"]

    progress = wait_for(
        lambda: call("GET", f"{base}/imports/{import_id}", headers=headers).json(),
        lambda document: document["status"] in {"done", "failed"},
    )
    assert (progress["status"], progress["imported"], progress["skipped"]) == ("done", 1, 1)
    assert progress["errors"] == [{"row": 2, "message": "points must not be negative"}]

    export_id = call("POST", f"{base}/exports", headers=headers).json()["id"]
    export = wait_for(
        lambda: call("GET", f"{base}/exports/{export_id}", headers=headers).json(),
        lambda document: document["status"] == "done",
    )
    assert export["status"] == "done"
    file = call("GET", export["url"])  # the pre-signed link itself, to moto's S3
    assert file.status == 200
    (row,) = csv.DictReader(io.StringIO(file.body.decode()))
    assert (row["customer_id"], row["status"], row["balance"]) == ("ann", "member", "40")
