"""The handler suite's run with every AWS call recorded, kept for the deployment tier's IAM check.

`make handlers` runs the handler suite through this module (`python -m tests.deployment.recorded_run
<pytest arguments>`): pytest in a child process with the calls recorded by tests/plugins/aws_calls.py
and the secrets read from moto's SSM (tests/plugins/ssm_secrets.py), as the IAM check needs them.
When that run passes, its calls are kept in build/aws-calls/ with a fingerprint of what they
depend on: the product, the tools, the tests outside tests/deployment/, template.yaml,
pyproject.toml and the versions of the AWS libraries. The deployment tier (tests/deployment/test_iam.py)
checks IAM against that recording when its fingerprint is today's, and otherwise (no recording, a
failed or partial run, a file changed since) runs the suite recording itself, as `make deployment`
alone does. So `make test` runs the handler suite once, not twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from importlib import metadata
from pathlib import Path

from loyalty_dev.template import PROJECT_ROOT
from tests.plugins.aws_calls import RECORD_VARIABLE
from tests.plugins.ssm_secrets import SECRET_VARIABLES, SSM_VARIABLE

RECORDING_DIR = PROJECT_ROOT / "build" / "aws-calls"
CALLS_FILE = "calls.json"  # with xdist: calls.json.gw0, calls.json.gw1, ...
FINGERPRINT_FILE = "fingerprint.json"
# The suites whose calls the IAM check needs: a recording must have run each of them whole.
RECORDED_SUITES = ("tests/handlers",)
# What the recorded calls depend on. tests/deployment/ only reads them.
SOURCES = ("shared", "functions", "layers", "tools", "tests", "template.yaml", "pyproject.toml")
NOT_SOURCES = ("tests/deployment",)
LIBRARIES = ("boto3", "botocore", "moto", "aws-lambda-powertools", "pytest", "pytest-xdist")
# Options that run part of the suites: a recording made with one is not kept.
SELECTING_OPTIONS = (
    "-k",
    "-m",
    "--deselect",
    "--lf",
    "--last-failed",
    "--sw",
    "--stepwise",
    "--co",
    "--collect-only",
)


def _source_files() -> Iterator[Path]:
    skipped = {PROJECT_ROOT / path for path in NOT_SOURCES}
    for source in SOURCES:
        root = PROJECT_ROOT / source
        if root.is_file():
            yield root
            continue
        for directory, subdirectories, files in os.walk(root):
            here = Path(directory)
            subdirectories[:] = sorted(
                name
                for name in subdirectories
                if name != "__pycache__" and not name.endswith(".egg-info") and here / name not in skipped
            )
            yield from (here / name for name in sorted(files) if not name.endswith(".pyc"))


def fingerprint() -> str:
    """A digest of every file the recorded calls depend on, and of the AWS libraries' versions."""
    digest = hashlib.sha256(sys.version.encode())
    for library in LIBRARIES:
        digest.update(f"{library}=={metadata.version(library)}\n".encode())
    for path in _source_files():
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def runs_every_suite(pytest_args: Sequence[str]) -> bool:
    """Whether pytest with these arguments runs each recorded suite whole."""
    selecting = any(
        arg == option or arg.startswith(option + "=" if option.startswith("--") else option)
        for arg in pytest_args
        for option in SELECTING_OPTIONS
    )
    paths = {arg.rstrip("/") for arg in pytest_args if not arg.startswith("-")}
    return not selecting and set(RECORDED_SUITES) <= paths


def record(pytest_args: Sequence[str], target: Path, *, capture: bool) -> subprocess.CompletedProcess[str]:
    """pytest with these arguments in a child process, its AWS calls recorded into `target`
    (one file per xdist worker) and every secret read from moto's SSM."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in SECRET_VARIABLES and not name.startswith("PYTEST_")
    }
    environment.update({RECORD_VARIABLE: str(target), SSM_VARIABLE: "1"})
    return subprocess.run(
        [sys.executable, "-m", "pytest", *pytest_args],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=capture,
        text=True,
        timeout=900 if capture else None,
        check=False,
    )


def recording() -> Path | None:
    """The calls file of the kept recording, when it was made of the files as they are now."""
    try:
        kept = json.loads((RECORDING_DIR / FINGERPRINT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if kept.get("fingerprint") != fingerprint() or not runs_every_suite(kept.get("pytest_args", [])):
        return None
    return RECORDING_DIR / CALLS_FILE


def main(pytest_args: Sequence[str]) -> int:
    """Run the suites recording (output to the terminal); keep the recording only when they pass."""
    shutil.rmtree(RECORDING_DIR, ignore_errors=True)  # a failed run leaves no recording behind
    before = fingerprint()  # a file changed during the run makes the recording stale at once
    RECORDING_DIR.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix="aws-calls-", dir=RECORDING_DIR.parent))
    try:
        status = record(pytest_args, partial / CALLS_FILE, capture=False).returncode
        if status == 0 and runs_every_suite(pytest_args):
            kept = {"fingerprint": before, "pytest_args": list(pytest_args)}
            (partial / FINGERPRINT_FILE).write_text(json.dumps(kept, indent=1), encoding="utf-8")
            partial.rename(RECORDING_DIR)
            print(f"AWS calls recorded in {RECORDING_DIR.relative_to(PROJECT_ROOT)}/ for the deployment tier")
        return status
    finally:
        shutil.rmtree(partial, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
