"""`make dev` and `loyalty invoke`: the service on this machine, from template.yaml, without containers."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from loyalty.config import MIN_SECRET_BYTES
from loyalty_dev.engines.database import (
    DYNAMODB_DATA_DIR,
    LocalDatabase,
    create_missing_tables,
    dev_server_database,
    local_database,
    named_database,
    remove_dev_state,
    running_dev_server,
    write_dev_state,
)
from loyalty_dev.engines.dynamodb_local import DynamoDBLocalError
from loyalty_dev.local.authorizers import cognito_authorizers
from loyalty_dev.local.demo_store import DemoSeedFailed, seed_demo_store
from loyalty_dev.local.environment import (
    CUSTOMER_TOKEN_SECRET_VARIABLE,
    DEFAULT_TIMEOUT_SECONDS,
    WEBHOOK_SECRET_VARIABLE,
    LocalSecrets,
    function_environment,
    function_property,
    local_secrets,
    secret_names,
)
from loyalty_dev.local.event_log import EVENTS_LOG
from loyalty_dev.local.issuer import JWKS_SUFFIX, issuer_url
from loyalty_dev.local.queues import queue_sources
from loyalty_dev.local.server import DEFAULT_HOST, DEFAULT_PORT, LocalServer, PortInUse, bind
from loyalty_dev.local.storefront import DEMO_PREFIX, PANEL_PREFIX, demo_origin
from loyalty_dev.local.workers import DEFAULT_WORKERS_PER_FUNCTION, InvocationFailed, Worker
from loyalty_dev.sample_events import renew_credentials
from loyalty_dev.template import Template, load_template

log = logging.getLogger("loyalty.dev")
ALLOW_LOCAL_WEBHOOKS = "LOYALTY_ALLOW_LOCAL_WEBHOOKS"


class DevError(Exception):
    """A problem the developer can fix, said in one message (no traceback)."""


@dataclass(frozen=True)
class DevOptions:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    data_dir: Path | None = DYNAMODB_DATA_DIR  # None: in memory
    dynamodb_port: int | None = None
    workers_per_function: int = DEFAULT_WORKERS_PER_FUNCTION
    prewarm: bool = True


def check_secrets(secrets: LocalSecrets) -> None:
    """Refuse at start what every function would refuse at its first request."""
    for name, value, _ in secrets.entries():
        if len(value.encode()) < MIN_SECRET_BYTES:
            raise DevError(f"{name} must be at least {MIN_SECRET_BYTES} bytes (RFC 7518 for HS256)")
    if secrets.webhook == secrets.customer_token:
        raise DevError(f"{WEBHOOK_SECRET_VARIABLE} and {CUSTOMER_TOKEN_SECRET_VARIABLE} must differ")


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _say(message: str = "") -> None:
    print(message, flush=True)


def _banner(server: LocalServer, database: LocalDatabase, created: list[str], secrets: LocalSecrets) -> None:
    tables = ", ".join(server.template.tables())
    _say(f"Loyalty service on {server.url}  (template.yaml, stage '{server.app.stage}', no containers)")
    _say(f"  database  {database.description}")
    _say(f"  tables    {tables}" + (f" (created: {', '.join(created)})" if created else " (already there)"))
    _say("  secrets")
    for line in secrets.describe():
        _say(f"  {line}")
    _say("  routes")
    for route in server.template.routes():
        _say(f"    {route.method:<6} {server.url}{route.path}  ->  {route.function}")
    if server.stream_sources:
        _say("  streams   (polled about once a second, as Lambda's event source mappings)")
        for source in server.stream_sources:
            _say(f"    {source.describe()}")
    if server.pools and queue_sources(server.template):
        _say("  queues    (moto's SQS and S3 on a loopback port; failed messages retried after 5 s)")
        for queue in queue_sources(server.template):
            _say(f"    {queue.describe()}")
    if server.schedule_sources:
        _say("  schedules (UTC; run one now: .venv/bin/loyalty run-schedule FUNCTION [--time …])")
        for schedule in server.schedule_sources:
            _say(f"    {schedule.describe()}")
    if server.guard.gate is not None:
        for authorizer in cognito_authorizers(server.template):
            keys = issuer_url(server.url, authorizer.user_pool) + JWKS_SUFFIX
            _say(f"  /admin    needs a merchant token ({authorizer.name}, Cognito; local keys {keys})")
    _say("  events    .venv/bin/loyalty tail   (what the event bus publishes, as it comes)")
    _say("  try       .venv/bin/loyalty send order-created   |   .venv/bin/loyalty token acme c-42")
    _say("            .venv/bin/loyalty admin-token acme   (a merchant of acme; --operator for every store)")


def serve(options: DevOptions, environ: Mapping[str, str] | None = None) -> int:
    """Bind the port, start the database, create the tables, serve until Ctrl-C; stop all of it."""
    env = dict(os.environ if environ is None else environ)
    # Webhook endpoints on this machine (http://127.0.0.1…): a developer's own receiver. Never set
    # by the template: deployed, an endpoint is https:// to a public address only.
    env.setdefault(ALLOW_LOCAL_WEBHOOKS, "true")
    template = load_template()
    secrets = local_secrets(env, secret_names(template))
    check_secrets(secrets)
    # Ctrl-C (SIGINT) and `kill` (SIGTERM) both stop everything in order, even when SIGINT was
    # ignored by whoever started us (a shell without job control does that for `&` jobs).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        # The port first: a second `make dev` must fail before it starts anything. It listens only
        # once the database, the tables and the workers are ready, and the state file names it.
        sock = bind(options.host, options.port)
    except PortInUse as error:
        state = running_dev_server()
        hint = f" (by `make dev`, pid {state['pid']})" if state else ""
        raise DevError(
            f"{error.strerror}{hint}. Stop that server, or use another port: PORT={options.port + 1} make dev"
        ) from None
    server: LocalServer | None = None
    try:
        with local_database(
            environ=env, data_dir=options.data_dir, port=options.dynamodb_port, warn=_warn
        ) as database:
            created = create_missing_tables(database.client(env), template)
            server = LocalServer(
                template,
                database=database.environment,
                secrets=secrets,
                environ=env,
                host=options.host,
                port=options.port,
                workers_per_function=options.workers_per_function,
                sock=sock,
                events_log=EVENTS_LOG,
            )
            try:
                _banner(server, database, created, secrets)
                if options.prewarm:
                    server.prewarm()
                _demo_store(server, secrets)
                write_dev_state(server.url, database)
                server.listen()
                _say("Ready. Press Ctrl-C to stop.")
                server.serve_forever()  # returns on Ctrl-C (werkzeug catches KeyboardInterrupt)
            finally:
                # The workers before the database they talk to.
                remove_dev_state()
                server.close()
    except KeyboardInterrupt:
        pass
    except DynamoDBLocalError as error:
        raise DevError(f"DynamoDB Local could not start: {error}") from None
    finally:
        if server is None:
            sock.close()
    _say("Stopped: the server, its stream consumers, its workers and the database it started.")
    return 0


def _demo_store(server: LocalServer, secrets: LocalSecrets) -> None:
    """Seed the demo store (idempotent) and say where it is; a failure is said, not fatal."""
    try:
        seed_demo_store(dict(server.pools), secrets.webhook.encode(), server.port)
    except (DemoSeedFailed, InvocationFailed) as error:
        _warn(f"the demo store could not be seeded: {error}")
        return
    _say(f"  panel     {server.url}{PANEL_PREFIX}/loyalty-panel.js  (the storefront panel's script)")
    demo = f"{demo_origin(server.port)}{DEMO_PREFIX}/"
    _say(f"  demo      {demo}  (a storefront on another origin, showing the panel to a demo member)")


def _warn(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def invocation_database(environ: Mapping[str, str], template: Template) -> Iterator[LocalDatabase]:
    """The database an invocation uses: the named one, else the running `make dev`'s, else one started now."""
    named = named_database(environ)
    if named is not None:
        yield named
        return
    state = running_dev_server()
    if state is not None:
        yield dev_server_database(state)
        return
    _warn("(no `make dev` running: starting the local database for this invocation)")
    try:
        with local_database(environ=environ, warn=_warn) as database:
            yield database
    except DynamoDBLocalError as error:
        raise DevError(f"DynamoDB Local could not start: {error}") from None


