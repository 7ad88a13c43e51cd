"""moto's server: an in-memory imitation of DynamoDB (and its Streams API) on a loopback port, for
where DynamoDB Local cannot run (no Java) and for the benchmark's memory figure."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator


@contextlib.contextmanager
def moto_server(port: int | None = None) -> Iterator[str]:
    """moto's server in a thread of this process, on 127.0.0.1; yields its endpoint URL. (A process
    measured for memory stays lean: moto's objects live in the caller, not in the functions' process.)"""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port or 0, verbose=False)
    server.start()
    try:
        host, bound = server.get_host_and_port()
        yield f"http://{host}:{bound}"
    finally:
        server.stop()
