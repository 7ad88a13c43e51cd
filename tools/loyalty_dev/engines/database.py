"""The DynamoDB a local run talks to: the one you name, else DynamoDB Local (persisted), else moto's server.

* ``AWS_ENDPOINT_URL_DYNAMODB`` set: that endpoint (your own DynamoDB Local, or AWS), nothing started.
* Otherwise DynamoDB Local (the npm package, on Java 17+), its data kept in a git-ignored folder so
  it survives a restart (``make dev-reset`` wipes it).
* Only where Java is missing: moto's server, in memory, with a warning.

Then every table of template.yaml that is missing is created. A running `make dev` records where
its database is (``.dev-data/dev-server.json``) so that `loyalty invoke` reaches the same data.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

from loyalty_dev.engines.dynamodb_local import (
    DUMMY_ACCESS_KEY_ID,
    DUMMY_SECRET_ACCESS_KEY,
    REGION,
    DynamoDBLocal,
    java_executable,
)
from loyalty_dev.engines.moto_server import moto_server
from loyalty_dev.template import PROJECT_ROOT, Template, create_table_request

# Git-ignored. LOYALTY_DEV_DATA moves it (tests use that to stay off the developer's own data).
DEV_DATA_DIR = Path(os.environ.get("LOYALTY_DEV_DATA") or PROJECT_ROOT / ".dev-data")
DYNAMODB_DATA_DIR = DEV_DATA_DIR / "dynamodb"
DEV_STATE_FILE = DEV_DATA_DIR / "dev-server.json"

ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_DYNAMODB"


@dataclass(frozen=True)
class LocalDatabase:
    """Where the functions' DynamoDB is, and the variables a function process needs to reach it."""

    endpoint_url: str | None  # None: AWS's own endpoint, as the developer's configuration says
    description: str
    environment: dict[str, str]

    def client(self, environ: Mapping[str, str] | None = None) -> Any:
        """A boto3 DynamoDB client configured exactly as the functions will be."""
        env = {**(os.environ if environ is None else environ), **self.environment}
        session = boto3.session.Session(
            aws_access_key_id=env.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY"),
            aws_session_token=env.get("AWS_SESSION_TOKEN")
            if "AWS_ACCESS_KEY_ID" not in self.environment
            else None,
            region_name=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"),
        )
        return session.client(
            "dynamodb",
            endpoint_url=self.endpoint_url,
            config=Config(
                retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=10
            ),
        )


def database_clients(environment: Mapping[str, str]) -> tuple[Any, Any]:
    """A DynamoDB client and a DynamoDB Streams client for the database `environment` reaches (the
    variables a function process gets: the endpoint, credentials, a region)."""
    session = boto3.session.Session(
        aws_access_key_id=environment.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=environment.get("AWS_SECRET_ACCESS_KEY"),
        aws_session_token=environment.get("AWS_SESSION_TOKEN"),
        region_name=environment.get("AWS_REGION") or environment.get("AWS_DEFAULT_REGION"),
    )
    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=10)
    endpoint = environment.get(ENDPOINT_VARIABLE) or None
    # DynamoDB Local and moto serve the Streams API on the database's own endpoint; AWS has a
    # separate one, which boto3 finds (or AWS_ENDPOINT_URL_DYNAMODBSTREAMS names).
    streams_endpoint = endpoint if endpoint is not None and _is_loopback(endpoint) else None
    return (
        session.client("dynamodb", endpoint_url=endpoint, config=config),
        session.client("dynamodbstreams", endpoint_url=streams_endpoint, config=config),
    )


