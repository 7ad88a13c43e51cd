"""Lambda's CPU share on this machine: a cgroup CPU quota for the benchmark's child processes.

Lambda gives a function CPU in proportion to its memory, one full vCPU at 1,769 MB, so a function
of `MemorySize` M gets M / 1769 of a core. The quota is a child cgroup of this machine's CPU
controller: cgroup v2's `cpu.max` where the unified hierarchy has the cpu controller, else v1's
`cpu.cfs_quota_us` / `cpu.cfs_period_us`. Creating one needs root (or a delegated hierarchy); where
neither can be written the figure is measured at full CPU and the reason is reported.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from loyalty_dev.template import load_template

LAMBDA_MB_PER_VCPU = 1769
PERIOD_US = 100_000
CGROUP_ROOT = Path("/sys/fs/cgroup")


def memory_sizes() -> dict[str, int]:
    """Each function's MemorySize as the template sets it (its own, else the Globals')."""
    template = load_template()
    default = int(template.document.get("Globals", {}).get("Function", {}).get("MemorySize", 128))
    return {
        name: int(resource.get("Properties", {}).get("MemorySize", default))
        for name, resource in template.resources.items()
        if resource.get("Type") == "AWS::Serverless::Function"
    }


def lambda_cpu_share(memory_mb: int) -> float:
    return min(memory_mb / LAMBDA_MB_PER_VCPU, 1.0)


@dataclass
class Quota:
    share: float  # of one core
    procs: Path | None  # the cgroup's process list, None when no quota could be applied
    how: str  # which interface, or why none

    def enter(self) -> None:
        """Move the calling process into the cgroup (a `preexec_fn`: runs in the child, before exec)."""
        if self.procs is not None:
            self.procs.write_text(str(os.getpid()), encoding="ascii")


def _v2_root() -> Path | None:
    for line in Path("/proc/mounts").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) > 2 and fields[2] == "cgroup2":
            root = Path(fields[1])
            if "cpu" in (root / "cgroup.controllers").read_text(encoding="ascii").split():
                return root
    return None


def _make_v2(share: float, name: str) -> tuple[Path, Path]:
    root = _v2_root()
    if root is None:
        raise OSError("no cgroup v2 hierarchy with the cpu controller")
    if "cpu" not in (root / "cgroup.subtree_control").read_text(encoding="ascii").split():
        (root / "cgroup.subtree_control").write_text("+cpu", encoding="ascii")
    group = root / name
    group.mkdir()
    (group / "cpu.max").write_text(f"{round(share * PERIOD_US)} {PERIOD_US}", encoding="ascii")
    return group, group / "cgroup.procs"


def _make_v1(share: float, name: str) -> tuple[Path, Path]:
    root = CGROUP_ROOT / "cpu"
    if not (root / "cpu.cfs_quota_us").exists():
        raise OSError(f"no cgroup v1 cpu controller at {root}")
    group = root / name
    group.mkdir()
    try:
        (group / "cpu.cfs_period_us").write_text(str(PERIOD_US), encoding="ascii")
        (group / "cpu.cfs_quota_us").write_text(str(round(share * PERIOD_US)), encoding="ascii")
    except OSError:
        group.rmdir()
        raise
    return group, group / "cgroup.procs"


@contextlib.contextmanager
def cpu_quota(share: float) -> Iterator[Quota]:
    """A cgroup that limits its processes to `share` of one core, removed on exit."""
    name = f"loyalty-bench-{os.getpid()}"
    reasons = []
    for interface, make in (("cgroup v2 cpu.max", _make_v2), ("cgroup v1 cpu.cfs_quota_us", _make_v1)):
        try:
            group, procs = make(share, name)
        except OSError as error:
            reasons.append(f"{interface}: {error}")
            continue
        try:
            yield Quota(share, procs, f"{interface} = {share:.3f} of a core ({group})")
        finally:
            with contextlib.suppress(OSError):  # its processes have exited: the group is empty
                group.rmdir()
        return
    yield Quota(share, None, "no CPU quota could be applied (" + "; ".join(reasons) + ")")
