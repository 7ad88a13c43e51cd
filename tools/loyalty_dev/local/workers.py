"""The local Lambda execution environments: a worker process per concurrent invocation of a
function (``lambda_worker``), started with that function's environment, importing its handler once
(its cold start) and running one event at a time; a pool per function, retiring a worker whose code
changed since it started."""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from loyalty_dev.template import Function

log = logging.getLogger("loyalty.dev")

DEFAULT_WORKERS_PER_FUNCTION = 2
INIT_TIMEOUT_SECONDS = 60.0  # a cold start on a busy laptop; Lambda allows 10 s, but we are not Lambda
CODE_CHECK_INTERVAL_SECONDS = 1.0


class InvocationFailed(Exception):
    """The function could not answer: it raised, timed out, crashed, or failed to load."""


# -- workers -------------------------------------------------------------------------------


class Worker:
    """One execution environment of one function: a `lambda_worker` process, one event at a time."""

    def __init__(self, function: Function, environment: Mapping[str, str], timeout: float) -> None:
        self.function = function
        self.timeout = timeout
        self.started_at = time.time()
        module, _, attribute = function.handler.rpartition(".")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "loyalty_dev.local.lambda_worker", module, attribute],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=dict(environment),
            cwd=function.code_uri,
        )
        self._lock = threading.Lock()
        self.init_ms: float | None = None

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def wait_ready(self) -> float:
        """Wait for the handler to be imported; returns the cold start in milliseconds."""
        message = self._receive(INIT_TIMEOUT_SECONDS)
        if message.get("kind") != "ready":
            self.stop()
            raise InvocationFailed(
                f"{self.function.name} failed to load its handler {self.function.handler}: "
                f"{message.get('error', 'no answer')}"
            )
        self.init_ms = float(message["init_ms"])
        return self.init_ms

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        """Run one event; the Lambda result (a dict for a proxy integration), or InvocationFailed."""
        if not self._lock.acquire(blocking=False):  # pragma: no cover - the pool never lends a busy worker
            raise RuntimeError("a worker runs one event at a time")
        try:
            # An API Gateway event carries its request id; Lambda makes one for any other event.
            request_id = (event.get("requestContext") or {}).get("requestId") or str(uuid.uuid4())
            request = {"request_id": request_id, "event": event}
            self._write(json.dumps(request, separators=(",", ":")) + "\n")
            message = self._receive(self.timeout)
        finally:
            self._lock.release()
        if message.get("kind") == "result":
            result: dict[str, Any] = message["result"]
            return result
        raise InvocationFailed(f"{self.function.name} raised {message.get('error')}")

    def _write(self, line: str) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(line.encode())
            stdin.flush()
        except (BrokenPipeError, ValueError):
            raise InvocationFailed(f"{self.function.name}'s worker has exited") from None

    def _receive(self, timeout: float) -> dict[str, Any]:
        stdout: IO[bytes] | None = self._process.stdout
        assert stdout is not None
        # The worker answers one line per request. A worker that overruns its time is killed,
        # which ends the read, as Lambda ends an execution environment that times out.
        timed_out = threading.Event()

        def expire() -> None:
            timed_out.set()
            self._process.kill()

        timer = threading.Timer(timeout, expire)
        timer.daemon = True
        timer.start()
        try:
            line = stdout.readline()
        finally:
            timer.cancel()
        if timed_out.is_set():
            self.stop()
            raise InvocationFailed(f"{self.function.name} timed out after {timeout:g} s")
        if not line:
            code = self._process.wait()
            raise InvocationFailed(f"{self.function.name}'s worker exited with code {code}")
        message: dict[str, Any] = json.loads(line)
        return message

    def stop(self, grace: float = 3.0) -> None:
        """End the worker: close its input (it exits at end of input), then kill it if it lingers."""
        with contextlib.suppress(OSError, ValueError):
            if self._process.stdin is not None:
                self._process.stdin.close()
        try:
            self._process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        with contextlib.suppress(OSError, ValueError):
            if self._process.stdout is not None:
                self._process.stdout.close()


def _newest_change(folders: Iterable[Path]) -> float:
    newest = 0.0
    for folder in folders:
        for path in folder.rglob("*.py"):
            with contextlib.suppress(OSError):
                newest = max(newest, path.stat().st_mtime)
    return newest


class FunctionPool:
    """The execution environments of one function: each event borrows one worker for itself."""

    def __init__(
        self,
        function: Function,
        environment: Mapping[str, str],
        *,
        timeout: float,
        max_workers: int = DEFAULT_WORKERS_PER_FUNCTION,
        code_folders: Iterable[Path] = (),
    ) -> None:
        if max_workers < 1:
            raise ValueError("a function needs at least one worker")
        self.function = function
        self.environment = dict(environment)
        self.timeout = timeout
        self.max_workers = max_workers
        self._code_folders = [function.code_uri, *code_folders]
        self._code_stamp = _newest_change(self._code_folders)
        self._code_checked = time.monotonic()
        self._idle: list[Worker] = []
        self._count = 0  # workers alive or starting, idle or busy
        self._closed = False
        self._condition = threading.Condition()

    def start_worker(self) -> Worker:
        worker = Worker(self.function, self.environment, self.timeout)
        try:
            init_ms = worker.wait_ready()
        except BaseException:
            worker.stop()
            raise
        log.info(
            "%s: new execution environment (pid %d, cold start %.0f ms)",
            self.function.name,
            worker.pid,
            init_ms,
        )
        return worker

    def prewarm(self) -> None:
        """Start one worker now, so that the first request does not pay for the cold start."""
        with self._condition:
            if self._count >= self.max_workers or self._closed:
                return
            self._count += 1
        self._release(self._spawn())

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        worker = self._acquire()
        healthy = False
        try:
            result = worker.invoke(event)
            healthy = True
            return result
        finally:
            self._release(worker if healthy or worker.alive else None)

    def _spawn(self) -> Worker:
        try:
            return self.start_worker()
        except BaseException:
            with self._condition:
                self._count -= 1
                self._condition.notify()
            raise

    def _acquire(self) -> Worker:
        self._retire_stale_code()
        with self._condition:
            while True:
                if self._closed:
                    raise InvocationFailed("the server is shutting down")
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive:
                        return worker
                    self._count -= 1  # it died while idle (killed from outside, out of memory…)
                if self._count < self.max_workers:
                    self._count += 1
                    break
                self._condition.wait()
        return self._spawn()

    def _release(self, worker: Worker | None) -> None:
        """Give a worker back (None: it is gone). Retired on shutdown or when the code changed."""
        stale = False
        with self._condition:
            if worker is not None and not self._closed and worker.started_at >= self._code_stamp:
                self._idle.append(worker)
            else:
                stale = worker is not None
                self._count -= 1
            self._condition.notify()
        if stale and worker is not None:
            worker.stop()

    def _retire_stale_code(self) -> None:
        now = time.monotonic()
        if now - self._code_checked < CODE_CHECK_INTERVAL_SECONDS:
            return
        self._code_checked = now
        stamp = _newest_change(self._code_folders)
        if stamp <= self._code_stamp:
            return
        with self._condition:
            self._code_stamp = stamp
            retired, self._idle = self._idle, []
            self._count -= len(retired)
        if retired:
            log.info("%s: code changed, new execution environments from now on", self.function.name)
        for worker in retired:
            worker.stop()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            idle, self._idle = self._idle, []
            self._count -= len(idle)
            self._condition.notify_all()
        for worker in idle:
            worker.stop()


# -- HTTP ------------------------------------------------------------------------------------
