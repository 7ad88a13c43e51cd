"""Figure 4: cold start (import and first event) of each function in fresh processes, against a
boto3-only process that makes the same DynamoDB calls; at full CPU and under Lambda's CPU share."""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from loyalty_dev.template import PROJECT_ROOT, load_template
from tests.benchmarks.first_events import FirstEvent, ReplayServer, record_first_events, write_inputs
from tests.benchmarks.layer import child, child_environment, handler_modules, modules_outside_layer
from tests.benchmarks.quota import LAMBDA_MB_PER_VCPU, Quota, cpu_quota, lambda_cpu_share, memory_sizes
from tests.benchmarks.report import Report

TARGET_COLD_START_RATIO = 1.15

ISSUE_BASELINE = "boto3 + DynamoDB client"  # issue 18's baseline: what its 1.15x target is judged against
BASELINE = "boto3 + client + the same calls"
FLOOR = "+ the kept libraries, used minimally"
FUNCTION = "the function: import + first event"


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
class Trio:
    """One function's cold start beside its baseline and the libraries' floor (the same calls)."""

    function: str
    memory_mb: int
    calls: list[str]
    baseline: ColdStart
    floor: ColdStart
    cold: ColdStart
    restored: ColdStart
    quota_baseline: ColdStart = field(default_factory=lambda: ColdStart(BASELINE))
    quota_cold: ColdStart = field(default_factory=lambda: ColdStart(FUNCTION))


@dataclass
class ColdStarts:
    trios: list[Trio]
    quota: str  # how the quota was applied, or why it was not
    issue_baseline: ColdStart  # import boto3 + boto3.client("dynamodb"), no call: the target's baseline
    issue_quota: dict[int, ColdStart]  # the same under the quota of each MemorySize
    unmeasured: list[str] = field(default_factory=list)  # functions with no first event to serve


def handler_targets() -> dict[str, str]:
    """Function logical id → module:attribute of its handler."""
    functions = load_template().functions()
    return {name: f"{module}:{functions[name].handler_name}" for name, module in handler_modules().items()}


def cold_starts(runs: int, quota_runs: int) -> ColdStarts:
    """Medians over `runs` fresh processes each, as deployed (modules outside the Lambda layer
    blocked), interleaved so that the machine's noise hits every figure alike; then `quota_runs`
    each under the CPU quota of the function's MemorySize; and the SnapStart restore of each."""
    every = handler_targets()
    firsts = record_first_events(list(every))
    targets = {name: target for name, target in every.items() if name in firsts}
    sizes = memory_sizes()
    blocked = modules_outside_layer()
    with tempfile.TemporaryDirectory(prefix="loyalty-cold-") as folder, ReplayServer() as server:
        environment = _environment(server, firsts)
        trios = [
            Trio(
                name,
                sizes[name],
                [call.operation for call in firsts[name].calls],
                ColdStart(BASELINE),
                ColdStart(FLOOR),
                ColdStart(FUNCTION),
                ColdStart("restored"),
            )
            for name in targets
        ]

        def programs(name: str) -> dict[str, Callable[[], list[str]]]:
            event, calls = write_inputs(firsts[name], Path(folder))
            return {
                "baseline": lambda: child("cold_child", "--boto3", str(calls), blocked=blocked),
                "floor": lambda: child("cold_child", "--libraries", str(calls), blocked=blocked),
                "cold": lambda: child("cold_child", targets[name], str(event), blocked=blocked),
                "restored": lambda: child(
                    "cold_child", "--restored", targets[name], str(event), blocked=blocked
                ),
            }

        def run(trio: Trio, kind: str, quota: Quota | None = None) -> tuple[float, float, int]:
            server.load(firsts[trio.function])  # and the event freshly signed, below
            return run_cold_child(programs(trio.function)[kind](), environment, quota)

        def run_issue_baseline(quota: Quota | None = None) -> tuple[float, float, int]:
            return run_cold_child(child("cold_child", "--boto3", blocked=blocked), environment, quota)

        issue_baseline = ColdStart(ISSUE_BASELINE)
        run_issue_baseline()
        for trio in trios:  # compile the bytecode caches once
            for kind in ("baseline", "floor", "cold", "restored"):
                run(trio, kind)
        for _ in range(runs):
            _add(issue_baseline, run_issue_baseline())
            for trio in trios:
                _add(trio.baseline, run(trio, "baseline"))
                _add(trio.floor, run(trio, "floor"))
                _add(trio.cold, run(trio, "cold"))
        for trio in trios:
            for _ in range(runs):
                _add(trio.restored, run(trio, "restored"))
        issue_quota: dict[int, ColdStart] = {}
        how = _under_quota(quota_runs, trios, run, run_issue_baseline, issue_quota)
    return ColdStarts(trios, how, issue_baseline, issue_quota, [name for name in every if name not in firsts])


