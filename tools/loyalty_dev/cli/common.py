"""What every `loyalty` command shares: the argparse types, paths as the developer typed them, and
the one way to find the local server a command talks to."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loyalty_dev.engines import database
from loyalty_dev.local.server import DEFAULT_PORT

Subparsers = Any  # argparse's _SubParsersAction, which typeshed keeps private
Run = Callable[[argparse.Namespace], int]


def default_port() -> int:
    raw = os.environ.get("PORT", "")
    return int(raw) if raw.isdigit() else DEFAULT_PORT


def server_url(given: str | None = None) -> str:
    """The local server a command is for: `given` (its --url), else the running `make dev`'s (its
    state file names the port it bound, whatever PORT it was started with), else $LOYALTY_URL,
    else http://127.0.0.1:$PORT (3000). Every command that talks to the server asks here."""
    if given:
        return given
    state = database.running_dev_server()
    if state and state.get("url"):
        return str(state["url"])
    return os.environ.get("LOYALTY_URL") or f"http://127.0.0.1:{default_port()}"


def relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
