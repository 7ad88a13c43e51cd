"""The report the benchmark prints: titles, lines, and the verdict of every target."""

from __future__ import annotations

import contextlib
import os
import platform
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import TextIO


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    return (
        f"{cpu}, {os.cpu_count()} CPUs{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; boto3 {metadata.version('boto3')}, "
        f"moto {metadata.version('moto')}, "
        f"aws-lambda-powertools {metadata.version('aws-lambda-powertools')}, "
        f"pydantic {metadata.version('pydantic')}"
    )


class Report:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.verdicts: list[tuple[str, str, str]] = []  # (target, figure, ok / FAIL / n/a)

    def line(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def title(self, text: str) -> None:
        self.line()
        self.line(text)
        self.line("-" * len(text))

    def verdict(self, target: str, figure: str, held: bool | None) -> str:
        word = "n/a" if held is None else ("ok" if held else "FAIL")
        self.verdicts.append((target, figure, word))
        return word


def format_counts(counts: Counter[str]) -> str:
    return ", ".join(f"{number} {operation}" for operation, number in sorted(counts.items())) or "none"


def report_verdicts(report: Report) -> None:
    report.title("Targets")
    for target, figure, word in report.verdicts:
        report.line(f"  {word:4}  {target}: {figure}")
