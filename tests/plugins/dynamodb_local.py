"""Pytest plugin: one in-memory DynamoDB Local (the real engine) for the whole test session.

Register it with ``pytest_plugins = ["tests.plugins.dynamodb_local"]`` in tests/conftest.py (or
``-p tests.plugins.dynamodb_local``). A test that asks for ``dynamodb_local_endpoint`` gets the
endpoint URL and, automatically, the ``dynamodb_local`` marker, so ``-m "not dynamodb_local"``
leaves those tests out.

Where Java or the npm package is missing the fixture skips, saying what is missing and how to
install it; it never falls back to moto. In CI (``CI=true``) or with ``LOYALTY_REQUIRE_DYNAMODB_LOCAL=1``
the same is a failure instead. Tests that start DynamoDBLocal themselves get the same treatment
from ``start_or_skip``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import NoReturn

import pytest

from loyalty_dev.engines.dynamodb_local import DynamoDBLocal, DynamoDBLocalUnavailable

FIXTURE = "dynamodb_local_endpoint"
MARKER = "dynamodb_local"
REQUIRE_ENV = "LOYALTY_REQUIRE_DYNAMODB_LOCAL"


def pytest_configure(config: pytest.Config) -> None:
    # pyproject.toml declares it too; this keeps --strict-markers happy wherever the plugin runs.
    config.addinivalue_line("markers", f"{MARKER}: needs DynamoDB Local (Java 17 and the npm package)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(MARKER)


def required() -> bool:
    """Whether a missing Java or npm package is a failure: in CI (CI=true, as CI runners set it)
    or with $LOYALTY_REQUIRE_DYNAMODB_LOCAL=1."""
    return (
        os.environ.get(REQUIRE_ENV, "").strip() == "1" or os.environ.get("CI", "").strip().lower() == "true"
    )


def unavailable(exc: DynamoDBLocalUnavailable) -> NoReturn:
    """Skip the test (or, with $LOYALTY_REQUIRE_DYNAMODB_LOCAL=1, fail it), saying why."""
    message = f"DynamoDB Local is not available: {exc.reason}"
    if required():
        pytest.fail(f"{message} [{REQUIRE_ENV}=1 makes this a failure, not a skip]", pytrace=False)
    pytest.skip(f"{message} [set {REQUIRE_ENV}=1 to fail instead of skipping]")


def start_or_skip(server: DynamoDBLocal) -> DynamoDBLocal:
    """``server.start()``, turning a missing Java or npm package into a skip (or a failure)."""
    try:
        return server.start()
    except DynamoDBLocalUnavailable as exc:
        unavailable(exc)


# The engine's default JVM compiles with C1 only (quicker to start, and as fast for short runs);
# a module of thousands of transactions pays for the full compiler: the 10,000-row import took
# 85 s with it against 125 s without, alone on this machine.
FULL_JIT = ("-XX:TieredStopAtLevel=4",)  # the last occurrence of a JVM flag wins


def engine_endpoint(*, long_run: bool = False) -> Iterator[str]:
    """Start an in-memory DynamoDB Local, yield its URL (http://127.0.0.1:PORT), stop it."""
    server = start_or_skip(DynamoDBLocal(jvm_options=FULL_JIT if long_run else ()))
    try:
        yield server.endpoint_url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def dynamodb_local_endpoint() -> Iterator[str]:
    """The URL of the session's in-memory DynamoDB Local.

    A module that writes tens of thousands of items overrides this fixture with an engine of its
    own (``yield from engine_endpoint()`` in a module-scoped fixture of the same name): on a
    shared engine, the writes of the tests that came after a 10,000-row import ran ten times
    slower, the table deleted and the JVM's heap far from full, and two of them timed out."""
    yield from engine_endpoint()
