"""What the benchmark's child programs share: the Lambda layer as the only importable code, and the
process's peak memory. Standard library only, imported before anything is measured."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType


class OutsideLayer:
    """An import hook that refuses the modules a deployed function cannot import (moto, cryptography…)."""

    def __init__(self, blocked: frozenset[str]) -> None:
        self.blocked = blocked

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name.partition(".")[0] in self.blocked:
            raise ModuleNotFoundError(f"No module named {name!r} (not in the Lambda layer)", name=name)
        return None


def arguments(argv: Sequence[str]) -> list[str]:
    """A child's arguments, once `--blocked a,b,c` (if given first) has installed the hook."""
    rest = list(argv)
    if rest[:1] == ["--blocked"]:
        sys.meta_path.insert(0, OutsideLayer(frozenset(filter(None, rest[1].split(",")))))
        rest = rest[2:]
    return rest


def peak_kb() -> int:
    """VmHWM: the peak RSS of this process. (ru_maxrss would also count the parent's, which Linux
    carries over when a forked child execs.)"""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
