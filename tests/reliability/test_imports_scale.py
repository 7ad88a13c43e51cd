"""A 10,000-row import on DynamoDB Local: every row once, the books sound, the counters exact,
and a second delivery of every chunk writing nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from loyalty_dev.engines.moto_server import moto_server
from tests.imports_support import Transfers, csv_text, make_transfers
from tests.plugins.dynamodb_local import engine_endpoint
from tests.support import STORE, Service

pytestmark = [pytest.mark.dynamodb_local, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def dynamodb_local_endpoint() -> Iterator[str]:
    """An engine of this module's own: after its thousands of writes, the writes of every later
    test of the tier ran ten times slower on a shared engine (see tests/plugins/dynamodb_local.py)."""
    yield from engine_endpoint(long_run=True)


ROWS = 10_000


@pytest.fixture
def on_local(service: Service, monkeypatch: pytest.MonkeyPatch) -> Iterator[Transfers]:
    """DynamoDB Local for the table; moto's server for S3 and SQS."""
    with moto_server() as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
        monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", endpoint)
        yield make_transfers(service, monkeypatch)


def test_ten_thousand_rows_are_imported_once_each(on_local: Transfers) -> None:
    rows = [
        (
            f"c{number:05d}",
            f"c{number}@example.com" if number % 3 == 0 else "",
            "",
            "",
            "member",
            str(number % 500),
        )
        for number in range(1, ROWS + 1)
    ]
    rows[41] = ("c00042", "", "", "", "", "-3")  # one bad row, outside the sample checked below
    started = time.monotonic()
    queued = on_local.post_csv(csv_text(rows), "set").json()
    assert queued["rows"] == ROWS
    delivered = []
    for _ in range(1000):  # every message, and keep each one to deliver it again
        messages = on_local.receive()
        if not messages:
            break
        failed = {failure["itemIdentifier"] for failure in on_local.deliver(messages)["batchItemFailures"]}
        for message in messages:  # a failed one (DynamoDB Local slow under load) comes back
            if message["MessageId"] not in failed:
                on_local.sqs.delete_message(
                    QueueUrl=on_local.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
                delivered.append(message)
    elapsed = time.monotonic() - started
    progress = on_local.progress(queued["id"])
    assert (progress["status"], progress["imported"], progress["skipped"]) == ("done", ROWS - 1, 1)
    assert progress["errors"] == [{"row": 42, "message": "points must not be negative"}]
    print(f"\n{ROWS} rows imported in {elapsed:.1f} s: {ROWS / elapsed:.0f} rows/s on DynamoDB Local")

    # A second delivery of chunks writes nothing: no account moves to another revision, and the
    # counters stay as they are.
    service = on_local.service
    chunks = [message for message in delivered if '"import_chunk"' in message["Body"]]
    assert len(chunks) == ROWS // 500
    sample = [f"c{number:05d}" for number in range(1, 1501)]
    revisions = {
        customer: account.revision
        for customer, account in service.repository.get_accounts(STORE, *sample[:100]).items()
    }
    assert on_local.deliver(chunks[:3]) == {"batchItemFailures": []}
    again = service.repository.get_accounts(STORE, *sample[:100])
    assert {customer: account.revision for customer, account in again.items()} == revisions
    assert on_local.progress(queued["id"]) == progress
    # The books: a sample's ledgers add up to their balances, set to the file's points.
    for customer in sample[::50]:
        account = service.account(customer)
        entries = list(service.repository.ledger(STORE, customer))
        assert sum(entry.points for entry in entries) == account.points.balance == int(customer[1:]) % 500
