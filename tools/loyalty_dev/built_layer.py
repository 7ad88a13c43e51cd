"""Checks what `sam build` made of the layer: pydantic-core's binary for CPython 3.13 on arm64.

Without Docker, SAM builds an arm64 layer on any machine by downloading manylinux aarch64 wheels;
a wrong interpreter or architecture would only show as an ImportError on Lambda's first request.
Run by `make validate` after `make build`: python -m loyalty_dev.built_layer [.aws-sam/build].
"""

from __future__ import annotations

import sys
from pathlib import Path

EXPECTED_TAG = "cpython-313-aarch64-linux-gnu"


def pydantic_core_binaries(build_dir: Path) -> list[Path]:
    return sorted((build_dir / "SharedLayer" / "python" / "pydantic_core").glob("_pydantic_core.*.so"))


def problems(build_dir: Path) -> list[str]:
    binaries = pydantic_core_binaries(build_dir)
    if not binaries:
        return [f"no pydantic_core binary under {build_dir}/SharedLayer (run make build first)"]
    return [
        f"{binary.name} is not built for {EXPECTED_TAG}"
        for binary in binaries
        if EXPECTED_TAG not in binary.name
    ]


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    build_dir = Path(arguments[0] if arguments else ".aws-sam/build")
    found = problems(build_dir)
    for problem in found:
        print(problem, file=sys.stderr)
    if not found:
        print(f"layer OK: {', '.join(binary.name for binary in pydantic_core_binaries(build_dir))}")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