def _environment(server: ReplayServer, firsts: Mapping[str, FirstEvent]) -> dict[str, str]:
    first = next(iter(firsts.values()))
    return child_environment(
        {
            "AWS_ENDPOINT_URL_DYNAMODB": server.endpoint,
            "LOYALTY_WEBHOOK_SECRET": first.webhook_secret.decode(),
            "LOYALTY_CUSTOMER_TOKEN_SECRET": first.token_secret.decode(),
        }
    )


def run_cold_child(
    command: Sequence[str], environment: Mapping[str, str], quota: Quota | None = None
) -> tuple[float, float, int]:
    """(wall ms, CPU ms, peak RSS KB) of a fresh cold-start child; it must have served its event
    (status 200, no failed record) with nothing measured loaded before its clock started."""
    finished = subprocess.run(
        list(command),
        cwd=PROJECT_ROOT,
        env=dict(environment),
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=quota.enter if quota is not None else None,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"child process failed:\n{finished.stderr}")
    *_, outcome_line, figures = finished.stdout.strip().splitlines()
    outcome = json.loads(outcome_line)
    if outcome.get("status") not in (None, 200) or outcome.get("failures") or outcome["preloaded"]:
        raise RuntimeError(f"the cold start did not serve its event as measured: {outcome}")
    wall, cpu, rss = figures.split()
    return float(wall) * 1000, float(cpu) * 1000, int(rss)


def _add(figure: ColdStart, measured: tuple[float, float, int]) -> None:
    wall, cpu, rss = measured
    figure.wall_ms.append(wall)
    figure.cpu_ms.append(cpu)
    figure.rss_kb.append(rss)


def _under_quota(
    runs: int,
    trios: list[Trio],
    run: Callable[[Trio, str, Quota | None], tuple[float, float, int]],
    run_issue_baseline: Callable[[Quota | None], tuple[float, float, int]],
    issue_quota: dict[int, ColdStart],
) -> str:
    """Each function and its baselines again, under the function's share of a core."""
    notes = []
    for size in sorted({trio.memory_mb for trio in trios}):
        with cpu_quota(lambda_cpu_share(size)) as quota:
            notes.append(quota.how)
            if quota.procs is None:
                return quota.how
            group = [trio for trio in trios if trio.memory_mb == size]
            issue_quota[size] = ColdStart(f"{ISSUE_BASELINE} @ {size} MB")
            for _ in range(runs):
                _add(issue_quota[size], run_issue_baseline(quota))
                for trio in group:
                    _add(trio.quota_baseline, run(trio, "baseline", quota))
                    _add(trio.quota_cold, run(trio, "cold", quota))
    return "; ".join(notes)


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
    target = TARGET_COLD_START_RATIO
    report.title(f"4. Cold start: import + first event, median of {runs} fresh processes, against boto3")
    blocked = modules_outside_layer()
    report.line(
        "  Each process as deployed (shared/requirements.txt + the runtime's boto3; "
        f"{len(blocked)} venv-only modules blocked)."
    )
    report.line("  function = import functions.<name>.app, then its first event end to end (DynamoDB over")
    report.line("  HTTP to a loopback endpoint replaying moto's recorded answers). Against two baselines:")
    issue_ms = figures.issue_baseline.cpu
    report.line(f"  issue 18's (A, the target's: import boto3 + boto3.client, {issue_ms:.0f} ms CPU here)")
    report.line("  and boto3 making the same calls as the first event (B, per function). floor = B inside")
    report.line("  the least a function keeping Powertools' resolver, Logger, Metrics and pydantic does.")
    report.line(
        f"  {'function':27} {'calls':10} {'B':>6} {'floor':>6} {'func':>6}  "
        f"{'vs A':>5} {'target':>6} {'floor':>5}  {'vs B':>5} {'floor':>5}  {'wall A':>6} {'RSS':>7}"
    )
    issue = figures.issue_baseline
    for trio in figures.trios:
        ratio_a, floor_a = trio.cold.cpu / issue.cpu, trio.floor.cpu / issue.cpu
        ratio_b, floor_b = trio.cold.cpu / trio.baseline.cpu, trio.floor.cpu / trio.baseline.cpu
        wall_a, rss = trio.cold.wall / issue.wall, statistics.median(trio.cold.rss_kb) / 1024
        calls = "+".join(_short(call) for call in trio.calls) or "none"
        report.line(
            f"  {trio.function:27} {calls:10} {trio.baseline.cpu:4.0f}ms {trio.floor.cpu:4.0f}ms "
            f"{trio.cold.cpu:4.0f}ms  {ratio_a:4.2f}x {target:5.2f}x {floor_a:4.2f}x  "
            f"{ratio_b:4.2f}x {floor_b:4.2f}x  {wall_a:5.2f}x {rss:4.1f} MB"
        )
        report.verdict(
            f"cold start {trio.function} <= {target}x boto3-only (CPU, full core)",
            f"{ratio_a:.2f}x CPU against boto3 + client (libraries' floor {floor_a:.2f}x); "
            f"{ratio_b:.2f}x against boto3 making the same calls (floor {floor_b:.2f}x)",
            ratio_a <= target,
        )
    for name in figures.unmeasured:
        report.verdict(
            f"cold start {name} <= {target}x boto3-only",
            "not measured: no first event for it in bench/first_events.py",
            None,
        )
    _report_quota(report, figures)
    _report_restored(report, figures)
    report.line(
        "  where the import time goes (self time by top-level package, layer, one -X importtime run, ms):"
    )
    for function, module in handler_modules().items():
        profile = import_profile(module)
        report.line(f"    {function}: " + ", ".join(f"{package} {ms:.0f}" for package, ms in profile))


