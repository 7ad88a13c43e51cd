"""What a deployed function can import (the Lambda layer), and fresh processes that see only that."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

from loyalty_dev.local.service_environment import dummy_aws, service_environment
from loyalty_dev.template import PROJECT_ROOT, load_template
from tests.benchmarks.moto import new_secrets
from tests.benchmarks.quota import Quota
from tests.harness.in_process import module_name


def _distribution(requirement: str) -> str:
    found = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    return _normalize(found.group(0)) if found else ""


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def layer_closure(extra_layers: Sequence[Path] = ()) -> set[str]:
    """Distributions a deployed function can import: shared/requirements.txt (and the requirements
    of any further layer it has), the runtime's boto3, and what they require (extras left out)."""
    pending: list[str] = []
    for requirements_file in (PROJECT_ROOT / "shared" / "requirements.txt", *extra_layers):
        lines = requirements_file.read_text(encoding="utf-8").splitlines()
        pending += [
            _distribution(line) for line in lines if line.strip() and not line.lstrip().startswith("#")
        ]
    pending.append("boto3")
    closure: set[str] = set()
    while pending:
        name = pending.pop()
        if not name or name in closure:
            continue
        closure.add(name)
        try:
            requirements = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        pending.extend(_distribution(req) for req in requirements if "extra ==" not in req)
    return closure


def modules_outside_layer(extra_layers: Sequence[Path] = ()) -> list[str]:
    """Top-level modules of this venv that the deployed layers do not ship (cryptography, moto, …)."""
    closure = layer_closure(extra_layers)
    project = {"loyalty", "functions"}
    return sorted(
        module
        for module, distributions in metadata.packages_distributions().items()
        if module not in project and not any(_normalize(name) in closure for name in distributions)
    )


def child_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTHON", "AWS_ENDPOINT_URL", "AWS_PROFILE"))
    }
    environment.update(service_environment(new_secrets(), extra=dummy_aws("bench")))
    environment.update(extra or {})
    return environment


def child(
    module: str, *arguments: str, blocked: Sequence[str] = (), python_options: Sequence[str] = ()
) -> list[str]:
    """The command line of a child program of the benchmark: `python -m tests.benchmarks.<module>`,
    with the modules outside the Lambda layer blocked when `blocked` names them."""
    options = ["--blocked", ",".join(blocked)] if blocked else []
    return [sys.executable, *python_options, "-m", f"tests.benchmarks.{module}", *options, *arguments]


def run_child(
    command: Sequence[str], environment: Mapping[str, str], quota: Quota | None = None
) -> tuple[float, float, int]:
    """(wall ms, CPU ms, peak RSS KB) that a fresh process reports on its last line; under
    `quota`, the process runs in its CPU-quota cgroup from before Python starts."""
    # preexec_fn runs in the child between fork and exec: it only writes its pid to the cgroup.
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
    wall, cpu, rss = finished.stdout.split()[-3:]
    return float(wall) * 1000, float(cpu) * 1000, int(rss)


def handler_modules() -> dict[str, str]:
    """Function logical id → its handler module (functions.<name>.app), from the template."""
    return {name: module_name(function) for name, function in load_template().functions().items()}
