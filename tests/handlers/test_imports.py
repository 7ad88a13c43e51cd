"""Imports end to end on moto: the CSV route's refusals, the queue's work through ImportFunction,
bad rows, modes, idempotency of the request and of redelivered chunks."""

from __future__ import annotations

import json

import pytest

from loyalty.domain.entities import CustomerStatus
from loyalty.domain.rules import csv_files
from tests.imports_support import BUCKET, Transfers, csv_text, transfers
from tests.support import STORE, merchant_claims, order_event, registration_event

__all__ = ["transfers"]  # the fixture, used by name


def test_a_csv_is_queued_then_imported_row_by_row(transfers: Transfers) -> None:
    body = csv_text(
        [
            ("ann", "ann@example.com", "Ann", "Lee", "member", "120"),
            ("bob", "", "Bob", "", "", "30"),
            ("cy", "", "", "", "excluded", "50"),
        ]
    )
    answer = transfers.post_csv(body)
    assert answer.status == 202, answer.body
    queued = answer.json()
    assert queued["status"] == "queued"
    assert queued["rows"] == 3
    assert queued["id"].startswith("imp_")
    assert transfers.progress(queued["id"])["status"] == "queued"

    assert transfers.drain() == ["plan_import", "import_chunk"]

    progress = transfers.progress(queued["id"])
    assert progress == {
        "id": queued["id"],
        "status": "done",
        "mode": "add",
        "rows": 3,
        "imported": 3,
        "skipped": 0,
        "errors": [],
    }
    ann = transfers.service.account("ann")
    assert (ann.status, ann.points.balance, ann.points.adjusted) == (CustomerStatus.MEMBER, 120, 120)
    assert (ann.email, ann.first_name, ann.last_name) == ("ann@example.com", "Ann", "Lee")
    assert transfers.service.claim(STORE, "ann@example.com") is not None
    bob = transfers.service.account("bob")
    assert (bob.status, bob.points.balance) == (CustomerStatus.CANDIDATE, 30)
    cy = transfers.service.account("cy")
    assert (cy.status, cy.points.balance) == (CustomerStatus.EXCLUDED, 50)  # frozen from the start
    entry = transfers.service.repository.get_entry(STORE, f"import:{queued['id']}:1")
    assert entry is not None
    assert (entry.type.value, entry.points, entry.balance_after) == ("import", 120, 120)
    transfers.service.assert_sound()


def test_mode_add_gives_points_and_mode_set_makes_them_the_balance(transfers: Transfers) -> None:
    service = transfers.service
    service.register(registration_event("ann", "ann@example.com"))
    service.order(order_event("o-1", "ann", "100"))  # earned 100
    assert transfers.post_csv(csv_text([("ann", "", "", "", "member", "20")]), "add").status == 202
    transfers.drain()
    assert service.account("ann").points.balance == 120
    assert transfers.post_csv(csv_text([("ann", "", "", "", "member", "45")]), "set").status == 202
    transfers.drain()
    ann = service.account("ann")
    assert (ann.points.balance, ann.points.earned, ann.points.adjusted) == (45, 100, -55)
    service.assert_sound()


BAD_ROWS = [
    (("x1", "not-an-email", "", "", "", "5"), "email is not an email address"),
    (("x2", "", "", "", "", "-5"), "points must not be negative"),
    (("x3", "", "", "", "", "1.5"), "points must be a whole number"),
    (("x4", "", "", "", "vip", "5"), "status must be member, candidate or excluded"),
    (("", "", "", "", "", "5"), "customer_id is empty"),
    (("bad id", "", "", "", "", "5"), "customer_id must be 1 to 128 letters, digits or . _ : @ -"),
    (("gone", "", "", "", "", "5"), "the store has excluded this customer"),
    (("dup", "held@example.com", "", "", "member", "5"), "another member holds this email"),
]


def test_every_bad_row_is_skipped_alone_with_its_row_number(transfers: Transfers) -> None:
    service = transfers.service
    service.register(registration_event("holder", "held@example.com"))
    service.register(registration_event("gone", "gone@example.com"))
    assert service.admin("PUT", "/customers/gone/exclusion", key="ex-1").status == 200
    rows = [("ok-1", "", "", "", "", "7")] + [row for row, _ in BAD_ROWS] + [("ok-2", "", "", "", "", "8")]
    queued = transfers.post_csv(csv_text(rows)).json()
    transfers.drain()
    progress = transfers.progress(queued["id"])
    assert (progress["status"], progress["rows"]) == ("done", len(rows))
    assert (progress["imported"], progress["skipped"]) == (2, len(BAD_ROWS))
    assert progress["errors"] == [
        {"row": number, "message": message} for number, (_, message) in enumerate(BAD_ROWS, start=2)
    ]
    assert service.account("ok-1").points.balance == 7
    assert service.account("ok-2").points.balance == 8
    assert service.account("gone").points.balance == 0
    assert service.account("dup") is None
    assert service.claim(STORE, "held@example.com").customer_id == "holder"  # type: ignore[union-attr]
    messages = json.dumps(progress["errors"])
    assert "held@example.com" not in messages  # an error names no email
    service.assert_sound()


