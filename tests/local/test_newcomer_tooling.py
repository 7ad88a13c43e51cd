"""What a newcomer tripped over in the tooling (issue 22): every command finds the running
`make dev`, the docs' examples run in the order the docs give them, the tooling cites the
project's own contract, the local server's log cannot be forged, and `make dev` listens only once
it is ready."""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import jwt
import pytest

from loyalty_dev import cli
from loyalty_dev.local.server import LocalServer
from loyalty_dev.template import PROJECT_ROOT
from tests.local.client import call
from tests.local.conftest import clean_environ
from tests.support import WEBHOOK_SECRET

# -- every command finds the running `make dev` ---------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    seen: list[str]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append(f"POST {self.path}")
        body = b'{"status": "processed"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def running_dev(tmp_path: Path) -> Iterator[tuple[str, list[str], dict[str, str]]]:
    """A stand-in `make dev` on a port of its own (as `PORT=3917 make dev`): its state file in a
    dev-data folder of the test's, and the environment of a second terminal (no PORT there)."""
    seen: list[str] = []
    handler = type("Recorder", (_Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    data = tmp_path / "dev-data"
    data.mkdir()
    (data / "dev-server.json").write_text(json.dumps({"pid": os.getpid(), "url": url}))
    environment = {**clean_environ(), "LOYALTY_DEV_DATA": str(data)}
    environment.pop("PORT", None)
    try:
        yield url, seen, environment
    finally:
        server.shutdown()
        server.server_close()


def _loyalty(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "loyalty_dev.cli", *args],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_send_goes_to_the_running_dev_server_whatever_its_port(
    running_dev: tuple[str, list[str], dict[str, str]],
) -> None:
    _, seen, environment = running_dev

    sent = _loyalty(environment, "send", "order-created")

    assert sent.returncode == 0, sent.stderr
    assert seen == ["POST /webhooks/order-created"]


def test_admin_token_and_send_find_the_server_the_same_way(
    running_dev: tuple[str, list[str], dict[str, str]],
) -> None:
    url, _, environment = running_dev

    token = _loyalty(environment, "admin-token", "acme").stdout.strip()

    issuer = jwt.decode(token, options={"verify_signature": False})["iss"]
    assert urlsplit(issuer).netloc == urlsplit(url).netloc


# -- the docs' examples, in the docs' order --------------------------------------------------------


def _documented_sends(document: str) -> list[list[str]]:
    """The `loyalty send` lines of a document's code blocks, in order, without their comments."""
    text = (PROJECT_ROOT / "docs" / document).read_text(encoding="utf-8")
    lines = re.findall(r"^\.venv/bin/loyalty (send [^\n#]*)", text, flags=re.MULTILINE)
    return [shlex.split(line) for line in lines if "--url" not in line]


@pytest.mark.parametrize("document", ["local-development.md", "cli.md"])
def test_the_documented_examples_work_in_the_order_the_docs_give_them(
    document: str,
    local_server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sends = _documented_sends(document)
    assert ["send", "invitation-accepted"] in sends
    monkeypatch.chdir(PROJECT_ROOT)
    monkeypatch.setenv("LOYALTY_WEBHOOK_SECRET", WEBHOOK_SECRET)  # the test server's

    for send in sends:
        code = cli.main([*send, "--url", local_server.url])
        answer = capsys.readouterr()
        assert code == 0, f"{' '.join(send)}: {answer.err}{answer.out}"
        assert json.loads(answer.out)["status"] in {"processed", "duplicate"}


# -- the project's own contract ----------------------------------------------------------------------


def test_the_tooling_cites_the_project_s_contract_not_a_file_it_does_not_hold(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        cli.main(["send", "--help"])
    help_text = capsys.readouterr().out

    assert "docs/api.md" in " ".join(help_text.split())
    assert "CONTRACT" not in help_text  # and tests/test_standalone.py keeps every file from citing it


# -- the local server's log ------------------------------------------------------------------------


def test_the_local_server_escapes_what_it_logs(
    local_server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    forged = "/nowhere%0a12:00:00%20POST%20/webhooks/order-created%20200%200.1%20ms%20forged%00end"
    with caplog.at_level(logging.INFO, logger="loyalty.dev"):
        connection = http.client.HTTPConnection(urlsplit(local_server.url).netloc, timeout=30)
        connection.request("GET", forged + "?q=%0d%0a")
        status = connection.getresponse().status
        connection.close()
        deadline = time.monotonic() + 5
        while not any("nowhere" in record.getMessage() for record in caplog.records):
            assert time.monotonic() < deadline, "no log line for the request"
            time.sleep(0.05)

    lines = [record.getMessage() for record in caplog.records if "nowhere" in record.getMessage()]
    assert status == 404
    assert len(lines) == 1
    assert "\n" not in lines[0]
    assert "\r" not in lines[0]
    assert "\x00" not in lines[0]
    assert "%0a" in lines[0]


# -- `make dev` listens once it is ready ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_dev_listens_only_once_ready_and_its_first_token_names_its_issuer(tmp_path: Path) -> None:
    port = _free_port()
    environment = {**clean_environ(), "LOYALTY_DEV_DATA": str(tmp_path / "dev-data")}
    environment.pop("PORT", None)
    environment.pop("LOYALTY_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "loyalty_dev.cli", "dev", "--port", str(port), "--in-memory", "--no-prewarm"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while True:  # the first moment the port accepts a connection
            assert process.poll() is None, "make dev stopped"
            assert time.monotonic() < deadline, "make dev never listened"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.02)
        minted = _loyalty(environment, "admin-token", "acme")
        token = minted.stdout.strip()
        answer = call(
            "GET",
            f"http://127.0.0.1:{port}/admin/stores/acme/overview",
            headers={"Authorization": f"Bearer {token}"},
        )
    finally:
        process.terminate()
        process.wait(timeout=60)

    issuer = jwt.decode(token, options={"verify_signature": False})["iss"]
    assert urlsplit(issuer).port == port, minted.stderr
    assert answer.status == 200
