"""The processes behind DynamoDB Local: the ``sh`` watchdog that ends java's process group when
Python goes, the port check made the way Jetty binds, and who holds a listening socket."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
from pathlib import Path

# The watchdog's script: see the comment at its top.
WATCHDOG = Path(__file__).with_name("dynamodb_local_watchdog.sh")


def bind_check(port: int) -> int:
    """Bind (and release) ``port`` the way DynamoDB Local will, on all interfaces.

    Port 0 asks the kernel for a free one. Returns the port; raises OSError if it is taken.
    """
    family = socket.AF_INET6 if socket.has_ipv6 else socket.AF_INET
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError:  # IPv6 compiled in but disabled on this host
        family = socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
    with sock:
        # Jetty sets SO_REUSEADDR too, so a port left in TIME_WAIT counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            sock.bind(("::", port))
        else:
            sock.bind(("0.0.0.0", port))
        bound: int = sock.getsockname()[1]
        return bound


def owns_listener(pid: int, port: int) -> bool | None:
    """Whether process ``pid`` holds a socket listening on TCP ``port``; None where there is no
    /proc to tell (macOS)."""
    listening: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()  # sl local_address rem_address st ... uid timeout inode
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                    listening.add(fields[9])
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return None
    for fd in fds:
        with contextlib.suppress(OSError):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:[") and target[len("socket:[") : -1] in listening:
                return True
    return False


def signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