def test_only_the_first_hundred_errors_are_listed(transfers: Transfers) -> None:
    rows = [(f"c{number}", "", "", "", "", "-1") for number in range(1, 1201)]
    queued = transfers.post_csv(csv_text(rows)).json()
    transfers.drain()
    progress = transfers.progress(queued["id"])
    assert (progress["skipped"], progress["imported"], progress["status"]) == (1200, 0, "done")
    assert [error["row"] for error in progress["errors"]] == list(range(1, 101))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "the file is empty: a header row is required"),
        (b"email,points\na@example.com,5\n", "the header row has no `customer_id` column"),
        (b"customer_id,points,points\nann,1,2\n", "the header row repeats columns: points"),
        ("customer_id,first_name\nann,Zoë\n".encode("latin-1"), "the file is not UTF-8 text"),
        (b'customer_id,first_name\nann,"Ann\n', None),
        (b'customer_id,first_name\nann,"Ann"x\n', None),
    ],
)
def test_an_unreadable_file_is_refused_at_once_and_nothing_is_written(
    transfers: Transfers, body: bytes, reason: str | None
) -> None:
    before = transfers.service.snapshot()
    answer = transfers.post_csv(body)
    assert answer.status == 422, answer.body
    assert answer.json()["error"] == "invalid_request"
    if reason is not None:
        assert answer.json()["message"] == reason
    assert transfers.service.snapshot() == before
    assert transfers.receive() == []
    assert transfers.s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_a_file_over_five_megabytes_or_a_hundred_thousand_rows_is_refused(transfers: Transfers) -> None:
    big = b"customer_id,points\n" + b"c,1\n" * (csv_files.MAX_BODY_BYTES // 4)
    answer = transfers.post_csv(big)
    assert answer.status == 422
    assert "larger than 5 MB" in answer.json()["message"]
    many = b"customer_id\n" + b"c\n" * (csv_files.MAX_BODY_ROWS + 1)
    answer = transfers.post_csv(many)
    assert answer.status == 422
    assert answer.json()["message"] == "the file has more than 100000 rows"
    assert transfers.receive() == []


@pytest.mark.parametrize("mode", ["", "replace", None])
def test_the_mode_is_required(transfers: Transfers, mode: str | None) -> None:
    body = csv_text([("ann", "", "", "", "", "1")])
    answer = transfers.service.api.request(
        "POST",
        f"/admin/stores/{STORE}/imports",
        headers={"Content-Type": "text/csv"},
        body=body,
        query={} if mode is None else {"mode": [mode]},
        claims=merchant_claims([f"store:{STORE}"]),
    )
    assert answer.status == 422


def test_another_store_s_merchant_cannot_import(transfers: Transfers) -> None:
    answer = transfers.service.api.request(
        "POST",
        "/admin/stores/other/imports",
        headers={"Content-Type": "text/csv"},
        body=csv_text([("ann", "", "", "", "", "1")]),
        query={"mode": ["add"]},
        claims=merchant_claims([f"store:{STORE}"]),
    )
    assert answer.status == 403
    assert transfers.receive() == []


def test_the_same_idempotency_key_returns_the_same_import(transfers: Transfers) -> None:
    body = csv_text([("ann", "", "", "", "", "10")])
    first = transfers.post_csv(body, key="import-1")
    again = transfers.post_csv(body, key="import-1")
    assert (first.status, again.status) == (202, 202)
    assert again.json() == first.json()
    transfers.drain()
    assert transfers.service.account("ann").points.balance == 10  # imported once
    other_mode = transfers.post_csv(body, "set", key="import-1")
    assert other_mode.status == 409
    assert other_mode.json()["error"] == "conflict"


def test_a_redelivered_chunk_writes_nothing_twice_and_counts_once(transfers: Transfers) -> None:
    rows = [(f"c{number}", "", "", "", "", str(number)) for number in range(1, 11)] + [
        ("bad", "", "", "", "", "-1")
    ]
    queued = transfers.post_csv(csv_text(rows)).json()
    transfers.drain()  # plan and chunk
    chunk = {
        "kind": "import_chunk",
        "store_id": STORE,
        "import_id": queued["id"],
        "mode": "add",
        "source": f"imports/{STORE}/{queued['id']}.csv",
        "header": list(csv_files.IMPORT_COLUMNS),
        "first_row": 1,
        "rows": 11,
    }
    body = csv_text(rows)
    chunk["start"], chunk["end"] = body.index(b"\n") + 1, len(body)
    before = transfers.service.snapshot()
    message = {"MessageId": "again", "ReceiptHandle": "r", "Body": json.dumps(chunk)}
    assert transfers.deliver([message, message]) == {"batchItemFailures": []}
    assert transfers.service.snapshot() == before
    progress = transfers.progress(queued["id"])
    assert (progress["imported"], progress["skipped"]) == (10, 1)


def test_a_chunk_interrupted_midway_is_finished_by_its_redelivery(
    transfers: Transfers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loyalty.errors import TransientFault
    from loyalty.repository import Repository

    rows = [(f"c{number}", "", "", "", "", "5") for number in range(1, 7)]
    queued = transfers.post_csv(csv_text(rows)).json()
    plan = transfers.receive()
    transfers.deliver(plan)
    transfers.sqs.delete_message(QueueUrl=transfers.queue_url, ReceiptHandle=plan[0]["ReceiptHandle"])
    original = Repository.commit
    calls = []

    def throttled_after_three(self: Repository, changes):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 4:
            raise TransientFault("DynamoDB throttled the transaction")
        return original(self, changes)

    monkeypatch.setattr(Repository, "commit", throttled_after_three)
    chunk = transfers.receive()
    assert len(transfers.deliver(chunk)["batchItemFailures"]) == 1  # reported, not dropped
    assert transfers.progress(queued["id"])["status"] == "running"
    assert transfers.progress(queued["id"])["imported"] == 0
    transfers.drain()
    progress = transfers.progress(queued["id"])
    assert (progress["status"], progress["imported"], progress["skipped"]) == ("done", 6, 0)
    assert all(transfers.service.account(f"c{number}").points.balance == 5 for number in range(1, 7))
    transfers.service.assert_sound()


def test_an_unknown_import_is_404_and_a_malformed_id_422(transfers: Transfers) -> None:
    assert transfers.service.admin("GET", "/imports/imp_" + "0" * 32).status == 404
    assert transfers.service.admin("GET", "/imports/nope").status == 422


def test_a_header_only_file_is_done_with_no_rows(transfers: Transfers) -> None:
    queued = transfers.post_csv(b"customer_id,points\r\n").json()
    assert queued["rows"] == 0
    transfers.drain()
    assert transfers.progress(queued["id"])["status"] == "done"


def test_quoted_fields_crlf_and_a_byte_order_mark_are_read_by_the_csv_module(transfers: Transfers) -> None:
    body = '\ufeffcustomer_id,first_name,points\r\nann,"Lee, Ann\r\nSr.",5\r\nbob,"Bob ""B""",6\r\n'.encode()
    queued = transfers.post_csv(body).json()
    assert queued["rows"] == 2
    transfers.drain()
    assert transfers.service.account("ann").first_name == "Lee, Ann\r\nSr."
    assert transfers.service.account("bob").first_name == 'Bob "B"'


def test_a_member_s_new_email_is_claimed_and_the_old_one_released(transfers: Transfers) -> None:
    service = transfers.service
    service.register(registration_event("ann", "ann@example.com"))
    assert transfers.post_csv(csv_text([("ann", "ann.lee@example.com", "", "", "member", "1")])).status == 202
    transfers.drain()
    assert service.account("ann").email == "ann.lee@example.com"
    assert service.claim(STORE, "ann.lee@example.com").customer_id == "ann"  # type: ignore[union-attr]
    assert service.claim(STORE, "ann@example.com") is None
    service.assert_sound()


def test_a_repeated_request_after_the_import_ran_changes_nothing(transfers: Transfers) -> None:
    body = csv_text([("ann", "", "", "", "", "10")])
    queued = transfers.post_csv(body, key="import-2").json()
    transfers.drain()
    transfers.s3.delete_object(
        Bucket=BUCKET, Key=f"imports/{STORE}/{queued['id']}.csv"
    )  # the lifecycle's 7 days
    again = transfers.post_csv(body, key="import-2")
    assert again.json() == queued
    assert transfers.drain() == ["plan_import"]  # queued again, and a no-op
    progress = transfers.progress(queued["id"])
    assert (progress["status"], progress["imported"]) == ("done", 1)
    assert transfers.service.account("ann").points.balance == 10
