"""The one local server of the tests, shared by the local-server suite (tests/local) and the
browser suite (tests/browser): template.yaml served on a free port, as `make dev` serves it, on
DynamoDB Local (else, only where Java is missing, moto's server), with its own tables and issuer.

It is made once per session, and the tests that use it run last: its stream consumers poll the
database from threads of this process, and moto intercepts every boto3 call of the process while a
handler test's `mock_aws` is active, so the server must not be running during those suites.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from loyalty_dev.engines.database import LocalDatabase, create_missing_tables, engine_environment
from loyalty_dev.engines.dynamodb_local import DynamoDBLocal, DynamoDBLocalUnavailable
from loyalty_dev.engines.moto_server import moto_server
from loyalty_dev.local.authorizers import cognito_authorizers
from loyalty_dev.local.environment import LocalSecrets, local_secrets, secret_names
from loyalty_dev.local.issuer import LocalIssuer, Merchant, issuer_url, merchant_groups
from loyalty_dev.local.server import LocalServer
from loyalty_dev.template import load_template
from tests.support import TOKEN_SECRET, WEBHOOK_SECRET

TEST_SECRETS: LocalSecrets = local_secrets(
    {"LOYALTY_WEBHOOK_SECRET": WEBHOOK_SECRET, "LOYALTY_CUSTOMER_TOKEN_SECRET": TOKEN_SECRET},
    secret_names(load_template()),
)

# What the developer's shell may hold that must not reach the tests' functions.
_FOREIGN_PREFIXES = ("AWS_", "LOYALTY_", "POWERTOOLS_")
_FOREIGN_NAMES = {"TABLE_NAME", "POINTS_PER_CURRENCY_UNIT", "GUESTS_EARN_POINTS", "EXCLUDED_CUSTOMER_TAGS"}


def clean_environ() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(_FOREIGN_PREFIXES) and name not in _FOREIGN_NAMES
    }


@pytest.fixture(scope="session")
def local_dynamodb(request: pytest.FixtureRequest) -> Iterator[str]:
    """The endpoint of the session's DynamoDB Local (shared with the other suites when their plugin
    is loaded), else one of our own, else, only where Java is missing, moto's server."""
    try:
        yield str(request.getfixturevalue("dynamodb_local_endpoint"))
        return
    except pytest.FixtureLookupError:
        pass
    try:
        with DynamoDBLocal() as engine:
            yield engine.endpoint_url
        return
    except DynamoDBLocalUnavailable:
        pass
    with moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def local_table_names() -> dict[str, str]:
    """Tables of our own on the shared engine, so no other suite's data or clean-up meets ours."""
    suffix = uuid.uuid4().hex[:8]
    return {logical_id: f"{logical_id}-local-{suffix}" for logical_id in load_template().tables()}


@pytest.fixture(scope="session")
def local_issuer(tmp_path_factory: pytest.TempPathFactory) -> LocalIssuer:
    """The tests' own local issuer (its key in a temporary folder, never the developer's .dev-data)."""
    return LocalIssuer(tmp_path_factory.mktemp("local-issuer"))


@pytest.fixture(scope="session")
def admin_token(local_issuer: LocalIssuer) -> Callable[..., str]:
    """Mints a merchant's ID token for the server: admin_token(server, "acme", operator=False, ttl=600)."""
    authorizer = cognito_authorizers(load_template())[0]

    def mint(
        server: LocalServer,
        *stores: str,
        operator: bool = False,
        ttl: int = 600,
        now: int | None = None,
        issuer: LocalIssuer | None = None,
    ) -> str:
        return (issuer or local_issuer).mint(
            Merchant("merchant@example.com", tuple(merchant_groups(stores, operator=operator))),
            issuer=issuer_url(server.url, authorizer.user_pool),
            client_id=sorted(authorizer.client_ids)[0],
            now=int(time.time()) if now is None else now,
            ttl=ttl,
        )

    return mint


@pytest.fixture(scope="session")
def local_server(
    local_dynamodb: str,
    local_table_names: dict[str, str],
    local_issuer: LocalIssuer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LocalServer]:
    """template.yaml served on a free port of 127.0.0.1, as `make dev` serves it, on DynamoDB Local."""
    database = LocalDatabase(local_dynamodb, "tests", engine_environment(local_dynamodb))
    template = load_template()
    client = database.client({})
    create_missing_tables(client, template, local_table_names)
    server = LocalServer(
        template,
        database=database.environment,
        secrets=TEST_SECRETS,
        environ={**clean_environ(), "LOYALTY_ALLOW_LOCAL_WEBHOOKS": "true"},
        port=0,
        workers_per_function=2,
        table_names=local_table_names,
        issuer=local_issuer,
        events_log=tmp_path_factory.mktemp("outbound-events") / "events.jsonl",
    )
    with server:
        yield server
    for name in local_table_names.values():
        client.delete_table(TableName=name)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The local server's users last, in their order (see the module's docstring)."""
    users = [item for item in items if "local_server" in getattr(item, "fixturenames", ())]
    if users:
        others = [item for item in items if "local_server" not in getattr(item, "fixturenames", ())]
        items[:] = others + users
