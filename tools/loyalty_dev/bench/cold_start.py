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
from loyalty_dev.bench.report import Report
from loyalty_dev.template import PROJECT_ROOT

TARGET_COLD_START_RATIO = 1.6

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


def cold_starts(runs: int) -> dict[str, list[ColdStart]]:
    """Median over `runs` fresh processes each, as deployed ("layer": modules outside the Lambda
    layer blocked) and in this venv; interleaved, so that the machine's noise hits every figure alike."""
    blocked = {"layer": modules_outside_layer(), "venv": []}
    environment = child_environment()
    programs: dict[tuple[str, str], list[str]] = {}
    for mode, names in blocked.items():
        programs[(mode, BASELINE)] = child("cold_child", "--boto3", blocked=names)
        for function, module in handler_modules().items():
            programs[(mode, function)] = child("cold_child", module, blocked=names)
    for command in programs.values():  # compile the bytecode caches once, outside the measurement
        run_child(command, environment)
    results = {key: ColdStart(key[1]) for key in programs}
    for _ in range(runs):
        for key, command in programs.items():
            wall, cpu, rss = run_child(command, environment)
            results[key].wall_ms.append(wall)
            results[key].cpu_ms.append(cpu)
            results[key].rss_kb.append(rss)
    return {mode: [result for key, result in results.items() if key[0] == mode] for mode in blocked}


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


def report_cold_starts(report: Report, runs: int, starts: dict[str, list[ColdStart]]) -> None:
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
                f"cold start {mine.label} <= {TARGET_COLD_START_RATIO}x boto3-only",
                f"{wall_ratio:.2f}x wall, {cpu_ratio:.2f}x CPU (venv {venv_ratio:.2f}x)",
                wall_ratio <= TARGET_COLD_START_RATIO,
            )
    report.line(
        "  where the import time goes (self time by top-level package, layer, one -X importtime run, ms):"
    )
    for function, module in handler_modules().items():
        profile = import_profile(module)
        report.line(f"    {function}: " + ", ".join(f"{package} {ms:.0f}" for package, ms in profile))
