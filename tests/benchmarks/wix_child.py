"""The Wix verification, in the fresh process this is. Prints one JSON line.

python -m tests.benchmarks.wix_child [--blocked a,b] --cold MODULE
    import the handler's module and make its services ready, as a cold start does; report the
    wall and CPU time, and whether cryptography got imported (it must not, without a Wix webhook)
python -m tests.benchmarks.wix_child [--blocked a,b] --first-verification MODULE TOKEN_FILE
    the same, untimed; then time the first Wix verification (PyJWT and cryptography imported on
    first use, the key parsed, the signature checked), and a second one (all of it warm: the floor)
python -m tests.benchmarks.wix_child [--blocked a,b] --import-jwt
    time `import jwt` alone (with cryptography blocked or not: what it adds to PyJWT's import)
"""

from __future__ import annotations

import importlib
import json
import sys
import time

from tests.benchmarks.isolation import arguments


def _ready(module: str) -> None:
    importlib.import_module(module)
    from loyalty.runtime import runtime

    services = runtime()
    _ = services.settings, services.repository


def main() -> None:
    rest = arguments(sys.argv[1:])
    if rest == ["--import-jwt"]:
        started = time.perf_counter()
        import jwt  # noqa: F401

        print(json.dumps({"wall": time.perf_counter() - started}))
        return
    if rest[:1] == ["--cold"]:
        started, cpu_started = time.perf_counter(), time.process_time()
        _ready(rest[1])
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        print(json.dumps({"wall": wall, "cpu": cpu, "cryptography": "cryptography" in sys.modules}))
        return
    _, module, token_file = rest
    _ready(module)
    with open(token_file, encoding="utf-8") as stream:
        given = json.load(stream)
    token, key = given["token"].encode(), given["public_key"].encode()
    from loyalty.http.platforms.wix import verify_webhook

    timings = []
    for _ in range(2):
        started, cpu_started = time.perf_counter(), time.process_time()
        verify_webhook(token, key)
        timings.append((time.perf_counter() - started, time.process_time() - cpu_started))
    (first_wall, first_cpu), (warm_wall, _) = timings
    print(json.dumps({"wall": first_wall, "cpu": first_cpu, "warm": warm_wall}))


if __name__ == "__main__":
    main()
