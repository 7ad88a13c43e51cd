"""Figure 9: imports. Rows per second through ImportFunction on DynamoDB Local (moto's server for S3
and SQS), the request units a row costs, and from them what a million-row import costs on AWS and
how long it takes."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.benchmarks.cost import PRICE_PER_MILLION_RRU, PRICE_PER_MILLION_WRU
from tests.benchmarks.report import Report
from tests.benchmarks.sizes import item_size

STORE = "bench-import"
# Lambda on arm64 (us-east-1): per GB-second and per million requests; SQS per million requests.
PRICE_LAMBDA_GB_SECOND = 0.0000133334
PRICE_LAMBDA_MILLION_REQUESTS = 0.20
PRICE_SQS_MILLION_REQUESTS = 0.40
CHUNK_ROWS = 500
IMPORT_MEMORY_GB = 0.5  # template.yaml: ImportFunction's MemorySize
MAX_CONCURRENCY = 10  # template.yaml: the event source's maximum concurrency
AWS_TRANSACTION_MS = 12.0  # assumed: a TransactWriteItems of 2-3 items in-region (not measured here)
ON_DEMAND_NEW_TABLE_WRU_PER_SECOND = 4000  # an on-demand table's initial write throughput


@dataclass(frozen=True)
class ImportRun:
    rows: int
    seconds: float
    item_bytes: dict[str, int]  # the largest item of each kind the import wrote


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _file(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("customer_id", "email", "first_name", "last_name", "status", "points"))
    for number in range(rows):
        member = number % 2 == 0
        email = f"customer{number}@example.com" if member else ""
        writer.writerow((f"c{number:07d}", email, "Ann", "Lee", "member" if member else "candidate", 120))
    return buffer.getvalue().encode()


def measure_import(rows: int) -> ImportRun:
    """Import `rows` rows (half members with emails, half candidates) and time it, plan to done."""
    import boto3

    from loyalty.runtime import reset_runtime
    from loyalty_dev.engines.dynamodb_local import DynamoDBLocal
    from loyalty_dev.engines.moto_server import moto_server
    from loyalty_dev.local.apigw import LambdaContext
    from loyalty_dev.local.queues import sqs_event
    from loyalty_dev.local.service_environment import dummy_aws
    from loyalty_dev.template import create_tables
    from tests.harness.events import merchant_claims
    from tests.harness.in_process import InProcessApi, load_handler

    with DynamoDBLocal() as database, moto_server() as endpoint:
        variables = {
            **dummy_aws("bench"),
            "AWS_ENDPOINT_URL_DYNAMODB": database.endpoint_url,
            "AWS_ENDPOINT_URL_S3": endpoint,
            "AWS_ENDPOINT_URL_SQS": endpoint,
            "TABLE_NAME": "LoyaltyTable",
            "TRANSFER_BUCKET": "bench-transfers",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "ERROR",
        }
        with _environment(variables):
            dynamodb = boto3.client("dynamodb")
            create_tables(dynamodb)
            boto3.client("s3").create_bucket(Bucket="bench-transfers")
            sqs = boto3.client("sqs")
            queue = sqs.create_queue(QueueName="ImportQueue")["QueueUrl"]
            with _environment({"IMPORT_QUEUE_URL": queue}):
                reset_runtime()
                api = InProcessApi()
                worker = load_handler(api.functions["ImportFunction"])
                started = time.perf_counter()
                answer = api.request(
                    "POST",
                    f"/admin/stores/{STORE}/imports",
                    headers={"Content-Type": "text/csv"},
                    body=_file(rows),
                    query={"mode": ["set"]},
                    claims=merchant_claims([f"store:{STORE}"]),
                )
                if answer.status != 202:
                    raise RuntimeError(f"the import was refused: {answer.body}")
                while True:
                    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=2).get("Messages", [])
                    if not messages:
                        break
                    result = worker(
                        sqs_event(messages, "ImportQueue"), LambdaContext(function_name="ImportFunction")
                    )
                    if result.get("batchItemFailures"):
                        raise RuntimeError(f"a chunk failed: {result}")
                    for message in messages:
                        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
                seconds = time.perf_counter() - started
                sizes = _largest_items(dynamodb)
            reset_runtime()
    return ImportRun(rows, seconds, sizes)


def _largest_items(client: Any) -> dict[str, int]:
    """The largest item of each kind, in bytes as DynamoDB sizes them."""
    largest: dict[str, int] = {}
    for page in client.get_paginator("scan").paginate(TableName="LoyaltyTable"):
        for item in page["Items"]:
            kind = item["sk"]["S"].split("#", 1)[0]
            size = item_size(item)
            largest[kind] = max(largest.get(kind, 0), size)
    return largest


@dataclass(frozen=True)
class RowUnits:
    write: float
    read: float


def row_units(item_bytes: dict[str, int]) -> RowUnits:
    """Write and read request units of one imported row, every item under 1 KB (checked): a
    transaction writes each item twice (prepare, commit); each index an item lands in is one more
    write; half the rows claim an email. Downstream, the stream consumer counts the account change
    and the new entry (a marker and a counter each, in a transaction)."""
    if any(size > 1024 for size in item_bytes.values()):
        raise RuntimeError(f"an item over 1 KB changes the arithmetic: {item_bytes}")
    entry = 2 + 1  # the entry (transaction) and the Ledger index
    account = 2 + 1 + 1  # the account (transaction), the Customers and Expiry indexes
    claim = 0.5 * 2  # half the rows are members with an email
    chunk = 2 * 2 / CHUNK_ROWS  # a chunk's marker and counters, once per 500 rows
    downstream = 2 * (2 * 2)  # totals and activity: two items per transaction, twice
    reads = 0.5 / 100 + 0.0  # a consistent BatchGetItem of 100 accounts (under 4 KB each)
    return RowUnits(entry + account + claim + chunk + downstream, reads)


def report_imports(report: Report, run: ImportRun, million: int = 1_000_000) -> None:
    report.title("9. Imports: rows per second on DynamoDB Local, and a million-row import on AWS")
    rate = run.rows / run.seconds
    report.line(
        f"{run.rows} rows (mode=set, half members) imported in {run.seconds:.1f} s: {rate:.0f} rows/s"
    )
    report.line("  (one process, chunk after chunk, on this machine's DynamoDB Local and moto's S3 and SQS)")
    report.line(f"  largest items written (bytes): {json.dumps(run.item_bytes, sort_keys=True)}")
    units = row_units(run.item_bytes)
    report.line(
        f"request units per row: {units.write:.1f} WRU (incl. the stream's counting), {units.read:.3f} RRU"
    )
    dynamodb = million * (units.write * PRICE_PER_MILLION_WRU + units.read * PRICE_PER_MILLION_RRU) / 1e6
    chunks = million // CHUNK_ROWS
    chunk_seconds = CHUNK_ROWS * AWS_TRANSACTION_MS / 1000 * 1.1  # and its reads
    lambda_cost = chunks * chunk_seconds * IMPORT_MEMORY_GB * PRICE_LAMBDA_GB_SECOND
    lambda_cost += (chunks / 2) * PRICE_LAMBDA_MILLION_REQUESTS / 1e6
    sqs_cost = 3 * chunks * PRICE_SQS_MILLION_REQUESTS / 1e6  # send, receive, delete
    report.line(
        f"a million rows on AWS: DynamoDB ${dynamodb:.2f} + Lambda ${lambda_cost:.2f} + SQS ${sqs_cost:.4f}"
        f" = ${dynamodb + lambda_cost + sqs_cost:.2f}"
    )
    by_lambda = chunks * chunk_seconds / MAX_CONCURRENCY
    table_wru = units.write - 2 * (2 * 2)  # the import's own writes (the stream's come after)
    by_table = million * table_wru / ON_DEMAND_NEW_TABLE_WRU_PER_SECOND
    report.line(
        f"  time: {max(by_lambda, by_table) / 60:.0f} min  ({MAX_CONCURRENCY} chunks at once at"
        f" {AWS_TRANSACTION_MS:.0f} ms per transaction: {by_lambda / 60:.0f} min; a new on-demand table's"
        f" {ON_DEMAND_NEW_TABLE_WRU_PER_SECOND} WRU/s: {by_table / 60:.0f} min; the slower decides)"
    )
