"""The reliability suites run on DynamoDB Local, the engine AWS ships, not on moto.

Moto's server is not atomic under concurrent requests and ignores ClientRequestToken; these suites
test exactly atomicity, conditions and idempotent retries, so they need the real engine.
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from loyalty.runtime import reset_runtime
from tests.harness.tables import template_table
from tests.support import Service


@pytest.fixture
def local_table(
    dynamodb_local_endpoint: str, service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh table, declared as template.yaml declares it, on the session's DynamoDB Local."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_local_endpoint)
    client = boto3.client("dynamodb", region_name="us-east-1")
    table_name = template_table(client)
    monkeypatch.setenv("TABLE_NAME", table_name)
    reset_runtime()
    yield table_name
    client.delete_table(TableName=table_name)
    reset_runtime()


@pytest.fixture
def service(local_table: str) -> Service:
    """The same in-process API as the handler tests, but on DynamoDB Local."""
    return Service(client=boto3.client("dynamodb", region_name="us-east-1"), table_name=local_table)


@pytest.fixture
def worker_env(service_env: dict[str, str], dynamodb_local_endpoint: str, local_table: str) -> dict[str, str]:
    """What each worker process of the concurrency suites runs with: this test's environment, on
    its table of DynamoDB Local, with quieter logs."""
    return service_env | {
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_local_endpoint,
        "TABLE_NAME": local_table,
        "POWERTOOLS_LOG_LEVEL": "ERROR",
    }