def engine_environment(endpoint_url: str) -> dict[str, str]:
    """What a function needs to reach an engine on this machine: the endpoint, any credentials, a region."""
    return {
        ENDPOINT_VARIABLE: endpoint_url,
        # DynamoDB Local and moto accept any credentials; fixed dummy ones keep real keys and
        # profiles from the developer's environment out of local runs.
        "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_ACCESS_KEY,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
    }


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def named_database(environ: Mapping[str, str]) -> LocalDatabase | None:
    """The endpoint the developer named with AWS_ENDPOINT_URL_DYNAMODB, if any."""
    url = environ.get(ENDPOINT_VARIABLE)
    if not url:
        return None
    environment: dict[str, str] = {}
    if _is_loopback(url):
        # An engine of their own on this machine: supply what they may not have set.
        if not environ.get("AWS_ACCESS_KEY_ID"):
            environment.update(
                {"AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_ACCESS_KEY}
            )
        if not (environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")):
            environment.update({"AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION})
    return LocalDatabase(url, f"{url} (from {ENDPOINT_VARIABLE})", environment)


@contextlib.contextmanager
def local_database(
    *,
    environ: Mapping[str, str],
    data_dir: Path | None = DYNAMODB_DATA_DIR,
    port: int | None = None,
    project_root: Path = PROJECT_ROOT,
    warn: Callable[[str], None] = print,
) -> Iterator[LocalDatabase]:
    """The database for a local run, started if needed and stopped on exit. ``data_dir=None``: in memory."""
    named = named_database(environ)
    if named is not None:
        yield named
        return
    if java_executable() is not None:
        # DynamoDBLocalError (the npm package missing, the port taken…) is for the caller to
        # report: only a missing Java falls back to moto.
        with DynamoDBLocal(port=port, db_path=data_dir, project_root=project_root) as engine:
            storage = "in memory" if data_dir is None else f"data in {_relative(data_dir)}"
            yield LocalDatabase(
                engine.endpoint_url,
                f"DynamoDB Local at {engine.endpoint_url} ({storage})",
                engine_environment(engine.endpoint_url),
            )
        return
    warn(
        "WARNING: Java is not installed, so DynamoDB Local cannot run: falling back to moto's server, "
        "an in-memory imitation of DynamoDB whose data is lost when this stops and which may differ "
        "from DynamoDB in details. Install a Java 17+ runtime (Debian/Ubuntu: "
        "`apt-get install openjdk-17-jre-headless`) for the real local engine."
    )
    with moto_server(port) as url:
        yield LocalDatabase(url, f"moto's server at {url} (in memory)", engine_environment(url))


def create_missing_tables(
    client: Any, template: Template, table_names: Mapping[str, str] | None = None
) -> list[str]:
    """Create every table of the template that is missing (named by logical id unless renamed)."""
    renamed = dict(table_names or {})
    existing: set[str] = set()
    for page in client.get_paginator("list_tables").paginate():
        existing.update(page.get("TableNames", []))
    created = []
    for logical_id, properties in template.tables().items():
        name = renamed.get(logical_id, logical_id)
        if name in existing:
            continue
        client.create_table(**create_table_request(logical_id, properties, name))
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        created.append(name)
    return created


def _relative(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(Path.cwd()))
    return str(path)


# -- the running dev server's record ---------------------------------------------------------


def write_dev_state(url: str, database: LocalDatabase, state_file: Path = DEV_STATE_FILE) -> None:
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "pid": os.getpid(),
        "url": url,
        "endpoint_url": database.endpoint_url,
        "description": database.description,
        "environment": database.environment,  # dummy credentials only, never a secret
    }
    state_file.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")


def remove_dev_state(state_file: Path = DEV_STATE_FILE) -> None:
    with contextlib.suppress(FileNotFoundError, json.JSONDecodeError, OSError):
        if json.loads(state_file.read_text(encoding="utf-8")).get("pid") == os.getpid():
            state_file.unlink()


def running_dev_server(state_file: Path = DEV_STATE_FILE) -> dict[str, Any] | None:
    """The record of a `make dev` that is still running, or None."""
    try:
        state: dict[str, Any] = json.loads(state_file.read_text(encoding="utf-8"))
        os.kill(int(state["pid"]), 0)
    except (FileNotFoundError, json.JSONDecodeError, KeyError, ValueError, ProcessLookupError, OSError):
        return None
    return state


def dev_server_database(state: Mapping[str, Any]) -> LocalDatabase:
    return LocalDatabase(
        state.get("endpoint_url"),
        f"{state.get('description')} (of the running `make dev`)",
        {str(name): str(value) for name, value in dict(state.get("environment") or {}).items()},
    )


def wipe_dev_data(data_dir: Path = DYNAMODB_DATA_DIR) -> bool:
    """Remove the local database's files; False when there were none."""
    if not data_dir.exists():
        return False
    shutil.rmtree(data_dir)
    return True
