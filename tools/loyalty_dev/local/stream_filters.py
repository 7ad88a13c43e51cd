"""The subset of Lambda's event filtering (EventBridge patterns) that a local stream mapping runs:
which records a function's `FilterCriteria` keep."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class UnsupportedFilter(ValueError):
    """A filter pattern beyond the subset run locally (content filters such as prefix or numeric)."""


def filter_patterns(criteria: Any) -> list[dict[str, Any]]:
    """The patterns of an event's `FilterCriteria` (`{"Filters": [{"Pattern": "<JSON>"}, …]}`).

    Locally supported: nested objects whose leaves are arrays of allowed values (strings, numbers,
    booleans, null), e.g. `{"dynamodb": {"Keys": {"sk": {"S": ["ACCOUNT"]}}}}`. Anything else
    raises UnsupportedFilter rather than let records through that Lambda would drop, or the reverse.
    """
    if not criteria:
        return []
    patterns: list[dict[str, Any]] = []
    for entry in criteria.get("Filters") or []:
        raw = entry.get("Pattern") if isinstance(entry, dict) else None
        try:
            pattern = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError as error:
            raise UnsupportedFilter(f"filter pattern is not JSON: {raw!r} ({error})") from None
        patterns.append(_check(pattern, "pattern"))
    return patterns


def _check(pattern: Any, where: str) -> dict[str, Any]:
    if not isinstance(pattern, dict):
        raise UnsupportedFilter(f"{where} must be an object, not {pattern!r}")
    for key, value in pattern.items():
        if isinstance(value, dict):
            _check(value, f"{where}.{key}")
        elif isinstance(value, list):
            for allowed in value:
                if isinstance(allowed, dict | list):
                    raise UnsupportedFilter(
                        f"{where}.{key}: {json.dumps(allowed)} is a content filter; only exact values "
                        "are supported locally"
                    )
        else:
            raise UnsupportedFilter(f"{where}.{key} must be an object or an array of values, not {value!r}")
    return pattern


def matches(pattern: Mapping[str, Any], record: Any) -> bool:
    """Whether `record` matches `pattern` (EventBridge semantics for the supported subset): every
    key of the pattern is in the record; an object is matched level by level; an array lists the
    values allowed, and a record's array matches when any of its elements is allowed."""
    if not isinstance(record, dict):
        return False
    for key, expected in pattern.items():
        if key not in record:
            return False
        value = record[key]
        if isinstance(expected, dict):
            candidates = value if isinstance(value, list) else [value]
            if not any(matches(expected, candidate) for candidate in candidates):
                return False
        else:
            candidates = value if isinstance(value, list) else [value]
            if not any(_same(candidate, allowed) for candidate in candidates for allowed in expected):
                return False
    return True


def _same(value: Any, allowed: Any) -> bool:
    # JSON types, not Python's: true is not 1, "1" is not 1, and 1 is 1.0.
    if isinstance(value, bool) or isinstance(allowed, bool):
        return isinstance(value, bool) and isinstance(allowed, bool) and value == allowed
    if isinstance(value, int | float) and isinstance(allowed, int | float):
        return value == allowed
    return type(value) is type(allowed) and value == allowed


def accepted(patterns: list[dict[str, Any]], record: Mapping[str, Any]) -> bool:
    """Lambda's rule: no filter lets every record through; several filters are alternatives."""
    return not patterns or any(matches(pattern, record) for pattern in patterns)