def _short(operation: str) -> str:
    return "".join(letter for letter in operation if letter.isupper())


def _report_quota(report: Report, figures: ColdStarts) -> None:
    report.line()
    target = TARGET_COLD_START_RATIO
    measured = [trio for trio in figures.trios if trio.quota_cold.wall_ms]
    if not measured:
        report.line(
            f"  under Lambda's CPU share: not measured: {figures.quota}; the figures above are at full CPU"
        )
        report.verdict(f"cold start <= {target}x boto3-only under Lambda's CPU share", figures.quota, None)
        return
    runs = len(measured[0].quota_cold.wall_ms)
    report.line(
        f"  under Lambda's CPU share (MemorySize / {LAMBDA_MB_PER_VCPU} MB of one core), median of {runs} "
        "fresh processes, wall ms, each against the baselines under the same share:"
    )
    for note in figures.quota.split("; "):
        report.line(f"    quota: {note}")
    report.line(
        f"  {'function':27} {'MB':>4} {'share':>6} {'A':>7} {'B':>7} {'function':>8}  "
        f"{'vs A':>5} {'target':>6}  {'vs B':>5}"
    )
    for trio in measured:
        issue, base, mine = figures.issue_quota[trio.memory_mb], trio.quota_baseline, trio.quota_cold
        ratio_a, ratio_b = mine.wall / issue.wall, mine.wall / base.wall
        share = lambda_cpu_share(trio.memory_mb)
        report.line(
            f"  {trio.function:27} {trio.memory_mb:4} {share:6.3f} {issue.wall:5.0f}ms {base.wall:5.0f}ms "
            f"{mine.wall:6.0f}ms  {ratio_a:4.2f}x {target:5.2f}x  {ratio_b:4.2f}x"
        )
        report.verdict(
            f"cold start {trio.function} <= {target}x boto3-only under its CPU share",
            f"{ratio_a:.2f}x wall against boto3 + client ({mine.wall:.0f} ms at {share:.3f} of a core); "
            f"{ratio_b:.2f}x against boto3 making the same calls",
            ratio_a <= target,
        )


def _report_restored(report: Report, figures: ColdStarts) -> None:
    report.line()
    report.line(
        "  with SnapStart, a new environment is restored instead: the after-restore hooks (random seed,"
    )
    report.line("  services, client, cached secrets) and the first event, full CPU; against the cold start:")
    for trio in figures.trios:
        mine = trio.restored
        report.line(
            f"  {trio.function:30} {mine.wall:6.1f}ms wall {mine.cpu:6.1f}ms CPU "
            f"({mine.cpu / trio.cold.cpu:.3f}x its cold start's CPU)"
        )
