"""One process that loads every handler and serves a list of events, as one long-lived container
would; writes its memory before and after to a JSON file.

    python -m tests.benchmarks.serve_child [--blocked a,b] EVENTS_JSON RESULT_JSON MODULE...
"""

from __future__ import annotations

import importlib
import json
import sys
import types
from typing import Any

from tests.benchmarks.isolation import arguments, peak_kb


def context(number: int, module: str) -> Any:
    return types.SimpleNamespace(
        function_name=module,
        function_version="$LATEST",
        memory_limit_in_mb=128,
        aws_request_id=f"req-{number}",
        log_group_name="/aws/lambda/bench",
        log_stream_name="bench",
        invoked_function_arn="arn:aws:lambda:us-east-1:000000000000:function:bench",
        get_remaining_time_in_millis=lambda: 10_000,
    )


def main() -> None:
    events_path, result_path, *names = arguments(sys.argv[1:])
    modules = {name: importlib.import_module(name) for name in names}
    from loyalty.runtime import runtime

    _ = runtime().repository
    loaded = peak_kb()
    with open(events_path, encoding="utf-8") as stream:
        events = json.load(stream)
    statuses: dict[str, int] = {}
    for number, (module, event) in enumerate(events):
        answer = modules[module].lambda_handler(event, context(number, module))
        statuses[str(answer["statusCode"])] = statuses.get(str(answer["statusCode"]), 0) + 1
    with open(result_path, "w", encoding="utf-8") as stream:
        json.dump({"loaded_kb": loaded, "peak_kb": peak_kb(), "statuses": statuses}, stream)


if __name__ == "__main__":
    main()
