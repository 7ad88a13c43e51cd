"""Figure 4: cold start (import and readiness) of each function in fresh processes, against boto3 alone."""

from __future__ import annotations

import re
import statistics
import subprocess
from collections import Counter
from dataclasses import dataclass, field

from loyalty_dev.bench.layer import (
    child,
    child_environment,
    handler_modules,
    modules_outside_layer,
    run_child,
)
from loyalty_dev.bench.quota import LAMBDA_MB_PER_VCPU, cpu_quota, lambda_cpu_share, memory_sizes
from loyalty_dev.bench.report import Report
from loyalty_dev.template import PROJECT_ROOT

TARGET_COLD_START_RATIO = 1.15

BASELINE = "boto3 + DynamoDB client"


@dataclass
class ColdStart:
    label: str
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(self.wall_ms)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_ms)


@dataclass
class ColdStarts:
    modes: dict[str, list[ColdStart]]  # layer, venv, quota, restored: baseline first in each
    quota: str  # how the quota was applied, or why it was not
    memory_mb: dict[str, int]


def cold_starts(runs: int, quota_runs: int) -> ColdStarts:
    """Median over `runs` fresh processes each, as deployed ("layer": modules outside the Lambda
    layer blocked) and in this venv; interleaved, so that the machine's noise hits every figure alike.
    Then, as deployed, `quota_runs` each under the CPU quota of the template's MemorySize, and the
    SnapStart restore of each function (its after-restore hooks and readiness, at full CPU)."""
    blocked = {"layer": modules_outside_layer(), "venv": []}
    environment = child_environment()
    programs: dict[tuple[str, str], list[str]] = {}
    for mode, names in blocked.items():
        programs[(mode, BASELINE)] = child("cold_child", "--boto3", blocked=names)
        for function, module in handler_modules().items():
            programs[(mode, function)] = child("cold_child", module, blocked=names)
    restored = {
        function: child("cold_child", "--restored", module, blocked=blocked["layer"])
        for function, module in handler_modules().items()
    }
    for command in [*programs.values(), *restored.values()]:  # compile the bytecode caches once
        run_child(command, environment)
    results = {key: ColdStart(key[1]) for key in programs}
    for _ in range(runs):
        for key, command in programs.items():
            _add(results[key], run_child(command, environment))
    modes = {mode: [result for key, result in results.items() if key[0] == mode] for mode in blocked}
    modes["restored"] = [ColdStart(BASELINE)]
    for function, command in restored.items():
        modes["restored"].append(figure := ColdStart(function))
        for _ in range(runs):
            _add(figure, run_child(command, environment))
    sizes = memory_sizes()
    modes["quota"], how = _under_quota(quota_runs, sizes, programs, environment)
    return ColdStarts(modes, how, sizes)


def _add(figure: ColdStart, measured: tuple[float, float, int]) -> None:
    wall, cpu, rss = measured
    figure.wall_ms.append(wall)
    figure.cpu_ms.append(cpu)
    figure.rss_kb.append(rss)


def _under_quota(
    runs: int, sizes: dict[str, int], programs: dict[tuple[str, str], list[str]], environment: dict[str, str]
) -> tuple[list[ColdStart], str]:
    """The layer figures again, each function under its own share of a core, beside the baseline
    under the same share (one baseline per MemorySize the template uses, labelled with it)."""
    figures: list[ColdStart] = []
    notes = []
    for size in sorted(set(sizes.values())):
        functions = [name for name in handler_modules() if sizes[name] == size]
        group = [ColdStart(f"{BASELINE} @ {size} MB"), *(ColdStart(name) for name in functions)]
        keys = [("layer", BASELINE), *(("layer", name) for name in functions)]
        with cpu_quota(lambda_cpu_share(size)) as quota:
            notes.append(quota.how)
            if quota.procs is None:
                return [], quota.how
            for _ in range(runs):
                for figure, key in zip(group, keys, strict=True):
                    _add(figure, run_child(programs[key], environment, quota))
        figures.extend(group)
    return figures, "; ".join(notes)


def import_profile(module: str, top: int = 6) -> list[tuple[str, float]]:
    """Self import time by top-level package (`python -X importtime`), as the deployed layer sees it."""
    command = child(
        "cold_child",
        "--import-only",
        module,
        blocked=modules_outside_layer(),
        python_options=["-X", "importtime"],
    )
    finished = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env=child_environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    totals: Counter[str] = Counter()
    for line in finished.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if found:
            totals[found.group(2).split(".")[0]] += int(found.group(1))
    return [(package, microseconds / 1000) for package, microseconds in totals.most_common(top)]