def invoke(
    function_name: str, event: dict[str, Any], *, renew: bool = True, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Run one function on one event in a fresh execution environment, as `sam local invoke` does."""
    env = dict(os.environ if environ is None else environ)
    template = load_template()
    functions = template.functions()
    if function_name not in functions:
        raise DevError(f"no function {function_name!r} in template.yaml; there are: {', '.join(functions)}")
    secrets = local_secrets(env, secret_names(template))
    check_secrets(secrets)
    if renew:
        event = renew_credentials(event, secrets, time.time())
    function = functions[function_name]
    with invocation_database(env, template) as database:
        create_missing_tables(database.client(env), template)
        worker = Worker(
            function,
            function_environment(
                template, function, environ=env, secrets=secrets, database=database.environment
            ),
            float(function_property(template, function_name, "Timeout", DEFAULT_TIMEOUT_SECONDS)),
        )
        try:
            init_ms = worker.wait_ready()
            _warn(f"{function_name}: cold start {init_ms:.0f} ms, database {database.description}")
            return worker.invoke(event)
        except InvocationFailed as failure:
            raise DevError(str(failure)) from None
        finally:
            worker.stop()


def read_event(path: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        event = json.loads(text)
    except OSError as error:
        raise DevError(f"cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise DevError(f"{path} is not JSON: {error}") from None
    if not isinstance(event, dict):
        raise DevError(f"{path} must hold a JSON object (an API Gateway event)")
    return event
