"""Exports and uploads end to end on moto: an export's file and its link, the round trip through an
import with mode=set, and a large file uploaded to the bucket first."""

from __future__ import annotations

import csv
import io
import urllib.parse

from loyalty.domain.entities import CustomerStatus
from loyalty.domain.rules.csv_files import EXPORT_COLUMNS
from tests.imports_support import BUCKET, Transfers, csv_text, transfers
from tests.support import STORE, order_event, registration_event

__all__ = ["transfers"]  # the fixture, used by name


def a_store(transfers: Transfers) -> None:
    service = transfers.service
    service.register(registration_event("ann", "ann@example.com"))
    service.order(order_event("o-1", "ann", "120"))
    service.order(order_event("o-2", "guest", "35"))
    service.register(registration_event("cy", "cy@example.com"))
    service.order(order_event("o-3", "cy", "50"))
    assert (
        service.admin("POST", "/customers/ann/points", {"amount": -20, "reason": "fix"}, key="k1").status
        == 201
    )
    assert service.admin("PUT", "/customers/cy/exclusion", key="k2").status == 200


def exported(transfers: Transfers, store_id: str = STORE) -> tuple[dict, list[dict[str, str]]]:  # type: ignore[type-arg]
    started = transfers.service.admin("POST", "/exports", store_id=store_id)
    assert started.status == 202, started.body
    export_id = started.json()["id"]
    assert started.json() == {"id": export_id, "status": "queued"}
    pending = transfers.service.admin("GET", f"/exports/{export_id}", store_id=store_id).json()
    assert (pending["status"], pending["url"]) == ("queued", None)
    transfers.drain()
    done = transfers.service.admin("GET", f"/exports/{export_id}", store_id=store_id)
    assert done.status == 200
    document = done.json()
    assert document["status"] == "done"
    text = transfers.fetch(document["url"]).decode()
    return document, list(csv.DictReader(io.StringIO(text)))


def test_an_export_is_a_csv_of_every_customer_behind_a_fifteen_minute_link(transfers: Transfers) -> None:
    a_store(transfers)
    document, rows = exported(transfers)
    url = urllib.parse.urlparse(document["url"])
    query = urllib.parse.parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["900"]
    assert f"exports/{STORE}/" in urllib.parse.unquote(url.path)
    assert document["rows"] == 3
    by_id = {row["customer_id"]: row for row in rows}
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert by_id["ann"] == {
        **by_id["ann"],
        "email": "ann@example.com",
        "status": "member",
        "points": "100",
        "balance": "100",
        "earned": "120",
        "adjusted": "-20",
        "redeemed": "0",
        "expired": "0",
        "pending": "0",
        "tier": "",
    }
    assert (by_id["guest"]["status"], by_id["guest"]["balance"]) == ("candidate", "35")
    assert (by_id["cy"]["status"], by_id["cy"]["balance"]) == ("excluded", "50")
    assert by_id["ann"]["last_activity_at"].endswith("Z")


def test_an_export_imported_with_mode_set_into_an_empty_store_gives_the_same_balances_and_statuses(
    transfers: Transfers,
) -> None:
    a_store(transfers)
    _, rows = exported(transfers)
    file = io.StringIO()
    writer = csv.DictWriter(file, fieldnames=list(EXPORT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    answer = transfers.post_csv(file.getvalue().encode(), "set", store_id="empty-store")
    assert answer.status == 202, answer.body
    transfers.drain()
    _, again = exported(transfers, "empty-store")
    assert {(row["customer_id"], row["status"], row["balance"], row["email"]) for row in again} == {
        (row["customer_id"], row["status"], row["balance"], row["email"]) for row in rows
    }
    transfers.service.assert_sound("empty-store")


def test_the_same_idempotency_key_returns_the_same_export(transfers: Transfers) -> None:
    first = transfers.service.admin("POST", "/exports", key="export-1")
    again = transfers.service.admin("POST", "/exports", key="export-1")
    assert (first.status, again.status) == (202, 202)
    assert again.json() == first.json()


def test_an_unknown_export_is_404(transfers: Transfers) -> None:
    assert transfers.service.admin("GET", "/exports/exp_" + "0" * 32).status == 404
    assert transfers.service.admin("GET", "/exports/../x").status in {404, 422}


# uploads ----------------------------------------------------------------------------------------


def upload(transfers: Transfers, body: bytes | None) -> str:
    answer = transfers.service.admin("POST", "/imports/uploads")
    assert answer.status == 201, answer.body
    document = answer.json()
    url = urllib.parse.urlparse(document["url"])
    assert urllib.parse.parse_qs(url.query)["X-Amz-Expires"] == ["900"]
    key = f"uploads/{STORE}/{document['upload_id']}.csv"
    assert key in urllib.parse.unquote(url.path)
    if body is not None:  # what the browser's PUT to the link does
        transfers.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    return str(document["upload_id"])


def test_an_uploaded_file_is_imported_the_same_way(transfers: Transfers) -> None:
    upload_id = upload(
        transfers, csv_text([("ann", "", "", "", "member", "9"), ("bob", "", "", "", "", "-1")])
    )
    answer = transfers.service.admin("POST", "/imports", {"upload_id": upload_id}, query={"mode": "add"})
    assert answer.status == 202, answer.body
    queued = answer.json()
    assert (queued["status"], queued["rows"]) == ("queued", None)  # counted when the file is read
    transfers.drain()
    progress = transfers.progress(queued["id"])
    assert (progress["status"], progress["rows"], progress["imported"], progress["skipped"]) == (
        "done",
        2,
        1,
        1,
    )
    assert transfers.service.account("ann").status is CustomerStatus.MEMBER


def test_an_unreadable_upload_fails_with_its_reason_and_writes_nothing(transfers: Transfers) -> None:
    for body, reason in [
        (None, "no file was uploaded for this upload_id (or it expired)"),
        (b"email\nx@example.com\n", "the header row has no `customer_id` column"),
        ("customer_id\nZoë\n".encode("utf-16"), "the file is not UTF-8 text"),
    ]:
        upload_id = upload(transfers, body)
        queued = transfers.service.admin(
            "POST", "/imports", {"upload_id": upload_id}, query={"mode": "set"}
        ).json()
        transfers.drain()
        progress = transfers.progress(queued["id"])
        assert (progress["status"], progress["reason"], progress["imported"]) == ("failed", reason, 0)
    assert transfers.service.repository.get_account(STORE, "Zoë") is None


def test_an_upload_id_must_be_one_the_service_made(transfers: Transfers) -> None:
    for document in (
        {"upload_id": "../../exports/x"},
        {"upload_id": 5},
        {},
        {"upload_id": "upl_" + "a" * 32, "x": 1},
    ):
        answer = transfers.service.admin("POST", "/imports", document, query={"mode": "add"})
        assert answer.status == 422, document
    assert transfers.receive() == []