def report_cold_starts(report: Report, runs: int, figures: ColdStarts) -> None:
    starts = figures.modes
    report.title(
        f"4. Cold start: import + ready (settings, DynamoDB client), median of {runs} fresh processes"
    )
    blocked = modules_outside_layer()
    report.line(
        "  layer = what a deployed function can import (shared/requirements.txt + the runtime's boto3; "
        f"{len(blocked)} venv-only"
    )
    report.line(
        "  modules such as cryptography, moto and aws_xray_sdk blocked); venv = this virtualenv as is. "
        "Ratios against the baseline."
    )
    report.line(
        f"  {'process':30} {'layer wall':>10} {'ratio':>6} {'CPU':>6} {'ratio':>6} "
        f"{'venv wall':>10} {'ratio':>6} {'peak RSS':>9}"
    )
    layer, venv = starts["layer"], starts["venv"]
    base, venv_base = layer[0], venv[0]
    for mine, theirs in zip(layer, venv, strict=True):
        wall_ratio, cpu_ratio = mine.wall / base.wall, mine.cpu / base.cpu
        venv_ratio = theirs.wall / venv_base.wall
        report.line(
            f"  {mine.label:30} {mine.wall:8.0f}ms {wall_ratio:5.2f}x {mine.cpu:4.0f}ms {cpu_ratio:5.2f}x "
            f"{theirs.wall:8.0f}ms {venv_ratio:5.2f}x {statistics.median(mine.rss_kb) / 1024:6.1f} MB"
        )
        if mine is not base:
            report.verdict(
                f"cold start {mine.label} <= {TARGET_COLD_START_RATIO}x boto3-only (CPU, full core)",
                f"{cpu_ratio:.2f}x CPU, {wall_ratio:.2f}x wall (venv {venv_ratio:.2f}x wall)",
                cpu_ratio <= TARGET_COLD_START_RATIO,
            )
    _report_quota(report, figures)
    _report_restored(report, figures)
    report.line(
        "  where the import time goes (self time by top-level package, layer, one -X importtime run, ms):"
    )
    for function, module in handler_modules().items():
        profile = import_profile(module)
        report.line(f"    {function}: " + ", ".join(f"{package} {ms:.0f}" for package, ms in profile))


def _report_quota(report: Report, figures: ColdStarts) -> None:
    report.line()
    quota = figures.modes["quota"]
    if not quota:
        report.line(
            f"  under Lambda's CPU share: not measured: {figures.quota}; the figures above are at full CPU"
        )
        report.verdict(
            f"cold start <= {TARGET_COLD_START_RATIO}x boto3-only under Lambda's CPU share",
            figures.quota,
            None,
        )
        return
    runs = len(quota[0].wall_ms)
    report.line(
        f"  under Lambda's CPU share (MemorySize / {LAMBDA_MB_PER_VCPU} MB of one core), layer, "
        f"median of {runs} fresh processes; each against the baseline under the same share:"
    )
    for note in figures.quota.split("; "):
        report.line(f"    quota: {note}")
    report.line(f"  {'process':34} {'share':>6} {'wall':>8} {'ratio':>6} {'CPU':>6} {'ratio':>6}")
    base = quota[0]
    for mine in quota:
        if mine.label.startswith(BASELINE):
            base = mine
        size = figures.memory_mb.get(mine.label) or int(mine.label.rsplit("@ ", 1)[1].split()[0])
        wall_ratio, cpu_ratio = mine.wall / base.wall, mine.cpu / base.cpu
        label = mine.label if mine is base else f"{mine.label} ({size} MB)"
        report.line(
            f"  {label:34} {lambda_cpu_share(size):6.3f} {mine.wall:6.0f}ms "
            f"{wall_ratio:5.2f}x {mine.cpu:4.0f}ms {cpu_ratio:5.2f}x"
        )
        if mine is not base:
            report.verdict(
                f"cold start {mine.label} <= {TARGET_COLD_START_RATIO}x boto3-only under its CPU share",
                f"{wall_ratio:.2f}x wall ({mine.wall:.0f} ms at {lambda_cpu_share(size):.3f} of a core)",
                wall_ratio <= TARGET_COLD_START_RATIO,
            )


def _report_restored(report: Report, figures: ColdStarts) -> None:
    report.line()
    restored = figures.modes["restored"][1:]
    cold = {figure.label: figure for figure in figures.modes["layer"]}
    report.line(
        "  with SnapStart, a new environment is restored instead: the after-restore hooks (random seed,"
    )
    report.line(
        "  services, client, cached secrets) and readiness, layer, full CPU; against the function's"
        " cold start:"
    )
    for mine in restored:
        report.line(
            f"  {mine.label:30} {mine.wall:6.1f}ms wall {mine.cpu:6.1f}ms CPU "
            f"({mine.cpu / cold[mine.label].cpu:.3f}x its cold start's CPU)"
        )
