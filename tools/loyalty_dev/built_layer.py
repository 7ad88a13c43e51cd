"""Checks what `sam build` made of the layers: pydantic-core's binary for CPython 3.13 on arm64 in
the shared layer, and cryptography's (an abi3 binary, named for no interpreter) for arm64 in the Wix
verification layer.

Without Docker, SAM builds an arm64 layer on any machine by downloading manylinux aarch64 wheels;
a wrong interpreter or architecture would only show as an ImportError on Lambda's first request.
Run by `make validate` after `make build`: python -m loyalty_dev.built_layer [.aws-sam/build].
"""

from __future__ import annotations

import sys
from pathlib import Path

EXPECTED_TAG = "cpython-313-aarch64-linux-gnu"
ELF_MAGIC = b"\x7fELF"
ELF_MACHINE_AARCH64 = 183  # e_machine, at offset 18 of the ELF header


def pydantic_core_binaries(build_dir: Path) -> list[Path]:
    return sorted((build_dir / "SharedLayer" / "python" / "pydantic_core").glob("_pydantic_core.*.so"))


def cryptography_binaries(build_dir: Path) -> list[Path]:
    bindings = build_dir / "WixVerificationLayer" / "python" / "cryptography" / "hazmat" / "bindings"
    return sorted(bindings.glob("_rust*.so"))


def is_aarch64_elf(binary: Path) -> bool:
    header = binary.read_bytes()[:20]
    if len(header) < 20 or not header.startswith(ELF_MAGIC):
        return False
    machine = header[18:20]
    return int.from_bytes(machine, "little" if header[5] == 1 else "big") == ELF_MACHINE_AARCH64


def problems(build_dir: Path) -> list[str]:
    binaries = pydantic_core_binaries(build_dir)
    if not binaries:
        return [f"no pydantic_core binary under {build_dir}/SharedLayer (run make build first)"]
    found = [
        f"{binary.name} is not built for {EXPECTED_TAG}"
        for binary in binaries
        if EXPECTED_TAG not in binary.name
    ]
    crypto = cryptography_binaries(build_dir)
    if not crypto:
        found.append(f"no cryptography binary under {build_dir}/WixVerificationLayer (run make build first)")
    found += [
        f"{binary.name} (cryptography) is not an arm64 binary"
        for binary in crypto
        if not is_aarch64_elf(binary)
    ]
    return found


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    build_dir = Path(arguments[0] if arguments else ".aws-sam/build")
    found = problems(build_dir)
    for problem in found:
        print(problem, file=sys.stderr)
    if not found:
        built = [*pydantic_core_binaries(build_dir), *cryptography_binaries(build_dir)]
        print(f"layers OK: {', '.join(binary.name for binary in built)}")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
