"""The built-layer check `make validate` runs after `make build`, on stand-in build outputs."""

from __future__ import annotations

from pathlib import Path

from loyalty_dev.built_layer import problems


def layer_with(tmp_path: Path, binary: str) -> Path:
    package = tmp_path / "SharedLayer" / "python" / "pydantic_core"
    package.mkdir(parents=True)
    (package / binary).write_bytes(b"")
    return tmp_path


def test_a_layer_built_for_cpython_3_13_on_arm64_passes(tmp_path: Path) -> None:
    assert problems(layer_with(tmp_path, "_pydantic_core.cpython-313-aarch64-linux-gnu.so")) == []


def test_a_layer_built_for_this_machine_fails(tmp_path: Path) -> None:
    assert problems(layer_with(tmp_path, "_pydantic_core.cpython-311-x86_64-linux-gnu.so")) == [
        "_pydantic_core.cpython-311-x86_64-linux-gnu.so is not built for cpython-313-aarch64-linux-gnu"
    ]


def test_no_build_fails(tmp_path: Path) -> None:
    assert problems(tmp_path) != []
