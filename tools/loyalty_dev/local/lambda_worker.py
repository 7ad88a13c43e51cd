"""One local Lambda execution environment: imports a handler once, then runs one event at a time.

Started by `workers.Worker` as ``python -m loyalty_dev.local.lambda_worker MODULE ATTRIBUTE`` with
the function's environment (its task root on PYTHONPATH, as Lambda puts it on ``sys.path``). It
reads one JSON request per line on stdin and answers one JSON line on the protocol channel, which
is the original stdout; whatever the handler prints or logs goes to stderr, the developer's console.
It ends at end of input, which is also what happens when its parent dies.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import time
import traceback
from typing import IO, Any

from loyalty_dev.local.apigw import LambdaContext


def _send(channel: IO[str], message: dict[str, Any]) -> None:
    channel.write(json.dumps(message, separators=(",", ":")) + "\n")
    channel.flush()


def _invoke(handler: Any, request: dict[str, Any]) -> dict[str, Any]:
    context = LambdaContext(
        function_name=os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local"),
        memory_limit_in_mb=int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")),
        aws_request_id=str(request.get("request_id", "")),
    )
    try:
        result = handler(request["event"], context)
        # Lambda serialises the result as JSON; what it cannot serialise is an error there too.
        json.dumps(result)
    except Exception as error:
        traceback.print_exc()
        return {"kind": "error", "error": f"{type(error).__name__}: {error}"}
    return {"kind": "result", "result": result}


def main(argv: list[str] | None = None) -> int:
    module_name, attribute = (argv if argv is not None else sys.argv[1:])[:2]
    # Ctrl-C in the terminal reaches every process of the foreground group; the server that
    # started this worker decides when it ends (by closing its input).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    started = time.perf_counter()
    try:
        handler = getattr(importlib.import_module(module_name), attribute)
    except BaseException as error:
        traceback.print_exc()
        _send(channel, {"kind": "init_error", "error": f"{type(error).__name__}: {error}"})
        return 1
    _send(channel, {"kind": "ready", "init_ms": round((time.perf_counter() - started) * 1000, 1)})

    for line in sys.stdin:
        if line.strip():
            _send(channel, _invoke(handler, json.loads(line)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
