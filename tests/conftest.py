"""Shared fixtures: the service's environment from template.yaml, and an in-process API on moto.

Speed: a boto3 client costs about 65 ms to build (its session loads the service's model and
endpoint rules) and `mock_aws` gives every test a fresh default session. So the clients are built
once per session (per xdist worker) and reused: moto intercepts every client made after its import,
whichever test's `mock_aws` is active. Each test still gets a fresh moto (its own tables), and the
functions' runtime is handed the session's client instead of building its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from hypothesis import settings
from moto import mock_aws

from loyalty.repository import Repository
from loyalty.runtime import DYNAMODB_CLIENT_CONFIG, reset_runtime, runtime
from loyalty_dev.local.service_environment import REAL_AWS_VARIABLES, REGION, dummy_aws, service_environment
from loyalty_dev.template import load_template
from tests.harness.tables import template_table
from tests.plugins.ssm_secrets import SECRET_VARIABLES, put_secrets, secrets_from_ssm
from tests.support import SECRETS, Service

# No per-example deadline: on two cores shared with other test runs (and pytest-xdist's workers), a
# 0.1 ms example was measured at 313 ms, failing a correct rule as "flaky". Hypothesis still finds
# and shrinks every failing example; a slow rule shows in the tier's time instead.
settings.register_profile("loyalty", deadline=None)
settings.load_profile("loyalty")

pytest_plugins = [
    "tests.plugins.dynamodb_local",
    "tests.plugins.personal_data",
    "tests.plugins.aws_calls",
    "tests.plugins.local_server",
]


@dataclass(frozen=True)
class AwsClients:
    """The session's clients on moto: the tests' own, and the one the functions' runtime uses
    (configured as in Lambda: retries, timeouts, no client-side validation)."""

    dynamodb: Any
    runtime_dynamodb: Any
    ssm: Any


@pytest.fixture(scope="session")
def aws_clients() -> AwsClients:
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    session = boto3.session.Session(region_name=REGION, **credentials)
    return AwsClients(
        dynamodb=session.client("dynamodb"),
        runtime_dynamodb=session.client("dynamodb", config=DYNAMODB_CLIENT_CONFIG),
        ssm=session.client("ssm"),
    )


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


def restart_runtime(service: Service) -> None:
    """A new warm container: settings read again from the environment, and (on moto) the session's
    client handed to it rather than a new one built."""
    reset_runtime()
    if service.runtime_client is not None:
        runtime().repository = Repository(runtime().settings.table_name, service.runtime_client)


@pytest.fixture
def service(service_env: dict[str, str], aws_clients: AwsClients) -> Iterator[Service]:
    """The four functions behind an in-process API Gateway, on a moto DynamoDB built from the template."""
    with mock_aws():
        template_table(aws_clients.dynamodb, service_env["TABLE_NAME"])
        if secrets_from_ssm():
            put_secrets(aws_clients.ssm, service_env, SECRETS)
        service = Service(
            client=aws_clients.dynamodb,
            table_name=service_env["TABLE_NAME"],
            runtime_client=aws_clients.runtime_dynamodb,
        )
        restart_runtime(service)
        yield service


@pytest.fixture
def program(service: Service, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """The store's program with these settings, as the template's variables give them:
    `program(points_per_currency_unit="1.5", excluded_customer_tags="staff")`. The functions see
    them from their next request on (a new warm container), as after a deployment."""

    def configure(**settings: str) -> None:
        for name, value in settings.items():
            monkeypatch.setenv(name.upper(), value)
        restart_runtime(service)

    return configure
