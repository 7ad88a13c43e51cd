"""The `loyalty` command: token, send, invoke, events, reconcile, and `dev` as a person runs it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from loyalty.http.signatures import verify_signature
from loyalty.http.tokens import verify_customer_token
from loyalty_dev import cli
from loyalty_dev.engines.database import LocalDatabase, engine_environment
from loyalty_dev.engines.moto_server import moto_server
from loyalty_dev.local import dev, wix_keys
from loyalty_dev.local.environment import (
    DEV_CUSTOMER_TOKEN_SECRET,
    DEV_WEBHOOK_SECRET,
    local_secrets,
    secret_names,
)
from loyalty_dev.local.server import LocalServer
from loyalty_dev.openapi import load_openapi
from loyalty_dev.sample_events import EVENTS_DIR, _is_api_gateway_event, api_events, write_events
from loyalty_dev.template import PROJECT_ROOT, load_template
from tests.local.client import call
from tests.local.conftest import clean_environ
from tests.support import TOKEN_SECRET, WEBHOOK_SECRET, registration_event, sign

# Differ between two generations of the same event: the time, and what is signed with it.
VOLATILE_HEADERS = {"X-Loyalty-Signature", "Authorization", "X-Shopify-Hmac-Sha256"}
VOLATILE_QUERY = {"signature", "timestamp"}


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOYALTY_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("LOYALTY_CUSTOMER_TOKEN_SECRET", TOKEN_SECRET)


@pytest.fixture
def no_secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOYALTY_WEBHOOK_SECRET", raising=False)
    monkeypatch.delenv("LOYALTY_CUSTOMER_TOKEN_SECRET", raising=False)


# -- token and send ------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_secrets_env")
def test_token_mints_a_token_the_balance_function_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["token", "acme", "c-42", "--ttl", "600"]) == 0
    token = capsys.readouterr().out.strip()

    verify_customer_token(f"Bearer {token}", DEV_CUSTOMER_TOKEN_SECRET.encode(), "acme", "c-42", time.time())
    claims = jwt.decode(token, options={"verify_signature": False})
    assert 590 <= claims["exp"] - time.time() <= 600


def test_token_refuses_a_lifetime_beyond_24_hours(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["token", "acme", "c-42", "--ttl", str(25 * 3600)]) == 2
    assert "--ttl" in capsys.readouterr().err


@pytest.mark.usefixtures("secrets_env")
def test_send_signs_the_example_or_a_file_and_posts_it(
    local_server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = load_openapi().request_example(load_openapi().operation("POST", "/webhooks/order-created"))  # type: ignore[arg-type]
    event = {**event, "store_id": f"send-{time.time_ns()}"}
    file = tmp_path / "order.json"
    file.write_text(json.dumps(event, indent=4))  # sent byte for byte, whitespace and all

    example = cli.main(["send", "order-created", "--url", local_server.url])
    first = json.loads(capsys.readouterr().out)
    from_file = cli.main(["send", "order-created", str(file), "--url", local_server.url])
    second = json.loads(capsys.readouterr().out)

    assert example == 0
    assert first["status"] in {"processed", "duplicate"}
    assert (from_file, second["status"], second["points_earned"]) == (0, "processed", 49)


def test_send_signs_a_wix_notification_as_wix_does_with_the_development_key(
    local_server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = wix_keys.notification_example(load_openapi().operation("POST", "/webhooks/wix/orders"))  # type: ignore[arg-type]
    assert example is not None
    store = f"wix-send-{time.time_ns()}"
    file = tmp_path / "notification.json"
    file.write_text(json.dumps({**example, "instanceId": store}))

    sent = cli.main(["send", "wix/orders", str(file), "--url", local_server.url])
    answer = json.loads(capsys.readouterr().out)
    joined = cli.main(["send", "wix/members", "--url", local_server.url])
    member = json.loads(capsys.readouterr().out)

    assert (sent, answer["status"], answer["points_earned"]) == (0, "processed", 57)
    assert joined == 0
    assert member["status"] in {"processed", "duplicate"}


def test_send_to_nothing_says_what_is_wrong(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    assert cli.main(["send", "order-created", "--url", f"http://127.0.0.1:{closed_port}"]) == 2
    assert "is `make dev` running?" in capsys.readouterr().err


def test_send_knows_exactly_the_template_s_signed_webhooks() -> None:
    kinds = set(cli.webhook_kinds())
    expected = {
        route.path.removeprefix("/webhooks/")
        for route in load_template().routes()
        if route.method == "POST"
        and (route.path.count("/") == 2 or route.path.startswith("/webhooks/wix/"))
        and route.path.startswith("/webhooks/")
    }
    assert kinds == expected
    assert {"order-created", "member-registered", "invitation-accepted", "wix/orders", "wix/members"} <= kinds


# -- invoke --------------------------------------------------------------------------------------


@pytest.fixture
def moto_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database of the test's own for `invoke`, which names tables as the template does."""
    with moto_server() as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", url)
        yield url


