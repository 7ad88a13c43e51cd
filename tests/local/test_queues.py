"""`make dev` runs the template's SQS queues: the mappings are found, a runner hands batches to the
function and deletes what succeeded, and a shop/redact through the local server empties the store."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.request
from typing import Any

from loyalty_dev.engines.database import LocalDatabase, create_missing_tables, engine_environment
from loyalty_dev.local.queues import QueueConsumer, QueueSource, local_transfers, queue_sources
from loyalty_dev.local.server import LocalServer
from loyalty_dev.template import load_template
from tests.local.conftest import TEST_SECRETS, clean_environ

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}


def test_the_template_s_queue_mapping_is_found() -> None:
    assert QueueSource("ShopRedactionFunction", "ShopRedactionQueue", 1) in queue_sources(load_template())


def test_a_consumer_deletes_what_succeeded_and_keeps_what_failed() -> None:
    batches: list[dict[str, Any]] = []

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        batches.append(event)
        failed = [record["messageId"] for record in event["Records"] if record["body"] == "fail"]
        return {"batchItemFailures": [{"itemIdentifier": identifier} for identifier in failed]}

    with local_transfers(load_template()) as transfers:
        assert transfers is not None
        sqs = transfers.client("sqs")
        url = transfers.queue_urls["ShopRedactionQueue"]
        sqs.send_message(QueueUrl=url, MessageBody="ok")
        sqs.send_message(QueueUrl=url, MessageBody="fail")
        consumer = QueueConsumer(QueueSource("F", "ShopRedactionQueue", 10), url, sqs, invoke)

        assert consumer.poll(wait_seconds=1) == 1  # two received, one reported failed
        assert batches[0]["Records"][0]["eventSource"] == "aws:sqs"
        assert len(batches[0]["Records"]) == 2
        deadline = time.monotonic() + 30  # the failed one comes back after the local visibility timeout
        while len(batches) < 2 and time.monotonic() < deadline:
            consumer.poll(wait_seconds=1)
        assert [record["body"] for record in batches[1]["Records"]] == ["fail"]


def test_shop_redact_through_the_local_server_empties_the_store(
    local_dynamodb: str, local_table_names: dict[str, str]
) -> None:
    template = load_template()
    database = LocalDatabase(local_dynamodb, "tests", engine_environment(local_dynamodb))
    secret = TEST_SECRETS.environment["LOYALTY_SHOPIFY_SECRET"]
    shop = f"queue-{int(time.time() * 1000)}.myshopify.com"
    create_missing_tables(database.client({}), template, local_table_names)
    server = LocalServer(
        template,
        database=database.environment,
        secrets=TEST_SECRETS,
        environ=clean_environ(),
        port=0,
        workers_per_function=1,
        table_names=local_table_names,
        streams=False,
        schedules=False,
    )
    server.bind().start()  # no prewarm: only the functions this test calls start; the queues run
    try:
        order = {
            "id": 1001,
            "subtotal_price": "10.00",
            "currency": "EUR",
            "customer": {"id": 7, "state": "enabled"},
        }
        assert post(server, "orders-create", order, shop, secret)["status"] == "processed"
        assert post(server, "shop-redact", {"shop_domain": shop}, shop, secret)["status"] == "accepted"
        client = database.client({})
        deadline = time.time() + 60
        while time.time() < deadline and items_of(client, local_table_names["LoyaltyTable"], shop):
            time.sleep(0.5)
        assert items_of(client, local_table_names["LoyaltyTable"], shop) == []
    finally:
        server.close()


def post(server: LocalServer, topic: str, payload: dict[str, Any], shop: str, secret: str) -> Any:
    body = json.dumps(payload).encode()
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    request = urllib.request.Request(
        f"{server.url}/webhooks/shopify/{topic}",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Hmac-Sha256": digest,
            "X-Shopify-Shop-Domain": shop,
            "X-Shopify-Webhook-Id": f"w-{topic}",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def items_of(client: Any, table: str, shop: str) -> list[str]:
    """The store's items, by a scan (a test's look at the whole table)."""
    found = client.scan(TableName=table, ConsistentRead=True).get("Items", [])
    return [item["pk"]["S"] for item in found if item["pk"]["S"].startswith(f"STORE#{shop}#")]
