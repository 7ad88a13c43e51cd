"""SnapStart's runtime hooks, importable everywhere.

On Lambda (python3.12+) the runtime ships `snapshot_restore_py`, whose `register_before_snapshot`
and `register_after_restore` it calls when it snapshots a published version's initialised
environment and when it restores one. That library is not a dependency of the layer (the runtime
has it) nor installed on a developer's machine, so when it is absent the hooks are only kept here;
either way they are also kept here, so that tests and the local tooling can run them exactly as the
runtime would: before-snapshot hooks in reverse order of registration, after-restore hooks in order.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

Hook = Callable[[], Any]

_before_snapshot: list[Hook] = []
_after_restore: list[Hook] = []

Register = Callable[[Hook], Any]


def _runtime_registers() -> tuple[Register | None, Register | None]:
    """The runtime's own registration functions, where the runtime ships them."""
    try:
        library = importlib.import_module("snapshot_restore_py")
    except ImportError:  # not on Lambda: no runtime will call the hooks
        return None, None
    return library.register_before_snapshot, library.register_after_restore


_runtime_before_snapshot, _runtime_after_restore = _runtime_registers()


def register_before_snapshot(hook: Hook) -> Hook:
    """Run `hook` before Lambda snapshots the initialised environment (a decorator)."""
    _before_snapshot.append(hook)
    if _runtime_before_snapshot is not None:
        _runtime_before_snapshot(hook)
    return hook


def register_after_restore(hook: Hook) -> Hook:
    """Run `hook` in every environment restored from the snapshot, before its first event."""
    _after_restore.append(hook)
    if _runtime_after_restore is not None:
        _runtime_after_restore(hook)
    return hook


def run_before_snapshot_hooks() -> None:
    for hook in reversed(_before_snapshot):
        hook()


def run_after_restore_hooks() -> None:
    for hook in _after_restore:
        hook()
