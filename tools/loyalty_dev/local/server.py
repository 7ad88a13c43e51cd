"""Serves every API route of template.yaml over HTTP without containers, as `sam local start-api` does.

The shape of it, and why:

* The template is the only wiring. Each request is matched against the template's routes, turned
  into the API Gateway REST proxy event a deployed stage would send, and handed to that route's
  function; the Lambda proxy result is turned back into an HTTP response.
* Each function runs in worker processes of its own (``lambda_worker``), started with the
  environment the template gives that function: os.environ is process-wide, and two functions may
  be given different values. A worker is what Lambda calls an execution environment: it imports
  the handler once (its cold start) and runs one event at a time. That matters beyond fidelity:
  Powertools' resolvers keep the current event in class attributes, so two events running through
  one loaded handler at once would read each other's bodies. A pool per function lends each event
  a worker of its own, starting more (up to a limit) when requests overlap, as Lambda scales out.
* Changed code is picked up without a restart: a worker whose function or layer files changed
  after it started is retired and the next event gets a fresh one.
* The HTTP side is werkzeug's threaded development server.
* A route behind an authorizer of the template is guarded as API Gateway guards it (``authorizers``):
  a Cognito user pools authorizer verifies the bearer token against the local issuer's keys
  (``issuer``; its JWKS is served at ``/local-cognito/<pool>/.well-known/jwks.json``) and
  hands the function the claims; no valid token, and the template's UNAUTHORIZED gateway response
  answers before the function runs.
* A function with a `Type: DynamoDB` event on a table's stream is run by a `StreamConsumer`
  (``streams``): a thread that polls the stream as Lambda's event source mapping does and hands
  the function its batches through the same workers, one event at a time.
* A function with a `Type: Schedule` event is fired on its schedule by a `ScheduleRunner`
  (``schedules``) through the same workers, with the event EventBridge would send.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from loyalty_dev.engines.database import database_clients
from loyalty_dev.local.authorizers import RouteGuard, cognito_authorizers
from loyalty_dev.local.environment import (
    DEFAULT_TIMEOUT_SECONDS,
    LocalSecrets,
    function_environment,
    function_property,
    layer_folders,
)
from loyalty_dev.local.gateway import LocalApi
from loyalty_dev.local.issuer import LocalIssuer
from loyalty_dev.local.queues import LocalQueues, QueueConsumer
from loyalty_dev.local.schedules import ScheduleRunner, ScheduleSource, schedule_sources
from loyalty_dev.local.storefront import StorefrontFiles
from loyalty_dev.local.stream_consumer import StreamConsumer, StreamSource, stream_sources
from loyalty_dev.local.streams import StreamPump
from loyalty_dev.local.workers import DEFAULT_WORKERS_PER_FUNCTION, FunctionPool, InvocationFailed
from loyalty_dev.template import Template

log = logging.getLogger("loyalty.dev")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000


class PortInUse(OSError):
    """The HTTP port is taken, most likely by another `make dev`."""


class _QuietRequestHandler(WSGIRequestHandler):
    """werkzeug's handler without its own access log (LocalApi logs one richer line per request),
    and with JSON bodies for the errors the HTTP layer answers itself (a request line too long,
    a malformed request), as API Gateway answers those in JSON too."""

    error_content_type = "application/json"
    error_message_format = '{"error": "bad_request", "message": "%(code)d %(message)s"}'

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def bind(host: str, port: int) -> socket.socket:
    """Take host:port now, so a busy port is found before anything else is started; listening
    waits until everything the server serves is ready (`LocalServer` listens as it starts serving),
    so no client meets a server still starting (or a token names another server's issuer)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise PortInUse(error.errno, f"port {port} on {host} is already in use") from None
        raise
    return sock


class LocalServer:
    """The template's API on host:port: one pool of workers per function behind a threaded HTTP server,
    and one stream consumer per `Type: DynamoDB` event on a table's stream (unless ``streams=False``).

    ``bind()`` claims the port, ``start()`` readies the functions and serves in a background
    thread (tests), ``serve_forever()`` serves in the calling thread (the CLI); both start the
    stream consumers. ``close()`` stops the consumers, the server and every worker. It is also a
    context manager (bind, start, close).
    """

    def __init__(
        self,
        template: Template,
        *,
        database: Mapping[str, str],
        secrets: LocalSecrets,
        environ: Mapping[str, str],
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        workers_per_function: int = DEFAULT_WORKERS_PER_FUNCTION,
        table_names: Mapping[str, str] | None = None,
        request_log: Callable[[str], None] | None = None,
        sock: socket.socket | None = None,
        events_log: Path | None = None,
        streams: bool = True,
        issuer: LocalIssuer | None = None,
        schedules: bool = True,
    ) -> None:
        """`sock`: a socket already listening (see `bind`), which the server then owns.
        `streams`: run the functions that consume the template's table streams.
        `issuer`: whose tokens the template's Cognito authorizers accept (default: the one of
        .dev-data/local-issuer/, made on first use, when some route needs it).
        `events_log`: the file the template's event buses' events are appended to (`loyalty tail`
        follows it; None: they are published to the local bus and go nowhere else)."""
        self.template = template
        self.host = host
        self.requested_port = port
        functions = template.functions()
        layers = layer_folders(template)
        self.stream_sources: list[StreamSource] = stream_sources(template) if streams else []
        consumers = {source.function for source in self.stream_sources if source.problem is None}
        self.schedule_sources: list[ScheduleSource] = schedule_sources(template) if schedules else []
        consumers |= {source.function for source in self.schedule_sources}
        self.queues = LocalQueues(
            template, events_log
        )  # the template's queues and buckets (moto), and their consumers
        consumers |= self.queues.functions
        self.pools = {
            name: FunctionPool(
                function,
                function_environment(
                    template,
                    function,
                    environ=environ,
                    secrets=secrets,
                    database={**database, **self.queues.environment},
                    table_names=table_names,
                ),
                timeout=float(function_property(template, name, "Timeout", DEFAULT_TIMEOUT_SECONDS)),
                max_workers=workers_per_function,
                code_folders=layers,
            )
            for name, function in functions.items()
            # Only what runs here: a function behind a route, on a table's stream, or on a schedule.
            if function.routes or name in consumers
        }
        stage = template.parameter_defaults().get("StageName") or "v1"
        self.request_log = request_log or log.info
        if issuer is None and cognito_authorizers(template):
            issuer = LocalIssuer()
        self.guard = RouteGuard.of(template, issuer, f"http://{host}:{port}")
        self.app = LocalApi(
            template.routes(),
            self.pools,
            stage,
            self.request_log,
            self.guard,
            root=template.root,
            storefront=StorefrontFiles(template.root, secrets.customer_token.encode()),
        )
        self._socket: socket.socket | None = sock
        if sock is not None:
            self.guard.set_base_url(self.url)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        # What the stream consumers need to reach the database, as the functions reach it.
        self._database_environment = {**environ, **database}
        if "AWS_ACCESS_KEY_ID" in database:
            self._database_environment.pop("AWS_SESSION_TOKEN", None)
        self._table_names = dict(table_names or {})
        self.consumers: list[StreamConsumer | QueueConsumer] = []
        self._streams_started = False
        self.schedules: list[ScheduleRunner] = []

    @property
    def port(self) -> int:
        if self._socket is None:
            raise RuntimeError("the server is not bound")
        return int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def bind(self) -> LocalServer:
        if self._socket is None:
            self._socket = bind(self.host, self.requested_port)
        self.guard.set_base_url(self.url)  # the local issuer's URL names the port actually bound
        return self

    def prewarm(self) -> None:
        """Start one worker per function, all at once (each is a cold start of its own)."""
        failures: list[BaseException] = []

        def warm(pool: FunctionPool) -> None:
            try:
                pool.prewarm()
            except InvocationFailed as failure:
                failures.append(failure)

        threads = [threading.Thread(target=warm, args=(pool,), daemon=True) for pool in self.pools.values()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for failure in failures:
            # Not fatal: that function answers 502 with the reason until its code is fixed.
            log.error("%s", failure)

    def _make_server(self) -> BaseWSGIServer:
        if self._server is None:
            self.bind()
            assert self._socket is not None
            self._socket.listen(128)
            self._server = make_server(
                self.host,
                self.port,
                self.app,
                threaded=True,
                request_handler=_QuietRequestHandler,
                fd=self._socket.fileno(),
            )
        return self._server

    def start_streams(self) -> list[StreamConsumer | QueueConsumer]:
        """Start one consumer per stream source (once); each polls its stream in a thread of its own.

        Each starts at the stream's TRIM_HORIZON (the template's StartingPosition), as a new event
        source mapping does: on a fresh database, everything. On a restart over kept data
        (.dev-data/), what the stream still holds (24 hours; DynamoDB Local trims it too) is
        delivered again. That is safe because Lambda delivers at least once anyway, so a consumer
        must be idempotent: TotalsFunction skips a change it counted before by its marker item per
        (customer, revision), which lives 7 days, well past the stream's 24 hours.
        """
        if self._streams_started:
            return self.consumers
        self._streams_started = True
        self.consumers += self.queues.start(self.pools)  # stopped and joined with the streams' ones
        runnable = [source for source in self.stream_sources if source.problem is None]
        for source in self.stream_sources:
            if source.problem is not None:
                log.error("%s does not run locally: %s", source.function, source.problem)
        if not runnable:
            return self.consumers
        dynamodb, streams = database_clients(self._database_environment)
        for source in runnable:
            pump = StreamPump(
                self._table_names.get(source.table, source.table),
                dynamodb,
                streams,
                starting_position=source.starting_position,
            )
            self.consumers.append(
                StreamConsumer(source, pump, self.pools[source.function].invoke, log_line=self.request_log)
            )
        for consumer in self.consumers:
            consumer.start()
        return self.consumers

    def start_schedules(self) -> list[ScheduleRunner]:
        """Start one runner per schedule that fires by itself locally (once)."""
        if not self.schedules:
            self.schedules = [
                ScheduleRunner(source, self.pools[source.function].invoke, log_line=self.request_log)
                for source in self.schedule_sources
                if source.problem is None
            ]
            for runner in self.schedules:
                runner.start()
        return self.schedules

    def listen(self) -> None:
        """Start the stream consumers and the schedules, then accept connections (once)."""
        self.start_streams()
        self.start_schedules()
        self._make_server()

    def serve_forever(self) -> None:
        self.listen()
        self._make_server().serve_forever(poll_interval=0.2)

    def start(self) -> LocalServer:
        self.start_streams()
        self.start_schedules()
        server = self._make_server()
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        # The consumers first: a batch under way is let finish while its worker and the database
        # are still there (its function's timeout bounds the wait).
        for runner in self.schedules:
            runner.stop()
        for runner in self.schedules:  # a firing under way ends within its function's timeout
            runner.join(timeout=self.pools[runner.source.function].timeout + 5)
        for consumer in self.consumers:
            consumer.stop()
        for consumer in self.consumers:
            consumer.join(timeout=self.pools[consumer.source.function].timeout + 5)
        self.queues.close()
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        if self._server is not None:
            self._server.server_close()
            self._server = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        for pool in self.pools.values():
            pool.close()

    def __enter__(self) -> LocalServer:
        self.bind()
        self.prewarm()
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()
