"""EventsFunction on DynamoDB Local's stream: a concurrent mix of orders, registrations and merges,
then every stream record delivered twice (in other batches the second time), publishes each
change exactly once under one id, and the second delivery only the same ids again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import boto3
import pytest

from loyalty.domain.entities import EntryType
from loyalty_dev.engines.moto_server import moto_server
from loyalty_dev.local.streams import StreamPump
from tests.conftest import restart_runtime
from tests.handlers.test_events import BUS, Published, deliver
from tests.reliability.harness import build_workload, deliver_concurrently
from tests.support import STORE, Service

pytestmark = pytest.mark.dynamodb_local


@pytest.fixture
def published(service: Service, monkeypatch: pytest.MonkeyPatch) -> Iterator[Published]:
    """The bus and the queue that reads it on moto's server; the table on DynamoDB Local."""
    with moto_server() as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_EVENTBRIDGE", endpoint)
        monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", endpoint)
        monkeypatch.setenv("EVENT_BUS_NAME", BUS)
        restart_runtime(service)
        yield Published()
    restart_runtime(service)


def test_records_delivered_twice_publish_every_change_once_under_the_same_ids(
    service: Service, published: Published, dynamodb_local_endpoint: str, worker_env: dict[str, str]
) -> None:
    pump = StreamPump(
        service.table_name,
        service.client,
        boto3.client("dynamodbstreams", region_name="us-east-1", endpoint_url=dynamodb_local_endpoint),
    )
    deliveries, _ = build_workload(7, orders=120)
    deliver_concurrently(deliveries, worker_env, processes=4)
    records = pump.drain()

    assert all(answer == {"batchItemFailures": []} for answer in deliver(pump, records, batch=25))
    first = published.read()
    assert all(answer == {"batchItemFailures": []} for answer in deliver(pump, records, batch=40))
    again = published.read()

    ids = [event["detail"]["id"] for event in first]
    assert len(set(ids)) == len(ids)  # each change once
    assert sorted(ids) == sorted(event["detail"]["id"] for event in again)
    earn_entries = sum(
        1
        for account, _ in service.repository.accounts(STORE)
        for entry in service.repository.ledger(STORE, account.customer_id)
        if entry.type is EntryType.EARN
    )
    kinds = Counter(event["detail-type"] for event in first)
    assert kinds["points.earned"] == earn_entries > 0
    assert kinds["customer.merged"] > 0
