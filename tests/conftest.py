"""Shared fixtures: the service's environment from template.yaml, and an in-process API on moto."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from loyalty.runtime import reset_runtime
from loyalty_dev.template import create_tables, load_template
from tests.plugins.ssm_secrets import SECRET_VARIABLES, put_secrets, secrets_from_ssm
from tests.support import SHOPIFY_SECRET, TOKEN_SECRET, WEBHOOK_SECRET, Service
from tests.wix_payloads import APP_PUBLIC_KEY_PEM

pytest_plugins = ["tests.plugins.dynamodb_local", "tests.plugins.personal_data", "tests.plugins.aws_calls"]
SECRETS = dict(
    zip(SECRET_VARIABLES, (WEBHOOK_SECRET, TOKEN_SECRET, SHOPIFY_SECRET, APP_PUBLIC_KEY_PEM), strict=True)
)


@pytest.fixture
def service_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The environment template.yaml gives the functions, with local secrets instead of SSM (or,
    in the deployment tier's runs, with no secret: `service` puts them in moto's SSM)."""
    environment = dict(load_template().functions()["OrderCreatedFunction"].environment)
    environment.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            **({} if secrets_from_ssm() else SECRETS),
            "POWERTOOLS_METRICS_DISABLED": "true",
        }
    )
    for name in SECRET_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
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
