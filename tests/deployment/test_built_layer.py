"""The built-layer check `make validate` runs after `make build`, on stand-in build outputs."""

from __future__ import annotations

from pathlib import Path

from loyalty_dev.built_layer import problems

# The first 20 bytes of an ELF header: 64-bit, little-endian, a shared object, for e_machine.
AARCH64_ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x03\x00" + (183).to_bytes(2, "little")
X86_64_ELF = AARCH64_ELF[:18] + (62).to_bytes(2, "little")


def layer_with(tmp_path: Path, binary: str, cryptography: bytes = AARCH64_ELF) -> Path:
    package = tmp_path / "SharedLayer" / "python" / "pydantic_core"
    package.mkdir(parents=True)
    (package / binary).write_bytes(b"")
    bindings = tmp_path / "WixVerificationLayer" / "python" / "cryptography" / "hazmat" / "bindings"
    bindings.mkdir(parents=True)
    (bindings / "_rust.abi3.so").write_bytes(cryptography)
    return tmp_path


def test_a_layer_built_for_cpython_3_13_on_arm64_passes(tmp_path: Path) -> None:
    assert problems(layer_with(tmp_path, "_pydantic_core.cpython-313-aarch64-linux-gnu.so")) == []


def test_a_layer_built_for_this_machine_fails(tmp_path: Path) -> None:
    assert problems(layer_with(tmp_path, "_pydantic_core.cpython-311-x86_64-linux-gnu.so")) == [
        "_pydantic_core.cpython-311-x86_64-linux-gnu.so is not built for cpython-313-aarch64-linux-gnu"
    ]


def test_a_wix_layer_whose_cryptography_is_built_for_this_machine_fails(tmp_path: Path) -> None:
    built = layer_with(tmp_path, "_pydantic_core.cpython-313-aarch64-linux-gnu.so", cryptography=X86_64_ELF)

    assert problems(built) == ["_rust.abi3.so (cryptography) is not an arm64 binary"]


def test_no_build_fails(tmp_path: Path) -> None:
    assert problems(tmp_path) != []