@pytest.mark.usefixtures("moto_endpoint", "no_secrets_env")
def test_invoke_runs_a_function_on_an_events_file_renewing_its_credentials(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = json.loads((EVENTS_DIR / "order-created.json").read_text())
    stale["headers"]["X-Loyalty-Signature"] = stale["multiValueHeaders"]["X-Loyalty-Signature"][0] = (
        "t=1,v1=" + "0" * 64
    )
    stale_file = tmp_path / "stale.json"
    stale_file.write_text(json.dumps(stale))

    assert cli.main(["invoke", "OrderCreatedFunction", str(stale_file)]) == 0
    order = json.loads(capsys.readouterr().out)
    assert cli.main(["invoke", "BalanceFunction", str(EVENTS_DIR / "balance.json")]) == 0
    balance = json.loads(capsys.readouterr().out)

    assert order["statusCode"] == 200, order
    assert json.loads(order["body"])["points_earned"] == 49
    assert balance["statusCode"] == 200, balance
    assert json.loads(balance["body"])["points"]["balance"] == 49


@pytest.mark.usefixtures("moto_endpoint")
def test_invoke_as_is_sends_the_stale_signature_and_names_unknown_functions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = json.loads((EVENTS_DIR / "order-created.json").read_text())
    event["headers"]["X-Loyalty-Signature"] = "t=1,v1=" + "0" * 64
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"as-is-{os.getpid()}.json"
    path.write_text(json.dumps(event))
    try:
        assert cli.main(["invoke", "OrderCreatedFunction", str(path), "--as-is"]) == 0
        rejected = json.loads(capsys.readouterr().out)
        assert cli.main(["invoke", "NoSuchFunction", str(path)]) == 2
        unknown = capsys.readouterr().err
    finally:
        path.unlink()
    assert rejected["statusCode"] == 401
    assert "OrderCreatedFunction" in unknown


@pytest.mark.usefixtures("moto_endpoint", "no_secrets_env")
def test_the_expiry_function_runs_on_its_sample_event_and_on_demand(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["invoke", "ExpiryFunction", str(EVENTS_DIR / "expiry.json")]) == 0
    sample = json.loads(capsys.readouterr().out)
    assert cli.main(["run-schedule", "ExpiryFunction", "--time", "2027-01-01T03:15:00Z"]) == 0
    on_demand = json.loads(capsys.readouterr().out)
    assert cli.main(["run-schedule", "BalanceFunction"]) == 2
    refused = capsys.readouterr().err

    assert (sample["now"], sample["complete"]) == ("2027-03-01T03:15:00.000Z", True)
    assert (on_demand["now"], on_demand["accounts_expired"]) == ("2027-01-01T03:15:00.000Z", 0)
    assert "no Schedule event" in refused
    assert "ExpiryFunction" in refused


# -- events --------------------------------------------------------------------------------------


def _without_volatile(event: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(event))
    if copy.get("path", "").startswith("/webhooks/wix/"):
        # A Wix body is a token signed with this machine's development key, dated when it was made:
        # what must be up to date is what it says.
        claims = jwt.decode(copy["body"], options={"verify_signature": False})
        copy["body"] = {name: value for name, value in claims.items() if name not in {"iat", "exp"}}
    for key in ("headers", "multiValueHeaders"):
        for name in VOLATILE_HEADERS:
            (copy.get(key) or {}).pop(name, None)
    for key in ("queryStringParameters", "multiValueQueryStringParameters"):
        for name in VOLATILE_QUERY:
            (copy.get(key) or {}).pop(name, None)
    for key in ("requestTimeEpoch", "requestTime"):
        copy["requestContext"].pop(key)
    return copy


def test_events_holds_one_up_to_date_event_per_route(tmp_path: Path) -> None:
    template = load_template()
    written, _ = write_events(template, load_openapi(), local_secrets({}, secret_names(template)), tmp_path)

    committed = {path.name for path in EVENTS_DIR.glob("*.json") if _is_api_gateway_event(path)}
    assert committed == {event.file_name for event in api_events(template)}, "run `make events`"
    for fresh in written:
        current = json.loads((EVENTS_DIR / fresh.name).read_text())
        assert _without_volatile(current) == _without_volatile(json.loads(fresh.read_text())), (
            f"events/{fresh.name} is stale: run `make events`"
        )


def test_events_are_signed_with_the_local_secret_and_stale_ones_are_removed(tmp_path: Path) -> None:
    (tmp_path / "gone-route.json").write_text(
        json.dumps({"httpMethod": "GET", "resource": "/x", "requestContext": {}})
    )
    (tmp_path / "notes.json").write_text("{}")
    secrets = local_secrets({})

    written, removed = write_events(load_template(), load_openapi(), secrets, tmp_path)

    assert [path.name for path in removed] == ["gone-route.json"]
    assert (tmp_path / "notes.json").exists()
    order = json.loads((tmp_path / "order-created.json").read_text())
    verify_signature(
        order["headers"]["X-Loyalty-Signature"],
        order["body"].encode(),
        DEV_WEBHOOK_SECRET.encode(),
        time.time(),
    )
    assert len(written) == len(api_events(load_template()))


def test_wix_events_carry_a_token_of_the_development_key_and_invoke_renews_it(
    tmp_path: Path, moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    template = load_template()
    secrets = local_secrets({}, secret_names(template))
    assert secrets.wix is not None
    write_events(template, load_openapi(), secrets, tmp_path)
    event = json.loads((tmp_path / "wix-orders.json").read_text())
    claims = jwt.decode(event["body"], secrets.wix.public_pem, algorithms=["RS256"])
    notification = json.loads(claims["data"])
    assert notification["eventType"] == "wix.ecom.v1.order_approved"
    assert json.loads(notification["data"])["actionEvent"]["body"]["order"]["currency"] == "EUR"

    # A token of another key (as in events/ made on another machine) is re-signed by invoke.
    header, payload, _ = event["body"].split(".")
    event["body"] = f"{header}.{payload}.{'A' * 342}"
    stale = tmp_path / "stale-wix.json"
    stale.write_text(json.dumps(event))
    assert cli.main(["invoke", "OrderCreatedFunction", str(stale)]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["statusCode"] == 200, answer
    assert json.loads(answer["body"])["points_earned"] == 57


# -- reconcile -----------------------------------------------------------------------------------


@pytest.fixture
def running_dev(monkeypatch: pytest.MonkeyPatch, local_server: LocalServer, local_dynamodb: str) -> None:
    """As if `make dev` ran on the tests' database, and nothing in the environment named another."""
    state = {
        "pid": os.getpid(),
        "url": local_server.url,
        "endpoint_url": local_dynamodb,
        "description": f"DynamoDB Local at {local_dynamodb}",
        "environment": engine_environment(local_dynamodb),
    }
    monkeypatch.setattr(dev, "running_dev_server", lambda: state)
    for name in ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("running_dev")
def test_reconcile_checks_a_store_on_the_running_dev_server_s_database(
    local_server: LocalServer,
    local_dynamodb: str,
    local_table_names: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    store, table = f"reconcile-{time.time_ns()}", local_table_names["LoyaltyTable"]
    body = json.dumps(registration_event("c-1", "Ann@Example.com", store_id=store)).encode()
    registered = call(
        "POST",
        f"{local_server.url}/webhooks/member-registered",
        headers={"Content-Type": "application/json", "X-Loyalty-Signature": sign(body)},
        body=body,
    )
    assert registered.status == 200, registered.body

    clean = cli.main(["reconcile", "--store", store, "--table", table])
    clean_output = capsys.readouterr().out
    # Break an invariant: the member's email is no longer claimed by it.
    client = LocalDatabase(local_dynamodb, "tests", engine_environment(local_dynamodb)).client({})
    client.delete_item(
        TableName=table, Key={"pk": {"S": f"STORE#{store}#EMAIL#ann@example.com"}, "sk": {"S": "EMAIL"}}
    )
    broken = cli.main(["reconcile", "--store", store, "--table", table])
    broken_output = capsys.readouterr().out

    assert (clean, clean_output.strip()) == (0, f"{store}: clean")
    assert broken == 1
    assert f"PROBLEM {store}/c-1: member's email ann@example.com is claimed by None" in broken_output
    assert "AWS_ACCESS_KEY_ID" not in os.environ  # the database's credentials were for the call only


@pytest.mark.usefixtures("running_dev")
def test_reconcile_says_when_the_table_is_missing(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["reconcile", "--store", "acme", "--table", "NoSuchTable"]) == 2
    assert "no table NoSuchTable in DynamoDB Local at" in capsys.readouterr().err


# -- dev, as a person runs it --------------------------------------------------------------------


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _dev(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    environment = {**clean_environ(), "LOYALTY_DEV_DATA": str(tmp_path / "dev-data")}
    return subprocess.Popen(
        [sys.executable, "-m", "loyalty_dev.cli", "dev", *args],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _read_until(process: subprocess.Popen[str], marker: str, timeout: float = 60) -> list[str]:
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if marker in line:
            return lines
    raise AssertionError(f"no {marker!r} in:\n{''.join(lines)}")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc to find child processes")
def test_dev_serves_the_template_and_ctrl_c_stops_everything_it_started(tmp_path: Path) -> None:
    process = _dev(tmp_path, "--port", "0", "--in-memory", "--no-prewarm")
    try:
        banner = _read_until(process, "Press Ctrl-C")
        url = next(line.split()[3] for line in banner if line.startswith("Loyalty service on "))
        token = cli.mint_customer_token(
            DEV_CUSTOMER_TOKEN_SECRET.encode(), "acme", "c-42", int(time.time()), 60
        )
        from tests.local.client import call

        balance = call(
            "GET", f"{url}/stores/acme/customers/c-42/balance", headers={"Authorization": f"Bearer {token}"}
        )
        # The back office is closed without a merchant token, open with `loyalty admin-token`'s.
        minted = subprocess.run(
            [sys.executable, "-m", "loyalty_dev.cli", "admin-token", "acme"],
            cwd=PROJECT_ROOT,
            env={**clean_environ(), "LOYALTY_DEV_DATA": str(tmp_path / "dev-data")},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        closed = call("GET", f"{url}/admin/stores/acme/overview")
        opened = call(
            "GET", f"{url}/admin/stores/acme/overview", headers={"Authorization": f"Bearer {minted}"}
        )
        elsewhere = call(
            "GET", f"{url}/admin/stores/beta/overview", headers={"Authorization": f"Bearer {minted}"}
        )
        started = _children(process.pid)
        request_line = _read_until(process, "GET /stores/acme/customers/c-42/balance")[-1]

        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert "DEVELOPMENT secret" in "".join(banner)
    assert balance.status == 404  # a fresh in-memory database: nobody is known yet
    assert (closed.status, opened.status, elsewhere.status) == (401, 200, 403)
    assert (tmp_path / "dev-data" / "local-issuer" / "signing-key.pem").exists()
    assert "404" in request_line
    assert "BalanceFunction" in request_line
    assert len(started) >= 2  # at least the database and the balance function's worker
    assert process.returncode == 0
    assert "Stopped" in output
    time.sleep(0.2)
    assert [pid for pid in started if _alive(pid)] == []


def test_a_second_dev_on_a_busy_port_says_so_and_starts_nothing(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        process = _dev(tmp_path, "--port", str(port))
        output = process.communicate(timeout=60)[0]

    assert process.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in output
    assert f"PORT={port + 1} make dev" in output
    assert time.monotonic() - started < 15  # it did not start a database first
