"""Shared fixtures: the service's environment from template.yaml, and an in-process API on moto."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from loyalty.runtime import reset_runtime
from loyalty_dev.local.service_environment import REAL_AWS_VARIABLES, dummy_aws, service_environment
from loyalty_dev.template import create_tables, load_template
from tests.plugins.ssm_secrets import SECRET_VARIABLES, put_secrets, secrets_from_ssm
from tests.support import SECRETS, Service

pytest_plugins = ["tests.plugins.dynamodb_local", "tests.plugins.personal_data", "tests.plugins.aws_calls"]


@pytest.fixture
def service_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The environment template.yaml gives the functions, with local secrets instead of SSM (or,
    in the deployment tier's runs, with no secret: `service` puts them in moto's SSM)."""
    environment = service_environment(
        {} if secrets_from_ssm() else SECRETS,
        functions=[load_template().functions()["OrderCreatedFunction"]],
        extra={**dummy_aws("testing"), "POWERTOOLS_METRICS_DISABLED": "true"},
    )
    for name in (*SECRET_VARIABLES, *REAL_AWS_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    reset_runtime()
    yield environment
    reset_runtime()


@pytest.fixture
def service(service_env: dict[str, str]) -> Iterator[Service]:
    """The four functions behind an in-process API Gateway, on a moto DynamoDB built from the template."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_tables(client)
        if secrets_from_ssm():
            put_secrets(boto3.client("ssm", region_name="us-east-1"), service_env, SECRETS)
        yield Service(client=client, table_name=service_env["TABLE_NAME"])
