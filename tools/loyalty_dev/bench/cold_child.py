"""A cold start, in the fresh process this is: import a handler's module and make its services ready
(settings, DynamoDB client), or, as the baseline, import boto3 and make a DynamoDB client. Prints
wall seconds, CPU seconds and peak RSS KB.

    python -m loyalty_dev.bench.cold_child [--blocked a,b] (--boto3 | [--import-only | --restored] MODULE)

--restored: what a SnapStart restore costs instead. The module is imported and the before-snapshot
hooks run untimed (that is the snapshot); then the after-restore hooks and readiness are timed.
"""

from __future__ import annotations

import importlib
import sys
import time

from loyalty_dev.bench.isolation import arguments, peak_kb


def main() -> None:
    rest = arguments(sys.argv[1:])
    if rest[:1] == ["--restored"]:
        restored(rest[1])
        return
    started, cpu_started = time.perf_counter(), time.process_time()
    if rest == ["--boto3"]:
        import boto3

        boto3.client("dynamodb")
    elif rest[:1] == ["--import-only"]:
        importlib.import_module(rest[1])
    else:
        importlib.import_module(rest[0])
        from loyalty.runtime import runtime

        services = runtime()
        _ = services.settings, services.repository
    print(time.perf_counter() - started, time.process_time() - cpu_started, peak_kb())


def restored(module: str) -> None:
    importlib.import_module(module)
    from loyalty import snapstart
    from loyalty.runtime import runtime

    snapstart.run_before_snapshot_hooks()
    started, cpu_started = time.perf_counter(), time.process_time()
    snapstart.run_after_restore_hooks()
    services = runtime()
    _ = services.settings, services.repository
    print(time.perf_counter() - started, time.process_time() - cpu_started, peak_kb())


if __name__ == "__main__":
    main()
