"""Item sizes and request units by DynamoDB's rules (what a write or a read is billed)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

ITEM_STORAGE_OVERHEAD_BYTES = 100  # DynamoDB bills 100 bytes of indexing per item, and per index entry


def number_size(text: str) -> int:
    """A number: 1 byte per two significant digits, plus 1 (leading and trailing zeros trimmed)."""
    digits = len(Decimal(text).normalize().as_tuple().digits)
    return math.ceil(digits / 2) + 1


def value_size(value: Mapping[str, Any]) -> int:
    ((kind, content),) = value.items()
    if kind == "S":
        return len(str(content).encode())
    if kind == "N":
        return number_size(str(content))
    if kind == "B":
        return len(content)
    if kind in {"BOOL", "NULL"}:
        return 1
    if kind == "SS":
        return sum(len(str(text).encode()) for text in content)
    if kind == "NS":
        return sum(number_size(str(text)) for text in content)
    if kind == "BS":
        return sum(len(blob) for blob in content)
    if kind == "L":  # 3 bytes of overhead, 1 per element
        return 3 + sum(1 + value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(len(name.encode()) + 1 + value_size(element) for name, element in content.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: Mapping[str, Any]) -> int:
    """Bytes of an item in DynamoDB's typed JSON: attribute names plus values."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def read_units(size: int, *, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2
